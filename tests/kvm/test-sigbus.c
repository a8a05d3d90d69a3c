/* SPDX-License-Identifier: MIT */
/*
 * The SIGBUS path against the simulated kernel: the simulator's KVM_RUN
 * hands its thread's SIGBUS handler BUS_MCEERR_AR for a poisoned page (as
 * kvm_send_hwpoison_signal() does) and returns -EINTR; the test's own
 * SA_SIGINFO handler calls kvmsea_sigbus(), as a VMM's would. (Real
 * asynchronous signals: tests/reliability/test-signals.c.) Then: the
 * event, the injection, the registry, the VM's records, the storm, the
 * guest_memfd memory fault, a forked child's SIGBUS, and everything that
 * is not the library's.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#define VBAR FX_VBAR
#define PC0 FX_PC
#define RAM_GPA 0x40000000ULL
#define RAM_HVA 0x7f1200000000ULL
#define RAM_SIZE 0x10000ULL      /* 64 KiB */
#define SYNTHETIC 0x92000410ULL  /* DABT_LOW, FnV, FSC 0x10 */

/* What the VMM's signal handler needs: the context, and (on a vCPU's
 * thread) its handle. */
static struct kvmsea_ctx *sig_ctx;
static _Thread_local struct kvmsea_vcpu *sig_vcpu;
static volatile sig_atomic_t sig_calls, sig_last;
static int sig_errno_seen;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;

	(void)sig;
	(void)uc;
	errno = 4242;
	sig_last = kvmsea_sigbus(sig_ctx, sig_vcpu, si->si_code, si->si_addr,
				 (unsigned int)si->si_addr_lsb);
	sig_errno_seen = errno;
	sig_calls++;
	errno = saved;
}

static void install_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGBUS, &sa, NULL), 0);
}

/* The default fixture, guest RAM in the map, the handler installed. */
static void setup(struct fx *f)
{
	const struct kvmsea_memslot ram = {
		.slot = 0, .gpa = RAM_GPA, .size = RAM_SIZE, .hva = RAM_HVA,
	};

	fx_init_default(f);
	fx_guest_at(f, 0x5);
	assert_int_equal(kvmsea_ctx_set_memslot(f->ctx, &ram), 0);
	sig_ctx = f->ctx;
	sig_vcpu = f->v;
	sig_calls = 0;
	install_handler();
}

static void teardown(struct fx *f)
{
	sig_ctx = NULL;
	sig_vcpu = NULL;
	fx_fini(f);
}

static struct kvmsea_stats stats(const struct fx *f)
{
	struct kvmsea_stats st;

	assert_int_equal(kvmsea_ctx_get_stats(f->ctx, &st), 0);
	return st;
}

/* The guest touches the poisoned page at @hva: SIGBUS, KVM_RUN -EINTR. */
static int touch(struct fx *f, uint64_t hva, unsigned int lsb)
{
	assert_int_equal(kvmsim_queue_poison(f->sv, hva, lsb), 0);
	return fx_run_once(f);
}

static void test_ar_becomes_an_injected_event(void **state)
{
	const struct kvmsea_event *ev;
	struct kvmsea_poison rec;
	struct fx f;

	(void)state;
	setup(&f);
	kvmsim_reg_set(f.sv, KVMSEA_REG_FAR_EL1, 0xfa1);
	assert_int_equal(touch(&f, RAM_HVA + 0x3010, 12), KVMSEA_EXIT_HANDLED);
	assert_int_equal(sig_calls, 1);
	assert_int_equal(sig_last, KVMSEA_SIGBUS_RECORDED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_non_null(ev);
	assert_int_equal(ev->source, KVMSEA_SOURCE_SIGBUS_AR);
	assert_int_equal(ev->vcpu_id, 7);
	assert_int_equal(ev->seq, 1);
	assert_true(ev->syndrome == SYNTHETIC);
	assert_int_equal(ev->known, KVMSEA_KNOWN_PAGE_GPA | KVMSEA_KNOWN_PAGE_HVA |
			 KVMSEA_KNOWN_GUEST);
	assert_true(ev->page_gpa == RAM_GPA + 0x3000);
	assert_true(ev->page_hva == RAM_HVA + 0x3000);
	assert_true(ev->page_size == 4096);
	assert_int_equal(ev->sigbus.code, BUS_MCEERR_AR);
	assert_true(ev->sigbus.addr == RAM_HVA + 0x3010);
	assert_int_equal(ev->sigbus.addr_lsb, 12);
	assert_true(ev->guest.pc == PC0);
	assert_int_equal(ev->distinct_pages, 1);
	/* vcpu-events would claim KVM's stale FAR: auto emulates, FnV kept,
	 * the guest's FAR left alone. */
	assert_int_equal(ev->injected, KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(ev->lost, 0);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL1) == 0x96000410ULL);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_FAR_EL1) == 0xfa1);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	/* The registry holds the page. */
	assert_int_equal(kvmsea_ctx_get_poison(f.ctx, &rec, 1), 1);
	assert_true(rec.gpa == RAM_GPA + 0x3000 && rec.size == 4096);
	assert_true(rec.hva == RAM_HVA + 0x3000);
	assert_int_equal(rec.source, KVMSEA_SOURCE_SIGBUS_AR);
	assert_int_equal(rec.count, 1);
	assert_int_equal(kvmsea_ctx_is_poisoned(f.ctx, RAM_GPA + 0x3ff8, 8), 1);
	assert_int_equal(kvmsea_ctx_is_poisoned(f.ctx, RAM_GPA + 0x4000, 8), 0);
	assert_int_equal(stats(&f).sigbus_ar, 1);

	/* A second touch: the same page, counted, still one distinct page;
	 * delivered again (the guest retried after its own handler). */
	fx_guest_at(&f, 0x5);
	assert_int_equal(touch(&f, RAM_HVA + 0x3010, 12), KVMSEA_EXIT_HANDLED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_int_equal(ev->seq, 2);
	assert_int_equal(ev->repeats, 1);
	assert_int_equal(ev->distinct_pages, 1);
	assert_int_equal(kvmsea_ctx_get_poison(f.ctx, &rec, 1), 1);
	assert_int_equal(rec.count, 2);
	/* The signal handler's errno is left alone. */
	assert_int_equal(sig_errno_seen, 4242);
	teardown(&f);
}

/* The page size from si_addr_lsb, cut to the memslot; nonsense lsb is the
 * byte's 4 KiB page. */
static void test_page_size_and_lsb(void **state)
{
	static const struct {
		unsigned int lsb;
		uint64_t gpa, size;
	} cases[] = {
		{ 12, RAM_GPA + 0x5000, 0x1000 },
		{ 14, RAM_GPA + 0x4000, 0x4000 },
		{ 16, RAM_GPA, 0x10000 },
		{ 21, RAM_GPA, RAM_SIZE },  /* 2 MiB page, 64 KiB slot */
		{ 0, RAM_GPA + 0x5000, 0x1000 },
		{ 64, RAM_GPA + 0x5000, 0x1000 },
		{ 255, RAM_GPA + 0x5000, 0x1000 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct kvmsea_event *ev;
		struct fx f;

		setup(&f);
		assert_int_equal(touch(&f, RAM_HVA + 0x5678, cases[i].lsb),
				 KVMSEA_EXIT_HANDLED);
		ev = kvmsea_vcpu_last_event(f.v);
		assert_true(ev->page_gpa == cases[i].gpa);
		assert_true(ev->page_size == cases[i].size);
		assert_int_equal(ev->sigbus.addr_lsb, cases[i].lsb);
		assert_int_equal(kvmsea_ctx_is_poisoned(f.ctx, cases[i].gpa,
							cases[i].size), 1);
		teardown(&f);
	}
}

/* Not a guest memory error: the VMM's, to chain. Nothing recorded. */
static void test_not_mine(void **state)
{
	static const int codes[] = { BUS_ADRALN, BUS_ADRERR, BUS_OBJERR, 0,
				     SI_USER, 77 };
	struct kvmsea_event ev;
	struct fx f, other;

	(void)state;
	setup(&f);
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_int_equal(kvmsea_sigbus(f.ctx, f.v, codes[i],
					       (void *)(uintptr_t)(RAM_HVA + 8), 12),
				 KVMSEA_SIGBUS_NOT_MINE);
	/* Outside every memslot, and at its edges. */
	assert_int_equal(kvmsea_sigbus(f.ctx, f.v, BUS_MCEERR_AR,
				       (void *)(uintptr_t)(RAM_HVA - 1), 12),
			 KVMSEA_SIGBUS_NOT_MINE);
	assert_int_equal(kvmsea_sigbus(f.ctx, NULL, BUS_MCEERR_AO,
				       (void *)(uintptr_t)(RAM_HVA + RAM_SIZE), 12),
			 KVMSEA_SIGBUS_NOT_MINE);
	assert_int_equal(kvmsea_sigbus(f.ctx, NULL, BUS_MCEERR_AO, NULL, 12),
			 KVMSEA_SIGBUS_NOT_MINE);
	assert_int_equal(stats(&f).sigbus_not_mine, 9);
	/* Bad arguments. */
	fx_init_default(&other);
	assert_int_equal(kvmsea_sigbus(NULL, NULL, BUS_MCEERR_AR, NULL, 12), -EINVAL);
	assert_int_equal(kvmsea_sigbus(f.ctx, other.v, BUS_MCEERR_AR,
				       (void *)(uintptr_t)RAM_HVA, 12), -EINVAL);
	fx_fini(&other);
	/* Nothing was recorded. */
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &ev), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA); /* idle -EINTR */
	assert_null(kvmsea_vcpu_last_event(f.v));
	assert_int_equal(kvmsea_ctx_get_poison(f.ctx, NULL, 0), 0);
	assert_int_equal(kvmsea_ctx_next_error(NULL, &ev), -EINVAL);
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, NULL), -EINVAL);
	teardown(&f);
}

/* An AR on the vCPU's thread while KVM_RUN did not fail came from the
 * VMM's own access there: it becomes the VM's, not the guest's. */
static void test_vmm_access_on_vcpu_thread(void **state)
{
	struct kvmsea_event ev;
	struct fx f;

	(void)state;
	setup(&f);
	assert_int_equal(kvmsim_send_sigbus(kvmsim_gettid(), BUS_MCEERR_AR,
					    RAM_HVA + 0x1234, 12), 0);
	assert_int_equal(sig_last, KVMSEA_SIGBUS_RECORDED);
	assert_int_equal(kvmsim_queue_mmio(f.sv, 0x9000000, 0x9000000, false, 4), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_null(kvmsea_vcpu_last_event(f.v));
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &ev), 1);
	assert_int_equal(ev.source, KVMSEA_SOURCE_SIGBUS_AR);
	assert_int_equal(ev.vcpu_id, KVMSEA_NO_VCPU);
	assert_true(ev.page_gpa == RAM_GPA + 0x1000);
	assert_false(ev.known & KVMSEA_KNOWN_GUEST);
	assert_int_equal(ev.injected, KVMSEA_STRATEGY_NONE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == PC0);
	teardown(&f);
}

/* A thread of the VMM that is not a vCPU's: the kernel sends it AO (it
 * asked for early kill) and then AR (it read the page). Only a thread may
 * send itself a signal with these codes. */
static void *vmm_thread(void *arg)
{
	int *ret = arg;

	sig_vcpu = NULL;
	ret[0] = kvmsim_send_sigbus(kvmsim_gettid(), BUS_MCEERR_AO, RAM_HVA + 0x2000, 12);
	ret[1] = kvmsim_send_sigbus(kvmsim_gettid(), BUS_MCEERR_AR, RAM_HVA + 0x7008, 12);
	return NULL;
}

/* AO on an early-kill thread, and AR on a thread that is not a vCPU's:
 * the VM's records, taken with kvmsea_ctx_next_error(), never injected. */
static void test_vm_records(void **state)
{
	struct kvmsea_event ev;
	pthread_t thread;
	int sent[2] = { -1, -1 };
	uint64_t seq;
	struct fx f;

	(void)state;
	setup(&f);
	assert_int_equal(pthread_create(&thread, NULL, vmm_thread, sent), 0);
	pthread_join(thread, NULL);
	assert_int_equal(sent[0], 0);
	assert_int_equal(sent[1], 0);
	assert_int_equal(sig_calls, 2);

	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &ev), 1);
	assert_int_equal(ev.source, KVMSEA_SOURCE_SIGBUS_AO);
	assert_int_equal(ev.vcpu_id, KVMSEA_NO_VCPU);
	assert_true(ev.page_gpa == RAM_GPA + 0x2000);
	assert_int_equal(ev.distinct_pages, 1);
	seq = ev.seq;
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &ev), 1);
	assert_int_equal(ev.source, KVMSEA_SOURCE_SIGBUS_AR);
	assert_true(ev.page_gpa == RAM_GPA + 0x7000);
	assert_true(ev.seq == seq + 1);
	assert_int_equal(ev.distinct_pages, 2);
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &ev), 0);
	/* Nothing reached the vCPU. */
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == PC0);
	assert_int_equal(stats(&f).sigbus_ao, 1);
	assert_int_equal(stats(&f).sigbus_ar, 1);
	teardown(&f);
}

/* Full storage: the error is refused, counted, and said so. */
static void test_overflow_is_counted(void **state)
{
	struct kvmsea_event ev;
	struct fx f;
	int n = 0;

	(void)state;
	setup(&f);
	/* The vCPU keeps 4 ARs. */
	for (int i = 0; i < 5; i++)
		n += kvmsea_sigbus(f.ctx, f.v, BUS_MCEERR_AR,
				   (void *)(uintptr_t)(RAM_HVA + 0x1000 * i), 12) ==
		     KVMSEA_SIGBUS_RECORDED;
	assert_int_equal(n, 4);
	assert_int_equal(kvmsea_sigbus(f.ctx, f.v, BUS_MCEERR_AR,
				       (void *)(uintptr_t)RAM_HVA, 12),
			 KVMSEA_SIGBUS_DROPPED);
	/* The VM keeps 256. */
	for (n = 0; n < 256; n++)
		assert_int_equal(kvmsea_sigbus(f.ctx, NULL, BUS_MCEERR_AO,
					       (void *)(uintptr_t)RAM_HVA, 12),
				 KVMSEA_SIGBUS_RECORDED);
	assert_int_equal(kvmsea_sigbus(f.ctx, NULL, BUS_MCEERR_AO,
				       (void *)(uintptr_t)RAM_HVA, 12),
			 KVMSEA_SIGBUS_DROPPED);
	assert_int_equal(stats(&f).sigbus_dropped, 3);
	/* Delivered, they make room again. */
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &ev), 1);
	assert_int_equal(kvmsea_sigbus(f.ctx, NULL, BUS_MCEERR_AO,
				       (void *)(uintptr_t)RAM_HVA, 12),
			 KVMSEA_SIGBUS_RECORDED);
	teardown(&f);
}

/* The storm limit: the Nth distinct bad page within the window stops the
 * VM under the default policy. */
static void test_storm_stops(void **state)
{
	struct fx f;

	(void)state;
	setup(&f);
	assert_int_equal(kvmsea_ctx_set_storm_limit(f.ctx, 3, 3600ULL * 1000000000), 0);
	for (int i = 0; i < 3; i++) {
		fx_guest_at(&f, 0x5);
		assert_int_equal(touch(&f, RAM_HVA + 0x1000 * i, 12),
				 i < 2 ? KVMSEA_EXIT_HANDLED : KVMSEA_EXIT_STOP);
		assert_int_equal(kvmsea_vcpu_last_event(f.v)->distinct_pages, i + 1);
		assert_int_equal(kvmsea_vcpu_last_event(f.v)->storm, i == 2);
	}
	assert_int_equal(stats(&f).stops, 1);
	teardown(&f);
}

static int retry(struct kvmsea_vcpu *v, const struct kvmsea_event *ev, void *o)
{
	(void)v;
	(void)ev;
	(void)o;
	return KVMSEA_ACTION_RETRY;
}

/* The livelock guard holds for SIGBUS events too. */
static void test_sigbus_livelock(void **state)
{
	struct fx f;

	(void)state;
	setup(&f);
	kvmsea_ctx_set_livelock_limit(f.ctx, 3);
	kvmsea_ctx_set_handler(f.ctx, retry, NULL);
	for (uint32_t i = 1; i <= 3; i++) {
		assert_int_equal(touch(&f, RAM_HVA + 0x2000, 12), KVMSEA_EXIT_HANDLED);
		assert_int_equal(kvmsea_vcpu_last_event(f.v)->repeats, i);
	}
	assert_true(kvmsea_vcpu_last_event(f.v)->livelock);
	kvmsea_ctx_set_handler(f.ctx, NULL, NULL);
	assert_int_equal(touch(&f, RAM_HVA + 0x2000, 12), KVMSEA_EXIT_STOP);
	teardown(&f);
}

/* An SEA exit enters the registry too, with its host page from the map. */
static void test_exit_enters_the_registry(void **state)
{
	const struct kvmsea_event *ev;
	struct kvmsea_poison rec;
	struct fx f;

	(void)state;
	setup(&f);
	assert_int_equal(fx_run_sea(&f, 0x92000010, 0x1234, RAM_GPA + 0x6000, true),
			 KVMSEA_EXIT_HANDLED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_true(ev->known & KVMSEA_KNOWN_PAGE_HVA);
	assert_true(ev->page_hva == RAM_HVA + 0x6000);
	assert_int_equal(ev->distinct_pages, 1);
	assert_int_equal(kvmsea_ctx_get_poison(f.ctx, &rec, 1), 1);
	assert_int_equal(rec.source, KVMSEA_SOURCE_EXIT);
	assert_true(rec.gpa == RAM_GPA + 0x6000 && rec.size == 4096);
	/* Reset replaced the pages: the VMM clears the registry. */
	assert_int_equal(kvmsea_ctx_clear_poison(f.ctx), 0);
	assert_int_equal(kvmsea_ctx_get_poison(f.ctx, NULL, 0), 0);
	teardown(&f);
}

/* guest_memfd: KVM_RUN -EHWPOISON with KVM_EXIT_MEMORY_FAULT. */
static void test_memory_fault(void **state)
{
	const struct kvmsea_event *ev;
	struct fx f;

	(void)state;
	setup(&f);
	assert_int_equal(kvmsim_queue_memory_fault(f.sv, RAM_GPA + 0x8000, 4096, 0), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_HANDLED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_int_equal(ev->source, KVMSEA_SOURCE_MEMORY_FAULT);
	assert_true(ev->memory_fault.gpa == RAM_GPA + 0x8000);
	assert_true(ev->memory_fault.size == 4096);
	assert_true(ev->page_gpa == RAM_GPA + 0x8000 && ev->page_size == 4096);
	assert_true(ev->syndrome == SYNTHETIC);
	assert_int_equal(ev->injected, KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(kvmsea_ctx_is_poisoned(f.ctx, RAM_GPA + 0x8000, 1), 1);
	assert_int_equal(stats(&f).memory_faults, 1);
	/* A VMM that passes -1 (not -errno), or a stale 39: not ours. */
	fx_guest_at(&f, 0x5);
	assert_int_equal(kvmsim_queue_memory_fault(f.sv, RAM_GPA + 0x9000, 4096, 0), 0);
	assert_int_equal(ioctl(kvmsim_vcpu_fd(f.sv), KVM_RUN, 0), -1);
	assert_int_equal(kvmsea_vcpu_handle_exit(f.v, -1), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(kvmsea_vcpu_handle_exit(f.v, -EINTR), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->seq, 1);
	teardown(&f);
}

/* The VMM's own access on the vCPU's thread (an AR recorded before
 * KVM_RUN), then a KVM_RUN that returns 0 with an SEA exit: that return
 * shows the AR was not the guest's (kvmsea_sigbus(3): a KVM_RUN that
 * returned 0 moves it to the VM's storage). A later -EINTR return (a kick
 * from another thread) must not inject it into the guest. */
static void test_vmm_access_before_an_sea_exit(void **state)
{
	struct kvmsea_event ev;
	struct fx f;

	(void)state;
	setup(&f);
	assert_int_equal(kvmsea_sigbus(f.ctx, f.v, BUS_MCEERR_AR,
				       (void *)(uintptr_t)(RAM_HVA + 0x5008), 12),
			 KVMSEA_SIGBUS_RECORDED);
	assert_int_equal(fx_run_sea(&f, 0x92000010, 0x1234, RAM_GPA + 0x6000, true),
			 KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->source, KVMSEA_SOURCE_EXIT);
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &ev), 1);
	assert_int_equal(ev.source, KVMSEA_SOURCE_SIGBUS_AR);
	assert_true(ev.page_gpa == RAM_GPA + 0x5000);
	/* The kick: nothing for the guest. */
	fx_guest_at(&f, 0x5);
	assert_int_equal(kvmsim_queue_eintr(f.sv, false), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->source, KVMSEA_SOURCE_EXIT);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == PC0);
	assert_int_equal(stats(&f).injected, 1);
	teardown(&f);
}

/* The same before a guest_memfd memory fault: KVM_RUN failed with
 * EHWPOISON, which KVM never returns after sending a SIGBUS, so the AR is
 * the VMM's; the memory fault is this return's event, not lost. */
static void test_vmm_access_before_a_memory_fault(void **state)
{
	const struct kvmsea_event *ev;
	struct kvmsea_event vm;
	struct fx f;

	(void)state;
	setup(&f);
	assert_int_equal(kvmsea_sigbus(f.ctx, f.v, BUS_MCEERR_AR,
				       (void *)(uintptr_t)(RAM_HVA + 0x5008), 12),
			 KVMSEA_SIGBUS_RECORDED);
	assert_int_equal(kvmsim_queue_memory_fault(f.sv, RAM_GPA + 0x8000, 4096, 0), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_HANDLED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_non_null(ev);
	assert_int_equal(ev->source, KVMSEA_SOURCE_MEMORY_FAULT);
	assert_true(ev->page_gpa == RAM_GPA + 0x8000);
	assert_int_equal(stats(&f).memory_faults, 1);
	assert_int_equal(kvmsea_ctx_is_poisoned(f.ctx, RAM_GPA + 0x8000, 1), 1);
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &vm), 1);
	assert_int_equal(vm.source, KVMSEA_SOURCE_SIGBUS_AR);
	assert_true(vm.page_gpa == RAM_GPA + 0x5000);
	teardown(&f);
}

/* A vCPU handle freed with ARs still in its storage (the VMM tears the
 * vCPU down without another hook call): the errors are the VM's, not
 * lost without a count. */
static void test_vcpu_free_keeps_its_records(void **state)
{
	struct kvmsea_event ev;
	struct fx f;

	(void)state;
	setup(&f);
	assert_int_equal(kvmsea_sigbus(f.ctx, f.v, BUS_MCEERR_AR,
				       (void *)(uintptr_t)(RAM_HVA + 0x3000), 12),
			 KVMSEA_SIGBUS_RECORDED);
	sig_vcpu = NULL;
	kvmsea_vcpu_free(f.v);
	f.v = NULL;
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &ev), 1);
	assert_int_equal(ev.source, KVMSEA_SOURCE_SIGBUS_AR);
	assert_true(ev.page_gpa == RAM_GPA + 0x3000);
	assert_int_equal(stats(&f).sigbus_dropped, 0);
	teardown(&f);
}

/* The child's side of test_fork_child_is_invisible: an AR on the vCPU's
 * thread (the handler, as the kernel would call it), an AO for the VM,
 * and the AO taken. 0 if each was recorded in the child's own copy. */
static int child_sigbus(struct fx *f)
{
	struct kvmsea_event ev;
	struct kvmsea_stats st;

	if (kvmsim_send_sigbus(kvmsim_gettid(), BUS_MCEERR_AR, RAM_HVA + 0x3008, 12) ||
	    sig_last != KVMSEA_SIGBUS_RECORDED)
		return 1;
	if (kvmsea_sigbus(f->ctx, NULL, BUS_MCEERR_AO,
			  (void *)(uintptr_t)(RAM_HVA + 0x4000), 12) !=
	    KVMSEA_SIGBUS_RECORDED)
		return 2;
	if (kvmsea_ctx_next_error(f->ctx, &ev) != 1 || ev.page_gpa != RAM_GPA + 0x4000)
		return 3;
	if (kvmsea_ctx_get_stats(f->ctx, &st) || st.sigbus_ar != 1 || st.sigbus_ao != 1)
		return 4;
	return 0;
}

/* kvmsea_sigbus(3), FORK: a forked child's SIGBUS records into its own
 * copy of the context. The child exits normally; the parent's counters,
 * records, registry and vCPU storage are as they were. */
static void test_fork_child_is_invisible(void **state)
{
	struct kvmsea_stats before, after;
	struct kvmsea_event ev;
	struct kvmsea_poison rec;
	struct fx f;
	pid_t child;
	int status;

	(void)state;
	setup(&f);
	before = stats(&f);
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(child_sigbus(&f));
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	after = stats(&f);
	assert_memory_equal(&before, &after, sizeof(after));
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &ev), 0);
	assert_int_equal(kvmsea_ctx_get_poison(f.ctx, &rec, 1), 0);
	/* The vCPU holds no AR: freeing it hands the VM nothing. */
	sig_vcpu = NULL;
	kvmsea_vcpu_free(f.v);
	f.v = NULL;
	assert_int_equal(kvmsea_ctx_next_error(f.ctx, &ev), 0);
	teardown(&f);
}

#define HCR_VM (1ULL << 0)

/* A nested vCPU running its guest hypervisor's guest (L2) with the guest
 * hypervisor's stage 2 on (virtual HCR_EL2.VM): KVM's gpa is an L2 IPA
 * (kvmsea_event(3)), which the guest hypervisor chooses. It is not an
 * address of the VM's memory map: it must not enter the VM's poison
 * registry, nor name a host page. */
static void test_nested_ipa_stays_out_of_the_registry(void **state)
{
	const struct fx_opts nested = { .profile = KVMSIM_HOST_RAS,
					.host_flags = KVMSIM_HOST_ARM_EL2,
					.vcpu_flags = KVMSIM_VCPU_HAS_EL2,
					.enable = true };
	const struct kvmsea_memslot ram = {
		.slot = 0, .gpa = RAM_GPA, .size = RAM_SIZE, .hva = RAM_HVA,
	};
	const struct kvmsea_event *ev;
	struct kvmsea_poison rec;
	struct fx f;

	(void)state;
	fx_init(&f, &nested);
	assert_int_equal(kvmsea_ctx_set_memslot(f.ctx, &ram), 0);
	kvmsim_reg_set(f.sv, KVMSEA_REG_HCR_EL2, HCR_VM);
	fx_guest_at(&f, 0x5); /* L2 at EL1h; the abort stays there */
	assert_int_equal(fx_run_sea(&f, 0x92000010, 0x1234, RAM_GPA + 0x6000, true),
			 KVMSEA_EXIT_HANDLED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_true(ev->guest.in_nested_guest);
	assert_true(ev->known & KVMSEA_KNOWN_PAGE_GPA); /* the L2 IPA, as KVM said */
	assert_false(ev->known & KVMSEA_KNOWN_PAGE_HVA);
	assert_true(ev->page_hva == 0);
	assert_int_equal(kvmsea_ctx_get_poison(f.ctx, &rec, 1), 0);
	assert_int_equal(kvmsea_ctx_is_poisoned(f.ctx, RAM_GPA + 0x6000, 1), 0);

	/* Stage 2 off: the L2 IPA is the VM's address; it enters. */
	kvmsim_reg_set(f.sv, KVMSEA_REG_HCR_EL2, 0);
	fx_guest_at(&f, 0x5);
	assert_int_equal(fx_run_sea(&f, 0x92000010, 0x1234, RAM_GPA + 0x6000, true),
			 KVMSEA_EXIT_HANDLED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_true(ev->known & KVMSEA_KNOWN_PAGE_HVA);
	assert_true(ev->page_hva == RAM_HVA + 0x6000);
	assert_int_equal(kvmsea_ctx_is_poisoned(f.ctx, RAM_GPA + 0x6000, 1), 1);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ar_becomes_an_injected_event),
		cmocka_unit_test(test_page_size_and_lsb),
		cmocka_unit_test(test_not_mine),
		cmocka_unit_test(test_vmm_access_on_vcpu_thread),
		cmocka_unit_test(test_vm_records),
		cmocka_unit_test(test_overflow_is_counted),
		cmocka_unit_test(test_storm_stops),
		cmocka_unit_test(test_sigbus_livelock),
		cmocka_unit_test(test_exit_enters_the_registry),
		cmocka_unit_test(test_memory_fault),
		cmocka_unit_test(test_vmm_access_before_an_sea_exit),
		cmocka_unit_test(test_vmm_access_before_a_memory_fault),
		cmocka_unit_test(test_vcpu_free_keeps_its_records),
		cmocka_unit_test(test_fork_child_is_invisible),
		cmocka_unit_test(test_nested_ipa_stays_out_of_the_registry),
	};

	return cmocka_run_group_tests_name("sigbus", tests, NULL, NULL);
}
