/* SPDX-License-Identifier: MIT */
/*
 * The KVM half against the simulated kernel: probe and enable on each host
 * profile, the run-loop hook, the event, the handler and its actions, the
 * livelock guard, and the handle's own rules (user data, what may be
 * called from a handler). Injection itself is tests/kvm/test-inject.c;
 * errno, tests/kvm/test-errno.c.
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
	struct kvmsea_ctx *ctx, *other;

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
	/* sea_exits_enabled is this context's own success: KVM cannot be
	 * asked, so a second context of the same VM does not know. */
	assert_int_equal(kvmsea_ctx_new(kvmsim_vm_fd(vm), &other), 0);
	assert_int_equal(kvmsea_ctx_get_caps(other, &c), 0);
	assert_false(c.sea_exits_enabled);
	assert_true(kvmsim_vm_sea_enabled(vm));
	kvmsea_ctx_free(other);
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
	assert_int_equal(kvmsea_vcpu_inject(NULL, NULL, KVMSEA_STRATEGY_AUTO, NULL),
			 -EINVAL);
	assert_int_equal(kvmsea_vcpu_serror_pending(NULL), -EINVAL);
	assert_null(kvmsea_vcpu_last_event(f.v));
	assert_null(kvmsea_vcpu_last_event(NULL));
	assert_ptr_equal(kvmsea_vcpu_get_ctx(f.v), f.ctx);
	assert_int_equal(kvmsea_vcpu_get_id(f.v), 7);
	assert_null(kvmsea_vcpu_get_ctx(NULL));
	assert_int_equal(kvmsea_vcpu_get_id(NULL), 0);
	kvmsea_vcpu_free(NULL);
	fx_fini(&f);
}

static void test_user_data(void **state)
{
	struct fx f;
	int mine;

	(void)state;
	fx_init_default(&f);
	assert_null(kvmsea_vcpu_get_data(f.v));
	kvmsea_vcpu_set_data(f.v, &mine);
	assert_ptr_equal(kvmsea_vcpu_get_data(f.v), &mine);
	kvmsea_vcpu_set_data(NULL, &mine); /* a no-op */
	assert_null(kvmsea_vcpu_get_data(NULL));
	fx_fini(&f);
}

/* ---- the run-loop hook and the event ---- */

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
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->seq, 1);

	/* immediate_exit: KVM_RUN returns -EINTR and leaves exit_reason 41
	 * and arm_sea as they were. That must not become a second SEA. */
	f.run->immediate_exit = 1;
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(f.run->exit_reason, KVM_EXIT_ARM_SEA);
	f.run->immediate_exit = 0;
	/* The same through a queued stale -EINTR. */
	assert_int_equal(kvmsim_queue_eintr(f.sv, true), 0);
	assert_int_equal(fx_run_once(&f), KVMSEA_EXIT_NOT_SEA);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->seq, 1);
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
	/* The exit's fields are what the kernel put in run->arm_sea. */
	assert_true(ev->exit.esr == f.run->u.arm_sea.esr);
	assert_true(ev->exit.gva == f.run->u.arm_sea.gva);
	assert_true(ev->exit.gpa == f.run->u.arm_sea.gpa);
	/* ... except the mark that says this exit was injected. */
	assert_true((ev->exit.flags | (1ULL << 63)) == f.run->u.arm_sea.flags);
	assert_true(ev->exit.esr == 0x92000010ULL);
	assert_true(ev->syndrome == 0x92000010ULL);
	assert_int_equal(ev->source, KVMSEA_SOURCE_EXIT);
	assert_int_equal(ev->vcpu_id, 7);
	assert_int_equal(ev->seq, 1);
	assert_true(ev->time_ns > 0);
	assert_int_equal(ev->esr.ec, KVMSEA_EC_DABT_LOW);
	assert_int_equal(ev->known, KVMSEA_KNOWN_GVA | KVMSEA_KNOWN_GPA |
			 KVMSEA_KNOWN_PAGE_GPA | KVMSEA_KNOWN_GUEST);
	assert_true(ev->gva == GVA);
	assert_true(ev->page_gpa == IPA);
	assert_true(ev->page_size == 4096);
	assert_true(ev->gpa == (IPA | (GVA & 0xfff)));
	assert_true(ev->guest.pc == PC0);
	assert_int_equal(ev->guest.el, 1);
	assert_false(ev->guest.aarch32);
	assert_false(ev->guest.has_el2);
	assert_false(ev->guest.in_nested_guest);
	assert_int_equal(ev->repeats, 1);
	assert_false(ev->livelock);
	assert_int_equal(ev->action, KVMSEA_ACTION_DEFAULT);
	/* Lossless for ext_dabt_pending: auto took it. */
	assert_int_equal(ev->injected, KVMSEA_STRATEGY_VCPU_EVENTS);
	assert_int_equal(ev->lost, 0);
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
	assert_int_equal(ev->known, KVMSEA_KNOWN_GUEST);
	assert_true(ev->gva == 0 && ev->gpa == 0 && ev->page_gpa == 0);
	assert_true(ev->page_size == 0);
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
			assert_int_equal(ev->lost, 0);
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
	/* The SError KVM left pending is there for the VMM to see. */
	assert_int_equal(kvmsea_vcpu_serror_pending(f.v), 1);

	/* Enabling late: the next SEA exits and is injected, and the SError
	 * of the first is still pending (the guest masked it). */
	assert_int_equal(kvmsea_ctx_enable(f.ctx), 0);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true),
			 KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected,
			 KVMSEA_STRATEGY_VCPU_EVENTS);
	assert_int_equal(kvmsea_vcpu_serror_pending(f.v), 1);
	kvmsim_vcpu_clear_serror(f.sv);
	assert_int_equal(kvmsea_vcpu_serror_pending(f.v), 0);
	fx_fini(&f);
}

/* ---- the handler ---- */

enum how { ACT, INJECT_THEN_ACT, INJECT_COPY, INJECT_TWICE, FREE_SELF,
	   RECURSE };

struct policy {
	int action;
	enum how how;
	enum kvmsea_strategy strategy;
	int calls;
	int inject_ret, second_ret;
	uint32_t last_repeats;
	bool last_livelock;
};

static int on_sea(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
		  void *opaque)
{
	struct policy *p = opaque;
	struct kvmsea_event copy;

	p->calls++;
	p->last_repeats = ev->repeats;
	p->last_livelock = ev->livelock;
	switch (p->how) {
	case ACT:
		break;
	case INJECT_THEN_ACT:
		p->inject_ret = kvmsea_vcpu_inject(vcpu, ev, p->strategy, NULL);
		break;
	case INJECT_COPY: /* a changed copy: another address */
		memcpy(&copy, ev, sizeof(copy));
		copy.gva ^= 0x10;
		p->inject_ret = kvmsea_vcpu_inject(vcpu, &copy, p->strategy, NULL);
		break;
	case INJECT_TWICE:
		p->inject_ret = kvmsea_vcpu_inject(vcpu, ev, p->strategy, NULL);
		p->second_ret = kvmsea_vcpu_inject(vcpu, ev, p->strategy, NULL);
		break;
	case FREE_SELF:
		kvmsea_vcpu_free(vcpu); /* refused: the handle is in use */
		break;
	case RECURSE:
		p->inject_ret = kvmsea_vcpu_handle_exit(vcpu, 0);
		break;
	}
	return p->action;
}

static void test_handler_actions(void **state)
{
	struct policy p = { 0 };
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	kvmsea_ctx_set_handler(f.ctx, on_sea, &p);

	p.action = KVMSEA_ACTION_STOP;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_STOP);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->action, KVMSEA_ACTION_STOP);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected, KVMSEA_STRATEGY_NONE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == PC0); /* untouched */

	p.action = -EIO; /* a handler's error comes back as it is */
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), -EIO);
	p.action = 999;  /* an action that does not exist */
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), -EINVAL);
	p.action = -5000; /* not an errno either */
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), -EINVAL);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == PC0);

	p.action = KVMSEA_ACTION_RETRY;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected, KVMSEA_STRATEGY_NONE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == PC0);

	/* The handler injects with a strategy of its choice, then says
	 * HANDLED. */
	p.how = INJECT_THEN_ACT;
	p.strategy = KVMSEA_STRATEGY_SERROR;
	p.action = KVMSEA_ACTION_HANDLED;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(p.inject_ret, KVMSEA_STRATEGY_SERROR);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected, KVMSEA_STRATEGY_SERROR);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->lost, KVMSEA_LOST_SYNC |
			 KVMSEA_LOST_FAR);
	kvmsim_vcpu_clear_serror(f.sv);

	/* Through a copy of the event, too: the last event says so. */
	fx_guest_at(&f, 0x5);
	p.how = INJECT_COPY;
	p.strategy = KVMSEA_STRATEGY_EMULATE;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(p.inject_ret, KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected, KVMSEA_STRATEGY_EMULATE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	assert_int_equal(p.calls, 7);
	fx_fini(&f);
}

/* One exit, one exception entry: whoever asks for a second injection of
 * the same KVM_RUN return is refused, and the guest's ELR stays the
 * faulting instruction. */
static void test_no_double_injection(void **state)
{
	struct policy p = { 0 };
	struct kvmsim_vcpu_stats st;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	kvmsea_ctx_set_handler(f.ctx, on_sea, &p);

	/* A handler that injects and then asks for the default. */
	fx_guest_at(&f, 0x5);
	p.how = INJECT_THEN_ACT;
	p.strategy = KVMSEA_STRATEGY_EMULATE;
	p.action = KVMSEA_ACTION_DEFAULT;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(p.inject_ret, KVMSEA_STRATEGY_EMULATE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ELR_EL1) == PC0);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == VBAR + 0x200);
	kvmsim_vcpu_get_stats(f.sv, &st);
	assert_int_equal(st.ext_dabt, 0);

	/* A handler that injects twice. */
	fx_guest_at(&f, 0x5);
	p.how = INJECT_TWICE;
	p.strategy = KVMSEA_STRATEGY_VCPU_EVENTS;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(p.inject_ret, KVMSEA_STRATEGY_VCPU_EVENTS);
	assert_int_equal(p.second_ret, -EALREADY);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ELR_EL1) == PC0);
	kvmsim_vcpu_get_stats(f.sv, &st);
	assert_int_equal(st.ext_dabt, 1);

	/* A loop that calls the hook twice on one KVM_RUN return. */
	kvmsea_ctx_set_handler(f.ctx, NULL, NULL);
	fx_guest_at(&f, 0x5);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_handle_exit(f.v, 0), -EALREADY);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->seq, 3); /* no new event */
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ELR_EL1) == PC0);
	kvmsim_vcpu_get_stats(f.sv, &st);
	assert_int_equal(st.ext_dabt, 2);
	/* A handler that injects a changed copy: the exit is marked all the
	 * same, and a second hook call on it is refused. */
	kvmsea_ctx_set_handler(f.ctx, on_sea, &p);
	p.how = INJECT_COPY;
	p.strategy = KVMSEA_STRATEGY_EMULATE;
	p.action = KVMSEA_ACTION_HANDLED;
	fx_guest_at(&f, 0x5);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_handle_exit(f.v, 0), -EALREADY);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ELR_EL1) == PC0);
	kvmsea_ctx_set_handler(f.ctx, NULL, NULL);
	/* ... and after that return, a separate kvmsea_vcpu_inject(). */
	assert_int_equal(kvmsea_vcpu_inject(f.v, kvmsea_vcpu_last_event(f.v),
					    KVMSEA_STRATEGY_AUTO, NULL), -EALREADY);
	/* The next KVM_RUN return starts afresh. */
	fx_guest_at(&f, 0x5);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	kvmsim_vcpu_get_stats(f.sv, &st);
	assert_int_equal(st.ext_dabt, 3);
	fx_fini(&f);
}

/* What a handler may not do to its own handle. */
static void test_handler_reentry_refused(void **state)
{
	struct policy p = { .action = KVMSEA_ACTION_DEFAULT };
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	kvmsea_ctx_set_handler(f.ctx, on_sea, &p);
	/* Freeing it: refused (under ASan a use after free would show). */
	p.how = FREE_SELF;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected,
			 KVMSEA_STRATEGY_VCPU_EVENTS);
	/* Calling the hook on it: -EBUSY, and the outer call goes on. */
	fx_guest_at(&f, 0x5);
	p.how = RECURSE;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(p.inject_ret, -EBUSY);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->seq, 2);
	/* Freeing the context while a handle lives: refused too. */
	kvmsea_ctx_free(f.ctx);
	assert_ptr_equal(kvmsea_vcpu_get_ctx(f.v), f.ctx);
	assert_int_equal(kvmsea_ctx_set_livelock_limit(f.ctx, 8), 0);
	fx_fini(&f);
}

/* ---- the livelock guard ---- */

static void test_livelock_guard(void **state)
{
	struct policy p = { .action = KVMSEA_ACTION_RETRY };
	struct fx f;

	(void)state;
	fx_init_default(&f);
	fx_guest_at(&f, 0x5);
	kvmsea_ctx_set_livelock_limit(f.ctx, 4);
	kvmsea_ctx_set_handler(f.ctx, on_sea, &p);
	/* A persistent error and a retrying policy: same PC, same address,
	 * nothing delivered. */
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
	/* HANDLED without an injection delivered nothing either. */
	p.action = KVMSEA_ACTION_HANDLED;
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA + 0x1000, IPA + 0x1000, true),
			 KVMSEA_EXIT_HANDLED);
	assert_int_equal(p.last_repeats, 2);

	/* Without a handler the default policy stops at the limit ... */
	kvmsea_ctx_set_handler(f.ctx, NULL, NULL);
	kvmsea_ctx_set_livelock_limit(f.ctx, 3);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA + 0x1000, IPA + 0x1000, true),
			 KVMSEA_EXIT_STOP);
	assert_true(kvmsea_vcpu_last_event(f.v)->livelock);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->repeats, 3);
	/* ... and a vCPU restarted after the stop starts again at 1. */
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA + 0x1000, IPA + 0x1000, true),
			 KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->repeats, 1);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected,
			 KVMSEA_STRATEGY_VCPU_EVENTS);
	/* Limit 0 turns the guard off. */
	kvmsea_ctx_set_handler(f.ctx, on_sea, &p);
	p.action = KVMSEA_ACTION_RETRY;
	kvmsea_ctx_set_livelock_limit(f.ctx, 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true),
				 KVMSEA_EXIT_HANDLED);
	assert_false(kvmsea_vcpu_last_event(f.v)->livelock);
	fx_fini(&f);
}

/* A guest that receives every SEA and takes it again (a process retrying
 * after its SIGBUS handler, forked children reading one inherited bad
 * page) is never a livelock: the default policy serves it forever. */
static void test_delivered_seas_never_stop(void **state)
{
	struct kvmsim_vcpu_stats st;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	for (int i = 0; i < 100; i++) {
		fx_guest_at(&f, 0x0); /* back at the same EL0 load */
		assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true),
				 KVMSEA_EXIT_HANDLED);
		assert_int_equal(kvmsea_vcpu_last_event(f.v)->repeats, 1);
		assert_false(kvmsea_vcpu_last_event(f.v)->livelock);
	}
	kvmsim_vcpu_get_stats(f.sv, &st);
	assert_int_equal(st.ext_dabt, 100);
	fx_fini(&f);
}

/* A failed injection delivered nothing: the SEA that comes back counts
 * as a repeat. */
static void test_failed_injection_counts_as_repeat(void **state)
{
	struct fx f;
	int fd;

	(void)state;
	fx_init_default(&f);
	fd = kvmsim_vcpu_fd(f.sv);
	fx_guest_at(&f, 0x5);
	assert_int_equal(kvmsim_fail_ioctl(fd, KVMSIM_IOCTL_SET_VCPU_EVENTS, 1, 1,
					   EIO), 0);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), -EIO);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected, KVMSEA_STRATEGY_NONE);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->repeats, 2);
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
		cmocka_unit_test(test_user_data),
		cmocka_unit_test(test_non_sea_exits_cost_no_ioctl),
		cmocka_unit_test(test_stale_exit_after_eintr),
		cmocka_unit_test(test_default_policy_event_and_injection),
		cmocka_unit_test(test_fnv_event_and_auto_emulates),
		cmocka_unit_test(test_every_sea_fsc),
		cmocka_unit_test(test_cap_off_means_serror),
		cmocka_unit_test(test_handler_actions),
		cmocka_unit_test(test_no_double_injection),
		cmocka_unit_test(test_handler_reentry_refused),
		cmocka_unit_test(test_livelock_guard),
		cmocka_unit_test(test_delivered_seas_never_stop),
		cmocka_unit_test(test_failed_injection_counts_as_repeat),
	};

	return cmocka_run_group_tests_name("sea", tests, NULL, NULL);
}
