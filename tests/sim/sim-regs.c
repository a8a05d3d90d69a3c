// SPDX-License-Identifier: MIT
/*
 * The vCPU register file and KVM_GET/SET_ONE_REG as arm64 KVM answers them
 * (guest.c kvm_arm_get_reg/set_core_reg, sys_regs.c id_to_sys_reg_desc).
 */
#include <errno.h>
#include <string.h>

#include "sim-internal.h"

/* ONE_REG id fields (generic, and arm64's coprocessor field). */
#define REG_ARCH_MASK   0xff00000000000000ULL
#define REG_SIZE_MASK   0x00f0000000000000ULL
#define REG_SIZE_SHIFT  52
#define REG_COPROC_MASK 0x000000000fff0000ULL
#define REG_CORE        (0x0010ULL << 16)
#define REG_DEMUX       (0x0011ULL << 16)
#define REG_FW          (0x0014ULL << 16)
#define REG_SVE         (0x0015ULL << 16)
#define REG_FW_BMAP     (0x0016ULL << 16)
#define REG_SYSREG      (0x0013ULL << 16)
#define REG_SYSREG_ENC  0xffffULL        /* op0, op1, CRn, CRm, op2 */

/* When a system register is visible (the kernel's .visibility hooks). */
enum visibility {
	VIS_ALWAYS,
	VIS_SCTLR2,     /* kvm_has_sctlr2() */
	VIS_EL2,        /* el2_visibility: the vCPU has NV */
	VIS_EL2_SCTLR2, /* both */
};

struct sysreg_desc {
	uint64_t id;
	enum sim_sysreg reg;
	enum visibility vis;
	bool id_reg;    /* an ID register: fixed once the VM has run */
};

static const struct sysreg_desc sysregs[] = {
	{ KVMSEA_REG_ID_AA64PFR0_EL1, SR_ID_AA64PFR0_EL1, VIS_ALWAYS, true },
	{ KVMSEA_REG_ID_AA64PFR1_EL1, SR_ID_AA64PFR1_EL1, VIS_ALWAYS, true },
	{ KVMSEA_REG_ID_AA64MMFR3_EL1, SR_ID_AA64MMFR3_EL1, VIS_ALWAYS, true },
	{ KVMSEA_REG_SCTLR_EL1, SR_SCTLR_EL1, VIS_ALWAYS, false },
	{ KVMSEA_REG_SCTLR2_EL1, SR_SCTLR2_EL1, VIS_SCTLR2, false },
	{ KVMSEA_REG_TCR_EL1, SR_TCR_EL1, VIS_ALWAYS, false },
	{ KVMSEA_SYSREG(3, 0, 5, 1, 0), SR_AFSR0_EL1, VIS_ALWAYS, false },
	{ KVMSEA_SYSREG(3, 0, 5, 1, 1), SR_AFSR1_EL1, VIS_ALWAYS, false },
	{ KVMSEA_REG_ESR_EL1, SR_ESR_EL1, VIS_ALWAYS, false },
	{ KVMSEA_REG_FAR_EL1, SR_FAR_EL1, VIS_ALWAYS, false },
	{ KVMSEA_SYSREG(3, 0, 7, 4, 0), SR_PAR_EL1, VIS_ALWAYS, false },
	{ KVMSEA_REG_VBAR_EL1, SR_VBAR_EL1, VIS_ALWAYS, false },
	/* IFSR32_EL2 has no visibility filter in sys_regs.c. */
	{ KVMSEA_REG_IFSR32_EL2, SR_IFSR32_EL2, VIS_ALWAYS, false },
	{ KVMSEA_REG_SCTLR_EL2, SR_SCTLR_EL2, VIS_EL2, false },
	{ KVMSEA_REG_SCTLR2_EL2, SR_SCTLR2_EL2, VIS_EL2_SCTLR2, false },
	{ KVMSEA_REG_HCR_EL2, SR_HCR_EL2, VIS_EL2, false },
	{ KVMSEA_REG_HCRX_EL2, SR_HCRX_EL2, VIS_EL2, false },
	{ KVMSEA_SYSREG(3, 4, 2, 0, 2), SR_TCR_EL2, VIS_EL2, false },
	{ KVMSEA_REG_SPSR_EL2, SR_SPSR_EL2, VIS_EL2, false },
	{ KVMSEA_REG_ELR_EL2, SR_ELR_EL2, VIS_EL2, false },
	{ KVMSEA_REG_ESR_EL2, SR_ESR_EL2, VIS_EL2, false },
	{ KVMSEA_REG_FAR_EL2, SR_FAR_EL2, VIS_EL2, false },
	{ KVMSEA_SYSREG(3, 4, 6, 0, 4), SR_HPFAR_EL2, VIS_EL2, false },
	{ KVMSEA_REG_VBAR_EL2, SR_VBAR_EL2, VIS_EL2, false },
	{ KVMSEA_SYSREG(3, 6, 4, 1, 0), SR_SP_EL2, VIS_EL2, false },
};

#define NSYSREGS (sizeof(sysregs) / sizeof(sysregs[0]))

/* ---- Plain access -------------------------------------------------------- */

uint64_t sim_core(const struct kvmsim_vcpu *v, unsigned int off)
{
	uint64_t val;

	memcpy(&val, &v->core[off], sizeof(val));
	return val;
}

void sim_core_set(struct kvmsim_vcpu *v, unsigned int off, uint64_t val)
{
	memcpy(&v->core[off], &val, sizeof(val));
}

uint64_t sim_sr(const struct kvmsim_vcpu *v, enum sim_sysreg r)
{
	return v->sysreg[r];
}

void sim_sr_set(struct kvmsim_vcpu *v, enum sim_sysreg r, uint64_t val)
{
	v->sysreg[r] = val;
}

/* ---- Features ------------------------------------------------------------ */

bool sim_has_nv(const struct kvmsim_vcpu *v)
{
	return v->features & KVMSIM_VCPU_HAS_EL2;
}

bool sim_el1_is_32bit(const struct kvmsim_vcpu *v)
{
	return v->features & KVMSIM_VCPU_EL1_32BIT;
}

/* kvm_has_ras(): the VM's ID_AA64PFR0_EL1.RAS, which userspace may lower. */
bool sim_vm_has_ras(const struct kvmsim_vcpu *v)
{
	return ID_FIELD(v->sysreg[SR_ID_AA64PFR0_EL1], PFR0_RAS_SHIFT) >= 1;
}

/* kvm_has_sctlr2(): ID_AA64MMFR3_EL1.SCTLRX, bits [7:4]. */
bool sim_vm_has_sctlr2(const struct kvmsim_vcpu *v)
{
	return ID_FIELD(v->sysreg[SR_ID_AA64MMFR3_EL1], MMFR3_SCTLRX_SHIFT) >= 1;
}

/* kvm_has_mte(): the KVM_CAP_ARM_MTE flag, not the ID register. */
bool sim_vm_has_mte(const struct kvmsim_vcpu *v)
{
	return v->vm->flags & KVMSIM_VM_MTE;
}

/* ---- Reset ------------------------------------------------------------------ */

void sim_reset_regs(struct kvmsim_vcpu *v)
{
	bool sctlr2 = v->features & KVMSIM_VCPU_SCTLR2;
	bool ras = v->vm->file.host->ras && !(v->vm->flags & KVMSIM_VM_NO_RAS);
	uint64_t pstate;

	memset(v->core, 0, sizeof(v->core));
	memset(v->sysreg, 0, sizeof(v->sysreg));

	/* kvm_reset_vcpu(): SVC for an AArch32 EL1, EL2h with NV, else EL1h;
	 * D (AArch64 only), A, I and F masked. */
	if (sim_el1_is_32bit(v))
		pstate = A32_SVC | PS_A | PS_I | PS_F;
	else if (sim_has_nv(v))
		pstate = MODE_EL2h | PS_DAIF;
	else
		pstate = MODE_EL1h | PS_DAIF;
	sim_core_set(v, CORE_PSTATE, pstate);

	v->sysreg[SR_SCTLR_EL1] = 0x00C50078;  /* KVM's reset value, SPAN set */
	if (sim_has_nv(v))
		v->sysreg[SR_SCTLR_EL2] = 0x30C50830; /* the RES1 bits, SPAN set */

	/* EL0 and EL1: AArch64 and AArch32; EL2 only with NV; RAS as the
	 * host has it unless the VMM lowered it. */
	v->sysreg[SR_ID_AA64PFR0_EL1] = 0x22 |
		(sim_has_nv(v) ? 1ULL << 8 : 0) |
		(ras ? 1ULL << PFR0_RAS_SHIFT : 0);
	/* MTE2 shows only when the VM enabled MTE; DF2 comes with SCTLR2 here
	 * (the EASE test of the selftests needs both). */
	v->sysreg[SR_ID_AA64PFR1_EL1] =
		(sim_vm_has_mte(v) ? 2ULL << PFR1_MTE_SHIFT : 0) |
		(sctlr2 ? 1ULL << PFR1_DF2_SHIFT : 0);
	v->sysreg[SR_ID_AA64MMFR3_EL1] = sctlr2 ? 1ULL << MMFR3_SCTLRX_SHIFT : 0;
}

/* ---- Lookup ----------------------------------------------------------------- */

static const struct sysreg_desc *find_sysreg(uint64_t id)
{
	for (size_t i = 0; i < NSYSREGS; i++)
		if (sysregs[i].id == id)
			return &sysregs[i];
	return NULL;
}

static bool sysreg_visible(const struct kvmsim_vcpu *v,
			   const struct sysreg_desc *d)
{
	switch (d->vis) {
	case VIS_ALWAYS:
		return true;
	case VIS_SCTLR2:
		return sim_vm_has_sctlr2(v);
	case VIS_EL2:
		return sim_has_nv(v);
	case VIS_EL2_SCTLR2:
		return sim_has_nv(v) && sim_vm_has_sctlr2(v);
	}
	return false;
}

/* The 64-bit core registers the fixture may touch directly. */
static bool core_is_u64_reg(unsigned int off)
{
	if (off % 2)
		return false;
	return off <= CORE_ELR_EL1 || (off >= CORE_SPSR(0) && off <= CORE_SPSR(4));
}

int sim_reg_raw(const struct kvmsim_vcpu *v, uint64_t id, uint64_t **slot,
		unsigned int *core_off)
{
	const struct sysreg_desc *d;

	if ((id & ~0xffffULL) == KVMSEA_CORE_REG(0) &&
	    core_is_u64_reg((unsigned int)(id & 0xffff))) {
		*slot = NULL;
		*core_off = (unsigned int)(id & 0xffff);
		return 0;
	}
	d = find_sysreg(id);
	if (!d)
		return -ENOENT;
	*slot = (uint64_t *)&v->sysreg[d->reg];
	return 0;
}

/* ---- Core registers (guest.c) ------------------------------------------- */

static uint64_t reg_size(uint64_t id)
{
	return 1ULL << ((id & REG_SIZE_MASK) >> REG_SIZE_SHIFT);
}

/* validate_core_offset(): the size must be the member's and aligned. */
static int validate_core_offset(uint64_t off, uint64_t size)
{
	uint64_t want;

	if (off <= CORE_X(30) || off == CORE_SP || off == CORE_PC ||
	    off == CORE_PSTATE || off == CORE_SP_EL1 || off == CORE_ELR_EL1 ||
	    (off >= CORE_SPSR(0) && off <= CORE_SPSR(4)))
		want = 8;
	else if (off >= CORE_VREG(0) && off <= CORE_VREG(31))
		want = 16;
	else if (off == CORE_FPSR || off == CORE_FPCR)
		want = 4;
	else
		return -EINVAL;
	if (size != want || off % (want / 4))
		return -EINVAL;
	return 0;
}

/* The offset in u32 words, or -ENOENT/-EINVAL as get/set_core_reg say. */
static int core_offset(uint64_t id, unsigned int *offp)
{
	uint64_t off = id & ~(REG_ARCH_MASK | REG_SIZE_MASK | REG_CORE);
	uint64_t size = reg_size(id);

	if (off >= CORE_WORDS || off + size / 4 >= CORE_WORDS)
		return -ENOENT;
	if (validate_core_offset(off, size))
		return -EINVAL;
	*offp = (unsigned int)off;
	return 0;
}

/* set_core_reg()'s PSTATE check: which modes this vCPU may be put in. */
static int check_pstate_mode(const struct kvmsim_vcpu *v, uint64_t pstate)
{
	switch (pstate & PS_M5_MASK) {
	case A32_USR:
		return 0; /* the simulated host supports AArch32 EL0 */
	case A32_FIQ:
	case A32_IRQ:
	case A32_SVC:
	case A32_ABT:
	case A32_UND:
		return sim_el1_is_32bit(v) ? 0 : -EINVAL;
	case MODE_EL0t:
	case MODE_EL1t:
	case MODE_EL1h:
		return sim_el1_is_32bit(v) ? -EINVAL : 0;
	case MODE_EL2h:
	case MODE_EL2t:
		return (sim_el1_is_32bit(v) || !sim_has_nv(v)) ? -EINVAL : 0;
	default:
		return -EINVAL; /* SYS, HYP, MON, EL3 and the rest */
	}
}

/* After any core write, an AArch32 context keeps only 32-bit values:
 * r0-r14 (USR/SYS) or all banked copies too (privileged modes), and PC. */
static void narrow_aarch32(struct kvmsim_vcpu *v)
{
	uint64_t pstate = sim_core(v, CORE_PSTATE);
	unsigned int mode = pstate & PS_M5_MASK;
	unsigned int nr;

	if (!(pstate & PS_M32))
		return;
	nr = (mode == A32_USR || mode == A32_SYS) ? 15 : 31;
	for (unsigned int i = 0; i < nr; i++)
		sim_core_set(v, CORE_X(i), (uint32_t)sim_core(v, CORE_X(i)));
	sim_core_set(v, CORE_PC, (uint32_t)sim_core(v, CORE_PC));
}

static int get_core(struct kvmsim_vcpu *v, uint64_t id, void *uaddr)
{
	unsigned int off;
	int ret = core_offset(id, &off);

	if (ret)
		return ret;
	memcpy(uaddr, &v->core[off], reg_size(id));
	return 0;
}

static int set_core(struct kvmsim_vcpu *v, uint64_t id, const void *uaddr)
{
	unsigned int off;
	int ret = core_offset(id, &off);

	if (ret)
		return ret;
	if (off == CORE_PSTATE) {
		uint64_t pstate;

		memcpy(&pstate, uaddr, sizeof(pstate));
		ret = check_pstate_mode(v, pstate);
		if (ret)
			return ret;
	}
	memcpy(&v->core[off], uaddr, reg_size(id));
	narrow_aarch32(v);
	return 0;
}

/* ---- The ONE_REG entry points ------------------------------------------- */

/* kvm_arm_get/set_reg(): the arch check, then by coprocessor. Returns the
 * sysreg descriptor through @descp when the id names a system register. */
static int classify(const struct kvmsim_vcpu *v, uint64_t id,
		    const struct sysreg_desc **descp)
{
	const struct sysreg_desc *d;

	*descp = NULL;
	if (((id & ~REG_SIZE_MASK) >> 32) != (KVMSEA_REG_ARM64 >> 32))
		return -EINVAL;
	switch (id & REG_COPROC_MASK) {
	case REG_CORE:
		return 0;
	case REG_FW:
	case REG_FW_BMAP:
	case REG_SVE:
	case REG_DEMUX:
		return -ENOENT; /* not modelled: no firmware, SVE or CCSIDR regs */
	case REG_SYSREG:
		break;
	default:
		return -ENOENT;
	}
	/* index_to_params(): only 64-bit ids with nothing but the encoding. */
	if ((id & REG_SIZE_MASK) != KVMSEA_REG_SIZE_U64 ||
	    (id & ~(REG_ARCH_MASK | REG_SIZE_MASK | REG_COPROC_MASK |
		    REG_SYSREG_ENC)))
		return -ENOENT;
	d = find_sysreg(id);
	/* Unknown here, storage-less in KVM (SPSR_EL1, ELR_EL1 and SP_EL1 by
	 * their sysreg ids) or hidden by a visibility hook: -ENOENT. */
	if (!d || !sysreg_visible(v, d))
		return -ENOENT;
	*descp = d;
	return 0;
}

int sim_get_one_reg(struct kvmsim_vcpu *v, uint64_t id, void *uaddr)
{
	const struct sysreg_desc *d;
	int ret;

	if (!uaddr)
		return -EFAULT;
	ret = classify(v, id, &d);
	if (ret)
		return ret;
	if (!d)
		return get_core(v, id, uaddr);
	memcpy(uaddr, &v->sysreg[d->reg], sizeof(uint64_t));
	return 0;
}

int sim_set_one_reg(struct kvmsim_vcpu *v, uint64_t id, const void *uaddr)
{
	const struct sysreg_desc *d;
	uint64_t val;
	int ret;

	if (!uaddr)
		return -EFAULT;
	ret = classify(v, id, &d);
	if (ret)
		return ret;
	if (!d)
		return set_core(v, id, uaddr);
	memcpy(&val, uaddr, sizeof(val));
	/* ID registers are VM configuration: changeable until the VM runs. */
	if (d->id_reg && atomic_load(&v->vm->has_run) &&
	    val != v->sysreg[d->reg])
		return -EBUSY;
	v->sysreg[d->reg] = val;
	return 0;
}
