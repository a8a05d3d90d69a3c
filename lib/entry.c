/* SPDX-License-Identifier: MIT */
/*
 * The exception-entry rules for a synchronous external abort, as a pure
 * function of the vCPU state: where the abort goes, which registers that
 * needs, and the values to write. inject.c does the ioctls.
 *
 * The rules are the Arm ARM's (AArch64.TakeException, AArch32.TakeDataAbort
 * and TakePrefetchAbort) as KVM applies them in its own injection
 * (arch/arm64/kvm/hyp/exception.c, inject_fault.c); docs/kernel.md lists
 * them with their sources. Where KVM departs from the Arm ARM we follow the
 * Arm ARM and say so.
 */
#include <errno.h>
#include <string.h>

#include "arm64.h"
#include "entry.h"
#include "uapi-compat.h"

/* The EL a PSTATE mode runs at, or -1 for a mode the vCPU cannot be in. */
static int mode_el(uint32_t features, uint64_t pstate)
{
	unsigned int mode = pstate & A64_PSR_MODE_MASK;

	if (mode & A64_PSR_MODE32) {
		switch (mode) {
		case A32_MODE_USR:
			return 0;
		case A32_MODE_FIQ: case A32_MODE_IRQ: case A32_MODE_SVC:
		case A32_MODE_ABT: case A32_MODE_UND: case A32_MODE_SYS:
			return (features & KVMSEA_F_EL1_32BIT) ? 1 : -1;
		default:
			return -1;
		}
	}
	switch (mode) {
	case A64_MODE_EL0T: /* an AArch32 EL1 has an AArch32 EL0 */
		return (features & KVMSEA_F_EL1_32BIT) ? -1 : 0;
	case A64_MODE_EL1T: case A64_MODE_EL1H:
		return (features & KVMSEA_F_EL1_32BIT) ? -1 : 1;
	case A64_MODE_EL2T: case A64_MODE_EL2H:
		return (features & KVMSEA_F_EL2) ? 2 : -1;
	default:
		return -1;
	}
}

/*
 * A nested vCPU running its guest hypervisor's guest (L2), whose abort the
 * guest hypervisor takes: its virtual HCR_EL2 routes external aborts to
 * EL2 (TGE or TEA; TMEA for a masked abort at EL1: KVM's
 * kvm_sea_target_is_el2()). That entry swaps the whole EL1 context, which
 * only KVM can do, and Linux 7.2.13 oopses doing it from
 * KVM_SET_VCPU_EVENTS (docs/kernel.md). Decided from the mode and HCR_EL2
 * alone, before anything else, so that no other flag can lead past it.
 */
static bool l2_abort_goes_to_vel2(uint64_t pstate, uint64_t hcr, uint64_t hcrx)
{
	unsigned int mode = pstate & A64_PSR_MODE_MASK;
	bool at_vel2 = mode == A64_MODE_EL2T || mode == A64_MODE_EL2H;
	bool at_el0 = mode == A64_MODE_EL0T || mode == A32_MODE_USR;
	bool host_el0 = at_el0 && (hcr & A64_HCR_E2H) && (hcr & A64_HCR_TGE);

	if (at_vel2 || host_el0)
		return false;
	if (hcr & (A64_HCR_TGE | A64_HCR_TEA))
		return true;
	return !at_el0 && (pstate & A64_PSR_A) && (hcrx & A64_HCRX_TMEA);
}

int kvmsea_entry_route(uint32_t features, uint64_t pstate, uint64_t hcr_el2,
		       uint64_t hcrx_el2, enum kvmsea_target *target)
{
	int el;

	if ((features & KVMSEA_F_EL2) &&
	    l2_abort_goes_to_vel2(pstate, hcr_el2, hcrx_el2))
		return -EOPNOTSUPP;
	/* KVM has no nested virtualization with an AArch32 EL1. */
	if ((features & KVMSEA_F_EL2) && (features & KVMSEA_F_EL1_32BIT))
		return -EINVAL;
	el = mode_el(features, pstate);
	if (el < 0)
		return -EINVAL;
	if (features & KVMSEA_F_EL1_32BIT)
		*target = KVMSEA_TARGET_ABT32;
	else if (el == 2 || ((features & KVMSEA_F_EL2) && el == 0 &&
			     (hcr_el2 & A64_HCR_E2H) && (hcr_el2 & A64_HCR_TGE)))
		*target = KVMSEA_TARGET_EL2; /* vEL2 and its host EL0 */
	else
		*target = KVMSEA_TARGET_EL1;
	return 0;
}

uint32_t kvmsea_entry_reads(enum kvmsea_target target, uint32_t features,
			    bool far_valid)
{
	uint32_t reads = KVMSEA_READ_SCTLR | KVMSEA_READ_VBAR;

	if (target == KVMSEA_TARGET_ABT32) {
		reads |= KVMSEA_READ_TCR_EL1;
		/* DFAR and IFAR are halves of FAR_EL1: keep the other half. */
		if (far_valid)
			reads |= KVMSEA_READ_FAR_EL1;
	} else if (features & KVMSEA_F_SCTLR2) {
		reads |= KVMSEA_READ_SCTLR2;
	}
	return reads;
}

uint32_t kvmsea_entry_lost(enum kvmsea_target target,
			   const struct kvmsea_abort *abort)
{
	unsigned int fsc = abort->esr & A64_ESR_FSC;
	uint32_t lost = 0;

	/* FnV exists only for FSC 0x10; elsewhere FAR is always valid. */
	if (!abort->far_valid && fsc != A64_FSC_SEA)
		lost |= KVMSEA_LOST_FNV;
	/* An AArch32 fault status register has no SET. */
	if (target == KVMSEA_TARGET_ABT32 && fsc == A64_FSC_SEA &&
	    (abort->esr & A64_ESR_SET))
		lost |= KVMSEA_LOST_SET;
	return lost;
}

static void add_write(struct kvmsea_entry *out, uint64_t id, uint64_t value)
{
	out->writes[out->nr_writes].id = id;
	out->writes[out->nr_writes].value = value;
	out->nr_writes++;
}

/* The AArch64 syndrome: EC from the guest's EL relative to the target, IL
 * set (aborts with ISV=0 report IL=1), FnV from whether the address is
 * known, and the ISS fields the exit carries. SET and FnV mean something
 * only for FSC 0x10; S1PTW stays 0 (the exit strips it; it is RES0 for a
 * stage 1 fault). */
static uint64_t abort_esr64(const struct kvmsea_abort *abort, bool same_el)
{
	uint64_t iss = abort->esr;
	uint64_t esr = iss & (A64_ESR_EA | A64_ESR_FSC);
	unsigned int ec;

	if ((iss & A64_ESR_FSC) == A64_FSC_SEA) {
		esr |= iss & A64_ESR_SET;
		if (!abort->far_valid)
			esr |= A64_ESR_FNV;
	}
	if (abort->is_data) {
		esr |= iss & (A64_ESR_CM | A64_ESR_WNR);
		ec = same_el ? KVMSEA_EC_DABT_CUR : KVMSEA_EC_DABT_LOW;
	} else {
		ec = same_el ? KVMSEA_EC_IABT_CUR : KVMSEA_EC_IABT_LOW;
	}
	return ((uint64_t)ec << A64_ESR_EC_SHIFT) | A64_ESR_IL | esr;
}

static void compute64(const struct kvmsea_vstate *s,
		      const struct kvmsea_abort *abort, struct kvmsea_entry *out)
{
	bool to_el2 = out->target == KVMSEA_TARGET_EL2;
	unsigned int mode = s->pstate & A64_PSR_MODE_MASK;
	unsigned int h = to_el2 ? A64_MODE_EL2H : A64_MODE_EL1H;
	unsigned int t = to_el2 ? A64_MODE_EL2T : A64_MODE_EL1T;
	bool in_host = (s->hcr_el2 & A64_HCR_E2H) && (s->hcr_el2 & A64_HCR_TGE);
	bool ease;
	uint64_t offset, pstate;

	if (mode == h)
		offset = A64_VEC_CUR_SPX;
	else if (mode == t)
		offset = A64_VEC_CUR_SP0;
	else if (mode & A64_PSR_MODE32)
		offset = A64_VEC_LOWER_32;
	else
		offset = A64_VEC_LOWER_64;

	/* FEAT_DoubleFault2: with SCTLR2_ELx.EASE an SEA is taken at the
	 * SError vector (the syndrome stays a synchronous one). At EL1 of a
	 * nested vCPU SCTLR2_EL1 counts only with HCRX_EL2.SCTLR2En. */
	ease = (s->features & KVMSEA_F_SCTLR2) && (s->sctlr2 & A64_SCTLR2_EASE);
	if (!to_el2 && (s->features & KVMSEA_F_EL2) &&
	    !(s->hcrx_el2 & A64_HCRX_SCTLR2EN))
		ease = false;
	if (ease)
		offset += A64_VEC_SERROR;

	pstate = s->pstate & (A64_PSR_NZCV | A64_PSR_DIT | A64_PSR_PAN);
	/* SCTLR_ELx.SPAN == 0 sets PAN on entry to EL1, and to EL2 only when
	 * EL2 hosts EL0 (E2H and TGE). KVM 7.2 applies it to every EL2 entry;
	 * the two agree except for E2H=1, TGE=0, SCTLR_EL2.SPAN=0. */
	if (!(s->sctlr & A64_SCTLR_SPAN) && (!to_el2 || in_host))
		pstate |= A64_PSR_PAN;
	if (s->features & KVMSEA_F_MTE)
		pstate |= A64_PSR_TCO;
	if (s->sctlr & A64_SCTLR_DSSBS)
		pstate |= A64_PSR_SSBS;
	pstate |= A64_PSR_D | A64_PSR_A | A64_PSR_I | A64_PSR_F | h;

	out->vector = s->vbar + offset;
	out->pstate = pstate;
	out->esr = abort_esr64(abort, mode == h || mode == t);

	add_write(out, to_el2 ? KVMSEA_REG_ESR_EL2 : KVMSEA_REG_ESR_EL1, out->esr);
	/* Without a known address FAR is UNKNOWN: leave the guest's alone. */
	if (abort->far_valid)
		add_write(out, to_el2 ? KVMSEA_REG_FAR_EL2 : KVMSEA_REG_FAR_EL1,
			  abort->far);
	add_write(out, to_el2 ? KVMSEA_REG_ELR_EL2 : KVMSEA_REG_ELR_EL1, s->pc);
	add_write(out, to_el2 ? KVMSEA_REG_SPSR_EL2 : KVMSEA_REG_SPSR_EL1,
		  s->pstate);
}

/* An AArch64 fault status code as a short-descriptor FS: the plain and the
 * parity/ECC external aborts, and those on a walk, whose short-descriptor
 * walk has levels 1 and 2 only. */
static uint64_t short_fs(unsigned int fsc)
{
	switch (fsc) {
	case A64_FSC_SECC:
		return A32_FS_SECC;
	case A64_FSC_SEA_TTW_LM1: case A64_FSC_SEA_TTW(0): case A64_FSC_SEA_TTW(1):
		return A32_FS_SEA_TTW_L1;
	case A64_FSC_SEA_TTW(2): case A64_FSC_SEA_TTW(3):
		return A32_FS_SEA_TTW_L2;
	case A64_FSC_SECC_TTW_LM1: case A64_FSC_SECC_TTW(0): case A64_FSC_SECC_TTW(1):
		return A32_FS_SECC_TTW_L1;
	case A64_FSC_SECC_TTW(2): case A64_FSC_SECC_TTW(3):
		return A32_FS_SECC_TTW_L2;
	default:
		return A32_FS_SEA;
	}
}

/* DFSR or IFSR: long-descriptor (TTBCR.EAE) STATUS is the AArch64 FSC with
 * the LPAE bit; short-descriptor FS is mapped. WnR and CM (data only),
 * ExT from EA, and FnV for FSC 0x10 without a known address. */
static uint64_t abort_fsr32(const struct kvmsea_abort *abort, bool lpae)
{
	unsigned int fsc = abort->esr & A64_ESR_FSC;
	uint64_t fsr = lpae ? (fsc | A32_FSR_LPAE) : short_fs(fsc);

	if (abort->is_data && (abort->esr & A64_ESR_WNR))
		fsr |= A32_FSR_WNR;
	if (abort->is_data && (abort->esr & A64_ESR_CM))
		fsr |= A32_FSR_CM;
	if (abort->esr & A64_ESR_EA)
		fsr |= A32_FSR_EXT;
	if (fsc == A64_FSC_SEA && !abort->far_valid)
		fsr |= A32_FSR_FNV;
	return fsr;
}

/* Entry to Abort mode of an AArch32 EL1 (AArch32.TakeDataAbort and
 * TakePrefetchAbort; KVM's inject_abt32 and enter_exception32). */
static void compute32(const struct kvmsea_vstate *s,
		      const struct kvmsea_abort *abort, struct kvmsea_entry *out)
{
	uint64_t old = s->pstate;
	uint64_t fsr = abort_fsr32(abort, s->tcr_el1 & A64_TCR_EAE);
	uint64_t pstate, spsr;

	pstate = old & (A32_CPSR_NZCVQ | A32_CPSR_GE | A64_PSR_DIT | A64_PSR_PAN);
	if (!(s->sctlr & A64_SCTLR_SPAN))
		pstate |= A64_PSR_PAN;
	if (s->sctlr & A64_SCTLR_DSSBS32)
		pstate |= A32_CPSR_SSBS;
	if (s->sctlr & A64_SCTLR_EE)
		pstate |= A32_CPSR_E;
	if (s->sctlr & A64_SCTLR_TE)
		pstate |= A32_CPSR_T;
	pstate |= old & A64_PSR_F;
	pstate |= A64_PSR_A | A64_PSR_I | A32_MODE_ABT;

	/* The saved CPSR is in AArch32 SPSR format: DIT moves to bit 21. */
	spsr = old & ~A64_PSR_DIT;
	if (old & A64_PSR_DIT)
		spsr |= A32_SPSR_DIT;

	out->vector = ((s->sctlr & A64_SCTLR_V) ? A32_VEC_HIGH : s->vbar) +
		      (abort->is_data ? A32_VEC_DABT : A32_VEC_PABT);
	out->vector &= 0xffffffffULL;
	out->pstate = pstate;
	out->esr = fsr;

	add_write(out, abort->is_data ? KVMSEA_REG_ESR_EL1 /* DFSR */ :
		  KVMSEA_REG_IFSR32_EL2, fsr);
	if (abort->far_valid) {
		uint64_t addr = abort->far & 0xffffffffULL;
		uint64_t far;

		if (abort->is_data) /* DFAR is FAR_EL1[31:0] */
			far = (s->far_el1 & ~0xffffffffULL) | addr;
		else                /* IFAR is FAR_EL1[63:32] */
			far = (s->far_el1 & 0xffffffffULL) | (addr << 32);
		add_write(out, KVMSEA_REG_FAR_EL1, far);
	}
	add_write(out, KVMSEA_REG_SPSR_ABT, spsr);
	/* LR_abt (X20 in the AArch64 view) is the preferred return address
	 * plus 8 for a data abort, plus 4 for a prefetch abort, in ARM and
	 * Thumb state alike. */
	add_write(out, KVMSEA_REG_X(20),
		  (s->pc + (abort->is_data ? 8 : 4)) & 0xffffffffULL);
}

int kvmsea_entry_compute(const struct kvmsea_vstate *state,
			 const struct kvmsea_abort *abort,
			 struct kvmsea_entry *out)
{
	enum kvmsea_target target;
	int ret;

	ret = kvmsea_entry_route(state->features, state->pstate,
				 state->hcr_el2, state->hcrx_el2, &target);
	if (ret < 0)
		return ret;

	memset(out, 0, sizeof(*out));
	out->target = target;
	if (target == KVMSEA_TARGET_ABT32)
		compute32(state, abort, out);
	else
		compute64(state, abort, out);
	/* PSTATE before PC: KVM narrows PC when PSTATE switches to AArch32. */
	add_write(out, KVMSEA_REG_PSTATE, out->pstate);
	add_write(out, KVMSEA_REG_PC, out->vector);
	return 0;
}
