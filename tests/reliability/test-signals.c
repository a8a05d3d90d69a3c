/* SPDX-License-Identifier: MIT */
/*
 * Real asynchronous signals into the library. Threads the library never
 * saw, and a vCPU thread inside kvmsea_vcpu_handle_exit() and its
 * handler, are interrupted again and again by a signal whose handler
 * calls kvmsea_sigbus() (a real-time signal stands in for the kernel's
 * SIGBUS, which qemu-user and valgrind keep for themselves, and unlike
 * SIGBUS it queues, so every one sent is handled; kvmsea_sigbus() only
 * reads the fields it is given), while another thread drains the VM's records
 * and a third changes the memory map. Nothing may crash, hang or be lost
 * uncounted: every record the handlers were told RECORDED is delivered,
 * and the library's drop count is the handlers' DROPPED count. Under
 * ThreadSanitizer (run-tsan.sh) no data race may be reported.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <cmocka.h>

#include "internal.h"
#include "kvmsim.h"
#include "rel-env.h"

#define RAM_GPA 0x40000000ULL
#define RAM_HVA 0x7f1200000000ULL
#define RAM_SIZE (1ULL << 24)
#define WORKERS 4
#ifdef REL_SMALL
#define SIGNALS 2000
#else
#define SIGNALS 20000
#endif

static struct kvmsea_ctx *ctx;
static _Thread_local struct kvmsea_vcpu *my_vcpu;
static atomic_ulong recorded_vm, recorded_vcpu, dropped, not_mine, sent;
/* Threads that have started: signals sent to a thread that has not run yet
 * are handled before its first instruction, with my_vcpu still NULL. */
static atomic_int started;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	static atomic_ulong n;
	unsigned long k = atomic_fetch_add(&n, 1);
	int code = my_vcpu ? BUS_MCEERR_AR : BUS_MCEERR_AO;
	int saved = errno;
	int r;

	(void)sig;
	(void)si;
	(void)uc;
	/* One in 8 outside guest memory: not ours. */
	r = kvmsea_sigbus(ctx, my_vcpu, code,
			  (void *)(uintptr_t)(k % 8 ? RAM_HVA + (k % 4096) * 4096 :
						    RAM_HVA - 4096), 12);
	if (r == KVMSEA_SIGBUS_RECORDED)
		atomic_fetch_add(my_vcpu ? &recorded_vcpu : &recorded_vm, 1);
	else if (r == KVMSEA_SIGBUS_DROPPED)
		atomic_fetch_add(&dropped, 1);
	else if (r == KVMSEA_SIGBUS_NOT_MINE)
		atomic_fetch_add(&not_mine, 1);
	errno = saved;
}

static unsigned long handled(void)
{
	return atomic_load(&recorded_vm) + atomic_load(&recorded_vcpu) +
	       atomic_load(&dropped) + atomic_load(&not_mine);
}

struct vcpu_thread {
	struct kvmsim_vcpu *sv;
	struct kvmsea_vcpu *v;
	atomic_bool stop;
	unsigned long events;
};

static int count_event(struct kvmsea_vcpu *v, const struct kvmsea_event *ev,
		       void *opaque)
{
	struct vcpu_thread *t = opaque;

	(void)v;
	if (ev->source == KVMSEA_SOURCE_SIGBUS_AR)
		t->events++;
	return KVMSEA_ACTION_RETRY; /* nothing injected: the guest stays put */
}

/* A vCPU whose KVM_RUN keeps returning -EINTR (the simulator's idle run),
 * each return delivering what the signals recorded for it. */
static void *run_vcpu(void *arg)
{
	struct vcpu_thread *t = arg;
	int fd = kvmsim_vcpu_fd(t->sv);

	my_vcpu = t->v;
	atomic_fetch_add(&started, 1);
	while (!atomic_load(&t->stop)) {
		int r = ioctl(fd, KVM_RUN, 0);

		(void)kvmsea_vcpu_handle_exit(t->v, r < 0 ? -errno : 0);
	}
	return NULL;
}

static void *idle(void *arg)
{
	atomic_bool *stop = arg;

	atomic_fetch_add(&started, 1);
	while (!atomic_load(stop))
		sched_yield();
	return NULL;
}

struct drain {
	atomic_bool stop;
	unsigned long events;
};

static void *drain_vm(void *arg)
{
	struct drain *d = arg;
	struct kvmsea_event ev;

	while (!atomic_load(&d->stop))
		while (kvmsea_ctx_next_error(ctx, &ev) == 1)
			d->events++;
	return NULL;
}

/* Slot 1 comes and goes; slot 0 (where the signals point) stays. */
static void *churn_map(void *arg)
{
	atomic_bool *stop = arg;
	struct kvmsea_memslot s = { .slot = 1, .gpa = 0x80000000, .size = 0x10000,
				    .hva = 0x7f3000000000 };

	while (!atomic_load(stop)) {
		s.size = 0x10000;
		(void)kvmsea_ctx_set_memslot(ctx, &s);
		s.size = 0;
		(void)kvmsea_ctx_set_memslot(ctx, &s);
	}
	return NULL;
}

static void test_signals_everywhere(void **state)
{
	const struct kvmsea_memslot ram = { .slot = 0, .gpa = RAM_GPA,
					    .size = RAM_SIZE, .hva = RAM_HVA };
	struct kvmsim_host *host = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	struct kvmsim_vm *vm = kvmsim_create_vm(host, 0);
	pthread_t workers[WORKERS], vthread, drainer, churner;
	atomic_bool stop = false;
	struct vcpu_thread vt = { 0 };
	struct drain d = { 0 };
	struct kvmsea_event ev;
	struct kvmsea_stats st;
	struct sigaction sa;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGRTMIN, &sa, NULL), 0);

	assert_int_equal(kvmsea_ctx_new(kvmsim_vm_fd(vm), &ctx), 0);
	assert_int_equal(kvmsea_ctx_set_memslot(ctx, &ram), 0);
	vt.sv = kvmsim_create_vcpu(vm, 0);
	assert_int_equal(kvmsea_vcpu_new(ctx, kvmsim_vcpu_fd(vt.sv),
					 kvmsim_vcpu_run_area(vt.sv), 0, 0, &vt.v), 0);
	assert_int_equal(kvmsea_ctx_set_handler(ctx, count_event, &vt), 0);
	assert_int_equal(kvmsea_ctx_set_livelock_limit(ctx, 0), 0);

	for (int i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_create(&workers[i], NULL, idle, &stop), 0);
	assert_int_equal(pthread_create(&vthread, NULL, run_vcpu, &vt), 0);
	assert_int_equal(pthread_create(&drainer, NULL, drain_vm, &d), 0);
	assert_int_equal(pthread_create(&churner, NULL, churn_map, &stop), 0);
	while (atomic_load(&started) < WORKERS + 1)
		sched_yield();

	for (unsigned long i = 0; i < SIGNALS; i++) {
		pthread_t to = i % (WORKERS + 1) == WORKERS ? vthread : workers[i % (WORKERS + 1)];

		if (pthread_kill(to, SIGRTMIN) == 0)
			atomic_fetch_add(&sent, 1);
		if (i % 64 == 0)
			sched_yield();
	}
	/* Let the signals be handled: all of them, or (ThreadSanitizer keeps
	 * one pending instance per signal number) until none has come for a
	 * while; then everything they recorded must be delivered. */
	for (unsigned long last = 0, quiet = 0; handled() < atomic_load(&sent) &&
	     quiet < 200000;) {
		unsigned long now = handled();

		quiet = now == last ? quiet + 1 : 0;
		last = now;
		sched_yield();
	}
	atomic_store(&stop, true);
	atomic_store(&vt.stop, true);
	atomic_store(&d.stop, true);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(workers[i], NULL);
	pthread_join(vthread, NULL);
	pthread_join(drainer, NULL);
	pthread_join(churner, NULL);
	while (kvmsea_vcpu_handle_exit(vt.v, -EINTR) != KVMSEA_EXIT_NOT_SEA)
		;
	while (kvmsea_ctx_next_error(ctx, &ev) == 1)
		d.events++;

	assert_int_equal(kvmsea_ctx_get_stats(ctx, &st), 0);
	printf("signals: %lu sent; %lu recorded for the VM, %lu for the vCPU, "
	       "%lu dropped, %lu not ours; %lu VM events drained, %lu vCPU "
	       "events delivered\n", atomic_load(&sent), atomic_load(&recorded_vm),
	       atomic_load(&recorded_vcpu), atomic_load(&dropped),
	       atomic_load(&not_mine), d.events, vt.events);
	assert_int_equal(atomic_load(&recorded_vm), d.events);
	assert_int_equal(atomic_load(&recorded_vcpu), vt.events);
	assert_int_equal(atomic_load(&dropped), st.sigbus_dropped);
	assert_int_equal(atomic_load(&not_mine), st.sigbus_not_mine);
	assert_int_equal(st.sigbus_ao, atomic_load(&recorded_vm));
	assert_int_equal(st.sigbus_ar, atomic_load(&recorded_vcpu));
	assert_true(atomic_load(&not_mine) > 0 && d.events > 0 && vt.events > 0);

	kvmsea_vcpu_free(vt.v);
	kvmsea_ctx_free(ctx);
	kvmsim_host_free(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signals_everywhere),
	};

	return cmocka_run_group_tests_name("signals", tests, NULL, NULL);
}
