/* SPDX-License-Identifier: MIT */
/*
 * Many vCPU threads handling SEAs at once: one shared kvmsea_ctx, each
 * thread its own simulated vCPU and kvmsea_vcpu, a handler whose only
 * shared state is atomic counters. Afterwards: no event lost or doubled,
 * no event seen on the wrong vCPU, and every vCPU's guest state exactly what
 * its last SEA should have left. Run under ThreadSanitizer by run-tsan.sh.
 *
 * KVMSEA_THREADS (default 64) threads, KVMSEA_THREAD_SEAS SEAs each (default
 * 10000, or 1000 in a REL_SMALL build: the cross build under qemu-user).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <cmocka.h>

#include "internal.h"
#include "kvmsim.h"
#include "rel-env.h"

#define MAX_THREADS 1024
#ifdef REL_SMALL
#define DEFAULT_SEAS 1000
#else
#define DEFAULT_SEAS 10000
#endif
#define VBAR 0x40080000ULL
#define PC0 0x40001000ULL
#define PSTATE_EL1H 0x3c5ULL

/* What is shared: the handler's counters. */
struct counters {
	atomic_ulong per_vcpu[MAX_THREADS];
	atomic_ulong total;
	atomic_ulong errors;
};

struct worker {
	pthread_t thread;
	uint32_t id;
	unsigned long seas;
	struct kvmsim_vcpu *sv;
	struct kvmsea_vcpu *v;
	unsigned long failures;   /* checks that failed on this thread */
	unsigned long ext_dabt;   /* SEAs expected to go through vcpu-events */
	uint64_t last_esr, last_far, last_pc;
};

/* Each vCPU's addresses carry its id in bits [47:40]: a mix-up shows. */
static uint64_t gva_of(uint32_t id, unsigned long k)
{
	return ((uint64_t)id << 40) | ((uint64_t)(k & 0xfffffff) << 12) | 0x123;
}

static int on_sea(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
		  void *opaque)
{
	struct counters *c = opaque;
	uint32_t id = kvmsea_vcpu_get_id(vcpu);
	unsigned long seen;

	if (id >= MAX_THREADS || ev->vcpu_id != id || (ev->gva >> 40) != id) {
		atomic_fetch_add(&c->errors, 1);
		return -EINVAL;
	}
	seen = atomic_fetch_add(&c->per_vcpu[id], 1) + 1;
	if (ev->seq != seen || ev->repeats != 1 || ev->livelock)
		atomic_fetch_add(&c->errors, 1);
	atomic_fetch_add(&c->total, 1);
	return KVMSEA_ACTION_DEFAULT;
}

/* Three kinds of SEA in turn: lossless for vcpu-events, a write (emulated)
 * and an instruction abort (emulated). The guest is at EL1h, so the
 * syndrome becomes the current-EL class. */
static const struct {
	uint64_t esr, guest_esr;
	bool vcpu_events;
} kinds[] = {
	{ 0x92000010, 0x96000010, true },
	{ 0x92000050, 0x96000050, false },
	{ 0x82000010, 0x86000010, false },
};

static void *work(void *arg)
{
	struct worker *w = arg;
	int fd = kvmsim_vcpu_fd(w->sv);

	for (unsigned long k = 0; k < w->seas; k++) {
		unsigned int kind = k % 3;
		uint64_t pc = PC0 + 4 * (k & 0xfff);
		struct kvmsim_sea sea = {
			.esr = kinds[kind].esr, .far = gva_of(w->id, k),
			.ipa = 0x80000000ULL + (k << 12), .ipa_valid = true,
		};
		int r;

		/* The guest handled the last one and faults somewhere else. */
		kvmsim_reg_set(w->sv, KVMSEA_REG_PSTATE, PSTATE_EL1H);
		kvmsim_reg_set(w->sv, KVMSEA_REG_PC, pc);
		if (kvmsim_queue_sea(w->sv, &sea) != 0) {
			w->failures++;
			break;
		}
		r = ioctl(fd, KVM_RUN, 0);
		r = kvmsea_vcpu_handle_exit(w->v, r < 0 ? -errno : 0);
		if (r != KVMSEA_EXIT_HANDLED) {
			w->failures++;
			continue;
		}
		if (kinds[kind].vcpu_events)
			w->ext_dabt++;
		/* The guest is at its vector with this SEA's syndrome. */
		if (kvmsim_reg_get(w->sv, KVMSEA_REG_ESR_EL1) != kinds[kind].guest_esr ||
		    kvmsim_reg_get(w->sv, KVMSEA_REG_FAR_EL1) != sea.far ||
		    kvmsim_reg_get(w->sv, KVMSEA_REG_ELR_EL1) != pc ||
		    kvmsim_reg_get(w->sv, KVMSEA_REG_PC) != VBAR + 0x200)
			w->failures++;
		w->last_esr = kinds[kind].guest_esr;
		w->last_far = sea.far;
		w->last_pc = pc;
	}
	return NULL;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void test_threads(void **state)
{
	unsigned long nthreads = rel_env_count("KVMSEA_THREADS", 64);
	unsigned long seas = rel_env_count("KVMSEA_THREAD_SEAS", DEFAULT_SEAS);
	struct kvmsim_host *host;
	struct kvmsim_vm *vm;
	struct kvmsea_ctx *ctx;
	struct counters *c;
	struct worker *w;
	pthread_attr_t attr;
	double t0, elapsed;

	(void)state;
	assert_true(nthreads >= 1 && nthreads <= MAX_THREADS);
	c = calloc(1, sizeof(*c));
	w = calloc(nthreads, sizeof(*w));
	assert_non_null(c);
	assert_non_null(w);

	/* Objects are made on one thread (the simulator's rule, and a VMM's
	 * usual order); the vCPU threads then only run. */
	host = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	assert_non_null(host);
	vm = kvmsim_create_vm(host, 0);
	assert_non_null(vm);
	assert_int_equal(kvmsea_ctx_new(kvmsim_vm_fd(vm), &ctx), 0);
	assert_int_equal(kvmsea_ctx_enable(ctx), 0);
	assert_int_equal(kvmsea_ctx_set_handler(ctx, on_sea, c), 0);
	for (unsigned long i = 0; i < nthreads; i++) {
		w[i].id = (uint32_t)i;
		w[i].seas = seas;
		w[i].sv = kvmsim_create_vcpu(vm, 0);
		assert_non_null(w[i].sv);
		kvmsim_reg_set(w[i].sv, KVMSEA_REG_VBAR_EL1, VBAR);
		assert_int_equal(kvmsea_vcpu_new(ctx, kvmsim_vcpu_fd(w[i].sv),
						 kvmsim_vcpu_run_area(w[i].sv),
						 w[i].id, 0, &w[i].v), 0);
	}

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	t0 = now();
	for (unsigned long i = 0; i < nthreads; i++)
		assert_int_equal(pthread_create(&w[i].thread, &attr, work, &w[i]), 0);
	for (unsigned long i = 0; i < nthreads; i++)
		assert_int_equal(pthread_join(w[i].thread, NULL), 0);
	elapsed = now() - t0;
	pthread_attr_destroy(&attr);
	printf("threads: %lu x %lu SEAs in %.2f s (%.0f SEAs/s)\n", nthreads,
	       seas, elapsed, (double)(nthreads * seas) / elapsed);

	/* Not one lost, doubled or misrouted. */
	assert_int_equal(atomic_load(&c->errors), 0);
	assert_int_equal(atomic_load(&c->total), nthreads * seas);
	for (unsigned long i = 0; i < nthreads; i++) {
		const struct kvmsea_event *ev = kvmsea_vcpu_last_event(w[i].v);
		struct kvmsim_vcpu_stats st;

		assert_int_equal(w[i].failures, 0);
		assert_int_equal(atomic_load(&c->per_vcpu[i]), seas);
		assert_non_null(ev);
		assert_int_equal(ev->seq, seas);
		assert_int_equal(ev->vcpu_id, i);
		kvmsim_vcpu_get_stats(w[i].sv, &st);
		assert_int_equal(st.sea_exits, seas);
		assert_int_equal(st.ext_dabt, w[i].ext_dabt);
		assert_int_equal(st.serror, 0);
		/* The guest state its own last SEA left, nobody else's. */
		assert_true(kvmsim_reg_get(w[i].sv, KVMSEA_REG_ESR_EL1) == w[i].last_esr);
		assert_true(kvmsim_reg_get(w[i].sv, KVMSEA_REG_FAR_EL1) == w[i].last_far);
		assert_true(kvmsim_reg_get(w[i].sv, KVMSEA_REG_ELR_EL1) == w[i].last_pc);
		assert_true(kvmsim_reg_get(w[i].sv, KVMSEA_REG_PC) == VBAR + 0x200);
		assert_true((kvmsim_reg_get(w[i].sv, KVMSEA_REG_PSTATE) & 0x3cf) == 0x3c5);
		kvmsea_vcpu_free(w[i].v);
	}
	kvmsea_ctx_free(ctx);
	kvmsim_host_free(host);
	free(w);
	free(c);
}

/* kvmsea_ctx_get_caps() on vCPU threads while another thread enables the
 * exits: both are documented as usable while vCPUs run (TSan checks it). */
struct caps_race {
	struct kvmsea_ctx *ctx;
	atomic_bool stop;
	atomic_ulong reads;
	unsigned long enabled_seen;
};

static void *read_caps(void *arg)
{
	struct caps_race *r = arg;
	struct kvmsea_caps caps;

	while (!atomic_load(&r->stop)) {
		if (kvmsea_ctx_get_caps(r->ctx, &caps) == 0 && caps.sea_exits_enabled)
			r->enabled_seen++;
		atomic_fetch_add(&r->reads, 1);
	}
	return NULL;
}

static void test_caps_while_enabling(void **state)
{
	struct kvmsim_host *host = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	struct kvmsim_vm *vm = kvmsim_create_vm(host, 0);
	struct caps_race r = { 0 };
	pthread_t reader;

	(void)state;
	assert_int_equal(kvmsea_ctx_new(kvmsim_vm_fd(vm), &r.ctx), 0);
	assert_int_equal(pthread_create(&reader, NULL, read_caps, &r), 0);
	/* Enable while the reader reads: the first enable once it runs. */
	while (atomic_load(&r.reads) == 0)
		sched_yield();
	for (int i = 0; i < 1000; i++)
		assert_int_equal(kvmsea_ctx_enable(r.ctx), 0);
	atomic_store(&r.stop, true);
	assert_int_equal(pthread_join(reader, NULL), 0);
	assert_true(atomic_load(&r.reads) > 0);
	kvmsea_ctx_free(r.ctx);
	kvmsim_host_free(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_caps_while_enabling),
	};

	return cmocka_run_group_tests_name("threads", tests, NULL, NULL);
}
