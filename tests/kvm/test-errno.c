/* SPDX-License-Identifier: MIT */
/*
 * libkvmsea(7): no function changes errno, on success or on failure. Here
 * for the run-loop hook, probe and enable (ioctls that fail and succeed),
 * and for every exported function that allocates, with each of its
 * allocations failed in turn and then with none failed.
 *
 * Linked with -Wl,--wrap for the allocator: every call to it lands in a
 * __wrap_ function below, which can be told to fail one. A failed call
 * sets errno to ENOMEM and returns NULL, as the C library's does.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include <cmocka.h>

#include "fixture.h"

#define GVA 0x50000123ULL
#define IPA 0x50000000ULL
#define CANARY 12345

/* ---- The interposed allocator ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

/* While counting: allocator calls so far, and the one to fail (1 = the
 * first). The tests are single-threaded. */
static bool counting;
static unsigned long allocs, fail_at;

static bool must_fail(void)
{
	if (!counting || ++allocs != fail_at)
		return false;
	errno = ENOMEM;
	return true;
}

void *__wrap_malloc(size_t size)
{
	return must_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return must_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return must_fail() ? NULL : __real_realloc(p, size);
}

/* One call of an allocating function on @f, whose result it keeps. */
typedef int call_fn(struct fx *f);

/* Calls @call with its first allocation failed, then its second, and so on
 * until a call makes fewer allocations than the one to fail and succeeds.
 * Every failed call returns -ENOMEM; no call, failed or not, changes
 * errno; at least one allocation was failed. */
static void fail_each_allocation(struct fx *f, call_fn *call)
{
	unsigned long k;
	int r;

	for (k = 1;; k++) {
		allocs = 0;
		fail_at = k;
		counting = true;
		errno = CANARY;
		r = call(f);
		counting = false;
		assert_int_equal(errno, CANARY);
		if (allocs < k)
			break;
		assert_int_equal(r, -ENOMEM);
	}
	assert_int_equal(r, 0);
	assert_true(k > 1);
}

/* ---- The calls ---- */

static struct kvmsea_ctx *made_ctx;
static struct kvmsea_vcpu *made_vcpu;
static struct kvmsea_ghes *made_ghes;
static uint64_t ghes_mem[2048]; /* 8-aligned, as ghes_new wants */

static int ctx_new(struct fx *f)
{
	return kvmsea_ctx_new(kvmsim_vm_fd(f->vm), &made_ctx);
}

static int vcpu_new(struct fx *f)
{
	return kvmsea_vcpu_new(f->ctx, kvmsim_vcpu_fd(f->sv), f->run, 1, 0,
			       &made_vcpu);
}

static int ghes_new(struct fx *f)
{
	struct kvmsea_ghes_layout l;

	(void)f;
	assert_int_equal(kvmsea_ghes_layout_init(&l, 1, KVMSEA_GHES_SEA, 0x1000,
						 4096), 0);
	return kvmsea_ghes_new(&l, ghes_mem, 0x1000, sizeof(ghes_mem), 4,
			       &made_ghes);
}

static int set_memslot(struct fx *f)
{
	const struct kvmsea_memslot s = {
		.slot = 0, .gpa = 0x40000000, .size = 0x100000, .hva = 0x7f0000000000,
	};

	return kvmsea_ctx_set_memslot(f->ctx, &s); /* the map's first: it grows */
}

static int set_poison_capacity(struct fx *f)
{
	return kvmsea_ctx_set_poison_capacity(f->ctx, 4096); /* above the default */
}

static int set_storm_limit(struct fx *f)
{
	return kvmsea_ctx_set_storm_limit(f->ctx, 16, 1000000);
}

/* ---- Tests ---- */

/* The hook's probe meets -ENOENT (no HCR_EL2), then a failing ioctl;
 * probe fails and succeeds; enable. */
static void test_hook_probe_enable(void **state)
{
	struct kvmsea_caps c;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	errno = CANARY;
	assert_int_equal(fx_run_sea(&f, 0x92000050, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(errno, CANARY);
	assert_int_equal(kvmsim_fail_ioctl(kvmsim_vcpu_fd(f.sv),
					   KVMSIM_IOCTL_GET_ONE_REG, 1, 1, EFAULT), 0);
	/* fx_run_sea's own KVM_RUN sets errno for a -EINTR; set it after. */
	assert_int_equal(kvmsim_queue_sea(f.sv, &(struct kvmsim_sea){
		.esr = 0x92000010, .far = GVA, .ipa = IPA, .ipa_valid = true }), 0);
	assert_int_equal(ioctl(kvmsim_vcpu_fd(f.sv), KVM_RUN, 0), 0);
	errno = CANARY;
	assert_int_equal(kvmsea_vcpu_handle_exit(f.v, 0), -EFAULT);
	assert_int_equal(errno, CANARY);
	assert_int_equal(kvmsea_probe(-1, &c), -EBADF);
	assert_int_equal(kvmsea_probe(kvmsim_vm_fd(f.vm), &c), 0);
	assert_int_equal(kvmsea_ctx_enable(f.ctx), 0);
	assert_int_equal(errno, CANARY);
	fx_fini(&f);
}

static void test_handles(void **state)
{
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fail_each_allocation(&f, ctx_new);
	fail_each_allocation(&f, vcpu_new);
	fail_each_allocation(&f, ghes_new);
	errno = CANARY;
	kvmsea_ghes_free(made_ghes);
	kvmsea_vcpu_free(made_vcpu);
	kvmsea_ctx_free(made_ctx);
	assert_int_equal(errno, CANARY);
	fx_fini(&f);
}

static void test_setters(void **state)
{
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fail_each_allocation(&f, set_memslot);
	fail_each_allocation(&f, set_poison_capacity);
	fail_each_allocation(&f, set_storm_limit);
	errno = CANARY;
	/* each undone: the slot deleted, the ranges and the ring freed */
	assert_int_equal(kvmsea_ctx_set_memslot(f.ctx, &(struct kvmsea_memslot){
		.slot = 0 }), 0);
	assert_int_equal(kvmsea_ctx_set_poison_capacity(f.ctx, 0), 0);
	assert_int_equal(kvmsea_ctx_set_storm_limit(f.ctx, 0, 0), 0);
	assert_int_equal(errno, CANARY);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hook_probe_enable),
		cmocka_unit_test(test_handles),
		cmocka_unit_test(test_setters),
	};

	return cmocka_run_group_tests_name("errno", tests, NULL, NULL);
}
