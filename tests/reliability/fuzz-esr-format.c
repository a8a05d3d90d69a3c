/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: kvmsea_esr_format() in every style with arbitrary buffer
 * sizes.
 *
 * Input: an 8-byte ESR, a style selector, two buffer sizes (2 bytes each)
 * and an integer used as an invalid style.
 * Invariants: snprintf semantics exactly (never a byte past @size, always
 * NUL-terminated, the full length returned whatever @size, truncated text a
 * prefix of the full text); the text is printable ASCII, one line for
 * ONELINE, lines for TREE, one valid JSON value for JSON; an unknown style
 * is -EINVAL with nothing written.
 */
#include <errno.h>
#include <stdbool.h>

#include <libkvmsea/esr.h>

#include "fuzz-input.h"
#include "json-check.h"

/* Bytes after the buffer that must stay as they were. */
#define GUARD 16
#define GUARD_BYTE 0xa5
/* A decoded ESR is a few kilobytes of text; far more means a runaway. */
#define MAX_TEXT (64 * 1024)

static void check_text(const char *text, enum kvmsea_esr_style style)
{
	for (const char *c = text; *c; c++) {
		unsigned char ch = (unsigned char)*c;

		if (ch == '\n')
			FUZZ_CHECK(style == KVMSEA_ESR_TREE);
		else
			FUZZ_CHECK(ch >= 0x20 && ch < 0x7f);
	}
	if (style == KVMSEA_ESR_JSON)
		FUZZ_CHECK(json_valid(text));
}

/* Format into a buffer of @size followed by a guard, and check it. */
static void check_truncated(uint64_t esr, enum kvmsea_esr_style style,
			    const char *full, int len, size_t size)
{
	char *buf = malloc(size + GUARD);
	size_t kept;

	FUZZ_CHECK(buf != NULL);
	memset(buf, GUARD_BYTE, size + GUARD);
	FUZZ_CHECK(kvmsea_esr_format(esr, style, size ? buf : NULL, size) == len);
	for (size_t i = size; i < size + GUARD; i++)
		FUZZ_CHECK((unsigned char)buf[i] == GUARD_BYTE);
	if (size) {
		kept = (size_t)len < size - 1 ? (size_t)len : size - 1;
		FUZZ_CHECK(buf[kept] == '\0');
		FUZZ_CHECK(memcmp(buf, full, kept) == 0);
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint64_t esr = fuzz_u64(&in);
	enum kvmsea_esr_style style = (enum kvmsea_esr_style)(fuzz_u8(&in) % 3);
	uint16_t sizes[2];
	int bad_style, len;
	char *full, buf[8];

	fuzz_take(&in, sizes, sizeof(sizes));
	bad_style = (int)fuzz_u32(&in);

	len = kvmsea_esr_format(esr, style, NULL, 0);
	FUZZ_CHECK(len > 0 && len < MAX_TEXT);
	full = malloc((size_t)len + 1);
	FUZZ_CHECK(full != NULL);
	FUZZ_CHECK(kvmsea_esr_format(esr, style, full, (size_t)len + 1) == len);
	FUZZ_CHECK(strlen(full) == (size_t)len);
	check_text(full, style);

	/* The edges (one byte; one byte short), then what the input asks. */
	check_truncated(esr, style, full, len, 1);
	check_truncated(esr, style, full, len, (size_t)len);
	for (int i = 0; i < 2; i++)
		check_truncated(esr, style, full, len, sizes[i] % ((size_t)len + 8));
	free(full);

	/* An unknown style: -EINVAL and nothing written. */
	if (bad_style >= KVMSEA_ESR_ONELINE && bad_style <= KVMSEA_ESR_JSON)
		bad_style = -1 - bad_style;
	memset(buf, GUARD_BYTE, sizeof(buf));
	FUZZ_CHECK(kvmsea_esr_format(esr, (enum kvmsea_esr_style)bad_style, buf,
				     sizeof(buf)) == -EINVAL);
	for (size_t i = 0; i < sizeof(buf); i++)
		FUZZ_CHECK((unsigned char)buf[i] == GUARD_BYTE);
	return 0;
}
