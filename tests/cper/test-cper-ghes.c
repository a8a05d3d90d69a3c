/* SPDX-License-Identifier: MIT */
/*
 * The error source: the GHESv2 structure and the HEST table field by
 * field, the layout rules, and the read-ack state machine against a guest
 * modelled on Linux's ghes.c (read the block, clear Block Status, then
 * acknowledge with (ack & preserve) | write).
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

#define BASE 0x47fd0000ull

/* ---- the GHESv2 structure and the HEST ------------------------------------ */

static void test_source_bytes(void **state)
{
	struct kvmsea_ghes_layout l;
	uint8_t g[128];

	(void)state;
	assert_int_equal(kvmsea_ghes_layout_init(&l, 7, KVMSEA_GHES_SEA, BASE, 1024), 0);
	assert_int_equal(l.status_address, BASE);
	assert_int_equal(l.read_ack_address, BASE + 8);
	assert_int_equal(l.block_address, BASE + 16);
	memset(g, 0xa5, sizeof(g));
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), 92);
	assert_int_equal(le(g + 0, 2), 10);           /* GHESv2 */
	assert_int_equal(le(g + 2, 2), 7);            /* source id */
	assert_int_equal(le(g + 4, 2), 0xffff);       /* no related source */
	assert_int_equal(g[6], 0);                    /* flags */
	assert_int_equal(g[7], 1);                    /* enabled */
	assert_int_equal(le(g + 8, 4), 1);            /* records to preallocate */
	assert_int_equal(le(g + 12, 4), (1024 - 20) / 152); /* max sections */
	assert_int_equal(le(g + 16, 4), 0);           /* max raw data */
	/* Error Status Address: system memory, 64 bits, offset 0, qword. */
	assert_int_equal(g[20], 0);
	assert_int_equal(g[21], 64);
	assert_int_equal(g[22], 0);
	assert_int_equal(g[23], 4);
	assert_int_equal(le(g + 24, 8), BASE);
	/* Notification: SEA, 28 bytes, nothing else. */
	assert_int_equal(g[32], 8);
	assert_int_equal(g[33], 28);
	for (int i = 34; i < 60; i++)
		assert_int_equal(g[i], 0);
	assert_int_equal(le(g + 60, 4), 1024);        /* block length */
	assert_int_equal(g[64], 0);
	assert_int_equal(g[65], 64);
	assert_int_equal(g[66], 0);
	assert_int_equal(g[67], 4);
	assert_int_equal(le(g + 68, 8), BASE + 8);    /* read ack register */
	assert_int_equal(le(g + 76, 8), ~1ull);       /* preserve */
	assert_int_equal(le(g + 84, 8), 1);           /* write */
	assert_int_equal(g[92], 0xa5);
	/* Polled and vectored sources carry their interval and vector. */
	assert_int_equal(kvmsea_ghes_layout_init(&l, 1, KVMSEA_GHES_POLLED, BASE, 4096), 0);
	l.poll_interval_ms = 250;
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), 92);
	assert_int_equal(g[32], 0);
	assert_int_equal(le(g + 36, 4), 250);
	assert_int_equal(le(g + 12, 4), (4096 - 20) / 152);
	assert_int_equal(kvmsea_ghes_layout_init(&l, 1, KVMSEA_GHES_GSIV, BASE, 65536), 0);
	l.vector = 45;
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), 92);
	assert_int_equal(le(g + 40, 4), 45);
	assert_int_equal(le(g + 12, 4), (65536 - 20) / 152);
}

static void test_hest_table(void **state)
{
	struct kvmsea_ghes_layout l[2];
	struct kvmsea_acpi_ids ids = { { 'B', 'O', 'C', 'H', 'S', ' ' },
				       { 'B', 'X', 'P', 'C', ' ', ' ', ' ', ' ' },
				       1, { 'B', 'X', 'P', 'C' }, 1 };
	uint8_t t[512], src[92];
	unsigned int sum = 0;

	(void)state;
	assert_int_equal(kvmsea_ghes_layout_init(&l[0], 0, KVMSEA_GHES_SEA, BASE, 1024), 0);
	assert_int_equal(kvmsea_ghes_layout_init(&l[1], 1, KVMSEA_GHES_GPIO, BASE + 2048, 1024), 0);
	assert_int_equal(kvmsea_ghes_build_hest(l, 2, &ids, NULL, 0), 40 + 2 * 92);
	assert_int_equal(kvmsea_ghes_build_hest(l, 2, &ids, t, sizeof(t)), 224);
	assert_memory_equal(t, "HEST", 4);
	assert_int_equal(le(t + 4, 4), 224);
	assert_int_equal(t[8], 1);
	assert_memory_equal(t + 10, "BOCHS BXPC    ", 14);
	assert_int_equal(le(t + 24, 4), 1);
	assert_memory_equal(t + 28, "BXPC", 4);
	assert_int_equal(le(t + 32, 4), 1);
	assert_int_equal(le(t + 36, 4), 2);
	for (int i = 0; i < 224; i++)
		sum += t[i];
	assert_int_equal(sum % 256, 0);
	assert_int_equal(kvmsea_ghes_build_source(&l[1], src, sizeof(src)), 92);
	assert_memory_equal(t + 40 + 92, src, 92);
	/* Defaults, and the buffer contract: short buffers stay untouched. */
	assert_int_equal(kvmsea_ghes_build_hest(l, 1, NULL, t, sizeof(t)), 132);
	assert_memory_equal(t + 10, "KVMSEAKVMSEA  ", 14);
	memset(t, 0x5a, sizeof(t));
	assert_int_equal(kvmsea_ghes_build_hest(l, 2, &ids, t, 223), 224);
	assert_int_equal(kvmsea_ghes_build_source(&l[0], t, 91), 92);
	for (size_t i = 0; i < sizeof(t); i++)
		assert_int_equal(t[i], 0x5a);
	/* Two sources with one id. */
	l[1].source_id = 0;
	assert_int_equal(kvmsea_ghes_build_hest(l, 2, &ids, t, sizeof(t)), -EINVAL);
	assert_int_equal(kvmsea_ghes_build_hest(l, 0, &ids, t, sizeof(t)), -EINVAL);
	assert_int_equal(kvmsea_ghes_build_hest(NULL, 1, &ids, t, sizeof(t)), -EINVAL);
	/* A table past INT32_MAX bytes, whose size the int result cannot
	 * hold: refused before the sources are read (there are only 2). */
	l[1].source_id = 1;
	assert_int_equal(kvmsea_ghes_build_hest(l, (INT32_MAX - 40) / 92 + 1, &ids,
						NULL, 0), -EINVAL);
	assert_int_equal(kvmsea_ghes_build_hest(l, 2, &ids, NULL, 0), 224);
}

static void test_layout_rules(void **state)
{
	struct kvmsea_ghes_layout good, l;
	uint8_t g[92];

	(void)state;
	assert_int_equal(kvmsea_ghes_layout_init(&good, 0, KVMSEA_GHES_SEA, BASE, 1024), 0);
	assert_int_equal(kvmsea_ghes_layout_init(NULL, 0, KVMSEA_GHES_SEA, BASE, 1024), -EINVAL);
	assert_int_equal(kvmsea_ghes_layout_init(&l, 0, KVMSEA_GHES_SEA, BASE + 4, 1024), -EINVAL);
	assert_int_equal(kvmsea_ghes_layout_init(&l, 0, KVMSEA_GHES_SEA, 0, 1024), -EINVAL);
	assert_int_equal(kvmsea_ghes_layout_init(&l, 0, KVMSEA_GHES_SEA, BASE, 171), -EINVAL);
	assert_int_equal(kvmsea_ghes_layout_init(&l, 0, KVMSEA_GHES_SEA, BASE, 172), 0);
	assert_int_equal(kvmsea_ghes_layout_init(&l, 0, KVMSEA_GHES_SEA, BASE, 65537), -EINVAL);
	assert_int_equal(kvmsea_ghes_layout_init(&l, 0, KVMSEA_GHES_SEA, 1ull << 52, 1024), -EINVAL);
	for (unsigned int n = 0; n < 16; n++) {
		int ok = n <= 1 || n == 3 || (n >= 7 && n <= 11);

		assert_int_equal(kvmsea_ghes_layout_init(&l, 0, (enum kvmsea_ghes_notify)n,
							 BASE, 1024), ok ? 0 : -EINVAL);
	}
	assert_int_equal(kvmsea_ghes_build_source(NULL, g, sizeof(g)), -EINVAL);
	l = good; l.poll_interval_ms = 5;              /* only for POLLED */
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), -EINVAL);
	l = good; l.notify = KVMSEA_GHES_POLLED;       /* POLLED needs one */
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), -EINVAL);
	l = good; l.vector = 3;                        /* SEA has none */
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), -EINVAL);
	l = good; l.read_ack_address = BASE;           /* overlaps */
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), -EINVAL);
	l = good; l.block_address = BASE + 8;
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), -EINVAL);
	l = good; l.block_address = BASE - 1024;       /* just below: fine */
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), 92);
	l = good; l.block_address = BASE - 1020;       /* reaches the register */
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), -EINVAL);
	l = good; l.read_ack_address = BASE + 1028;     /* inside the block */
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), -EINVAL);
	l = good; l.reserved0 = 1;
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), -EINVAL);
	l = good; l.reserved[3] = 1;
	assert_int_equal(kvmsea_ghes_build_source(&l, g, sizeof(g)), -EINVAL);
	assert_int_equal(kvmsea_ghes_build_source(&good, NULL, 92), -EINVAL);
	assert_int_equal(kvmsea_ghes_build_source(&good, NULL, 0), 92);
}

/* ---- the read-ack protocol ------------------------------------------------ */

/* Guest memory for one source, 8-aligned. */
static uint64_t mem64[(16 + 4096) / 8];
#define MEM ((uint8_t *)mem64)

static struct kvmsea_ghes *source(uint32_t block_length, uint32_t queue)
{
	struct kvmsea_ghes_layout l;
	struct kvmsea_ghes *g;

	memset(mem64, 0xa5, sizeof(mem64));
	assert_int_equal(kvmsea_ghes_layout_init(&l, 0, KVMSEA_GHES_SEA, BASE, block_length), 0);
	assert_int_equal(kvmsea_ghes_new(&l, MEM, BASE, sizeof(mem64), queue, &g), 0);
	/* The initial state: the register points at the block, the block is
	 * free (acknowledged) and empty. */
	assert_int_equal(le(MEM, 8), BASE + 16);
	assert_int_equal(le(MEM + 8, 8), 1);
	for (uint32_t i = 0; i < block_length; i++)
		assert_int_equal(MEM[16 + i], 0);
	return g;
}

/* What Linux's ghes_proc() does: read and check the record, clear Block
 * Status, acknowledge. Returns the record's first physical address. */
static uint64_t guest_consumes(uint32_t block_length, uint32_t *sections)
{
	uint8_t *b = MEM + 16;
	uint64_t ack = le(MEM + 8, 8);
	int len = (int)(20 + le(b + BLK_DATA_LENGTH, 4));

	assert_int_equal(ack & 1, 0);     /* a record waits: not acked */
	assert_int_equal(kvmsea_cper_check(b, (size_t)len, block_length), 0);
	*sections = (uint32_t)(le(b + BLK_STATUS, 4) >> 4 & 0x3ff);
	set_le(b + BLK_STATUS, 0, 4);
	set_le(MEM + 8, (ack & ~1ull) | 1, 8);
	return le(b + ENTRY0 + ENT_SECTION + 16, 8);
}

static struct kvmsea_mem_error page_error(uint64_t gpa, uint64_t size)
{
	struct kvmsea_mem_error e = load_error();

	e.gpa = gpa;
	e.page_size = size;
	return e;
}

static void test_post_then_queue(void **state)
{
	struct kvmsea_ghes *g = source(1024, 4);
	struct kvmsea_mem_error e1 = page_error(0x50000128, 4096);
	struct kvmsea_mem_error e2 = page_error(0x60000000, 4096);
	struct kvmsea_ghes_stats st;
	uint8_t expect[1024], before[1024];
	uint32_t n;
	int len;

	(void)state;
	assert_int_equal(kvmsea_ghes_poll(g), KVMSEA_GHES_IDLE);
	assert_int_equal(kvmsea_ghes_report(g, &e1), KVMSEA_GHES_POSTED);
	/* The block holds exactly what kvmsea_cper_build() makes; Read Ack
	 * is cleared; the status register still points at the block. */
	len = kvmsea_cper_build(&e1, 0, 1, expect, sizeof(expect));
	assert_memory_equal(MEM + 16, expect, (size_t)len);
	assert_int_equal(le(MEM + 8, 8), 0);
	assert_int_equal(le(MEM, 8), BASE + 16);
	/* Not acknowledged: the next error waits, the block is untouched. */
	memcpy(before, MEM + 16, sizeof(before));
	assert_int_equal(kvmsea_ghes_report(g, &e2), KVMSEA_GHES_QUEUED);
	assert_int_equal(kvmsea_ghes_poll(g), KVMSEA_GHES_BUSY);
	assert_memory_equal(MEM + 16, before, sizeof(before));
	assert_int_equal(kvmsea_ghes_get_stats(g, &st), 0);
	assert_int_equal(st.reported, 2);
	assert_int_equal(st.posted, 1);
	assert_int_equal(st.acked, 0);
	assert_int_equal(st.waiting, 1);
	assert_int_equal(st.unacked, 1);
	/* A guest that clears Block Status but does not acknowledge: still
	 * busy. Bits other than bit 0 do not acknowledge either. */
	set_le(MEM + 16, 0, 4);
	set_le(MEM + 8, ~1ull, 8);
	assert_int_equal(kvmsea_ghes_poll(g), KVMSEA_GHES_BUSY);
	set_le(MEM + 8, 0, 8);
	memcpy(MEM + 16, before, sizeof(before));
	/* The guest consumes: the queued error goes out on the next poll. */
	assert_int_equal(guest_consumes(1024, &n), 0x50000128);
	assert_int_equal(n, 1);
	assert_int_equal(kvmsea_ghes_poll(g), KVMSEA_GHES_POSTED);
	assert_int_equal(guest_consumes(1024, &n), 0x60000000);
	assert_int_equal(kvmsea_ghes_poll(g), KVMSEA_GHES_IDLE);
	assert_int_equal(kvmsea_ghes_get_stats(g, &st), 0);
	assert_int_equal(st.posted, 2);
	assert_int_equal(st.acked, 2);
	assert_int_equal(st.waiting, 0);
	assert_int_equal(st.unacked, 0);
	kvmsea_ghes_free(g);
}

/* A 64 KiB host page under a 4 KiB guest in a 1 KiB block (QEMU's size):
 * 16 sections go out as 6 + 6 + 4, the faulting page first; with the ARM
 * section, 5 + 6 + 5. Every guest page is named exactly once. */
static void test_parts(void **state)
{
	static const struct { uint32_t flags, parts[3]; } cases[] = {
		{ 0, { 6, 6, 4 } },
		{ KVMSEA_MEM_ARM, { 6, 6, 5 } }, /* 5 memory + the ARM section */
	};

	(void)state;
	for (size_t c = 0; c < 2; c++) {
		struct kvmsea_ghes *g = source(1024, 0);
		struct kvmsea_mem_error e = page_error(0x40037128, 65536);
		struct kvmsea_ghes_stats st;
		uint32_t seen = 0, entries;

		e.flags |= cases[c].flags;
		assert_int_equal(kvmsea_ghes_report(g, &e), KVMSEA_GHES_POSTED);
		for (int part = 0; part < 3; part++) {
			uint8_t *b = MEM + 16;
			uint32_t memory = part == 0 && cases[c].flags ? 5 : cases[c].parts[part];

			assert_int_equal(kvmsea_ghes_poll(g), KVMSEA_GHES_BUSY);
			for (uint32_t i = 0; i < memory; i++) {
				uint64_t pa = le(b + ENTRY0 + i * MEM_ENTRY + ENT_SECTION + 16, 8);
				uint32_t page = (uint32_t)((pa - 0x40030000) >> 12);

				assert_false(seen & (1u << page));
				seen |= 1u << page;
			}
			if (part == 0)
				assert_int_equal(le(b + ENTRY0 + ENT_SECTION + 16, 8), 0x40037128);
			guest_consumes(1024, &entries);
			assert_int_equal(entries, cases[c].parts[part]);
			assert_int_equal(kvmsea_ghes_poll(g), part < 2 ? KVMSEA_GHES_POSTED
								       : KVMSEA_GHES_IDLE);
		}
		assert_int_equal(seen, 0xffff);
		assert_int_equal(kvmsea_ghes_get_stats(g, &st), 0);
		assert_int_equal(st.reported, 1);
		assert_int_equal(st.posted, 3); /* each part counts */
		assert_int_equal(st.acked, 3);
		kvmsea_ghes_free(g);
	}
}

/* A storm: more errors than the queue holds are refused and counted; the
 * ones accepted all go out, in order. */
static void test_storm(void **state)
{
	struct kvmsea_ghes *g = source(1024, 3);
	struct kvmsea_ghes_stats st;
	uint32_t n;

	(void)state;
	for (int i = 0; i < 10; i++) {
		struct kvmsea_mem_error e = page_error(0x50000000 + i * 4096ull, 4096);
		int expect = i == 0 ? KVMSEA_GHES_POSTED : i <= 4 ? KVMSEA_GHES_QUEUED : -ENOSPC;

		assert_int_equal(kvmsea_ghes_report(g, &e), expect);
	}
	assert_int_equal(kvmsea_ghes_get_stats(g, &st), 0);
	assert_int_equal(st.reported, 5);
	assert_int_equal(st.dropped, 5);
	assert_int_equal(st.waiting, 4);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(guest_consumes(1024, &n), 0x50000000 + i * 4096ull);
		assert_int_equal(kvmsea_ghes_poll(g), i < 4 ? KVMSEA_GHES_POSTED : KVMSEA_GHES_IDLE);
	}
	/* Reset: the initial state, the waiting errors dropped. */
	for (int i = 0; i < 3; i++) {
		struct kvmsea_mem_error e = page_error(0x70000000, 4096);

		kvmsea_ghes_report(g, &e);
	}
	assert_int_equal(kvmsea_ghes_get_stats(g, &st), 0);
	assert_int_equal(st.waiting, 2);
	assert_true(st.unacked);
	kvmsea_ghes_reset(g);
	/* the statistics say so at once, before any other call */
	assert_int_equal(kvmsea_ghes_get_stats(g, &st), 0);
	assert_int_equal(st.waiting, 0);
	assert_false(st.unacked);
	assert_int_equal(st.dropped, 5 + 2);
	assert_int_equal(le(MEM + 8, 8), 1);
	assert_int_equal(le(MEM + 16, 4), 0);
	assert_int_equal(kvmsea_ghes_poll(g), KVMSEA_GHES_IDLE);
	assert_int_equal(kvmsea_ghes_get_stats(g, &st), 0);
	assert_int_equal(st.dropped, 5 + 2);
	kvmsea_ghes_reset(NULL);
	kvmsea_ghes_free(g);
	kvmsea_ghes_free(NULL);
}

/* Many records through a guest that acknowledges at random times: every
 * page of every error reported once, in order, and each record valid. */
static void test_many_records(void **state)
{
	struct kvmsea_ghes *g = source(4096, 8);
	uint64_t next_gpa = 0x40000000, expect = 0x40000000;
	unsigned int reported = 0, consumed = 0;
	struct kvmsea_ghes_stats st;

	(void)state;
	srand(4242);
	while (consumed < 2000) {
		int r = rand() % 3;

		if (r == 0 && reported < 2000) {
			struct kvmsea_mem_error e = page_error(next_gpa, 4096);
			int ret = kvmsea_ghes_report(g, &e);

			assert_true(ret == KVMSEA_GHES_POSTED || ret == KVMSEA_GHES_QUEUED ||
				    ret == -ENOSPC);
			if (ret != -ENOSPC) {
				next_gpa += 4096;
				reported++;
			}
		} else if (r == 1 && !(le(MEM + 8, 8) & 1)) {
			uint32_t n;

			assert_int_equal(guest_consumes(4096, &n), expect);
			expect += 4096;
			consumed++;
		} else {
			kvmsea_ghes_poll(g);
		}
	}
	assert_int_equal(kvmsea_ghes_get_stats(g, &st), 0);
	assert_int_equal(st.posted, 2000);
	assert_int_equal(st.reported, 2000);
	kvmsea_ghes_free(g);
}

static void test_new_and_report_bad_input(void **state)
{
	struct kvmsea_ghes_layout l;
	struct kvmsea_ghes *g = NULL;
	struct kvmsea_mem_error e = page_error(0x50000000, 4096);
	struct kvmsea_ghes_stats st;

	(void)state;
	assert_int_equal(kvmsea_ghes_layout_init(&l, 0, KVMSEA_GHES_SEA, BASE, 1024), 0);
	assert_int_equal(kvmsea_ghes_new(&l, MEM, BASE, 16 + 1023, 0, &g), -EINVAL);
	assert_int_equal(kvmsea_ghes_new(&l, MEM, BASE + 8, sizeof(mem64), 0, &g), -EINVAL);
	assert_int_equal(kvmsea_ghes_new(&l, MEM + 4, BASE, 2048, 0, &g), -EINVAL);
	assert_int_equal(kvmsea_ghes_new(&l, NULL, BASE, 2048, 0, &g), -EINVAL);
	assert_int_equal(kvmsea_ghes_new(NULL, MEM, BASE, 2048, 0, &g), -EINVAL);
	assert_int_equal(kvmsea_ghes_new(&l, MEM, BASE, 2048, 0, NULL), -EINVAL);
	assert_int_equal(kvmsea_ghes_new(&l, MEM, BASE, 2048, UINT32_MAX, &g), -EINVAL);
	assert_null(g);
	/* The region may start below the registers. */
	assert_int_equal(kvmsea_ghes_layout_init(&l, 0, KVMSEA_GHES_SEA, BASE + 64, 1024), 0);
	assert_int_equal(kvmsea_ghes_new(&l, MEM, BASE, 64 + 16 + 1024, 0, &g), 0);
	assert_int_equal(le(MEM + 64, 8), BASE + 64 + 16);
	assert_int_equal(kvmsea_ghes_report(NULL, &e), -EINVAL);
	assert_int_equal(kvmsea_ghes_report(g, NULL), -EINVAL);
	e.severity = 9;
	assert_int_equal(kvmsea_ghes_report(g, &e), -EINVAL);
	assert_int_equal(kvmsea_ghes_poll(NULL), -EINVAL);
	assert_int_equal(kvmsea_ghes_get_stats(NULL, &st), -EINVAL);
	assert_int_equal(kvmsea_ghes_get_stats(g, NULL), -EINVAL);
	assert_int_equal(kvmsea_ghes_get_stats(g, &st), 0);
	assert_int_equal(st.reported, 0);
	assert_int_equal(le(MEM + 64 + 8, 8), 1); /* nothing written */
	kvmsea_ghes_free(g);
	/* A block too small for the ARM section and one memory section. */
	assert_int_equal(kvmsea_ghes_layout_init(&l, 0, KVMSEA_GHES_SEA, BASE, 200), 0);
	assert_int_equal(kvmsea_ghes_new(&l, MEM, BASE, 16 + 200, 0, &g), 0);
	e = page_error(0x50000000, 4096);
	e.flags |= KVMSEA_MEM_ARM;
	assert_int_equal(kvmsea_ghes_report(g, &e), -EMSGSIZE);
	e.flags &= ~KVMSEA_MEM_ARM;
	assert_int_equal(kvmsea_ghes_report(g, &e), KVMSEA_GHES_POSTED);
	kvmsea_ghes_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_bytes),
		cmocka_unit_test(test_hest_table),
		cmocka_unit_test(test_layout_rules),
		cmocka_unit_test(test_post_then_queue),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_storm),
		cmocka_unit_test(test_many_records),
		cmocka_unit_test(test_new_and_report_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
