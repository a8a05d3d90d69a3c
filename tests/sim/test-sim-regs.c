// SPDX-License-Identifier: MIT
/* KVM_GET/SET_ONE_REG as arm64 KVM answers them (guest.c, sys_regs.c). */
#include "test-sim.h"

#define CORE_ID(size, off) \
	(KVMSEA_REG_ARM64 | (size) | KVMSEA_REG_ARM_CORE | (uint64_t)(off))
#define SIZE_U32  0x0020000000000000ULL
#define SIZE_U64  0x0030000000000000ULL
#define SIZE_U128 0x0040000000000000ULL
#define REG_SP_EL0 CORE_ID(SIZE_U64, 0x3e)
#define REG_SPSR(i) CORE_ID(SIZE_U64, 0x48 + 2 * (i))

static void test_core_regs_round_trip(void **state)
{
	struct fix f;
	uint64_t val;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	for (unsigned int n = 0; n <= 30; n++)
		assert_int_equal(set_reg(f.fd, KVMSEA_REG_X(n), 0x1000 + n), 0);
	for (unsigned int n = 0; n <= 30; n++) {
		assert_int_equal(get_reg(f.fd, KVMSEA_REG_X(n), &val), 0);
		assert_int_equal(val, 0x1000 + n);
		assert_int_equal(REG(&f, KVMSEA_REG_X(n)), 0x1000 + n);
	}
	assert_int_equal(set_reg(f.fd, REG_SP_EL0, 0xabc0), 0);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PC, 0xffff800010001234), 0);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_SP_EL1, 0x5550), 0);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_ELR_EL1, 0x4440), 0);
	for (unsigned int i = 0; i < 5; i++)
		assert_int_equal(set_reg(f.fd, REG_SPSR(i), 0x3c0 + i), 0);
	assert_int_equal(REG(&f, REG_SP_EL0), 0xabc0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), 0xffff800010001234);
	assert_int_equal(REG(&f, KVMSEA_REG_SP_EL1), 0x5550);
	assert_int_equal(REG(&f, KVMSEA_REG_ELR_EL1), 0x4440);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_EL1), 0x3c0);
	assert_int_equal(REG(&f, KVMSEA_REG_SPSR_ABT), 0x3c1);
	/* reset PSTATE: EL1h with DAIF masked */
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_PSTATE, &val), 0);
	assert_int_equal(val, 0x3c5);
	fix_fini(&f);
}

/* validate_core_offset(): wrong size or alignment is EINVAL; an offset
 * past struct kvm_regs (216 words) is ENOENT. */
static void test_core_id_checks(void **state)
{
	struct fix f;
	uint64_t buf[2] = { 0, 0 };

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	assert_int_equal(get_reg(f.fd, CORE_ID(SIZE_U32, 0x40), buf), -EINVAL);
	assert_int_equal(get_reg(f.fd, CORE_ID(SIZE_U128, 0x40), buf), -EINVAL);
	assert_int_equal(set_reg(f.fd, CORE_ID(SIZE_U32, 0x40), 0), -EINVAL);
	assert_int_equal(get_reg(f.fd, CORE_ID(SIZE_U64, 0x01), buf), -EINVAL);
	assert_int_equal(get_reg(f.fd, CORE_ID(SIZE_U64, 0x52), buf), -EINVAL);
	assert_int_equal(get_reg(f.fd, CORE_ID(SIZE_U64, 0xd8), buf), -ENOENT);
	assert_int_equal(get_reg(f.fd, CORE_ID(SIZE_U64, 0xd7), buf), -ENOENT);
	/* the right sizes for FP state work */
	assert_int_equal(get_reg(f.fd, CORE_ID(SIZE_U32, 0xd4), buf), 0);
	assert_int_equal(get_reg(f.fd, CORE_ID(SIZE_U128, 0x54), buf), 0);
	/* not KVM_REG_ARM64 in the top bits: EINVAL before anything else */
	assert_int_equal(get_reg(f.fd, 0x4030000000100040ULL, buf), -EINVAL);
	/* no buffer */
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_PC, NULL), -EFAULT);
	fix_fini(&f);
}

/* SPSR_EL1, ELR_EL1 and SP_EL1 exist only as core registers. */
static void test_el1_state_sysreg_ids_enoent(void **state)
{
	const uint64_t ids[] = {
		KVMSEA_SYSREG(3, 0, 4, 0, 0), /* SPSR_EL1 */
		KVMSEA_SYSREG(3, 0, 4, 0, 1), /* ELR_EL1 */
		KVMSEA_SYSREG(3, 4, 4, 1, 0), /* SP_EL1 */
	};
	struct fix f;
	uint64_t val;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(get_reg(f.fd, ids[i], &val), -ENOENT);
		assert_int_equal(set_reg(f.fd, ids[i], 0), -ENOENT);
	}
	fix_fini(&f);
}

/* index_to_params() only takes 64-bit ids: any other size, or a stray
 * bit below bit 32, makes the register unknown (-ENOENT, where a core id
 * of the wrong size gets -EINVAL). */
static void test_sysreg_id_checks(void **state)
{
	struct fix f;
	uint64_t val;
	uint64_t sctlr32 = (KVMSEA_REG_SCTLR_EL1 & ~SIZE_U64) | SIZE_U32;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	assert_int_equal(get_reg(f.fd, sctlr32, &val), -ENOENT);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_SCTLR_EL1 | (1ULL << 28), &val),
			 -ENOENT);
	/* bits 32-51 are checked first, as not arm64: EINVAL */
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_SCTLR_EL1 | (1ULL << 32), &val),
			 -EINVAL);
	/* a real register the simulator does not hold (MAIR_EL1) */
	assert_int_equal(get_reg(f.fd, KVMSEA_SYSREG(3, 0, 10, 2, 0), &val),
			 -ENOENT);
	assert_int_equal(kvmsim_reg_read(f.vcpu, KVMSEA_SYSREG(3, 0, 10, 2, 0),
					 &val), -ENOENT);
	fix_fini(&f);
}

static void test_always_visible_sysregs(void **state)
{
	const uint64_t ids[] = {
		KVMSEA_REG_SCTLR_EL1, KVMSEA_REG_TCR_EL1, KVMSEA_REG_ESR_EL1,
		KVMSEA_REG_FAR_EL1, KVMSEA_REG_VBAR_EL1, KVMSEA_REG_IFSR32_EL2,
	};
	struct fix f;
	uint64_t val;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_int_equal(set_reg(f.fd, ids[i], 0x1230 + i), 0);
		assert_int_equal(get_reg(f.fd, ids[i], &val), 0);
		assert_int_equal(val, 0x1230 + i);
	}
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_SCTLR_EL1, &val), 0);
	assert_int_equal(val, 0x00C50078);
	fix_fini(&f);
}

/* SCTLR2_EL1 only with FEAT_SCTLR2 (ID_AA64MMFR3_EL1.SCTLRX, [7:4]). */
static void test_sctlr2_visibility(void **state)
{
	struct fix f;
	uint64_t val;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_SCTLR2_EL1, &val), -ENOENT);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_SCTLR2_EL1, 0x20), -ENOENT);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_ID_AA64MMFR3_EL1, &val), 0);
	assert_int_equal(val, 0);
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_SCTLR2);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_ID_AA64MMFR3_EL1, &val), 0);
	assert_int_equal(val, 0x10);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_SCTLR2_EL1, 0x20), 0);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_SCTLR2_EL1, &val), 0);
	assert_int_equal(val, 0x20);
	fix_fini(&f);
}

static void test_el2_regs_need_nv(void **state)
{
	const uint64_t ids[] = {
		KVMSEA_REG_HCR_EL2, KVMSEA_REG_HCRX_EL2, KVMSEA_REG_SCTLR_EL2,
		KVMSEA_REG_SPSR_EL2, KVMSEA_REG_ELR_EL2, KVMSEA_REG_ESR_EL2,
		KVMSEA_REG_FAR_EL2, KVMSEA_REG_VBAR_EL2,
	};
	const size_t n = sizeof(ids) / sizeof(ids[0]);
	struct fix f;
	uint64_t val;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2, 0, KVMSIM_VCPU_SCTLR2);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(get_reg(f.fd, ids[i], &val), -ENOENT);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_SCTLR2_EL2, &val), -ENOENT);
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2, 0, KVMSIM_VCPU_HAS_EL2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(set_reg(f.fd, ids[i], 0x7700 + i), 0);
		assert_int_equal(get_reg(f.fd, ids[i], &val), 0);
		assert_int_equal(val, 0x7700 + i);
	}
	/* SCTLR2_EL2 needs FEAT_SCTLR2 as well */
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_SCTLR2_EL2, &val), -ENOENT);
	/* a nested vCPU resets into EL2h */
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_PSTATE, &val), 0);
	assert_int_equal(val, 0x3c9);
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2, 0,
		 KVMSIM_VCPU_HAS_EL2 | KVMSIM_VCPU_SCTLR2);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_SCTLR2_EL2, &val), 0);
	fix_fini(&f);
}

static void test_id_registers(void **state)
{
	struct fix f;
	uint64_t val;

	(void)state;
	/* RAS host: PFR0.RAS = 1; EL0/EL1 AArch64+AArch32 (0x22) */
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_ID_AA64PFR0_EL1, &val), 0);
	assert_int_equal(val, 0x10000022);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_ID_AA64PFR1_EL1, &val), 0);
	assert_int_equal(val, 0);
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_NO_RAS, 0, 0, 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ID_AA64PFR0_EL1), 0x22);
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, 0, KVMSIM_VM_NO_RAS, 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ID_AA64PFR0_EL1), 0x22);
	fix_fini(&f);

	/* NV shows EL2 ([11:8] = 1); MTE shows MTE2 ([11:8] of PFR1 = 2) */
	fix_init(&f, KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2, KVMSIM_VM_MTE,
		 KVMSIM_VCPU_HAS_EL2);
	assert_int_equal(REG(&f, KVMSEA_REG_ID_AA64PFR0_EL1), 0x10000122);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_ID_AA64PFR1_EL1, &val), 0);
	assert_int_equal(val, 0x200);
	fix_fini(&f);
}

/* ID registers are VM configuration: writable until the VM first runs. */
static void test_id_register_writes(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_ID_AA64PFR0_EL1, 0x22), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ID_AA64PFR0_EL1), 0x22);
	assert_int_equal(run_vcpu(f.fd), -EINTR); /* idle run: the VM ran */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_ID_AA64PFR0_EL1, 0x10000022),
			 -EBUSY);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_ID_AA64PFR0_EL1, 0x22), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_ID_AA64PFR0_EL1), 0x22);
	fix_fini(&f);
}

/* set_core_reg(): which PSTATE modes each kind of vCPU accepts. */
static void test_pstate_modes(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2, 0, 0);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c0), 0); /* EL0t */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c4), 0); /* EL1t */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c5), 0); /* EL1h */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x010), 0); /* USR */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c9), -EINVAL);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c8), -EINVAL);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x1d3), -EINVAL);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x1df), -EINVAL);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c3), -EINVAL);
	/* a refused write changes nothing */
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x010);
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2, 0, KVMSIM_VCPU_HAS_EL2);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c9), 0); /* EL2h */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c8), 0); /* EL2t */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c5), 0);
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_EL1_32BIT);
	/* reset: SVC with A, I, F */
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x1d3);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x1d7), 0); /* ABT */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x1db), 0); /* UND */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x1d2), 0); /* IRQ */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x1d1), 0); /* FIQ */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x010), 0); /* USR */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x01f), -EINVAL);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c5), -EINVAL);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x3c0), -EINVAL);
	fix_fini(&f);
}

/* Any core write on an AArch32 context narrows the registers of that
 * mode's view (r0-r14 in USR, all of X0-X30 otherwise) and PC. */
static void test_aarch32_narrowing(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_EL1_32BIT);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_X(20), 0x123456789ULL), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_X(20)), 0x23456789);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PC, 0x100001000ULL), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), 0x1000);

	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PSTATE, 0x010), 0); /* USR */
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_X(20), 0x100000001ULL), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_X(20)), 0x100000001ULL);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_X(5), 0x100000001ULL), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_X(5)), 1);
	fix_fini(&f);
}

static void test_uninitialised_vcpu(void **state)
{
	struct fix f;
	struct kvmsea_uapi_vcpu_events ev;
	uint64_t val;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_UNINIT);
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_PC, &val), -ENOEXEC);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_PC, 4), -ENOEXEC);
	assert_int_equal(get_events(f.fd, &ev), -ENOEXEC);
	assert_int_equal(set_events(f.fd, &ev), -ENOEXEC);
	assert_int_equal(run_vcpu(f.fd), -ENOEXEC);
	kvmsim_vcpu_set_initialised(f.vcpu, true);
	assert_int_equal(get_reg(f.fd, KVMSEA_REG_PC, &val), 0);
	assert_int_equal(run_vcpu(f.fd), -EINTR);
	fix_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_regs_round_trip),
		cmocka_unit_test(test_core_id_checks),
		cmocka_unit_test(test_el1_state_sysreg_ids_enoent),
		cmocka_unit_test(test_sysreg_id_checks),
		cmocka_unit_test(test_always_visible_sysregs),
		cmocka_unit_test(test_sctlr2_visibility),
		cmocka_unit_test(test_el2_regs_need_nv),
		cmocka_unit_test(test_id_registers),
		cmocka_unit_test(test_id_register_writes),
		cmocka_unit_test(test_pstate_modes),
		cmocka_unit_test(test_aarch32_narrowing),
		cmocka_unit_test(test_uninitialised_vcpu),
	};

	return cmocka_run_group_tests_name("sim-regs", tests, NULL, NULL);
}
