/* SPDX-License-Identifier: MIT */
/*
 * The KVM half against the simulated kernel: probe and enable on each host
 * profile, the run-loop hook, the handler's actions, the livelock guard,
 * the ioctl budgets, and bad input that must change nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"

#define VBAR FX_VBAR
#define PC0 FX_PC
#define GVA 0x50000123ULL
#define IPA 0x50000000ULL

/* ---- probe and enable ---- */

static void test_probe_profiles(void **state)
{
	struct kvmsim_host *h;
	struct kvmsea_caps c;
	int sys;

	(void)state;
	h = kvmsim_host_new(KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2);
	sys = kvmsim_open_system(h);
	assert_int_equal(kvmsea_probe(sys, &c), 0);
	assert_true(c.sea_to_user > 0 && c.inject_ext_dabt > 0 && c.vcpu_events > 0);
	assert_true(c.inject_serror_esr > 0 && c.arm_el2 > 0);
	assert_true(c.sea_exits_possible);
	assert_false(c.sea_exits_enabled);
	kvmsim_host_free(h);

	/* No RAS: the cap still says 1, but exits cannot happen. */
	h = kvmsim_host_new(KVMSIM_HOST_NO_RAS, 0);
	sys = kvmsim_open_system(h);
	assert_int_equal(kvmsea_probe(sys, &c), 0);
	assert_true(c.sea_to_user > 0);
	assert_int_equal(c.inject_serror_esr, 0);
	assert_false(c.sea_exits_possible);
	assert_int_equal(c.arm_el2, 0);
	kvmsim_host_free(h);

	h = kvmsim_host_new(KVMSIM_HOST_OLD_KERNEL, 0);
	sys = kvmsim_open_system(h);
	assert_int_equal(kvmsea_probe(sys, &c), 0);
	assert_int_equal(c.sea_to_user, 0);
	assert_int_equal(c.inject_ext_dabt, 0);
	assert_false(c.sea_exits_possible);
	kvmsim_host_free(h);
}

static void test_probe_protected_vm(void **state)
{
	struct kvmsim_host *h = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	struct kvmsim_vm *vm = kvmsim_create_vm(h, KVMSIM_VM_PROTECTED);
	struct kvmsea_caps c;
	struct kvmsea_ctx *ctx;

	(void)state;
	assert_int_equal(kvmsea_probe(kvmsim_open_system(h), &c), 0);
	assert_true(c.sea_to_user > 0);
	assert_int_equal(kvmsea_probe(kvmsim_vm_fd(vm), &c), 0);
	assert_int_equal(c.sea_to_user, 0);
	assert_false(c.sea_exits_possible);

	assert_int_equal(kvmsea_ctx_new(kvmsim_vm_fd(vm), &ctx), 0);
	kvmsim_host_ioctl_reset(h);
	assert_int_equal(kvmsea_ctx_enable(ctx), -EOPNOTSUPP);
	/* Nothing was asked of the kernel, and nothing changed. */
	assert_int_equal(kvmsim_host_ioctl_count(h, KVMSIM_IOCTL_ENABLE_CAP), 0);
	assert_false(kvmsim_vm_sea_enabled(vm));
	assert_int_equal(kvmsea_ctx_get_caps(ctx, &c), 0);
	assert_false(c.sea_exits_enabled);
	kvmsea_ctx_free(ctx);
	kvmsim_host_free(h);
}

/*
 * What the system answers KVM_CHECK_EXTENSION on a fd that is not KVM's:
 * Linux says -EBADF (closed) or -ENOTTY (another file); qemu-user, which
 * runs the aarch64 tests, answers -ENOSYS for an ioctl it does not know.
 */
static int foreign_errno(int fd, int linux_errno)
{
	int expect = ioctl(fd, KVM_CHECK_EXTENSION, 245) < 0 ? -errno : 0;

	if (expect != -ENOSYS)
		assert_int_equal(expect, -linux_errno);
	return expect;
}

static void test_probe_bad_fds(void **state)
{
	struct kvmsea_caps c, before;
	int p[2];

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	before = c;
	assert_int_equal(kvmsea_probe(-1, &c), -EBADF);
	assert_int_equal(pipe(p), 0);
	close(p[1]);
	/* A closed fd, and a real fd that is not KVM's. */
	assert_int_equal(kvmsea_probe(p[1], &c), foreign_errno(p[1], EBADF));
	assert_int_equal(kvmsea_probe(p[0], &c), foreign_errno(p[0], ENOTTY));
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(kvmsea_probe(p[0], NULL), -EINVAL);
	close(p[0]);
}

static void test_enable(void **state)
{
	struct kvmsim_host *h = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	struct kvmsim_vm *vm = kvmsim_create_vm(h, 0);
	struct kvmsea_caps c;
	struct kvmsea_ctx *ctx;

	(void)state;
	assert_int_equal(kvmsea_ctx_new(kvmsim_vm_fd(vm), &ctx), 0);
	assert_false(kvmsim_vm_sea_enabled(vm));
	assert_int_equal(kvmsea_ctx_enable(ctx), 0);
	assert_true(kvmsim_vm_sea_enabled(vm));
	/* Idempotent, and allowed once vCPUs exist. */
	assert_non_null(kvmsim_create_vcpu(vm, 0));
	assert_int_equal(kvmsea_ctx_enable(ctx), 0);
	assert_int_equal(kvmsea_ctx_get_caps(ctx, &c), 0);
	assert_true(c.sea_exits_enabled);
	kvmsea_ctx_free(ctx);
	kvmsim_host_free(h);

	/* An old kernel: a clear -EOPNOTSUPP, not the kernel's -EINVAL. */
	h = kvmsim_host_new(KVMSIM_HOST_OLD_KERNEL, 0);
	vm = kvmsim_create_vm(h, 0);
	assert_int_equal(kvmsea_ctx_new(kvmsim_vm_fd(vm), &ctx), 0);
	assert_int_equal(kvmsea_ctx_enable(ctx), -EOPNOTSUPP);
	assert_false(kvmsim_vm_sea_enabled(vm));
	kvmsea_ctx_free(ctx);
	kvmsim_host_free(h);
}

static void test_ctx_bad_input(void **state)
{
	struct kvmsea_ctx *ctx = (struct kvmsea_ctx *)0x1;
	int p[2];

	(void)state;
	assert_int_equal(kvmsea_ctx_new(3, NULL), -EINVAL);
	assert_int_equal(kvmsea_ctx_new(-1, &ctx), -EBADF);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(kvmsea_ctx_new(p[0], &ctx), foreign_errno(p[0], ENOTTY));
	assert_ptr_equal(ctx, (struct kvmsea_ctx *)0x1); /* untouched */
	/* The library never closes the caller's fd. */
	assert_int_equal(fcntl(p[0], F_GETFD), 0);
	close(p[0]);
	close(p[1]);
	assert_int_equal(kvmsea_ctx_enable(NULL), -EINVAL);
	assert_int_equal(kvmsea_ctx_set_handler(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(kvmsea_ctx_set_livelock_limit(NULL, 1), -EINVAL);
	assert_int_equal(kvmsea_ctx_get_caps(NULL, NULL), -EINVAL);
	kvmsea_ctx_free(NULL);
}

static void test_vcpu_bad_input(void **state)
{
	struct fx f;
	struct kvmsea_vcpu *v = NULL;

	(void)state;
	fx_init_default(&f);
	assert_int_equal(kvmsea_vcpu_new(NULL, 3, f.run, 0, 0, &v), -EINVAL);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, 3, NULL, 0, 0, &v), -EINVAL);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, 3, f.run, 0, 0, NULL), -EINVAL);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, 3, f.run, 0, 1u << 5, &v), -EINVAL);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, 3, f.run, 0,
					 KVMSEA_VCPU_EL1_32BIT | KVMSEA_VCPU_HAS_EL2,
					 &v), -EINVAL);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, -1, f.run, 0, 0, &v), -EBADF);
	assert_null(v);
	assert_int_equal(kvmsea_vcpu_handle_exit(NULL, 0), -EINVAL);
	assert_int_equal(kvmsea_vcpu_inject(NULL, NULL, KVMSEA_STRATEGY_AUTO), -EINVAL);
	assert_null(kvmsea_vcpu_last_event(f.v));
	assert_null(kvmsea_vcpu_last_event(NULL));
	assert_ptr_equal(kvmsea_vcpu_get_ctx(f.v), f.ctx);
	assert_int_equal(kvmsea_vcpu_get_id(f.v), 7);
	kvmsea_vcpu_free(NULL);
	fx_fini(&f);
}

/* ---- the run-loop hook ---- */

static void test_non_sea_exits_cost_no_ioctl(void **state)
{
	struct fx f;
	int fd;

	(void)state;
	fx_init_default(&f);
	fd = kvmsim_vcpu_fd(f.sv);
	assert_int_equal(kvmsim_queue_mmio(f.sv, 0x9000000, 0x9000000, true, 4), 0);
	kvmsim_ioctl_reset(fd);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(f.run->exit_reason, KVM_EXIT_MMIO);
	/* Only the VMM's own KVM_RUN reached the kernel. */
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_ALL), 1);
	assert_null(kvmsea_vcpu_last_event(f.v));
	/* A signal (KVM_EXIT_INTR) and an error are not SEAs either. */
	assert_int_equal(kvmsim_queue_eintr(f.sv, false), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(kvmsim_queue_error(f.sv, EFAULT), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	fx_fini(&f);
}

static void test_stale_exit_after_eintr(void **state)
{
	struct fx f;
	struct kvmsim_vcpu_stats st;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true),
			 KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->count, 1);

	/* immediate_exit: KVM_RUN returns -EINTR and leaves exit_reason 41
	 * and arm_sea as they were. That must not become a second SEA. */
	f.run->immediate_exit = 1;
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(f.run->exit_reason, KVM_EXIT_ARM_SEA);
	f.run->immediate_exit = 0;
	/* The same through a queued stale -EINTR. */
	assert_int_equal(kvmsim_queue_eintr(f.sv, true), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->count, 1);
	kvmsim_vcpu_get_stats(f.sv, &st);
	assert_int_equal(st.ext_dabt, 1); /* injected once, not three times */
	fx_fini(&f);
}

static void test_default_policy_event_and_injection(void **state)
{
	const struct kvmsea_event *ev;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true),
			 KVMSEA_EXIT_HANDLED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_non_null(ev);
	/* The raw fields are what the kernel put in run->arm_sea. */
	assert_true(ev->raw_esr == f.run->u.arm_sea.esr);
	assert_true(ev->raw_gva == f.run->u.arm_sea.gva);
	assert_true(ev->raw_gpa == f.run->u.arm_sea.gpa);
	assert_true(ev->raw_flags == f.run->u.arm_sea.flags);
	assert_true(ev->raw_esr == 0x92000010ULL);
	assert_int_equal(ev->source, KVMSEA_SOURCE_EXIT);
	assert_int_equal(ev->vcpu_id, 7);
	assert_int_equal(ev->esr.ec, KVMSEA_EC_DABT_LOW);
	assert_true(ev->gva_valid && ev->gpa_valid && ev->addr_valid);
	assert_true(ev->gva == GVA);
	assert_true(ev->gpa == IPA);
	assert_true(ev->addr == (IPA | (GVA & 0xfff)));
	assert_true(ev->guest.pc == PC0);
	assert_int_equal(ev->guest.el, 1);
	assert_false(ev->guest.aarch32);
	assert_int_equal(ev->repeats, 1);
	assert_false(ev->livelock);
	/* Lossless for ext_dabt_pending: auto took it. */
	assert_int_equal(ev->injected, KVMSEA_STRATEGY_VCPU_EVENTS);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL1) == 0x96000010ULL);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_FAR_EL1) == GVA);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ELR_EL1) == PC0);
	fx_fini(&f);
}

static void test_fnv_event_and_auto_emulates(void **state)
{
	const struct kvmsea_event *ev;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x0);
	kvmsim_reg_set(f.sv, KVMSEA_REG_FAR_EL1, 0x1234);
	/* FnV: the gva KVM wrote means nothing; no IPA either. */
	assert_int_equal(fx_run_sea(&f, 0x92000410, 0xdeadbeef, 0, false),
			 KVMSEA_EXIT_HANDLED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_false(ev->gva_valid);
	assert_false(ev->gpa_valid);
	assert_false(ev->addr_valid);
	assert_true(ev->gva == 0 && ev->gpa == 0 && ev->addr == 0);
	assert_true(ev->esr.u.abort.fnv);
	/* vcpu-events would hand the guest 0xdeadbeef as a valid FAR. */
	assert_int_equal(ev->injected, KVMSEA_STRATEGY_EMULATE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL1) == 0x92000410ULL);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_FAR_EL1) == 0x1234);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x400);
	fx_fini(&f);
}

static void test_every_sea_fsc(void **state)
{
	static const unsigned int fscs[] = { 0x10, 0x13, 0x14, 0x15, 0x16, 0x17,
					     0x18, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f };
	(void)state;
	for (size_t i = 0; i < sizeof(fscs) / sizeof(fscs[0]); i++) {
		for (int data = 0; data < 2; data++) {
			const struct kvmsea_event *ev;
			uint64_t esr = (data ? 0x92000000ULL : 0x82000000ULL) | fscs[i];
			uint64_t expect_ec = data ? 0x25 : 0x21;
			struct fx f;

			fx_init_default(&f);
			fx_guest_at(&f, 0x5);
			assert_int_equal(fx_run_sea(&f, esr, GVA, IPA, true),
					 KVMSEA_EXIT_HANDLED);
			ev = kvmsea_vcpu_last_event(f.v);
			assert_true(ev->esr.u.abort.is_sea);
			/* Lossless only for a data abort with FSC 0x10. */
			assert_int_equal(ev->injected, (data && fscs[i] == 0x10) ?
					 KVMSEA_STRATEGY_VCPU_EVENTS :
					 KVMSEA_STRATEGY_EMULATE);
			assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL1) ==
				    ((expect_ec << 26) | (1ULL << 25) | fscs[i]));
			assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_FAR_EL1) == GVA);
			assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
			fx_fini(&f);
		}
	}
}

static void test_cap_off_means_serror(void **state)
{
	const struct fx_opts o = { .profile = KVMSIM_HOST_RAS, .enable = false };
	struct kvmsim_vcpu_stats st;
	struct kvmsea_caps c;
	struct fx f;

	(void)state;
	fx_init(&f, &o);
	fx_guest_at(&f, 0x5 | 0x100); /* SErrors masked: it stays pending */
	/* KVM keeps the SEA and makes it an SError; KVM_RUN carries on (to
	 * an idle -EINTR here): the hook sees no SEA, and says so. */
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true),
			 KVMSEA_EXIT_NOT_SEA);
	kvmsim_vcpu_get_stats(f.sv, &st);
	assert_int_equal(st.sea_exits, 0);
	assert_int_equal(st.sea_serror, 1);
	assert_int_equal(kvmsea_ctx_get_caps(f.ctx, &c), 0);
	assert_false(c.sea_exits_enabled);
	assert_true(c.sea_exits_possible);
	fx_fini(&f);
}

/* ---- the handler ---- */

struct policy {
	int action;
	int calls;
	bool inject_itself;
	uint32_t last_repeats;
	bool last_livelock;
};

static int on_sea(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
		  void *opaque)
{
	struct policy *p = opaque;

	p->calls++;
	p->last_repeats = ev->repeats;
	p->last_livelock = ev->livelock;
	if (p->inject_itself) {
		int r = kvmsea_vcpu_inject(vcpu, ev, KVMSEA_STRATEGY_EMULATE);

		return r < 0 ? r : KVMSEA_ACTION_HANDLED;
	}
	return p->action;
}

static void test_handler_actions(void **state)
{
	struct policy p = { 0 };
	struct kvmsim_vcpu_stats st;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	kvmsea_ctx_set_handler(f.ctx, on_sea, &p);

	p.action = KVMSEA_ACTION_STOP;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_STOP);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected, KVMSEA_STRATEGY_NONE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == PC0); /* untouched */

	p.action = -EIO; /* a handler's error comes back as it is */
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), -EIO);
	p.action = 999;  /* an action that does not exist */
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), -EINVAL);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == PC0);

	p.action = KVMSEA_ACTION_INJECT_SERROR;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected, KVMSEA_STRATEGY_SERROR);
	kvmsim_vcpu_get_stats(f.sv, &st);
	assert_int_equal(st.serror, 1);

	/* The handler injects through the public call itself. */
	kvmsim_vcpu_clear_serror(f.sv);
	fx_guest_at(&f, 0x5);
	p.inject_itself = true;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected, KVMSEA_STRATEGY_EMULATE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	assert_int_equal(p.calls, 5);
	fx_fini(&f);
}

static void test_livelock_guard(void **state)
{
	struct policy p = { .action = KVMSEA_ACTION_RETRY };
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	kvmsea_ctx_set_livelock_limit(f.ctx, 4);
	kvmsea_ctx_set_handler(f.ctx, on_sea, &p);
	/* A persistent error and a retrying policy: same PC, same address. */
	for (uint32_t i = 1; i <= 6; i++) {
		assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true),
				 KVMSEA_EXIT_HANDLED);
		assert_int_equal(p.last_repeats, i);
		assert_int_equal(p.last_livelock, i >= 4);
	}
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == PC0);
	/* Another address starts a new run of repeats. */
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA + 0x1000, IPA + 0x1000, true),
			 KVMSEA_EXIT_HANDLED);
	assert_int_equal(p.last_repeats, 1);

	/* Without a handler the default policy stops at the limit. */
	kvmsea_ctx_set_handler(f.ctx, NULL, NULL);
	kvmsea_ctx_set_livelock_limit(f.ctx, 2);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA + 0x1000, IPA + 0x1000, true),
			 KVMSEA_EXIT_STOP);
	assert_true(kvmsea_vcpu_last_event(f.v)->livelock);
	/* Limit 0 turns the guard off. */
	kvmsea_ctx_set_livelock_limit(f.ctx, 0);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA + 0x1000, IPA + 0x1000, true),
			 KVMSEA_EXIT_HANDLED);
	assert_false(kvmsea_vcpu_last_event(f.v)->livelock);
	fx_fini(&f);
}

/* ---- budgets and bad input ---- */

static void test_ioctl_budget(void **state)
{
	const struct kvmsea_event *ev;
	struct fx f;
	int fd;

	(void)state;
	fx_init_default(&f);
	fd = kvmsim_vcpu_fd(f.sv);
	fx_guest_at(&f, 0x5);
	/* Warm up: the ID registers are read once per handle. */
	assert_int_equal(fx_run_sea(&f, 0x92000050, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	fx_guest_at(&f, 0x5);

	/* Emulated AArch64 EL1 data abort (WnR makes vcpu-events lossy):
	 * 2 reads at the exit, 2 for the rules, 6 writes. */
	kvmsim_ioctl_reset(fd);
	assert_int_equal(fx_run_sea(&f, 0x92000050, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_int_equal(ev->injected, KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_ALL) - 1, 10);
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_SET_ONE_REG), 6);

	/* vcpu-events: the 2 reads and one KVM_SET_VCPU_EVENTS. */
	fx_guest_at(&f, 0x5);
	kvmsim_ioctl_reset(fd);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_ALL) - 1, 3);
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_SET_VCPU_EVENTS), 1);
	fx_fini(&f);
}

/* Every register the injections can touch. */
static const uint64_t watched[] = {
	KVMSEA_REG_PC, KVMSEA_REG_PSTATE, KVMSEA_REG_ELR_EL1, KVMSEA_REG_SPSR_EL1,
	KVMSEA_REG_SPSR_ABT, KVMSEA_REG_X(20), KVMSEA_REG_ESR_EL1,
	KVMSEA_REG_FAR_EL1, KVMSEA_REG_IFSR32_EL2,
};
#define NR_WATCHED (sizeof(watched) / sizeof(watched[0]))

static void snapshot(const struct kvmsim_vcpu *sv, uint64_t *regs)
{
	for (size_t i = 0; i < NR_WATCHED; i++)
		regs[i] = kvmsim_reg_get(sv, watched[i]);
}

static void test_inject_bad_input_changes_nothing(void **state)
{
	uint64_t before[NR_WATCHED], after[NR_WATCHED];
	struct kvmsea_event ev;
	struct kvmsim_vcpu_stats st;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	snapshot(f.sv, before);
	memset(&ev, 0, sizeof(ev));

	/* Not an abort: nothing to deliver. */
	ev.raw_esr = 0x5e000000; /* HVC64 */
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_EMULATE), -EINVAL);
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_AUTO), -EINVAL);
	ev.raw_esr = 0x92000010;
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_NONE), -EINVAL);
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, (enum kvmsea_strategy)77), -EINVAL);
	assert_int_equal(kvmsea_vcpu_inject(f.v, NULL, KVMSEA_STRATEGY_AUTO), -EINVAL);

	/* A vCPU in a mode it cannot be in (the kernel refuses EL2h without
	 * nested; the direct write bypasses that) is refused before any write. */
	kvmsim_reg_set(f.sv, KVMSEA_REG_PSTATE, 0x9);
	snapshot(f.sv, before);
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_EMULATE), -EINVAL);
	snapshot(f.sv, after);
	assert_memory_equal(before, after, sizeof(before));
	kvmsim_vcpu_get_stats(f.sv, &st);
	assert_int_equal(st.ext_dabt + st.serror, 0);
	fx_fini(&f);
}

/* KVMSEA_VCPU_HAS_EL2 is a claim the library checks (KVM shows EL2
 * registers to nested vCPUs only), so a wrong flag cannot mis-route. */
static void test_el2_flag_is_checked(void **state)
{
	const struct fx_opts nested = { .profile = KVMSIM_HOST_RAS,
					.host_flags = KVMSIM_HOST_ARM_EL2,
					.vcpu_flags = KVMSIM_VCPU_HAS_EL2,
					.enable = true };
	struct kvmsea_vcpu *wrong;
	struct kvmsea_event ev;
	struct fx f;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.raw_esr = 0x92000050;
	ev.raw_gva = GVA;

	/* Claims EL2, has none: an EL1 entry all the same. */
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, kvmsim_vcpu_fd(f.sv), f.run, 1,
					 KVMSEA_VCPU_HAS_EL2, &wrong), 0);
	assert_int_equal(kvmsea_vcpu_inject(wrong, &ev, KVMSEA_STRATEGY_EMULATE),
			 KVMSEA_STRATEGY_EMULATE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL1) == 0x96000050ULL);
	kvmsea_vcpu_free(wrong);
	fx_fini(&f);

	/* Has EL2, not claimed: the guest hypervisor gets it at vEL2. */
	fx_init(&f, &nested);
	kvmsim_reg_set(f.sv, KVMSEA_REG_PSTATE, 0x9);
	kvmsim_reg_set(f.sv, KVMSEA_REG_PC, PC0);
	kvmsim_reg_set(f.sv, KVMSEA_REG_VBAR_EL2, 0x60000000);
	kvmsim_reg_set(f.sv, KVMSEA_REG_HCR_EL2, 1ULL << 34);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, kvmsim_vcpu_fd(f.sv), f.run, 1, 0,
					 &wrong), 0);
	assert_int_equal(kvmsea_vcpu_inject(wrong, &ev, KVMSEA_STRATEGY_EMULATE),
			 KVMSEA_STRATEGY_EMULATE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == 0x60000000 + 0x200);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL2) == 0x96000050ULL);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ELR_EL2) == PC0);
	kvmsea_vcpu_free(wrong);
	fx_fini(&f);
}

static void test_host_cannot_inject(void **state)
{
	const struct fx_opts o = { .profile = KVMSIM_HOST_OLD_KERNEL };
	uint64_t before[NR_WATCHED], after[NR_WATCHED];
	struct kvmsea_event ev;
	struct fx f;

	(void)state;
	fx_init(&f, &o);
	fx_guest_at(&f, 0x5);
	memset(&ev, 0, sizeof(ev));
	ev.raw_esr = 0x92000010;
	ev.raw_gva = GVA;
	snapshot(f.sv, before);
	/* No ext_dabt_pending on this kernel: refused without an ioctl. */
	kvmsim_ioctl_reset(kvmsim_vcpu_fd(f.sv));
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_VCPU_EVENTS),
			 -EOPNOTSUPP);
	assert_int_equal(kvmsim_ioctl_count(kvmsim_vcpu_fd(f.sv),
					    KVMSIM_IOCTL_SET_VCPU_EVENTS), 0);
	snapshot(f.sv, after);
	assert_memory_equal(before, after, sizeof(before));
	/* Emulation still works there. */
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_AUTO),
			 KVMSEA_STRATEGY_EMULATE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	fx_fini(&f);
}

static void test_uninitialised_vcpu(void **state)
{
	const struct fx_opts o = { .profile = KVMSIM_HOST_RAS,
				   .vcpu_flags = KVMSIM_VCPU_UNINIT, .enable = true };
	struct kvmsea_event ev;
	struct fx f;

	(void)state;
	fx_init(&f, &o);
	memset(&ev, 0, sizeof(ev));
	ev.raw_esr = 0x92000010;
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_EMULATE), -ENOEXEC);
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_VCPU_EVENTS), -ENOEXEC);
	fx_fini(&f);
}

/* Injecting for a failed MMIO access: KVM_RUN would first complete the
 * access and step PC, so emulation must wait and auto uses vcpu-events,
 * which cancels the completion. */
static void test_inject_after_mmio_exit(void **state)
{
	uint64_t before[NR_WATCHED], after[NR_WATCHED];
	struct kvmsea_event ev;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	assert_int_equal(kvmsim_queue_mmio(f.sv, 0x9000000, 0x9000000, false, 4), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_true(kvmsim_vcpu_mmio_needed(f.sv));

	memset(&ev, 0, sizeof(ev));
	ev.raw_esr = 0x92000050; /* a store: vcpu-events would be lossy */
	ev.raw_gva = 0x9000000;
	snapshot(f.sv, before);
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_EMULATE), -EBUSY);
	snapshot(f.sv, after);
	assert_memory_equal(before, after, sizeof(before));
	assert_true(kvmsim_vcpu_mmio_needed(f.sv));

	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_AUTO),
			 KVMSEA_STRATEGY_VCPU_EVENTS);
	assert_false(kvmsim_vcpu_mmio_needed(f.sv));
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	/* The next KVM_RUN leaves the guest at its vector. */
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_profiles),
		cmocka_unit_test(test_probe_protected_vm),
		cmocka_unit_test(test_probe_bad_fds),
		cmocka_unit_test(test_enable),
		cmocka_unit_test(test_ctx_bad_input),
		cmocka_unit_test(test_vcpu_bad_input),
		cmocka_unit_test(test_non_sea_exits_cost_no_ioctl),
		cmocka_unit_test(test_stale_exit_after_eintr),
		cmocka_unit_test(test_default_policy_event_and_injection),
		cmocka_unit_test(test_fnv_event_and_auto_emulates),
		cmocka_unit_test(test_every_sea_fsc),
		cmocka_unit_test(test_cap_off_means_serror),
		cmocka_unit_test(test_handler_actions),
		cmocka_unit_test(test_livelock_guard),
		cmocka_unit_test(test_ioctl_budget),
		cmocka_unit_test(test_inject_bad_input_changes_nothing),
		cmocka_unit_test(test_el2_flag_is_checked),
		cmocka_unit_test(test_host_cannot_inject),
		cmocka_unit_test(test_uninitialised_vcpu),
		cmocka_unit_test(test_inject_after_mmio_exit),
	};

	return cmocka_run_group_tests_name("sea", tests, NULL, NULL);
}
