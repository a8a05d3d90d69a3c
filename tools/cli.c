/* SPDX-License-Identifier: MIT */
/* What the kvmsea command-line tools share (cli.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef KVMSEA_VERSION
#define KVMSEA_VERSION "unknown"
#endif

static bool stdout_failed;

int write_failed(void)
{
	stdout_failed = true;
	fprintf(stderr, "%s: writing standard output: %s\n", progname,
		strerror(errno));
	return 1;
}

/* A close that fails with EBADF after a good flush means nothing was ever
 * written to a closed stdout, which is not an error. */
int close_stdout(void)
{
	if (stdout_failed)
		return 1;
	if (fflush(stdout) == EOF)
		return write_failed();
	if (fclose(stdout) == EOF && errno != EBADF)
		return write_failed();
	return 0;
}

void echo_escaped(const char *s, size_t len, size_t max)
{
	size_t n = len > max ? max : len;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == '\'')
			fprintf(stderr, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	if (n < len)
		fputs("...", stderr);
}

int print_version(void)
{
	return printf("%s %s\n", progname, KVMSEA_VERSION) < 0 ? write_failed() : 0;
}

int unknown_option(const char *arg, size_t max, int (*usage)(FILE *f))
{
	fprintf(stderr, "%s: unknown option '", progname);
	echo_escaped(arg, strlen(arg), max);
	fputs("'\n", stderr);
	usage(stderr);
	return EXIT_USAGE;
}
