// SPDX-License-Identifier: MIT
/*
 * What KVM_SET_VCPU_EVENTS does to the registers. Every expected value was
 * worked out by hand from docs/kernel.md §4, §6 and §3 (and
 * inject_fault.c / hyp/exception.c), and is written out literally.
 */
#include "test-sim.h"

#define VBAR1   0xffff800010000000ULL
#define VBAR2   0xffff800020000000ULL
#define PC0     0xffff800000401234ULL
#define ADDR    0x81234badULL        /* FAR_EL2 of the last memory fault */

/* ESRs: EC << 26 | IL | FSC 0x10 */
#define ESR_DABT_CUR 0x96000010ULL   /* EC 0x25 */
#define ESR_DABT_LOW 0x92000010ULL   /* EC 0x24 */

/* The vCPU at PC0 with @pstate, VBARs set, and a last fault at ADDR. */
static void setup(struct fix *f, uint64_t pstate)
{
	struct kvmsim_fault fault = { .esr = 0x92000010, .far = ADDR };

	SETREG(f, KVMSEA_REG_PC, PC0);
	SETREG(f, KVMSEA_REG_PSTATE, pstate);
	SETREG(f, KVMSEA_REG_VBAR_EL1, VBAR1);
	if (kvmsim_reg_read(f->vcpu, KVMSEA_REG_VBAR_EL2, &(uint64_t){ 0 }) == 0)
		SETREG(f, KVMSEA_REG_VBAR_EL2, VBAR2);
	kvmsim_vcpu_set_fault(f->vcpu, &fault);
}

/* ---- AArch64 EL1 targets ------------------------------------------------------ */

static void test_ext_dabt_el1h(void **state)
{
	struct fix f;
	/* N, C, DIT, UAO, PAN, SS, IL, SSBS, BTYPE=1, EL1h, DAIF clear */
	const uint64_t old = 0xA1F01405;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, old);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), ESR_DABT_CUR);
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL1), ADDR);
	assert_int_equal(REG(&f, KVMSEA_REG_ELR_EL1), PC0);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL1), old);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x200);
	/* NZCV, DIT and PAN kept; UAO, SS, IL, SSBS, BTYPE cleared; DAIF */
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0xA14003C5);
	fix_fini(&f);
}

static void test_ext_dabt_el1t(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x4);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), ESR_DABT_CUR);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x000);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x3C5);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL1), 0x4);
	fix_fini(&f);
}

static void test_ext_dabt_el0_aarch64(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x80000000);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), ESR_DABT_LOW);
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL1), ADDR);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x400);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x800003C5);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL1), 0x80000000);
	assert_int_equal(REG(&f, KVMSEA_REG_ELR_EL1), PC0);
	fix_fini(&f);
}

/* AArch32 EL0 under an AArch64 EL1: an AArch64 entry at +0x600. */
static void test_ext_dabt_el0_aarch32(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x60000030); /* Z, C, Thumb, USR */
	SETREG(&f, KVMSEA_REG_PC, 0x8002);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), ESR_DABT_LOW);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x600);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x600003C5);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL1), 0x60000030);
	assert_int_equal(REG(&f, KVMSEA_REG_ELR_EL1), 0x8002);
	fix_fini(&f);
}

/* ---- AArch32 EL1 ------------------------------------------------------------------- */

static void test_ext_dabt_aarch32_el1(void **state)
{
	struct fix f;
	/* N, Q, DIT(24), GE=0101, IT bits, I, F, SVC */
	const uint64_t old = 0x89051CD3;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_EL1_32BIT);
	setup(&f, old);
	SETREG(&f, KVMSEA_REG_PC, 0x8000);
	SETREG(&f, KVMSEA_REG_VBAR_EL1, 0x80001000);
	SETREG(&f, KVMSEA_REG_FAR_EL1, 0xdead000011112222ULL);
	SETREG(&f, KVMSEA_REG_ESR_EL1, 0xffffffffffffffffULL);
	assert_int_equal(ext_dabt(f.fd), 0);
	/* short-descriptor DFSR (TTBCR.EAE = 0), the whole ESR_EL1 written */
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0x08);
	/* DFAR = FAR_EL1[31:0]; IFAR (the top half) kept */
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL1), 0xdead000081234badULL);
	/* NZCVQ, DIT, GE, F kept; IT cleared; A and I set; ABT */
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x890501D7);
	/* SPSR_abt: DIT moved from bit 24 to bit 21 */
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_ABT), 0x88251CD3);
	/* LR_abt = X20 = PC + 8 */
	assert_int_equal(REG(&f, KVMSEA_REG_X(20)), 0x8008);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), 0x80001010);
	/* nothing AArch64-side */
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL1), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ELR_EL1), 0);
	fix_fini(&f);
}

/* Thumb, high vectors, LPAE, EE, TE, DSSBS and SPAN = 0. */
static void test_ext_dabt_aarch32_el1_sctlr_bits(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_EL1_32BIT);
	setup(&f, 0x133); /* Thumb, A, SVC */
	SETREG(&f, KVMSEA_REG_PC, 0x10002);
	/* SCTLR: DSSBS(31) TE(30) EE(25) V(13); SPAN(23) clear */
	SETREG(&f, KVMSEA_REG_SCTLR_EL1, 0xC2002000);
	SETREG(&f, KVMSEA_REG_TCR_EL1, 0x80000000); /* TTBCR.EAE */
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0x210);
	/* SSBS(23) PAN(22) E A I T, ABT */
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x00C003B7);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_ABT), 0x133);
	assert_int_equal(REG(&f, KVMSEA_REG_X(20)), 0x1000A); /* +8 in Thumb */
	assert_int_equal(REG(&f, KVMSEA_REG_PC), 0xffff0010);
	fix_fini(&f);
}

/* ---- PSTATE rules -------------------------------------------------------------------- */

static void test_pan_and_span(void **state)
{
	struct fix f;

	(void)state;
	/* SPAN = 0: PAN forced to 1 */
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x0);
	SETREG(&f, KVMSEA_REG_SCTLR_EL1, 0x00450078); /* 0x00C50078 - SPAN */
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x004003C5);
	fix_fini(&f);

	/* SPAN = 1: PAN kept, 1 stays 1 and 0 stays 0 */
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x00400000);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x004003C5);
	fix_fini(&f);
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x0);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x3C5);
	fix_fini(&f);
}

static void test_dssbs(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x5);
	SETREG(&f, KVMSEA_REG_SCTLR_EL1, 0x00C50078 | (1ULL << 44));
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x13C5); /* SSBS */
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x1005); /* SSBS set before, DSSBS clear */
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x3C5);
	fix_fini(&f);
}

static void test_mte_sets_tco(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, KVMSIM_VM_MTE, 0);
	setup(&f, 0x5);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x020003C5);
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x02000005); /* TCO set, VM without MTE: cleared */
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x3C5);
	fix_fini(&f);
}

/* ---- FEAT_DoubleFault2: EASE sends the SEA to the SError vector ------------------------ */

static void test_ease(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_SCTLR2);
	setup(&f, 0x5);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_SCTLR2_EL1, 0x20), 0);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x200 + 0x180);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), ESR_DABT_CUR);
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL1), ADDR);
	fix_fini(&f);

	/* From EL0: lower EL + SError = 0x580 */
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_SCTLR2);
	setup(&f, 0x0);
	SETREG(&f, KVMSEA_REG_SCTLR2_EL1, 0x20);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x580);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), ESR_DABT_LOW);
	fix_fini(&f);

	/* EASE in the register but no FEAT_SCTLR2 in the VM: ignored */
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x5);
	SETREG(&f, KVMSEA_REG_SCTLR2_EL1, 0x20);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x200);
	fix_fini(&f);
}

/* ---- Nested virtualization ---------------------------------------------------------- */

static void nv_init(struct fix *f, unsigned int features)
{
	fix_init(f, KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2, 0,
		 KVMSIM_VCPU_HAS_EL2 | features);
}

/* The vCPU in vEL2 (a hyp context): the abort is taken to EL2 itself. */
static void test_ext_dabt_vel2(void **state)
{
	struct fix f;

	(void)state;
	nv_init(&f, 0);
	setup(&f, 0x20000009); /* C, EL2h */
	SETREG(&f, KVMSEA_REG_HCR_EL2, 1ULL << 34); /* E2H */
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL2), ESR_DABT_CUR);
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL2), ADDR);
	assert_int_equal(REG(&f, KVMSEA_REG_ELR_EL2), PC0);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL2), 0x20000009);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR2 + 0x200);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x200003C9);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL1), 0);
	fix_fini(&f);

	nv_init(&f, 0);
	setup(&f, 0x8); /* EL2t */
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR2 + 0x000);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x3C9);
	fix_fini(&f);
}

/* An L2 guest at EL1 without TGE/TEA/TMEA routing: the L2's own EL1. */
static void test_ext_dabt_nested_to_l2_el1(void **state)
{
	struct fix f;

	(void)state;
	nv_init(&f, 0);
	setup(&f, 0x5);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), ESR_DABT_CUR);
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL1), ADDR);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x200);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x3C5);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL2), 0);
	fix_fini(&f);
}

/* vHCR_EL2.TEA routes the L2's SEA to vEL2 (kvm_inject_nested_sea). */
static void test_ext_dabt_nested_tea(void **state)
{
	struct fix f;

	(void)state;
	nv_init(&f, 0);
	setup(&f, 0x40000005); /* Z, EL1h */
	SETREG(&f, KVMSEA_REG_HCR_EL2, 1ULL << 37);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL2), ESR_DABT_LOW);
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL2), ADDR);
	assert_int_equal(REG(&f, KVMSEA_REG_ELR_EL2), PC0);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL2), 0x40000005);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR2 + 0x400);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x400003C9);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0);
	fix_fini(&f);

	/* from an AArch32 L2 EL0: the lower-AArch32 vector */
	nv_init(&f, 0);
	setup(&f, 0x10);
	SETREG(&f, KVMSEA_REG_HCR_EL2, 1ULL << 37);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR2 + 0x600);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL2), ESR_DABT_LOW);
	fix_fini(&f);
}

/* HCRX_EL2.TMEA routes to vEL2 only from a privileged mode with A set. */
static void test_ext_dabt_nested_tmea(void **state)
{
	struct fix f;

	(void)state;
	nv_init(&f, 0);
	setup(&f, 0x105); /* EL1h, A */
	SETREG(&f, KVMSEA_REG_HCRX_EL2, 1ULL << 19);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR2 + 0x400);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL2), ESR_DABT_LOW);
	fix_fini(&f);

	nv_init(&f, 0);
	setup(&f, 0x5); /* A clear: stays with the L2's EL1 */
	SETREG(&f, KVMSEA_REG_HCRX_EL2, 1ULL << 19);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x200);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), ESR_DABT_CUR);
	fix_fini(&f);
}

/* TGE set and the vCPU at EL0 (InHost): a hyp context, target EL2h. */
static void test_ext_dabt_inhost_el0(void **state)
{
	struct fix f;

	(void)state;
	nv_init(&f, 0);
	setup(&f, 0x0);
	SETREG(&f, KVMSEA_REG_HCR_EL2, (1ULL << 34) | (1ULL << 27)); /* E2H TGE */
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL2), ESR_DABT_LOW);
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL2), ADDR);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR2 + 0x400);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x3C9);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL2), 0x0);
	fix_fini(&f);
}

static void test_ease_nested(void **state)
{
	struct fix f;

	(void)state;
	/* routed to vEL2: vSCTLR2_EL2.EASE, checked without the feature test */
	nv_init(&f, 0);
	setup(&f, 0x5);
	SETREG(&f, KVMSEA_REG_HCR_EL2, 1ULL << 37);
	SETREG(&f, KVMSEA_REG_SCTLR2_EL2, 0x20);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR2 + 0x580);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL2), ESR_DABT_LOW);
	fix_fini(&f);

	/* to the L2's EL1: SCTLR2_EL1.EASE counts only with HCRX.SCTLR2En */
	nv_init(&f, KVMSIM_VCPU_SCTLR2);
	setup(&f, 0x5);
	SETREG(&f, KVMSEA_REG_SCTLR2_EL1, 0x20);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x200);
	fix_fini(&f);
	nv_init(&f, KVMSIM_VCPU_SCTLR2);
	setup(&f, 0x5);
	SETREG(&f, KVMSEA_REG_SCTLR2_EL1, 0x20);
	SETREG(&f, KVMSEA_REG_HCRX_EL2, 1ULL << 15);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x380);
	fix_fini(&f);
}

/* ---- The fault KVM remembers ---------------------------------------------------------- */

/* After an abort on a stage-1 walk (S1PTW in the last ESR) KVM re-walks
 * and reports the level; without a result it injects nothing at all. */
static void test_ext_dabt_s1ptw(void **state)
{
	struct fix f;
	struct kvmsim_fault fault = {
		.esr = 0x92000090, /* DABT_LOW, S1PTW, EXTABT */
		.far = ADDR, .ipa = 0x40001000, .ipa_valid = true,
		.s1_walk_found = true, .s1_walk_level = 2,
	};
	struct kvmsim_vcpu_stats stats;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x5);
	kvmsim_vcpu_set_fault(f.vcpu, &fault);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0x96000016);
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x5);
	fault.s1_walk_level = -1;
	kvmsim_vcpu_set_fault(f.vcpu, &fault);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0x96000013);
	fix_fini(&f);

	/* the walk finds nothing: success, and not a register changed */
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x5);
	fault.s1_walk_found = false;
	kvmsim_vcpu_set_fault(f.vcpu, &fault);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), PC0);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x5);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0);
	kvmsim_vcpu_get_stats(f.vcpu, &stats);
	assert_int_equal(stats.ext_dabt, 1);
	assert_int_equal(stats.ext_dabt_lost, 1);
	fix_fini(&f);

	/* no IPA: the same */
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x5);
	fault.s1_walk_found = true;
	fault.ipa_valid = false;
	kvmsim_vcpu_set_fault(f.vcpu, &fault);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), PC0);
	fix_fini(&f);
}

/* A second request nests on top of the first handler's entry state. */
static void test_ext_dabt_twice_nests(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x5);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ELR_EL1), VBAR1 + 0x200);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL1), 0x3C5);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x200);
	fix_fini(&f);
}

/* ---- KVM_SET_VCPU_EVENTS checks and KVM_GET_VCPU_EVENTS -------------------------------- */

static void test_events_checks(void **state)
{
	struct fix f;
	struct kvmsea_uapi_vcpu_events ev;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x5);
	for (int i = 0; i < 5; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.exception.ext_dabt_pending = 1;
		ev.exception.pad[i] = 1;
		assert_int_equal(set_events(f.fd, &ev), -EINVAL);
	}
	for (int i = 0; i < 12; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.exception.ext_dabt_pending = 1;
		ev.reserved[i] = 1;
		assert_int_equal(set_events(f.fd, &ev), -EINVAL);
	}
	assert_int_equal(REG(&f, KVMSEA_REG_PC), PC0); /* nothing injected */
	assert_int_equal(set_events(f.fd, NULL), -EFAULT);

	/* ext_dabt is committed before the SError part fails its check */
	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	ev.exception.serror_pending = 1;
	ev.exception.serror_has_esr = 1;
	ev.exception.serror_esr = 1ULL << 25;
	assert_int_equal(set_events(f.fd, &ev), -EINVAL);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x200);

	/* never reported back */
	assert_int_equal(get_events(f.fd, &ev), 0);
	assert_int_equal(ev.exception.ext_dabt_pending, 0);
	assert_int_equal(ev.exception.serror_pending, 0);
	assert_int_equal(ev.exception.serror_has_esr, 1);
	assert_int_equal(ev.exception.serror_esr, 0);
	fix_fini(&f);
}

/* Before 5.5 ext_dabt_pending was a pad byte. */
static void test_events_old_kernel(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_OLD_KERNEL, 0, 0, 0);
	setup(&f, 0x5);
	assert_int_equal(ext_dabt(f.fd), -EINVAL);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), PC0);
	fix_fini(&f);
}

/* ---- SError ------------------------------------------------------------------------------- */

static void test_serror_unmasked_is_emulated(void **state)
{
	struct fix f;
	struct kvmsea_uapi_vcpu_events ev;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x5); /* A clear */
	assert_int_equal(serror(f.fd, true, 0x0101d1ed), 0);
	/* EC 0x2F, IL, then the given ISS */
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0xBF01D1ED);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x380);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x3C5);
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL1), 0);
	assert_int_equal(get_events(f.fd, &ev), 0);
	assert_int_equal(ev.exception.serror_pending, 0);
	fix_fini(&f);

	/* from EL0 without an ESR: IDS only, lower-EL SError vector */
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x0);
	assert_int_equal(serror(f.fd, false, 0x1234), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0xBF000000);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x580);
	fix_fini(&f);
}

static void test_serror_masked_is_pending(void **state)
{
	struct fix f;
	struct kvmsea_uapi_vcpu_events ev;
	struct kvmsim_serror se;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x3C5); /* A set */
	assert_int_equal(serror(f.fd, true, 0x0101d1ed), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), PC0);
	kvmsim_vcpu_get_serror(f.vcpu, &se);
	assert_true(se.vse);
	assert_int_equal(se.vsesr, 0x0101d1ed);
	assert_int_equal(get_events(f.fd, &ev), 0);
	assert_int_equal(ev.exception.serror_pending, 1);
	assert_int_equal(ev.exception.serror_has_esr, 1);
	assert_int_equal(ev.exception.serror_esr, 0x0101d1ed);
	kvmsim_vcpu_clear_serror(f.vcpu);
	assert_int_equal(get_events(f.fd, &ev), 0);
	assert_int_equal(ev.exception.serror_pending, 0);
	fix_fini(&f);

	/* SCTLR2_EL1.NMEA: A no longer masks it */
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_SCTLR2);
	setup(&f, 0x3C5);
	SETREG(&f, KVMSEA_REG_SCTLR2_EL1, 0x4);
	assert_int_equal(serror(f.fd, false, 0), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x380);
	fix_fini(&f);
}

static void test_serror_checks(void **state)
{
	struct fix f;
	struct kvmsea_uapi_vcpu_events ev;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	setup(&f, 0x3C5);
	assert_int_equal(serror(f.fd, true, 0x02000000), -EINVAL);
	assert_int_equal(serror(f.fd, true, 1ULL << 40), -EINVAL);
	/* without has_esr the value is not looked at */
	assert_int_equal(serror(f.fd, false, 1ULL << 40), 0);
	assert_int_equal(get_events(f.fd, &ev), 0);
	assert_int_equal(ev.exception.serror_esr, 0x01000000); /* IDS */
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_NO_RAS, 0, 0, 0);
	setup(&f, 0x3C5);
	assert_int_equal(serror(f.fd, true, 0x1), -EINVAL);
	assert_int_equal(serror(f.fd, false, 0), 0);
	assert_int_equal(get_events(f.fd, &ev), 0);
	assert_int_equal(ev.exception.serror_pending, 1);
	assert_int_equal(ev.exception.serror_has_esr, 0);
	assert_int_equal(ev.exception.serror_esr, 0); /* not reported */
	fix_fini(&f);
}

/* Kernel quirk: on an AArch32 EL1 vCPU the emulated SError entry has no
 * AArch32 counterpart (EXCEPT_AA64_EL1_SERR = 3 matches no AArch32 case),
 * so only DFSR changes and the SError is lost. */
static void test_serror_aarch32_el1_unmasked_is_dropped(void **state)
{
	struct fix f;
	struct kvmsim_serror se;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_EL1_32BIT);
	setup(&f, 0x93); /* SVC, I; A clear */
	SETREG(&f, KVMSEA_REG_PC, 0x8000);
	assert_int_equal(serror(f.fd, false, 0), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0xBF000000);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), 0x8000);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x93);
	kvmsim_vcpu_get_serror(f.vcpu, &se);
	assert_false(se.vse);
	fix_fini(&f);

	/* masked: pending as usual */
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_EL1_32BIT);
	setup(&f, 0x1D3);
	assert_int_equal(serror(f.fd, false, 0), 0);
	kvmsim_vcpu_get_serror(f.vcpu, &se);
	assert_true(se.vse);
	fix_fini(&f);
}

/* Before 5.5 an SError was only ever made pending. */
static void test_serror_old_kernel(void **state)
{
	struct fix f;
	struct kvmsim_serror se;

	(void)state;
	fix_init(&f, KVMSIM_HOST_OLD_KERNEL, 0, 0, 0);
	setup(&f, 0x5);
	assert_int_equal(serror(f.fd, true, 0x11), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), PC0);
	kvmsim_vcpu_get_serror(f.vcpu, &se);
	assert_true(se.vse);
	assert_int_equal(se.vsesr, 0x11);
	fix_fini(&f);
}

static void test_serror_vel2(void **state)
{
	struct fix f;
	struct kvmsim_serror se;
	struct kvmsea_uapi_vcpu_events ev;

	(void)state;
	/* vEL2 with E2H=0, TGE=0, AMO=0 cannot take it: parked */
	nv_init(&f, 0);
	setup(&f, 0x9);
	assert_int_equal(serror(f.fd, true, 0x11), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), PC0);
	kvmsim_vcpu_get_serror(f.vcpu, &se);
	assert_true(se.nested_pending);
	assert_false(se.vse);
	assert_int_equal(se.vsesr, 0x11);
	assert_int_equal(get_events(f.fd, &ev), 0);
	assert_int_equal(ev.exception.serror_pending, 1);
	assert_int_equal(ev.exception.serror_esr, 0x11);
	fix_fini(&f);

	/* E2H=1, TGE=0: AMO counts as 1, and A clear: taken at vEL2 */
	nv_init(&f, 0);
	setup(&f, 0x9);
	SETREG(&f, KVMSEA_REG_HCR_EL2, 1ULL << 34);
	assert_int_equal(serror(f.fd, true, 0x11), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL2), 0xBE000011);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR2 + 0x380);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x3C9);
	fix_fini(&f);

	/* an L2 at EL1 with vHCR_EL2.AMO: a nested SError to vEL2 */
	nv_init(&f, 0);
	setup(&f, 0x3C5);
	SETREG(&f, KVMSEA_REG_HCR_EL2, 1ULL << 5);
	assert_int_equal(serror(f.fd, false, 0), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL2), 0xBF000000);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR2 + 0x400 + 0x180);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL2), 0x3C5);
	fix_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext_dabt_el1h),
		cmocka_unit_test(test_ext_dabt_el1t),
		cmocka_unit_test(test_ext_dabt_el0_aarch64),
		cmocka_unit_test(test_ext_dabt_el0_aarch32),
		cmocka_unit_test(test_ext_dabt_aarch32_el1),
		cmocka_unit_test(test_ext_dabt_aarch32_el1_sctlr_bits),
		cmocka_unit_test(test_pan_and_span),
		cmocka_unit_test(test_dssbs),
		cmocka_unit_test(test_mte_sets_tco),
		cmocka_unit_test(test_ease),
		cmocka_unit_test(test_ext_dabt_vel2),
		cmocka_unit_test(test_ext_dabt_nested_to_l2_el1),
		cmocka_unit_test(test_ext_dabt_nested_tea),
		cmocka_unit_test(test_ext_dabt_nested_tmea),
		cmocka_unit_test(test_ext_dabt_inhost_el0),
		cmocka_unit_test(test_ease_nested),
		cmocka_unit_test(test_ext_dabt_s1ptw),
		cmocka_unit_test(test_ext_dabt_twice_nests),
		cmocka_unit_test(test_events_checks),
		cmocka_unit_test(test_events_old_kernel),
		cmocka_unit_test(test_serror_unmasked_is_emulated),
		cmocka_unit_test(test_serror_masked_is_pending),
		cmocka_unit_test(test_serror_checks),
		cmocka_unit_test(test_serror_aarch32_el1_unmasked_is_dropped),
		cmocka_unit_test(test_serror_old_kernel),
		cmocka_unit_test(test_serror_vel2),
	};

	return cmocka_run_group_tests_name("sim-inject", tests, NULL, NULL);
}
