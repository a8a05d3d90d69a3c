/* SPDX-License-Identifier: MIT */
/*
 * The guest memory map's lookups: async-signal-safe, lock-free and
 * wait-free, no allocation, O(log n). They run in the VMM's SIGBUS handler,
 * so this file calls nothing but what tests/memory/check-signal-safe.sh
 * allows, and its only shared writes are the two reader counters. Why a
 * lookup always sees one whole map, and why the writer never frees or
 * changes what a lookup reads, is in memmap.c.
 */
#include <errno.h>
#include <string.h>

#include "memmap.h"

/* An atomic that is not lock-free is emulated with a lock, which a signal
 * handler interrupting its holder would wait on for ever. */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2,
	       "the map's counters must be lock-free atomics");

/* R1..R3 of memmap.c: join a reader counter (*@v), then take the live
 * copy. The counters are the only memory a lookup writes; a map is never
 * defined const, so casting the qualifier away is defined. */
static const struct kvmsea_memmap_copy *enter(const struct kvmsea_memmap *cm,
					      unsigned int *v)
{
	struct kvmsea_memmap *m = (struct kvmsea_memmap *)cm;

	*v = atomic_load(&m->version);
	atomic_fetch_add(&m->readers[*v], 1);
	return &m->copy[atomic_load(&m->live)];
}

/* R4: done with the copy. */
static void leave(const struct kvmsea_memmap *cm, unsigned int v)
{
	struct kvmsea_memmap *m = (struct kvmsea_memmap *)cm;

	atomic_fetch_sub(&m->readers[v], 1);
}

/* Inlined into each direction, so that each searches its own array with
 * no test of @by_hva left in the loop. */
static inline __attribute__((always_inline)) int
lookup(const struct kvmsea_memmap *m, uint64_t addr, int by_hva, uint64_t *to,
       struct kvmsea_memslot *slot)
{
	unsigned int v;
	const struct kvmsea_memmap_copy *c = enter(m, &v);
	const struct kvmsea_memslot *a = by_hva ? c->by_hva : c->by_gpa;
	uint32_t i = kvmsea_memmap_first_after(a, c->n, addr, by_hva);
	int ret = -ENOENT;

	if (i < c->n) {
		const struct kvmsea_memslot *s = &a[i];
		uint64_t from = by_hva ? s->hva : s->gpa;

		if (from <= addr) {
			if (to)
				*to = (by_hva ? s->gpa : s->hva) + (addr - from);
			if (slot)
				*slot = *s;
			ret = 0;
		}
	}
	leave(m, v);
	return ret;
}

int kvmsea_memmap_hva_to_gpa(const struct kvmsea_memmap *m, uint64_t hva,
			     uint64_t *gpa, struct kvmsea_memslot *slot)
{
	return lookup(m, hva, 1, gpa, slot);
}

int kvmsea_memmap_gpa_to_hva(const struct kvmsea_memmap *m, uint64_t gpa,
			     uint64_t *hva, struct kvmsea_memslot *slot)
{
	return lookup(m, gpa, 0, hva, slot);
}

size_t kvmsea_memmap_list(const struct kvmsea_memmap *m,
			  struct kvmsea_memslot *out, size_t n)
{
	unsigned int v;
	const struct kvmsea_memmap_copy *c = enter(m, &v);
	size_t total = c->n;

	if (n > total)
		n = total;
	if (n)
		memcpy(out, c->by_gpa, n * sizeof(*out));
	leave(m, v);
	return total;
}
