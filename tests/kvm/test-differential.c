/* SPDX-License-Identifier: MIT */
/*
 * Emulation against the kernel's own injection. For a data abort with FnV
 * clear and FSC 0x10, KVM_SET_VCPU_EVENTS(ext_dabt_pending) and the
 * library's ONE_REG emulation must leave exactly the same guest state, in
 * every guest state the rules distinguish. The simulator's ext_dabt path is
 * an independent model of the kernel (tests/sim), so this checks
 * lib/entry.c against it field by field.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#define GVA 0x50000123ULL
#define IPA 0x50000000ULL

#define SPAN (1ULL << 23)
#define DSSBS (1ULL << 44)
#define PAN (1ULL << 22)
#define HCR_TGE (1ULL << 27)
#define HCR_E2H (1ULL << 34)
#define NZCV_DIT ((0xaULL << 28) | (1ULL << 24))

struct scenario {
	const char *name;
	unsigned int vcpu_flags;  /* KVMSIM_VCPU_* */
	unsigned int vm_flags;    /* KVMSIM_VM_* */
	uint64_t pstate;
	uint64_t sctlr;           /* of the target EL */
	uint64_t sctlr2;
	uint64_t tcr_el1;
	uint64_t hcr_el2;
	uint64_t hcrx_el2;
	bool expect_el2;
};

static const struct scenario scenarios[] = {
	{ "EL1h", 0, 0, 0x5 | NZCV_DIT, SPAN, 0, 0, 0, 0, false },
	{ "EL1t", 0, 0, 0x4 | NZCV_DIT, SPAN, 0, 0, 0, 0, false },
	{ "EL0 AArch64", 0, 0, 0x0 | NZCV_DIT, SPAN, 0, 0, 0, 0, false },
	{ "EL0 AArch32", 0, 0, 0x10 | NZCV_DIT, SPAN, 0, 0, 0, 0, false },
	{ "EL1h PAN=1 SPAN=1", 0, 0, 0x5 | PAN, SPAN, 0, 0, 0, 0, false },
	{ "EL1h PAN=0 SPAN=0", 0, 0, 0x5, 0, 0, 0, 0, 0, false },
	{ "EL1h PAN=1 SPAN=0", 0, 0, 0x5 | PAN, 0, 0, 0, 0, 0, false },
	{ "EL0 PAN=0 SPAN=0", 0, 0, 0x0, 0, 0, 0, 0, 0, false },
	{ "EL0 PAN=1 SPAN=1", 0, 0, 0x0 | PAN, SPAN, 0, 0, 0, 0, false },
	{ "EL1h DSSBS=1", 0, 0, 0x5, SPAN | DSSBS, 0, 0, 0, 0, false },
	{ "EL0 DSSBS=1 SSBS=0", 0, 0, 0x0, DSSBS, 0, 0, 0, 0, false },
	{ "EL1h SSBS=1 DSSBS=0", 0, 0, 0x5 | (1 << 12), SPAN, 0, 0, 0, 0, false },
	{ "EL1h MTE", 0, KVMSIM_VM_MTE, 0x5, SPAN, 0, 0, 0, 0, false },
	{ "EL0 MTE TCO=0", 0, KVMSIM_VM_MTE, 0x0, SPAN, 0, 0, 0, 0, false },
	{ "EL1h EASE", KVMSIM_VCPU_SCTLR2, 0, 0x5, SPAN, 1 << 5, 0, 0, 0, false },
	{ "EL0 EASE", KVMSIM_VCPU_SCTLR2, 0, 0x0, SPAN, 1 << 5, 0, 0, 0, false },
	{ "EL1h SCTLR2 no EASE", KVMSIM_VCPU_SCTLR2, 0, 0x5, SPAN, 0, 0, 0, 0, false },
	{ "AArch32 SVC short", KVMSIM_VCPU_EL1_32BIT, 0, 0x13 | NZCV_DIT, SPAN, 0, 0, 0, 0, false },
	{ "AArch32 SVC LPAE", KVMSIM_VCPU_EL1_32BIT, 0, 0x13, SPAN, 0, 1ULL << 31, 0, 0, false },
	{ "AArch32 USR", KVMSIM_VCPU_EL1_32BIT, 0, 0x10 | (1 << 5), SPAN, 0, 0, 0, 0, false },
	{ "AArch32 SVC hivecs TE EE", KVMSIM_VCPU_EL1_32BIT, 0, 0x13,
	  SPAN | (1 << 13) | (1 << 30) | (1 << 25), 0, 0, 0, 0, false },
	{ "AArch32 IRQ PAN SPAN=0", KVMSIM_VCPU_EL1_32BIT, 0, 0x12 | PAN, 0, 0, 0, 0, 0, false },
	{ "vEL2h E2H", KVMSIM_VCPU_HAS_EL2, 0, 0x9 | NZCV_DIT, SPAN, 0, 0, HCR_E2H, 0, true },
	{ "vEL2t E2H TGE", KVMSIM_VCPU_HAS_EL2, 0, 0x8, 0, 0, 0, HCR_E2H | HCR_TGE, 0, true },
	/* Without E2H, SCTLR_EL2.SPAN is RES1. */
	{ "vEL2h nVHE", KVMSIM_VCPU_HAS_EL2, 0, 0x9, SPAN, 0, 0, 0, 0, true },
	{ "vEL2 host EL0", KVMSIM_VCPU_HAS_EL2, 0, 0x0, SPAN, 0, 0, HCR_E2H | HCR_TGE, 0, true },
	{ "vEL2 host EL0 SPAN=0", KVMSIM_VCPU_HAS_EL2, 0, 0x0, 0, 0, 0, HCR_E2H | HCR_TGE, 0, true },
	{ "L2 EL1h", KVMSIM_VCPU_HAS_EL2, 0, 0x5, SPAN, 0, 0, 0, 0, false },
	{ "L2 EL0", KVMSIM_VCPU_HAS_EL2, 0, 0x0, 0, 0, 0, 0, 0, false },
};

/* Guest-visible registers the two strategies may write. */
static const uint64_t regs64[] = {
	KVMSEA_REG_PC, KVMSEA_REG_PSTATE, KVMSEA_REG_ELR_EL1,
	KVMSEA_REG_SPSR_EL1, KVMSEA_REG_ESR_EL1, KVMSEA_REG_FAR_EL1,
	KVMSEA_REG_SPSR_ABT, KVMSEA_REG_X(20), KVMSEA_REG_IFSR32_EL2,
};
static const uint64_t regs_el2[] = {
	KVMSEA_REG_ELR_EL2, KVMSEA_REG_SPSR_EL2, KVMSEA_REG_ESR_EL2,
	KVMSEA_REG_FAR_EL2,
};

static void setup(struct fx *f, const struct scenario *s, enum kvmsea_strategy how);

static enum kvmsea_strategy fixed_strategy;

static void setup(struct fx *f, const struct scenario *s, enum kvmsea_strategy how)
{
	const struct fx_opts o = {
		.profile = KVMSIM_HOST_RAS,
		.host_flags = (s->vcpu_flags & KVMSIM_VCPU_HAS_EL2) ? KVMSIM_HOST_ARM_EL2 : 0,
		.vm_flags = s->vm_flags,
		.vcpu_flags = s->vcpu_flags,
		.enable = true,
	};
	bool el2 = s->expect_el2;

	fx_init(f, &o);
	kvmsim_reg_set(f->sv, KVMSEA_REG_PSTATE, s->pstate);
	kvmsim_reg_set(f->sv, KVMSEA_REG_PC, 0x40001000);
	kvmsim_reg_set(f->sv, KVMSEA_REG_FAR_EL1, 0x1111111122222222ULL);
	kvmsim_reg_set(f->sv, KVMSEA_REG_TCR_EL1, s->tcr_el1);
	kvmsim_reg_set(f->sv, el2 ? KVMSEA_REG_SCTLR_EL2 : KVMSEA_REG_SCTLR_EL1,
		       s->sctlr);
	kvmsim_reg_set(f->sv, el2 ? KVMSEA_REG_VBAR_EL2 : KVMSEA_REG_VBAR_EL1,
		       el2 ? 0x60000000 : 0x40080000);
	if (s->vcpu_flags & KVMSIM_VCPU_SCTLR2)
		kvmsim_reg_set(f->sv, el2 ? KVMSEA_REG_SCTLR2_EL2 :
			       KVMSEA_REG_SCTLR2_EL1, s->sctlr2);
	if (s->vcpu_flags & KVMSIM_VCPU_HAS_EL2) {
		kvmsim_reg_set(f->sv, KVMSEA_REG_HCR_EL2, s->hcr_el2);
		kvmsim_reg_set(f->sv, KVMSEA_REG_FAR_EL2, 0x3333);
	}
	fixed_strategy = how;
	kvmsea_ctx_set_handler(f->ctx, fx_inject_handler, &fixed_strategy);
}

static void compare(const struct fx *a, const struct fx *b, const char *name,
		    const uint64_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t va, vb;

		if (kvmsim_reg_read(a->sv, ids[i], &va) < 0)
			continue;
		assert_int_equal(kvmsim_reg_read(b->sv, ids[i], &vb), 0);
		if (va != vb)
			fail_msg("%s: register 0x%llx: kernel 0x%llx, emulation 0x%llx",
				 name, (unsigned long long)ids[i],
				 (unsigned long long)va, (unsigned long long)vb);
	}
}

static void run_both(const struct scenario *s, struct fx *k, struct fx *e)
{
	enum kvmsea_strategy act_kernel = KVMSEA_STRATEGY_VCPU_EVENTS;
	enum kvmsea_strategy act_emul = KVMSEA_STRATEGY_EMULATE;

	setup(k, s, act_kernel);
	assert_int_equal(fx_run_sea(k, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(k->v)->injected,
			 KVMSEA_STRATEGY_VCPU_EVENTS);
	setup(e, s, act_emul);
	assert_int_equal(fx_run_sea(e, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	assert_int_equal(kvmsea_vcpu_last_event(e->v)->injected,
			 KVMSEA_STRATEGY_EMULATE);
}

static void test_emulation_equals_kernel(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *s = &scenarios[i];
		struct fx k, e;

		run_both(s, &k, &e);
		/* The guest actually moved: PC is at a vector now. */
		assert_true(kvmsim_reg_get(k.sv, KVMSEA_REG_PC) != 0x40001000);
		compare(&k, &e, s->name, regs64, sizeof(regs64) / sizeof(regs64[0]));
		compare(&k, &e, s->name, regs_el2, sizeof(regs_el2) / sizeof(regs_el2[0]));
		fx_fini(&k);
		fx_fini(&e);
	}
}

/* The one place the library follows the Arm ARM and not KVM 7.2: an entry
 * to EL2 with E2H=1, TGE=0 and SCTLR_EL2.SPAN=0 leaves PAN alone (KVM sets
 * it). Everything else agrees. */
static void test_vel2_span_divergence(void **state)
{
	const struct scenario s = { "vEL2h E2H SPAN=0", KVMSIM_VCPU_HAS_EL2, 0,
				    0x9, 0, 0, 0, HCR_E2H, 0, true };
	uint64_t pk, pe;
	struct fx k, e;

	(void)state;
	run_both(&s, &k, &e);
	pk = kvmsim_reg_get(k.sv, KVMSEA_REG_PSTATE);
	pe = kvmsim_reg_get(e.sv, KVMSEA_REG_PSTATE);
	assert_true(pk & PAN);
	assert_false(pe & PAN);
	assert_true((pk & ~PAN) == pe);
	kvmsim_reg_set(e.sv, KVMSEA_REG_PSTATE, pk);
	compare(&k, &e, s.name, regs64, sizeof(regs64) / sizeof(regs64[0]));
	compare(&k, &e, s.name, regs_el2, sizeof(regs_el2) / sizeof(regs_el2[0]));
	fx_fini(&k);
	fx_fini(&e);
}

/* What vcpu-events loses, shown on the same vCPU states. */
static void test_vcpu_events_is_lossy(void **state)
{
	const struct scenario s = { "EL0", 0, 0, 0x0, SPAN, 0, 0, 0, 0, false };
	/* A store (WnR), EA set, SET = UC. */
	const uint64_t esr = 0x92000000 | (2 << 11) | (1 << 9) | (1 << 6) | 0x10;
	struct fx k, e;

	(void)state;
	setup(&k, &s, KVMSEA_STRATEGY_VCPU_EVENTS);
	assert_int_equal(fx_run_sea(&k, esr, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	setup(&e, &s, KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(fx_run_sea(&e, esr, GVA, IPA, true), KVMSEA_EXIT_HANDLED);
	/* KVM: FSC 0x10 alone. Emulation: every field carried. */
	assert_true(kvmsim_reg_get(k.sv, KVMSEA_REG_ESR_EL1) == 0x92000010ULL);
	assert_true(kvmsim_reg_get(e.sv, KVMSEA_REG_ESR_EL1) == esr);
	assert_true(kvmsim_reg_get(e.sv, KVMSEA_REG_PC) ==
		    kvmsim_reg_get(k.sv, KVMSEA_REG_PC));
	fx_fini(&k);
	fx_fini(&e);

	/* An instruction abort: KVM has no such injection, and the library
	 * will not turn it into a data abort. */
	setup(&k, &s, KVMSEA_STRATEGY_VCPU_EVENTS);
	assert_int_equal(fx_run_sea(&k, 0x82000210, GVA, IPA, true), -EOPNOTSUPP);
	assert_true(kvmsim_reg_get(k.sv, KVMSEA_REG_PC) == 0x40001000);
	fx_fini(&k);
}

/*
 * A nested guest whose hypervisor routes SEAs to itself. Emulation cannot
 * do that entry, and KVM's own (KVM_SET_VCPU_EVENTS) oopses Linux 7.2.13
 * from an ioctl (tests/e2e): every strategy refuses, nothing is written,
 * and the default policy stops the VM.
 */
static void test_nested_guest_to_vel2_is_refused(void **state)
{
	static const enum kvmsea_strategy actions[] = {
		KVMSEA_STRATEGY_EMULATE, KVMSEA_STRATEGY_AUTO,
		KVMSEA_STRATEGY_VCPU_EVENTS, KVMSEA_STRATEGY_SERROR,
	};
	const struct scenario s = { "L2 TEA", KVMSIM_VCPU_HAS_EL2, 0, 0x5, SPAN,
				    0, 0, 1ULL << 37, 0, false };
	struct kvmsim_vcpu_stats st;
	struct fx f;

	(void)state;
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		setup(&f, &s, actions[i]);
		assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true),
				 -EOPNOTSUPP);
		assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == 0x40001000);
		kvmsim_vcpu_get_stats(f.sv, &st);
		assert_int_equal(st.ext_dabt + st.serror, 0);
		fx_fini(&f);
	}
	setup(&f, &s, KVMSEA_STRATEGY_NONE);
	assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), KVMSEA_EXIT_STOP);
	assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected, KVMSEA_STRATEGY_NONE);
	fx_fini(&f);

	/* An SError that would go to vEL2 (HCR_EL2.AMO) takes KVM's same
	 * path: refused. The SEA itself still goes to EL1 there. */
	{
		const struct scenario amo = { "L2 AMO", KVMSIM_VCPU_HAS_EL2, 0, 0x5,
					      SPAN, 0, 0, 1ULL << 5, 0, false };

		setup(&f, &amo, KVMSEA_STRATEGY_SERROR);
		assert_int_equal(fx_run_sea(&f, 0x92000010, GVA, IPA, true), -EOPNOTSUPP);
		fx_fini(&f);
		setup(&f, &amo, KVMSEA_STRATEGY_AUTO);
		assert_int_equal(fx_run_sea(&f, 0x92000050, GVA, IPA, true),
				 KVMSEA_EXIT_HANDLED);
		assert_int_equal(kvmsea_vcpu_last_event(f.v)->injected,
				 KVMSEA_STRATEGY_EMULATE);
		assert_true(kvmsim_reg_get(f.sv, KVMSEA_REG_PC) == 0x40080000 + 0x200);
		fx_fini(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulation_equals_kernel),
		cmocka_unit_test(test_vel2_span_divergence),
		cmocka_unit_test(test_vcpu_events_is_lossy),
		cmocka_unit_test(test_nested_guest_to_vel2_is_refused),
	};

	return cmocka_run_group_tests_name("differential", tests, NULL, NULL);
}
