/* SPDX-License-Identifier: MIT */
/*
 * The poison registry and the storm policy (lib/poison.h): validation that
 * changes nothing, deduplication, unions, capacity and the dropped
 * counter, the query and the list, clearing, and the storm window at its
 * edges.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "poison.h"

#define K4 0x1000ULL
#define K64 0x10000ULL
#define M1 0x100000ULL
#define M2 0x200000ULL

static int setup(void **state)
{
	struct kvmsea_poison_set *s = malloc(sizeof(*s));

	assert_non_null(s);
	assert_int_equal(kvmsea_poison_init(s), 0);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	kvmsea_poison_fini(*state);
	free(*state);
	return 0;
}

/* An error at @gpa, @size; the realtime clock reads @t * 1000 and the
 * monotonic one @t. */
static struct kvmsea_poison_error E(uint64_t gpa, uint64_t size,
				    enum kvmsea_source src, uint64_t t)
{
	return (struct kvmsea_poison_error){
		.gpa = gpa, .size = size, .source = src,
		.realtime_ns = t * 1000, .monotonic_ns = t,
	};
}

static struct kvmsea_poison_result rec(struct kvmsea_poison_set *s,
				       struct kvmsea_poison_error e)
{
	struct kvmsea_poison_result r;

	assert_int_equal(kvmsea_poison_record(s, &e, &r), 0);
	return r;
}

/* The record for [gpa, gpa + size) exactly. */
static struct kvmsea_poison get(const struct kvmsea_poison_set *s,
				uint64_t gpa, uint64_t size)
{
	struct kvmsea_poison all[64];
	size_t n = kvmsea_poison_list(s, all, 64);

	for (size_t i = 0; i < n && i < 64; i++)
		if (all[i].gpa == gpa && all[i].size == size)
			return all[i];
	fail_msg("no record [%#llx, +%#llx)", (unsigned long long)gpa,
		 (unsigned long long)size);
	return all[0];
}

struct dump {
	size_t n;
	uint64_t dropped;
	struct kvmsea_poison r[16];
};

static void dump(const struct kvmsea_poison_set *s, struct dump *d)
{
	memset(d, 0, sizeof(*d));
	d->n = kvmsea_poison_list(s, d->r, 16);
	d->dropped = kvmsea_poison_dropped(s);
}

static void test_empty(void **state)
{
	struct kvmsea_poison_set *s = *state;

	assert_int_equal(kvmsea_poison_list(s, NULL, 0), 0);
	assert_int_equal(kvmsea_poison_dropped(s), 0);
	assert_int_equal(kvmsea_poison_query(s, 0, UINT64_MAX), 0);
}

static void test_first_record(void **state)
{
	struct kvmsea_poison_set *s = *state;
	struct kvmsea_poison_error e = E(0x40001000, K4, KVMSEA_SOURCE_SIGBUS_AR, 5);
	struct kvmsea_poison_result r;
	struct kvmsea_poison p;

	e.hva = 0x7f0000001000;
	r = rec(s, e);
	assert_true(r.new_range);
	assert_false(r.dropped);
	assert_false(r.storm);
	assert_int_equal(r.distinct, 1);
	assert_int_equal(r.count, 1);
	p = get(s, 0x40001000, K4);
	assert_int_equal(p.hva, 0x7f0000001000);
	assert_int_equal(p.source, KVMSEA_SOURCE_SIGBUS_AR);
	assert_int_equal(p.first_ns, 5000);
	assert_int_equal(p.last_ns, 5000);
	assert_int_equal(p.count, 1);
}

static void test_bad_input(void **state)
{
	struct kvmsea_poison_set *s = *state;
	const struct kvmsea_poison_error bad[] = {
		E(0x1000, 0, KVMSEA_SOURCE_EXIT, 1),
		E(0x1000, 0x800, KVMSEA_SOURCE_EXIT, 1),
		E(0x1000, K4 - 1, KVMSEA_SOURCE_EXIT, 1),
		E(0x1000, K4 + 1, KVMSEA_SOURCE_EXIT, 1),
		E(0x1000, 3 * K4, KVMSEA_SOURCE_EXIT, 1),     /* not a power of two */
		E(0x1800, K4, KVMSEA_SOURCE_EXIT, 1),         /* not 4 KiB aligned */
		E(0x1001, K4, KVMSEA_SOURCE_EXIT, 1),
		E(-K4, K4, KVMSEA_SOURCE_EXIT, 1),            /* ends at 2^64 */
		E(-M2, 1ULL << 63, KVMSEA_SOURCE_EXIT, 1),
		E(0x1000, K4, 0, 1),                          /* unknown sources */
		E(0x1000, K4, KVMSEA_SOURCE_CALLER + 1, 1),
		E(0x1000, K4, (enum kvmsea_source)-1, 1),
	};
	const struct kvmsea_poison_error good = E(0x1000, K4, KVMSEA_SOURCE_EXIT, 1);
	struct kvmsea_poison_result r;
	struct dump before, after;

	/* storm after 3 new ranges: a refused error must not feed it */
	assert_int_equal(kvmsea_poison_set_storm(s, 3, 1000), 0);
	rec(s, E(0x100000, K4, KVMSEA_SOURCE_EXIT, 0));
	dump(s, &before);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&r, 0xa5, sizeof(r));
		assert_int_equal(kvmsea_poison_record(s, &bad[i], &r), -EINVAL);
		dump(s, &after);
		assert_memory_equal(&before, &after, sizeof(before));
	}
	assert_int_equal(kvmsea_poison_record(s, NULL, &r), -EINVAL);
	assert_int_equal(kvmsea_poison_record(s, &good, NULL), -EINVAL);
	dump(s, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	r = rec(s, E(0x200000, K4, KVMSEA_SOURCE_EXIT, 1));
	assert_false(r.storm); /* the second new range, not the 16th */
	assert_int_equal(r.distinct, 2);
	/* the biggest a record can be, and the top page below 2^64 */
	assert_true(rec(s, E(1ULL << 63, 1ULL << 62, KVMSEA_SOURCE_SIGBUS_AO, 2)).new_range);
	assert_true(rec(s, E(-2 * K4, K4, KVMSEA_SOURCE_EXIT, 2)).new_range);
}

static void test_inside(void **state)
{
	struct kvmsea_poison_set *s = *state;
	struct kvmsea_poison_result r;
	struct kvmsea_poison p;

	rec(s, E(0x40000000, M2, KVMSEA_SOURCE_SIGBUS_AO, 1));
	/* the same range again, then a 4 KiB page inside, then its last one */
	r = rec(s, E(0x40000000, M2, KVMSEA_SOURCE_SIGBUS_AR, 2));
	assert_false(r.new_range);
	assert_int_equal(r.count, 2);
	r = rec(s, E(0x40003000, K4, KVMSEA_SOURCE_EXIT, 3));
	assert_false(r.new_range);
	assert_int_equal(r.count, 3);
	r = rec(s, E(0x40000000 + M2 - K4, K4, KVMSEA_SOURCE_EXIT, 4));
	assert_false(r.new_range);
	assert_false(r.dropped);
	assert_int_equal(r.distinct, 1);
	assert_int_equal(r.count, 4);
	p = get(s, 0x40000000, M2);
	assert_int_equal(p.source, KVMSEA_SOURCE_SIGBUS_AO); /* first seen */
	assert_int_equal(p.first_ns, 1000);
	assert_int_equal(p.last_ns, 4000);
	assert_int_equal(p.count, 4);
	/* the pages around it are other pages */
	assert_true(rec(s, E(0x40000000 - K4, K4, KVMSEA_SOURCE_EXIT, 5)).new_range);
	assert_true(rec(s, E(0x40000000 + M2, K4, KVMSEA_SOURCE_EXIT, 6)).new_range);
	assert_int_equal(kvmsea_poison_list(s, NULL, 0), 3);
}

static void test_out_of_order(void **state)
{
	struct kvmsea_poison_set *s = *state;
	struct kvmsea_poison p;

	/* a guest's touch at t=5 is recorded before the SIGBUS of t=2 that
	 * was queued by the signal handler and drained later */
	rec(s, E(0x40000000, K4, KVMSEA_SOURCE_EXIT, 5));
	rec(s, E(0x40000000, K4, KVMSEA_SOURCE_SIGBUS_AR, 2));
	p = get(s, 0x40000000, K4);
	assert_int_equal(p.first_ns, 2000);
	assert_int_equal(p.last_ns, 5000);
	assert_int_equal(p.source, KVMSEA_SOURCE_SIGBUS_AR); /* the earliest */
	assert_int_equal(p.count, 2);
	/* the same when the late one is a range holding it */
	rec(s, E(0x40000000, M2, KVMSEA_SOURCE_SIGBUS_AO, 1));
	p = get(s, 0x40000000, M2);
	assert_int_equal(p.first_ns, 1000);
	assert_int_equal(p.last_ns, 5000);
	assert_int_equal(p.source, KVMSEA_SOURCE_SIGBUS_AO);
	assert_int_equal(p.count, 3);
}

static void test_union(void **state)
{
	struct kvmsea_poison_set *s = *state;
	const uint64_t base = 0x80000000;
	struct kvmsea_poison_result r;
	struct kvmsea_poison_error big = E(base, M2, KVMSEA_SOURCE_SIGBUS_AR, 9);
	struct kvmsea_poison p;

	/* two 4 KiB pages an exit reported, then the 2 MiB host page holding
	 * both, and a page outside it */
	rec(s, E(base + 0x5000, K4, KVMSEA_SOURCE_EXIT, 3));
	rec(s, E(base + 0x1000, K4, KVMSEA_SOURCE_EXIT, 2));
	rec(s, E(base + M2, K4, KVMSEA_SOURCE_EXIT, 4));
	big.hva = 0x7f0000000000;
	r = rec(s, big);
	assert_false(r.new_range);
	assert_int_equal(r.distinct, 2); /* 3 looked distinct; 2 are */
	assert_int_equal(r.count, 3);
	p = get(s, base, M2);
	assert_int_equal(p.source, KVMSEA_SOURCE_EXIT); /* the oldest's */
	assert_int_equal(p.first_ns, 2000);
	assert_int_equal(p.last_ns, 9000);
	assert_int_equal(p.hva, 0x7f0000000000);
	get(s, base + M2, K4);
}

static void test_union_unaligned(void **state)
{
	struct kvmsea_poison_set *s = *state;
	struct kvmsea_poison_result r;
	struct kvmsea_poison p;

	/* 2 MiB host pages at guest addresses 1 MiB off their alignment */
	rec(s, E(0x40100000, M2, KVMSEA_SOURCE_SIGBUS_AR, 1));
	r = rec(s, E(0x40200000, M2, KVMSEA_SOURCE_SIGBUS_AR, 2));
	assert_false(r.new_range);
	assert_int_equal(r.distinct, 1);
	p = get(s, 0x40100000, 3 * M1); /* not a power of two */
	assert_int_equal(p.count, 2);
	/* one below that joins it and the next one (3 ranges become 1) */
	rec(s, E(0x40600000, K4, KVMSEA_SOURCE_EXIT, 3));
	r = rec(s, E(0x40000000, 0x800000, KVMSEA_SOURCE_SIGBUS_AO, 4));
	assert_int_equal(r.distinct, 1);
	assert_int_equal(r.count, 4);
	p = get(s, 0x40000000, 0x800000);
	assert_int_equal(p.first_ns, 1000);
	assert_int_equal(p.source, KVMSEA_SOURCE_SIGBUS_AR);
	/* partly over its end */
	r = rec(s, E(0x40400000, 0x800000, KVMSEA_SOURCE_SIGBUS_AO, 5));
	assert_int_equal(r.distinct, 1);
	get(s, 0x40000000, 0xc00000);
}

static void test_hva(void **state)
{
	struct kvmsea_poison_set *s = *state;
	struct kvmsea_poison_error e;

	/* an exit knows no hva; a later SIGBUS for the same first byte does */
	rec(s, E(0x1000, K4, KVMSEA_SOURCE_EXIT, 1));
	e = E(0x1000, K4, KVMSEA_SOURCE_SIGBUS_AR, 2);
	e.hva = 0x7000;
	rec(s, e);
	assert_int_equal(get(s, 0x1000, K4).hva, 0x7000);
	/* the first one stays */
	e.hva = 0x9000;
	rec(s, e);
	assert_int_equal(get(s, 0x1000, K4).hva, 0x7000);
	/* an hva for another byte is not the range's */
	rec(s, E(0x10000, K64, KVMSEA_SOURCE_EXIT, 3));
	e = E(0x12000, K4, KVMSEA_SOURCE_SIGBUS_AR, 4);
	e.hva = 0x52000;
	rec(s, e);
	assert_int_equal(get(s, 0x10000, K64).hva, 0);
	/* a union starting lower takes the lower error's */
	e = E(0, K64, KVMSEA_SOURCE_SIGBUS_AR, 5);
	e.hva = 0x80000;
	rec(s, e);
	assert_int_equal(get(s, 0, K64).hva, 0x80000);
	/* one starting at the same byte keeps the range's */
	e = E(0, 2 * K64, KVMSEA_SOURCE_SIGBUS_AR, 6);
	e.hva = 0x90000;
	rec(s, e);
	assert_int_equal(get(s, 0, 2 * K64).hva, 0x80000);
}

static void test_query(void **state)
{
	struct kvmsea_poison_set *s = *state;

	rec(s, E(0x10000, K4, KVMSEA_SOURCE_EXIT, 1));
	rec(s, E(0x20000, K64, KVMSEA_SOURCE_EXIT, 1));
	assert_int_equal(kvmsea_poison_query(s, 0x10000, 1), 1);
	assert_int_equal(kvmsea_poison_query(s, 0x10fff, 1), 1);
	assert_int_equal(kvmsea_poison_query(s, 0xffff, 1), 0);
	assert_int_equal(kvmsea_poison_query(s, 0x11000, 1), 0);
	assert_int_equal(kvmsea_poison_query(s, 0xf000, K4), 0);
	assert_int_equal(kvmsea_poison_query(s, 0xf000, K4 + 1), 1);
	assert_int_equal(kvmsea_poison_query(s, 0x11000, 0xf000), 0); /* the gap */
	assert_int_equal(kvmsea_poison_query(s, 0x11000, 0xf001), 1);
	assert_int_equal(kvmsea_poison_query(s, 0x2ffff, 1), 1);
	assert_int_equal(kvmsea_poison_query(s, 0x30000, 0x1000000), 0);
	assert_int_equal(kvmsea_poison_query(s, 0, UINT64_MAX), 1);
	assert_int_equal(kvmsea_poison_query(s, 0x10000, 0), -EINVAL);
	assert_int_equal(kvmsea_poison_query(s, 0x10000, UINT64_MAX), -EINVAL);
	assert_int_equal(kvmsea_poison_query(s, UINT64_MAX, 1), -EINVAL); /* 2^64 */
	assert_int_equal(kvmsea_poison_query(s, UINT64_MAX - 1, 1), 0);
}

static void test_list(void **state)
{
	struct kvmsea_poison_set *s = *state;
	struct kvmsea_poison out[3];

	rec(s, E(0x30000, K4, KVMSEA_SOURCE_EXIT, 1));
	rec(s, E(0x10000, K4, KVMSEA_SOURCE_EXIT, 2));
	rec(s, E(0x20000, K4, KVMSEA_SOURCE_EXIT, 3));
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(kvmsea_poison_list(s, out, 2), 3);
	assert_int_equal(out[0].gpa, 0x10000); /* ascending gpa */
	assert_int_equal(out[1].gpa, 0x20000);
	assert_int_equal(out[2].gpa, 0xa5a5a5a5a5a5a5a5ULL); /* left alone */
	assert_int_equal(kvmsea_poison_list(s, out, 3), 3);
	assert_int_equal(out[2].gpa, 0x30000);
	assert_int_equal(out[2].first_ns, 1000);
}

static void test_capacity(void **state)
{
	struct kvmsea_poison_set *s = *state;
	struct kvmsea_poison_result r;
	struct dump before, after;

	/* the default: 1024 ranges */
	for (uint64_t i = 0; i < KVMSEA_POISON_DEFAULT_CAPACITY; i++)
		assert_false(rec(s, E(i * 2 * K4, K4, KVMSEA_SOURCE_EXIT, i)).dropped);
	r = rec(s, E(1ULL << 40, K4, KVMSEA_SOURCE_EXIT, 5000));
	assert_true(r.new_range);
	assert_true(r.dropped);
	assert_int_equal(r.count, 0);
	assert_int_equal(r.distinct, KVMSEA_POISON_DEFAULT_CAPACITY);
	assert_int_equal(kvmsea_poison_dropped(s), 1);
	assert_int_equal(kvmsea_poison_query(s, 1ULL << 40, K4), 0);
	/* dropped again: it is new every time */
	assert_true(rec(s, E(1ULL << 40, K4, KVMSEA_SOURCE_EXIT, 5001)).dropped);
	assert_int_equal(kvmsea_poison_dropped(s), 2);
	/* full, yet a repeat and a union need no room */
	r = rec(s, E(0, K4, KVMSEA_SOURCE_EXIT, 5002));
	assert_false(r.dropped);
	assert_int_equal(r.count, 2);
	r = rec(s, E(0, 4 * K4, KVMSEA_SOURCE_SIGBUS_AR, 5003));
	assert_false(r.dropped);
	assert_int_equal(r.distinct, KVMSEA_POISON_DEFAULT_CAPACITY - 1);

	/* shrinking below what is held: refused, nothing changes */
	dump(s, &before);
	assert_int_equal(kvmsea_poison_set_capacity(s, 1022), -EBUSY);
	assert_int_equal(kvmsea_poison_set_capacity(s, 0), -EBUSY);
	assert_int_equal(kvmsea_poison_set_capacity(s, KVMSEA_POISON_MAX + 1), -EINVAL);
	assert_int_equal(kvmsea_poison_set_capacity(s, SIZE_MAX), -EINVAL);
	dump(s, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_true(rec(s, E(1ULL << 41, K4, KVMSEA_SOURCE_EXIT, 5004)).new_range);
	assert_int_equal(kvmsea_poison_list(s, NULL, 0), 1024);
	assert_true(rec(s, E(1ULL << 42, K4, KVMSEA_SOURCE_EXIT, 5005)).dropped);
	/* to exactly what it holds, then bigger: records kept */
	assert_int_equal(kvmsea_poison_set_capacity(s, 1024), 0);
	assert_int_equal(kvmsea_poison_set_capacity(s, 4096), 0);
	dump(s, &after);
	assert_memory_equal(after.r, before.r, sizeof(after.r));
	assert_false(rec(s, E(1ULL << 42, K4, KVMSEA_SOURCE_EXIT, 5006)).dropped);
	assert_int_equal(kvmsea_poison_dropped(s), 3);
	/* the biggest allowed */
	assert_int_equal(kvmsea_poison_set_capacity(s, KVMSEA_POISON_MAX), 0);
}

static void test_capacity_zero(void **state)
{
	struct kvmsea_poison_set *s = *state;
	struct kvmsea_poison_result r;

	assert_int_equal(kvmsea_poison_set_capacity(s, 0), 0);
	r = rec(s, E(0x1000, K4, KVMSEA_SOURCE_EXIT, 1));
	assert_true(r.dropped);
	assert_int_equal(r.distinct, 0);
	assert_int_equal(kvmsea_poison_query(s, 0, UINT64_MAX), 0);
	assert_int_equal(kvmsea_poison_dropped(s), 1);
	assert_int_equal(kvmsea_poison_set_capacity(s, 1), 0);
	assert_false(rec(s, E(0x1000, K4, KVMSEA_SOURCE_EXIT, 2)).dropped);
	assert_true(rec(s, E(0x3000, K4, KVMSEA_SOURCE_EXIT, 2)).dropped);
}

static void test_clear(void **state)
{
	struct kvmsea_poison_set *s = *state;
	struct kvmsea_poison_result r;

	assert_int_equal(kvmsea_poison_set_capacity(s, 1), 0);
	assert_int_equal(kvmsea_poison_set_storm(s, 2, 100), 0);
	rec(s, E(0x1000, K4, KVMSEA_SOURCE_EXIT, 10));
	rec(s, E(0x3000, K4, KVMSEA_SOURCE_EXIT, 10)); /* dropped */
	kvmsea_poison_clear(s);
	assert_int_equal(kvmsea_poison_list(s, NULL, 0), 0);
	assert_int_equal(kvmsea_poison_query(s, 0, UINT64_MAX), 0);
	assert_int_equal(kvmsea_poison_dropped(s), 1); /* kept */
	/* the page is new again; the storm still remembers the last two */
	r = rec(s, E(0x1000, K4, KVMSEA_SOURCE_EXIT, 20));
	assert_true(r.new_range);
	assert_false(r.dropped); /* the capacity is kept too: room for 1 */
	assert_true(r.storm);
	assert_int_equal(r.distinct, 1);
}

/* ---- The storm policy ---- */

static bool new_at(struct kvmsea_poison_set *s, uint64_t gpa, uint64_t t)
{
	struct kvmsea_poison_result r = rec(s, E(gpa, K4, KVMSEA_SOURCE_EXIT, t));

	assert_true(r.new_range);
	return r.storm;
}

static void test_storm_off(void **state)
{
	struct kvmsea_poison_set *s = *state;

	/* off by default: 1024 new ranges at the same instant */
	for (uint64_t i = 0; i < 1024; i++)
		assert_false(new_at(s, i * K4, 7));
	assert_int_equal(kvmsea_poison_set_storm(s, 0, 0), 0);
	assert_false(rec(s, E(1ULL << 40, K4, KVMSEA_SOURCE_EXIT, 7)).storm);
}

static void test_storm_window(void **state)
{
	struct kvmsea_poison_set *s = *state;

	/* 3 within 100 ns: the third comes exactly 100 ns after the first */
	assert_int_equal(kvmsea_poison_set_storm(s, 3, 100), 0);
	assert_false(new_at(s, 0x1000, 1000));
	assert_false(new_at(s, 0x2000, 1050));
	assert_true(new_at(s, 0x3000, 1100));
	/* 1050, 1100, 1151: 101 ns */
	assert_false(new_at(s, 0x4000, 1151));
	/* 1100, 1151, 1200 */
	assert_true(new_at(s, 0x5000, 1200));
	/* repeats tell whether it still holds and do not feed it */
	assert_true(rec(s, E(0x1000, K4, KVMSEA_SOURCE_EXIT, 1200)).storm);
	assert_false(rec(s, E(0x1000, K4, KVMSEA_SOURCE_EXIT, 1201)).storm);
	assert_false(rec(s, E(0x1000, K4, KVMSEA_SOURCE_EXIT, 1300)).storm);
	assert_false(new_at(s, 0x6000, 1400)); /* 1151, 1200, 1400 */
	/* a merge is not new: it does not feed it either */
	rec(s, E(0x7000, K4, KVMSEA_SOURCE_EXIT, 1401)); /* 1200, 1400, 1401 */
	assert_false(rec(s, E(0x6000, 2 * K4, KVMSEA_SOURCE_SIGBUS_AR, 1402)).storm);
	assert_true(new_at(s, 0x9000, 1403)); /* 1400, 1401, 1403 */
}

static void test_storm_one(void **state)
{
	struct kvmsea_poison_set *s = *state;

	/* one page: every new range is a storm, and its repeats for 10 ns */
	assert_int_equal(kvmsea_poison_set_storm(s, 1, 10), 0);
	assert_true(new_at(s, 0x1000, 100));
	assert_true(rec(s, E(0x1000, K4, KVMSEA_SOURCE_EXIT, 110)).storm);
	assert_false(rec(s, E(0x1000, K4, KVMSEA_SOURCE_EXIT, 111)).storm);
	assert_true(new_at(s, 0x2000, 5000));
}

static void test_storm_settings(void **state)
{
	struct kvmsea_poison_set *s = *state;

	assert_int_equal(kvmsea_poison_set_storm(s, 2, 0), -EINVAL);
	assert_int_equal(kvmsea_poison_set_storm(s, KVMSEA_POISON_MAX + 1, 1), -EINVAL);
	assert_int_equal(kvmsea_poison_set_storm(s, UINT32_MAX, 1), -EINVAL);
	/* still off */
	assert_false(new_at(s, 0x1000, 1));
	assert_false(new_at(s, 0x2000, 1));
	assert_int_equal(kvmsea_poison_set_storm(s, 2, UINT64_MAX), 0);
	assert_false(new_at(s, 0x3000, 1)); /* setting it forgets 0x1000, 0x2000 */
	assert_true(new_at(s, 0x4000, UINT64_MAX));
	/* refused settings keep the policy */
	assert_int_equal(kvmsea_poison_set_storm(s, 2, 0), -EINVAL);
	assert_true(new_at(s, 0x5000, 2));
	assert_int_equal(kvmsea_poison_set_storm(s, KVMSEA_POISON_MAX, 1), 0);
}

static void test_storm_dropped_and_order(void **state)
{
	struct kvmsea_poison_set *s = *state;

	/* dropped ranges count: a full registry is no reason to stop */
	assert_int_equal(kvmsea_poison_set_capacity(s, 1), 0);
	assert_int_equal(kvmsea_poison_set_storm(s, 3, 1000), 0);
	assert_false(new_at(s, 0x1000, 0));
	assert_false(new_at(s, 0x2000, 1));
	assert_true(new_at(s, 0x3000, 2));
	assert_int_equal(kvmsea_poison_dropped(s), 2);
	/* a time before the oldest (racing threads) counts as no time */
	assert_int_equal(kvmsea_poison_set_storm(s, 2, 5), 0);
	assert_false(new_at(s, 0x4000, 100));
	assert_true(new_at(s, 0x5000, 90));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_empty),
		T(test_first_record),
		T(test_bad_input),
		T(test_inside),
		T(test_out_of_order),
		T(test_union),
		T(test_union_unaligned),
		T(test_hva),
		T(test_query),
		T(test_list),
		T(test_capacity),
		T(test_capacity_zero),
		T(test_clear),
		T(test_storm_off),
		T(test_storm_window),
		T(test_storm_one),
		T(test_storm_settings),
		T(test_storm_dropped_and_order),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
