/* SPDX-License-Identifier: MIT */
/*
 * The guest memory map's contract (lib/memmap.h), one thread: adding,
 * replacing and deleting slots, every refusal changing nothing, overlaps
 * and aliases refused, KVM's slot limit, lookups at every slot edge, and
 * random maps checked against a naive model of the same rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "memmap.h"
#include "rel-env.h"

#define K4 0x1000ULL
#define M2 0x200000ULL

static struct kvmsea_memslot S(uint32_t slot, uint64_t gpa, uint64_t size,
			       uint64_t hva)
{
	return (struct kvmsea_memslot){ .slot = slot, .gpa = gpa, .size = size,
					.hva = hva };
}

static int setup(void **state)
{
	struct kvmsea_memmap *m = malloc(sizeof(*m));

	assert_non_null(m);
	assert_int_equal(kvmsea_memmap_init(m), 0);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	kvmsea_memmap_fini(*state);
	free(*state);
	return 0;
}

static void add(struct kvmsea_memmap *m, struct kvmsea_memslot s)
{
	assert_int_equal(kvmsea_memmap_set(m, &s), 0);
}

/* The whole map, by ascending gpa. */
struct dump {
	size_t n;
	struct kvmsea_memslot s[64];
};

static void dump(const struct kvmsea_memmap *m, struct dump *d)
{
	memset(d, 0, sizeof(*d));
	d->n = kvmsea_memmap_list(m, d->s, 64);
	assert_true(d->n <= 64);
}

/* kvmsea_memmap_set(@s) returns @err and the map is as it was. */
static void refused(struct kvmsea_memmap *m, struct kvmsea_memslot s, int err)
{
	struct dump before, after;

	dump(m, &before);
	assert_int_equal(kvmsea_memmap_set(m, &s), err);
	dump(m, &after);
	assert_memory_equal(&before, &after, sizeof(before));
}

/* Both lookups of an address slot @s holds, at @off into it. */
static void maps(const struct kvmsea_memmap *m, struct kvmsea_memslot s,
		 uint64_t off)
{
	struct kvmsea_memslot got;
	uint64_t to = 0;

	memset(&got, 0xa5, sizeof(got));
	assert_int_equal(kvmsea_memmap_hva_to_gpa(m, s.hva + off, &to, &got), 0);
	assert_int_equal(to, s.gpa + off);
	assert_memory_equal(&got, &s, sizeof(s));
	memset(&got, 0xa5, sizeof(got));
	assert_int_equal(kvmsea_memmap_gpa_to_hva(m, s.gpa + off, &to, &got), 0);
	assert_int_equal(to, s.hva + off);
	assert_memory_equal(&got, &s, sizeof(s));
}

/* Neither lookup finds @hva / @gpa, and the outputs are left alone. */
static void unmapped(const struct kvmsea_memmap *m, uint64_t hva, uint64_t gpa)
{
	struct kvmsea_memslot got, same;
	uint64_t to = 7;

	memset(&got, 0xa5, sizeof(got));
	same = got;
	assert_int_equal(kvmsea_memmap_hva_to_gpa(m, hva, &to, &got), -ENOENT);
	assert_int_equal(kvmsea_memmap_gpa_to_hva(m, gpa, &to, &got), -ENOENT);
	assert_int_equal(to, 7);
	assert_memory_equal(&got, &same, sizeof(got));
}

/* Every edge of @s: first and last byte, and the bytes just outside
 * (which @below and @above say are unmapped). */
static void edges(const struct kvmsea_memmap *m, struct kvmsea_memslot s,
		  bool below, bool above)
{
	maps(m, s, 0);
	maps(m, s, 1);
	maps(m, s, s.size / 2);
	maps(m, s, s.size - 1);
	if (below && s.gpa && s.hva)
		unmapped(m, s.hva - 1, s.gpa - 1);
	if (above)
		unmapped(m, s.hva + s.size, s.gpa + s.size);
}

static void test_empty(void **state)
{
	struct kvmsea_memmap *m = *state;
	struct kvmsea_memslot out;

	assert_int_equal(kvmsea_memmap_list(m, NULL, 0), 0);
	assert_int_equal(kvmsea_memmap_list(m, &out, 1), 0);
	unmapped(m, 0, 0);
	unmapped(m, 0x7f0000000000, 0x40000000);
	unmapped(m, UINT64_MAX, UINT64_MAX);
	refused(m, S(0, 0, 0, 0), -ENOENT);
}

static void test_lookup_edges(void **state)
{
	struct kvmsea_memmap *m = *state;
	/* gpa order differs from hva order; the last two touch in both */
	const struct kvmsea_memslot s[] = {
		S(0, 0x40000000, 0x10000000, 0x7f0000000000),
		S(7, 0x0, K4, 0x7e0000000000),
		S(3, 0x80000000, M2, 0x10000),
		S(9, 0x80000000 + M2, K4, 0x10000 + M2),
	};
	struct kvmsea_memslot ro = S(12, 0x100000000000, 64 * K4, 0x600000000000);
	struct kvmsea_memslot got;
	uint64_t to;

	ro.flags = KVMSEA_MEMSLOT_READONLY;
	for (size_t i = 0; i < 4; i++)
		add(m, s[i]);
	add(m, ro);
	edges(m, s[0], true, true);
	edges(m, s[1], false, true);
	edges(m, s[2], true, false);
	edges(m, s[3], false, true);
	edges(m, ro, true, true);
	/* the touching pair: the last byte of one, the first of the next */
	assert_int_equal(kvmsea_memmap_hva_to_gpa(m, 0x10000 + M2 - 1, &to, &got), 0);
	assert_int_equal(got.slot, 3);
	assert_int_equal(kvmsea_memmap_hva_to_gpa(m, 0x10000 + M2, &to, &got), 0);
	assert_int_equal(got.slot, 9);
	/* either output may be NULL */
	assert_int_equal(kvmsea_memmap_hva_to_gpa(m, 0x7f0000000123, NULL, NULL), 0);
	assert_int_equal(kvmsea_memmap_gpa_to_hva(m, 0x40000123, NULL, &got), 0);
	assert_int_equal(got.slot, 0);
	assert_int_equal(kvmsea_memmap_gpa_to_hva(m, 0x40000123, &to, NULL), 0);
	assert_int_equal(to, 0x7f0000000123);
	/* a host address is not taken for a guest one, nor the reverse */
	assert_int_equal(kvmsea_memmap_gpa_to_hva(m, 0x7f0000000123, &to, NULL), -ENOENT);
	assert_int_equal(kvmsea_memmap_hva_to_gpa(m, 0x40000123, &to, NULL), -ENOENT);
}

static void test_list(void **state)
{
	struct kvmsea_memmap *m = *state;
	struct kvmsea_memslot out[3];

	add(m, S(1, 0x3000, K4, 0x1000));
	add(m, S(2, 0x1000, K4, 0x3000));
	add(m, S(3, 0x2000, K4, 0x2000));
	memset(out, 0xa5, sizeof(out));
	assert_int_equal(kvmsea_memmap_list(m, out, 2), 3);
	assert_int_equal(out[0].slot, 2); /* ascending gpa */
	assert_int_equal(out[1].slot, 3);
	assert_int_equal(out[2].slot, 0xa5a5a5a5); /* n = 2: left alone */
	assert_int_equal(kvmsea_memmap_list(m, out, 3), 3);
	assert_int_equal(out[2].slot, 1);
}

static void test_bad_input(void **state)
{
	struct kvmsea_memmap *m = *state;
	const struct kvmsea_memslot keep = S(5, 0x40000000, M2, 0x7f0000000000);
	const uint64_t top = UINT64_MAX - K4 + 1; /* the last 4 KiB page */
	struct kvmsea_memslot s;

	add(m, keep);
	assert_int_equal(kvmsea_memmap_set(m, NULL), -EINVAL);
	/* as a new slot (1), and as a replacement of slot 5 */
	for (uint32_t n = 1; n <= 5; n += 4) {
		s = S(n, 0x80000000, K4, 0x10000);
		s.flags = 1u << 3; /* not a KVM_MEM_* flag */
		refused(m, s, -EINVAL);
		s.flags = 1u << 31;
		refused(m, s, -EINVAL);
		refused(m, S(n, 0x80000001, K4, 0x10000), -EINVAL);
		refused(m, S(n, 0x80000800, K4, 0x10000), -EINVAL);
		refused(m, S(n, 0x80000000, K4 + 1, 0x10000), -EINVAL);
		refused(m, S(n, 0x80000000, 0x800, 0x10000), -EINVAL);
		refused(m, S(n, 0x80000000, K4, 0x10001), -EINVAL);
		refused(m, S(n, 0x80000000, K4, 0x10800), -EINVAL);
		/* ending at 2^64 or beyond (KVM refuses both) */
		refused(m, S(n, top, K4, 0x10000), -EINVAL);
		refused(m, S(n, top, 2 * K4, 0x10000), -EINVAL);
		refused(m, S(n, 0x80000000, K4, top), -EINVAL);
		refused(m, S(n, 0x80000000, UINT64_MAX - K4 + 1, 0x10000), -EINVAL);
	}
	/* the last page below 2^64 is fine */
	add(m, S(2, top - K4, K4, top - K4));
	edges(m, S(2, top - K4, K4, top - K4), true, false);
	edges(m, keep, true, true);
}

static void test_overlap_gpa(void **state)
{
	struct kvmsea_memmap *m = *state;
	const uint64_t g = 0x40000000, h = 0x100000;

	add(m, S(1, g, 4 * K4, 0x7f0000000000));
	refused(m, S(2, g, 4 * K4, h), -EEXIST);           /* the same */
	refused(m, S(2, g - K4, 2 * K4, h), -EEXIST);      /* its first page */
	refused(m, S(2, g + 3 * K4, 2 * K4, h), -EEXIST);  /* its last page */
	refused(m, S(2, g + K4, K4, h), -EEXIST);          /* inside */
	refused(m, S(2, g - K4, 6 * K4, h), -EEXIST);      /* around */
	add(m, S(2, g - K4, K4, h));                       /* touching below */
	add(m, S(3, g + 4 * K4, K4, h + K4));              /* touching above */
	edges(m, S(1, g, 4 * K4, 0x7f0000000000), false, false);
}

static void test_alias_refused(void **state)
{
	struct kvmsea_memmap *m = *state;
	const uint64_t h = 0x7f0000000000;

	add(m, S(1, 0x40000000, 4 * K4, h));
	/* the same host memory at a second guest address */
	refused(m, S(2, 0x80000000, 4 * K4, h), -EEXIST);
	refused(m, S(2, 0x80000000, K4, h + 3 * K4), -EEXIST);
	refused(m, S(2, 0x80000000, 2 * K4, h - K4), -EEXIST);
	refused(m, S(2, 0x80000000, 8 * K4, h - K4), -EEXIST);
	add(m, S(2, 0x80000000, K4, h - K4));
	add(m, S(3, 0x90000000, K4, h + 4 * K4));
	edges(m, S(1, 0x40000000, 4 * K4, h), false, false);
}

static void test_replace(void **state)
{
	struct kvmsea_memmap *m = *state;
	struct kvmsea_memslot a = S(1, 0x40000000, 4 * K4, 0x100000);
	const struct kvmsea_memslot b = S(2, 0x80000000, K4, 0x200000);
	struct dump d;

	add(m, a);
	add(m, b);
	/* over its own old range: moved by a page in both spaces, grown */
	a = S(1, 0x40001000, 8 * K4, 0x101000);
	add(m, a);
	edges(m, a, true, true);
	unmapped(m, 0x100000, 0x40000000);
	/* flags only */
	a.flags = KVMSEA_MEMSLOT_READONLY;
	add(m, a);
	maps(m, a, 0);
	/* onto another slot's range: refused, the old one stays */
	refused(m, S(1, 0x80000000, K4, 0x300000), -EEXIST);
	refused(m, S(1, 0x50000000, K4, 0x200000), -EEXIST);
	maps(m, a, 0);
	dump(m, &d);
	assert_int_equal(d.n, 2);
}

static void test_delete(void **state)
{
	struct kvmsea_memmap *m = *state;
	struct kvmsea_memslot gone = S(4, 0x1234, 0, 0x5678);
	const struct kvmsea_memslot keep = S(9, 0x80000000, K4, 0x200000);

	add(m, S(4, 0x40000000, 4 * K4, 0x100000));
	add(m, keep);
	refused(m, S(5, 0, 0, 0), -ENOENT);
	/* only the number counts: gpa, hva and flags are not read */
	gone.flags = 0xffffffff;
	add(m, gone);
	unmapped(m, 0x100000, 0x40000000);
	refused(m, gone, -ENOENT);
	maps(m, keep, 0);
	/* its ranges are free again */
	add(m, S(5, 0x40000000, 4 * K4, 0x100000));
	edges(m, S(5, 0x40000000, 4 * K4, 0x100000), true, true);
}

static void test_slot_numbers(void **state)
{
	struct kvmsea_memmap *m = *state;

	/* a number is a key: with the address space id, or any other */
	add(m, S(UINT32_MAX, 0x1000, K4, 0x1000));
	add(m, S(1u << 16 | 3, 0x2000, K4, 0x2000));
	add(m, S(0, 0x3000, K4, 0x3000));
	maps(m, S(UINT32_MAX, 0x1000, K4, 0x1000), 0);
	maps(m, S(1u << 16 | 3, 0x2000, K4, 0x2000), 0);
	add(m, S(UINT32_MAX, 0, 0, 0));
	unmapped(m, 0x1000, 0x1000);
}

/* Slot i of the limit test, ascending in both spaces: every change is at
 * the arrays' end, so that filling and emptying 32767 slots stays cheap
 * (under valgrind too); the other tests mix the orders. */
static struct kvmsea_memslot nth(uint32_t i)
{
	return S(3 * i + 1, 0x100000000 + 2 * K4 * i, K4 + K4 * (i & 1),
		 0x7e0000000000 + 2 * K4 * i);
}

static void test_limit(void **state)
{
	struct kvmsea_memmap *m = *state;
	const uint32_t max = KVMSEA_MEMMAP_MAX_SLOTS;
	struct kvmsea_memslot *all = calloc(max, sizeof(*all));
	struct kvmsea_memslot s;

	assert_non_null(all);
	for (uint32_t i = 0; i < max; i++)
		add(m, nth(i));
	assert_int_equal(kvmsea_memmap_list(m, all, max), max);
	for (uint32_t i = 0; i < max; i++) {
		s = nth(i);
		assert_memory_equal(&all[i], &s, sizeof(s));
		maps(m, s, 0);
		maps(m, s, s.size - 1);
	}
	/* one more is refused, a replacement is not */
	s = S(0, 0x10000, K4, 0x10000);
	assert_int_equal(kvmsea_memmap_set(m, &s), -ENOSPC);
	unmapped(m, 0x10000, 0x10000);
	s = nth(100);
	s.flags = KVMSEA_MEMSLOT_READONLY;
	add(m, s);
	maps(m, s, 0);
	/* delete one: room for one */
	add(m, S(nth(7).slot, 0, 0, 0));
	add(m, S(0, 0x10000, K4, 0x10000));
	assert_int_equal(kvmsea_memmap_set(m, &(struct kvmsea_memslot){
				 .slot = 2, .gpa = 0x20000, .size = K4,
				 .hva = 0x20000 }), -ENOSPC);
	/* empty it, from the top */
	add(m, S(0, 0, 0, 0));
	for (uint32_t i = max; i-- > 0;)
		if (i != 7)
			add(m, S(nth(i).slot, 0, 0, 0));
	assert_int_equal(kvmsea_memmap_list(m, NULL, 0), 0);
	unmapped(m, nth(100).hva, nth(100).gpa);
	free(all);
}

/* ---- Random maps against a model ---- */

#define MODEL_NUMBERS 24

struct model {
	bool used[MODEL_NUMBERS];
	struct kvmsea_memslot s[MODEL_NUMBERS];
};

static bool cross(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/* What kvmsea_memmap_set() must answer, by the rules of memmap.h. */
static int model_set(struct model *md, const struct kvmsea_memslot *s)
{
	uint32_t k = s->slot;

	if (s->size == 0) {
		if (!md->used[k])
			return -ENOENT;
		md->used[k] = false;
		return 0;
	}
	if ((s->flags & ~KVMSEA_MEMMAP_FLAGS) ||
	    ((s->gpa | s->size | s->hva) & (K4 - 1)) ||
	    s->size > UINT64_MAX - s->gpa || s->size > UINT64_MAX - s->hva)
		return -EINVAL;
	for (uint32_t i = 0; i < MODEL_NUMBERS; i++) {
		if (!md->used[i] || i == k)
			continue;
		if (cross(md->s[i].gpa, md->s[i].size, s->gpa, s->size) ||
		    cross(md->s[i].hva, md->s[i].size, s->hva, s->size))
			return -EEXIST;
	}
	md->used[k] = true;
	md->s[k] = *s;
	return 0;
}

/* A slot on a small grid, so that overlaps are common; now and then bad. */
static struct kvmsea_memslot random_slot(uint64_t *rng)
{
	uint64_t r = rel_rand(rng);
	struct kvmsea_memslot s = {
		.slot = (uint32_t)(r % MODEL_NUMBERS),
		.gpa = ((r >> 8) % 64) * K4,
		.size = ((r >> 16) % 6) * K4,
		.hva = 0x10000000 + ((r >> 24) % 64) * K4,
		.flags = (r >> 32) & 1 ? KVMSEA_MEMSLOT_READONLY : 0,
	};

	switch ((r >> 40) % 24) {
	case 0:
		s.flags |= 1u << ((r >> 48) % 32);
		break;
	case 1:
		s.gpa |= (r >> 48) & (K4 - 1);
		break;
	case 2: /* the top pages: the last one cannot hold a slot */
		s.hva = -K4 * (1 + (r >> 48) % 3);
		break;
	case 3:
		s.gpa = -K4 * (1 + (r >> 48) % 3);
		break;
	}
	return s;
}

/* The model's slot holding @addr (in hva or gpa), or NULL. */
static const struct kvmsea_memslot *model_find(const struct model *md,
					       uint64_t addr, bool by_hva)
{
	for (uint32_t i = 0; i < MODEL_NUMBERS; i++) {
		const struct kvmsea_memslot *s = &md->s[i];
		uint64_t start = by_hva ? s->hva : s->gpa;

		if (md->used[i] && addr >= start && addr - start < s->size)
			return s;
	}
	return NULL;
}

static void check_probe(const struct kvmsea_memmap *m, const struct model *md,
			uint64_t addr, bool by_hva)
{
	const struct kvmsea_memslot *want = model_find(md, addr, by_hva);
	struct kvmsea_memslot got;
	uint64_t to;
	int ret = by_hva ? kvmsea_memmap_hva_to_gpa(m, addr, &to, &got)
			 : kvmsea_memmap_gpa_to_hva(m, addr, &to, &got);

	if (!want) {
		assert_int_equal(ret, -ENOENT);
		return;
	}
	assert_int_equal(ret, 0);
	assert_memory_equal(&got, want, sizeof(got));
	assert_int_equal(to, by_hva ? want->gpa + (addr - want->hva)
				    : want->hva + (addr - want->gpa));
}

static void check_model(const struct kvmsea_memmap *m, const struct model *md,
			uint64_t *rng)
{
	struct kvmsea_memslot want[MODEL_NUMBERS], got[MODEL_NUMBERS];
	size_t n = 0;

	/* the list: the model's slots by ascending gpa (insertion sort) */
	for (uint32_t i = 0; i < MODEL_NUMBERS; i++) {
		size_t j;

		if (!md->used[i])
			continue;
		for (j = n++; j > 0 && want[j - 1].gpa > md->s[i].gpa; j--)
			want[j] = want[j - 1];
		want[j] = md->s[i];
	}
	assert_int_equal(kvmsea_memmap_list(m, got, MODEL_NUMBERS), n);
	assert_memory_equal(got, want, n * sizeof(*got));
	/* every edge of every slot, and random addresses */
	for (size_t i = 0; i < n; i++) {
		const struct kvmsea_memslot *s = &want[i];
		const uint64_t at[] = { 0, s->size - 1, (uint64_t)-1, s->size };

		for (size_t j = 0; j < 4; j++) {
			check_probe(m, md, s->gpa + at[j], false);
			check_probe(m, md, s->hva + at[j], true);
		}
	}
	for (int i = 0; i < 8; i++) {
		uint64_t r = rel_rand(rng);

		check_probe(m, md, r % (80 * K4), false);
		check_probe(m, md, 0x10000000 + (r >> 32) % (80 * K4), true);
	}
}

#ifdef MEM_SMALL
#define DEFAULT_SEEDS 40 /* under qemu-user */
#else
#define DEFAULT_SEEDS 200
#endif

static void test_random_vs_model(void **state)
{
	const unsigned long seeds = rel_env_count("KVMSEA_MEMMAP_SEEDS", DEFAULT_SEEDS);

	(void)state;
	for (uint64_t seed = 1; seed <= seeds; seed++) {
		struct kvmsea_memmap m;
		struct model md;
		uint64_t rng = seed;

		memset(&md, 0, sizeof(md));
		assert_int_equal(kvmsea_memmap_init(&m), 0);
		for (int op = 0; op < 300; op++) {
			struct kvmsea_memslot s = random_slot(&rng);
			int want = model_set(&md, &s);

			assert_int_equal(kvmsea_memmap_set(&m, &s), want);
			check_model(&m, &md, &rng);
		}
		kvmsea_memmap_fini(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_gpa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alias_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slot_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
		cmocka_unit_test(test_random_vs_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
