/* SPDX-License-Identifier: MIT */
/*
 * libkvmsea: decoding of the AArch64 Exception Syndrome Register (ESR_ELx).
 *
 * This header is the summary. The contract is in the manual pages:
 * kvmsea_esr_decode(3), kvmsea_esr_ec_name(3) and kvmsea_esr_format(3).
 */
#ifndef LIBKVMSEA_ESR_H
#define LIBKVMSEA_ESR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exception classes (ESR_ELx.EC, bits [31:26]) that libkvmsea names in code. */
enum kvmsea_ec {
	KVMSEA_EC_UNKNOWN = 0x00,
	KVMSEA_EC_WFX = 0x01,
	KVMSEA_EC_CP15_32 = 0x03,
	KVMSEA_EC_CP15_64 = 0x04,
	KVMSEA_EC_CP14_MR = 0x05,
	KVMSEA_EC_CP14_LS = 0x06,
	KVMSEA_EC_FP_ASIMD = 0x07,
	KVMSEA_EC_CP10_ID = 0x08,
	KVMSEA_EC_PAC = 0x09,
	KVMSEA_EC_OTHER = 0x0a,
	KVMSEA_EC_CP14_64 = 0x0c,
	KVMSEA_EC_BTI = 0x0d,
	KVMSEA_EC_ILL = 0x0e,
	KVMSEA_EC_SVC32 = 0x11,
	KVMSEA_EC_HVC32 = 0x12,
	KVMSEA_EC_SMC32 = 0x13,
	KVMSEA_EC_SYS128 = 0x14,
	KVMSEA_EC_SVC64 = 0x15,
	KVMSEA_EC_HVC64 = 0x16,
	KVMSEA_EC_SMC64 = 0x17,
	KVMSEA_EC_SYS64 = 0x18,
	KVMSEA_EC_SVE = 0x19,
	KVMSEA_EC_ERET = 0x1a,
	KVMSEA_EC_TSTART = 0x1b,
	KVMSEA_EC_FPAC = 0x1c,
	KVMSEA_EC_SME = 0x1d,
	KVMSEA_EC_GPC = 0x1e,          /* granule protection check, EL3 only */
	KVMSEA_EC_IMP_DEF = 0x1f,
	KVMSEA_EC_IABT_LOW = 0x20,
	KVMSEA_EC_IABT_CUR = 0x21,
	KVMSEA_EC_PC_ALIGN = 0x22,
	KVMSEA_EC_DABT_LOW = 0x24,
	KVMSEA_EC_DABT_CUR = 0x25,
	KVMSEA_EC_SP_ALIGN = 0x26,
	KVMSEA_EC_MOPS = 0x27,
	KVMSEA_EC_FP_EXC32 = 0x28,
	KVMSEA_EC_FP_EXC64 = 0x2c,
	KVMSEA_EC_GCS = 0x2d,
	KVMSEA_EC_SERROR = 0x2f,
	KVMSEA_EC_BREAKPT_LOW = 0x30,
	KVMSEA_EC_BREAKPT_CUR = 0x31,
	KVMSEA_EC_SOFTSTP_LOW = 0x32,
	KVMSEA_EC_SOFTSTP_CUR = 0x33,
	KVMSEA_EC_WATCHPT_LOW = 0x34,
	KVMSEA_EC_WATCHPT_CUR = 0x35,
	KVMSEA_EC_BKPT32 = 0x38,
	KVMSEA_EC_VECTOR32 = 0x3a,
	KVMSEA_EC_BRK64 = 0x3c,
	KVMSEA_EC_PMU = 0x3d,
};

/* Fault status codes (DFSC/IFSC, ISS[5:0]) that libkvmsea names in code. */
enum kvmsea_fsc {
	KVMSEA_FSC_EXTABT = 0x10,      /* SEA, not on a translation table walk */
	KVMSEA_FSC_TAG_CHECK = 0x11,   /* synchronous tag check fault (MTE) */
	KVMSEA_FSC_SEA_TTW_LM2 = 0x12, /* SEA on a table walk, level -2 */
	KVMSEA_FSC_SEA_TTW_LM1 = 0x13, /* SEA on a table walk, level -1 */
	KVMSEA_FSC_SEA_TTW_L0 = 0x14,  /* ... levels 0..3 are 0x14..0x17 */
	KVMSEA_FSC_SECC = 0x18,        /* parity/ECC error, not on a walk */
	KVMSEA_FSC_SECC_TTW_LM1 = 0x1b,
	KVMSEA_FSC_SECC_TTW_L0 = 0x1c, /* ... levels 0..3 are 0x1c..0x1f */
	KVMSEA_FSC_ALIGNMENT = 0x21,
	KVMSEA_FSC_TLB_CONFLICT = 0x30,
};

/* Which ISS layout the decoder applied. */
enum kvmsea_esr_layout {
	KVMSEA_LAYOUT_NONE = 0, /* ISS shown raw only */
	KVMSEA_LAYOUT_ABORT,    /* EC 0x20/0x21/0x24/0x25 */
	KVMSEA_LAYOUT_SERROR,   /* EC 0x2f */
	KVMSEA_LAYOUT_WFX,      /* EC 0x01 */
	KVMSEA_LAYOUT_IMM16,    /* SVC/HVC (AArch32 and 64), SMC64, BRK, BKPT */
	KVMSEA_LAYOUT_SYSREG,   /* EC 0x18 */
	KVMSEA_LAYOUT_DEBUG,    /* breakpoint, step, watchpoint, vector catch */
	KVMSEA_LAYOUT_FP_EXC,   /* EC 0x28/0x2c */
	KVMSEA_LAYOUT_BTI,      /* EC 0x0d */
	KVMSEA_LAYOUT_PAC,      /* FPAC 0x1c (the ISS of EC 0x09 is RES0) */
	KVMSEA_LAYOUT_MOPS,     /* EC 0x27 */
	KVMSEA_LAYOUT_GCS,      /* EC 0x2d */
};

/* RAS classification of an SEA (SET) or an SError (AET). */
enum kvmsea_ras_severity {
	KVMSEA_RAS_NOT_REPORTED = 0, /* the syndrome carries no classification */
	KVMSEA_RAS_UER,              /* recoverable (restartable after repair) */
	KVMSEA_RAS_UEO,              /* restartable, or corrected (abort SET=11) */
	KVMSEA_RAS_UEU,              /* unrecoverable (SError only) */
	KVMSEA_RAS_UC,               /* uncontainable */
	KVMSEA_RAS_CE,               /* corrected (SError only) */
	KVMSEA_RAS_RESERVED,         /* a reserved encoding */
};

/* Data and instruction abort ISS (and the ISS2 of a data abort). */
struct kvmsea_esr_abort {
	bool is_data;       /* data abort (EC 0x24/0x25) vs instruction */
	bool same_el;       /* EC *_CUR rather than *_LOW */
	bool isv;           /* [24] instruction syndrome valid (data only) */
	uint8_t sas;        /* [23:22] access size log2 (ISV=1) */
	bool sse;           /* [21] sign extend (ISV=1) */
	uint8_t srt;        /* [20:16] register (ISV=1) */
	bool sf;            /* [15] 64-bit register (ISV=1) */
	bool ar;            /* [14] acquire/release (ISV=1) */
	bool fnp;           /* [15] FAR not precise (data, ISV=0) */
	bool pfv;           /* [14] PFAR_ELx valid (ISV=0, or instruction) */
	uint8_t wu;         /* [17:16] write update (data, ISV=0) */
	bool toplevel;      /* [21] TopLevel (instruction only, FEAT_THE) */
	bool vncr;          /* [13] VNCR_EL2-redirected access (data only) */
	uint8_t set;        /* [12:11] synchronous error type, raw */
	bool set_valid;     /* SET is defined for this FSC (0x10) */
	bool fnv;           /* [10] FAR not valid */
	bool ea;            /* [9] external abort type (IMPLEMENTATION DEFINED) */
	bool cm;            /* [8] cache maintenance or AT (data only) */
	bool s1ptw;         /* [7] stage 2 fault on a stage 1 walk */
	bool wnr;           /* [6] write not read (data only) */
	uint8_t fsc;        /* [5:0] DFSC or IFSC */
	int8_t level;       /* translation level for level-encoded codes */
	bool level_valid;   /* the FSC encodes a level */
	bool is_sea;        /* the FSC is one that KVM treats as an SEA */
	/* ISS2 (ESR[55:32]) */
	bool hdbssf;        /* ISS2[11] */
	bool tnd;           /* ISS2[10] */
	bool tagaccess;     /* ISS2[9] */
	bool gcs;           /* ISS2[8] */
	bool assuredonly;   /* ISS2[7] */
	bool overlay;       /* ISS2[6] */
	bool dirtybit;      /* ISS2[5] */
	uint8_t xs;         /* ISS2[4:0] */
};

struct kvmsea_esr_serror {
	bool ids;          /* [24] ISS[23:0] IMPLEMENTATION DEFINED */
	uint32_t impdef;   /* [23:0] when IDS=1 */
	bool iesb;         /* [13] */
	uint8_t aet;       /* [12:10] raw */
	bool ea;           /* [9] */
	uint8_t dfsc;      /* [5:0] */
};

struct kvmsea_esr_wfx {
	bool cv;           /* [24] condition valid */
	uint8_t cond;      /* [23:20] */
	uint8_t rn;        /* [9:5] WFIT/WFET register */
	bool rv;           /* [2] register valid */
	uint8_t ti;        /* [1:0] 0 WFI, 1 WFE, 2 WFIT, 3 WFET */
};

struct kvmsea_esr_sysreg {
	uint8_t op0, op1, crn, crm, op2; /* [21:20] [16:14] [13:10] [4:1] [19:17] */
	uint8_t rt;        /* [9:5] */
	bool read;         /* [0] direction: 1 = MRS (read) */
	const char *name;  /* well-known register name, or NULL */
};

struct kvmsea_esr_debug {
	uint8_t fsc;       /* [5:0] debug status code */
	bool isv;          /* software step: [24] EX valid */
	bool ex;           /* software step: [6] exclusive */
	bool cm;           /* watchpoint: [8] */
	bool wnr;          /* watchpoint: [6] */
	bool vncr;         /* watchpoint: [13] */
	bool fnv;          /* watchpoint: [10] FAR not valid */
	bool fnp;          /* watchpoint: [15] FAR not precise */
	bool wpf;          /* watchpoint: [16] */
	bool wptv;         /* watchpoint: [17] WPT valid */
	uint8_t wpt;       /* watchpoint: [23:18] watchpoint number */
	bool gcs;          /* watchpoint: ISS2[8] GCS data access */
};

struct kvmsea_esr_fp_exc {
	bool tfv;          /* [23] trapped fault valid */
	uint8_t vecitr;    /* [10:8] (AArch32) */
	bool idf, ixf, uff, off, dzf, iof; /* [7] [4] [3] [2] [1] [0] */
};

struct kvmsea_esr_mops {
	bool mem_inst;     /* [24] */
	bool is_setg;      /* [23] */
	uint8_t options;   /* [22:19] */
	bool from_epilogue;/* [18] */
	bool wrong_option; /* [17] */
	bool option_a;     /* [16] */
	uint8_t destreg, srcreg, sizereg; /* [14:10] [9:5] [4:0] */
};

struct kvmsea_esr_gcs {
	uint8_t exception_type; /* [23:20] */
	uint8_t raddr;     /* [14:10] */
	uint8_t rn;        /* [9:5] */
	uint8_t it;        /* [4:0] */
};

/* A decoded syndrome. All fields are copies: nothing points into input. */
struct kvmsea_esr {
	uint64_t raw;
	uint8_t ec;        /* [31:26] */
	bool il;           /* [25] 32-bit instruction */
	uint32_t iss;      /* [24:0] */
	uint32_t iss2;     /* [55:32] */
	uint8_t res0_hi;   /* [63:56], RES0 */
	bool ec_allocated; /* false for an unallocated EC value */
	enum kvmsea_esr_layout layout;
	union {
		struct kvmsea_esr_abort abort;
		struct kvmsea_esr_serror serror;
		struct kvmsea_esr_wfx wfx;
		uint16_t imm16;  /* KVMSEA_LAYOUT_IMM16: [15:0] */
		struct kvmsea_esr_sysreg sysreg;
		struct kvmsea_esr_debug debug;
		struct kvmsea_esr_fp_exc fp_exc;
		uint8_t btype;   /* KVMSEA_LAYOUT_BTI: [1:0] */
		struct {
			bool data;   /* [1] instruction (0) or data (1) key */
			bool key_b;  /* [0] A (0) or B (1) key */
		} pac;
		struct kvmsea_esr_mops mops;
		struct kvmsea_esr_gcs gcs;
		uint64_t reserved_[8]; /* room for later layouts */
	} u;
	enum kvmsea_ras_severity severity;
};

/* Decode a syndrome: kvmsea_esr_decode(3). */
void kvmsea_esr_decode(uint64_t esr, struct kvmsea_esr *out);

/* Names of exception classes and fault status codes: kvmsea_esr_ec_name(3). */
const char *kvmsea_esr_ec_name(unsigned int ec);
const char *kvmsea_esr_ec_description(unsigned int ec);
const char *kvmsea_esr_fsc_description(unsigned int fsc);

/* Questions about a syndrome: kvmsea_esr_decode(3). */
bool kvmsea_esr_is_sea(uint64_t esr);
bool kvmsea_esr_is_data_abort(uint64_t esr);
bool kvmsea_esr_is_insn_abort(uint64_t esr);
bool kvmsea_esr_far_valid(uint64_t esr);
enum kvmsea_ras_severity kvmsea_esr_severity(uint64_t esr);
/* The name of a severity: kvmsea_esr_ec_name(3). */
const char *kvmsea_ras_severity_name(enum kvmsea_ras_severity sev);

/* A syndrome as text: kvmsea_esr_format(3). */

enum kvmsea_esr_style {
	KVMSEA_ESR_ONELINE = 0, /* one line, no trailing newline */
	KVMSEA_ESR_TREE,        /* one field a line: bits, value, meaning */
	KVMSEA_ESR_JSON,        /* one JSON object, no trailing newline */
};

int kvmsea_esr_format(uint64_t esr, enum kvmsea_esr_style style, char *buf,
		      size_t size);

#ifdef __cplusplus
}
#endif

#endif /* LIBKVMSEA_ESR_H */
