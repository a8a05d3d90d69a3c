/* SPDX-License-Identifier: MIT */
/*
 * An SEA storm: a hostile guest faulting as fast as it can at random
 * addresses, first on one vCPU, then on many at once.
 *
 *   storm [test|bench]
 *
 * Each phase sends KVMSEA_STORM_SEAS SEAs (default 1e6, or 5e4 in a
 * REL_SMALL build: the cross build under qemu-user) in total, spread
 * over its vCPU threads (1, then KVMSEA_STORM_THREADS, default 8). Half the
 * SEAs repeat the previous one exactly (same PC, syndrome and address), and
 * the handler answers RETRY (nothing delivered) to half of them, so runs of
 * undelivered repeats of every length occur and some reach the livelock
 * limit.
 *
 * Checked in both modes (exit status 1 on a failure):
 *  - every event is handled, and the livelock guard fires exactly when an
 *    independent model says so: only on runs of identical SEAs with nothing
 *    delivered between them that reached the limit (the default policy then
 *    stops; the caller re-runs);
 *  - the heap in use (mallinfo2) does not change and the RSS grows by at
 *    most 1 MiB between the end of a warm-up and the end of the storm
 *    (under ThreadSanitizer, whose own memory grows, the heap only).
 * "bench" also prints what kvmsea_vcpu_handle_exit() took per event (median
 * and mean) over the first and the last 10% of each vCPU's events: flat
 * means no state grows with the number of events.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "kvmsim.h"
#include "rel-env.h"

#define VBAR 0x40080000ULL
#define PSTATE_EL1H 0x3c5ULL
#define ESR_FNV (1ULL << 10)
#define LIVELOCK_LIMIT 8
#define RSS_SLACK (1024 * 1024)

/* ThreadSanitizer's own memory (shadow, race history) grows as threads
 * run, whatever the program does: under it only the heap is held fixed. */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif
#ifdef REL_SMALL
#define DEFAULT_SEAS 50000
#else
#define DEFAULT_SEAS 1000000
#endif

struct phase;

/* One vCPU thread. The handler reads only its own thread's slot. */
struct stormer {
	pthread_t thread;
	struct phase *phase;
	uint32_t id;
	unsigned long seas, warmup;
	struct kvmsim_vcpu *sv;
	struct kvmsea_vcpu *v;
	uint64_t rng;

	uint32_t expect_repeats;   /* the model's answer for the current SEA */
	bool retry;                /* the handler's answer: RETRY, or DEFAULT */
	bool undelivered;          /* the last SEA reached nobody (and no stop) */
	unsigned long failures;
	unsigned long livelocks_expected, livelocks_seen;
	/* What each kvmsea_vcpu_handle_exit() took, in the first and the last
	 * 10% of the events (allocated before the storm). */
	unsigned long tenth;
	double *first, *last;
};

struct phase {
	struct stormer *s;
	unsigned long nthreads;
	pthread_barrier_t warm, go, done;
};

static int on_sea(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
		  void *opaque)
{
	struct stormer *s = (struct stormer *)opaque + kvmsea_vcpu_get_id(vcpu);

	if (ev->repeats != s->expect_repeats ||
	    ev->livelock != (s->expect_repeats >= LIVELOCK_LIMIT))
		s->failures++;
	if (ev->livelock)
		s->livelocks_seen++;
	/* Inject (or stop on a livelock), or re-enter with nothing done. */
	return s->retry ? KVMSEA_ACTION_RETRY : KVMSEA_ACTION_DEFAULT;
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* The SEA kinds: lossless (vcpu-events), a write and an instruction abort
 * (emulated), and FnV (no address at all: its key has gva = gpa = 0). */
static const uint64_t esrs[] = { 0x92000010, 0x92000050, 0x82000010, 0x92000410 };

struct sea_key {
	uint64_t pc, esr, far, ipa;
};

static void one_sea(struct stormer *s, const struct sea_key *k, bool repeat,
		    uint32_t *repeats, double *took)
{
	double t;
	struct kvmsim_sea sea = {
		.esr = k->esr, .far = k->far, .ipa = k->ipa, .ipa_valid = true,
	};
	bool livelock;
	int r;

	*repeats = repeat && s->undelivered ? *repeats + 1 : 1;
	s->expect_repeats = *repeats;
	livelock = *repeats >= LIVELOCK_LIMIT;
	s->livelocks_expected += livelock;
	s->retry = rel_rand(&s->rng) & 1;

	/* The guest took the last abort and faults again, at k->pc. */
	kvmsim_reg_set(s->sv, KVMSEA_REG_PSTATE, PSTATE_EL1H);
	kvmsim_reg_set(s->sv, KVMSEA_REG_PC, k->pc);
	kvmsim_vcpu_clear_serror(s->sv);
	if (kvmsim_queue_sea(s->sv, &sea) != 0) {
		s->failures++;
		return;
	}
	r = ioctl(kvmsim_vcpu_fd(s->sv), KVM_RUN, 0);
	t = now_ns();
	r = kvmsea_vcpu_handle_exit(s->v, r < 0 ? -errno : 0);
	if (took)
		*took = now_ns() - t;
	if (r != (livelock && !s->retry ? KVMSEA_EXIT_STOP : KVMSEA_EXIT_HANDLED))
		s->failures++;
	/* Delivered when injected; after a stop the count starts afresh. */
	s->undelivered = s->retry;
}

static void next_key(struct stormer *s, struct sea_key *k)
{
	uint64_t esr = esrs[rel_rand(&s->rng) % 4];

	k->pc = 0x40000000ULL + (rel_rand(&s->rng) & 0xffffff) * 4;
	k->esr = esr;
	k->far = rel_rand(&s->rng) & 0xffffffffffffULL;
	k->ipa = rel_rand(&s->rng) & 0xfffffff000ULL;
}

static void *storm(void *arg)
{
	struct stormer *s = arg;
	struct phase *p = s->phase;
	unsigned long last_from = s->seas - s->tenth;
	struct sea_key k;
	uint32_t repeats = 0;
	double *took;
	bool repeat;

	next_key(s, &k);
	for (unsigned long n = 0; n < s->warmup + s->seas; n++) {
		unsigned long i = n - s->warmup; /* the storm's own count */

		if (n == s->warmup) {
			pthread_barrier_wait(&p->warm);
			pthread_barrier_wait(&p->go);
		}
		took = NULL;
		if (n >= s->warmup && i < s->tenth)
			took = &s->first[i];
		else if (n >= s->warmup && i >= last_from)
			took = &s->last[i - last_from];
		/* Half the time the very same fault again, as a persistent
		 * error does when nobody repairs it. */
		repeat = n > 0 && (rel_rand(&s->rng) & 1);
		if (!repeat)
			next_key(s, &k);
		one_sea(s, &k, repeat, &repeats, took);
	}
	pthread_barrier_wait(&p->done);
	return NULL;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median (robust to the thread being preempted) and the mean. */
static void summarise(double *ns, unsigned long n, double *median, double *mean)
{
	double sum = 0;

	qsort(ns, n, sizeof(*ns), by_value);
	for (unsigned long i = 0; i < n; i++)
		sum += ns[i];
	*median = ns[n / 2];
	*mean = sum / (double)n;
}

static long rss_bytes(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * sysconf(_SC_PAGESIZE);
}

static int run_phase(unsigned long nthreads, unsigned long total, bool bench)
{
	struct kvmsim_host *host = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	struct kvmsim_vm *vm = kvmsim_create_vm(host, 0);
	struct kvmsea_ctx *ctx;
	struct phase p = { .nthreads = nthreads };
	unsigned long expected = 0, seen = 0, failures = 0;
	size_t heap0, heap1;
	long rss0, rss1;
	int bad = 0;

	p.s = calloc(nthreads, sizeof(*p.s));
	if (!p.s || !vm || kvmsea_ctx_new(kvmsim_vm_fd(vm), &ctx) ||
	    kvmsea_ctx_enable(ctx) ||
	    kvmsea_ctx_set_livelock_limit(ctx, LIVELOCK_LIMIT) ||
	    kvmsea_ctx_set_handler(ctx, on_sea, p.s)) {
		fprintf(stderr, "storm: set-up failed\n");
		return 1;
	}
	for (unsigned long i = 0; i < nthreads; i++) {
		struct stormer *s = &p.s[i];

		s->id = (uint32_t)i;
		s->phase = &p;
		s->seas = total / nthreads;
		s->warmup = 1000 < s->seas ? 1000 : s->seas;
		s->rng = 0x5eed0000 + i;
		s->tenth = s->seas / 10 ? s->seas / 10 : 1;
		s->first = malloc(s->tenth * sizeof(double));
		s->last = malloc(s->tenth * sizeof(double));
		if (!s->first || !s->last)
			return 1;
		/* Touched now, so that the RSS measured later does not grow. */
		for (unsigned long j = 0; j < s->tenth; j++)
			s->first[j] = s->last[j] = -1;
		s->sv = kvmsim_create_vcpu(vm, 0);
		if (!s->sv || kvmsea_vcpu_new(ctx, kvmsim_vcpu_fd(s->sv),
					      kvmsim_vcpu_run_area(s->sv), s->id,
					      0, &s->v)) {
			fprintf(stderr, "storm: vCPU set-up failed\n");
			return 1;
		}
		kvmsim_reg_set(s->sv, KVMSEA_REG_VBAR_EL1, VBAR);
	}
	pthread_barrier_init(&p.warm, NULL, (unsigned)nthreads + 1);
	pthread_barrier_init(&p.go, NULL, (unsigned)nthreads + 1);
	pthread_barrier_init(&p.done, NULL, (unsigned)nthreads + 1);
	for (unsigned long i = 0; i < nthreads; i++)
		if (pthread_create(&p.s[i].thread, NULL, storm, &p.s[i]))
			return 1;

	/* Everything a first SEA sets up exists now: measure from here. */
	pthread_barrier_wait(&p.warm);
	rss0 = rss_bytes(); /* before the heap: stdio may keep a buffer */
	heap0 = mallinfo2().uordblks;
	pthread_barrier_wait(&p.go);
	pthread_barrier_wait(&p.done);
	heap1 = mallinfo2().uordblks;
	rss1 = rss_bytes();
	for (unsigned long i = 0; i < nthreads; i++)
		pthread_join(p.s[i].thread, NULL);

	for (unsigned long i = 0; i < nthreads; i++) {
		struct stormer *s = &p.s[i];
		double med0, mean0, med1, mean1;

		expected += s->livelocks_expected;
		seen += s->livelocks_seen;
		failures += s->failures;
		summarise(s->first, s->tenth, &med0, &mean0);
		summarise(s->last, s->tenth, &med1, &mean1);
		if (bench)
			printf("storm: %lu vCPU(s), vCPU %lu: %lu SEAs, kvmsea_vcpu_handle_exit() median %.0f ns (mean %.0f) in the first 10%%, median %.0f ns (mean %.0f) in the last 10%%\n",
			       nthreads, i, s->seas, med0, mean0, med1, mean1);
		free(s->first);
		free(s->last);
	}
	printf("storm: %lu vCPU(s), %lu SEAs: %lu livelocks expected, %lu seen, %lu failed checks; heap in use %+ld bytes, RSS %+ld KiB\n",
	       nthreads, total - total % nthreads, expected, seen, failures,
	       (long)heap1 - (long)heap0, (rss1 - rss0) / 1024);
	if (failures || seen != expected) {
		fprintf(stderr, "storm: FAILED: events were not handled as the model says\n");
		bad = 1;
	}
	if (heap1 != heap0 || (!UNDER_TSAN && rss1 - rss0 > RSS_SLACK)) {
		fprintf(stderr, "storm: FAILED: memory grew during the storm\n");
		bad = 1;
	}
	for (unsigned long i = 0; i < nthreads; i++)
		kvmsea_vcpu_free(p.s[i].v);
	kvmsea_ctx_free(ctx);
	kvmsim_host_free(host);
	pthread_barrier_destroy(&p.warm);
	pthread_barrier_destroy(&p.go);
	pthread_barrier_destroy(&p.done);
	free(p.s);
	return bad;
}

int main(int argc, char **argv)
{
	bool bench = argc > 1 && !strcmp(argv[1], "bench");
	unsigned long total = rel_env_count("KVMSEA_STORM_SEAS", DEFAULT_SEAS);
	unsigned long many = rel_env_count("KVMSEA_STORM_THREADS", 8);
	int bad;

	bad = run_phase(1, total, bench);
	bad |= run_phase(many, total, bench);
	return bad;
}
