/* SPDX-License-Identifier: MIT */
/*
 * The guest memory map's writer side: validating a memslot and changing
 * the map without ever making a lookup wait, lock or see a half-made map.
 *
 * The map is kept twice (the "left-right" technique of Ramalhete and
 * Correia, 2015). Lookups read the copy named by `live`; the writer
 * changes the other one, publishes it, waits until no lookup can still be
 * reading the old one, and then makes the same change there. So a lookup
 * only ever reads a copy nobody writes, and it never waits for anything.
 *
 * A lookup (memmap-lookup.c) does, in this order:
 *   R1  v = version
 *   R2  readers[v] += 1
 *   R3  i = live; read copy[i]
 *   R4  readers[v] -= 1
 * The writer, holding the mutex, with cur = live:
 *   W0  change copy[1 - cur]
 *   W1  live = 1 - cur
 *   W2  v = version; wait until readers[1 - v] == 0
 *   W3  version = 1 - v
 *   W4  wait until readers[v] == 0
 *   W5  change copy[cur] the same way
 * Every access to live, version and readers is a seq_cst C11 atomic, so
 * all of them fall in one total order S that agrees with each thread's
 * program order; the mutex orders the writers one after the other.
 *
 * Claim: at W5 no lookup reads copy[cur], and none will until a later
 * writer publishes cur again (after its own W0, so what it reads is whole).
 * A lookup L that reads copy[cur] read live == cur at R3, so R3 < W1 in S
 * (after W1, live is 1 - cur until a later writer, which runs after W5).
 * Then R2 < R3 < W1 < W2 < W3 < W4. Which counter did L join?
 *   a. readers[v] (the v the writer read at W2): W4 reads that counter
 *      after R2, and it cannot read 0 while L is counted (every lookup
 *      adds its 1 before it takes it away), so W4 ends after R4.
 *   b. readers[1 - v]: L read version == 1 - v at R1, and the writer read
 *      v, so an earlier writer E flipped version to v (its W3) after R1.
 *      If L's R2 came before E's W4 ended, E waited for L: L ended before
 *      this writer even took the mutex. Otherwise R2 came after E was
 *      done, so before this writer's W2 (R2 < W1 < W2), and W2 waits for
 *      L's R4.
 * Either way L's R4 comes before W5. R4 is a release and the wait's load
 * that reads the counter is an acquire, so everything L read happens
 * before everything W5 writes: no data race, and TSan sees the same edge.
 * W0 is sequenced before W1 (a release) and R3 is an acquire: a lookup
 * that finds the new copy sees it whole.
 *
 * Why both waits: with W4 alone, case b would be missed. W2 runs before
 * W3, so it waits only for stragglers that read the old version before
 * the previous flip, and W4 only for lookups that joined before this
 * flip: neither can be kept waiting by a stream of new lookups.
 *
 * Signal handlers. A lookup never waits, so one in a handler always ends,
 * whatever the interrupted thread was doing: in a lookup of its own (the
 * counters just count both), or in this writer. A handler that interrupts
 * the writer before W1 reads copy[cur], which the writer does not touch
 * until W5, and returns before the writer's waits resume; one that
 * interrupts it after W1 reads copy[1 - cur], which the writer no longer
 * touches. The writer itself must not be called from a handler (the
 * mutex, malloc).
 *
 * fork(): a child inherits the counters of lookups that other threads had
 * in progress and that never end in the child, so a writer there could
 * wait for ever. Lookups in a child are fine.
 */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>

#include "alloc.h"
#include "memmap.h"

#define PAGE_MASK 0xfffULL /* KVM's smallest page: 4 KiB */

int kvmsea_memmap_init(struct kvmsea_memmap *m)
{
	memset(m, 0, sizeof(*m));
	atomic_init(&m->live, 0);
	atomic_init(&m->version, 0);
	atomic_init(&m->readers[0], 0);
	atomic_init(&m->readers[1], 0);
	return -pthread_mutex_init(&m->lock, NULL);
}

void kvmsea_memmap_fini(struct kvmsea_memmap *m)
{
	kvmsea_free(m->copy[0].by_gpa); /* by_hva lives in the same block */
	kvmsea_free(m->copy[1].by_gpa);
	kvmsea_free(m->by_number);
	pthread_mutex_destroy(&m->lock);
	memset(m, 0, sizeof(*m));
}

/* ---- Sorted arrays ---- */

static void array_insert(struct kvmsea_memslot *a, uint32_t n, uint32_t i,
			 const struct kvmsea_memslot *s)
{
	memmove(&a[i + 1], &a[i], (n - i) * sizeof(*a));
	a[i] = *s;
}

static void array_remove(struct kvmsea_memslot *a, uint32_t n, uint32_t i)
{
	memmove(&a[i], &a[i + 1], (n - i - 1) * sizeof(*a));
}

/* Whether a slot other than number @except overlaps [start, start + size)
 * in @a, sorted by @by_hva ? hva : gpa. */
static bool overlaps(const struct kvmsea_memslot *a, uint32_t n, int by_hva,
		     uint64_t start, uint64_t size, uint32_t except)
{
	for (uint32_t i = kvmsea_memmap_first_after(a, n, start, by_hva); i < n; i++) {
		if ((by_hva ? a[i].hva : a[i].gpa) >= start + size)
			break;
		if (a[i].slot != except)
			return true;
	}
	return false;
}

/* The index of the first slot numbered @number or above in by_number. */
static uint32_t number_index(const struct kvmsea_memmap *m, uint32_t n,
			     uint32_t number)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (m->by_number[mid].slot >= number)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* ---- The copies ---- */

/* Take @old out of @c (if not NULL), then put @new in (if not NULL). */
static void copy_change(struct kvmsea_memmap_copy *c,
			const struct kvmsea_memslot *old,
			const struct kvmsea_memslot *new)
{
	if (old) {
		array_remove(c->by_gpa, c->n,
			     kvmsea_memmap_first_after(c->by_gpa, c->n, old->gpa, 0));
		array_remove(c->by_hva, c->n,
			     kvmsea_memmap_first_after(c->by_hva, c->n, old->hva, 1));
		c->n--;
	}
	if (new) {
		array_insert(c->by_gpa, c->n,
			     kvmsea_memmap_first_after(c->by_gpa, c->n, new->gpa, 0), new);
		array_insert(c->by_hva, c->n,
			     kvmsea_memmap_first_after(c->by_hva, c->n, new->hva, 1), new);
		c->n++;
	}
}

/* Give @c the storage @block (room for @cap slots in each order) holding
 * what @from holds, and free its own. */
static void copy_move(struct kvmsea_memmap_copy *c, struct kvmsea_memslot *block,
		      uint32_t cap, const struct kvmsea_memmap_copy *from)
{
	if (from->n) { /* an empty copy may have no storage yet */
		memcpy(block, from->by_gpa, from->n * sizeof(*block));
		memcpy(block + cap, from->by_hva, from->n * sizeof(*block));
	}
	kvmsea_free(c->by_gpa);
	c->by_gpa = block;
	c->by_hva = block + cap;
	c->n = from->n;
}

/* Room for @need slots: new storage for both copies in @fresh (the live
 * one is in use and is moved only after the wait), by_number grown in
 * place. Nothing changes on -ENOMEM. */
static int reserve(struct kvmsea_memmap *m, uint32_t need,
		   struct kvmsea_memslot *fresh[2], uint32_t *cap)
{
	struct kvmsea_memslot *numbers;

	fresh[0] = fresh[1] = NULL;
	*cap = m->cap;
	if (need <= m->cap)
		return 0;
	*cap = m->cap ? 2 * m->cap : 8;
	if (*cap > KVMSEA_MEMMAP_MAX_SLOTS)
		*cap = KVMSEA_MEMMAP_MAX_SLOTS;
	fresh[0] = kvmsea_malloc(2 * sizeof(**fresh) * *cap);
	fresh[1] = kvmsea_malloc(2 * sizeof(**fresh) * *cap);
	numbers = kvmsea_realloc(m->by_number, sizeof(*numbers) * *cap);
	if (numbers)
		m->by_number = numbers; /* bigger, same contents: nothing changed */
	if (!fresh[0] || !fresh[1] || !numbers) {
		kvmsea_free(fresh[0]);
		kvmsea_free(fresh[1]);
		return -ENOMEM;
	}
	return 0;
}

/* W2..W4 above: return once no lookup can be reading the copy that was
 * live before the last store to m->live. */
static void wait_for_lookups(struct kvmsea_memmap *m)
{
	unsigned int v = atomic_load(&m->version);

	while (atomic_load(&m->readers[1 - v]) != 0)
		sched_yield();
	atomic_store(&m->version, 1 - v);
	while (atomic_load(&m->readers[v]) != 0)
		sched_yield();
}

/* The checks; 0 or the errno for kvmsea_memmap_set(). */
static int check(const struct kvmsea_memmap *m, const struct kvmsea_memslot *s,
		 const struct kvmsea_memslot *old)
{
	const struct kvmsea_memmap_copy *c = &m->copy[atomic_load(&m->live)];

	if (s->size == 0)
		return old ? 0 : -ENOENT;
	if (s->flags & ~KVMSEA_MEMMAP_FLAGS)
		return -EINVAL;
	if ((s->gpa | s->size | s->hva) & PAGE_MASK)
		return -EINVAL;
	if (s->size > UINT64_MAX - s->gpa || s->size > UINT64_MAX - s->hva)
		return -EINVAL;
	if (overlaps(c->by_gpa, c->n, 0, s->gpa, s->size, s->slot) ||
	    overlaps(c->by_hva, c->n, 1, s->hva, s->size, s->slot))
		return -EEXIST;
	if (!old && c->n >= KVMSEA_MEMMAP_MAX_SLOTS)
		return -ENOSPC;
	return 0;
}

int kvmsea_memmap_set(struct kvmsea_memmap *m, const struct kvmsea_memslot *slot)
{
	struct kvmsea_memslot s, old, *fresh[2];
	const struct kvmsea_memslot *gone, *added;
	unsigned int cur, spare;
	uint32_t n, i, cap;
	int ret;

	if (!slot)
		return -EINVAL;
	s = *slot;

	pthread_mutex_lock(&m->lock);
	cur = atomic_load(&m->live);
	spare = 1 - cur;
	n = m->copy[cur].n;
	i = number_index(m, n, s.slot);
	gone = NULL;
	if (i < n && m->by_number[i].slot == s.slot) {
		old = m->by_number[i];
		gone = &old;
	}
	added = s.size ? &s : NULL;

	ret = check(m, &s, gone);
	if (ret == 0)
		ret = reserve(m, n + (added && !gone), fresh, &cap);
	if (ret < 0) {
		pthread_mutex_unlock(&m->lock);
		return ret;
	}

	/* W0: no lookup reads the spare copy (the claim above). */
	if (fresh[spare])
		copy_move(&m->copy[spare], fresh[spare], cap, &m->copy[cur]);
	copy_change(&m->copy[spare], gone, added);
	atomic_store(&m->live, spare); /* W1 */
	wait_for_lookups(m);           /* W2..W4 */
	if (fresh[cur])                /* W5 */
		copy_move(&m->copy[cur], fresh[cur], cap, &m->copy[spare]);
	else
		copy_change(&m->copy[cur], gone, added);
	m->cap = cap;

	/* by_number, which only writers read */
	if (gone)
		array_remove(m->by_number, n, i);
	if (added)
		array_insert(m->by_number, n - (gone != NULL), i, added);
	pthread_mutex_unlock(&m->lock);
	return 0;
}
