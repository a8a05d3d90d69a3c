/* SPDX-License-Identifier: MIT */
/*
 * Name tables for ESR decoding: exception classes, fault status codes and
 * well-known system registers. Facts from the Arm ARM (DDI 0487: ESR_ELx,
 * and the system register encodings); the words are ours.
 */
#include <stddef.h>

#include "esr-internal.h"

/*
 * The strings of each table below live in one struct of char arrays, one
 * member a string, and the table holds 16-bit offsets into it: a table of
 * pointers needs a relocation per entry when the library is loaded, an
 * offset needs none (docs/performance.md, "Name tables"). Each table is
 * written once, as a list macro expanded three times: the members, their
 * strings, and the offsets.
 */
#define OFFSET(strings, member) ((uint16_t)offsetof(struct strings, member))

/* Exception classes: value, name, description. Every unallocated value has
 * the name "UNALLOCATED" and a description of its own. */
#define EC_TABLE(EC, UNALLOC) \
	EC(0x00, "UNKNOWN", "Unknown reason") \
	EC(0x01, "WFX", "Trapped WFI, WFE, WFIT or WFET") \
	UNALLOC(0x02) \
	EC(0x03, "CP15_32", "Trapped MCR or MRC access (coproc 0b1111)") \
	EC(0x04, "CP15_64", "Trapped MCRR or MRRC access (coproc 0b1111)") \
	EC(0x05, "CP14_MR", "Trapped MCR or MRC access (coproc 0b1110)") \
	EC(0x06, "CP14_LS", "Trapped LDC or STC access") \
	EC(0x07, "FP_ASIMD", "Trapped SVE, Advanced SIMD or floating-point access") \
	EC(0x08, "CP10_ID", "Trapped VMRS access (coproc 0b1010)") \
	EC(0x09, "PAC", "Trapped pointer authentication instruction") \
	EC(0x0a, "OTHER", "Trapped LD64B, ST64B, ST64BV or ST64BV0, or other instruction") \
	UNALLOC(0x0b) \
	EC(0x0c, "CP14_64", "Trapped MRRC access (coproc 0b1110)") \
	EC(0x0d, "BTI", "Branch Target Exception") \
	EC(0x0e, "ILL", "Illegal Execution state") \
	UNALLOC(0x0f) \
	UNALLOC(0x10) \
	EC(0x11, "SVC32", "SVC instruction in AArch32 state") \
	EC(0x12, "HVC32", "HVC instruction in AArch32 state") \
	EC(0x13, "SMC32", "SMC instruction in AArch32 state") \
	EC(0x14, "SYS128", "Trapped MSRR, MRRS or 128-bit System instruction") \
	EC(0x15, "SVC64", "SVC instruction in AArch64 state") \
	EC(0x16, "HVC64", "HVC instruction in AArch64 state") \
	EC(0x17, "SMC64", "SMC instruction in AArch64 state") \
	EC(0x18, "SYS64", "Trapped MSR, MRS or System instruction") \
	EC(0x19, "SVE", "Trapped SVE access") \
	EC(0x1a, "ERET", "Trapped ERET, ERETAA or ERETAB") \
	EC(0x1b, "TSTART", "Trapped TSTART instruction (FEAT_TME)") \
	EC(0x1c, "FPAC", "Pointer authentication failure") \
	EC(0x1d, "SME", "Trapped SME access") \
	EC(0x1e, "GPC", "Granule Protection Check (reported to EL3 only)") \
	EC(0x1f, "IMP_DEF", "IMPLEMENTATION DEFINED exception to EL3") \
	EC(0x20, "IABT_LOW", "Instruction Abort from a lower EL") \
	EC(0x21, "IABT_CUR", "Instruction Abort from the same EL") \
	EC(0x22, "PC_ALIGN", "PC alignment fault") \
	UNALLOC(0x23) \
	EC(0x24, "DABT_LOW", "Data Abort from a lower EL") \
	EC(0x25, "DABT_CUR", "Data Abort from the same EL") \
	EC(0x26, "SP_ALIGN", "SP alignment fault") \
	EC(0x27, "MOPS", "Memory Copy or Memory Set exception") \
	EC(0x28, "FP_EXC32", "Trapped floating-point exception (AArch32)") \
	UNALLOC(0x29) \
	UNALLOC(0x2a) \
	UNALLOC(0x2b) \
	EC(0x2c, "FP_EXC64", "Trapped floating-point exception (AArch64)") \
	EC(0x2d, "GCS", "Guarded Control Stack exception") \
	UNALLOC(0x2e) \
	EC(0x2f, "SERROR", "SError exception") \
	EC(0x30, "BREAKPT_LOW", "Breakpoint from a lower EL") \
	EC(0x31, "BREAKPT_CUR", "Breakpoint from the same EL") \
	EC(0x32, "SOFTSTP_LOW", "Software Step from a lower EL") \
	EC(0x33, "SOFTSTP_CUR", "Software Step from the same EL") \
	EC(0x34, "WATCHPT_LOW", "Watchpoint from a lower EL") \
	EC(0x35, "WATCHPT_CUR", "Watchpoint from the same EL") \
	UNALLOC(0x36) \
	UNALLOC(0x37) \
	EC(0x38, "BKPT32", "BKPT instruction in AArch32 state") \
	UNALLOC(0x39) \
	EC(0x3a, "VECTOR32", "Vector Catch (AArch32)") \
	UNALLOC(0x3b) \
	EC(0x3c, "BRK64", "BRK instruction in AArch64 state") \
	EC(0x3d, "PMU", "PMU exception (FEAT_EBEP)") \
	UNALLOC(0x3e) \
	UNALLOC(0x3f)

#define EC_MEMBERS(v, name, desc) \
	char name_##v[sizeof(name)]; char desc_##v[sizeof(desc)];
#define EC_STRINGS(v, name, desc) .name_##v = name, .desc_##v = desc,
#define EC_OFFSETS(v, name, desc) \
	[v] = { OFFSET(ec_strings, name_##v), OFFSET(ec_strings, desc_##v) },
#define UNALLOC_MEMBERS(v) char desc_##v[sizeof("Unallocated EC " #v)];
#define UNALLOC_STRINGS(v) .desc_##v = "Unallocated EC " #v,
#define UNALLOC_OFFSETS(v) \
	[v] = { OFFSET(ec_strings, unallocated), OFFSET(ec_strings, desc_##v) },

static const struct ec_strings {
	char unallocated[sizeof("UNALLOCATED")];
	EC_TABLE(EC_MEMBERS, UNALLOC_MEMBERS)
} ec_strings = {
	.unallocated = "UNALLOCATED",
	EC_TABLE(EC_STRINGS, UNALLOC_STRINGS)
};

static const struct {
	uint16_t name, description;
} ec_offsets[64] = {
	EC_TABLE(EC_OFFSETS, UNALLOC_OFFSETS)
};

_Static_assert(sizeof(struct ec_strings) <= UINT16_MAX,
	       "EC strings fit 16-bit offsets");

KVMSEA_EXPORT const char *kvmsea_esr_ec_name(unsigned int ec)
{
	return ec < 64 ? (const char *)&ec_strings + ec_offsets[ec].name
		       : "INVALID";
}

KVMSEA_EXPORT const char *kvmsea_esr_ec_description(unsigned int ec)
{
	return ec < 64 ? (const char *)&ec_strings + ec_offsets[ec].description
		       : "invalid";
}

#define TTW "on a translation table walk"

/* AArch64 DFSC/IFSC values: value, description; the reserved codes share
 * one "reserved". Not every code applies to both kinds of abort (0x11, 0x21
 * and 0x35 are data-only); the descriptions say what the code means
 * wherever it is defined. */
#define FSC_TABLE(FSC, RESERVED) \
	FSC(0x00, "address size fault, level 0 or translation table base register") \
	FSC(0x01, "address size fault, level 1") \
	FSC(0x02, "address size fault, level 2") \
	FSC(0x03, "address size fault, level 3") \
	FSC(0x04, "translation fault, level 0") \
	FSC(0x05, "translation fault, level 1") \
	FSC(0x06, "translation fault, level 2") \
	FSC(0x07, "translation fault, level 3") \
	FSC(0x08, "access flag fault, level 0") \
	FSC(0x09, "access flag fault, level 1") \
	FSC(0x0a, "access flag fault, level 2") \
	FSC(0x0b, "access flag fault, level 3") \
	FSC(0x0c, "permission fault, level 0") \
	FSC(0x0d, "permission fault, level 1") \
	FSC(0x0e, "permission fault, level 2") \
	FSC(0x0f, "permission fault, level 3") \
	FSC(0x10, "synchronous external abort, not " TTW) \
	FSC(0x11, "synchronous tag check fault") \
	FSC(0x12, "synchronous external abort " TTW ", level -2") \
	FSC(0x13, "synchronous external abort " TTW ", level -1") \
	FSC(0x14, "synchronous external abort " TTW ", level 0") \
	FSC(0x15, "synchronous external abort " TTW ", level 1") \
	FSC(0x16, "synchronous external abort " TTW ", level 2") \
	FSC(0x17, "synchronous external abort " TTW ", level 3") \
	FSC(0x18, "synchronous parity or ECC error, not " TTW) \
	RESERVED(0x19) \
	RESERVED(0x1a) \
	FSC(0x1b, "synchronous parity or ECC error " TTW ", level -1") \
	FSC(0x1c, "synchronous parity or ECC error " TTW ", level 0") \
	FSC(0x1d, "synchronous parity or ECC error " TTW ", level 1") \
	FSC(0x1e, "synchronous parity or ECC error " TTW ", level 2") \
	FSC(0x1f, "synchronous parity or ECC error " TTW ", level 3") \
	RESERVED(0x20) \
	FSC(0x21, "alignment fault") \
	FSC(0x22, "granule protection fault " TTW ", level -2") \
	FSC(0x23, "granule protection fault " TTW ", level -1") \
	FSC(0x24, "granule protection fault " TTW ", level 0") \
	FSC(0x25, "granule protection fault " TTW ", level 1") \
	FSC(0x26, "granule protection fault " TTW ", level 2") \
	FSC(0x27, "granule protection fault " TTW ", level 3") \
	FSC(0x28, "granule protection fault, not " TTW) \
	FSC(0x29, "address size fault, level -1") \
	FSC(0x2a, "translation fault, level -2") \
	FSC(0x2b, "translation fault, level -1") \
	FSC(0x2c, "address size fault, level -2") \
	RESERVED(0x2d) \
	RESERVED(0x2e) \
	RESERVED(0x2f) \
	FSC(0x30, "TLB conflict abort") \
	FSC(0x31, "unsupported atomic hardware update fault") \
	RESERVED(0x32) \
	RESERVED(0x33) \
	FSC(0x34, "IMPLEMENTATION DEFINED fault (lockdown)") \
	FSC(0x35, "IMPLEMENTATION DEFINED fault (unsupported exclusive or atomic access)") \
	RESERVED(0x36) \
	RESERVED(0x37) \
	RESERVED(0x38) \
	RESERVED(0x39) \
	RESERVED(0x3a) \
	RESERVED(0x3b) \
	RESERVED(0x3c) \
	FSC(0x3d, "reserved (section domain fault in AArch32 only)") \
	FSC(0x3e, "reserved (page domain fault in AArch32 only)") \
	RESERVED(0x3f)

#define FSC_MEMBERS(v, desc) char fsc_##v[sizeof(desc)];
#define FSC_STRINGS(v, desc) .fsc_##v = desc,
#define FSC_OFFSETS(v, desc) [v] = OFFSET(fsc_strings, fsc_##v),
#define RESERVED_NOTHING(v)
#define RESERVED_OFFSETS(v) [v] = OFFSET(fsc_strings, reserved),

static const struct fsc_strings {
	char reserved[sizeof("reserved")];
	FSC_TABLE(FSC_MEMBERS, RESERVED_NOTHING)
} fsc_strings = {
	.reserved = "reserved",
	FSC_TABLE(FSC_STRINGS, RESERVED_NOTHING)
};

static const uint16_t fsc_offsets[64] = {
	FSC_TABLE(FSC_OFFSETS, RESERVED_OFFSETS)
};

_Static_assert(sizeof(struct fsc_strings) <= UINT16_MAX,
	       "FSC strings fit 16-bit offsets");

KVMSEA_EXPORT const char *kvmsea_esr_fsc_description(unsigned int fsc)
{
	return fsc < 64 ? (const char *)&fsc_strings + fsc_offsets[fsc]
			: "invalid";
}

const char *kvmsea_esr_layout_name(enum kvmsea_esr_layout layout)
{
	switch (layout) {
	case KVMSEA_LAYOUT_NONE:
		return "none";
	case KVMSEA_LAYOUT_ABORT:
		return "abort";
	case KVMSEA_LAYOUT_SERROR:
		return "serror";
	case KVMSEA_LAYOUT_WFX:
		return "wfx";
	case KVMSEA_LAYOUT_IMM16:
		return "imm16";
	case KVMSEA_LAYOUT_SYSREG:
		return "sysreg";
	case KVMSEA_LAYOUT_DEBUG:
		return "debug";
	case KVMSEA_LAYOUT_FP_EXC:
		return "fp_exc";
	case KVMSEA_LAYOUT_BTI:
		return "bti";
	case KVMSEA_LAYOUT_PAC:
		return "pac";
	case KVMSEA_LAYOUT_MOPS:
		return "mops";
	case KVMSEA_LAYOUT_GCS:
		return "gcs";
	}
	return "none";
}

/*
 * Well-known system registers and system instructions, for naming an EC 0x18
 * trap. Sorted by key (op0, op1, CRn, CRm, op2) so a lookup is a binary
 * search; tests/esr checks the order and, with the cross binutils, checks
 * each encoding against the disassembler's name for it.
 */
#define SYSREG_TABLE(R) \
	/* op0 = 1: cache, address translation and TLB maintenance */ \
	R(1, 0, 7, 1, 0, "IC IALLUIS") \
	R(1, 0, 7, 5, 0, "IC IALLU") \
	R(1, 0, 7, 6, 1, "DC IVAC") \
	R(1, 0, 7, 6, 2, "DC ISW") \
	R(1, 0, 7, 8, 0, "AT S1E1R") \
	R(1, 0, 7, 8, 1, "AT S1E1W") \
	R(1, 0, 7, 8, 2, "AT S1E0R") \
	R(1, 0, 7, 8, 3, "AT S1E0W") \
	R(1, 0, 7, 10, 2, "DC CSW") \
	R(1, 0, 7, 14, 2, "DC CISW") \
	R(1, 0, 8, 3, 0, "TLBI VMALLE1IS") \
	R(1, 0, 8, 3, 1, "TLBI VAE1IS") \
	R(1, 0, 8, 3, 2, "TLBI ASIDE1IS") \
	R(1, 0, 8, 3, 3, "TLBI VAAE1IS") \
	R(1, 0, 8, 3, 5, "TLBI VALE1IS") \
	R(1, 0, 8, 7, 0, "TLBI VMALLE1") \
	R(1, 0, 8, 7, 1, "TLBI VAE1") \
	R(1, 0, 8, 7, 2, "TLBI ASIDE1") \
	R(1, 0, 8, 7, 3, "TLBI VAAE1") \
	R(1, 0, 8, 7, 5, "TLBI VALE1") \
	R(1, 3, 7, 4, 1, "DC ZVA") \
	R(1, 3, 7, 5, 1, "IC IVAU") \
	R(1, 3, 7, 10, 1, "DC CVAC") \
	R(1, 3, 7, 11, 1, "DC CVAU") \
	R(1, 3, 7, 12, 1, "DC CVAP") \
	R(1, 3, 7, 14, 1, "DC CIVAC") \
	/* op0 = 2: debug */ \
	R(2, 0, 0, 0, 4, "DBGBVR0_EL1") \
	R(2, 0, 0, 0, 5, "DBGBCR0_EL1") \
	R(2, 0, 0, 0, 6, "DBGWVR0_EL1") \
	R(2, 0, 0, 0, 7, "DBGWCR0_EL1") \
	R(2, 0, 0, 2, 0, "MDCCINT_EL1") \
	R(2, 0, 0, 2, 2, "MDSCR_EL1") \
	R(2, 0, 1, 0, 0, "MDRAR_EL1") \
	R(2, 0, 1, 0, 4, "OSLAR_EL1") \
	R(2, 0, 1, 1, 4, "OSLSR_EL1") \
	R(2, 0, 1, 3, 4, "OSDLR_EL1") \
	R(2, 0, 1, 4, 4, "DBGPRCR_EL1") \
	R(2, 0, 7, 8, 6, "DBGCLAIMSET_EL1") \
	R(2, 0, 7, 9, 6, "DBGCLAIMCLR_EL1") \
	R(2, 0, 7, 14, 6, "DBGAUTHSTATUS_EL1") \
	R(2, 3, 0, 1, 0, "MDCCSR_EL0") \
	/* op0 = 3, op1 = 0: EL1 */ \
	R(3, 0, 0, 0, 0, "MIDR_EL1") \
	R(3, 0, 0, 0, 5, "MPIDR_EL1") \
	R(3, 0, 0, 0, 6, "REVIDR_EL1") \
	R(3, 0, 0, 4, 0, "ID_AA64PFR0_EL1") \
	R(3, 0, 0, 4, 1, "ID_AA64PFR1_EL1") \
	R(3, 0, 0, 4, 4, "ID_AA64ZFR0_EL1") \
	R(3, 0, 0, 4, 5, "ID_AA64SMFR0_EL1") \
	R(3, 0, 0, 5, 0, "ID_AA64DFR0_EL1") \
	R(3, 0, 0, 5, 1, "ID_AA64DFR1_EL1") \
	R(3, 0, 0, 5, 4, "ID_AA64AFR0_EL1") \
	R(3, 0, 0, 5, 5, "ID_AA64AFR1_EL1") \
	R(3, 0, 0, 6, 0, "ID_AA64ISAR0_EL1") \
	R(3, 0, 0, 6, 1, "ID_AA64ISAR1_EL1") \
	R(3, 0, 0, 6, 2, "ID_AA64ISAR2_EL1") \
	R(3, 0, 0, 7, 0, "ID_AA64MMFR0_EL1") \
	R(3, 0, 0, 7, 1, "ID_AA64MMFR1_EL1") \
	R(3, 0, 0, 7, 2, "ID_AA64MMFR2_EL1") \
	R(3, 0, 1, 0, 0, "SCTLR_EL1") \
	R(3, 0, 1, 0, 1, "ACTLR_EL1") \
	R(3, 0, 1, 0, 2, "CPACR_EL1") \
	R(3, 0, 2, 0, 0, "TTBR0_EL1") \
	R(3, 0, 2, 0, 1, "TTBR1_EL1") \
	R(3, 0, 2, 0, 2, "TCR_EL1") \
	R(3, 0, 4, 0, 0, "SPSR_EL1") \
	R(3, 0, 4, 0, 1, "ELR_EL1") \
	R(3, 0, 4, 1, 0, "SP_EL0") \
	R(3, 0, 4, 2, 0, "SPSel") \
	R(3, 0, 4, 2, 2, "CurrentEL") \
	R(3, 0, 4, 2, 3, "PAN") \
	R(3, 0, 4, 2, 4, "UAO") \
	R(3, 0, 4, 6, 0, "ICC_PMR_EL1") \
	R(3, 0, 5, 1, 0, "AFSR0_EL1") \
	R(3, 0, 5, 1, 1, "AFSR1_EL1") \
	R(3, 0, 5, 2, 0, "ESR_EL1") \
	R(3, 0, 5, 3, 0, "ERRIDR_EL1") \
	R(3, 0, 5, 3, 1, "ERRSELR_EL1") \
	R(3, 0, 5, 4, 0, "ERXFR_EL1") \
	R(3, 0, 5, 4, 1, "ERXCTLR_EL1") \
	R(3, 0, 5, 4, 2, "ERXSTATUS_EL1") \
	R(3, 0, 5, 4, 3, "ERXADDR_EL1") \
	R(3, 0, 5, 4, 4, "ERXPFGF_EL1") \
	R(3, 0, 5, 4, 5, "ERXPFGCTL_EL1") \
	R(3, 0, 5, 4, 6, "ERXPFGCDN_EL1") \
	R(3, 0, 5, 5, 0, "ERXMISC0_EL1") \
	R(3, 0, 5, 5, 1, "ERXMISC1_EL1") \
	R(3, 0, 5, 5, 2, "ERXMISC2_EL1") \
	R(3, 0, 5, 5, 3, "ERXMISC3_EL1") \
	R(3, 0, 5, 6, 0, "TFSR_EL1") \
	R(3, 0, 5, 6, 1, "TFSRE0_EL1") \
	R(3, 0, 6, 0, 0, "FAR_EL1") \
	R(3, 0, 7, 4, 0, "PAR_EL1") \
	R(3, 0, 9, 14, 1, "PMINTENSET_EL1") \
	R(3, 0, 9, 14, 2, "PMINTENCLR_EL1") \
	R(3, 0, 10, 2, 0, "MAIR_EL1") \
	R(3, 0, 10, 3, 0, "AMAIR_EL1") \
	R(3, 0, 12, 0, 0, "VBAR_EL1") \
	R(3, 0, 12, 1, 0, "ISR_EL1") \
	R(3, 0, 12, 1, 1, "DISR_EL1") \
	R(3, 0, 12, 8, 0, "ICC_IAR0_EL1") \
	R(3, 0, 12, 8, 1, "ICC_EOIR0_EL1") \
	R(3, 0, 12, 11, 1, "ICC_DIR_EL1") \
	R(3, 0, 12, 11, 3, "ICC_RPR_EL1") \
	R(3, 0, 12, 11, 5, "ICC_SGI1R_EL1") \
	R(3, 0, 12, 11, 6, "ICC_ASGI1R_EL1") \
	R(3, 0, 12, 11, 7, "ICC_SGI0R_EL1") \
	R(3, 0, 12, 12, 0, "ICC_IAR1_EL1") \
	R(3, 0, 12, 12, 1, "ICC_EOIR1_EL1") \
	R(3, 0, 12, 12, 2, "ICC_HPPIR1_EL1") \
	R(3, 0, 12, 12, 3, "ICC_BPR1_EL1") \
	R(3, 0, 12, 12, 4, "ICC_CTLR_EL1") \
	R(3, 0, 12, 12, 5, "ICC_SRE_EL1") \
	R(3, 0, 12, 12, 6, "ICC_IGRPEN0_EL1") \
	R(3, 0, 12, 12, 7, "ICC_IGRPEN1_EL1") \
	R(3, 0, 13, 0, 1, "CONTEXTIDR_EL1") \
	R(3, 0, 13, 0, 4, "TPIDR_EL1") \
	R(3, 0, 14, 1, 0, "CNTKCTL_EL1") \
	/* op0 = 3, op1 = 1..2: cache identification */ \
	R(3, 1, 0, 0, 0, "CCSIDR_EL1") \
	R(3, 1, 0, 0, 1, "CLIDR_EL1") \
	R(3, 1, 0, 0, 7, "AIDR_EL1") \
	R(3, 2, 0, 0, 0, "CSSELR_EL1") \
	/* op0 = 3, op1 = 3: EL0 */ \
	R(3, 3, 0, 0, 1, "CTR_EL0") \
	R(3, 3, 0, 0, 7, "DCZID_EL0") \
	R(3, 3, 4, 2, 0, "NZCV") \
	R(3, 3, 4, 2, 1, "DAIF") \
	R(3, 3, 4, 4, 0, "FPCR") \
	R(3, 3, 4, 4, 1, "FPSR") \
	R(3, 3, 9, 12, 0, "PMCR_EL0") \
	R(3, 3, 9, 12, 1, "PMCNTENSET_EL0") \
	R(3, 3, 9, 12, 2, "PMCNTENCLR_EL0") \
	R(3, 3, 9, 12, 3, "PMOVSCLR_EL0") \
	R(3, 3, 9, 12, 4, "PMSWINC_EL0") \
	R(3, 3, 9, 12, 5, "PMSELR_EL0") \
	R(3, 3, 9, 12, 6, "PMCEID0_EL0") \
	R(3, 3, 9, 12, 7, "PMCEID1_EL0") \
	R(3, 3, 9, 13, 0, "PMCCNTR_EL0") \
	R(3, 3, 9, 13, 1, "PMXEVTYPER_EL0") \
	R(3, 3, 9, 13, 2, "PMXEVCNTR_EL0") \
	R(3, 3, 9, 14, 0, "PMUSERENR_EL0") \
	R(3, 3, 9, 14, 3, "PMOVSSET_EL0") \
	R(3, 3, 13, 0, 2, "TPIDR_EL0") \
	R(3, 3, 13, 0, 3, "TPIDRRO_EL0") \
	R(3, 3, 14, 0, 0, "CNTFRQ_EL0") \
	R(3, 3, 14, 0, 1, "CNTPCT_EL0") \
	R(3, 3, 14, 0, 2, "CNTVCT_EL0") \
	R(3, 3, 14, 2, 0, "CNTP_TVAL_EL0") \
	R(3, 3, 14, 2, 1, "CNTP_CTL_EL0") \
	R(3, 3, 14, 2, 2, "CNTP_CVAL_EL0") \
	R(3, 3, 14, 3, 0, "CNTV_TVAL_EL0") \
	R(3, 3, 14, 3, 1, "CNTV_CTL_EL0") \
	R(3, 3, 14, 3, 2, "CNTV_CVAL_EL0") \
	R(3, 3, 14, 15, 7, "PMCCFILTR_EL0") \
	/* op0 = 3, op1 = 4: EL2 (seen when a guest hypervisor traps) */ \
	R(3, 4, 1, 0, 0, "SCTLR_EL2") \
	R(3, 4, 1, 1, 0, "HCR_EL2") \
	R(3, 4, 1, 1, 1, "MDCR_EL2") \
	R(3, 4, 1, 1, 2, "CPTR_EL2") \
	R(3, 4, 2, 0, 2, "TCR_EL2") \
	R(3, 4, 2, 1, 0, "VTTBR_EL2") \
	R(3, 4, 2, 1, 2, "VTCR_EL2") \
	R(3, 4, 5, 2, 0, "ESR_EL2") \
	R(3, 4, 5, 2, 3, "VSESR_EL2") \
	R(3, 4, 6, 0, 0, "FAR_EL2") \
	R(3, 4, 6, 0, 4, "HPFAR_EL2") \
	R(3, 4, 12, 0, 0, "VBAR_EL2") \
	R(3, 4, 12, 1, 1, "VDISR_EL2") \
	R(3, 4, 14, 0, 3, "CNTVOFF_EL2") \
	R(3, 4, 14, 1, 0, "CNTHCTL_EL2")

#define SYSREG_ID(op0, op1, crn, crm, op2) \
	r_##op0##_##op1##_##crn##_##crm##_##op2
#define SYSREG_MEMBERS(op0, op1, crn, crm, op2, name) \
	char SYSREG_ID(op0, op1, crn, crm, op2)[sizeof(name)];
#define SYSREG_STRINGS(op0, op1, crn, crm, op2, name) \
	.SYSREG_ID(op0, op1, crn, crm, op2) = name,
#define SYSREG_ENTRIES(op0, op1, crn, crm, op2, name) \
	{ (uint16_t)A64_SYSREG_ENC(op0, op1, crn, crm, op2), \
	  OFFSET(sysreg_strings, SYSREG_ID(op0, op1, crn, crm, op2)) },

/* One member per encoding: an encoding listed twice does not compile. */
static const struct sysreg_strings {
	SYSREG_TABLE(SYSREG_MEMBERS)
} sysreg_strings = {
	SYSREG_TABLE(SYSREG_STRINGS)
};

_Static_assert(sizeof(struct sysreg_strings) <= UINT16_MAX,
	       "sysreg names fit 16-bit offsets");

const struct kvmsea_sysreg_entry kvmsea_sysreg_table[] = {
	SYSREG_TABLE(SYSREG_ENTRIES)
};

const unsigned int kvmsea_sysreg_table_len =
	sizeof(kvmsea_sysreg_table) / sizeof(kvmsea_sysreg_table[0]);

const char *kvmsea_sysreg_entry_name(const struct kvmsea_sysreg_entry *e)
{
	return (const char *)&sysreg_strings + e->name;
}

const char *kvmsea_sysreg_name(uint16_t key)
{
	unsigned int lo = 0, hi = sizeof(kvmsea_sysreg_table) /
				  sizeof(kvmsea_sysreg_table[0]);

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		uint16_t k = kvmsea_sysreg_table[mid].key;

		if (k == key)
			return kvmsea_sysreg_entry_name(&kvmsea_sysreg_table[mid]);
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
