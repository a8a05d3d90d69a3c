/* SPDX-License-Identifier: MIT */
/*
 * What the map and the registry call, watched at run time: the lookups
 * call no allocator, lock or yield; kvmsea_poison_record() calls no
 * allocator; and when an allocation fails, kvmsea_memmap_set() and the
 * registry's setters return -ENOMEM having changed nothing.
 *
 * Linked with -Wl,--wrap for each function below: every call the library
 * makes to one lands in its __wrap_ function, which counts it and can be
 * told to fail it. (tests/memory/check-signal-safe.sh checks the same
 * promise statically, for every function the signal path could call.)
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "memmap.h"
#include "poison.h"

#define K4 0x1000ULL

/* ---- The interposed functions ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
int __real_pthread_mutex_lock(pthread_mutex_t *m);
int __real_pthread_mutex_trylock(pthread_mutex_t *m);
int __real_pthread_mutex_unlock(pthread_mutex_t *m);
int __real_sched_yield(void);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);
int __wrap_pthread_mutex_lock(pthread_mutex_t *m);
int __wrap_pthread_mutex_trylock(pthread_mutex_t *m);
int __wrap_pthread_mutex_unlock(pthread_mutex_t *m);
int __wrap_sched_yield(void);

static atomic_bool counting;
static atomic_ulong allocs, frees, locks; /* locks: lock and yield calls */
/* While counting: fail the allocation with this number (1 = the next). */
static atomic_ulong fail_at;

/* Count an allocator call; true if it must fail. */
static bool alloc_call(void)
{
	unsigned long n;

	if (!atomic_load(&counting))
		return false;
	n = atomic_fetch_add(&allocs, 1) + 1;
	return n == atomic_load(&fail_at);
}

static void lock_call(void)
{
	if (atomic_load(&counting))
		atomic_fetch_add(&locks, 1);
}

void *__wrap_malloc(size_t size)
{
	return alloc_call() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_call() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return alloc_call() ? NULL : __real_realloc(p, size);
}

void __wrap_free(void *p)
{
	if (atomic_load(&counting))
		atomic_fetch_add(&frees, 1);
	__real_free(p);
}

int __wrap_pthread_mutex_lock(pthread_mutex_t *m)
{
	lock_call();
	return __real_pthread_mutex_lock(m);
}

int __wrap_pthread_mutex_trylock(pthread_mutex_t *m)
{
	lock_call();
	return __real_pthread_mutex_trylock(m);
}

int __wrap_pthread_mutex_unlock(pthread_mutex_t *m)
{
	lock_call();
	return __real_pthread_mutex_unlock(m);
}

int __wrap_sched_yield(void)
{
	lock_call();
	return __real_sched_yield();
}

/* Count from now on, failing allocation number @fail (0: none). */
static void start(unsigned long fail)
{
	atomic_store(&allocs, 0);
	atomic_store(&frees, 0);
	atomic_store(&locks, 0);
	atomic_store(&fail_at, fail);
	atomic_store(&counting, true);
}

static void stop(void)
{
	atomic_store(&counting, false);
	atomic_store(&fail_at, 0);
}

static struct kvmsea_memslot S(uint32_t slot, uint64_t gpa, uint64_t hva)
{
	return (struct kvmsea_memslot){ .slot = slot, .gpa = gpa, .size = K4,
					.hva = hva };
}

/* ---- The map ---- */

static void test_lookups_call_nothing(void **state)
{
	struct kvmsea_memmap m;
	struct kvmsea_memslot out[4];
	uint64_t to;

	(void)state;
	assert_int_equal(kvmsea_memmap_init(&m), 0);
	/* the wrapping works: a writer allocates and locks */
	start(0);
	for (uint32_t i = 0; i < 100; i++) {
		struct kvmsea_memslot s = S(i, i * 2 * K4, 0x7f0000000000 - i * K4);

		assert_int_equal(kvmsea_memmap_set(&m, &s), 0);
	}
	stop();
	assert_true(allocs > 0);
	assert_true(locks > 0);

	start(0);
	for (uint64_t i = 0; i < 10000; i++) {
		kvmsea_memmap_hva_to_gpa(&m, 0x7f0000000000 - (i % 120) * K4, &to, out);
		kvmsea_memmap_gpa_to_hva(&m, (i % 250) * K4, &to, out);
		kvmsea_memmap_list(&m, out, 4);
	}
	stop();
	assert_int_equal(allocs, 0);
	assert_int_equal(frees, 0);
	assert_int_equal(locks, 0);
	kvmsea_memmap_fini(&m);
}

/* A map holding slots 0..n-1. */
static void fill(struct kvmsea_memmap *m, uint32_t n)
{
	assert_int_equal(kvmsea_memmap_init(m), 0);
	for (uint32_t i = 0; i < n; i++) {
		struct kvmsea_memslot s = S(i, i * K4, i * K4);

		assert_int_equal(kvmsea_memmap_set(m, &s), 0);
	}
}

/* A slot that needs more room (the map holds 0, then 8 slots) allocates
 * three blocks: each one failed in turn gives -ENOMEM and the same map.
 * Replacing and deleting allocate nothing, so they cannot fail so. */
static void test_set_enomem(void **state)
{
	const struct kvmsea_memslot add = S(100, 0x100000, 0x100000);
	struct kvmsea_memslot before[16], after[16], s;
	struct kvmsea_memmap m;
	uint64_t to;

	(void)state;
	for (uint32_t n = 0; n <= 8; n += 8) {
		fill(&m, n);
		start(0);
		assert_int_equal(kvmsea_memmap_set(&m, &add), 0);
		stop();
		assert_int_equal(allocs, 3); /* two copies and the number index */
		kvmsea_memmap_fini(&m);

		fill(&m, n);
		for (unsigned long k = 1; k <= 3; k++) {
			size_t total = kvmsea_memmap_list(&m, before, 16);

			start(k);
			assert_int_equal(kvmsea_memmap_set(&m, &add), -ENOMEM);
			stop();
			assert_int_equal(kvmsea_memmap_list(&m, after, 16), total);
			assert_memory_equal(before, after, total * sizeof(*after));
			assert_int_equal(kvmsea_memmap_hva_to_gpa(&m, add.hva, &to, NULL),
					 -ENOENT);
		}
		assert_int_equal(kvmsea_memmap_set(&m, &add), 0);
		assert_int_equal(kvmsea_memmap_hva_to_gpa(&m, add.hva, &to, NULL), 0);

		start(0);
		s = S(100, 0x200000, 0x200000);
		assert_int_equal(kvmsea_memmap_set(&m, &s), 0);
		s.size = 0;
		assert_int_equal(kvmsea_memmap_set(&m, &s), 0);
		stop();
		assert_int_equal(allocs, 0);
		assert_int_equal(frees, 0);
		kvmsea_memmap_fini(&m);
	}
}

/* ---- The registry ---- */

static void test_record_allocates_nothing(void **state)
{
	struct kvmsea_poison_set p;
	struct kvmsea_poison_result r;
	struct kvmsea_poison_error e = {
		.size = K4, .source = KVMSEA_SOURCE_SIGBUS_AR,
	};

	(void)state;
	assert_int_equal(kvmsea_poison_init(&p), 0);
	assert_int_equal(kvmsea_poison_set_capacity(&p, 64), 0);
	assert_int_equal(kvmsea_poison_set_storm(&p, 8, 1000), 0);
	start(0);
	/* new ranges, repeats, unions, and drops once full */
	for (uint64_t i = 0; i < 200; i++) {
		e.gpa = (i % 97) * 2 * K4;
		e.size = i % 5 == 4 ? 4 * K4 : K4;
		e.monotonic_ns = i;
		assert_int_equal(kvmsea_poison_record(&p, &e, &r), 0);
	}
	stop();
	assert_int_equal(allocs, 0);
	assert_int_equal(frees, 0);
	assert_true(locks > 0); /* the mutex, which is allowed here */
	assert_true(kvmsea_poison_dropped(&p) > 0);
	kvmsea_poison_fini(&p);
}

static void test_poison_enomem(void **state)
{
	struct kvmsea_poison_set p;
	struct kvmsea_poison_result r;
	struct kvmsea_poison_error e = {
		.size = K4, .source = KVMSEA_SOURCE_EXIT,
	};
	struct kvmsea_poison before[2], after[2];

	(void)state;
	start(1);
	assert_int_equal(kvmsea_poison_init(&p), -ENOMEM);
	stop();

	assert_int_equal(kvmsea_poison_init(&p), 0);
	assert_int_equal(kvmsea_poison_set_capacity(&p, 2), 0);
	assert_int_equal(kvmsea_poison_set_storm(&p, 2, 1000), 0);
	for (uint64_t i = 0; i < 2; i++) {
		e.gpa = i * K4;
		assert_int_equal(kvmsea_poison_record(&p, &e, &r), 0);
	}
	assert_int_equal(kvmsea_poison_list(&p, before, 2), 2);
	start(1);
	assert_int_equal(kvmsea_poison_set_capacity(&p, 4096), -ENOMEM);
	stop();
	start(1);
	assert_int_equal(kvmsea_poison_set_storm(&p, 100, 1), -ENOMEM);
	stop();
	/* the same records, the same capacity (full), the same policy */
	assert_int_equal(kvmsea_poison_list(&p, after, 2), 2);
	assert_memory_equal(before, after, sizeof(after));
	e.gpa = 0x100000;
	e.monotonic_ns = 10;
	assert_int_equal(kvmsea_poison_record(&p, &e, &r), 0);
	assert_true(r.dropped);
	assert_true(r.storm); /* 2 pages in 1000 ns, not 100 in 1 */
	kvmsea_poison_fini(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookups_call_nothing),
		cmocka_unit_test(test_set_enomem),
		cmocka_unit_test(test_record_allocates_nothing),
		cmocka_unit_test(test_poison_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
