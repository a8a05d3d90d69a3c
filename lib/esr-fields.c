/* SPDX-License-Identifier: MIT */
/*
 * What each ISS layout's fields are: for a decoded syndrome, the list of its
 * ISS and ISS2 fields (name, bits, value and what the value means), in the
 * order the formatter prints them (esr-format.c prints the list in its three
 * styles). Bits of the ISS and ISS2 that no field describes are listed as
 * "RES0" runs when they are set, for every layout whose encoding is known
 * and for the classes whose ISS is all RES0 (EC 0x00, 0x09, 0x0e, 0x19,
 * 0x22, 0x26); for the other classes shown raw (KVMSEA_LAYOUT_NONE) no
 * claim is made about their bits, and the list is empty.
 */
#include "esr-internal.h"

#define ISS_BITS 0x0000000001ffffffull
/* A field's hi and lo arguments from its arm64.h mask. */
#define AT(mask) ESR_MSB(mask), ESR_LSB(mask)
#define ISS2_BITS 0x00ffffff00000000ull

/* The list being built, and the ESR bits its fields describe so far. */
struct list {
	const struct kvmsea_esr *d;
	struct kvmsea_esr_fields *out;
	uint64_t covered;
};

static uint64_t mask_of(unsigned int hi, unsigned int lo)
{
	return ((2ull << (hi - lo)) - 1) << lo;
}

/* One field of the ISS or ISS2, @hi/@lo being ESR bit positions. */
static void field(struct list *l, unsigned int hi, unsigned int lo,
		  const char *name, const char *meaning, unsigned int flags)
{
	struct kvmsea_esr_fields *f = l->out;
	uint64_t mask = mask_of(hi, lo);

	l->covered |= mask;
	/* Fields cover disjoint bits, so this always has room (see
	 * KVMSEA_ESR_MAX_FIELDS); the test keeps it safe regardless. */
	if (f->n == KVMSEA_ESR_MAX_FIELDS)
		return;
	f->field[f->n++] = (struct kvmsea_esr_field){
		.name = name,
		.meaning = meaning,
		.value = (uint32_t)((l->d->raw & mask) >> lo),
		.hi = (uint8_t)hi,
		.lo = (uint8_t)lo,
		.flags = (uint8_t)flags,
	};
}

/* A one-bit field whose meaning depends on its value. */
static void flag(struct list *l, unsigned int bit, const char *name,
		 const char *if_set, const char *if_clear, unsigned int flags)
{
	field(l, bit, bit, name, (l->d->raw >> bit) & 1 ? if_set : if_clear,
	      flags);
}

/* List each run of set bits in @group that no field describes as RES0,
 * highest first. */
static void res0_runs(struct list *l, uint64_t group)
{
	uint64_t set = l->d->raw & group & ~l->covered;

	while (set) {
		unsigned int hi = 63 - (unsigned int)__builtin_clzll(set);
		/* The clear bits below hi: the run stops above the highest. */
		uint64_t clear = ~set & ((1ull << hi) - 1);
		unsigned int lo = clear ? 64 - (unsigned int)__builtin_clzll(clear) : 0;

		field(l, hi, lo, "RES0", "reserved bits set",
		      KVMSEA_FIELD_SUMMARY | KVMSEA_FIELD_RES0);
		set &= ~mask_of(hi, lo);
	}
}

/* The tables of meanings are arrays of char arrays, each as wide as its
 * longest string (a longer one does not compile), rather than arrays of
 * pointers: no relocation when the library is loaded. */
static const char access_sizes[4][sizeof("doubleword")] = {
	"byte", "halfword", "word", "doubleword",
};

static const char set_meanings[4][sizeof(
	"UEO: restartable, or CE: corrected")] = {
	"UER: recoverable",
	"reserved",
	"UC: uncontainable",
	"UEO: restartable, or CE: corrected",
};

static const char wu_meanings[4][sizeof(
	"not a store, or the location might have been updated")] = {
	"not a store, or the location might have been updated",
	"reserved",
	"a store that did not update the location",
	"a store that updated the location",
};

static void emit_abort_iss(struct list *l)
{
	const struct kvmsea_esr_abort *a = &l->d->u.abort;
	bool extabt = kvmsea_esr_fsc_is_extabt(a->fsc);

	if (!a->is_data) {
		flag(l, 21, "TopLevel", "fault from a TopLevel descriptor",
		     "not a TopLevel fault", 0);
	} else {
		flag(l, 24, "ISV", "instruction syndrome valid",
		     "no instruction syndrome", 0);
		if (a->isv) {
			field(l, 23, 22, "SAS", access_sizes[a->sas], 0);
			flag(l, 21, "SSE", "sign-extended", "not sign-extended", 0);
			field(l, 20, 16, "SRT", "register number", 0);
			flag(l, 15, "SF", "64-bit register", "32-bit register", 0);
			flag(l, 14, "AR", "acquire/release", "no acquire/release", 0);
		} else {
			if (extabt)
				field(l, 17, 16, "WU", wu_meanings[a->wu], 0);
			flag(l, 15, "FnP", "FAR is any address in the fault granule",
			     "FAR is precise", 0);
		}
	}
	if (extabt && !a->isv)
		flag(l, 14, "PFV", "PFAR_ELx valid", "PFAR_ELx not valid", 0);
	if (a->is_data)
		flag(l, 13, "VNCR", "VNCR_EL2-redirected access",
		     "not a VNCR_EL2 access", 0);
	if (a->set_valid)
		field(l, AT(A64_ESR_SET), "SET", set_meanings[a->set],
		      KVMSEA_FIELD_SUMMARY);
	else if (a->is_data && a->fsc == 0x35)
		field(l, 12, 11, "LST", "load/store type", 0);
	if (a->fsc == KVMSEA_FSC_EXTABT)
		flag(l, ESR_LSB(A64_ESR_FNV), "FnV", "FAR not valid",
		     "FAR valid", KVMSEA_FIELD_ALWAYS);
	flag(l, ESR_LSB(A64_ESR_EA), "EA", "external abort type bit set",
	     "external abort type bit clear", KVMSEA_FIELD_ALWAYS);
	if (a->is_data)
		flag(l, ESR_LSB(A64_ESR_CM), "CM",
		     "cache maintenance or AT instruction",
		     "not cache maintenance", 0);
	flag(l, ESR_LSB(A64_ESR_S1PTW), "S1PTW",
	     "stage 2 fault on a stage 1 table walk",
	     "not on a stage 1 table walk", 0);
	if (a->is_data)
		flag(l, ESR_LSB(A64_ESR_WNR), "WnR", "write", "read",
		     KVMSEA_FIELD_SUMMARY);
	field(l, AT(A64_ESR_FSC), a->is_data ? "DFSC" : "IFSC",
	      kvmsea_esr_fsc_description(a->fsc), KVMSEA_FIELD_SUMMARY);
}

static void emit_abort_iss2(struct list *l)
{
	const struct kvmsea_esr_abort *a = &l->d->u.abort;

	if (a->is_data) {
		flag(l, 43, "HDBSSF", "HDBSS fault", "not an HDBSS fault", 0);
		flag(l, 42, "TnD", "tag, not data, access", "data access", 0);
		flag(l, 41, "TagAccess", "NoTagAccess fault", "not NoTagAccess", 0);
		flag(l, 40, "GCS", "GCS data access", "not a GCS access", 0);
	}
	flag(l, 39, "AssuredOnly", "AssuredOnly fault", "not AssuredOnly", 0);
	flag(l, 38, "Overlay", "overlay permission fault", "not overlay", 0);
	if (a->is_data) {
		flag(l, 37, "DirtyBit", "dirty state fault", "not dirty state", 0);
		field(l, 36, 32, "Xs", "ST64BV(0) status register", 0);
	}
}

static const char aet_meanings[8][sizeof("UEU: unrecoverable")] = {
	"UC: uncontainable", "UEU: unrecoverable", "UEO: restartable",
	"UER: recoverable",  "reserved",           "reserved",
	"CE: corrected",     "reserved",
};

static void emit_serror(struct list *l)
{
	const struct kvmsea_esr_serror *s = &l->d->u.serror;

	flag(l, 24, "IDS", "IMPLEMENTATION DEFINED syndrome",
	     "architected syndrome", 0);
	if (s->ids) {
		field(l, 23, 0, "IMPDEF", "IMPLEMENTATION DEFINED", 0);
		return;
	}
	if (s->dfsc == A64_ESR_SERROR_DFSC_ASYNC) {
		flag(l, 13, "IESB", "synchronized by an implicit ESB",
		     "not synchronized by an implicit ESB", 0);
		field(l, AT(A64_ESR_SERROR_AET), "AET", aet_meanings[s->aet],
		      KVMSEA_FIELD_SUMMARY);
		flag(l, ESR_LSB(A64_ESR_EA), "EA", "external abort type bit set",
		     "external abort type bit clear", 0);
	}
	field(l, AT(A64_ESR_FSC), "DFSC",
	      s->dfsc == 0x00 ? "uncategorized" :
	      s->dfsc == A64_ESR_SERROR_DFSC_ASYNC ? "asynchronous SError" :
	      "reserved",
	      KVMSEA_FIELD_SUMMARY);
}

static const char wfx_kinds[4][sizeof("WFIT")] = {
	"WFI", "WFE", "WFIT", "WFET",
};

static void emit_wfx(struct list *l)
{
	flag(l, 24, "CV", "condition valid", "condition not valid", 0);
	field(l, 23, 20, "COND", "condition code", 0);
	field(l, 9, 5, "RN", "WFIT/WFET register", 0);
	flag(l, 2, "RV", "register valid", "register not valid", 0);
	field(l, 1, 0, "TI", wfx_kinds[l->d->u.wfx.ti], KVMSEA_FIELD_SUMMARY);
}

static void emit_imm16(struct list *l)
{
	field(l, 15, 0, "imm16", "immediate", KVMSEA_FIELD_ALWAYS);
}

static void emit_sysreg(struct list *l)
{
	const struct kvmsea_esr_sysreg *r = &l->d->u.sysreg;

	field(l, 21, 20, "Op0", NULL, KVMSEA_FIELD_ALWAYS);
	field(l, 19, 17, "Op2", NULL, KVMSEA_FIELD_ALWAYS);
	field(l, 16, 14, "Op1", NULL, KVMSEA_FIELD_ALWAYS);
	field(l, 13, 10, "CRn", NULL, KVMSEA_FIELD_ALWAYS);
	field(l, 9, 5, "Rt", "register number", KVMSEA_FIELD_ALWAYS);
	field(l, 4, 1, "CRm", NULL, KVMSEA_FIELD_ALWAYS);
	if (r->op0 == 1)
		flag(l, 0, "Direction", "SYSL", "SYS", KVMSEA_FIELD_SUMMARY);
	else
		flag(l, 0, "Direction", "read, MRS", "write, MSR",
		     KVMSEA_FIELD_SUMMARY);
}

static void emit_debug(struct list *l)
{
	const struct kvmsea_esr_debug *g = &l->d->u.debug;
	const char *fsc = g->fsc == 0x22 ? "debug exception" : "reserved";

	switch (l->d->ec) {
	case KVMSEA_EC_SOFTSTP_LOW:
	case KVMSEA_EC_SOFTSTP_CUR:
		flag(l, 24, "ISV", "EX valid", "EX not valid", 0);
		if (g->isv)
			flag(l, 6, "EX", "stepped a load-exclusive",
			     "not a load-exclusive", 0);
		field(l, AT(A64_ESR_FSC), "IFSC", fsc, KVMSEA_FIELD_SUMMARY);
		break;
	case KVMSEA_EC_WATCHPT_LOW:
	case KVMSEA_EC_WATCHPT_CUR:
		field(l, 23, 18, "WPT", "watchpoint number", 0);
		flag(l, 17, "WPTV", "WPT valid", "WPT not valid", 0);
		flag(l, 16, "WPF", "watchpoint might be false-positive",
		     "watchpoint match", 0);
		flag(l, 15, "FnP", "FAR not precise", "FAR precise", 0);
		flag(l, 13, "VNCR", "VNCR_EL2-redirected access",
		     "not a VNCR_EL2 access", 0);
		flag(l, ESR_LSB(A64_ESR_FNV), "FnV", "FAR not valid",
		     "FAR valid", 0);
		flag(l, ESR_LSB(A64_ESR_CM), "CM", "cache maintenance",
		     "not cache maintenance", 0);
		flag(l, ESR_LSB(A64_ESR_WNR), "WnR", "write", "read", KVMSEA_FIELD_SUMMARY);
		field(l, AT(A64_ESR_FSC), "DFSC", fsc, KVMSEA_FIELD_SUMMARY);
		break;
	default: /* breakpoint, vector catch */
		field(l, AT(A64_ESR_FSC), "IFSC", fsc, KVMSEA_FIELD_SUMMARY);
		break;
	}
}

static void emit_debug_iss2(struct list *l)
{
	if (l->d->ec == KVMSEA_EC_WATCHPT_LOW || l->d->ec == KVMSEA_EC_WATCHPT_CUR)
		flag(l, 40, "GCS", "GCS data access", "not a GCS access", 0);
}

static void emit_fp_exc(struct list *l)
{
	flag(l, 23, "TFV", "trapped fault flags valid",
	     "trapped fault flags not valid", 0);
	field(l, 10, 8, "VECITR", "vector iteration (AArch32)", 0);
	flag(l, 7, "IDF", "input denormal", NULL, 0);
	flag(l, 4, "IXF", "inexact", NULL, 0);
	flag(l, 3, "UFF", "underflow", NULL, 0);
	flag(l, 2, "OFF", "overflow", NULL, 0);
	flag(l, 1, "DZF", "divide by zero", NULL, 0);
	flag(l, 0, "IOF", "invalid operation", NULL, 0);
}

static void emit_bti(struct list *l)
{
	field(l, 1, 0, "BTYPE", "PSTATE.BTYPE", KVMSEA_FIELD_ALWAYS);
}

static void emit_pac(struct list *l)
{
	flag(l, 1, "IorD", "data key", "instruction key", KVMSEA_FIELD_SUMMARY);
	flag(l, 0, "AorB", "B key", "A key", KVMSEA_FIELD_SUMMARY);
}

static void emit_mops(struct list *l)
{
	flag(l, 24, "MemInst", "SET* instruction", "CPY* instruction",
	     KVMSEA_FIELD_SUMMARY);
	flag(l, 23, "isSETG", "SETG* instruction", "not SETG*", 0);
	field(l, 22, 19, "Options", NULL, 0);
	flag(l, 18, "FromEpilogue", "from an epilogue", "not from an epilogue", 0);
	flag(l, 17, "WrongOption", "wrong option", "option right", 0);
	flag(l, 16, "OptionA", "option A", "option B", 0);
	field(l, 14, 10, "destreg", NULL, 0);
	field(l, 9, 5, "srcreg", NULL, 0);
	field(l, 4, 0, "sizereg", NULL, 0);
}

static void emit_gcs(struct list *l)
{
	field(l, 23, 20, "ExType", "exception type", KVMSEA_FIELD_ALWAYS);
	field(l, 14, 10, "Raddr", NULL, 0);
	field(l, 9, 5, "Rn", NULL, 0);
	field(l, 4, 0, "IT", "instruction type", 0);
}

/* The ISS fields of this layout; returns false when the layout is not
 * known, so no RES0 claim can be made about the ISS. */
static bool emit_iss(struct list *l)
{
	switch (l->d->layout) {
	case KVMSEA_LAYOUT_ABORT:
		emit_abort_iss(l);
		return true;
	case KVMSEA_LAYOUT_SERROR:
		emit_serror(l);
		return true;
	case KVMSEA_LAYOUT_WFX:
		emit_wfx(l);
		return true;
	case KVMSEA_LAYOUT_IMM16:
		emit_imm16(l);
		return true;
	case KVMSEA_LAYOUT_SYSREG:
		emit_sysreg(l);
		return true;
	case KVMSEA_LAYOUT_DEBUG:
		emit_debug(l);
		return true;
	case KVMSEA_LAYOUT_FP_EXC:
		emit_fp_exc(l);
		return true;
	case KVMSEA_LAYOUT_BTI:
		emit_bti(l);
		return true;
	case KVMSEA_LAYOUT_PAC:
		emit_pac(l);
		return true;
	case KVMSEA_LAYOUT_MOPS:
		emit_mops(l);
		return true;
	case KVMSEA_LAYOUT_GCS:
		emit_gcs(l);
		return true;
	case KVMSEA_LAYOUT_NONE:
		break;
	}
	return kvmsea_esr_ec_iss_is_res0(l->d->ec);
}

/* The ISS2 fields; same return convention. */
static bool emit_iss2(struct list *l)
{
	switch (l->d->layout) {
	case KVMSEA_LAYOUT_ABORT:
		emit_abort_iss2(l);
		return true;
	case KVMSEA_LAYOUT_DEBUG:
		emit_debug_iss2(l);
		return true;
	case KVMSEA_LAYOUT_NONE:
		return kvmsea_esr_ec_iss_is_res0(l->d->ec);
	default:
		return true;
	}
}

void kvmsea_esr_fields(const struct kvmsea_esr *d, bool iss2,
		       struct kvmsea_esr_fields *out)
{
	struct list l = { .d = d, .out = out, .covered = 0 };

	out->n = 0;
	out->known = iss2 ? emit_iss2(&l) : emit_iss(&l);
	if (out->known)
		res0_runs(&l, iss2 ? ISS2_BITS : ISS_BITS);
}
