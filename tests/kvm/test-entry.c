/* SPDX-License-Identifier: MIT */
/*
 * The exception-entry rules (lib/entry.c) as a pure function: each test
 * builds a vCPU state by hand and checks every value against the Arm ARM
 * rules written out in docs/kernel.md §6.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"

#define VBAR 0xffff800010080000ULL
#define PC 0xffff800010123450ULL
#define GVA 0x0000aaaabbbb1234ULL
#define SPAN (1ULL << 23)
#define DSSBS (1ULL << 44)
#define DAIF 0x3c0ULL
#define PAN (1ULL << 22)
#define TCO (1ULL << 25)
#define SSBS (1ULL << 12)
#define NZCV_Z (1ULL << 30)
#define DIT (1ULL << 24)
#define HCR_TGE (1ULL << 27)
#define HCR_E2H (1ULL << 34)
#define HCR_TEA (1ULL << 37)

/* A host-side view of the result: the value written to @id, or fail. */
static uint64_t written(const struct kvmsea_entry *e, uint64_t id)
{
	for (unsigned int i = 0; i < e->nr_writes; i++)
		if (e->writes[i].id == id)
			return e->writes[i].value;
	fail_msg("register 0x%llx not written", (unsigned long long)id);
	return 0;
}

static bool is_written(const struct kvmsea_entry *e, uint64_t id)
{
	for (unsigned int i = 0; i < e->nr_writes; i++)
		if (e->writes[i].id == id)
			return true;
	return false;
}

static struct kvmsea_vstate el1_state(uint64_t pstate)
{
	struct kvmsea_vstate s;

	memset(&s, 0, sizeof(s));
	s.pc = PC;
	s.pstate = pstate;
	s.sctlr = SPAN; /* SPAN=1: PAN left alone */
	s.vbar = VBAR;
	return s;
}

static const struct kvmsea_abort dabt = {
	.is_data = true, .esr = 0x92000010, .far = GVA, .far_valid = true,
};

static void compute_ok(const struct kvmsea_vstate *s,
		       const struct kvmsea_abort *a, struct kvmsea_entry *e)
{
	assert_int_equal(kvmsea_entry_compute(s, a, e), 0);
	/* PSTATE and then PC are always the last two writes. */
	assert_true(e->nr_writes >= 2);
	assert_true(e->writes[e->nr_writes - 2].id == KVMSEA_REG_PSTATE);
	assert_true(e->writes[e->nr_writes - 1].id == KVMSEA_REG_PC);
}

static void test_el1h_data_abort(void **state)
{
	struct kvmsea_vstate s = el1_state(0x5 | NZCV_Z);
	struct kvmsea_entry e;

	(void)state;
	compute_ok(&s, &dabt, &e);
	assert_int_equal(e.target, KVMSEA_TARGET_EL1);
	/* Exactly ESR, FAR, ELR, SPSR, PSTATE, PC. */
	assert_int_equal(e.nr_writes, 6);
	assert_true(written(&e, KVMSEA_REG_ESR_EL1) == 0x96000010ULL);
	assert_true(written(&e, KVMSEA_REG_FAR_EL1) == GVA);
	assert_true(written(&e, KVMSEA_REG_ELR_EL1) == PC);
	assert_true(written(&e, KVMSEA_REG_SPSR_EL1) == (0x5 | NZCV_Z));
	assert_true(written(&e, KVMSEA_REG_PSTATE) == (NZCV_Z | DAIF | 0x5));
	assert_true(written(&e, KVMSEA_REG_PC) == VBAR + 0x200);
}

static void test_el1t_uses_sp0_vector(void **state)
{
	struct kvmsea_vstate s = el1_state(0x4);
	struct kvmsea_entry e;

	(void)state;
	compute_ok(&s, &dabt, &e);
	assert_true(e.vector == VBAR + 0x000);
	assert_true(e.esr == 0x96000010ULL); /* same EL: DABT_CUR */
	assert_true(e.pstate == (DAIF | 0x5));
}

static void test_el0_aarch64_is_lower_el(void **state)
{
	struct kvmsea_vstate s = el1_state(0x0);
	struct kvmsea_entry e;

	(void)state;
	compute_ok(&s, &dabt, &e);
	assert_true(e.vector == VBAR + 0x400);
	assert_true(e.esr == 0x92000010ULL); /* DABT_LOW */
}

static void test_el0_aarch32_under_aarch64_el1(void **state)
{
	struct kvmsea_vstate s = el1_state(0x10 | DIT);
	struct kvmsea_entry e;

	(void)state;
	compute_ok(&s, &dabt, &e);
	assert_int_equal(e.target, KVMSEA_TARGET_EL1);
	assert_true(e.vector == VBAR + 0x600);
	assert_true(e.esr == 0x92000010ULL);
	/* SPSR_EL1 keeps the AArch32 PSTATE as it was; DIT carries over. */
	assert_true(written(&e, KVMSEA_REG_SPSR_EL1) == (0x10 | DIT));
	assert_true(e.pstate == (DIT | DAIF | 0x5));
}

static void test_pan_and_span(void **state)
{
	struct kvmsea_vstate s;
	struct kvmsea_entry e;

	(void)state;
	/* SPAN=0: PAN is set on entry. */
	s = el1_state(0x0);
	s.sctlr = 0;
	compute_ok(&s, &dabt, &e);
	assert_true(e.pstate & PAN);
	/* SPAN=1: PAN is kept as it was, set ... */
	s = el1_state(0x5 | PAN);
	compute_ok(&s, &dabt, &e);
	assert_true(e.pstate & PAN);
	/* ... or clear. */
	s = el1_state(0x5);
	compute_ok(&s, &dabt, &e);
	assert_false(e.pstate & PAN);
}

static void test_dssbs_mte(void **state)
{
	struct kvmsea_vstate s = el1_state(0x5 | SSBS | TCO);
	struct kvmsea_entry e;

	(void)state;
	/* SSBS comes from SCTLR.DSSBS, not from the old PSTATE; TCO only
	 * when the VM has MTE. */
	compute_ok(&s, &dabt, &e);
	assert_false(e.pstate & SSBS);
	assert_false(e.pstate & TCO);
	s.sctlr |= DSSBS;
	s.features = KVMSEA_F_MTE;
	compute_ok(&s, &dabt, &e);
	assert_true(e.pstate & SSBS);
	assert_true(e.pstate & TCO);
}

static void test_ease_takes_serror_vector(void **state)
{
	struct kvmsea_vstate s = el1_state(0x5);
	struct kvmsea_entry e;

	(void)state;
	s.sctlr2 = 1ULL << 5; /* EASE, but the VM has no SCTLR2: ignored */
	compute_ok(&s, &dabt, &e);
	assert_true(e.vector == VBAR + 0x200);
	s.features = KVMSEA_F_SCTLR2;
	compute_ok(&s, &dabt, &e);
	assert_true(e.vector == VBAR + 0x200 + 0x180);
	assert_true(e.esr == 0x96000010ULL); /* still a synchronous syndrome */
	assert_int_equal(kvmsea_entry_reads(KVMSEA_TARGET_EL1, KVMSEA_F_SCTLR2, true),
			 KVMSEA_READ_SCTLR | KVMSEA_READ_VBAR | KVMSEA_READ_SCTLR2);
	assert_int_equal(kvmsea_entry_reads(KVMSEA_TARGET_EL1, 0, true),
			 KVMSEA_READ_SCTLR | KVMSEA_READ_VBAR);
}

static void test_fnv_keeps_far(void **state)
{
	struct kvmsea_vstate s = el1_state(0x5);
	struct kvmsea_abort a = dabt;
	struct kvmsea_entry e;

	(void)state;
	a.esr = 0x92000410; /* FnV */
	a.far_valid = false;
	compute_ok(&s, &a, &e);
	assert_false(is_written(&e, KVMSEA_REG_FAR_EL1));
	assert_int_equal(e.nr_writes, 5);
	assert_true(e.esr == 0x96000410ULL);
}

static void test_iss_fields_carried(void **state)
{
	struct kvmsea_vstate s = el1_state(0x0);
	struct kvmsea_abort a = dabt;
	struct kvmsea_entry e;

	(void)state;
	/* SET=UC, EA, CM, WnR on FSC 0x10: all carried. */
	a.esr = 0x92000000 | (2 << 11) | (1 << 9) | (1 << 8) | (1 << 6) | 0x10;
	compute_ok(&s, &a, &e);
	assert_true(e.esr == a.esr);
	/* Table walk (FSC 0x15): SET and FnV are RES0 there and dropped,
	 * and S1PTW and bits outside the ISS never pass. */
	a.esr = 0xff92000000ULL | (3 << 11) | (1 << 10) | (1 << 7) | 0x15;
	compute_ok(&s, &a, &e);
	assert_true(e.esr == 0x92000015ULL);
}

static void test_instruction_abort(void **state)
{
	struct kvmsea_vstate s = el1_state(0x5);
	struct kvmsea_abort a = {
		.is_data = false, .esr = 0x82000010 | (1 << 8) | (1 << 6) | (1 << 9),
		.far = PC, .far_valid = true,
	};
	struct kvmsea_entry e;

	(void)state;
	compute_ok(&s, &a, &e);
	/* IABT_CUR; CM and WnR are RES0 for instruction aborts. */
	assert_true(e.esr == (0x86000010ULL | (1 << 9)));
	assert_true(written(&e, KVMSEA_REG_FAR_EL1) == PC);
	s = el1_state(0x0);
	compute_ok(&s, &a, &e);
	assert_true(e.esr == (0x82000010ULL | (1 << 9)));
	assert_true(e.vector == VBAR + 0x400);
}

static void test_nested_vel2(void **state)
{
	struct kvmsea_vstate s = el1_state(0x9);
	struct kvmsea_entry e;

	(void)state;
	s.features = KVMSEA_F_EL2;
	s.hcr_el2 = HCR_E2H;
	compute_ok(&s, &dabt, &e);
	assert_int_equal(e.target, KVMSEA_TARGET_EL2);
	assert_true(written(&e, KVMSEA_REG_ESR_EL2) == 0x96000010ULL);
	assert_true(written(&e, KVMSEA_REG_FAR_EL2) == GVA);
	assert_true(written(&e, KVMSEA_REG_ELR_EL2) == PC);
	assert_true(written(&e, KVMSEA_REG_SPSR_EL2) == 0x9);
	assert_true(e.pstate == (DAIF | 0x9));
	assert_true(e.vector == VBAR + 0x200);
	assert_false(is_written(&e, KVMSEA_REG_ESR_EL1));

	/* SCTLR_EL2.SPAN=0 sets PAN only when EL2 hosts EL0 (E2H and TGE). */
	s.sctlr = 0;
	compute_ok(&s, &dabt, &e);
	assert_false(e.pstate & PAN);
	s.hcr_el2 = HCR_E2H | HCR_TGE;
	compute_ok(&s, &dabt, &e);
	assert_true(e.pstate & PAN);
}

static void test_nested_host_el0_goes_to_el2(void **state)
{
	struct kvmsea_vstate s = el1_state(0x0);
	struct kvmsea_entry e;

	(void)state;
	s.features = KVMSEA_F_EL2;
	s.hcr_el2 = HCR_E2H | HCR_TGE;
	compute_ok(&s, &dabt, &e);
	assert_int_equal(e.target, KVMSEA_TARGET_EL2);
	assert_true(e.vector == VBAR + 0x400);
	assert_true(written(&e, KVMSEA_REG_ESR_EL2) == 0x92000010ULL);
}

static void test_nested_guest_routing(void **state)
{
	enum kvmsea_target t;

	(void)state;
	/* An L2 guest at EL1: EL1 unless the guest hypervisor routes
	 * external aborts to itself (TGE, TEA, or TMEA with PSTATE.A). */
	assert_int_equal(kvmsea_entry_route(KVMSEA_F_EL2, 0x5, 0, 0, &t), 0);
	assert_int_equal(t, KVMSEA_TARGET_EL1);
	assert_int_equal(kvmsea_entry_route(KVMSEA_F_EL2, 0x5, HCR_TEA, 0, &t),
			 -EOPNOTSUPP);
	assert_int_equal(kvmsea_entry_route(KVMSEA_F_EL2, 0x0, HCR_TGE, 0, &t),
			 -EOPNOTSUPP);
	assert_int_equal(kvmsea_entry_route(KVMSEA_F_EL2, 0x5 | 0x100, 0,
					    1ULL << 19, &t), -EOPNOTSUPP);
	assert_int_equal(kvmsea_entry_route(KVMSEA_F_EL2, 0x5, 0, 1ULL << 19, &t),
			 0);
}

static void test_invalid_modes(void **state)
{
	static const uint64_t bad_for_plain[] = { 0x8, 0x9, 0x1, 0x2, 0x3, 0x6,
						  0xd, 0x11, 0x13, 0x1a, 0x1f };
	struct kvmsea_vstate s;
	struct kvmsea_entry e;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_for_plain) / sizeof(bad_for_plain[0]); i++) {
		s = el1_state(bad_for_plain[i]);
		memset(&e, 0x5a, sizeof(e));
		assert_int_equal(kvmsea_entry_compute(&s, &dabt, &e), -EINVAL);
	}
	/* AArch64 EL1 modes cannot exist with an AArch32 EL1. */
	s = el1_state(0x5);
	s.features = KVMSEA_F_EL1_32BIT;
	assert_int_equal(kvmsea_entry_compute(&s, &dabt, &e), -EINVAL);
}

static struct kvmsea_vstate el1_32_state(uint64_t cpsr)
{
	struct kvmsea_vstate s;

	memset(&s, 0, sizeof(s));
	s.features = KVMSEA_F_EL1_32BIT;
	s.pc = 0x80001000;
	s.pstate = cpsr;
	s.sctlr = SPAN;
	s.vbar = 0x80000000;
	s.far_el1 = 0x1111111122222222ULL;
	return s;
}

static void test_aarch32_el1_data_abort(void **state)
{
	struct kvmsea_vstate s = el1_32_state(0x13 | NZCV_Z | DIT | (1 << 5));
	struct kvmsea_abort a = { .is_data = true, .esr = 0x92000010,
				  .far = 0x40001234, .far_valid = true };
	struct kvmsea_entry e;

	(void)state;
	compute_ok(&s, &a, &e);
	assert_int_equal(e.target, KVMSEA_TARGET_ABT32);
	/* Short-descriptor DFSR (TTBCR.EAE=0): FS 0b01000. */
	assert_true(written(&e, KVMSEA_REG_ESR_EL1) == 0x08);
	/* DFAR is FAR_EL1[31:0]; the IFAR half stays. */
	assert_true(written(&e, KVMSEA_REG_FAR_EL1) == 0x1111111140001234ULL);
	/* SPSR_abt in AArch32 format: DIT moves from bit 24 to bit 21. */
	assert_true(written(&e, KVMSEA_REG_SPSR_ABT) ==
		    (0x13 | NZCV_Z | (1ULL << 21) | (1 << 5)));
	assert_true(written(&e, KVMSEA_REG_X(20)) == 0x80001008);
	/* ABT mode, A and I set, T from SCTLR.TE (0), DIT kept at 24. */
	assert_true(e.pstate == (NZCV_Z | DIT | 0x100 | 0x80 | 0x17));
	assert_true(e.vector == 0x80000010);

	/* Long descriptors, hivecs, a write with ExT: every rule at once. */
	s.tcr_el1 = 1ULL << 31;
	s.sctlr |= 1ULL << 13 | 1ULL << 30 | 1ULL << 25;
	a.esr = 0x92000000 | (1 << 9) | (1 << 6) | 0x10;
	compute_ok(&s, &a, &e);
	assert_true(e.esr == (0x210 | (1 << 11) | (1 << 12)));
	assert_true(e.vector == 0xffff0010);
	assert_true(e.pstate & (1 << 5)); /* T */
	assert_true(e.pstate & (1 << 9)); /* E */
}

static void test_aarch32_el1_prefetch_abort(void **state)
{
	struct kvmsea_vstate s = el1_32_state(0x10); /* from USR */
	struct kvmsea_abort a = { .is_data = false, .esr = 0x82000010,
				  .far = 0x40001000, .far_valid = true };
	struct kvmsea_entry e;

	(void)state;
	compute_ok(&s, &a, &e);
	assert_true(written(&e, KVMSEA_REG_IFSR32_EL2) == 0x08);
	assert_false(is_written(&e, KVMSEA_REG_ESR_EL1));
	/* IFAR is FAR_EL1[63:32]. */
	assert_true(written(&e, KVMSEA_REG_FAR_EL1) == 0x4000100022222222ULL);
	assert_true(written(&e, KVMSEA_REG_X(20)) == 0x80001004);
	assert_true(e.vector == 0x8000000c);
	assert_int_equal(kvmsea_entry_reads(KVMSEA_TARGET_ABT32, KVMSEA_F_EL1_32BIT, false),
			 KVMSEA_READ_SCTLR | KVMSEA_READ_VBAR | KVMSEA_READ_TCR_EL1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_el1h_data_abort),
		cmocka_unit_test(test_el1t_uses_sp0_vector),
		cmocka_unit_test(test_el0_aarch64_is_lower_el),
		cmocka_unit_test(test_el0_aarch32_under_aarch64_el1),
		cmocka_unit_test(test_pan_and_span),
		cmocka_unit_test(test_dssbs_mte),
		cmocka_unit_test(test_ease_takes_serror_vector),
		cmocka_unit_test(test_fnv_keeps_far),
		cmocka_unit_test(test_iss_fields_carried),
		cmocka_unit_test(test_instruction_abort),
		cmocka_unit_test(test_nested_vel2),
		cmocka_unit_test(test_nested_host_el0_goes_to_el2),
		cmocka_unit_test(test_nested_guest_routing),
		cmocka_unit_test(test_invalid_modes),
		cmocka_unit_test(test_aarch32_el1_data_abort),
		cmocka_unit_test(test_aarch32_el1_prefetch_abort),
	};

	return cmocka_run_group_tests_name("entry", tests, NULL, NULL);
}
