// SPDX-License-Identifier: MIT
/*
 * KVM's own fault injection and exception entry, on the simulated register
 * file: what KVM_SET_VCPU_EVENTS and the SError fallback of the SEA path do
 * to a vCPU.
 *
 * Models (Linux 7.2): inject_fault.c (kvm_inject_sea, inject_abt64,
 * inject_abt32, kvm_inject_serror_esr and their routing helpers),
 * emulate-nested.c (kvm_inject_nested_sea/serror) and hyp/exception.c
 * (enter_exception64/32, get_except32_cpsr, kvm_inject_exception).
 * Only data aborts are injected: KVM offers userspace no instruction abort.
 */
#include "sim-internal.h"

/* Exception types: the offset added to the vector (kvm_emulate.h). */
#define TYPE_SYNC   0x000
#define TYPE_IRQ    0x080
#define TYPE_SERROR 0x180

/* ---- PSTATE and routing predicates (kvm_emulate.h, kvm_nested.h) --------- */

static uint64_t pstate(const struct kvmsim_vcpu *v)
{
	return sim_core(v, CORE_PSTATE);
}

static bool mode_is_32bit(const struct kvmsim_vcpu *v)
{
	return pstate(v) & PS_M32;
}

/* vcpu_is_el2(): in virtual EL2 (only possible with NV). */
static bool vcpu_is_el2(const struct kvmsim_vcpu *v)
{
	uint64_t mode = pstate(v) & (PS_M32 | PS_M_MASK);

	return mode == MODE_EL2h || mode == MODE_EL2t;
}

/* vcpu_mode_priv(): anything but EL0 (AArch64 EL0t or AArch32 USR). */
static bool mode_priv(const struct kvmsim_vcpu *v)
{
	if (mode_is_32bit(v))
		return (pstate(v) & PS_M5_MASK) != A32_USR;
	return (pstate(v) & PS_M_MASK) != MODE_EL0t;
}

static uint64_t vhcr(const struct kvmsim_vcpu *v)
{
	return sim_sr(v, SR_HCR_EL2); /* the guest hypervisor's HCR_EL2 */
}

static bool tge_is_set(const struct kvmsim_vcpu *v)
{
	return vhcr(v) & HCR_TGE;
}

/* The simulated host has FEAT_NV with HCR_EL2.NV1, so E2H is what the
 * guest hypervisor wrote (without NV1 KVM treats it as always 1). */
static bool e2h_is_set(const struct kvmsim_vcpu *v)
{
	return vhcr(v) & HCR_E2H;
}

/* is_hyp_ctxt(): vEL2, or EL0 under a guest hypervisor with TGE set. */
bool sim_is_hyp_ctxt(const struct kvmsim_vcpu *v)
{
	return sim_has_nv(v) && (vcpu_is_el2(v) || tge_is_set(v));
}

/* is_nested_ctxt(): a nested (L2) guest is running. */
static bool is_nested_ctxt(const struct kvmsim_vcpu *v)
{
	return sim_has_nv(v) && !sim_is_hyp_ctxt(v);
}

/* exception_target_el(): EL1h unless NV routes to vEL2. */
static uint64_t target_el(const struct kvmsim_vcpu *v)
{
	if (!sim_has_nv(v))
		return MODE_EL1h;
	switch (pstate(v) & PS_M_MASK) {
	case MODE_EL2h:
	case MODE_EL2t:
		return MODE_EL2h;
	case MODE_EL0t:
		return tge_is_set(v) ? MODE_EL2h : MODE_EL1h;
	default:
		/* EL1t/EL1h; KVM BUG()s on anything else, which set_core_reg
		 * never lets a NV vCPU reach. */
		return MODE_EL1h;
	}
}

static enum sim_sysreg target_esr(const struct kvmsim_vcpu *v)
{
	return target_el(v) == MODE_EL2h ? SR_ESR_EL2 : SR_ESR_EL1;
}

static enum sim_sysreg target_far(const struct kvmsim_vcpu *v)
{
	return target_el(v) == MODE_EL2h ? SR_FAR_EL2 : SR_FAR_EL1;
}

static void pend(struct kvmsim_vcpu *v, enum sim_except except)
{
	v->pending_exception = true;
	v->except = except;
}

static void pend_sync(struct kvmsim_vcpu *v)
{
	pend(v, target_el(v) == MODE_EL1h ? EXC_EL1_SYNC : EXC_EL2_SYNC);
}

static void pend_serror(struct kvmsim_vcpu *v)
{
	pend(v, target_el(v) == MODE_EL1h ? EXC_EL1_SERR : EXC_EL2_SERR);
}

/* __effective_sctlr2_bit(): SCTLR2 of the target EL, if the VM has it and
 * (in a nested context) the guest hypervisor enabled it in HCRX_EL2. */
static bool effective_sctlr2(const struct kvmsim_vcpu *v, uint64_t bit)
{
	uint64_t sctlr2;

	if (!sim_vm_has_sctlr2(v))
		return false;
	if (is_nested_ctxt(v) && !(sim_sr(v, SR_HCRX_EL2) & HCRX_SCTLR2EN))
		return false;
	sctlr2 = target_el(v) == MODE_EL1h ? sim_sr(v, SR_SCTLR2_EL1)
					    : sim_sr(v, SR_SCTLR2_EL2);
	return sctlr2 & bit;
}

/* ---- Exception entry (hyp/exception.c) ------------------------------------ */

static void enter_exception64(struct kvmsim_vcpu *v, uint64_t target,
			      uint64_t type)
{
	uint64_t old = pstate(v);
	uint64_t mode = old & (PS_M32 | PS_M_MASK);
	uint64_t offset, vbar, sctlr, new;

	if (mode == target)
		offset = 0x200;            /* current EL with SP_ELx */
	else if ((mode | 1) == target)
		offset = 0x000;            /* current EL with SP_EL0 */
	else if (!(mode & PS_M32))
		offset = 0x400;            /* lower EL, AArch64 */
	else
		offset = 0x600;            /* lower EL, AArch32 */

	if (target == MODE_EL1h) {
		vbar = sim_sr(v, SR_VBAR_EL1);
		sctlr = sim_sr(v, SR_SCTLR_EL1);
		sim_core_set(v, CORE_ELR_EL1, sim_core(v, CORE_PC));
	} else {
		vbar = sim_sr(v, SR_VBAR_EL2);
		sctlr = sim_sr(v, SR_SCTLR_EL2);
		sim_sr_set(v, SR_ELR_EL2, sim_core(v, CORE_PC));
	}
	sim_core_set(v, CORE_PC, vbar + offset + type);

	new = old & PS_NZCV;
	if (sim_vm_has_mte(v))
		new |= PS_TCO;
	new |= old & PS_DIT;
	/* UAO, SS, IL and BTYPE become 0. PAN is kept, and set when SPAN is
	 * 0 (KVM does this for an EL2 target too). */
	new |= old & PS_PAN;
	if (!(sctlr & SCTLR_SPAN))
		new |= PS_PAN;
	if (sctlr & SCTLR_DSSBS)
		new |= PS_SSBS;
	new |= PS_DAIF | target;
	sim_core_set(v, CORE_PSTATE, new);

	if (target == MODE_EL1h)
		sim_core_set(v, CORE_SPSR(0), old);
	else
		sim_sr_set(v, SR_SPSR_EL2, old);
}

/* get_except32_cpsr(): the CPSR on entry to AArch32 @mode. */
static uint64_t except32_cpsr(const struct kvmsim_vcpu *v, unsigned int mode)
{
	uint32_t sctlr = (uint32_t)sim_sr(v, SR_SCTLR_EL1);
	uint64_t old = pstate(v), new;

	new = old & (PS_NZCV | A32_Q | A32_DIT | A32_PAN | A32_GE | PS_A | PS_F);
	/* IT and IL are cleared. */
	if (sctlr & SCTLR32_DSSBS)
		new |= A32_SSBS;
	if (!(sctlr & SCTLR_SPAN))
		new |= A32_PAN;
	if (sctlr & SCTLR32_EE)
		new |= A32_E;
	if (mode != A32_UND && mode != A32_SVC)
		new |= PS_A;
	new |= PS_I;
	if (mode == A32_FIQ)
		new |= PS_F;
	if (sctlr & SCTLR32_TE)
		new |= A32_T;
	return new | mode;
}

/* host_spsr_to_spsr32(): DIT moves from bit 24 to bit 21 (and SS, which
 * AArch32 does not have at 21, goes). */
static uint64_t spsr_to_spsr32(uint64_t spsr)
{
	uint64_t dit = (spsr & A32_DIT) ? 1 : 0;

	spsr &= ~(BIT64(24) | BIT64(21));
	return spsr | (dit << 21);
}

static void enter_exception32(struct kvmsim_vcpu *v, unsigned int mode,
			      uint32_t vect_offset)
{
	/* Return offsets (ARM, Thumb) by vector: und 4/2, pabt 4/4, dabt 8/8. */
	static const uint8_t return_offsets[8][2] = {
		[1] = { 4, 2 }, [3] = { 4, 4 }, [4] = { 8, 8 },
		[6] = { 4, 4 }, [7] = { 4, 4 },
	};
	uint64_t spsr = pstate(v);
	bool thumb = spsr & A32_T;
	uint32_t sctlr = (uint32_t)sim_sr(v, SR_SCTLR_EL1);
	uint32_t ret;

	sim_core_set(v, CORE_PSTATE, except32_cpsr(v, mode));
	ret = (uint32_t)sim_core(v, CORE_PC) +
	      return_offsets[vect_offset >> 2][thumb];

	if (mode == A32_ABT) {
		sim_core_set(v, CORE_SPSR(1), spsr_to_spsr32(spsr));
		sim_core_set(v, CORE_X(CORE_X_LR_ABT), ret);
	} else if (mode == A32_UND) {
		sim_core_set(v, CORE_SPSR(2), spsr_to_spsr32(spsr));
		sim_core_set(v, CORE_X(22), ret); /* LR_und */
	}

	if (sctlr & SCTLR32_V)
		vect_offset += 0xffff0000u;
	else
		vect_offset += (uint32_t)sim_sr(v, SR_VBAR_EL1);
	sim_core_set(v, CORE_PC, vect_offset);
}

/*
 * kvm_inject_exception() via __kvm_adjust_pc(): perform the pending entry.
 * The EXCEPT_* codes are shared between the AArch32 and AArch64 lists, so
 * on an AArch32 EL1 vCPU an AArch64 code enters whatever AArch32 exception
 * has that number, and EL1_SERR (3) has none: the entry is dropped.
 */
void sim_commit_pending(struct kvmsim_vcpu *v)
{
	if (!v->pending_exception)
		return;
	if (sim_el1_is_32bit(v)) {
		switch (v->except) {
		case EXC_AA32_UND:
			enter_exception32(v, A32_UND, 4);
			break;
		case EXC_AA32_IABT:
			enter_exception32(v, A32_ABT, 12);
			break;
		case EXC_AA32_DABT:
			enter_exception32(v, A32_ABT, 16);
			break;
		default:
			break;
		}
	} else {
		switch (v->except) {
		case EXC_EL1_SYNC:
			enter_exception64(v, MODE_EL1h, TYPE_SYNC);
			break;
		case EXC_EL1_SERR:
			enter_exception64(v, MODE_EL1h, TYPE_SERROR);
			break;
		case EXC_EL2_SYNC:
			enter_exception64(v, MODE_EL2h, TYPE_SYNC);
			break;
		case EXC_EL2_IRQ:
			enter_exception64(v, MODE_EL2h, TYPE_IRQ);
			break;
		case EXC_EL2_SERR:
			enter_exception64(v, MODE_EL2h, TYPE_SERROR);
			break;
		default:
			break;
		}
	}
	v->pending_exception = false;
}

/* commit_pending_events() of guest.c: also forgets a pending MMIO, so the
 * next KVM_RUN does not step over the instruction. */
static void commit_pending_events(struct kvmsim_vcpu *v)
{
	if (!v->pending_exception)
		return;
	v->mmio_needed = false;
	sim_commit_pending(v);
}

/* kvm_inject_nested(): an exception into vEL2 from a nested context. KVM
 * commits what was pending for the L2 context before switching. */
static void inject_nested(struct kvmsim_vcpu *v, uint64_t esr, uint64_t type)
{
	sim_commit_pending(v);
	pend(v, type == TYPE_SERROR ? EXC_EL2_SERR : EXC_EL2_SYNC);
	/* Written for SErrors too: kvm_inject_nested_serror() relies on it. */
	sim_sr_set(v, SR_ESR_EL2, esr);
}

/* ---- Synchronous external data abort (ext_dabt_pending) ------------------- */

/* kvm_sea_target_is_el2(). */
static bool sea_target_is_el2(const struct kvmsim_vcpu *v)
{
	if (vhcr(v) & (HCR_TGE | HCR_TEA))
		return true;
	if (!mode_priv(v))
		return false;
	return (pstate(v) & PS_A) && (sim_sr(v, SR_HCRX_EL2) & HCRX_TMEA);
}

/* kvm_inject_nested_sea(): no S1PTW re-walk, no SCTLR2 feature check. */
static void inject_nested_sea(struct kvmsim_vcpu *v, uint64_t addr)
{
	uint64_t esr = ((uint64_t)EC_DABT_LOW << ESR_EC_SHIFT) | ESR_IL |
		       FSC_EXTABT;

	sim_sr_set(v, SR_FAR_EL2, addr);
	inject_nested(v, esr, (sim_sr(v, SR_SCTLR2_EL2) & SCTLR2_EASE) ?
			      TYPE_SERROR : TYPE_SYNC);
}

/* inject_abt64(), data abort. */
static void inject_abt64(struct kvmsim_vcpu *v, uint64_t addr)
{
	uint64_t old = pstate(v);
	bool lower = (old & PS_M32) || (old & PS_M_MASK) == MODE_EL0t;
	uint64_t fsc = FSC_EXTABT;
	uint64_t esr;

	/* After an abort on a stage-1 walk (S1PTW), KVM re-walks stage 1 to
	 * find the level; without an IPA or a result it injects nothing. */
	if (v->fault.esr & ESR_S1PTW) {
		if (!v->fault.ipa_valid || !v->fault.s1_walk_found)
			return;
		fsc = (uint64_t)FSC_SEA_TTW(v->fault.s1_walk_level) & ESR_FSC_MASK;
	}

	/* FEAT_DoubleFault2: SCTLR2_ELx.EASE sends it to the SError vector. */
	if (effective_sctlr2(v, SCTLR2_EASE))
		pend_serror(v);
	else
		pend_sync(v);

	esr = ESR_IL | fsc |
	      ((uint64_t)(lower ? EC_DABT_LOW : EC_DABT_CUR) << ESR_EC_SHIFT);
	sim_sr_set(v, target_far(v), addr);
	sim_sr_set(v, target_esr(v), esr);
}

/* inject_abt32(), data abort: DFSR (ESR_EL1) and DFAR (FAR_EL1[31:0]). */
static void inject_abt32(struct kvmsim_vcpu *v, uint32_t addr)
{
	uint64_t fsr = (sim_sr(v, SR_TCR_EL1) & TTBCR_EAE) ?
		       (BIT64(9) | 0x10) :   /* LPAE format, external abort */
		       0x08;                 /* short format, external abort */
	uint64_t far = sim_sr(v, SR_FAR_EL1);

	pend(v, EXC_AA32_DABT);
	far = (far & 0xffffffff00000000ULL) | addr;
	sim_sr_set(v, SR_ESR_EL1, fsr);
	sim_sr_set(v, SR_FAR_EL1, far);
}

void sim_inject_ext_dabt(struct kvmsim_vcpu *v)
{
	/* kvm_inject_sea_dabt(vcpu, kvm_vcpu_get_hfar(vcpu)) */
	uint64_t addr = v->fault.far;

	v->stats.ext_dabt++;
	if (is_nested_ctxt(v) && sea_target_is_el2(v))
		inject_nested_sea(v, addr);
	else if (sim_el1_is_32bit(v))
		inject_abt32(v, (uint32_t)addr);
	else
		inject_abt64(v, addr);
	if (!v->pending_exception)
		v->stats.ext_dabt_lost++;
	commit_pending_events(v);
}

/* ---- SError (serror_pending, and the SEA fallback) ------------------------- */

/* vcpu_el2_amo_is_set(): in vEL2 with E2H=1, TGE=0 KVM treats AMO as 1. */
static bool amo_is_set(const struct kvmsim_vcpu *v)
{
	if (vcpu_is_el2(v) && e2h_is_set(v) && !tge_is_set(v))
		return true;
	return vhcr(v) & HCR_AMO;
}

static bool serror_is_masked(const struct kvmsim_vcpu *v)
{
	return (pstate(v) & PS_A) && !effective_sctlr2(v, SCTLR2_NMEA);
}

/* kvm_serror_target_is_el2(). */
static bool serror_target_is_el2(const struct kvmsim_vcpu *v)
{
	if (sim_is_hyp_ctxt(v) || amo_is_set(v))
		return true;
	if (!(sim_sr(v, SR_HCRX_EL2) & HCRX_TMEA))
		return false;
	/* TMEA routing ignores NMEA for privileged modes. */
	if (mode_priv(v))
		return pstate(v) & PS_A;
	return serror_is_masked(v);
}

/* kvm_inject_serror_esr() followed by commit_pending_events(). */
void sim_inject_serror(struct kvmsim_vcpu *v, uint64_t esr)
{
	v->stats.serror++;
	if (!v->file.host->modern) {
		/* Before 5.5 KVM only ever made the SError pending. */
		v->vsesr = esr & ESR_ISS_MASK;
		v->vse = true;
		return;
	}
	if (is_nested_ctxt(v) && serror_target_is_el2(v)) {
		/* kvm_inject_nested_serror(); IL as for the emulated entry
		 * below (an SError always reports IL=1). */
		inject_nested(v, esr | ((uint64_t)EC_SERROR << ESR_EC_SHIFT) |
				 ESR_IL, TYPE_SERROR);
	} else if (vcpu_is_el2(v) && !(tge_is_set(v) || amo_is_set(v))) {
		/* vEL2 cannot take it now: park it for the guest hypervisor. */
		v->vsesr = esr;
		v->nested_serror_pending = true;
	} else if (!serror_is_masked(v)) {
		/* Unmasked: KVM emulates the entry and must write EC itself. */
		pend_serror(v);
		sim_sr_set(v, target_esr(v), esr | ESR_IL |
			   ((uint64_t)EC_SERROR << ESR_EC_SHIFT));
	} else {
		v->vsesr = esr & ESR_ISS_MASK;
		v->vse = true;
	}
	commit_pending_events(v);
}
