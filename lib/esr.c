/* SPDX-License-Identifier: MIT */
/*
 * ESR_ELx decoding: bits to fields.
 *
 * The decoder is total: every 64-bit value decodes. Rules that hold for all
 * layouts:
 *  - raw, ec, il, iss, iss2 and res0_hi are the bits as they are, so they
 *    always reassemble to the input.
 *  - A layout field is extracted raw wherever the variant of the layout that
 *    applies defines it (ISV for data aborts, IDS for SErrors, data versus
 *    instruction abort, the kind of debug exception). Fields another variant
 *    defines stay zero.
 *  - Validity that depends on another field's value (SET and FnV only for
 *    FSC 0x10, levels only for level-encoded FSCs, AET only for DFSC 0x11) is
 *    reported through set_valid, level_valid, is_sea and severity rather than
 *    by hiding the bits.
 * Sources: the Arm ARM (DDI 0487) "ESR_ELx" ISS encodings, and for is_sea
 * the kernel's kvm_vcpu_abt_issea() (arch/arm64/include/asm/kvm_emulate.h).
 *
 * This sits on the SEA path, so it is kept to straight-line bit extraction and
 * table look-ups, within 100 instructions for an SEA exit's syndrome (see
 * docs/performance.md, "ESR decode").
 */
#include <string.h>

#include "esr-internal.h"

#define BIT(esr, n) ((bool)(((esr) >> (n)) & 1))
#define HAS(esr, mask) ((bool)((esr) & (mask)))  /* an arm64.h one-bit mask */
#define EC(esr) ((unsigned int)A64_ESR_EC(esr))
#define BITS(esr, hi, lo) \
	((uint32_t)(((esr) >> (lo)) & ((1ull << ((hi) - (lo) + 1)) - 1)))

/*
 * Per-EC table: bits [3:0] the layout, bit 6 "ISS is entirely RES0",
 * bit 7 "allocated". Allocated values follow the Arm ARM; the kernel's
 * esr.h lists 0x1e (GPC, reported only to EL3) as unallocated because Linux
 * never sees it.
 */
#define ALLOC 0x80
#define ISS_RES0 0x40
#define LAYOUT(x) (ALLOC | KVMSEA_LAYOUT_##x)

static const uint8_t ec_info[64] = {
	[0x00] = LAYOUT(NONE) | ISS_RES0, /* unknown reason */
	[0x01] = LAYOUT(WFX),
	[0x03] = LAYOUT(NONE),  /* MCR/MRC cp15 */
	[0x04] = LAYOUT(NONE),  /* MCRR/MRRC cp15 */
	[0x05] = LAYOUT(NONE),  /* MCR/MRC cp14 */
	[0x06] = LAYOUT(NONE),  /* LDC/STC */
	[0x07] = LAYOUT(NONE),  /* SVE/SIMD/FP access */
	[0x08] = LAYOUT(NONE),  /* VMRS */
	[0x09] = LAYOUT(NONE) | ISS_RES0, /* PAuth instruction trap */
	[0x0a] = LAYOUT(NONE),  /* LD64B/ST64B* and other */
	[0x0c] = LAYOUT(NONE),  /* MRRC cp14 */
	[0x0d] = LAYOUT(BTI),
	[0x0e] = LAYOUT(NONE) | ISS_RES0, /* illegal execution state */
	[0x11] = LAYOUT(IMM16), /* SVC32 */
	[0x12] = LAYOUT(IMM16), /* HVC32 */
	[0x13] = LAYOUT(NONE),  /* SMC32: CV/COND/CCKNOWNPASS, no immediate */
	[0x14] = LAYOUT(NONE),  /* MSRR/MRRS/SYSP */
	[0x15] = LAYOUT(IMM16), /* SVC64 */
	[0x16] = LAYOUT(IMM16), /* HVC64 */
	[0x17] = LAYOUT(IMM16), /* SMC64 */
	[0x18] = LAYOUT(SYSREG),
	[0x19] = LAYOUT(NONE) | ISS_RES0, /* SVE access */
	[0x1a] = LAYOUT(NONE),  /* ERET */
	[0x1b] = LAYOUT(NONE),  /* TSTART */
	[0x1c] = LAYOUT(PAC),   /* FPAC */
	[0x1d] = LAYOUT(NONE),  /* SME */
	[0x1e] = LAYOUT(NONE),  /* GPC */
	[0x1f] = LAYOUT(NONE),  /* IMPLEMENTATION DEFINED, EL3 */
	[0x20] = LAYOUT(ABORT),
	[0x21] = LAYOUT(ABORT),
	[0x22] = LAYOUT(NONE) | ISS_RES0, /* PC alignment */
	[0x24] = LAYOUT(ABORT),
	[0x25] = LAYOUT(ABORT),
	[0x26] = LAYOUT(NONE) | ISS_RES0, /* SP alignment */
	[0x27] = LAYOUT(MOPS),
	[0x28] = LAYOUT(FP_EXC),
	[0x2c] = LAYOUT(FP_EXC),
	[0x2d] = LAYOUT(GCS),
	[0x2f] = LAYOUT(SERROR),
	[0x30] = LAYOUT(DEBUG), /* breakpoint */
	[0x31] = LAYOUT(DEBUG),
	[0x32] = LAYOUT(DEBUG), /* software step */
	[0x33] = LAYOUT(DEBUG),
	[0x34] = LAYOUT(DEBUG), /* watchpoint */
	[0x35] = LAYOUT(DEBUG),
	[0x38] = LAYOUT(IMM16), /* BKPT32 */
	[0x3a] = LAYOUT(DEBUG), /* vector catch */
	[0x3c] = LAYOUT(IMM16), /* BRK64 */
	[0x3d] = LAYOUT(NONE),  /* PMU exception */
};

/*
 * Per-FSC tables. fsc_level holds the translation level a code encodes
 * (-2..3; levels -2 and -1 come with FEAT_D128 and FEAT_LPA2), 0 when it
 * encodes none; fsc_flags says which codes encode one, and more:
 *   LEVEL  the code encodes a level
 *   SEA    KVM treats the code as an SEA (kvm_vcpu_abt_issea(): 0x10,
 *          0x13-0x17, 0x18, 0x1b-0x1f; not 0x12)
 *   EXT    a synchronous external abort, for which the Arm ARM defines PFV
 *          and WU (0x10, 0x12-0x17)
 */
#define LEVEL 0x01
#define SEA 0x02
#define EXT 0x04

static const int8_t fsc_level[64] = {
	0, 1, 2, 3, 0, 1, 2, 3,  /* 0x00 address size, 0x04 translation */
	0, 1, 2, 3, 0, 1, 2, 3,  /* 0x08 access flag, 0x0c permission */
	[0x12] = -2, -1, 0, 1, 2, 3, /* SEA on a walk */
	[0x1b] = -1, 0, 1, 2, 3,     /* parity/ECC error on a walk */
	[0x22] = -2, -1, 0, 1, 2, 3, /* GPF on a walk */
	[0x29] = -1, -2, -1, -2,     /* address size, translation (x2), size */
};

static const uint8_t fsc_flags[64] = {
	[0x00] = LEVEL, LEVEL, LEVEL, LEVEL, LEVEL, LEVEL, LEVEL, LEVEL,
	[0x08] = LEVEL, LEVEL, LEVEL, LEVEL, LEVEL, LEVEL, LEVEL, LEVEL,
	[0x10] = SEA | EXT,
	[0x12] = LEVEL | EXT,
	[0x13] = LEVEL | SEA | EXT, LEVEL | SEA | EXT, LEVEL | SEA | EXT,
		 LEVEL | SEA | EXT, LEVEL | SEA | EXT,
	[0x18] = SEA,
	[0x1b] = LEVEL | SEA, LEVEL | SEA, LEVEL | SEA, LEVEL | SEA, LEVEL | SEA,
	[0x22] = LEVEL, LEVEL, LEVEL, LEVEL, LEVEL, LEVEL,
	[0x29] = LEVEL, LEVEL, LEVEL, LEVEL,
};

enum kvmsea_esr_layout kvmsea_esr_ec_layout(unsigned int ec)
{
	return ec < 64 ? (enum kvmsea_esr_layout)(ec_info[ec] & 0x0f)
		       : KVMSEA_LAYOUT_NONE;
}

bool kvmsea_esr_ec_is_allocated(unsigned int ec)
{
	return ec < 64 && (ec_info[ec] & ALLOC);
}

bool kvmsea_esr_ec_iss_is_res0(unsigned int ec)
{
	return ec < 64 && (ec_info[ec] & ISS_RES0);
}

bool kvmsea_esr_fsc_is_extabt(unsigned int fsc)
{
	return fsc < 64 && (fsc_flags[fsc] & EXT);
}

static bool is_abort_ec(unsigned int ec)
{
	/* 0x20, 0x21, 0x24, 0x25 */
	return (ec & 0x3a) == 0x20;
}

/* SET: 00 UER, 01 reserved, 10 UC, 11 UEO (or CE, which the encoding does
 * not tell apart). */
static enum kvmsea_ras_severity set_severity(unsigned int set)
{
	static const uint8_t sev[4] = {
		KVMSEA_RAS_UER, KVMSEA_RAS_RESERVED, KVMSEA_RAS_UC, KVMSEA_RAS_UEO,
	};
	return (enum kvmsea_ras_severity)sev[set & 3];
}

static enum kvmsea_ras_severity aet_severity(unsigned int aet)
{
	static const uint8_t sev[8] = {
		KVMSEA_RAS_UC,       KVMSEA_RAS_UEU,      KVMSEA_RAS_UEO,
		KVMSEA_RAS_UER,      KVMSEA_RAS_RESERVED, KVMSEA_RAS_RESERVED,
		KVMSEA_RAS_CE,       KVMSEA_RAS_RESERVED,
	};
	return (enum kvmsea_ras_severity)sev[aet & 7];
}

/* The ISS fields KVM never reports on an SEA exit: ISS[24:13] (the
 * instruction syndrome or what replaces it when ISV=0, VNCR, an instruction
 * abort's TopLevel and PFV) and S1PTW. */
static void decode_abort_rare(uint64_t esr, struct kvmsea_esr_abort *a)
{
	a->s1ptw = HAS(esr, A64_ESR_S1PTW);
	if (!a->is_data) {
		a->toplevel = BIT(esr, 21);
		a->pfv = BIT(esr, 14);
		return;
	}
	a->isv = BIT(esr, 24);
	if (a->isv) {
		a->sas = (uint8_t)BITS(esr, 23, 22);
		a->sse = BIT(esr, 21);
		a->srt = (uint8_t)BITS(esr, 20, 16);
		a->sf = BIT(esr, 15);
		a->ar = BIT(esr, 14);
	} else {
		a->wu = (uint8_t)BITS(esr, 17, 16);
		a->fnp = BIT(esr, 15);
		a->pfv = BIT(esr, 14);
	}
	a->vncr = BIT(esr, 13);
}

/* ISS2 (ESR[55:32]); an instruction abort has only AssuredOnly and Overlay. */
static void decode_abort_iss2(uint64_t esr, struct kvmsea_esr_abort *a)
{
	a->assuredonly = BIT(esr, 39);
	a->overlay = BIT(esr, 38);
	if (!a->is_data)
		return;
	a->hdbssf = BIT(esr, 43);
	a->tnd = BIT(esr, 42);
	a->tagaccess = BIT(esr, 41);
	a->gcs = BIT(esr, 40);
	a->dirtybit = BIT(esr, 37);
	a->xs = (uint8_t)BITS(esr, 36, 32);
}

static void decode_abort(uint64_t esr, struct kvmsea_esr *d)
{
	struct kvmsea_esr_abort *a = &d->u.abort;
	unsigned int fsc = ESR_FIELD(esr, A64_ESR_FSC);
	uint8_t flags = fsc_flags[fsc];

	a->is_data = BIT(esr, 28);
	a->same_el = BIT(esr, 26);
	a->fsc = (uint8_t)fsc;
	a->level = fsc_level[fsc];
	a->level_valid = flags & LEVEL;
	a->is_sea = flags & SEA;
	a->set = (uint8_t)ESR_FIELD(esr, A64_ESR_SET);
	a->set_valid = fsc == KVMSEA_FSC_EXTABT;
	if (a->set_valid)
		d->severity = set_severity(a->set);
	a->fnv = HAS(esr, A64_ESR_FNV);
	a->ea = HAS(esr, A64_ESR_EA);
	if (a->is_data) {
		a->cm = HAS(esr, A64_ESR_CM);
		a->wnr = HAS(esr, A64_ESR_WNR);
	}

	/*
	 * The SEA path fast path: KVM_EXIT_ARM_SEA sanitises the syndrome to
	 * EC, IL, SET, FnV, EA, CM, WnR and FSC, so ISS[24:13], S1PTW and
	 * ISS2 are zero there, and what they hold is zero already.
	 */
	if (esr & (0x1ffe000u | A64_ESR_S1PTW)) /* ISS[24:13], S1PTW */
		decode_abort_rare(esr, a);
	if (d->iss2)
		decode_abort_iss2(esr, a);
}

static void decode_serror(uint64_t esr, struct kvmsea_esr *d)
{
	struct kvmsea_esr_serror *s = &d->u.serror;

	s->ids = BIT(esr, 24);
	if (s->ids) {
		/* ISS[23:0] is IMPLEMENTATION DEFINED: nothing else applies. */
		s->impdef = BITS(esr, 23, 0);
		return;
	}
	s->iesb = BIT(esr, 13);
	s->aet = (uint8_t)ESR_FIELD(esr, A64_ESR_SERROR_AET);
	s->ea = HAS(esr, A64_ESR_EA);
	s->dfsc = (uint8_t)ESR_FIELD(esr, A64_ESR_FSC);
	/* AET is defined only for an asynchronous SError (DFSC 0x11). */
	if (s->dfsc == A64_ESR_SERROR_DFSC_ASYNC)
		d->severity = aet_severity(s->aet);
}

static void decode_debug(uint64_t esr, struct kvmsea_esr *d)
{
	struct kvmsea_esr_debug *g = &d->u.debug;

	g->fsc = (uint8_t)ESR_FIELD(esr, A64_ESR_FSC);
	switch (d->ec) {
	case KVMSEA_EC_SOFTSTP_LOW:
	case KVMSEA_EC_SOFTSTP_CUR:
		g->isv = BIT(esr, 24);
		g->ex = BIT(esr, 6);
		break;
	case KVMSEA_EC_WATCHPT_LOW:
	case KVMSEA_EC_WATCHPT_CUR:
		g->wpt = (uint8_t)BITS(esr, 23, 18);
		g->wptv = BIT(esr, 17);
		g->wpf = BIT(esr, 16);
		g->fnp = BIT(esr, 15);
		g->vncr = BIT(esr, 13);
		g->fnv = HAS(esr, A64_ESR_FNV);
		g->cm = HAS(esr, A64_ESR_CM);
		g->wnr = HAS(esr, A64_ESR_WNR);
		g->gcs = BIT(esr, 40);
		break;
	default: /* breakpoint, vector catch: only the status code */
		break;
	}
}

static void decode_sysreg(uint64_t esr, struct kvmsea_esr *d)
{
	struct kvmsea_esr_sysreg *r = &d->u.sysreg;

	r->op0 = (uint8_t)BITS(esr, 21, 20);
	r->op2 = (uint8_t)BITS(esr, 19, 17);
	r->op1 = (uint8_t)BITS(esr, 16, 14);
	r->crn = (uint8_t)BITS(esr, 13, 10);
	r->rt = (uint8_t)BITS(esr, 9, 5);
	r->crm = (uint8_t)BITS(esr, 4, 1);
	r->read = BIT(esr, 0);
	r->name = kvmsea_sysreg_name(
		kvmsea_sysreg_key(r->op0, r->op1, r->crn, r->crm, r->op2));
}

/* Every layout but the aborts. */
static void decode_other(uint64_t esr, struct kvmsea_esr *d)
{
	switch (d->layout) {
	case KVMSEA_LAYOUT_SERROR:
		decode_serror(esr, d);
		break;
	case KVMSEA_LAYOUT_WFX:
		d->u.wfx.cv = BIT(esr, 24);
		d->u.wfx.cond = (uint8_t)BITS(esr, 23, 20);
		d->u.wfx.rn = (uint8_t)BITS(esr, 9, 5);
		d->u.wfx.rv = BIT(esr, 2);
		d->u.wfx.ti = (uint8_t)BITS(esr, 1, 0);
		break;
	case KVMSEA_LAYOUT_IMM16:
		d->u.imm16 = (uint16_t)BITS(esr, 15, 0);
		break;
	case KVMSEA_LAYOUT_SYSREG:
		decode_sysreg(esr, d);
		break;
	case KVMSEA_LAYOUT_DEBUG:
		decode_debug(esr, d);
		break;
	case KVMSEA_LAYOUT_FP_EXC:
		d->u.fp_exc.tfv = BIT(esr, 23);
		d->u.fp_exc.vecitr = (uint8_t)BITS(esr, 10, 8);
		d->u.fp_exc.idf = BIT(esr, 7);
		d->u.fp_exc.ixf = BIT(esr, 4);
		d->u.fp_exc.uff = BIT(esr, 3);
		d->u.fp_exc.off = BIT(esr, 2);
		d->u.fp_exc.dzf = BIT(esr, 1);
		d->u.fp_exc.iof = BIT(esr, 0);
		break;
	case KVMSEA_LAYOUT_BTI:
		d->u.btype = (uint8_t)BITS(esr, 1, 0);
		break;
	case KVMSEA_LAYOUT_PAC:
		d->u.pac.data = BIT(esr, 1);
		d->u.pac.key_b = BIT(esr, 0);
		break;
	case KVMSEA_LAYOUT_MOPS:
		d->u.mops.mem_inst = BIT(esr, 24);
		d->u.mops.is_setg = BIT(esr, 23);
		d->u.mops.options = (uint8_t)BITS(esr, 22, 19);
		d->u.mops.from_epilogue = BIT(esr, 18);
		d->u.mops.wrong_option = BIT(esr, 17);
		d->u.mops.option_a = BIT(esr, 16);
		d->u.mops.destreg = (uint8_t)BITS(esr, 14, 10);
		d->u.mops.srcreg = (uint8_t)BITS(esr, 9, 5);
		d->u.mops.sizereg = (uint8_t)BITS(esr, 4, 0);
		break;
	case KVMSEA_LAYOUT_GCS:
		d->u.gcs.exception_type = (uint8_t)BITS(esr, 23, 20);
		d->u.gcs.raddr = (uint8_t)BITS(esr, 14, 10);
		d->u.gcs.rn = (uint8_t)BITS(esr, 9, 5);
		d->u.gcs.it = (uint8_t)BITS(esr, 4, 0);
		break;
	case KVMSEA_LAYOUT_ABORT:
	case KVMSEA_LAYOUT_NONE:
		break;
	}
}

KVMSEA_EXPORT void kvmsea_esr_decode(uint64_t esr, struct kvmsea_esr *d)
{
	/* Every field outside the union is set below, so only the union needs
	 * clearing (64 bytes rather than the whole struct: this is the SEA
	 * path). */
	uint32_t low = (uint32_t)esr;
	uint8_t info = ec_info[low >> A64_ESR_EC_SHIFT];

	memset(&d->u, 0, sizeof(d->u));
	d->raw = esr;
	d->ec = (uint8_t)(low >> A64_ESR_EC_SHIFT);
	d->il = HAS(low, A64_ESR_IL);
	d->iss = low & A64_ESR_ISS_MASK;
	d->iss2 = BITS(esr, 55, 32);
	d->res0_hi = (uint8_t)(esr >> 56);
	d->ec_allocated = info & ALLOC;
	d->layout = (enum kvmsea_esr_layout)(info & 0x0f);
	d->severity = KVMSEA_RAS_NOT_REPORTED;

	/* Aborts first and outside the switch: they are the SEA path. */
	if (d->layout == KVMSEA_LAYOUT_ABORT)
		decode_abort(esr, d);
	else
		decode_other(esr, d);
}

KVMSEA_EXPORT bool kvmsea_esr_is_data_abort(uint64_t esr)
{
	unsigned int ec = EC(esr);

	return ec == KVMSEA_EC_DABT_LOW || ec == KVMSEA_EC_DABT_CUR;
}

KVMSEA_EXPORT bool kvmsea_esr_is_insn_abort(uint64_t esr)
{
	unsigned int ec = EC(esr);

	return ec == KVMSEA_EC_IABT_LOW || ec == KVMSEA_EC_IABT_CUR;
}

KVMSEA_EXPORT bool kvmsea_esr_is_sea(uint64_t esr)
{
	return is_abort_ec(EC(esr)) &&
	       (fsc_flags[ESR_FIELD(esr, A64_ESR_FSC)] & SEA);
}

KVMSEA_EXPORT bool kvmsea_esr_far_valid(uint64_t esr)
{
	unsigned int ec = EC(esr);

	/* FnV is defined only for FSC 0x10 (RES0, so ignored, otherwise). */
	if (is_abort_ec(ec))
		return !(ESR_FIELD(esr, A64_ESR_FSC) == KVMSEA_FSC_EXTABT &&
			 HAS(esr, A64_ESR_FNV));
	if (ec == KVMSEA_EC_WATCHPT_LOW || ec == KVMSEA_EC_WATCHPT_CUR)
		return !HAS(esr, A64_ESR_FNV);
	return false;
}

KVMSEA_EXPORT enum kvmsea_ras_severity kvmsea_esr_severity(uint64_t esr)
{
	unsigned int ec = EC(esr);

	if (is_abort_ec(ec) && ESR_FIELD(esr, A64_ESR_FSC) == KVMSEA_FSC_EXTABT)
		return set_severity(ESR_FIELD(esr, A64_ESR_SET));
	if (ec == KVMSEA_EC_SERROR && !BIT(esr, 24) /* IDS */ &&
	    ESR_FIELD(esr, A64_ESR_FSC) == A64_ESR_SERROR_DFSC_ASYNC)
		return aet_severity(ESR_FIELD(esr, A64_ESR_SERROR_AET));
	return KVMSEA_RAS_NOT_REPORTED;
}

KVMSEA_EXPORT const char *kvmsea_ras_severity_name(enum kvmsea_ras_severity sev)
{
	switch (sev) {
	case KVMSEA_RAS_NOT_REPORTED:
		return "none";
	case KVMSEA_RAS_UER:
		return "UER";
	case KVMSEA_RAS_UEO:
		return "UEO";
	case KVMSEA_RAS_UEU:
		return "UEU";
	case KVMSEA_RAS_UC:
		return "UC";
	case KVMSEA_RAS_CE:
		return "CE";
	case KVMSEA_RAS_RESERVED:
		return "reserved";
	}
	return "invalid";
}
