/* SPDX-License-Identifier: MIT */
/*
 * The bad-input matrix of docs/reliability.md, for the rows that
 * tests/kvm/test-sea.c and test-inject.c do not already cover. Every refusal is a clear
 * negative errno and leaves the simulated vCPU exactly as it was (a
 * snapshot of every register, the pending SError and the injection
 * counters); input that is odd but deliverable is delivered without any of
 * its oddity reaching the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "vcpu-snap.h"

#define VBAR FX_VBAR
#define VBAR2 0x40090000ULL
#define PC0 FX_PC
#define GVA 0x50000123ULL
#define IPA 0x50000000ULL
#define PSTATE_EL1H 0x3c5ULL

static void guest_at(struct fx *f, uint64_t pstate)
{
	fx_guest_at(f, pstate);
	kvmsim_reg_set(f->sv, KVMSEA_REG_FAR_EL1, 0xfa1);
}

/* Make kvm_run say "exit 41" with these contents, as if KVM_RUN had. */
static void fake_exit(struct fx *f, uint64_t esr, uint64_t gva, uint64_t flags,
		      uint64_t gpa)
{
	f->run->exit_reason = KVM_EXIT_ARM_SEA;
	f->run->u.arm_sea.esr = esr;
	f->run->u.arm_sea.gva = gva;
	f->run->u.arm_sea.flags = flags;
	f->run->u.arm_sea.gpa = gpa;
}

static struct kvmsea_event abort_event(uint64_t esr)
{
	struct kvmsea_event ev;

	assert_int_equal(kvmsea_event_init(&ev, esr, GVA), 0);
	return ev;
}

/*
 * What the kernel answers @request on @fd: the errno the library must hand
 * back. Natively EBADF for a closed fd and ENOTTY for a pipe; qemu-user
 * (the cross build) answers ENOSYS for the KVM ioctls it does not
 * translate, before the kernel sees them.
 */
static int kernel_errno(int fd, unsigned long request, int native)
{
	uint64_t value;
	struct kvm_one_reg reg = { .id = KVMSEA_REG_PC, .addr = (uintptr_t)&value };
	int r;

	if (request == KVM_CHECK_EXTENSION)
		r = ioctl(fd, request, KVM_CAP_ARM_SEA_TO_USER);
	else
		r = ioctl(fd, request, &reg);
	assert_int_equal(r, -1);
	assert_true(errno == native || errno == ENOSYS);
	return -errno;
}

static void expect_unchanged(const struct vcpu_snap *before,
			     const struct kvmsim_vcpu *sv)
{
	struct vcpu_snap after;

	vcpu_snap_take(sv, &after);
	assert_true(vcpu_snap_equal(before, &after));
}

/* ---- NULL and nonsense arguments (the rest: test-sea.c, test-inject.c) ---- */

static void test_null_and_nonsense_arguments(void **state)
{
	struct kvmsea_caps caps;
	struct fx f;
	char buf[4] = "abc";

	(void)state;
	fx_init_default(&f);
	assert_int_equal(kvmsea_ctx_get_caps(f.ctx, NULL), -EINVAL);
	assert_int_equal(kvmsea_ctx_get_caps(NULL, &caps), -EINVAL);
	assert_null(kvmsea_vcpu_get_ctx(NULL));
	assert_int_equal(kvmsea_vcpu_get_id(NULL), 0);
	assert_string_equal(kvmsea_strategy_name((enum kvmsea_strategy)-1), "unknown");
	assert_string_equal(kvmsea_strategy_name((enum kvmsea_strategy)1000), "unknown");
	/* snprintf semantics: NULL with size 0 asks for the length only. */
	assert_true(kvmsea_esr_format(0x92000010, KVMSEA_ESR_ONELINE, NULL, 0) > 0);
	assert_int_equal(kvmsea_esr_format(0x92000010, (enum kvmsea_esr_style)3,
					   buf, sizeof(buf)), -EINVAL);
	assert_string_equal(buf, "abc");
	fx_fini(&f);
}

/* ---- File descriptors that are not the right thing ---- */

static void test_closed_fd(void **state)
{
	struct kvmsea_ctx *ctx = NULL;
	struct kvmsea_event ev = abort_event(0x92000010);
	struct vcpu_snap before;
	struct fx f;
	int p[2], fd, err;

	(void)state;
	assert_int_equal(pipe(p), 0);
	close(p[0]);
	close(p[1]);
	assert_int_equal(kvmsea_ctx_new(p[0], &ctx),
			 kernel_errno(p[0], KVM_CHECK_EXTENSION, EBADF));
	assert_null(ctx);

	/* A handle whose vCPU fd the VMM closed (KVM's file is gone). */
	fx_init_default(&f);
	guest_at(&f, PSTATE_EL1H);
	vcpu_snap_take(f.sv, &before);
	fd = kvmsim_vcpu_fd(f.sv);
	assert_int_equal(kvmsim_close(fd), 0);
	err = kernel_errno(fd, KVM_GET_ONE_REG, EBADF);
	fake_exit(&f, 0x92000010, GVA, KVM_EXIT_ARM_SEA_FLAG_GPA_VALID, IPA);
	assert_int_equal(kvmsea_vcpu_handle_exit(f.v, 0), err);
	assert_null(kvmsea_vcpu_last_event(f.v)); /* no event half-made */
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_AUTO, NULL), err);
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_SERROR, NULL), err);
	expect_unchanged(&before, f.sv);
	fx_fini(&f);
}

static void test_non_kvm_fd_as_vcpu(void **state)
{
	struct kvmsea_event ev = abort_event(0x92000010);
	struct kvmsea_vcpu *v;
	struct vcpu_snap before;
	struct fx f;
	int p[2], err;

	(void)state;
	fx_init_default(&f);
	guest_at(&f, PSTATE_EL1H);
	assert_int_equal(pipe(p), 0);
	err = kernel_errno(p[0], KVM_GET_ONE_REG, ENOTTY);
	/* The library cannot tell at kvmsea_vcpu_new() without an ioctl; the
	 * first SEA finds out, and nothing is done. */
	assert_int_equal(kvmsea_vcpu_new(f.ctx, p[0], f.run, 1, 0, &v), 0);
	vcpu_snap_take(f.sv, &before);
	fake_exit(&f, 0x92000010, GVA, 0, 0);
	assert_int_equal(kvmsea_vcpu_handle_exit(v, 0), err);
	assert_null(kvmsea_vcpu_last_event(v));
	assert_int_equal(kvmsea_vcpu_inject(v, &ev, KVMSEA_STRATEGY_VCPU_EVENTS, NULL), err);
	assert_int_equal(kvmsea_vcpu_inject(v, &ev, KVMSEA_STRATEGY_EMULATE, NULL), err);
	expect_unchanged(&before, f.sv);
	/* Never closed by the library. */
	assert_int_equal(fcntl(p[0], F_GETFD), 0);
	kvmsea_vcpu_free(v);
	close(p[0]);
	close(p[1]);
	fx_fini(&f);
}

static void test_vm_fd_as_vcpu_fd(void **state)
{
	struct kvmsea_event ev = abort_event(0x92000010);
	struct kvmsea_vcpu *v;
	struct vcpu_snap before;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	guest_at(&f, PSTATE_EL1H);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, kvmsim_vm_fd(f.vm), f.run, 1, 0, &v), 0);
	vcpu_snap_take(f.sv, &before);
	fake_exit(&f, 0x92000010, GVA, 0, 0);
	/* arm64 KVM answers a vCPU ioctl on a VM fd with EINVAL. */
	assert_int_equal(kvmsea_vcpu_handle_exit(v, 0), -EINVAL);
	assert_null(kvmsea_vcpu_last_event(v));
	assert_int_equal(kvmsea_vcpu_inject(v, &ev, KVMSEA_STRATEGY_AUTO, NULL), -EINVAL);
	expect_unchanged(&before, f.sv);
	kvmsea_vcpu_free(v);
	fx_fini(&f);
}

static void test_wrong_fd_as_vm_fd(void **state)
{
	struct kvmsim_host *h = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	struct kvmsim_vm *vm = kvmsim_create_vm(h, 0);
	struct kvmsim_vcpu *sv = kvmsim_create_vcpu(vm, 0);
	struct kvmsea_ctx *ctx = NULL;
	struct kvmsea_caps caps;

	(void)state;
	/* A vCPU fd: KVM_CHECK_EXTENSION is not a vCPU ioctl. */
	assert_int_equal(kvmsea_ctx_new(kvmsim_vcpu_fd(sv), &ctx), -EINVAL);
	assert_null(ctx);
	/* /dev/kvm answers the probe, but is no VM: enabling is refused by
	 * the kernel, and the context does not pretend otherwise. */
	assert_int_equal(kvmsea_ctx_new(kvmsim_open_system(h), &ctx), 0);
	assert_int_equal(kvmsea_ctx_enable(ctx), -EINVAL);
	assert_int_equal(kvmsea_ctx_get_caps(ctx, &caps), 0);
	assert_false(caps.sea_exits_enabled);
	assert_false(kvmsim_vm_sea_enabled(vm));
	kvmsea_ctx_free(ctx);
	kvmsim_host_free(h);
}

/* ---- A protected VM ---- */

static void test_protected_vm_injections(void **state)
{
	const struct fx_opts o = { .profile = KVMSIM_HOST_RAS,
				   .vm_flags = KVMSIM_VM_PROTECTED };
	struct kvmsea_event ev = abort_event(0x92000010);
	struct vcpu_snap before;
	struct fx f;

	(void)state;
	fx_init(&f, &o);
	guest_at(&f, PSTATE_EL1H);
	vcpu_snap_take(f.sv, &before);
	/* The VM offers neither ext_dabt injection nor vCPU events. */
	kvmsim_ioctl_reset(kvmsim_vcpu_fd(f.sv));
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_VCPU_EVENTS, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_SERROR, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(kvmsim_ioctl_count(kvmsim_vcpu_fd(f.sv),
					    KVMSIM_IOCTL_SET_VCPU_EVENTS), 0);
	expect_unchanged(&before, f.sv);
	fx_fini(&f);
}

/* ---- kvm_run contents ---- */

static void test_every_other_exit_is_not_sea(void **state)
{
	static const uint32_t big[] = { 64, 255, 0x10000, 0x7fffffff, UINT32_MAX };
	struct vcpu_snap before;
	struct fx f;
	int fd;

	(void)state;
	fx_init_default(&f);
	guest_at(&f, PSTATE_EL1H);
	fd = kvmsim_vcpu_fd(f.sv);
	vcpu_snap_take(f.sv, &before);
	kvmsim_ioctl_reset(fd);
	for (uint32_t reason = 0; reason < 64 + sizeof(big) / sizeof(big[0]); reason++) {
		uint32_t r = reason < 64 ? reason : big[reason - 64];

		if (r == KVM_EXIT_ARM_SEA)
			continue;
		/* arm_sea full of what looks like an SEA: only the reason counts. */
		fake_exit(&f, 0x92000010, GVA, KVM_EXIT_ARM_SEA_FLAG_GPA_VALID, IPA);
		f.run->exit_reason = r;
		assert_int_equal(kvmsea_vcpu_handle_exit(f.v, 0), KVMSEA_EXIT_NOT_SEA);
	}
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_ALL), 0);
	assert_null(kvmsea_vcpu_last_event(f.v));
	expect_unchanged(&before, f.sv);
	fx_fini(&f);
}

static void test_41_with_any_failed_run_is_not_sea(void **state)
{
	static const int rets[] = { -1, -EINTR, -EAGAIN, -EFAULT, -ENOEXEC, 1,
				    INT_MIN, INT_MAX };
	struct vcpu_snap before;
	struct fx f;
	int fd;

	(void)state;
	fx_init_default(&f);
	guest_at(&f, PSTATE_EL1H);
	fd = kvmsim_vcpu_fd(f.sv);
	vcpu_snap_take(f.sv, &before);
	kvmsim_ioctl_reset(fd);
	for (size_t i = 0; i < sizeof(rets) / sizeof(rets[0]); i++) {
		fake_exit(&f, 0x92000010, GVA, KVM_EXIT_ARM_SEA_FLAG_GPA_VALID, IPA);
		assert_int_equal(kvmsea_vcpu_handle_exit(f.v, rets[i]),
				 KVMSEA_EXIT_NOT_SEA);
	}
	assert_int_equal(kvmsim_ioctl_count(fd, KVMSIM_IOCTL_ALL), 0);
	assert_null(kvmsea_vcpu_last_event(f.v));
	expect_unchanged(&before, f.sv);
	fx_fini(&f);
}

static void test_41_that_is_not_an_abort(void **state)
{
	static const uint64_t esrs[] = { 0x5e000000 /* HVC64 */, 0xbe000000 /* SError */,
					 0x0, 0xfc000000 /* EC 0x3f */ };
	struct vcpu_snap before;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	guest_at(&f, PSTATE_EL1H);
	for (size_t i = 0; i < sizeof(esrs) / sizeof(esrs[0]); i++) {
		const struct kvmsea_event *ev;

		vcpu_snap_take(f.sv, &before);
		fake_exit(&f, esrs[i], GVA, 0, 0);
		/* Reported (the VMM may want to know), never injected. */
		assert_int_equal(kvmsea_vcpu_handle_exit(f.v, 0), -EINVAL);
		ev = kvmsea_vcpu_last_event(f.v);
		assert_non_null(ev);
		assert_true(ev->syndrome == esrs[i]);
		assert_int_equal(ev->injected, KVMSEA_STRATEGY_NONE);
		expect_unchanged(&before, f.sv);
	}
	fx_fini(&f);
}

/* Bits KVM never passes (ISS2, [63:56], ISV and the instruction syndrome,
 * VNCR, S1PTW) on a deliverable SEA: delivered, with none of them. */
static void test_reserved_esr_bits_do_not_reach_the_guest(void **state)
{
	const uint64_t junk = (0xffULL << 56) | (0xffffffULL << 32) |
			      (1ULL << 24) | (0x3fULL << 16) | (1ULL << 13) |
			      (1ULL << 7);
	static const struct {
		unsigned int sim_flags;
		uint64_t pstate, esr_reg, esr_expected;
	} cases[] = {
		{ 0, PSTATE_EL1H, KVMSEA_REG_ESR_EL1, 0x96000010 },
		{ 0, 0x0, KVMSEA_REG_ESR_EL1, 0x92000010 },                 /* from EL0 */
		{ KVMSIM_VCPU_HAS_EL2, 0x3c9, KVMSEA_REG_ESR_EL2, 0x96000010 }, /* vEL2 */
		{ KVMSIM_VCPU_EL1_32BIT, 0x1d3, KVMSEA_REG_ESR_EL1, 0x210 },  /* DFSR */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fx_opts o = {
			.profile = KVMSIM_HOST_RAS, .host_flags = KVMSIM_HOST_ARM_EL2,
			.vcpu_flags = cases[i].sim_flags, .enable = true,
		};
		const struct kvmsea_event *ev;
		struct fx f;

		fx_init(&f, &o);
		guest_at(&f, cases[i].pstate);
		kvmsim_reg_set(f.sv, KVMSEA_REG_TCR_EL1, 1ULL << 31); /* LPAE DFSR */
		if (cases[i].sim_flags & KVMSIM_VCPU_HAS_EL2)
			kvmsim_reg_set(f.sv, KVMSEA_REG_VBAR_EL2, VBAR2);
		fake_exit(&f, 0x92000010 | junk, GVA, KVM_EXIT_ARM_SEA_FLAG_GPA_VALID, IPA);
		assert_int_equal(kvmsea_vcpu_handle_exit(f.v, 0), KVMSEA_EXIT_HANDLED);
		ev = kvmsea_vcpu_last_event(f.v);
		/* The event shows the raw value, and the decoder flags it. */
		assert_true(ev->syndrome == (0x92000010 | junk));
		assert_int_equal(ev->esr.res0_hi, 0xff);
		/* Not the syndrome ext_dabt_pending makes: emulated, clean. */
		assert_int_equal(ev->injected, KVMSEA_STRATEGY_EMULATE);
		assert_true(kvmsim_reg_get(f.sv, cases[i].esr_reg) ==
			    cases[i].esr_expected);
		fx_fini(&f);
	}
}

/* FnV: the gva is garbage. No target's FAR may receive it. */
static void test_fnv_garbage_gva_never_reaches_far(void **state)
{
	static const struct {
		unsigned int sim_flags;
		uint64_t pstate, far_reg;
	} cases[] = {
		{ 0, PSTATE_EL1H, KVMSEA_REG_FAR_EL1 },
		{ 0, 0x0, KVMSEA_REG_FAR_EL1 },
		{ KVMSIM_VCPU_HAS_EL2, 0x3c9, KVMSEA_REG_FAR_EL2 },
		{ KVMSIM_VCPU_EL1_32BIT, 0x1d3, KVMSEA_REG_FAR_EL1 },
		{ KVMSIM_VCPU_EL1_32BIT, 0x10, KVMSEA_REG_FAR_EL1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fx_opts o = {
			.profile = KVMSIM_HOST_RAS, .host_flags = KVMSIM_HOST_ARM_EL2,
			.vcpu_flags = cases[i].sim_flags, .enable = true,
		};
		for (int data = 0; data < 2; data++) {
			const struct kvmsea_event *ev;
			struct fx f;

			fx_init(&f, &o);
			guest_at(&f, cases[i].pstate);
			kvmsim_reg_set(f.sv, cases[i].far_reg, 0xfa1);
			fake_exit(&f, (data ? 0x92000410 : 0x82000410),
				  0xdeadbeefcafef00dULL, 0, 0);
			assert_int_equal(kvmsea_vcpu_handle_exit(f.v, 0),
					 KVMSEA_EXIT_HANDLED);
			ev = kvmsea_vcpu_last_event(f.v);
			assert_false(ev->known & KVMSEA_KNOWN_GVA);
			assert_true(ev->gva == 0 && ev->gpa == 0);
			assert_int_equal(ev->injected, KVMSEA_STRATEGY_EMULATE);
			assert_true(kvmsim_reg_get(f.sv, cases[i].far_reg) == 0xfa1);
			fx_fini(&f);
		}
	}
}

/* GPA_VALID where KVM never sets it (FSC other than 0x10): reported as the
 * kernel said, and without effect on what the guest gets. */
static void test_gpa_flag_with_other_fsc(void **state)
{
	static const uint64_t esrs[] = { 0x92000014, 0x92000017, 0x9200001c,
					 0x92000018, 0x82000015 };

	(void)state;
	for (size_t i = 0; i < sizeof(esrs) / sizeof(esrs[0]); i++) {
		struct vcpu_snap with, without;

		for (int flag = 0; flag < 2; flag++) {
			const struct kvmsea_event *ev;
			struct fx f;

			fx_init_default(&f);
			guest_at(&f, PSTATE_EL1H);
			fake_exit(&f, esrs[i], GVA,
				  flag ? KVM_EXIT_ARM_SEA_FLAG_GPA_VALID : 0,
				  0xabcdef123ULL);
			assert_int_equal(kvmsea_vcpu_handle_exit(f.v, 0),
					 KVMSEA_EXIT_HANDLED);
			ev = kvmsea_vcpu_last_event(f.v);
			assert_int_equal(!!(ev->known & KVMSEA_KNOWN_PAGE_GPA), flag);
			assert_true(ev->page_gpa == (flag ? 0xabcdef000ULL : 0));
			vcpu_snap_take(f.sv, flag ? &with : &without);
			fx_fini(&f);
		}
		assert_true(vcpu_snap_equal(&without, &with));
	}
}

/* ---- vCPU state the library cannot deliver into ---- */

/* A handle that says EL2 on a vCPU without it, through the run-loop hook
 * (test-inject.c covers kvmsea_vcpu_inject()): the library checks the claim
 * (HCR_EL2 is -ENOENT) and delivers at EL1, exactly as for an honest one. */
static void test_false_el2_claim_at_the_hook(void **state)
{
	struct kvmsea_vcpu *liar;
	struct fx f;

	(void)state;
	fx_init_default(&f);
	guest_at(&f, PSTATE_EL1H);
	assert_int_equal(kvmsea_vcpu_new(f.ctx, kvmsim_vcpu_fd(f.sv), f.run, 1,
					 KVMSEA_VCPU_HAS_EL2, &liar), 0);
	/* WnR: not lossless for vcpu-events, so auto emulates. */
	fake_exit(&f, 0x92000050, GVA, KVM_EXIT_ARM_SEA_FLAG_GPA_VALID, IPA);
	assert_int_equal(kvmsea_vcpu_handle_exit(liar, 0), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(liar)->injected, KVMSEA_STRATEGY_EMULATE);
	assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_ESR_EL1) == 0x96000050ULL);
	kvmsea_vcpu_free(liar);
	fx_fini(&f);
}

/*
 * An AArch32 EL1 cannot have an AArch64 EL0: KVM refuses PSTATE EL0t on
 * such a vCPU (set_core_reg) and no guest can get there. The entry rules
 * must say -EINVAL ("a PSTATE mode the vCPU cannot be in") as they do for
 * EL1t/EL1h, and nothing may be written.
 */
static void test_aarch64_el0_on_aarch32_el1_is_refused(void **state)
{
	const struct fx_opts o = { .profile = KVMSIM_HOST_RAS,
				   .vcpu_flags = KVMSIM_VCPU_EL1_32BIT,
				   .enable = true };
	struct kvmsea_event ev = abort_event(0x92000010);
	enum kvmsea_target target;
	struct vcpu_snap before;
	struct fx f;

	(void)state;
	assert_int_equal(kvmsea_entry_route(KVMSEA_F_EL1_32BIT, 0x4, 0, 0, &target),
			 -EINVAL);
	assert_int_equal(kvmsea_entry_route(KVMSEA_F_EL1_32BIT, 0x0, 0, 0, &target),
			 -EINVAL);

	fx_init(&f, &o);
	guest_at(&f, 0x0); /* direct write: KVM itself would refuse it */
	vcpu_snap_take(f.sv, &before);
	assert_int_equal(kvmsea_vcpu_inject(f.v, &ev, KVMSEA_STRATEGY_EMULATE, NULL), -EINVAL);
	expect_unchanged(&before, f.sv);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_and_nonsense_arguments),
		cmocka_unit_test(test_closed_fd),
		cmocka_unit_test(test_non_kvm_fd_as_vcpu),
		cmocka_unit_test(test_vm_fd_as_vcpu_fd),
		cmocka_unit_test(test_wrong_fd_as_vm_fd),
		cmocka_unit_test(test_protected_vm_injections),
		cmocka_unit_test(test_every_other_exit_is_not_sea),
		cmocka_unit_test(test_41_with_any_failed_run_is_not_sea),
		cmocka_unit_test(test_41_that_is_not_an_abort),
		cmocka_unit_test(test_reserved_esr_bits_do_not_reach_the_guest),
		cmocka_unit_test(test_fnv_garbage_gva_never_reaches_far),
		cmocka_unit_test(test_gpa_flag_with_other_fsc),
		cmocka_unit_test(test_false_el2_claim_at_the_hook),
		cmocka_unit_test(test_aarch64_el0_on_aarch32_el1_is_refused),
	};

	return cmocka_run_group_tests_name("badinput", tests, NULL, NULL);
}
