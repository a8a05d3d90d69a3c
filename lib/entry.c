/* SPDX-License-Identifier: MIT */
/*
 * The exception-entry rules for a synchronous external abort, as a pure
 * function of the vCPU state: where the abort goes, which registers that
 * needs, and the values to write. The ioctls are in inject.c.
 *
 * The rules are the Arm ARM's (AArch64.TakeException, AArch32.TakeDataAbort
 * / TakePrefetchAbort) as KVM applies them in its own injection
 * (arch/arm64/kvm/hyp/exception.c, inject_fault.c); see
 * shared/reference/kernel-semantics.md §3. Where KVM departs from the Arm
 * ARM we follow the Arm ARM and say so.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* PSTATE (SPSR format) */
#define PS_MODE_MASK 0x1fULL
#define PS_MODE32 0x10ULL
#define PS_F (1ULL << 6)
#define PS_I (1ULL << 7)
#define PS_A (1ULL << 8)
#define PS_D (1ULL << 9)
#define PS_SSBS (1ULL << 12)
#define PS_PAN (1ULL << 22)
#define PS_DIT (1ULL << 24)
#define PS_TCO (1ULL << 25)
#define PS_NZCV (0xfULL << 28)

#define MODE_EL0T 0x0
#define MODE_EL1T 0x4
#define MODE_EL1H 0x5
#define MODE_EL2T 0x8
#define MODE_EL2H 0x9

/* AArch32 modes and CPSR bits (KVM keeps DIT at bit 24, like AArch64). */
#define MODE32_USR 0x10
#define MODE32_FIQ 0x11
#define MODE32_IRQ 0x12
#define MODE32_SVC 0x13
#define MODE32_ABT 0x17
#define MODE32_UND 0x1b
#define MODE32_SYS 0x1f
#define CPSR_T (1ULL << 5)
#define CPSR_E (1ULL << 9)
#define CPSR_GE (0xfULL << 16)
#define CPSR_NZCVQ (0x1fULL << 27)
#define SPSR32_DIT (1ULL << 21) /* where an AArch32 SPSR keeps DIT */

/* System register bits */
#define SCTLR_V (1ULL << 13)       /* AArch32: high vectors */
#define SCTLR_SPAN (1ULL << 23)
#define SCTLR_EE (1ULL << 25)      /* AArch32 */
#define SCTLR_TE (1ULL << 30)      /* AArch32 */
#define SCTLR_DSSBS32 (1ULL << 31) /* AArch32 */
#define SCTLR_DSSBS (1ULL << 44)
#define SCTLR2_EASE (1ULL << 5)
#define HCR_TGE (1ULL << 27)
#define HCR_E2H (1ULL << 34)
#define HCR_TEA (1ULL << 37)
#define HCRX_TMEA (1ULL << 19)
#define HCRX_SCTLR2EN (1ULL << 15)
#define TCR_EAE (1ULL << 31)

/* ESR */
#define ESR_EC_SHIFT 26
#define ESR_IL (1ULL << 25)
#define ESR_SET (3ULL << 11)
#define ESR_FNV (1ULL << 10)
#define ESR_EA (1ULL << 9)
#define ESR_CM (1ULL << 8)
#define ESR_WNR (1ULL << 6)
#define ESR_FSC 0x3fULL

/* Vector offsets */
#define VEC_CUR_SP0 0x000
#define VEC_CUR_SPX 0x200
#define VEC_LOWER_64 0x400
#define VEC_LOWER_32 0x600
#define VEC_SERROR 0x180

/* The EL a PSTATE mode runs at, or -1 for a mode the vCPU cannot be in. */
static int mode_el(uint32_t features, uint64_t pstate)
{
	unsigned int mode = pstate & PS_MODE_MASK;

	if (mode & PS_MODE32) {
		switch (mode) {
		case MODE32_USR:
			return 0;
		case MODE32_FIQ: case MODE32_IRQ: case MODE32_SVC:
		case MODE32_ABT: case MODE32_UND: case MODE32_SYS:
			return (features & KVMSEA_F_EL1_32BIT) ? 1 : -1;
		default:
			return -1;
		}
	}
	switch (mode) {
	case MODE_EL0T: /* an AArch32 EL1 has an AArch32 EL0 */
		return (features & KVMSEA_F_EL1_32BIT) ? -1 : 0;
	case MODE_EL1T: case MODE_EL1H:
		return (features & KVMSEA_F_EL1_32BIT) ? -1 : 1;
	case MODE_EL2T: case MODE_EL2H:
		return (features & KVMSEA_F_EL2) ? 2 : -1;
	default:
		return -1;
	}
}

int kvmsea_entry_route(uint32_t features, uint64_t pstate, uint64_t hcr_el2,
		       uint64_t hcrx_el2, enum kvmsea_target *target)
{
	int el = mode_el(features, pstate);

	if (el < 0)
		return -EINVAL;
	if (features & KVMSEA_F_EL1_32BIT) {
		*target = KVMSEA_TARGET_ABT32;
		return 0;
	}
	if (!(features & KVMSEA_F_EL2)) {
		*target = KVMSEA_TARGET_EL1;
		return 0;
	}
	/* Nested: the guest hypervisor (vEL2) and its host EL0 (E2H and TGE
	 * set) take their aborts at vEL2. */
	if (el == 2 || (el == 0 && (hcr_el2 & HCR_E2H) && (hcr_el2 & HCR_TGE))) {
		*target = KVMSEA_TARGET_EL2;
		return 0;
	}
	/* A nested guest (L2). Its abort belongs to the guest hypervisor when
	 * the virtual HCR_EL2 routes external aborts to EL2 (KVM's
	 * kvm_sea_target_is_el2()). That entry swaps the whole EL1 context,
	 * which only KVM can do: use KVM_SET_VCPU_EVENTS for it. */
	if ((hcr_el2 & (HCR_TGE | HCR_TEA)) ||
	    (el == 1 && (pstate & PS_A) && (hcrx_el2 & HCRX_TMEA)))
		return -EOPNOTSUPP;
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

static void add_write(struct kvmsea_entry *out, uint64_t id, uint64_t value)
{
	out->writes[out->nr_writes].id = id;
	out->writes[out->nr_writes].value = value;
	out->nr_writes++;
}

/* The AArch64 syndrome: EC from the guest's EL relative to the target, IL
 * set (aborts with ISV=0 report IL=1), and the ISS fields the exit carries.
 * SET and FnV mean something only for FSC 0x10; S1PTW stays 0 (the exit
 * strips it; it is RES0 for a stage 1 fault). */
static uint64_t abort_esr64(const struct kvmsea_abort *abort, bool same_el)
{
	uint64_t iss = abort->esr;
	uint64_t keep = ESR_EA | ESR_FSC;
	unsigned int ec;

	if ((iss & ESR_FSC) == KVMSEA_FSC_EXTABT)
		keep |= ESR_SET | ESR_FNV;
	if (abort->is_data) {
		keep |= ESR_CM | ESR_WNR;
		ec = same_el ? KVMSEA_EC_DABT_CUR : KVMSEA_EC_DABT_LOW;
	} else {
		ec = same_el ? KVMSEA_EC_IABT_CUR : KVMSEA_EC_IABT_LOW;
	}
	return ((uint64_t)ec << ESR_EC_SHIFT) | ESR_IL | (iss & keep);
}

static int compute64(const struct kvmsea_vstate *s,
		     const struct kvmsea_abort *abort, struct kvmsea_entry *out)
{
	bool to_el2 = out->target == KVMSEA_TARGET_EL2;
	unsigned int mode = s->pstate & PS_MODE_MASK;
	unsigned int h = to_el2 ? MODE_EL2H : MODE_EL1H;
	unsigned int t = to_el2 ? MODE_EL2T : MODE_EL1T;
	bool in_host = (s->hcr_el2 & HCR_E2H) && (s->hcr_el2 & HCR_TGE);
	bool ease;
	uint64_t offset, pstate;

	if (mode == h)
		offset = VEC_CUR_SPX;
	else if (mode == t)
		offset = VEC_CUR_SP0;
	else if (mode & PS_MODE32)
		offset = VEC_LOWER_32;
	else
		offset = VEC_LOWER_64;

	/* FEAT_DoubleFault2: with SCTLR2_ELx.EASE an SEA is taken at the
	 * SError vector (the syndrome stays a synchronous one). At EL1 of a
	 * nested vCPU SCTLR2_EL1 counts only with HCRX_EL2.SCTLR2En. */
	ease = (s->features & KVMSEA_F_SCTLR2) && (s->sctlr2 & SCTLR2_EASE);
	if (!to_el2 && (s->features & KVMSEA_F_EL2) &&
	    !(s->hcrx_el2 & HCRX_SCTLR2EN))
		ease = false;
	if (ease)
		offset += VEC_SERROR;

	pstate = s->pstate & (PS_NZCV | PS_DIT | PS_PAN);
	/* SCTLR_ELx.SPAN == 0 sets PAN on entry to EL1, and to EL2 only when
	 * EL2 hosts EL0 (E2H and TGE). KVM 7.2 applies it to every EL2 entry;
	 * the two agree except for E2H=1, TGE=0, SCTLR_EL2.SPAN=0. */
	if (!(s->sctlr & SCTLR_SPAN) && (!to_el2 || in_host))
		pstate |= PS_PAN;
	if (s->features & KVMSEA_F_MTE)
		pstate |= PS_TCO;
	if (s->sctlr & SCTLR_DSSBS)
		pstate |= PS_SSBS;
	pstate |= PS_D | PS_A | PS_I | PS_F | h;

	out->vector = s->vbar + offset;
	out->pstate = pstate;
	out->esr = abort_esr64(abort, mode == h || mode == t);

	add_write(out, to_el2 ? KVMSEA_REG_ESR_EL2 : KVMSEA_REG_ESR_EL1, out->esr);
	/* With FnV set FAR is UNKNOWN: leave the guest's register alone. */
	if (abort->far_valid)
		add_write(out, to_el2 ? KVMSEA_REG_FAR_EL2 : KVMSEA_REG_FAR_EL1,
			  abort->far);
	add_write(out, to_el2 ? KVMSEA_REG_ELR_EL2 : KVMSEA_REG_ELR_EL1, s->pc);
	add_write(out, to_el2 ? KVMSEA_REG_SPSR_EL2 : KVMSEA_REG_SPSR_EL1,
		  s->pstate);
	return 0;
}

/* Entry to Abort mode of an AArch32 EL1 (AArch32.TakeDataAbort and
 * TakePrefetchAbort; KVM's inject_abt32 and enter_exception32). */
static int compute32(const struct kvmsea_vstate *s,
		     const struct kvmsea_abort *abort, struct kvmsea_entry *out)
{
	uint64_t old = s->pstate;
	uint64_t fsr, far, pstate, spsr;
	uint64_t wnr = abort->is_data && (abort->esr & ESR_WNR);
	uint64_t ext = !!(abort->esr & ESR_EA);

	/* Fault status: long-descriptor (TTBCR.EAE) STATUS 0x10 with the LPAE
	 * bit, or short-descriptor FS 0b01000; WnR at 11, ExT at 12. */
	if (s->tcr_el1 & TCR_EAE)
		fsr = 0x10 | (1ULL << 9);
	else
		fsr = 0x08;
	fsr |= (wnr << 11) | (ext << 12);

	pstate = old & (CPSR_NZCVQ | CPSR_GE | PS_DIT);
	pstate |= old & PS_PAN;
	if (!(s->sctlr & SCTLR_SPAN))
		pstate |= PS_PAN;
	if (s->sctlr & SCTLR_DSSBS32)
		pstate |= (1ULL << 23); /* AArch32 CPSR.SSBS */
	if (s->sctlr & SCTLR_EE)
		pstate |= CPSR_E;
	if (s->sctlr & SCTLR_TE)
		pstate |= CPSR_T;
	pstate |= old & PS_F;
	pstate |= PS_A | PS_I | MODE32_ABT;

	/* The saved CPSR is in AArch32 SPSR format: DIT moves to bit 21. */
	spsr = old & ~PS_DIT;
	if (old & PS_DIT)
		spsr |= SPSR32_DIT;

	out->vector = ((s->sctlr & SCTLR_V) ? 0xffff0000ULL : s->vbar) +
		      (abort->is_data ? 0x10 : 0x0c);
	out->vector &= 0xffffffffULL;
	out->pstate = pstate;
	out->esr = fsr;

	if (abort->is_data)
		add_write(out, KVMSEA_REG_ESR_EL1, fsr); /* DFSR */
	else
		add_write(out, KVMSEA_REG_IFSR32_EL2, fsr);
	if (abort->far_valid) {
		uint64_t addr = abort->far & 0xffffffffULL;

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
	return 0;
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
		ret = compute32(state, abort, out);
	else
		ret = compute64(state, abort, out);
	if (ret < 0)
		return ret;
	/* PSTATE before PC: KVM narrows PC when PSTATE switches to AArch32. */
	add_write(out, KVMSEA_REG_PSTATE, out->pstate);
	add_write(out, KVMSEA_REG_PC, out->vector);
	return 0;
}
