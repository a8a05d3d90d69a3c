/* SPDX-License-Identifier: MIT */
/*
 * The poison registry and the storm policy.
 *
 * The registry holds disjoint guest physical ranges, sorted by address. An
 * error's range is the poisoned host page seen from the guest: 4 KiB for
 * an exit-41 SEA (KVM reports a 4 KiB-aligned IPA), the backing's page for
 * a SIGBUS (si_addr_lsb: 12, 16, 21 or 30). Recording one:
 *   - inside a held range: that range's error. Its count and last time
 *     move; nothing is new.
 *   - overlapping held ranges without being inside one (a SIGBUS for the
 *     2 MiB page around a 4 KiB page an exit reported; two host pages at
 *     guest addresses not aligned to their size): the error and those
 *     ranges are one bad region, so they become one range, their union.
 *     Its first time, source and hva are the oldest's, its count their
 *     sum plus one; nothing is new, and the distinct count can go down
 *     (what looked like two pages was one). Only such a union can have a
 *     size that is not a power of two.
 *   - overlapping nothing: a new range, kept if there is room, else
 *     dropped and counted. A dropped range is new again every time it is
 *     seen.
 * A range's hva is the first one seen for its first byte (0 until then),
 * which stays right whatever joins the range later.
 *
 * The storm policy: with N pages and a window T, an error is in a storm
 * when the last N new ranges (dropped ones too: a full registry is no
 * reason to stop counting) were all first seen in the last T nanoseconds
 * of CLOCK_MONOTONIC, now included. A ring of the last N first-seen times
 * answers that in O(1): the oldest of them is within T of now. Repeats
 * of known ranges are told whether the condition still holds; they do not
 * feed it. Callers read the clock before the mutex, so two racing errors
 * can arrive out of order by that much; a time before the oldest counts
 * as no time after it.
 */
#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "poison.h"

#define PAGE_SIZE_MIN 4096ULL

int kvmsea_poison_init(struct kvmsea_poison_set *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->ranges = kvmsea_calloc(KVMSEA_POISON_DEFAULT_CAPACITY, sizeof(*s->ranges));
	if (!s->ranges)
		return -ENOMEM;
	s->cap = KVMSEA_POISON_DEFAULT_CAPACITY;
	ret = pthread_mutex_init(&s->lock, NULL);
	if (ret) {
		kvmsea_free(s->ranges);
		s->ranges = NULL;
		return -ret;
	}
	return 0;
}

void kvmsea_poison_fini(struct kvmsea_poison_set *s)
{
	kvmsea_free(s->ranges);
	kvmsea_free(s->storm_seen);
	pthread_mutex_destroy(&s->lock);
	memset(s, 0, sizeof(*s));
}

/* The lock of a registry the caller may only read: a registry is never
 * defined const, so casting the qualifier away is defined. */
static pthread_mutex_t *lock_of(const struct kvmsea_poison_set *s)
{
	return &((struct kvmsea_poison_set *)s)->lock;
}

int kvmsea_poison_set_capacity(struct kvmsea_poison_set *s, size_t capacity)
{
	struct kvmsea_poison *ranges = NULL;
	int ret = 0;

	if (capacity > KVMSEA_POISON_MAX)
		return -EINVAL;
	pthread_mutex_lock(&s->lock);
	if (capacity < s->n) {
		ret = -EBUSY;
	} else if (capacity) {
		ranges = kvmsea_realloc(s->ranges, capacity * sizeof(*ranges));
		if (!ranges)
			ret = -ENOMEM; /* the old block is still ours */
	}
	if (ret == 0) {
		if (!capacity)
			kvmsea_free(s->ranges);
		s->ranges = ranges;
		s->cap = capacity;
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

int kvmsea_poison_set_storm(struct kvmsea_poison_set *s, uint32_t pages,
			    uint64_t window_ns)
{
	uint64_t *seen = NULL;

	if (pages > KVMSEA_POISON_MAX || (pages && !window_ns))
		return -EINVAL;
	if (pages) {
		seen = kvmsea_calloc(pages, sizeof(*seen));
		if (!seen)
			return -ENOMEM;
	}
	pthread_mutex_lock(&s->lock);
	kvmsea_free(s->storm_seen);
	s->storm_seen = seen;
	s->storm_pages = pages;
	s->storm_window_ns = pages ? window_ns : 0;
	s->storm_next = 0;
	s->storm_fill = 0;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* The index of the first range ending after @gpa; n if none. Ranges are
 * disjoint, so their ends are sorted too. */
static size_t first_after(const struct kvmsea_poison_set *s, uint64_t gpa)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ranges[mid].gpa + s->ranges[mid].size > gpa)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool valid(const struct kvmsea_poison_error *e)
{
	return e->size >= PAGE_SIZE_MIN && !(e->size & (e->size - 1)) &&
	       !(e->gpa & (PAGE_SIZE_MIN - 1)) && e->size <= UINT64_MAX - e->gpa &&
	       e->source >= KVMSEA_SOURCE_EXIT && e->source <= KVMSEA_SOURCE_CALLER;
}

/*
 * Fold @e's time into @r.  Events reach the registry out of order: a
 * SIGBUS queued by the handler is drained after the guest's later touch
 * was recorded.  So a range's first and last times are the minimum and
 * maximum seen, and its source is that of the earliest event.
 */
static void note_time(struct kvmsea_poison *r, uint64_t ns,
		      enum kvmsea_source source)
{
	if (ns < r->first_ns) {
		r->first_ns = ns;
		r->source = source;
	}
	if (ns > r->last_ns)
		r->last_ns = ns;
}

/* Ranges [i, j) become one with @e. */
static void merge(struct kvmsea_poison_set *s, size_t i, size_t j,
		  const struct kvmsea_poison_error *e)
{
	struct kvmsea_poison *r = &s->ranges[i];
	uint64_t start = r->gpa < e->gpa ? r->gpa : e->gpa;
	uint64_t end = e->gpa + e->size;

	if (r->gpa != start || !r->hva)
		r->hva = e->gpa == start ? e->hva : 0;
	for (size_t k = i + 1; k < j; k++) {
		const struct kvmsea_poison *o = &s->ranges[k];

		note_time(r, o->first_ns, o->source);
		note_time(r, o->last_ns, o->source);
		r->count += o->count;
	}
	if (s->ranges[j - 1].gpa + s->ranges[j - 1].size > end)
		end = s->ranges[j - 1].gpa + s->ranges[j - 1].size;
	r->gpa = start;
	r->size = end - start;
	note_time(r, e->realtime_ns, e->source);
	r->count++;
	memmove(r + 1, &s->ranges[j], (s->n - j) * sizeof(*r));
	s->n -= j - i - 1;
}

/* Note a new range's first sighting in the storm ring. */
static void storm_note(struct kvmsea_poison_set *s, uint64_t now)
{
	if (!s->storm_pages)
		return;
	s->storm_seen[s->storm_next] = now;
	s->storm_next = (s->storm_next + 1) % s->storm_pages;
	if (s->storm_fill < s->storm_pages)
		s->storm_fill++;
}

static bool storm_holds(const struct kvmsea_poison_set *s, uint64_t now)
{
	uint64_t oldest;

	if (!s->storm_pages || s->storm_fill < s->storm_pages)
		return false;
	oldest = s->storm_seen[s->storm_next];
	return now <= oldest || now - oldest <= s->storm_window_ns;
}

int kvmsea_poison_record(struct kvmsea_poison_set *s,
			 const struct kvmsea_poison_error *e,
			 struct kvmsea_poison_result *res)
{
	uint64_t end;
	size_t i, j;

	if (!e || !res || !valid(e))
		return -EINVAL;
	memset(res, 0, sizeof(*res));
	end = e->gpa + e->size;

	pthread_mutex_lock(&s->lock);
	i = first_after(s, e->gpa);
	for (j = i; j < s->n && s->ranges[j].gpa < end; j++)
		;
	if (j > i) {
		struct kvmsea_poison *r = &s->ranges[i];

		if (j == i + 1 && r->gpa <= e->gpa && end <= r->gpa + r->size) {
			if (!r->hva && r->gpa == e->gpa)
				r->hva = e->hva;
			note_time(r, e->realtime_ns, e->source);
			r->count++;
		} else {
			merge(s, i, j, e);
		}
		res->count = r->count;
	} else {
		res->new_range = true;
		storm_note(s, e->monotonic_ns);
		if (s->n < s->cap) {
			memmove(&s->ranges[i + 1], &s->ranges[i],
				(s->n - i) * sizeof(*s->ranges));
			s->ranges[i] = (struct kvmsea_poison){
				.gpa = e->gpa, .size = e->size, .hva = e->hva,
				.source = e->source, .first_ns = e->realtime_ns,
				.last_ns = e->realtime_ns, .count = 1,
			};
			s->n++;
			res->count = 1;
		} else {
			s->dropped++;
			res->dropped = true;
		}
	}
	res->storm = storm_holds(s, e->monotonic_ns);
	res->distinct = (uint32_t)s->n;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int kvmsea_poison_query(const struct kvmsea_poison_set *s, uint64_t gpa,
			uint64_t size)
{
	size_t i;
	int hit;

	if (!size || size > UINT64_MAX - gpa)
		return -EINVAL;
	pthread_mutex_lock(lock_of(s));
	i = first_after(s, gpa);
	hit = i < s->n && s->ranges[i].gpa < gpa + size;
	pthread_mutex_unlock(lock_of(s));
	return hit;
}

size_t kvmsea_poison_list(const struct kvmsea_poison_set *s,
			  struct kvmsea_poison *out, size_t n)
{
	size_t total;

	pthread_mutex_lock(lock_of(s));
	total = s->n;
	if (n > total)
		n = total;
	if (n)
		memcpy(out, s->ranges, n * sizeof(*out));
	pthread_mutex_unlock(lock_of(s));
	return total;
}

void kvmsea_poison_clear(struct kvmsea_poison_set *s)
{
	pthread_mutex_lock(&s->lock);
	s->n = 0;
	pthread_mutex_unlock(&s->lock);
}

uint64_t kvmsea_poison_dropped(const struct kvmsea_poison_set *s)
{
	uint64_t dropped;

	pthread_mutex_lock(lock_of(s));
	dropped = s->dropped;
	pthread_mutex_unlock(lock_of(s));
	return dropped;
}
