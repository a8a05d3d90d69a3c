/* SPDX-License-Identifier: MIT */
/*
 * kvmsea-esr: decode AArch64 ESR_ELx values from the command line, from
 * standard input, or out of a kernel log on standard input (--log).
 *
 *   kvmsea-esr [--tree | --oneline | --json] [VALUE...]
 *   kvmsea-esr [--tree | --oneline | --json] --log
 *
 * The rules (docs/man/kvmsea-esr.1.scd states them for the user): a VALUE is
 * decimal or 0x-hex in the 64-bit range, at most MAX_VALUE_LEN characters,
 * with no NUL byte, on the command line and on stdin alike. Exit status: 0
 * when every value decoded, 2 on a usage error or bad input (nothing more is
 * decoded after it), 1 when reading input or writing output failed (the
 * tool stops at the first failed write, whatever input is left).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libkvmsea/esr.h>

#include "cli.h"
#include "esr-log.h"

/* A value needs at most 20 decimal digits or 0x and 16 hex digits; the rest
 * is room for leading zeros. Also the most of any bad input echoed back. */
#define MAX_VALUE_LEN 64
/* A kernel log record's text is at most 1 KiB, 2 KiB with the kernel's
 * prefix (Linux kernel/printk/internal.h PRINTKRB_RECORD_MAX,
 * PRINTK_MESSAGE_MAX); the rest is room for journalctl's or a console's. */
#define MAX_LOG_LINE 4096
#define STR(x) #x
#define XSTR(x) STR(x)

const char progname[] = "kvmsea-esr";

static int read_failed(void)
{
	fprintf(stderr, "%s: reading standard input: %s\n", progname,
		strerror(errno));
	return 1;
}

static int usage(FILE *f)
{
	return fprintf(f,
		"Usage: %s [--tree | --oneline | --json] [VALUE...]\n"
		"       %s [--tree | --oneline | --json] --log\n"
		"Decode AArch64 Exception Syndrome Register (ESR_ELx) values.\n"
		"\n"
		"VALUE is decimal or 0x-prefixed hex, 0 to 2^64-1, at most\n"
		"%d characters. Without a VALUE, whitespace-separated values\n"
		"are read from standard input.\n"
		"\n"
		"  --tree      one field a line: bits, value, meaning (default)\n"
		"  --oneline   a one-line summary per value\n"
		"  --json      one JSON object per value, one per line\n"
		"  --log       read a kernel log (dmesg) on standard input and\n"
		"              decode every ESR the arm64 kernel printed in it\n"
		"  --help      show this help and exit\n"
		"  --version   show the version and exit\n"
		"\n"
		"Exit status: 0 success, 1 read or write error, 2 usage error\n"
		"or bad input.\n",
		progname, progname, MAX_VALUE_LEN);
}

/* @line is the log line number, or 0 outside --log. */
static int bad_value(unsigned long line, const char *s, size_t len,
		     const char *why)
{
	fprintf(stderr, "%s: ", progname);
	if (line)
		fprintf(stderr, "line %lu: ", line);
	fputs("invalid value '", stderr);
	echo_escaped(s, len, MAX_VALUE_LEN);
	fprintf(stderr, "': %s\n", why);
	return EXIT_USAGE;
}

/* Why @n digits at @p in @base are not a 64-bit value, or NULL (in @out). */
static const char *parse_digits(const char *p, size_t n, unsigned int base,
				uint64_t *out)
{
	uint64_t v = 0;

	if (!n)
		return "no digits";
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		unsigned int digit;

		if (c >= '0' && c <= '9')
			digit = (unsigned int)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			digit = (unsigned int)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			digit = (unsigned int)(c - 'A' + 10);
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

/* The one length rule, for arguments, stdin and log numbers alike. */
static const char *too_long(size_t len)
{
	return len > MAX_VALUE_LEN
		? "longer than " XSTR(MAX_VALUE_LEN) " characters" : NULL;
}

/* Why @len bytes at @s are not a value, or NULL when they are one (stored
 * in @out). strtoull() is not used: it accepts signs, leading spaces and
 * silently negates "-1" into 2^64-1. */
static const char *parse_value(const char *s, size_t len, uint64_t *out)
{
	if (too_long(len))
		return too_long(len);
	if (memchr(s, '\0', len))
		return "contains a NUL byte";
	if (len && s[0] == '-')
		return "negative values are not ESR values";
	if (len && s[0] == '+')
		return "a sign is not allowed";
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return parse_digits(s + 2, len - 2, 16, out);
	return parse_digits(s, len, 10, out);
}

/* 0, or 1 after a message (a write or formatting failure). */
static int print_value(uint64_t esr, enum kvmsea_esr_style style)
{
	char stack[4096];
	char *buf = stack;
	int n = kvmsea_esr_format(esr, style, stack, sizeof(stack));
	int ret = 0;

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
	if (fputs(buf, stdout) == EOF ||
	    (style != KVMSEA_ESR_TREE && fputc('\n', stdout) == EOF))
		ret = write_failed();
	if (buf != stack)
		free(buf);
	return ret;
}

/* Between two trees, a blank line; the other styles are a line each. */
static int emit(uint64_t esr, enum kvmsea_esr_style style, unsigned long *count)
{
	if (style == KVMSEA_ESR_TREE && (*count)++ && fputc('\n', stdout) == EOF)
		return write_failed();
	return print_value(esr, style);
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Whitespace-separated values on stdin, decoded as they come. */
static int from_stdin(enum kvmsea_esr_style style)
{
	char token[MAX_VALUE_LEN];
	size_t len = 0;
	unsigned long count = 0;
	int c;

	do {
		uint64_t v;
		const char *why;

		c = getchar();
		if (c != EOF && !is_space(c)) {
			/* Too long already: say so without reading on. */
			if (len == sizeof(token))
				return bad_value(0, token, len + 1,
						 too_long(len + 1));
			token[len++] = (char)c;
			continue;
		}
		if (!len)
			continue;
		why = parse_value(token, len, &v);
		if (why)
			return bad_value(0, token, len, why);
		if (emit(v, style, &count))
			return 1;
		len = 0;
	} while (c != EOF);
	return ferror(stdin) ? read_failed() : 0;
}

/* Decode every ESR in one log line (line number @lineno). */
static int log_line(const char *line, size_t len, unsigned long lineno,
		    enum kvmsea_esr_style style, unsigned long *count)
{
	const char *pos = line, *end = line + len;
	struct esr_log_hit hit;

	while (esr_log_next(line, end, &pos, &hit)) {
		uint64_t v = 0;
		const char *why = too_long(hit.token_len);

		if (!why)
			why = parse_digits(hit.digits, hit.digits_len, 16, &v);
		if (why)
			return bad_value(lineno, hit.token, hit.token_len, why);
		if (emit(v, style, count))
			return 1;
	}
	return 0;
}

/* A kernel log on stdin: every ESR in it, line by line (esr-log.h). */
static int from_log(enum kvmsea_esr_style style)
{
	char line[MAX_LOG_LINE];
	size_t len = 0;
	unsigned long lineno = 1, count = 0;
	int c, ret;

	do {
		c = getchar();
		if (c == '\0') {
			fprintf(stderr, "%s: line %lu: a NUL byte (a log is text)\n",
				progname, lineno);
			return EXIT_USAGE;
		}
		if (c != EOF && c != '\n') {
			if (len == sizeof(line)) {
				fprintf(stderr,
					"%s: line %lu: longer than %d bytes\n",
					progname, lineno, MAX_LOG_LINE);
				return EXIT_USAGE;
			}
			line[len++] = (char)c;
			continue;
		}
		ret = log_line(line, len, lineno, style, &count);
		if (ret)
			return ret;
		len = 0;
		lineno++;
	} while (c != EOF);
	return ferror(stdin) ? read_failed() : 0;
}

static int run(int argc, char **argv)
{
	enum kvmsea_esr_style style = KVMSEA_ESR_TREE;
	bool log = false;
	unsigned long count = 0;
	int first = 1;

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
		} else if (!strcmp(a, "--log")) {
			log = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return usage(stdout) < 0 ? write_failed() : 0;
		} else if (!strcmp(a, "--version")) {
			return print_version();
		} else if (!strcmp(a, "--")) {
			first++;
			break;
		} else if (a[0] == '-' && !(a[1] >= '0' && a[1] <= '9')) {
			return unknown_option(a, MAX_VALUE_LEN, usage);
		} else {
			break;
		}
	}

	if (log && first < argc) {
		fprintf(stderr, "%s: --log reads standard input: no VALUE\n",
			progname);
		return EXIT_USAGE;
	}
	if (log)
		return from_log(style);
	if (first == argc)
		return from_stdin(style);

	/* Check every value before printing any, so a typo in the last one
	 * does not leave half an answer. */
	for (int i = first; i < argc; i++) {
		uint64_t v;
		size_t len = strlen(argv[i]);
		const char *why = parse_value(argv[i], len, &v);

		if (why)
			return bad_value(0, argv[i], len, why);
	}
	for (int i = first; i < argc; i++) {
		uint64_t v = 0;

		parse_value(argv[i], strlen(argv[i]), &v);
		if (emit(v, style, &count))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int ret = run(argc, argv);
	/* Whatever happened, what was printed must reach stdout. */
	int closed = close_stdout();

	return ret ? ret : closed;
}
