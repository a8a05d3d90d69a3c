/* SPDX-License-Identifier: MIT */
/*
 * kvmsea_cper_check() against the rules of Linux's GHES reader, one broken
 * block per rule, and kvmsea_cper_format(): its text, its snprintf
 * contract, and random and mutated input (never out of bounds: the asan
 * and valgrind builds run this too).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cper-test.h"

static uint8_t blk[4096];
static int blk_len;

/* A block with a memory section and an ARM section, the richest one. */
static void make_block(void)
{
	struct kvmsea_mem_error e = load_error();

	e.flags |= KVMSEA_MEM_ARM;
	memset(blk, 0, sizeof(blk));
	blk_len = kvmsea_cper_build(&e, 0, 1, blk, sizeof(blk));
	assert_int_equal(blk_len, 20 + MEM_ENTRY + ARM_ENTRY);
	assert_int_equal(kvmsea_cper_check(blk, (size_t)blk_len, 1024), 0);
}

#define ARM_SECTION (ENTRY0 + MEM_ENTRY + ENT_SECTION)

static void test_valid_and_sizes(void **state)
{
	(void)state;
	make_block();
	assert_int_equal(kvmsea_cper_check(blk, (size_t)blk_len, (size_t)blk_len), 0);
	/* The block's own length, not the buffer's, is what counts. */
	assert_int_equal(kvmsea_cper_check(blk, sizeof(blk), (size_t)blk_len), 0);
	assert_int_equal(kvmsea_cper_check(blk, (size_t)blk_len - 1, 1024), -EMSGSIZE);
	assert_int_equal(kvmsea_cper_check(blk, (size_t)blk_len, (size_t)blk_len - 1), -EMSGSIZE);
	assert_int_equal(kvmsea_cper_check(blk, 19, 1024), -EINVAL);
	assert_int_equal(kvmsea_cper_check(NULL, 100, 1024), -EINVAL);
}

/* One rule each: the field to change, its width, its new value, the
 * result. */
struct mutation {
	const char *what;
	size_t offset;
	unsigned int bytes;
	uint64_t value;
	int expect;
};

static const struct mutation mutations[] = {
	{ "no record: Block Status 0", BLK_STATUS, 4, 0, -ENODATA },
	{ "data one byte short", BLK_DATA_LENGTH, 4, MEM_ENTRY + ARM_ENTRY - 1, -EINVAL },
	{ "data one byte long", BLK_DATA_LENGTH, 4, MEM_ENTRY + ARM_ENTRY + 1, -EMSGSIZE },
	{ "data shorter than an entry header", BLK_DATA_LENGTH, 4, 63, -EINVAL },
	{ "no entries", BLK_DATA_LENGTH, 4, 0, -EINVAL },
	{ "raw data inside the entries", BLK_RAW_LENGTH, 4, 8, -EINVAL },
	{ "block severity unknown", BLK_SEVERITY, 4, 4, -EINVAL },
	{ "entry severity unknown", ENTRY0 + ENT_SEVERITY, 4, 7, -EINVAL },
	{ "entry longer than the data", ENTRY0 + ENT_LENGTH, 4, 81, -EINVAL },
	{ "memory section too short", ENTRY0 + ENT_LENGTH, 4, 72, -EINVAL },
	{ "ARM section length wrong", ARM_SECTION + 8, 4, 103, -EINVAL },
	{ "ARM error info count beyond", ARM_SECTION + 4, 2, 3, -EINVAL },
	{ "ARM error info length wrong", ARM_SECTION + 40 + 1, 1, 33, -EINVAL },
	{ "ARM context count beyond", ARM_SECTION + 6, 2, 2, -EINVAL },
	{ "ARM context type unknown", ARM_SECTION + 72 + 2, 2, 9, -EINVAL },
	{ "ARM context beyond the section", ARM_SECTION + 72 + 4, 4, 25, -EINVAL },
	{ "ARM context size huge", ARM_SECTION + 72 + 4, 4, 0xfffffff8u, -EINVAL },
	/* These stay acceptable: */
	{ "context within its padding", ARM_SECTION + 72 + 4, 4, 24, 0 },
	{ "unknown block status bits", BLK_STATUS, 4, 0xffffffffu, 0 },
	{ "entry flags", ENTRY0 + ENT_FLAGS, 1, 0xff, 0 },
};

static void test_mutations(void **state)
{
	uint8_t copy[sizeof(blk)];

	(void)state;
	for (size_t i = 0; i < sizeof(mutations) / sizeof(mutations[0]); i++) {
		const struct mutation *m = &mutations[i];
		int got;

		make_block();
		memcpy(copy, blk, sizeof(copy));
		set_le(copy + m->offset, m->value, m->bytes);
		got = kvmsea_cper_check(copy, (size_t)blk_len, 1024);
		if (got != m->expect)
			fail_msg("%s: got %d, expected %d", m->what, got, m->expect);
	}
}

/* Raw data after the entries is allowed, and sets the block's length. */
static void test_raw_data(void **state)
{
	(void)state;
	make_block();
	set_le(blk + BLK_RAW_OFFSET, (uint64_t)blk_len, 4);
	set_le(blk + BLK_RAW_LENGTH, 16, 4);
	assert_int_equal(kvmsea_cper_check(blk, (size_t)blk_len + 16, 1024), 0);
	assert_int_equal(kvmsea_cper_check(blk, (size_t)blk_len + 15, 1024), -EMSGSIZE);
	assert_int_equal(kvmsea_cper_check(blk, (size_t)blk_len + 16, (size_t)blk_len + 15),
			 -EMSGSIZE);
}

/* A UEFI 2.1/2.2 memory section is 73 bytes: fine unless it claims the
 * fields it does not have. A revision 2 entry has a 64-byte header. */
static void test_old_layouts(void **state)
{
	uint8_t b[20 + 64 + 73];

	(void)state;
	memset(b, 0, sizeof(b));
	set_le(b + BLK_STATUS, 0x11, 4);
	set_le(b + BLK_DATA_LENGTH, 64 + 73, 4);
	memcpy(b + ENTRY0, guid_memory, 16);
	set_le(b + ENTRY0 + ENT_REVISION, 0x0201, 2);
	set_le(b + ENTRY0 + ENT_LENGTH, 73, 4);
	set_le(b + ENTRY0 + 64, 0x4006, 8);
	assert_int_equal(kvmsea_cper_check(b, sizeof(b), sizeof(b)), 0);
	set_le(b + ENTRY0 + 64, 0x8006, 8); /* rank number: beyond 73 bytes */
	assert_int_equal(kvmsea_cper_check(b, sizeof(b), sizeof(b)), -EINVAL);
	/* An unknown section type is logged raw: accepted. */
	set_le(b + ENTRY0 + 64, 0x4006, 8);
	b[ENTRY0] ^= 1;
	assert_int_equal(kvmsea_cper_check(b, sizeof(b), sizeof(b)), 0);
}

/* ---- the formatter -------------------------------------------------------- */

static const char *fmt(const void *b, size_t len)
{
	static char text[16384];
	int n = kvmsea_cper_format(b, len, text, sizeof(text));

	assert_true(n > 0);
	assert_true((size_t)n < sizeof(text));
	assert_int_equal(strlen(text), n);
	return text;
}

static __attribute__((noinline)) void assert_contains(const char *text,
						     const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("\"%s\" not found in:\n%s", needle, text);
}

static void test_format_text(void **state)
{
	struct kvmsea_mem_error e = load_error();
	const char *t;

	(void)state;
	e.flags |= KVMSEA_MEM_ARM | KVMSEA_MEM_VA_VALID | KVMSEA_MEM_MPIDR_VALID;
	e.va = 0x7fff12345128ull;
	e.mpidr = 0x80000001;
	e.midr = 0x410fd0c1;
	e.time = 1796119200;
	e.page_size = 65536;
	blk_len = kvmsea_cper_build(&e, 0, 2, blk, sizeof(blk));
	t = fmt(blk, (size_t)blk_len);
	assert_contains(t, "CPER block: 500 bytes, severity recoverable, block status 0x00000035 uncorrectable multiple, 3 entries\n");
	assert_contains(t, " entry 0: memory error, severity recoverable, revision 0x0300, flags 0x01 primary, 80 bytes\n");
	assert_contains(t, "  timestamp: 2026-12-01 10:00:00 imprecise\n");
	assert_contains(t, "  error status: 0x0000000000001a00\n   read of poisoned data\n");
	assert_contains(t, "  physical address: 0x0000000050000128\n");
	assert_contains(t, "  physical address mask: 0xfffffffffffff000\n");
	assert_contains(t, "  memory error type: 0 (unknown)\n");
	assert_contains(t, "  physical address: 0x0000000050001000\n"); /* entry 1 */
	assert_contains(t, " entry 2: ARM processor error");
	assert_contains(t, "  MIDR: 0x00000000410fd0c1\n  MPIDR: 0x0000000080000001\n  running\n");
	assert_contains(t, "  error info 0: type 0x08 bus error\n");
	assert_contains(t, "    transaction type: data access\n    operation: data read\n");
	assert_contains(t, "    precise PC: yes\n");
	assert_contains(t, "   virtual fault address: 0x00007fff12345128\n");
	assert_contains(t, "   physical fault address: 0x0000000050000128\n");
	assert_contains(t, "  context 0: misc system registers, 10 bytes\n   ESR_EL2: 0x0000000092000010\n");
	/* The ESR is decoded by the library's own decoder. */
	assert_contains(t, "    ESR 0x0000000092000010: EC 0x24 DABT_LOW");
	assert_true(strstr(t, "malformed") == NULL);

	e.flags = 0; /* latent: flag and no error status */
	e.page_size = 4096;
	blk_len = kvmsea_cper_build(&e, 0, 1, blk, sizeof(blk));
	t = fmt(blk, (size_t)blk_len);
	assert_contains(t, "flags 0x21 primary latent");
	assert_true(strstr(t, "error status") == NULL);
}

static void test_format_malformed(void **state)
{
	(void)state;
	assert_contains(fmt(blk, 4), "malformed: shorter than its header");
	make_block();
	set_le(blk + BLK_STATUS, 0, 4);
	assert_contains(fmt(blk, (size_t)blk_len), "no record (block status 0)");
	make_block();
	set_le(blk + BLK_DATA_LENGTH, 4000, 4);
	assert_contains(fmt(blk, (size_t)blk_len), "malformed: longer than the buffer");
	make_block();
	set_le(blk + ARM_SECTION + 72 + 2, 9, 2);
	assert_contains(fmt(blk, (size_t)blk_len), " entry 1: ARM processor error");
	assert_contains(fmt(blk, (size_t)blk_len), "  malformed: stops here\n");
	/* Another register than ESR is named by its encoding. */
	make_block();
	set_le(blk + ARM_SECTION + 72 + 8, 0x7fff, 2);
	assert_contains(fmt(blk, (size_t)blk_len), "   S3_7_C15_C15_7: 0x0000000092000010\n");
	assert_int_equal(kvmsea_cper_format(NULL, 1, NULL, 0), -EINVAL);
	assert_int_equal(kvmsea_cper_format(blk, 20, NULL, 1), -EINVAL);
	assert_true(kvmsea_cper_format(NULL, 0, NULL, 0) > 0);
}

/* Every size: the text is a prefix of the whole, NUL-terminated, and the
 * bytes after it are untouched. */
static void test_format_every_size(void **state)
{
	char whole[4096], part[4096];
	int n;

	(void)state;
	make_block();
	n = kvmsea_cper_format(blk, (size_t)blk_len, NULL, 0);
	assert_int_equal(kvmsea_cper_format(blk, (size_t)blk_len, whole, sizeof(whole)), n);
	for (size_t size = 1; size <= (size_t)n + 1; size++) {
		memset(part, 'x', sizeof(part));
		assert_int_equal(kvmsea_cper_format(blk, (size_t)blk_len, part, size), n);
		size_t kept = size - 1 < (size_t)n ? size - 1 : (size_t)n;

		assert_memory_equal(part, whole, kept);
		assert_int_equal(part[kept], '\0');
		assert_int_equal(part[kept + 1], 'x');
	}
}

/* Random blocks and random mutations of good ones: check and format read
 * only inside the buffer (the buffer is exactly @len bytes on the heap, so
 * ASan and valgrind see any overrun), and check says 0 only for blocks
 * whose own length fits. */
static void test_random_input(void **state)
{
	char text[8192];

	(void)state;
	srand(12345);
	for (int i = 0; i < 200000; i++) {
		size_t len = (size_t)(rand() % 600);
		uint8_t *b = malloc(len ? len : 1);
		int r;

		assert_non_null(b);
		if (i & 1) {
			make_block();
			memset(b, 0, len);
			memcpy(b, blk, len < (size_t)blk_len ? len : (size_t)blk_len);
			for (int k = rand() % 4; k >= 0; k--)
				if (len)
					b[rand() % len] = (uint8_t)rand();
		} else {
			for (size_t k = 0; k < len; k++)
				b[k] = (uint8_t)rand();
			if (len >= 20 && (i & 2)) /* plausible lengths */
				set_le(b + BLK_DATA_LENGTH, (uint64_t)(rand() % 400), 4);
		}
		r = kvmsea_cper_check(b, len, 1024);
		assert_true(r == 0 || r == -EINVAL || r == -EMSGSIZE || r == -ENODATA);
		if (r == 0)
			assert_true(len >= 20 + 64);
		assert_true(kvmsea_cper_format(b, len, text, sizeof(text)) > 0);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_and_sizes),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_raw_data),
		cmocka_unit_test(test_old_layouts),
		cmocka_unit_test(test_format_text),
		cmocka_unit_test(test_format_malformed),
		cmocka_unit_test(test_format_every_size),
		cmocka_unit_test(test_random_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
