/* SPDX-License-Identifier: MIT */
/*
 * kvmsea_cper_build() and kvmsea_cper_sections(): every field at its
 * offset, the sections of a large page, the ARM processor section, the
 * Block Status, the timestamp, the buffer contract and bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cper-test.h"

static uint8_t blk[200000];

static int build(const struct kvmsea_mem_error *e, uint32_t first, uint32_t count)
{
	int n;

	memset(blk, 0xa5, sizeof(blk));
	n = kvmsea_cper_build(e, first, count, blk, sizeof(blk));
	assert_true(n > 0);
	/* Every record the library builds is one a guest accepts, and one
	 * byte less of room is refused. */
	assert_int_equal(kvmsea_cper_check(blk, (size_t)n, (size_t)n), 0);
	assert_int_equal(kvmsea_cper_check(blk, (size_t)n, (size_t)n - 1), -EMSGSIZE);
	return n;
}

static void assert_zero(const uint8_t *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i])
			fail_msg("byte %zu is 0x%02x, expected 0", i, p[i]);
}

/* ---- one 4 KiB memory error, byte by byte --------------------------------- */

static void test_memory_record_bytes(void **state)
{
	struct kvmsea_mem_error e = load_error();
	const uint8_t *ent = blk + ENTRY0, *mem = ent + ENT_SECTION;

	(void)state;
	assert_int_equal(build(&e, 0, 1), 20 + 152);
	/* Block Status: uncorrectable valid, one entry (bits 13:4). */
	assert_int_equal(le(blk + BLK_STATUS, 4), 0x11);
	assert_int_equal(le(blk + BLK_RAW_OFFSET, 4), 0);
	assert_int_equal(le(blk + BLK_RAW_LENGTH, 4), 0);
	assert_int_equal(le(blk + BLK_DATA_LENGTH, 4), 152);
	assert_int_equal(le(blk + BLK_SEVERITY, 4), 0);
	/* The entry. */
	assert_memory_equal(ent, guid_memory, 16);
	assert_int_equal(le(ent + ENT_SEVERITY, 4), KVMSEA_CPER_RECOVERABLE);
	assert_int_equal(le(ent + ENT_REVISION, 2), 0x0300);
	assert_int_equal(ent[ENT_VALID], 0);      /* no FRU, no timestamp */
	assert_int_equal(ent[ENT_FLAGS], 0x01);   /* primary */
	assert_int_equal(le(ent + ENT_LENGTH, 4), 80);
	assert_zero(ent, 28, 72);                 /* FRU id, text, timestamp */
	/* The memory section. */
	assert_int_equal(le(mem + 0, 8), 0x4007); /* status, PA, mask, type */
	assert_int_equal(le(mem + 8, 8), 26 << 8); /* a read of poisoned data */
	assert_int_equal(le(mem + 16, 8), 0x50000128);
	assert_int_equal(le(mem + 24, 8), 0xfffffffffffff000ull);
	assert_zero(mem, 32, 72);                 /* node .. target id */
	assert_int_equal(mem[72], 0);             /* type: unknown */
	assert_zero(mem, 73, 80);                 /* extended, rank, handles */
}

static void test_latent_error(void **state)
{
	struct kvmsea_mem_error e = load_error();
	const uint8_t *ent = blk + ENTRY0, *mem = ent + ENT_SECTION;

	(void)state;
	e.flags = 0; /* BUS_MCEERR_AO: poisoned, not consumed */
	build(&e, 0, 1);
	assert_int_equal(ent[ENT_FLAGS], 0x21);   /* primary, latent */
	assert_int_equal(le(mem + 0, 8), 0x4006); /* no Error Status */
	assert_int_equal(le(mem + 8, 8), 0);
}

static void test_severities(void **state)
{
	static const struct { uint32_t sev, status1, status16; } cases[] = {
		{ KVMSEA_CPER_RECOVERABLE, 0x1, 0x1 | 0x4 },
		{ KVMSEA_CPER_FATAL, 0x1, 0x1 | 0x4 },
		{ KVMSEA_CPER_CORRECTED, 0x2, 0x2 | 0x8 },
		{ KVMSEA_CPER_INFORMATIONAL, 0, 0 },
	};
	struct kvmsea_mem_error e = load_error();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e.severity = cases[i].sev;
		e.page_size = 4096;
		build(&e, 0, 1);
		assert_int_equal(le(blk + BLK_STATUS, 4), cases[i].status1 | 1 << 4);
		assert_int_equal(le(blk + BLK_SEVERITY, 4), cases[i].sev);
		assert_int_equal(le(blk + ENTRY0 + ENT_SEVERITY, 4), cases[i].sev);
		e.page_size = 65536;
		build(&e, 0, 16);
		assert_int_equal(le(blk + BLK_STATUS, 4), cases[i].status16 | 16 << 4);
	}
}

/* BCD: seconds, minutes, hours, flags, day, month, year, century. */
static void test_timestamps(void **state)
{
	static const struct { uint64_t t; uint8_t bcd[8]; } cases[] = {
		{ 1, { 0x01, 0x00, 0x00, 0, 0x01, 0x01, 0x70, 0x19 } },
		{ 951782400, { 0x00, 0x00, 0x00, 0, 0x29, 0x02, 0x00, 0x20 } },  /* 2000-02-29 */
		{ 1796119200, { 0x00, 0x00, 0x10, 0, 0x01, 0x12, 0x26, 0x20 } }, /* 2026-12-01 10:00 */
		{ 4107542399, { 0x59, 0x59, 0x23, 0, 0x28, 0x02, 0x00, 0x21 } }, /* 2100-02-28 */
		{ 253402300799ull, { 0x59, 0x59, 0x23, 0, 0x31, 0x12, 0x99, 0x99 } },
	};
	struct kvmsea_mem_error e = load_error();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e.time = cases[i].t;
		build(&e, 0, 1);
		assert_int_equal(blk[ENTRY0 + ENT_VALID], 0x04);
		assert_memory_equal(blk + ENTRY0 + ENT_TIMESTAMP, cases[i].bcd, 8);
	}
	e.time = 253402300800ull; /* year 10000 has no BCD century */
	assert_int_equal(kvmsea_cper_build(&e, 0, 1, blk, sizeof(blk)), -EINVAL);
}

/* ---- large pages ---------------------------------------------------------- */

static uint64_t section_pa(unsigned int i)
{
	return le(blk + ENTRY0 + i * MEM_ENTRY + ENT_SECTION + 16, 8);
}

static uint64_t section_mask(unsigned int i)
{
	return le(blk + ENTRY0 + i * MEM_ENTRY + ENT_SECTION + 24, 8);
}

static void test_sections_of_a_page(void **state)
{
	static const struct { uint64_t page, guest; int n; } cases[] = {
		{ 4096, 0, 1 }, { 4096, 65536, 1 }, { 16384, 0, 4 },
		{ 65536, 0, 16 }, { 65536, 4096, 16 }, { 65536, 16384, 4 },
		{ 65536, 65536, 1 }, { 2u << 20, 65536, 32 }, { 2u << 20, 0, 512 },
		{ 1u << 30, 0, 262144 }, { 1ull << 34, 0, 1 << 22 },
	};
	struct kvmsea_mem_error e = load_error();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e.page_size = cases[i].page;
		e.guest_page_size = cases[i].guest;
		assert_int_equal(kvmsea_cper_sections(&e), cases[i].n);
	}
}

/* A 64 KiB host page under a 4 KiB guest: 16 sections, the faulting page
 * first, then the other 15 lowest first; together exactly the 16 pages. */
static void test_64k_page_4k_guest(void **state)
{
	struct kvmsea_mem_error e = load_error();
	uint64_t seen = 0;

	(void)state;
	e.gpa = 0x40037128; /* page 7 of the 64 KiB page at 0x40030000 */
	e.page_size = 65536;
	assert_int_equal(build(&e, 0, 16), 20 + 16 * MEM_ENTRY);
	assert_int_equal(le(blk + BLK_DATA_LENGTH, 4), 16 * MEM_ENTRY);
	assert_int_equal(section_pa(0), 0x40037128);
	for (unsigned int i = 0; i < 16; i++) {
		uint64_t pa = section_pa(i), page = (pa - 0x40030000) >> 12;

		assert_memory_equal(blk + ENTRY0 + i * MEM_ENTRY, guid_memory, 16);
		assert_int_equal(blk[ENTRY0 + i * MEM_ENTRY + ENT_FLAGS], i ? 0 : 1);
		assert_int_equal(section_mask(i), ~0xfffull);
		assert_true(page < 16);
		assert_false(seen & (1ull << page));
		seen |= 1ull << page;
		if (i >= 2 && i != 8)
			assert_true(section_pa(i) > section_pa(i - 1));
	}
	assert_int_equal(seen, 0xffff);
	assert_int_equal(section_pa(1), 0x40030000);
	assert_int_equal(section_pa(7), 0x40036000);
	assert_int_equal(section_pa(8), 0x40038000);
	/* A later part: sections 6..11, the first of them primary. */
	assert_int_equal(build(&e, 6, 6), 20 + 6 * MEM_ENTRY);
	assert_int_equal(section_pa(0), 0x40035000);
	assert_int_equal(section_pa(1), 0x40036000);
	assert_int_equal(section_pa(2), 0x40038000);
	assert_int_equal(blk[ENTRY0 + ENT_FLAGS], 1);
	assert_int_equal(le(blk + BLK_STATUS, 4), 0x1 | 0x4 | 6 << 4);
}

/* A 4 KiB host page under a 64 KiB guest: one section, 4 KiB mask (what is
 * bad is 4 KiB; the guest retires the page that holds it). */
static void test_4k_page_64k_guest(void **state)
{
	struct kvmsea_mem_error e = load_error();

	(void)state;
	e.guest_page_size = 65536;
	build(&e, 0, 1);
	assert_int_equal(section_pa(0), 0x50000128);
	assert_int_equal(section_mask(0), ~0xfffull);
	/* 2 MiB under 64 KiB: 64 KiB masks. */
	e.page_size = 2u << 20;
	build(&e, 0, 32);
	assert_int_equal(section_mask(31), ~0xffffull);
	assert_int_equal(section_pa(1), 0x50000000 + 65536);
}

/* ---- the ARM processor section -------------------------------------------- */

static const uint8_t *arm_section(uint32_t memory_sections)
{
	const uint8_t *ent = blk + ENTRY0 + memory_sections * MEM_ENTRY;

	assert_memory_equal(ent, guid_arm, 16);
	assert_int_equal(le(ent + ENT_LENGTH, 4), 104);
	assert_int_equal(le(ent + ENT_REVISION, 2), 0x0300);
	assert_int_equal(ent[ENT_FLAGS], 0);
	return ent + ENT_SECTION;
}

static void test_arm_section_bytes(void **state)
{
	struct kvmsea_mem_error e = load_error();
	const uint8_t *s, *info, *ctx;

	(void)state;
	e.flags |= KVMSEA_MEM_ARM;
	e.midr = 0x410fd0c1;
	assert_int_equal(build(&e, 0, 1), 20 + MEM_ENTRY + ARM_ENTRY);
	assert_int_equal(le(blk + BLK_STATUS, 4), 0x1 | 2 << 4);
	s = arm_section(1);
	assert_int_equal(le(s + 0, 4), 0x4);       /* running state valid */
	assert_int_equal(le(s + 4, 2), 1);         /* error info structures */
	assert_int_equal(le(s + 6, 2), 1);         /* context structures */
	assert_int_equal(le(s + 8, 4), 104);       /* section length */
	assert_zero(s, 12, 16);                    /* affinity, reserved */
	assert_int_equal(le(s + 16, 8), 0);        /* MPIDR */
	assert_int_equal(le(s + 24, 8), 0x410fd0c1);
	assert_int_equal(le(s + 32, 4), 1);        /* running */
	assert_int_equal(le(s + 36, 4), 0);        /* PSCI state */
	info = s + 40;
	assert_int_equal(info[0], 0);              /* version */
	assert_int_equal(info[1], 32);             /* length */
	assert_int_equal(le(info + 2, 2), 0x14);   /* info, PA valid */
	assert_int_equal(info[4], 0x08);           /* bus error */
	assert_int_equal(le(info + 5, 2), 0);      /* multiple error */
	assert_int_equal(info[7], 0);              /* flags */
	/* valid: transaction, operation, corrupt, corrected, precise,
	 * restartable, participation, space, mode (0xafb: bits 0,1,3-7,9,11);
	 * data access, data read, not corrupt, not corrected, precise, not
	 * restartable (SET UER), local origin, external memory, normal. */
	assert_int_equal(le(info + 8, 8),
			 0xafbull | 1ull << 16 | 3ull << 18 | 1ull << 27 | 1ull << 43);
	assert_int_equal(le(info + 16, 8), 0);     /* VA */
	assert_int_equal(le(info + 24, 8), 0x50000128);
	ctx = info + 32;
	assert_int_equal(le(ctx + 0, 2), 0);       /* version */
	assert_int_equal(le(ctx + 2, 2), 8);       /* misc registers */
	assert_int_equal(le(ctx + 4, 4), 10);
	/* ESR_EL2: o0 1 (op0 3), op1 4, CRn 5, CRm 2, op2 0. */
	assert_int_equal(le(ctx + 8, 2), 1 << 14 | 4 << 11 | 5 << 7 | 2 << 3);
	assert_int_equal(le(ctx + 10, 8), 0x92000010);
	assert_zero(ctx, 18, 32);                  /* padding to 16 bytes */

	e.flags |= KVMSEA_MEM_VA_VALID | KVMSEA_MEM_MPIDR_VALID;
	e.va = 0xffff800012345128ull;
	e.mpidr = 0x80000003;
	build(&e, 0, 1);
	s = arm_section(1);
	assert_int_equal(le(s + 0, 4), 0x5);
	assert_int_equal(le(s + 16, 8), 0x80000003);
	assert_int_equal(le(s + 40 + 2, 2), 0x1c);
	assert_int_equal(le(s + 40 + 16, 8), 0xffff800012345128ull);
}

/* The bus error information follows the syndrome. */
static void test_arm_error_info_from_esr(void **state)
{
	static const struct { uint64_t esr; uint64_t fields; } cases[] = {
		/* store: data write */
		{ 0x92000050, 1ull << 16 | 4ull << 18 | 1ull << 27 },
		/* instruction abort: instruction, fetch */
		{ 0x82000010, 0ull << 16 | 5ull << 18 | 1ull << 27 },
		/* cache maintenance (CM, WnR set): generic */
		{ 0x92000150, 1ull << 16 | 0ull << 18 | 1ull << 27 },
		/* SET UC: context corrupted */
		{ 0x92001010, 1ull << 16 | 3ull << 18 | 1ull << 25 | 1ull << 27 },
		/* SET UEO: restartable */
		{ 0x92001810, 1ull << 16 | 3ull << 18 | 1ull << 27 | 1ull << 28 },
	};
	struct kvmsea_mem_error e = load_error();

	(void)state;
	e.flags |= KVMSEA_MEM_ARM;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e.esr = cases[i].esr;
		build(&e, 0, 1);
		assert_int_equal(le(arm_section(1) + 40 + 8, 8),
				 0xafbull | cases[i].fields | 1ull << 43);
		assert_int_equal(le(arm_section(1) + 40 + 32 + 10, 8), cases[i].esr);
	}
	/* A table-walk SEA (FSC 0x14) has no SET: corruption and restart
	 * are not claimed. */
	e.esr = 0x92000014;
	build(&e, 0, 1);
	assert_int_equal(le(arm_section(1) + 40 + 8, 8),
			 0xab3ull | 1ull << 16 | 3ull << 18 | 1ull << 27 | 1ull << 43);
}

/* The ARM section goes with the first part only, after the memory
 * sections. */
static void test_arm_section_first_part_only(void **state)
{
	struct kvmsea_mem_error e = load_error();

	(void)state;
	e.flags |= KVMSEA_MEM_ARM;
	e.page_size = 65536;
	assert_int_equal(build(&e, 0, 5), 20 + 5 * MEM_ENTRY + ARM_ENTRY);
	arm_section(5);
	assert_int_equal(le(blk + BLK_STATUS, 4), 0x1 | 0x4 | 6 << 4);
	assert_int_equal(build(&e, 5, 11), 20 + 11 * MEM_ENTRY);
}

/* ---- the buffer contract -------------------------------------------------- */

static void test_every_buffer_size(void **state)
{
	struct kvmsea_mem_error e = load_error();
	uint8_t full[1024], part[1024];
	int n;

	(void)state;
	e.flags |= KVMSEA_MEM_ARM;
	e.page_size = 16384;
	n = kvmsea_cper_build(&e, 0, 4, NULL, 0);
	assert_int_equal(n, 20 + 4 * MEM_ENTRY + ARM_ENTRY);
	assert_int_equal(kvmsea_cper_build(&e, 0, 4, full, sizeof(full)), n);
	for (size_t len = 0; len <= (size_t)n + 1; len++) {
		memset(part, 0x5a, sizeof(part));
		assert_int_equal(kvmsea_cper_build(&e, 0, 4, part, len), n);
		if (len < (size_t)n) {
			for (size_t i = 0; i < sizeof(part); i++)
				assert_int_equal(part[i], 0x5a); /* untouched */
		} else {
			assert_memory_equal(part, full, (size_t)n);
			for (size_t i = (size_t)n; i < sizeof(part); i++)
				assert_int_equal(part[i], 0x5a);
		}
	}
}

/* ---- bad input ------------------------------------------------------------ */

static void expect_refused(const struct kvmsea_mem_error *e, uint32_t first,
			   uint32_t count, int err)
{
	uint8_t buf[512];

	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(kvmsea_cper_build(e, first, count, buf, sizeof(buf)), err);
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0x5a);
}

static void test_bad_input(void **state)
{
	struct kvmsea_mem_error good = load_error(), e;

	(void)state;
	expect_refused(NULL, 0, 1, -EINVAL);
	assert_int_equal(kvmsea_cper_sections(NULL), -EINVAL);
	assert_int_equal(kvmsea_cper_build(&good, 0, 1, NULL, 16), -EINVAL);
	expect_refused(&good, 0, 0, -EINVAL);      /* no section */
	expect_refused(&good, 1, 1, -EINVAL);      /* beyond the one section */
	expect_refused(&good, 0, 2, -EINVAL);
	e = good; e.page_size = 65536;
	expect_refused(&e, 15, 2, -EINVAL);
	expect_refused(&e, UINT32_MAX, 2, -EINVAL);
	e = good; e.gpa = 1ull << 52;
	expect_refused(&e, 0, 1, -EINVAL);
	for (uint64_t ps = 0; ps < 8192; ps += 512) {
		e = good; e.page_size = ps;
		if (ps != 4096)
			expect_refused(&e, 0, 1, -EINVAL);
	}
	e = good; e.page_size = 12288;            /* not a power of two */
	expect_refused(&e, 0, 1, -EINVAL);
	e = good; e.page_size = 1ull << 35;
	expect_refused(&e, 0, 1, -EINVAL);
	e = good; e.guest_page_size = 8192;
	expect_refused(&e, 0, 1, -EINVAL);
	e = good; e.guest_page_size = 1u << 21;
	expect_refused(&e, 0, 1, -EINVAL);
	e = good; e.severity = 4;
	expect_refused(&e, 0, 1, -EINVAL);
	e = good; e.flags = 1u << 4;
	expect_refused(&e, 0, 1, -EINVAL);
	e = good; e.flags = KVMSEA_MEM_ARM;       /* ARM without CONSUMED */
	expect_refused(&e, 0, 1, -EINVAL);
	e = good; e.flags |= KVMSEA_MEM_ARM; e.esr = 0x5e000000; /* an SVC */
	expect_refused(&e, 0, 1, -EINVAL);
	e = good; e.flags |= KVMSEA_MEM_ARM; e.esr = 0xbe000000; /* an SError */
	expect_refused(&e, 0, 1, -EINVAL);
	e = good; e.flags |= KVMSEA_MEM_VA_VALID; /* VA without the section */
	expect_refused(&e, 0, 1, -EINVAL);
	e = good; e.flags |= KVMSEA_MEM_MPIDR_VALID;
	expect_refused(&e, 0, 1, -EINVAL);
	for (size_t i = 0; i < 4; i++) {
		e = good; e.reserved[i] = 1;
		expect_refused(&e, 0, 1, -EINVAL);
	}
	/* 1023 entries at most (Block Status bits 13:4). */
	e = good; e.page_size = 1u << 30;
	assert_int_equal(kvmsea_cper_build(&e, 0, 1023, NULL, 0), 20 + 1023 * MEM_ENTRY);
	expect_refused(&e, 0, 1024, -E2BIG);
	e.flags |= KVMSEA_MEM_ARM;
	expect_refused(&e, 0, 1023, -E2BIG);
	assert_int_equal(kvmsea_cper_build(&e, 1, 1023, NULL, 0), 20 + 1023 * MEM_ENTRY);
}

/* ---- from a libkvmsea event ---------------------------------------------- */

static void test_from_event(void **state)
{
	struct kvmsea_event ev;
	struct kvmsea_mem_error e;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.source = KVMSEA_SOURCE_EXIT;
	ev.known = KVMSEA_KNOWN_GPA | KVMSEA_KNOWN_GVA | KVMSEA_KNOWN_PAGE_GPA;
	ev.gpa = 0x50000128;
	ev.page_gpa = 0x50000000;
	ev.page_size = 4096;
	ev.gva = 0x7f0000128;
	ev.exit.esr = 0x92000050;
	ev.time_ns = 1796119200123456789ull;
	assert_int_equal(kvmsea_mem_error_from_event(&e, &ev), 0);
	assert_int_equal(e.gpa, 0x50000128);
	assert_int_equal(e.page_size, 4096);
	assert_int_equal(e.flags, KVMSEA_MEM_CONSUMED | KVMSEA_MEM_ARM | KVMSEA_MEM_VA_VALID);
	assert_int_equal(e.esr, 0x92000050);
	assert_int_equal(e.va, 0x7f0000128);
	assert_int_equal(e.time, 1796119200);
	build(&e, 0, 1);
	assert_int_equal(le(arm_section(1) + 40 + 32 + 10, 8), 0x92000050);
	/* A SIGBUS BUS_MCEERR_AO of a 2 MiB page: latent, no ARM section
	 * (its syndrome would be made up), the page's address. */
	memset(&ev, 0, sizeof(ev));
	ev.source = KVMSEA_SOURCE_SIGBUS_AO;
	ev.known = KVMSEA_KNOWN_PAGE_GPA;
	ev.page_gpa = 0x60200000;
	ev.page_size = 2u << 20;
	ev.syndrome = 0x92000010;
	assert_int_equal(kvmsea_mem_error_from_event(&e, &ev), 0);
	assert_int_equal(e.gpa, 0x60200000);
	assert_int_equal(e.flags, 0);
	assert_int_equal(kvmsea_cper_sections(&e), 512);
	ev.source = KVMSEA_SOURCE_SIGBUS_AR;
	ev.page_size = 0;
	assert_int_equal(kvmsea_mem_error_from_event(&e, &ev), 0);
	assert_int_equal(e.flags, KVMSEA_MEM_CONSUMED);
	assert_int_equal(e.page_size, 4096);
	ev.known = KVMSEA_KNOWN_GVA;
	assert_int_equal(kvmsea_mem_error_from_event(&e, &ev), -ENODATA);
	assert_int_equal(kvmsea_mem_error_from_event(NULL, &ev), -EINVAL);
	assert_int_equal(kvmsea_mem_error_from_event(&e, NULL), -EINVAL);
}

/* A bad host page that its memslot maps at a guest address not aligned to
 * its size, or cuts (a SIGBUS event's page_gpa and page_size: kvmsea_sigbus(3)
 * cuts the page to the memslot): the record names guest pages of the bad
 * page only, never a healthy page beside it. */
static void test_from_event_of_a_cut_page(void **state)
{
	static const struct { uint64_t gpa, size; } pages[] = {
		{ 0x40001000, 2u << 20 },  /* 2 MiB host page, slot gpa 4 KiB off */
		{ 0x40000000, 0x1ff000 },  /* 2 MiB page cut by its memslot's end */
		{ 0x40100000, 1ull << 40 }, /* a 1 TiB block cut to a slot */
	};
	struct kvmsea_event ev;
	struct kvmsea_mem_error e;

	(void)state;
	for (size_t p = 0; p < sizeof(pages) / sizeof(pages[0]); p++) {
		int n;

		memset(&ev, 0, sizeof(ev));
		ev.source = KVMSEA_SOURCE_SIGBUS_AO;
		ev.known = KVMSEA_KNOWN_PAGE_GPA | KVMSEA_KNOWN_PAGE_HVA;
		ev.page_gpa = pages[p].gpa;
		ev.page_size = pages[p].size;
		assert_int_equal(kvmsea_mem_error_from_event(&e, &ev), 0);
		n = kvmsea_cper_sections(&e);
		assert_true(n > 0);
		if (n > 1023)
			n = 1023;
		build(&e, 0, (uint32_t)n);
		for (int i = 0; i < n; i++) {
			assert_true(section_pa((unsigned int)i) >= pages[p].gpa);
			assert_true(section_pa((unsigned int)i) + 4096 <=
				    pages[p].gpa + pages[p].size);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_record_bytes),
		cmocka_unit_test(test_latent_error),
		cmocka_unit_test(test_severities),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_sections_of_a_page),
		cmocka_unit_test(test_64k_page_4k_guest),
		cmocka_unit_test(test_4k_page_64k_guest),
		cmocka_unit_test(test_arm_section_bytes),
		cmocka_unit_test(test_arm_error_info_from_esr),
		cmocka_unit_test(test_arm_section_first_part_only),
		cmocka_unit_test(test_every_buffer_size),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_from_event),
		cmocka_unit_test(test_from_event_of_a_cut_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
