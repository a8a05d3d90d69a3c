/* SPDX-License-Identifier: MIT */
/*
 * kvmsea-cper: check and decode a UEFI CPER Generic Error Status Block, the
 * record a GHES error source hands a guest, with kvmsea_cper_check() and
 * kvmsea_cper_format().
 *
 *   kvmsea-cper [--hex] [FILE]
 *
 * The rules (docs/man/kvmsea-cper.1.scd states them for the user): the
 * block is binary, or hex text with --hex, from FILE or standard input, at
 * most MAX_BLOCK bytes (MAX_HEX characters of hex text). The decode goes
 * to standard output whether the block is valid or not; a line on stderr
 * says what is wrong. Exit status: 0 for a valid block, 1 for an invalid
 * block or input and when reading or writing failed, 2 on a usage error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libkvmsea/cper.h>

#include "cli.h"

/* The largest error status block: Linux's GHES driver reads at most 64 KiB
 * of one (drivers/acpi/apei/ghes.c GHES_ESTATUS_MAX_SIZE), and a source's
 * block length is at most that (kvmsea_ghes_layout_init()). */
#define MAX_BLOCK 65536
/* Hex text: two digits a byte and room for the blanks and line breaks of
 * any dump (od -An -tx1 takes three characters a byte). */
#define MAX_HEX (4 * MAX_BLOCK)
/* The most of a file name echoed back. */
#define MAX_NAME_ECHO 256
#define STR(x) #x
#define XSTR(x) STR(x)

const char progname[] = "kvmsea-cper";
static const char *input_name; /* NULL: standard input */

static int usage(FILE *f)
{
	return fprintf(f,
		"Usage: %s [--hex] [FILE]\n"
		"Check and decode a UEFI CPER Generic Error Status Block, the\n"
		"record in a GHES error source, as a guest's kernel reads it.\n"
		"\n"
		"The block is read from FILE, or from standard input without FILE\n"
		"or with -: binary, at most %d bytes. Bytes after the block's\n"
		"own length are ignored.\n"
		"\n"
		"  --hex       the input is hex text: pairs of hex digits, a byte\n"
		"              each, white space between pairs as you like\n"
		"              (xxd -p, od -An -tx1), at most %d characters\n"
		"  --help      show this help and exit\n"
		"  --version   show the version and exit\n"
		"\n"
		"Exit status: 0 a valid block, 1 an invalid block or input or a\n"
		"read or write error, 2 usage error.\n",
		progname, MAX_BLOCK, MAX_HEX);
}

/* "kvmsea-cper: INPUT: " on stderr, the file's name escaped. */
static void input_prefix(void)
{
	fprintf(stderr, "%s: ", progname);
	if (input_name) {
		fputc('\'', stderr);
		echo_escaped(input_name, strlen(input_name), MAX_NAME_ECHO);
		fputs("': ", stderr);
	} else {
		fputs("standard input: ", stderr);
	}
}

/* Read all of @f, at most @max bytes, into @buf (@max + 1 bytes: one more
 * tells a longer input); @unit names them in the message. Returns the
 * length, or -1 after a message. */
static long read_input(FILE *f, void *buf, size_t max, const char *unit)
{
	size_t n = fread(buf, 1, max + 1, f);

	if (ferror(f)) {
		int err = errno;

		input_prefix();
		fprintf(stderr, "reading: %s\n", strerror(err));
		return -1;
	}
	if (n > max) {
		input_prefix();
		fprintf(stderr, "longer than %zu %s\n", max, unit);
		return -1;
	}
	return (long)n;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Why the hex text cannot be read, at @line and @column. Returns -1. */
static long bad_hex(unsigned long line, unsigned long column, const char *why)
{
	input_prefix();
	fprintf(stderr, "line %lu, column %lu: %s\n", line, column, why);
	return -1;
}

/*
 * Hex text (@len characters at @text) to bytes at @out (at most
 * MAX_BLOCK): pairs of hex digits, white space anywhere between pairs.
 * Returns the number of bytes, or -1 after a message.
 */
static long parse_hex(const char *text, size_t len, uint8_t *out)
{
	unsigned long line = 1, column = 0, pair_column = 0;
	size_t n = 0;
	int high = -1; /* the first digit of a pair, while it waits */

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		int d = hex_digit(c);

		column++;
		/* The C locale's white space: the tool never sets another. */
		if (isspace((unsigned char)c)) {
			if (high >= 0)
				return bad_hex(line, pair_column,
					       "an odd number of hex digits");
			if (c == '\n') {
				line++;
				column = 0;
			}
			continue;
		}
		if (d < 0) {
			input_prefix();
			fprintf(stderr, "line %lu, column %lu: not a hex digit: '",
				line, column);
			echo_escaped(&text[i], 1, 1);
			fputs("'\n", stderr);
			return -1;
		}
		if (high < 0) {
			high = d;
			pair_column = column;
			continue;
		}
		if (n == MAX_BLOCK)
			return bad_hex(line, pair_column,
				       "more than " XSTR(MAX_BLOCK) " bytes");
		out[n++] = (uint8_t)(high << 4 | d);
		high = -1;
	}
	if (high >= 0)
		return bad_hex(line, pair_column, "an odd number of hex digits");
	return (long)n;
}

/* What kvmsea_cper_check()'s @err says about a block of @len bytes. */
static void say_invalid(int err, size_t len)
{
	input_prefix();
	fputs("invalid block: ", stderr);
	if (err == -ENODATA)
		fputs("no record (Block Status is 0)\n", stderr);
	else if (err == -EMSGSIZE)
		fprintf(stderr, "truncated: its length is more than the %zu "
			"bytes read\n", len);
	else if (len < KVMSEA_CPER_STATUS_SIZE)
		fprintf(stderr, "truncated: %zu bytes, shorter than the %d-byte "
			"header\n", len, KVMSEA_CPER_STATUS_SIZE);
	else
		fputs("malformed (the decode shows how far it is well "
		      "formed)\n", stderr);
}

/* Decode the block to stdout, and check it: 0 valid, 1 otherwise. */
static int decode(const uint8_t *block, size_t len)
{
	int check, n, ret = 0;
	char *text;

	if (!len) {
		input_prefix();
		fputs("empty: no block\n", stderr);
		return 1;
	}
	check = kvmsea_cper_check(block, len, len);
	n = kvmsea_cper_format(block, len, NULL, 0);
	if (n < 0) {
		fprintf(stderr, "%s: cannot decode: %s\n", progname, strerror(-n));
		return 1;
	}
	text = malloc((size_t)n + 1);
	if (!text) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	kvmsea_cper_format(block, len, text, (size_t)n + 1);
	/* The decode before the verdict, on a terminal too. */
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF)
		ret = write_failed();
	free(text);
	if (check < 0) {
		say_invalid(check, len);
		ret = 1;
	}
	return ret;
}

static int run(int argc, char **argv)
{
	static char input[MAX_HEX + 1];
	static uint8_t block[MAX_BLOCK + 1];
	bool hex = false;
	FILE *f = stdin;
	long len;
	int first = 1;

	/* Options come first; "--" ends them; "-" is standard input. */
	for (; first < argc; first++) {
		const char *a = argv[first];

		if (!strcmp(a, "--hex")) {
			hex = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return usage(stdout) < 0 ? write_failed() : 0;
		} else if (!strcmp(a, "--version")) {
			return print_version();
		} else if (!strcmp(a, "--")) {
			first++;
			break;
		} else if (a[0] == '-' && a[1]) {
			return unknown_option(a, MAX_NAME_ECHO, usage);
		} else {
			break;
		}
	}
	if (argc - first > 1) {
		fprintf(stderr, "%s: one FILE at most\n", progname);
		return EXIT_USAGE;
	}
	if (first < argc && strcmp(argv[first], "-")) {
		input_name = argv[first];
		f = fopen(input_name, "rb");
		if (!f) {
			int err = errno;

			input_prefix();
			fprintf(stderr, "%s\n", strerror(err));
			return 1;
		}
	}

	len = hex ? read_input(f, input, MAX_HEX, "characters")
		  : read_input(f, block, MAX_BLOCK, "bytes");
	if (f != stdin)
		fclose(f);
	if (len >= 0 && hex)
		len = parse_hex(input, (size_t)len, block);
	return len < 0 ? 1 : decode(block, (size_t)len);
}

int main(int argc, char **argv)
{
	int ret = run(argc, argv);
	/* Whatever happened, what was printed must reach stdout. */
	int closed = close_stdout();

	return ret ? ret : closed;
}
