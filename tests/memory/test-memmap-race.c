/* SPDX-License-Identifier: MIT */
/*
 * Lookups racing a writer: reader threads, and signal handlers on the
 * readers and on the writer itself (in the middle of kvmsea_memmap_set()),
 * look addresses up while the writer replaces, deletes and re-adds slots
 * in a loop. Every answer must have been true in some published map:
 *   - a slot that changes can only be seen as one of its versions, whole
 *     (no field from one version and another from the next), and the
 *     translation must agree with that version;
 *   - slots the writer never touches are found every time;
 *   - churn slots, added and deleted to move everything else around in
 *     the sorted arrays, are whole when seen;
 *   - a copy of the whole map (kvmsea_memmap_list(), which reads for much
 *     longer than a lookup, so that a writer changing what it reads would
 *     show) is sorted, disjoint, and holds each slot once, whole.
 * Run under ThreadSanitizer by tests/reliability/run-tsan.sh, which also
 * reports any call a handler makes that is not async-signal-safe.
 *
 * KVMSEA_RACE_SETS writer calls (default 20000, 2000 in the cross build
 * under qemu-user) and KVMSEA_RACE_MS milliseconds (default 500) at least,
 * KVMSEA_RACE_READERS reader threads (default 3).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "memmap.h"
#include "rel-env.h"

#ifdef MEM_SMALL
#define DEFAULT_SETS 2000
#else
#define DEFAULT_SETS 20000
#endif
#define MAX_READERS 64

#define K4 0x1000ULL
#define REGION (16 * K4)      /* each slot's own part of both spaces */
#define CHANGING 12           /* slots 0..11: four versions each */
#define VERSIONS 4
#define STABLE 8              /* slots 100..107: never touched */
#define CHURN 48              /* slots 200..247: come and go */
#define GBASE 0x40000000ULL
#define HBASE 0x7f0000000000ULL

static struct kvmsea_memmap map;
static pthread_t writer;
static volatile sig_atomic_t writer_in_set; /* read by the writer's handler */
static atomic_bool stop_kicks, stop_reads;
static atomic_ulong failures, lookups, handler_runs, handler_in_writer;

/* Version v of changing slot i: its ranges move and grow inside its region
 * (over its own old range), its flags change, and its hva order is not its
 * gpa order. */
static struct kvmsea_memslot changing(uint32_t i, uint32_t v)
{
	return (struct kvmsea_memslot){
		.slot = i,
		.flags = v & 1 ? KVMSEA_MEMSLOT_READONLY : 0,
		.gpa = GBASE + i * REGION + v * K4,
		.size = (v + 1) * K4,
		.hva = HBASE + (CHANGING - 1 - i) * REGION + (VERSIONS - 1 - v) * K4,
	};
}

static struct kvmsea_memslot stable(uint32_t j)
{
	return (struct kvmsea_memslot){
		.slot = 100 + j,
		.gpa = GBASE + (CHANGING + j) * REGION,
		.size = 2 * K4,
		.hva = HBASE + (CHANGING + STABLE - 1 - j) * REGION + K4,
	};
}

static struct kvmsea_memslot churn(uint32_t k)
{
	return (struct kvmsea_memslot){
		.slot = 200 + k,
		.gpa = GBASE + (CHANGING + STABLE + k) * REGION,
		.size = K4,
		.hva = HBASE + (CHANGING + STABLE + k) * REGION,
	};
}

static bool same(const struct kvmsea_memslot *a, const struct kvmsea_memslot *b)
{
	return a->slot == b->slot && a->flags == b->flags && a->gpa == b->gpa &&
	       a->size == b->size && a->hva == b->hva;
}

/* Whether @s is a slot some published map held. */
static bool legal(const struct kvmsea_memslot *s)
{
	struct kvmsea_memslot want;

	if (s->slot < CHANGING) {
		for (uint32_t v = 0; v < VERSIONS; v++) {
			want = changing(s->slot, v);
			if (same(s, &want))
				return true;
		}
		return false;
	}
	if (s->slot >= 100 && s->slot < 100 + STABLE) {
		want = stable(s->slot - 100);
		return same(s, &want);
	}
	if (s->slot >= 200 && s->slot < 200 + CHURN) {
		want = churn(s->slot - 200);
		return same(s, &want);
	}
	return false;
}

/* One lookup of a random address of a random region; true if the answer
 * was possible. Async-signal-safe: the handler calls it. */
static bool probe(uint64_t r)
{
	uint32_t region = (uint32_t)(r % (CHANGING + STABLE + CHURN));
	bool by_hva = (r >> 8) & 1;
	uint64_t off = (r >> 16) % REGION;
	struct kvmsea_memslot s;
	uint64_t addr, to, from, into;
	int ret;

	if (region < CHANGING) {
		addr = by_hva ? HBASE + (CHANGING - 1 - region) * REGION + off
			      : GBASE + region * REGION + off;
	} else if (region < CHANGING + STABLE) {
		struct kvmsea_memslot st = stable(region - CHANGING);

		off %= st.size; /* inside it: must be found */
		addr = (by_hva ? st.hva : st.gpa) + off;
	} else {
		addr = (by_hva ? HBASE : GBASE) + region * REGION + off;
	}

	ret = by_hva ? kvmsea_memmap_hva_to_gpa(&map, addr, &to, &s)
		     : kvmsea_memmap_gpa_to_hva(&map, addr, &to, &s);
	if (ret == -ENOENT)
		return region < CHANGING || region >= CHANGING + STABLE;
	if (ret != 0 || !legal(&s))
		return false;
	from = by_hva ? s.hva : s.gpa;
	into = by_hva ? s.gpa : s.hva;
	return addr >= from && addr - from < s.size && to == into + (addr - from);
}

/* A copy of the whole map (what a lookup reads, for much longer); true if
 * it is a map the writer could have published: sorted, disjoint, every
 * slot whole and once, the stable ones all there. */
static bool whole_map(void)
{
	struct kvmsea_memslot all[CHANGING + STABLE + CHURN];
	size_t n = kvmsea_memmap_list(&map, all, CHANGING + STABLE + CHURN);
	bool seen[256] = { false };
	uint32_t stables = 0;

	if (n > CHANGING + STABLE + CHURN)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!legal(&all[i]) || seen[all[i].slot])
			return false;
		seen[all[i].slot] = true;
		stables += all[i].slot >= 100 && all[i].slot < 100 + STABLE;
		if (i && all[i - 1].gpa + all[i - 1].size > all[i].gpa)
			return false;
	}
	return stables == STABLE;
}

static void on_signal(int sig)
{
	int saved = errno;
	unsigned long k = atomic_fetch_add(&handler_runs, 1);
	uint64_t rng = k * 7919 + 1;

	(void)sig;
	if (pthread_equal(pthread_self(), writer) && writer_in_set)
		atomic_fetch_add(&handler_in_writer, 1);
	for (int i = 0; i < 4; i++)
		if (!probe(rel_rand(&rng)))
			atomic_fetch_add(&failures, 1);
	if (!whole_map())
		atomic_fetch_add(&failures, 1);
	errno = saved;
}

static void *reader(void *arg)
{
	uint64_t rng = (uintptr_t)arg;
	unsigned long n = 0;

	while (!atomic_load(&stop_reads)) {
		uint64_t r = rel_rand(&rng);

		if (!(r % 8 ? probe(r) : whole_map()))
			atomic_fetch_add(&failures, 1);
		n++;
	}
	atomic_fetch_add(&lookups, n);
	return NULL;
}

struct kicker {
	pthread_t *readers;
	unsigned long nreaders;
};

/* Signals the writer and each reader in turn, every 20 us. */
static void *kicker(void *arg)
{
	const struct kicker *k = arg;
	const struct timespec pause = { .tv_nsec = 20000 };

	for (unsigned long i = 0; !atomic_load(&stop_kicks); i++) {
		pthread_kill(writer, SIGUSR1);
		pthread_kill(k->readers[i % k->nreaders], SIGUSR1);
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void set(const struct kvmsea_memslot *s)
{
	writer_in_set = 1;
	if (kvmsea_memmap_set(&map, s) != 0)
		atomic_fetch_add(&failures, 1);
	writer_in_set = 0;
}

static void test_race(void **state)
{
	const unsigned long sets = rel_env_count("KVMSEA_RACE_SETS", DEFAULT_SETS);
	const double end_ms = now_ms() + rel_env_count("KVMSEA_RACE_MS", 500);
	unsigned long nreaders = rel_env_count("KVMSEA_RACE_READERS", 3);
	pthread_t readers[MAX_READERS], kick;
	struct kicker k = { readers, 0 };
	bool present[CHANGING] = { false }, churned[CHURN] = { false };
	struct sigaction sa;
	unsigned long calls;
	uint64_t rng = 42;

	(void)state;
	if (nreaders > MAX_READERS)
		nreaders = MAX_READERS;
	k.nreaders = nreaders;
	assert_int_equal(kvmsea_memmap_init(&map), 0);
	for (uint32_t j = 0; j < STABLE; j++) {
		struct kvmsea_memslot s = stable(j);

		assert_int_equal(kvmsea_memmap_set(&map, &s), 0);
	}
	writer = pthread_self();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);

	for (unsigned long i = 0; i < nreaders; i++)
		assert_int_equal(pthread_create(&readers[i], NULL, reader,
						(void *)(uintptr_t)(i + 1)), 0);
	assert_int_equal(pthread_create(&kick, NULL, kicker, &k), 0);

	/* The writer: @sets calls, for @ms at least, and until a signal has
	 * landed in the middle of one (100 times as many calls at most). */
	for (calls = 0;
	     calls < sets || now_ms() < end_ms ||
	     (atomic_load(&handler_in_writer) == 0 && calls < 100 * sets);
	     calls++) {
		uint64_t r = rel_rand(&rng);
		uint32_t i = (uint32_t)(r % CHANGING);
		struct kvmsea_memslot s;

		if ((r >> 8) % 16 == 0) {
			uint32_t c = (uint32_t)((r >> 16) % CHURN);

			s = churn(c);
			s.size = churned[c] ? 0 : s.size;
			churned[c] = !churned[c];
		} else if (present[i] && (r >> 8) % 8 == 1) {
			s = changing(i, 0);
			s.size = 0;
			present[i] = false;
		} else {
			s = changing(i, (uint32_t)((r >> 16) % VERSIONS));
			present[i] = true;
		}
		set(&s);
	}

	atomic_store(&stop_kicks, true);
	assert_int_equal(pthread_join(kick, NULL), 0);
	atomic_store(&stop_reads, true);
	for (unsigned long i = 0; i < nreaders; i++)
		assert_int_equal(pthread_join(readers[i], NULL), 0);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR1, &sa, NULL);

	print_message("race: %lu writer calls, %lu lookups in %lu threads, "
		      "%lu handler runs (%lu inside kvmsea_memmap_set()), %lu wrong\n",
		      calls, atomic_load(&lookups), nreaders, atomic_load(&handler_runs),
		      atomic_load(&handler_in_writer), atomic_load(&failures));
	assert_int_equal(atomic_load(&failures), 0);
	assert_true(atomic_load(&lookups) > 0);
	assert_true(atomic_load(&handler_in_writer) > 0);
	kvmsea_memmap_fini(&map);
}

/* ---- The writer waits for the reader, step by step ---- */

static atomic_bool writer_returned;

static void *replace_slot_1(void *arg)
{
	struct kvmsea_memslot s = changing(1, (uint32_t)(uintptr_t)arg);

	if (kvmsea_memmap_set(&map, &s) != 0)
		atomic_fetch_add(&failures, 1);
	atomic_store(&writer_returned, true);
	return NULL;
}

/* Start a writer replacing slot 1 with version @v. */
static pthread_t writer_start(uint32_t v)
{
	pthread_t t;

	atomic_store(&writer_returned, false);
	assert_int_equal(pthread_create(&t, NULL, replace_slot_1,
					(void *)(uintptr_t)v), 0);
	return t;
}

/* Whether that writer is still in kvmsea_memmap_set() 50 ms later. */
static bool writer_waits(void)
{
	const struct timespec pause = { .tv_nsec = 50000000 };

	nanosleep(&pause, NULL);
	return !atomic_load(&writer_returned);
}

/*
 * The two cases of memmap.c's claim, played by this thread as the lookup
 * (its steps R1..R4 written out, as memmap-lookup.c does them) against a
 * writer thread. A writer that did not wait would return at once.
 *   a. the lookup joins the counter of the current version;
 *   b. it reads the version, stalls while a whole writer call goes by,
 *      then joins the counter of the version it read: only the writer's
 *      first wait (W2) can see it.
 */
static void test_writer_waits(void **state)
{
	struct kvmsea_memslot s = changing(1, 0);
	unsigned int v, live;
	pthread_t t;

	(void)state;
	assert_int_equal(kvmsea_memmap_init(&map), 0);
	assert_int_equal(kvmsea_memmap_set(&map, &s), 0);

	/* a */
	v = atomic_load(&map.version);                 /* R1 */
	atomic_fetch_add(&map.readers[v], 1);          /* R2 */
	live = atomic_load(&map.live);                 /* R3 */
	t = writer_start(1);
	assert_true(writer_waits());
	assert_int_equal(map.copy[live].by_gpa[0].gpa, changing(1, 0).gpa);
	atomic_fetch_sub(&map.readers[v], 1);          /* R4 */
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(atomic_load(&writer_returned));

	/* b */
	v = atomic_load(&map.version);                 /* R1 */
	t = writer_start(2);                           /* ... stalled */
	assert_int_equal(pthread_join(t, NULL), 0);
	atomic_fetch_add(&map.readers[v], 1);          /* R2 */
	live = atomic_load(&map.live);                 /* R3 */
	t = writer_start(3);
	assert_true(writer_waits());
	assert_int_equal(map.copy[live].by_gpa[0].gpa, changing(1, 2).gpa);
	atomic_fetch_sub(&map.readers[v], 1);          /* R4 */
	assert_int_equal(pthread_join(t, NULL), 0);

	assert_int_equal(atomic_load(&failures), 0);
	kvmsea_memmap_fini(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_waits),
		cmocka_unit_test(test_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
