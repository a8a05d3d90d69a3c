/* SPDX-License-Identifier: MIT */
/*
 * kvmsea-esr: decode AArch64 ESR_ELx values from the command line or stdin.
 *
 *   kvmsea-esr [--tree | --oneline | --json] [VALUE...]
 *
 * A VALUE is decimal or 0x-hex and may use the full 64-bit range. With no
 * VALUE, whitespace-separated values are read from standard input. Exit
 * status: 0 when every value decoded, 2 on a usage error or a value that is
 * not a number (nothing more is decoded after it), 1 on an output error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libkvmsea/esr.h>

#ifndef KVMSEA_VERSION
#define KVMSEA_VERSION "unknown"
#endif

#define EXIT_USAGE 2

static const char *progname = "kvmsea-esr";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--tree | --oneline | --json] [VALUE...]\n"
		"Decode AArch64 Exception Syndrome Register (ESR_ELx) values.\n"
		"\n"
		"VALUE is decimal or 0x-prefixed hex, 0 to 2^64-1. Without a VALUE,\n"
		"whitespace-separated values are read from standard input.\n"
		"\n"
		"  --tree      one field a line: bits, value, meaning (default)\n"
		"  --oneline   a one-line summary per value\n"
		"  --json      one JSON object per value, one per line\n"
		"  --help      show this help and exit\n"
		"  --version   show the version and exit\n"
		"\n"
		"Exit status: 0 success, 1 output error, 2 usage error or a bad VALUE.\n",
		progname);
}

/* Why a string is not a value, or NULL when it is one (stored in @out).
 * strtoull() is not used: it accepts signs, leading spaces and silently
 * negates "-1" into 2^64-1. */
static const char *parse_value(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10;
	const char *p = s;

	if (*p == '-')
		return "negative values are not ESR values";
	if (*p == '+')
		return "a sign is not allowed";
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		return "no digits";
	for (; *p; p++) {
		unsigned int digit;

		if (*p >= '0' && *p <= '9')
			digit = (unsigned int)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			digit = (unsigned int)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			digit = (unsigned int)(*p - 'A' + 10);
		else
			return base == 16 ? "not a hex digit in a 0x value"
					  : "not a decimal or 0x-hex number";
		if (v > (UINT64_MAX - digit) / base)
			return "does not fit in 64 bits";
		v = v * base + digit;
	}
	*out = v;
	return NULL;
}

static void bad_value(const char *s, const char *why)
{
	fprintf(stderr, "%s: invalid value '%s': %s\n", progname, s, why);
}

static int print_value(uint64_t esr, enum kvmsea_esr_style style)
{
	char stack[4096];
	char *buf = stack;
	int n = kvmsea_esr_format(esr, style, stack, sizeof(stack));

	if (n < 0) {
		fprintf(stderr, "%s: cannot format 0x%016llx: %s\n", progname,
			(unsigned long long)esr, strerror(-n));
		return 1;
	}
	if ((size_t)n >= sizeof(stack)) {
		buf = malloc((size_t)n + 1);
		if (!buf) {
			fprintf(stderr, "%s: out of memory\n", progname);
			return 1;
		}
		kvmsea_esr_format(esr, style, buf, (size_t)n + 1);
	}
	/* TREE ends with a newline already; the others get one. */
	fputs(buf, stdout);
	if (style != KVMSEA_ESR_TREE)
		fputc('\n', stdout);
	if (buf != stack)
		free(buf);
	return 0;
}

/* Between two trees, a blank line; the other styles are a line each. */
static int emit(uint64_t esr, enum kvmsea_esr_style style, unsigned long *count)
{
	if (style == KVMSEA_ESR_TREE && (*count)++)
		fputc('\n', stdout);
	return print_value(esr, style);
}

static int from_stdin(enum kvmsea_esr_style style)
{
	char token[128];
	size_t len = 0;
	bool too_long = false;
	unsigned long count = 0;
	int c;

	do {
		c = getchar();
		if (c != EOF && c != ' ' && c != '\t' && c != '\n' &&
		    c != '\r' && c != '\v' && c != '\f') {
			if (len + 1 < sizeof(token))
				token[len++] = (char)c;
			else
				too_long = true;
			continue;
		}
		if (!len)
			continue;
		token[len] = '\0';
		if (too_long) {
			bad_value(token, "longer than 127 characters");
			return EXIT_USAGE;
		} else {
			uint64_t v;
			const char *why = parse_value(token, &v);

			if (why) {
				bad_value(token, why);
				return EXIT_USAGE;
			}
			if (emit(v, style, &count))
				return 1;
		}
		len = 0;
	} while (c != EOF);
	if (ferror(stdin)) {
		fprintf(stderr, "%s: reading standard input: %s\n", progname,
			strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum kvmsea_esr_style style = KVMSEA_ESR_TREE;
	unsigned long count = 0;
	int first = 1, ret = 0;

	/* Options come first; "--" ends them. Values never start with '-'
	 * (a leading '-' is a negative number, rejected below). */
	for (; first < argc; first++) {
		const char *a = argv[first];

		if (!strcmp(a, "--tree")) {
			style = KVMSEA_ESR_TREE;
		} else if (!strcmp(a, "--oneline")) {
			style = KVMSEA_ESR_ONELINE;
		} else if (!strcmp(a, "--json")) {
			style = KVMSEA_ESR_JSON;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("%s %s\n", progname, KVMSEA_VERSION);
			return 0;
		} else if (!strcmp(a, "--")) {
			first++;
			break;
		} else if (a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')) {
			fprintf(stderr, "%s: unknown option '%s'\n", progname, a);
			usage(stderr);
			return EXIT_USAGE;
		} else {
			break;
		}
	}

	if (first == argc)
		ret = from_stdin(style);

	/* Check every value before printing any, so a typo in the last one
	 * does not leave half an answer. */
	for (int i = first; i < argc; i++) {
		uint64_t v;
		const char *why = parse_value(argv[i], &v);

		if (why) {
			bad_value(argv[i], why);
			return EXIT_USAGE;
		}
	}
	for (int i = first; i < argc && !ret; i++) {
		uint64_t v = 0;

		parse_value(argv[i], &v);
		ret = emit(v, style, &count);
	}

	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "%s: writing standard output: %s\n", progname,
			strerror(errno));
		return 1;
	}
	return ret;
}
