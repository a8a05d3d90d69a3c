/* SPDX-License-Identifier: MIT */
/*
 * Injection against the simulated kernel: what each strategy delivers and
 * reports as lost, when vcpu-events is exact (only for the exit now in
 * kvm_run), the PC/PSTATE rule, the nested refusal whatever the flags,
 * the ioctl budgets, and "on failure nothing was changed", proved by
 * failing every ioctl of an injection in turn.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <cmocka.h>

#include "fixture.h"
#include "vcpu-snap.h"

#define VBAR FX_VBAR
#define PC0 FX_PC
#define GVA 0x50000123ULL
#define GVA_B 0x60000456ULL
#define IPA 0x50000000ULL

#define HCR_TEA (1ULL << 37)
#define HCR_E2H (1ULL << 34)
#define PSR_A (1ULL << 8)

static struct kvmsea_event abort_event(uint64_t esr, uint64_t far)
{
	struct kvmsea_event ev;

	assert_int_equal(kvmsea_event_init(&ev, esr, far), 0);
	return ev;
}

static int inject(struct fx *f, const struct kvmsea_event *ev,
		  enum kvmsea_strategy how, uint32_t *lost)
{
	return kvmsea_vcpu_inject(f->v, ev, how, lost);
}

/* ---- budgets ---- */

static void test_ioctl_budget(void **state)
{
	const struct kvmsea_event *ev;
	struct fx f;
	int fd;

	(void)state;
	fx_init_default(&f);
	fd = kvmsim_vcpu_fd(f.sv);
	fx_guest_at(&f, 0x5);
	/* The first SEA of a handle reads its ID registers and HCR_EL2
	 * (3 ioctls, once). */
	kvmsim_ioctl_reset(fd);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_ALL) - 1, 3 + 3);

	/* vcpu-events: PC and PSTATE at the exit, one KVM_SET_VCPU_EVENTS. */
	fx_guest_at(&f, 0x5);
	kvmsim_ioctl_reset(fd);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_ALL) - 1, 3);
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_SET_VCPU_EVENTS), 1);

	/* Emulated AArch64 EL1 data abort (WnR makes vcpu-events lossy): the
	 * 2 reads at the exit, SCTLR and VBAR for the rules, the 4 registers
	 * about to be written (to undo a failure), and 6 writes. */
	fx_guest_at(&f, 0x5);
	kvmsim_ioctl_reset(fd);
	assert_int_equal(fx_run_sea(&f, 0x92000050, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	ev = kvmsea_vcpu_last_event(f.v);
	assert_int_equal(ev->injected, KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_ALL) - 1, 14);
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_SET_ONE_REG), 6);
	fx_fini(&f);
}

/* ---- bad input ---- */

static void test_inject_bad_input_changes_nothing(void **state)
{
	struct vcpu_snap before, after;
	struct kvmsea_event ev;
	uint32_t lost = 0x5a5a;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	vcpu_snap_take(f.sv, &before);

	/* Not an abort: kvmsea_event_init() refuses, and so does inject
	 * for an event made by hand. */
	assert_int_equal(kvmsea_event_init(&ev, 0x5e000000, 0), -EINVAL);
	memset(&ev, 0, sizeof(ev));
	ev.syndrome = 0x5e000000; /* HVC64 */
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_EMULATE, &lost), -EINVAL);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_AUTO, &lost), -EINVAL);
	ev = abort_event(0x92000010, GVA);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_NONE, &lost), -EINVAL);
	assert_int_equal(inject(&f, &ev, (enum kvmsea_strategy)77, &lost), -EINVAL);
	assert_int_equal(inject(&f, NULL, KVMSEA_STRATEGY_AUTO, &lost), -EINVAL);
	assert_int_equal(lost, 0x5a5a);

	/* A vCPU in a mode it cannot be in (the kernel refuses EL2h without
	 * nested; the direct write bypasses that) is refused before any write. */
	kvmsim_reg_set(f.sv, KVMSEA_REG_PSTATE, 0x9);
	vcpu_snap_take(f.sv, &before);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_EMULATE, &lost), -EINVAL);
	vcpu_snap_take(f.sv, &after);
	assert_true(vcpu_snap_equal(&before, &after));
	fx_fini(&f);
}

static void test_uninitialised_vcpu(void **state)
{
	const struct fx_opts o = { .profile = KVMSIM_HOST_RAS,
				   .vcpu_flags = KVMSIM_VCPU_UNINIT, .enable = true };
	struct kvmsea_event ev = abort_event(0x92000010, GVA);
	struct fx f;

	(void)state;
	fx_init(&f, &o);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_EMULATE, NULL), -ENOEXEC);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_VCPU_EVENTS, NULL), -ENOEXEC);
	fx_fini(&f);
}

static void test_host_cannot_inject(void **state)
{
	const struct fx_opts o = { .profile = KVMSIM_HOST_OLD_KERNEL };
	struct kvmsea_event ev = abort_event(0x92000010, GVA);
	struct vcpu_snap before, after;
	struct fx f;

	(void)state;
	fx_init(&f, &o);
	fx_guest_at(&f, 0x5);
	vcpu_snap_take(f.sv, &before);
	/* No ext_dabt_pending on this kernel: refused without an ioctl. */
	kvmsim_ioctl_reset(kvmsim_vcpu_fd(f.sv));
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_VCPU_EVENTS, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(kvmsim_ioctl_count(kvmsim_vcpu_fd(f.sv),
					    KVMSIM_IOCTL_SET_VCPU_EVENTS), 0);
	vcpu_snap_take(f.sv, &after);
	assert_true(vcpu_snap_equal(&before, &after));
	/* Emulation still works there. */
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_AUTO, NULL),
			 KVMSEA_STRATEGY_EMULATE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	fx_fini(&f);
}

/* ---- vcpu-events is exact only for the exit now in kvm_run ---- */

struct steer {
	uint64_t gva;             /* give the copy this address */
	enum kvmsea_strategy how;
	int ret;
	uint32_t lost;
};

/* A handler that injects a copy of its event for another address. */
static int inject_elsewhere(struct kvmsea_vcpu *vcpu,
			    const struct kvmsea_event *ev, void *opaque)
{
	struct steer *s = opaque;
	struct kvmsea_event copy = *ev;

	copy.gva = s->gva;
	s->ret = kvmsea_vcpu_inject(vcpu, &copy, s->how, &s->lost);
	return KVMSEA_ACTION_HANDLED;
}

static void test_auto_keeps_a_built_events_far(void **state)
{
	struct steer s = { .gva = GVA_B, .how = KVMSEA_STRATEGY_AUTO };
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	kvmsea_ctx_set_handler(f.ctx, inject_elsewhere, &s);
	/* KVM saved FAR = GVA at the exit; the event handed over says B.
	 * The copy's exit fields still match, but its address does not: the
	 * library cannot vouch for KVM's FAR, so auto emulates. */
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(s.ret, KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(s.lost, 0);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_FAR_EL1) == GVA_B);

	/* Asked for vcpu-events explicitly, it is done and the loss told. */
	fx_guest_at(&f, 0x5);
	s.how = KVMSEA_STRATEGY_VCPU_EVENTS;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(s.ret, KVMSEA_STRATEGY_VCPU_EVENTS);
	assert_int_equal(s.lost, KVMSEA_LOST_FAR);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_FAR_EL1) == GVA);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->lost, KVMSEA_LOST_FAR);
	fx_fini(&f);
}

/* The last event, injected after the vCPU has been through other exits:
 * its own FAR, and the PC and PSTATE the vCPU has now. */
static void test_last_event_injected_later(void **state)
{
	struct kvmsea_event later;
	struct fx f;
	uint32_t lost;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	kvmsea_ctx_set_livelock_limit(f.ctx, 1); /* the default policy stops */
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_STOP);
	later = *kvmsea_vcpu_last_event(f.v);

	/* The VMM handles an MMIO exit (KVM saves FAR 0x9000010) and runs on
	 * (the completion steps PC), then injects the SEA it kept. */
	assert_int_equal(kvmsim_queue_mmio(f.sv, 0x9000000, 0x9000010, false, 4), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA); /* idle -EINTR */
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == PC0 + 4);
	assert_int_equal(inject(&f, &later, KVMSEA_STRATEGY_AUTO, &lost),
			 KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(lost, 0);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_FAR_EL1) == GVA);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ELR_EL1) == PC0 + 4);
	fx_fini(&f);
}

/* Injecting for a failed MMIO access: KVM_RUN would first complete the
 * access and step PC, so emulation must wait and auto uses vcpu-events,
 * which cancels the completion, and says what that loses. */
static void test_inject_after_mmio_exit(void **state)
{
	struct kvmsea_event ev = abort_event(0x92000050, 0x9000000); /* a store */
	struct vcpu_snap before, after;
	uint32_t lost;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	assert_int_equal(kvmsim_queue_mmio(f.sv, 0x9000000, 0x9000000, false, 4), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_true(kvmsim_vcpu_mmio_needed(f.sv));

	vcpu_snap_take(f.sv, &before);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_EMULATE, &lost), -EBUSY);
	vcpu_snap_take(f.sv, &after);
	assert_true(vcpu_snap_equal(&before, &after));
	assert_true(kvmsim_vcpu_mmio_needed(f.sv));

	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_AUTO, &lost),
			 KVMSEA_STRATEGY_VCPU_EVENTS);
	assert_int_equal(lost, KVMSEA_LOST_WNR | KVMSEA_LOST_FAR);
	assert_false(kvmsim_vcpu_mmio_needed(f.sv));
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	/* The next KVM_RUN leaves the guest at its vector. */
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);

	/* An instruction abort cannot go through vcpu-events: auto has no
	 * way to deliver it then. */
	fx_guest_at(&f, 0x5);
	assert_int_equal(kvmsim_queue_mmio(f.sv, 0x9000000, 0x9000000, false, 4), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	ev = abort_event(0x82000010, 0x9000000);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_AUTO, &lost), -EBUSY);
	fx_fini(&f);
}

/* What each strategy loses, reported for the same abort. */
static void test_lost_per_strategy(void **state)
{
	/* WnR, CM, EA, SET=UC and FnV: everything vcpu-events drops. */
	struct kvmsea_event ev = abort_event(0x92001750, 0);
	uint32_t lost;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_VCPU_EVENTS, &lost),
			 KVMSEA_STRATEGY_VCPU_EVENTS);
	assert_int_equal(lost, KVMSEA_LOST_WNR | KVMSEA_LOST_CM | KVMSEA_LOST_EA |
			 KVMSEA_LOST_SET | KVMSEA_LOST_FNV);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA); /* a new return */
	fx_guest_at(&f, 0x5);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_EMULATE, &lost),
			 KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(lost, 0);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL1) == 0x96001750ULL);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	fx_guest_at(&f, 0x5 | PSR_A);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_SERROR, &lost),
			 KVMSEA_STRATEGY_SERROR);
	/* With host RAS the SError carries the severity (AET from SET). */
	assert_int_equal(lost, KVMSEA_LOST_SYNC | KVMSEA_LOST_WNR | KVMSEA_LOST_CM |
			 KVMSEA_LOST_EA);
	fx_fini(&f);
}

/* ---- the PC and PSTATE an injection uses ---- */

/* One rule for the handle's own event and any copy: the vCPU's PC and
 * PSTATE now. After the guest has run, both read them afresh. */
static void test_same_event_same_result(void **state)
{
	struct vcpu_snap own, copied;
	struct kvmsea_event copy;
	int round;

	(void)state;
	for (round = 0; round < 2; round++) {
		struct fx f;

		fx_init_default(&f);
		fx_guest_at(&f, 0x5);
		kvmsea_ctx_set_livelock_limit(f.ctx, 1);
		assert_int_equal(fx_run_sea(&f, 0x92000050, GVA, IPA, true),
				 KVMSEA_EXIT_STOP);
		/* The guest moved on: another KVM_RUN return, EL0 now. */
		assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
		kvmsim_reg_set(f.sv, KVMSEA_REG_PSTATE, 0x0);
		kvmsim_reg_set(f.sv, KVMSEA_REG_PC, PC0 + 0x40);
		copy = *kvmsea_vcpu_last_event(f.v);
		assert_int_equal(inject(&f, round ? &copy : kvmsea_vcpu_last_event(f.v),
					KVMSEA_STRATEGY_AUTO, NULL),
				 KVMSEA_STRATEGY_EMULATE);
		vcpu_snap_take(f.sv, round ? &copied : &own);
		fx_fini(&f);
	}
	assert_true(vcpu_snap_equal(&own, &copied));
	assert_true(own.regs[VCPU_SNAP_PC] == VBAR + 0x400); /* from EL0 */
}

/* ---- nested ---- */

/* An L2 guest's abort that its guest hypervisor takes (virtual
 * HCR_EL2.TEA): no strategy may make KVM_SET_VCPU_EVENTS (which oopses
 * Linux 7.2.13 there), whatever the handle's flags claim. */
static void test_nested_refusal_whatever_the_flags(void **state)
{
	static const uint32_t flags[] = { 0, KVMSEA_VCPU_HAS_EL2,
					  KVMSEA_VCPU_EL1_32BIT };
	const struct fx_opts nested = { .profile = KVMSIM_HOST_RAS,
					.host_flags = KVMSIM_HOST_ARM_EL2,
					.vcpu_flags = KVMSIM_VCPU_HAS_EL2,
					.enable = true };

	(void)state;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct kvmsea_event ev = abort_event(0x92000010, GVA);
		struct vcpu_snap before, after;
		struct kvmsea_vcpu *v;
		struct fx f;
		int fd;

		fx_init(&f, &nested);
		fd = kvmsim_vcpu_fd(f.sv);
		kvmsim_reg_set(f.sv, KVMSEA_REG_HCR_EL2, HCR_TEA);
		fx_guest_at(&f, 0x5); /* L2 at EL1h */
		assert_int_equal(kvmsea_vcpu_new(f.ctx, fd, f.run, 1, flags[i], &v), 0);
		vcpu_snap_take(f.sv, &before);
		kvmsim_ioctl_reset(fd);
		for (int how = KVMSEA_STRATEGY_AUTO; how <= KVMSEA_STRATEGY_SERROR; how++)
			assert_int_equal(kvmsea_vcpu_inject(v, &ev, how, NULL),
					 -EOPNOTSUPP);
		/* Through the hook, the default policy stops the VM. */
		kvmsea_vcpu_free(f.v);
		f.v = v;
		assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true),
				 KVMSEA_EXIT_STOP);
		assert_true(kvmsea_vcpu_last_event(v)->guest.has_el2);
		assert_true(kvmsea_vcpu_last_event(v)->guest.in_nested_guest);
		assert_false(kvmsea_vcpu_last_event(v)->guest.el1_aarch32);
		assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_SET_VCPU_EVENTS), 0);
		assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_SET_ONE_REG), 0);
		vcpu_snap_take(f.sv, &after);
		assert_true(vcpu_snap_equal(&before, &after));
		fx_fini(&f);
	}
}

/* KVMSEA_VCPU_HAS_EL2 is a claim the library checks (KVM shows EL2
 * registers to nested vCPUs only), so a wrong flag cannot mis-route. */
static void test_el2_flag_is_checked(void **state)
{
	const struct fx_opts nested = { .profile = KVMSIM_HOST_RAS,
					.host_flags = KVMSIM_HOST_ARM_EL2,
					.vcpu_flags = KVMSIM_VCPU_HAS_EL2,
					.enable = true };
	struct kvmsea_event ev = abort_event(0x92000050, GVA);
	struct kvmsea_vcpu *wrong;
	struct fx f;

	(void)state;
	/* Claims EL2, has none: an EL1 entry all the same. */
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, kvmsim_vcpu_fd(f.sv), f.run, 1,
					 KVMSEA_VCPU_HAS_EL2, &wrong), 0);
	assert_int_equal(kvmsea_vcpu_inject(wrong, &ev, KVMSEA_STRATEGY_EMULATE, NULL),
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
	kvmsim_reg_set(f.sv, KVMSEA_REG_HCR_EL2, HCR_E2H);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, kvmsim_vcpu_fd(f.sv), f.run, 1, 0,
					 &wrong), 0);
	assert_int_equal(kvmsea_vcpu_inject(wrong, &ev, KVMSEA_STRATEGY_EMULATE, NULL),
			 KVMSEA_STRATEGY_EMULATE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == 0x60000000 + 0x200);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL2) == 0x96000050ULL);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ELR_EL2) == PC0);
	kvmsea_vcpu_free(wrong);
	fx_fini(&f);
}

/* ---- on failure nothing was changed ---- */

/*
 * Every ioctl of an emulated injection fails in turn (the simulator fails
 * the Nth one before it reaches the kernel): each time the call returns
 * the kernel's error and the whole vCPU is as it was; past the last ioctl
 * the injection succeeds. For AArch64 EL1, AArch32 EL1 and vEL2 targets.
 */
static void fail_each_ioctl(const struct fx_opts *o, uint64_t pstate,
			    uint64_t hcr, uint32_t flags)
{
	struct kvmsea_event ev = abort_event(0x92000050, GVA);
	unsigned long n;

	for (n = 1;; n++) {
		struct vcpu_snap before, after;
		struct kvmsea_vcpu *v;
		struct fx f;
		int fd, ret;

		fx_init(&f, o);
		fd = kvmsim_vcpu_fd(f.sv);
		fx_guest_at(&f, pstate);
		if (hcr)
			kvmsim_reg_set(f.sv, KVMSEA_REG_HCR_EL2, hcr);
		assert_int_equal(kvmsea_vcpu_new(f.ctx, fd, f.run, 1, flags, &v), 0);
		vcpu_snap_take(f.sv, &before);
		assert_int_equal(kvmsim_fail_ioctl(fd, KVMSIM_IOCTL_ALL, n, 1, EIO), 0);
		ret = kvmsea_vcpu_inject(v, &ev, KVMSEA_STRATEGY_EMULATE, NULL);
		vcpu_snap_take(f.sv, &after);
		kvmsea_vcpu_free(v);
		fx_fini(&f);
		if (ret == KVMSEA_STRATEGY_EMULATE)
			break;
		assert_int_equal(ret, -EIO);
		assert_true(vcpu_snap_equal(&before, &after));
	}
	assert_true(n > 10); /* every read and every write was tried */
}

static void test_failed_emulation_changes_nothing(void **state)
{
	const struct fx_opts a64 = { .profile = KVMSIM_HOST_RAS, .enable = true };
	const struct fx_opts a32 = { .profile = KVMSIM_HOST_RAS, .enable = true,
				     .vcpu_flags = KVMSIM_VCPU_EL1_32BIT };
	const struct fx_opts nv = { .profile = KVMSIM_HOST_RAS, .enable = true,
				    .host_flags = KVMSIM_HOST_ARM_EL2,
				    .vcpu_flags = KVMSIM_VCPU_HAS_EL2 };

	(void)state;
	fail_each_ioctl(&a64, 0x5, 0, 0);
	fail_each_ioctl(&a64, 0x0, 0, 0);
	fail_each_ioctl(&a32, 0x13, 0, KVMSEA_VCPU_EL1_32BIT);
	fail_each_ioctl(&nv, 0x9, HCR_E2H, KVMSEA_VCPU_HAS_EL2);
}

/* When KVM also refuses to take back a value it held a moment before,
 * the call says -EIO: the vCPU may be changed. */
static void test_failed_undo_is_eio(void **state)
{
	struct kvmsea_event ev = abort_event(0x92000050, GVA);
	struct fx f;
	int fd;

	(void)state;
	fx_init_default(&f);
	fd = kvmsim_vcpu_fd(f.sv);
	fx_guest_at(&f, 0x5);
	/* The PC write (the 6th) fails with EFAULT, and so does every write
	 * after it: the undo cannot be done. */
	assert_int_equal(kvmsim_fail_ioctl(fd, KVMSIM_IOCTL_SET_ONE_REG, 6, 100,
					   EFAULT), 0);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_EMULATE, NULL), -EIO);
	/* Only one: the first failure. */
	assert_int_equal(kvmsim_fail_ioctl(fd, KVMSIM_IOCTL_SET_ONE_REG, 6, 1,
					   EFAULT), 0);
	fx_guest_at(&f, 0x5);
	assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_EMULATE, NULL), -EFAULT);
	fx_fini(&f);
}

/* ---- AArch32 EL1: every ISS bit the strategy table claims ---- */

struct a32_case {
	uint64_t esr;
	bool lpae;
	uint64_t dfsr;
	uint32_t lost;
};

static void test_aarch32_syndrome(void **state)
{
	static const struct a32_case cases[] = {
		/* CM and WnR, short and long descriptor */
		{ 0x92000150, false, 0x2808, 0 },
		{ 0x92000150, true, 0x2a10, 0 },
		/* EA is ExT */
		{ 0x92000210, false, 0x1008, 0 },
		/* FnV: FAR not valid (bit 16), FAR left alone */
		{ 0x92000410, false, 0x10008, 0 },
		{ 0x92000410, true, 0x10210, 0 },
		/* SEA on a walk: level 1 and level 2 of the short format, the
		 * level kept in the long format */
		{ 0x92000015, false, 0x00c, 0 },
		{ 0x92000016, false, 0x00e, 0 },
		{ 0x92000016, true, 0x216, 0 },
		/* parity/ECC */
		{ 0x92000018, false, 0x409, 0 },
		{ 0x9200001d, false, 0x40c, 0 },
		/* SET has no AArch32 field */
		{ 0x92001010, false, 0x008, KVMSEA_LOST_SET },
	};
	const struct fx_opts a32 = { .profile = KVMSIM_HOST_RAS, .enable = true,
				     .vcpu_flags = KVMSIM_VCPU_EL1_32BIT };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct a32_case *c = &cases[i];
		struct kvmsea_event ev = abort_event(c->esr, 0x8000);
		uint32_t lost;
		struct fx f;

		fx_init(&f, &a32);
		fx_guest_at(&f, 0x13);
		kvmsim_reg_set(f.sv, KVMSEA_REG_TCR_EL1, c->lpae ? 1ULL << 31 : 0);
		kvmsim_reg_set(f.sv, KVMSEA_REG_FAR_EL1, 0xabcd0000ULL << 32 | 0x1234);
		assert_int_equal(inject(&f, &ev, KVMSEA_STRATEGY_EMULATE, &lost),
				 KVMSEA_STRATEGY_EMULATE);
		if (kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL1) != c->dfsr)
			fail_msg("esr 0x%llx lpae %d: DFSR 0x%llx, want 0x%llx",
				 (unsigned long long)c->esr, c->lpae,
				 (unsigned long long)kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL1),
				 (unsigned long long)c->dfsr);
		assert_int_equal(lost, c->lost);
		/* DFAR is FAR_EL1[31:0]; with FnV the guest's is left alone. */
		assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_FAR_EL1) ==
			    (0xabcd0000ULL << 32 | (ev.known & KVMSEA_KNOWN_GVA ?
						     0x8000 : 0x1234)));
		assert_int_equal(kvmsim_reg_get(f.sv, KVMSEA_REG_PSTATE) & 0x1f, 0x17);
		fx_fini(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ioctl_budget),
		cmocka_unit_test(test_inject_bad_input_changes_nothing),
		cmocka_unit_test(test_uninitialised_vcpu),
		cmocka_unit_test(test_host_cannot_inject),
		cmocka_unit_test(test_auto_keeps_a_built_events_far),
		cmocka_unit_test(test_last_event_injected_later),
		cmocka_unit_test(test_inject_after_mmio_exit),
		cmocka_unit_test(test_lost_per_strategy),
		cmocka_unit_test(test_same_event_same_result),
		cmocka_unit_test(test_nested_refusal_whatever_the_flags),
		cmocka_unit_test(test_el2_flag_is_checked),
		cmocka_unit_test(test_failed_emulation_changes_nothing),
		cmocka_unit_test(test_failed_undo_is_eio),
		cmocka_unit_test(test_aarch32_syndrome),
	};

	return cmocka_run_group_tests_name("inject", tests, NULL, NULL);
}
