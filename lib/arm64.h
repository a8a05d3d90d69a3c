/* SPDX-License-Identifier: MIT */
/*
 * The arm64 architecture's names the library uses, each defined once: ESR,
 * PSTATE and system-register bits, exception modes and vector offsets, and
 * the packing of a system register's encoding. Values are the Arm ARM's
 * (DDI 0487). Pure definitions: no KVM headers.
 */
#ifndef LIBKVMSEA_ARM64_H
#define LIBKVMSEA_ARM64_H

#include <stdint.h>

/* A system register's encoding as KVM's ONE_REG ids and the decoder's name
 * table pack it: op0[15:14] op1[13:11] CRn[10:7] CRm[6:3] op2[2:0]. */
#define A64_SYSREG_ENC(op0, op1, crn, crm, op2)                           \
	((((uint64_t)(op0) & 3) << 14) | (((uint64_t)(op1) & 7) << 11) |    \
	 (((uint64_t)(crn) & 15) << 7) | (((uint64_t)(crm) & 15) << 3) |    \
	 ((uint64_t)(op2) & 7))

/* ---- ESR_ELx ---- */
#define A64_ESR_EC_SHIFT 26
#define A64_ESR_EC_MASK 0x3fULL
#define A64_ESR_EC(esr) (((esr) >> A64_ESR_EC_SHIFT) & A64_ESR_EC_MASK)
#define A64_ESR_IL (1ULL << 25)
#define A64_ESR_ISS_MASK 0x1ffffffULL
#define A64_ESR_SET_SHIFT 11
#define A64_ESR_SET (3ULL << A64_ESR_SET_SHIFT)
#define A64_ESR_FNV (1ULL << 10)
#define A64_ESR_EA (1ULL << 9)
#define A64_ESR_CM (1ULL << 8)
#define A64_ESR_S1PTW (1ULL << 7)
#define A64_ESR_WNR (1ULL << 6)
#define A64_ESR_FSC 0x3fULL

/* Fault status codes of a synchronous external abort (ESR ISS[5:0]). */
#define A64_FSC_SEA 0x10          /* not on a translation table walk */
#define A64_FSC_SEA_TTW(level) (0x14 + (level)) /* level 0..3; -1 is 0x13 */
#define A64_FSC_SEA_TTW_LM1 0x13
#define A64_FSC_SECC 0x18         /* parity or ECC, not on a walk */
#define A64_FSC_SECC_TTW_LM1 0x1b
#define A64_FSC_SECC_TTW(level) (0x1c + (level))

/* The SError syndrome the library writes: DFSC "asynchronous SError" and
 * the AET field (FEAT_RAS). */
#define A64_ESR_SERROR_DFSC_ASYNC 0x11ULL
#define A64_ESR_SERROR_AET_SHIFT 10
#define A64_ESR_SERROR_AET (7ULL << A64_ESR_SERROR_AET_SHIFT)
#define A64_AET_UC 0x0ULL
#define A64_AET_UEO 0x2ULL
#define A64_AET_UER 0x3ULL

/* ---- PSTATE, in SPSR format ---- */
#define A64_PSR_MODE_MASK 0x1fULL
#define A64_PSR_MODE32 0x10ULL       /* M[4]: the context runs AArch32 */
#define A64_PSR_F (1ULL << 6)
#define A64_PSR_I (1ULL << 7)
#define A64_PSR_A (1ULL << 8)
#define A64_PSR_D (1ULL << 9)
#define A64_PSR_SSBS (1ULL << 12)
#define A64_PSR_PAN (1ULL << 22)
#define A64_PSR_DIT (1ULL << 24)
#define A64_PSR_TCO (1ULL << 25)
#define A64_PSR_NZCV (0xfULL << 28)

/* AArch64 modes (M[3:0]) */
#define A64_MODE_EL0T 0x0
#define A64_MODE_EL1T 0x4
#define A64_MODE_EL1H 0x5
#define A64_MODE_EL2T 0x8
#define A64_MODE_EL2H 0x9

/* AArch32 modes and CPSR bits. KVM keeps an AArch32 context's DIT at bit
 * 24, as AArch64 does; an AArch32 SPSR keeps it at bit 21. */
#define A32_MODE_USR 0x10
#define A32_MODE_FIQ 0x11
#define A32_MODE_IRQ 0x12
#define A32_MODE_SVC 0x13
#define A32_MODE_ABT 0x17
#define A32_MODE_UND 0x1b
#define A32_MODE_SYS 0x1f
#define A32_CPSR_T (1ULL << 5)
#define A32_CPSR_E (1ULL << 9)
#define A32_CPSR_GE (0xfULL << 16)
#define A32_CPSR_SSBS (1ULL << 23)
#define A32_CPSR_NZCVQ (0x1fULL << 27)
#define A32_SPSR_DIT (1ULL << 21)

/* ---- System registers ---- */
#define A64_SCTLR_V (1ULL << 13)       /* AArch32: high vectors */
#define A64_SCTLR_SPAN (1ULL << 23)
#define A64_SCTLR_EE (1ULL << 25)      /* AArch32 */
#define A64_SCTLR_TE (1ULL << 30)      /* AArch32 */
#define A64_SCTLR_DSSBS32 (1ULL << 31) /* AArch32 */
#define A64_SCTLR_DSSBS (1ULL << 44)
#define A64_SCTLR2_EASE (1ULL << 5)
#define A64_HCR_VM (1ULL << 0)
#define A64_HCR_AMO (1ULL << 5)
#define A64_HCR_TGE (1ULL << 27)
#define A64_HCR_E2H (1ULL << 34)
#define A64_HCR_TEA (1ULL << 37)
#define A64_HCRX_SCTLR2EN (1ULL << 15)
#define A64_HCRX_TMEA (1ULL << 19)
#define A64_TCR_EAE (1ULL << 31)       /* TTBCR.EAE: long-descriptor format */
#define A64_ID_AA64PFR1_MTE(v) (((v) >> 8) & 0xf)
#define A64_ID_AA64MMFR3_SCTLRX(v) (((v) >> 4) & 0xf)

/* ---- AArch32 fault status (DFSR/IFSR) ---- */
#define A32_FSR_LPAE (1ULL << 9)       /* long-descriptor format */
#define A32_FSR_FS4 (1ULL << 10)       /* short format: FS[4] */
#define A32_FSR_WNR (1ULL << 11)
#define A32_FSR_EXT (1ULL << 12)
#define A32_FSR_CM (1ULL << 13)
#define A32_FSR_FNV (1ULL << 16)
/* Short-descriptor FS codes (FS[4] is bit 10) */
#define A32_FS_SEA 0x008
#define A32_FS_SEA_TTW_L1 0x00c
#define A32_FS_SEA_TTW_L2 0x00e
#define A32_FS_SECC 0x409
#define A32_FS_SECC_TTW_L1 0x40c
#define A32_FS_SECC_TTW_L2 0x40e

/* ---- Vector offsets ---- */
#define A64_VEC_CUR_SP0 0x000
#define A64_VEC_CUR_SPX 0x200
#define A64_VEC_LOWER_64 0x400
#define A64_VEC_LOWER_32 0x600
#define A64_VEC_SERROR 0x180            /* from the synchronous entry */
#define A32_VEC_PABT 0x0c
#define A32_VEC_DABT 0x10
#define A32_VEC_HIGH 0xffff0000ULL

#endif /* LIBKVMSEA_ARM64_H */
