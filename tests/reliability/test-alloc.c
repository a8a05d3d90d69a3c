/* SPDX-License-Identifier: MIT */
/*
 * The SEA path allocates nothing: kvmsea_vcpu_handle_exit() for exit 41
 * under every handler verdict and strategy, and kvmsea_vcpu_inject() with
 * every strategy, on AArch64, AArch32 and nested vCPUs.
 *
 * This program is linked with -Wl,--wrap for the allocator entry points:
 * every call the library (or the simulator) makes to them lands in a
 * __wrap_ function below, which counts it while counting is on. The first
 * test proves the interposition works by watching kvmsea_ctx_new()
 * allocate.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <cmocka.h>

#include "fixture.h"

/* ---- The interposed allocator ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
int __real_posix_memalign(void **p, size_t align, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
char *__real_strdup(const char *s);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
int __wrap_posix_memalign(void **p, size_t align, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);
char *__wrap_strdup(const char *s);

static atomic_bool counting;
static atomic_ulong calls;

static void count(void)
{
	if (atomic_load(&counting))
		atomic_fetch_add(&calls, 1);
}

void *__wrap_malloc(size_t size)
{
	count();
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	count();
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	count();
	return __real_realloc(p, size);
}

void __wrap_free(void *p)
{
	count();
	__real_free(p);
}

int __wrap_posix_memalign(void **p, size_t align, size_t size)
{
	count();
	return __real_posix_memalign(p, align, size);
}

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	count();
	return __real_aligned_alloc(align, size);
}

char *__wrap_strdup(const char *s)
{
	count();
	return __real_strdup(s);
}

static void start_counting(void)
{
	atomic_store(&calls, 0);
	atomic_store(&counting, true);
}

static unsigned long stop_counting(void)
{
	atomic_store(&counting, false);
	return atomic_load(&calls);
}

/* ---- A VM with one vCPU (tests/kvm/fixture.h) ---- */

#define VBAR 0x40080000ULL
#define PC0 0x40001000ULL

static void vm_init(struct fx *f, unsigned int sim_flags, uint64_t pstate)
{
	const struct fx_opts o = {
		.profile = KVMSIM_HOST_RAS, .host_flags = KVMSIM_HOST_ARM_EL2,
		.vcpu_flags = sim_flags, .enable = true,
	};

	fx_init(f, &o);
	kvmsim_reg_set(f->sv, KVMSEA_REG_PSTATE, pstate);
	kvmsim_reg_set(f->sv, KVMSEA_REG_PC, PC0);
	kvmsim_reg_set(f->sv, KVMSEA_REG_VBAR_EL1, VBAR);
}

/* Queue an SEA (outside the counted region: the queue is the test's). */
static void queue_sea(struct fx *m, uint64_t esr)
{
	struct kvmsim_sea sea = {
		.esr = esr, .far = 0x50000123, .ipa = 0x50000000, .ipa_valid = true,
	};

	assert_int_equal(kvmsim_queue_sea(m->sv, &sea), 0);
}

/* KVM_RUN and the hook, counting allocations in the hook only. */
static int run_counted(struct fx *m, unsigned long *allocs)
{
	int r = ioctl(kvmsim_vcpu_fd(m->sv), KVM_RUN, 0);

	start_counting();
	r = kvmsea_vcpu_handle_exit(m->v, r < 0 ? -errno : 0);
	*allocs = stop_counting();
	return r;
}

/* ---- Tests ---- */

static void test_interposition_works(void **state)
{
	struct kvmsim_host *h = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	struct kvmsim_vm *vm = kvmsim_create_vm(h, 0);
	struct kvmsea_ctx *ctx;

	(void)state;
	start_counting();
	assert_int_equal(kvmsea_ctx_new(kvmsim_vm_fd(vm), &ctx), 0);
	kvmsea_ctx_free(ctx);
	/* calloc and free: without them seen, the other tests prove nothing. */
	assert_true(stop_counting() >= 2);
	kvmsim_host_free(h);
}

/* What the handler answers, and (for HANDLED) how it injects itself. */
struct verdict {
	int action;
	enum kvmsea_strategy self;
};

static int on_sea(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
		  void *opaque)
{
	const struct verdict *v = opaque;
	char line[4096];

	/* A VMM logs the event: the formatter is on the path too. */
	(void)kvmsea_event_format(ev, KVMSEA_EVENT_JSON, line, sizeof(line));
	if (v->self != KVMSEA_STRATEGY_NONE) {
		int r = kvmsea_vcpu_inject(vcpu, ev, v->self, NULL);

		return r < 0 ? r : v->action;
	}
	return v->action;
}

struct shape {
	const char *name;
	unsigned int sim_flags;
	uint64_t pstate;
};

static const struct shape shapes[] = {
	{ "AArch64 EL1h", 0, 0x3c5 },
	{ "AArch64 EL0t", 0, 0x0 },
	{ "AArch32 SVC", KVMSIM_VCPU_EL1_32BIT, 0x1d3 },
	{ "nested vEL2h", KVMSIM_VCPU_HAS_EL2, 0x3c9 },
	{ "nested L2 EL1h", KVMSIM_VCPU_HAS_EL2, 0x3c5 },
	{ "AArch64 with SCTLR2", KVMSIM_VCPU_SCTLR2, 0x3c5 },
};

static const struct verdict verdicts[] = {
	{ KVMSEA_ACTION_DEFAULT, KVMSEA_STRATEGY_NONE },
	{ KVMSEA_ACTION_RETRY, KVMSEA_STRATEGY_NONE },
	{ KVMSEA_ACTION_STOP, KVMSEA_STRATEGY_NONE },
	{ KVMSEA_ACTION_HANDLED, KVMSEA_STRATEGY_NONE },
	{ KVMSEA_ACTION_HANDLED, KVMSEA_STRATEGY_AUTO },
	{ KVMSEA_ACTION_HANDLED, KVMSEA_STRATEGY_VCPU_EVENTS },
	{ KVMSEA_ACTION_HANDLED, KVMSEA_STRATEGY_EMULATE },
	{ KVMSEA_ACTION_HANDLED, KVMSEA_STRATEGY_SERROR },
	{ KVMSEA_ACTION_DEFAULT, KVMSEA_STRATEGY_EMULATE }, /* then DEFAULT */
	{ -EIO, KVMSEA_STRATEGY_NONE },
	{ 999, KVMSEA_STRATEGY_NONE },
};

/* Lossless for vcpu-events, WnR (emulated), FnV, an instruction abort,
 * and an SEA on a table walk. */
static const uint64_t esrs[] = {
	0x92000010, 0x92000050, 0x92000410, 0x82000010, 0x92000015,
};

static void test_handle_exit_allocates_nothing(void **state)
{
	unsigned long events = 0;

	(void)state;
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		for (size_t v = 0; v < sizeof(verdicts) / sizeof(verdicts[0]); v++) {
			struct verdict verdict = verdicts[v];
			struct fx m;

			/* A fresh handle each time: its first SEA (the ID
			 * register probe) is part of the path too. */
			vm_init(&m, shapes[s].sim_flags, shapes[s].pstate);
			assert_int_equal(kvmsea_ctx_set_handler(m.ctx, on_sea,
								&verdict), 0);
			for (size_t e = 0; e < sizeof(esrs) / sizeof(esrs[0]); e++) {
				unsigned long allocs;

				kvmsim_reg_set(m.sv, KVMSEA_REG_PSTATE, shapes[s].pstate);
				kvmsim_reg_set(m.sv, KVMSEA_REG_PC, PC0);
				kvmsim_vcpu_clear_serror(m.sv);
				queue_sea(&m, esrs[e]);
				(void)run_counted(&m, &allocs);
				if (allocs)
					fail_msg("%s, verdict %d/%d, ESR 0x%llx: %lu allocator calls",
						 shapes[s].name, verdict.action,
						 verdict.self,
						 (unsigned long long)esrs[e], allocs);
				assert_non_null(kvmsea_vcpu_last_event(m.v));
				events++;
			}
			fx_fini(&m);
		}
	}
	/* Every combination produced an event. */
	assert_int_equal(events, sizeof(shapes) / sizeof(shapes[0]) *
			 sizeof(verdicts) / sizeof(verdicts[0]) *
			 sizeof(esrs) / sizeof(esrs[0]));
}

static void test_inject_allocates_nothing(void **state)
{
	static const enum kvmsea_strategy hows[] = {
		KVMSEA_STRATEGY_AUTO, KVMSEA_STRATEGY_VCPU_EVENTS,
		KVMSEA_STRATEGY_EMULATE, KVMSEA_STRATEGY_SERROR,
		KVMSEA_STRATEGY_NONE, (enum kvmsea_strategy)42,
	};

	(void)state;
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		struct verdict retry = { KVMSEA_ACTION_RETRY, KVMSEA_STRATEGY_NONE };
		struct fx m;

		vm_init(&m, shapes[s].sim_flags, shapes[s].pstate);
		assert_int_equal(kvmsea_ctx_set_handler(m.ctx, on_sea, &retry), 0);
		for (size_t e = 0; e < sizeof(esrs) / sizeof(esrs[0]); e++) {
			struct kvmsea_event made_up;
			unsigned long allocs;

			queue_sea(&m, esrs[e]);
			(void)run_counted(&m, &allocs);
			assert_int_equal(kvmsea_event_init(&made_up, esrs[e],
							   0x50000123), 0);
			for (size_t h = 0; h < sizeof(hows) / sizeof(hows[0]); h++) {
				kvmsim_reg_set(m.sv, KVMSEA_REG_PSTATE, shapes[s].pstate);
				kvmsim_reg_set(m.sv, KVMSEA_REG_PC, PC0);
				kvmsim_vcpu_clear_serror(m.sv);
				/* The handle's own event, then one made up. */
				start_counting();
				(void)kvmsea_vcpu_inject(m.v, kvmsea_vcpu_last_event(m.v),
							 hows[h], NULL);
				/* A new KVM_RUN return (one injection each). */
				(void)kvmsea_vcpu_handle_exit(m.v, -EINTR);
				(void)kvmsea_vcpu_inject(m.v, &made_up, hows[h], NULL);
				(void)kvmsea_vcpu_handle_exit(m.v, -EINTR);
				allocs = stop_counting();
				if (allocs)
					fail_msg("%s, strategy %d, ESR 0x%llx: %lu allocator calls",
						 shapes[s].name, hows[h],
						 (unsigned long long)esrs[e], allocs);
			}
		}
		fx_fini(&m);
	}
}

static void test_non_sea_and_errors_allocate_nothing(void **state)
{
	struct fx m;
	unsigned long allocs;

	(void)state;
	vm_init(&m, 0, 0x3c5);
	/* An MMIO exit, a signal, a KVM_RUN error, a stale 41. */
	assert_int_equal(kvmsim_queue_mmio(m.sv, 0x9000000, 0x9000000, true, 4), 0);
	assert_int_equal(run_counted(&m, &allocs), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(allocs, 0);
	assert_int_equal(kvmsim_queue_eintr(m.sv, false), 0);
	assert_int_equal(run_counted(&m, &allocs), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(allocs, 0);
	queue_sea(&m, 0x92000010);
	assert_int_equal(run_counted(&m, &allocs), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsim_queue_eintr(m.sv, true), 0);
	assert_int_equal(run_counted(&m, &allocs), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(allocs, 0);
	/* A 41 whose registers cannot be read (the vCPU fd was closed; the
	 * errno is EBADF, or ENOSYS under qemu-user). */
	queue_sea(&m, 0x92000010);
	assert_int_equal(ioctl(kvmsim_vcpu_fd(m.sv), KVM_RUN, 0), 0);
	assert_int_equal(kvmsim_close(kvmsim_vcpu_fd(m.sv)), 0);
	start_counting();
	assert_true(kvmsea_vcpu_handle_exit(m.v, 0) < 0);
	assert_int_equal(stop_counting(), 0);
	fx_fini(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interposition_works),
		cmocka_unit_test(test_handle_exit_allocates_nothing),
		cmocka_unit_test(test_inject_allocates_nothing),
		cmocka_unit_test(test_non_sea_and_errors_allocate_nothing),
	};

	return cmocka_run_group_tests_name("alloc", tests, NULL, NULL);
}
