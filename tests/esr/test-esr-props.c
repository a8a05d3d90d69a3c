/* SPDX-License-Identifier: MIT */
/*
 * Properties of the decoder and formatter over pseudo-random ESR values
 * (a fixed-seed xorshift64*, so every run checks the same values):
 *  - decoding never fails and its fields reassemble to the raw value;
 *  - the decoded fields stay within their ranges and agree with the helper
 *    functions;
 *  - the formatter's field lists cover disjoint bits with their values,
 *    within the array bound, and every set bit of a known layout;
 *  - formatting returns the needed length, parses as JSON in the JSON style,
 *    and for every buffer size 0..needed+1 never writes past the buffer
 *    (guard bytes) and leaves a NUL-terminated prefix of the full text.
 *
 * Counts: 1,000,000 values for decoding; 100,000 for the field lists;
 * 10,000 values formatted in full in each style; 100 values (plus the special ones) truncated at every size in
 * each style, which costs O(length^2) per value. At these counts the file
 * runs in about 1 s natively and under 10 s under qemu-user aarch64; no
 * quick mode is needed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libkvmsea/esr.h>
#include "esr-internal.h"
#include "json-check.h"

#ifndef DECODE_COUNT
#define DECODE_COUNT 1000000
#endif
#ifndef FORMAT_COUNT
#define FORMAT_COUNT 10000
#endif
#ifndef TRUNCATE_COUNT
#define TRUNCATE_COUNT 100
#endif
#define GUARD 16

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed;
}

/* xorshift64* (Vigna): small, fast and plenty for test inputs. */
static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/*
 * Uniform 64-bit values almost never look like real syndromes (ISS2 and
 * the RES0 byte are nearly always non-zero), so mix in shapes: a clean
 * upper half, the abort classes, and the KVM SEA FSCs.
 */
static uint64_t random_esr(void)
{
	uint64_t v = rng_next();
	uint64_t shape = rng_next();

	if (shape & 1)
		v &= 0xffffffffull;              /* ISS2 and RES0 clear */
	else if (shape & 2)
		v &= 0x00ffffffffffffffull;      /* RES0 clear */
	if ((shape >> 2) % 4 == 0) {             /* a data or instruction abort */
		static const unsigned int abort_ecs[4] = { 0x20, 0x21, 0x24, 0x25 };

		v = (v & ~(0x3full << 26)) | (uint64_t)abort_ecs[(shape >> 4) & 3] << 26;
		if ((shape >> 6) & 1)            /* with an SEA-ish FSC */
			v = (v & ~0x3full) | (0x10 + ((shape >> 7) & 15));
	}
	return v;
}

/* Values every property also checks, beyond the random ones. */
static const uint64_t special[] = {
	0, 1, UINT64_MAX, 0x92000010, 0x96000010, 0x96000410, 0xbe001811,
	0x40092000010ull, 0x92000810, 0x9200003f, 0xfc000000, 0x96000013,
	0x62300421, 0x00ffffffffffffffull, 0xff00000000000000ull,
};

/* ---- decoding ------------------------------------------------------------ */

/* A cheap check for the million-value loop: cmocka's assert_*() calls are
 * kept for the failure path only. */
#define CHECK(esr, cond)                                                   \
	do {                                                               \
		if (!(cond))                                               \
			fail_msg("0x%016llx: %s", (unsigned long long)(esr), \
				 #cond);                                   \
	} while (0)

static void check_decode(uint64_t esr)
{
	struct kvmsea_esr d;
	uint64_t again;

	memset(&d, 0x5a, sizeof(d));
	kvmsea_esr_decode(esr, &d);

	again = (uint64_t)d.ec << 26 | (uint64_t)d.il << 25 | d.iss |
		(uint64_t)d.iss2 << 32 | (uint64_t)d.res0_hi << 56;
	CHECK(esr, again == esr && d.raw == esr);
	CHECK(esr, d.ec < 64 && d.iss < (1u << 25) && d.iss2 < (1u << 24));
	CHECK(esr, d.ec_allocated == kvmsea_esr_ec_is_allocated(d.ec));
	CHECK(esr, d.layout == kvmsea_esr_ec_layout(d.ec));
	CHECK(esr, d.severity == kvmsea_esr_severity(esr));
	CHECK(esr, d.severity <= KVMSEA_RAS_RESERVED);

	if (d.layout == KVMSEA_LAYOUT_ABORT) {
		const struct kvmsea_esr_abort *a = &d.u.abort;

		CHECK(esr, a->fsc == (esr & 0x3f));
		CHECK(esr, a->is_data == kvmsea_esr_is_data_abort(esr));
		CHECK(esr, !a->is_data == kvmsea_esr_is_insn_abort(esr));
		CHECK(esr, a->is_sea == kvmsea_esr_is_sea(esr));
		CHECK(esr, a->set_valid == (a->fsc == 0x10));
		CHECK(esr, a->set < 4 && a->sas < 4 && a->srt < 32 && a->xs < 32);
		CHECK(esr, a->level_valid ? a->level >= -2 && a->level <= 3
					  : a->level == 0);
		CHECK(esr, kvmsea_esr_far_valid(esr) == !(a->fsc == 0x10 && a->fnv));
		CHECK(esr, a->set_valid || d.severity == KVMSEA_RAS_NOT_REPORTED);
	} else {
		CHECK(esr, !kvmsea_esr_is_sea(esr));
		CHECK(esr, !kvmsea_esr_is_data_abort(esr));
		CHECK(esr, !kvmsea_esr_is_insn_abort(esr));
		CHECK(esr, d.layout == KVMSEA_LAYOUT_SERROR ||
			   d.severity == KVMSEA_RAS_NOT_REPORTED);
	}
}

static void test_decode_total_and_reassembles(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		check_decode(special[i]);
	rng_seed(0x6b766d736561ull); /* "kvmsea" */
	for (long i = 0; i < DECODE_COUNT; i++)
		check_decode(random_esr());
}

/* ---- the field lists ----------------------------------------------------- */

/* The fields of one group (ISS or ISS2) cover disjoint bits inside the
 * group, carry the bits' value, stay below the array's bound, and, when
 * the layout is known, cover every set bit (RES0 runs included). */
static void check_fields(uint64_t esr, bool iss2)
{
	uint64_t group = iss2 ? 0x00ffffff00000000ull : 0x1ffffffull;
	struct kvmsea_esr_fields f;
	struct kvmsea_esr d;
	uint64_t covered = 0;

	kvmsea_esr_decode(esr, &d);
	kvmsea_esr_fields(&d, iss2, &f);
	CHECK(esr, f.n < KVMSEA_ESR_MAX_FIELDS);
	CHECK(esr, f.known || f.n == 0);
	for (unsigned int i = 0; i < f.n; i++) {
		const struct kvmsea_esr_field *x = &f.field[i];
		uint64_t mask = ((2ull << (x->hi - x->lo)) - 1) << x->lo;

		CHECK(esr, x->hi >= x->lo && x->name);
		CHECK(esr, (mask & group) == mask && !(mask & covered));
		CHECK(esr, x->value == (esr & mask) >> x->lo);
		CHECK(esr, !(x->flags & KVMSEA_FIELD_RES0) || (esr & mask) == mask);
		covered |= mask;
	}
	if (f.known)
		CHECK(esr, (esr & group & ~covered) == 0);
}

static void test_fields_disjoint_and_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		check_fields(special[i], false);
		check_fields(special[i], true);
	}
	rng_seed(0x6669656c6473ull); /* "fields" */
	for (long i = 0; i < DECODE_COUNT / 10; i++) {
		uint64_t esr = random_esr();

		check_fields(esr, false);
		check_fields(esr, true);
	}
	/* Every EC with everything set: the most fields and RES0 runs. */
	for (uint64_t ec = 0; ec < 64; ec++) {
		check_fields(~(0x3full << 26) | ec << 26, false);
		check_fields(~(0x3full << 26) | ec << 26, true);
	}
}

/* ---- formatting ---------------------------------------------------------- */

static const enum kvmsea_esr_style styles[] = {
	KVMSEA_ESR_ONELINE, KVMSEA_ESR_TREE, KVMSEA_ESR_JSON,
};

/* Format @esr in full into @full (which must be large enough); returns the
 * length and checks what holds for every complete output. */
static int format_full(uint64_t esr, enum kvmsea_esr_style style, char *full,
		       size_t cap)
{
	int n = kvmsea_esr_format(esr, style, NULL, 0);

	assert_true(n > 0);
	assert_true((size_t)n + 1 + GUARD <= cap);
	memset(full, '#', (size_t)n + 1 + GUARD);
	assert_int_equal(kvmsea_esr_format(esr, style, full, (size_t)n + 1), n);
	assert_int_equal(full[n], '\0');
	assert_int_equal(strlen(full), n);
	for (int g = 1; g <= GUARD; g++)
		assert_int_equal(full[n + g], '#');

	switch (style) {
	case KVMSEA_ESR_JSON:
		if (!json_valid(full))
			fail_msg("invalid JSON for 0x%016llx: %s",
				 (unsigned long long)esr, full);
		break;
	case KVMSEA_ESR_ONELINE:
		assert_null(strchr(full, '\n'));
		break;
	case KVMSEA_ESR_TREE:
		assert_int_equal(full[n - 1], '\n');
		break;
	}
	return n;
}

static void test_format_full(void **state)
{
	static char full[16384];

	(void)state;
	rng_seed(0x666f726d6174ull); /* "format" */
	for (long i = 0; i < FORMAT_COUNT; i++) {
		uint64_t esr = random_esr();

		for (size_t s = 0; s < 3; s++)
			format_full(esr, styles[s], full, sizeof(full));
	}
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		for (size_t s = 0; s < 3; s++)
			format_full(special[i], styles[s], full, sizeof(full));
}

static void check_every_size(uint64_t esr, enum kvmsea_esr_style style)
{
	static char full[16384], buf[16384];
	int n = format_full(esr, style, full, sizeof(full));

	for (size_t size = 0; size <= (size_t)n + 1; size++) {
		size_t kept = size ? ((size_t)n < size ? (size_t)n : size - 1) : 0;

		memset(buf, '#', size + GUARD);
		assert_int_equal(kvmsea_esr_format(esr, style, buf, size), n);
		for (size_t g = size; g < size + GUARD; g++)
			if (buf[g] != '#')
				fail_msg("0x%016llx style %d size %zu: byte %zu written",
					 (unsigned long long)esr, (int)style, size, g);
		if (!size)
			continue;
		assert_int_equal(buf[kept], '\0');
		if (memcmp(buf, full, kept))
			fail_msg("0x%016llx style %d size %zu: not a prefix",
				 (unsigned long long)esr, (int)style, size);
	}
}

static void test_truncation_every_size(void **state)
{
	(void)state;
	rng_seed(0x7472756e63ull); /* "trunc" */
	for (long i = 0; i < TRUNCATE_COUNT; i++) {
		uint64_t esr = random_esr();

		for (size_t s = 0; s < 3; s++)
			check_every_size(esr, styles[s]);
	}
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		for (size_t s = 0; s < 3; s++)
			check_every_size(special[i], styles[s]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_total_and_reassembles),
		cmocka_unit_test(test_fields_disjoint_and_complete),
		cmocka_unit_test(test_format_full),
		cmocka_unit_test(test_truncation_every_size),
	};

	return cmocka_run_group_tests_name("esr-props", tests, NULL, NULL);
}
