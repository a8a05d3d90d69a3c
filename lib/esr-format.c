/* SPDX-License-Identifier: MIT */
/*
 * ESR_ELx as text: one line, a tree, or JSON.
 *
 * Every layout is described once, as a list of fields (emit_* below), and
 * the three styles are three ways of printing that list. Bits of the ISS and
 * ISS2 that no field describes are reported as "RES0" when they are set, for
 * every layout whose encoding is known and for the classes whose ISS is all
 * RES0 (EC 0x00, 0x09, 0x0e, 0x19, 0x22, 0x26); for the other classes shown
 * raw (KVMSEA_LAYOUT_NONE) no claim is made about their bits.
 *
 * The output goes through the library's own writer (writer.h), not
 * snprintf(): no allocation, async-signal safe, and a cut text is a prefix
 * of the whole text.
 *
 * JSON keys (stable; a new key may be added, none is renamed or removed):
 *   esr             string, "0x" and 16 hex digits: the raw value
 *   ec              number, ESR[31:26]
 *   ec_name         string, e.g. "DABT_LOW", "UNALLOCATED"
 *   ec_description  string
 *   ec_allocated    boolean
 *   il              number, ESR[25]
 *   iss             number, ESR[24:0]
 *   iss2            number, ESR[55:32]
 *   res0_hi         number, ESR[63:56] (RES0: non-zero means reserved bits set)
 *   layout          string: none abort serror wfx imm16 sysreg debug fp_exc
 *                   bti pac mops gcs
 *   severity        string: none UER UEO UEU UC CE reserved
 *   is_sea          boolean, kvmsea_esr_is_sea()
 *   far_valid       boolean, kvmsea_esr_far_valid()
 *   sysreg          string or null: the register or instruction an EC 0x18
 *                   trap names, e.g. "SCTLR_EL1" or "S3_0_C15_C0_0"
 *   fields          array of objects, one per decoded field, highest bits
 *                   first (ISS, then ISS2):
 *                     name     string, the Arm field name, or "RES0"
 *                     bits     string, ESR bit positions "hi:lo" or "n"
 *                     value    number
 *                     meaning  string or null
 */
#include <errno.h>
#include <string.h>

#include "esr-internal.h"
#include "writer.h"

#define ISS_BITS 0x0000000001ffffffull
#define ISS2_BITS 0x00ffffff00000000ull

/*
 * Field flags for the one-line style, which is a summary: it shows a field
 * when the field is non-zero or flagged ALWAYS, and a field's meaning only
 * when flagged SUMMARY (SUMMARY implies ALWAYS).
 */
#define ALWAYS 1u
#define SUMMARY 3u

struct out {
	struct kvmsea_writer w;
	enum kvmsea_esr_style style;
	const struct kvmsea_esr *d;
	uint64_t covered;           /* ESR bits some field described */
	unsigned int nfields;       /* for JSON commas */
};

/* ---- the writer ---------------------------------------------------------- */

static void put_char(struct out *o, char c)
{
	w_char(&o->w, c);
}

static void put_str(struct out *o, const char *s)
{
	w_str(&o->w, s);
}

static void put_pad(struct out *o, size_t from, size_t width)
{
	size_t n = o->w.len - from;

	do
		put_char(o, ' ');
	while (++n < width);
}

static void put_hex(struct out *o, uint64_t v, unsigned int digits)
{
	w_hex(&o->w, v, digits);
}

static void put_dec(struct out *o, uint64_t v)
{
	w_dec(&o->w, v);
}

static void put_bin(struct out *o, uint64_t v, unsigned int width)
{
	put_str(o, "0b");
	while (width--)
		put_char(o, (char)('0' + ((v >> width) & 1)));
}

static void put_json_str(struct out *o, const char *s)
{
	w_json_str(&o->w, s);
}

static void put_bits(struct out *o, unsigned int hi, unsigned int lo)
{
	put_dec(o, hi);
	if (hi != lo) {
		put_char(o, ':');
		put_dec(o, lo);
	}
}

/* A field's value as text: one bit as 0/1, two or three bits in binary (as
 * the Arm ARM writes SET and AET), wider fields in hex. */
static void put_value(struct out *o, uint64_t v, unsigned int width)
{
	if (width == 1)
		put_char(o, (char)('0' + (v & 1)));
	else if (width <= 3)
		put_bin(o, v, width);
	else
		put_hex(o, v, (width + 3) / 4);
}

/* ---- fields -------------------------------------------------------------- */

static uint64_t bits_of(uint64_t v, unsigned int hi, unsigned int lo)
{
	return (v >> lo) & ((2ull << (hi - lo)) - 1);
}

static uint64_t mask_of(unsigned int hi, unsigned int lo)
{
	return ((2ull << (hi - lo)) - 1) << lo;
}

/* A tree line: indent, name, [bits], value, then "prefix: meaning". */
static void tree_line(struct out *o, unsigned int indent, const char *name,
		      unsigned int hi, unsigned int lo, uint64_t value,
		      const char *prefix, const char *meaning)
{
	size_t start;

	while (indent--)
		put_char(o, ' ');
	start = o->w.len;
	put_str(o, name);
	put_pad(o, start, 12);
	start = o->w.len;
	put_char(o, '[');
	put_bits(o, hi, lo);
	put_char(o, ']');
	put_pad(o, start, 8);
	start = o->w.len;
	put_value(o, value, hi - lo + 1);
	if (prefix || meaning)
		put_pad(o, start, 10);
	if (prefix) {
		put_str(o, prefix);
		put_str(o, ": ");
	}
	if (meaning)
		put_str(o, meaning);
	put_char(o, '\n');
}

/* One field of the ISS or ISS2, @hi/@lo being ESR bit positions. */
static void field(struct out *o, unsigned int hi, unsigned int lo,
		  const char *name, const char *meaning, unsigned int flags)
{
	uint64_t value = bits_of(o->d->raw, hi, lo);

	o->covered |= mask_of(hi, lo);
	switch (o->style) {
	case KVMSEA_ESR_TREE:
		tree_line(o, 4, name, hi, lo, value, NULL, meaning);
		break;
	case KVMSEA_ESR_ONELINE:
		if (!value && !(flags & ALWAYS))
			break;
		put_str(o, ", ");
		put_str(o, name);
		if (!strcmp(name, "RES0")) {
			put_char(o, '[');
			put_bits(o, hi, lo);
			put_char(o, ']');
		}
		put_char(o, ' ');
		put_value(o, value, hi - lo + 1);
		if ((flags & SUMMARY) == SUMMARY && meaning) {
			put_str(o, " (");
			put_str(o, meaning);
			put_char(o, ')');
		}
		break;
	case KVMSEA_ESR_JSON:
		if (o->nfields++)
			put_char(o, ',');
		put_str(o, "{\"name\":");
		put_json_str(o, name);
		put_str(o, ",\"bits\":\"");
		put_bits(o, hi, lo);
		put_str(o, "\",\"value\":");
		put_dec(o, value);
		put_str(o, ",\"meaning\":");
		if (meaning)
			put_json_str(o, meaning);
		else
			put_str(o, "null");
		put_char(o, '}');
		break;
	}
}

/* A one-bit field whose meaning depends on its value. */
static void flag(struct out *o, unsigned int bit, const char *name,
		 const char *if_set, const char *if_clear, unsigned int flags)
{
	field(o, bit, bit, name, (o->d->raw >> bit) & 1 ? if_set : if_clear,
	      flags);
}

/* Report each run of set bits in @group that no field describes as RES0. */
static void res0_runs(struct out *o, uint64_t group)
{
	uint64_t set = o->d->raw & group & ~o->covered;
	unsigned int bit = 64;

	while (bit--) {
		unsigned int hi = bit;

		if (!((set >> bit) & 1))
			continue;
		while (bit > 0 && ((set >> (bit - 1)) & 1))
			bit--;
		field(o, hi, bit, "RES0", "reserved bits set", SUMMARY);
	}
}

/* ---- layouts ------------------------------------------------------------- */

static const char *const access_sizes[4] = {
	"byte", "halfword", "word", "doubleword",
};

static const char *const set_meanings[4] = {
	"UER: recoverable",
	"reserved",
	"UC: uncontainable",
	"UEO: restartable, or CE: corrected",
};

static const char *const wu_meanings[4] = {
	"not a store, or the location might have been updated",
	"reserved",
	"a store that did not update the location",
	"a store that updated the location",
};

static void emit_abort_iss(struct out *o)
{
	const struct kvmsea_esr_abort *a = &o->d->u.abort;
	bool extabt = kvmsea_esr_fsc_is_extabt(a->fsc);

	if (!a->is_data) {
		flag(o, 21, "TopLevel", "fault from a TopLevel descriptor",
		     "not a TopLevel fault", 0);
	} else {
		flag(o, 24, "ISV", "instruction syndrome valid",
		     "no instruction syndrome", 0);
		if (a->isv) {
			field(o, 23, 22, "SAS", access_sizes[a->sas], 0);
			flag(o, 21, "SSE", "sign-extended", "not sign-extended", 0);
			field(o, 20, 16, "SRT", "register number", 0);
			flag(o, 15, "SF", "64-bit register", "32-bit register", 0);
			flag(o, 14, "AR", "acquire/release", "no acquire/release", 0);
		} else {
			if (extabt)
				field(o, 17, 16, "WU", wu_meanings[a->wu], 0);
			flag(o, 15, "FnP", "FAR is any address in the fault granule",
			     "FAR is precise", 0);
		}
	}
	if (extabt && !a->isv)
		flag(o, 14, "PFV", "PFAR_ELx valid", "PFAR_ELx not valid", 0);
	if (a->is_data)
		flag(o, 13, "VNCR", "VNCR_EL2-redirected access",
		     "not a VNCR_EL2 access", 0);
	if (a->set_valid)
		field(o, 12, 11, "SET", set_meanings[a->set], SUMMARY);
	else if (a->is_data && a->fsc == 0x35)
		field(o, 12, 11, "LST", "load/store type", 0);
	if (a->fsc == KVMSEA_FSC_EXTABT)
		flag(o, 10, "FnV", "FAR not valid", "FAR valid", ALWAYS);
	flag(o, 9, "EA", "external abort type bit set",
	     "external abort type bit clear", ALWAYS);
	if (a->is_data)
		flag(o, 8, "CM", "cache maintenance or AT instruction",
		     "not cache maintenance", 0);
	flag(o, 7, "S1PTW", "stage 2 fault on a stage 1 table walk",
	     "not on a stage 1 table walk", 0);
	if (a->is_data)
		flag(o, 6, "WnR", "write", "read", SUMMARY);
	field(o, 5, 0, a->is_data ? "DFSC" : "IFSC",
	      kvmsea_esr_fsc_description(a->fsc), SUMMARY);
}

static void emit_abort_iss2(struct out *o)
{
	const struct kvmsea_esr_abort *a = &o->d->u.abort;

	if (a->is_data) {
		flag(o, 43, "HDBSSF", "HDBSS fault", "not an HDBSS fault", 0);
		flag(o, 42, "TnD", "tag, not data, access", "data access", 0);
		flag(o, 41, "TagAccess", "NoTagAccess fault", "not NoTagAccess", 0);
		flag(o, 40, "GCS", "GCS data access", "not a GCS access", 0);
	}
	flag(o, 39, "AssuredOnly", "AssuredOnly fault", "not AssuredOnly", 0);
	flag(o, 38, "Overlay", "overlay permission fault", "not overlay", 0);
	if (a->is_data) {
		flag(o, 37, "DirtyBit", "dirty state fault", "not dirty state", 0);
		field(o, 36, 32, "Xs", "ST64BV(0) status register", 0);
	}
}

static const char *const aet_meanings[8] = {
	"UC: uncontainable", "UEU: unrecoverable", "UEO: restartable",
	"UER: recoverable",  "reserved",           "reserved",
	"CE: corrected",     "reserved",
};

static void emit_serror(struct out *o)
{
	const struct kvmsea_esr_serror *s = &o->d->u.serror;

	flag(o, 24, "IDS", "IMPLEMENTATION DEFINED syndrome",
	     "architected syndrome", 0);
	if (s->ids) {
		field(o, 23, 0, "IMPDEF", "IMPLEMENTATION DEFINED", 0);
		return;
	}
	if (s->dfsc == 0x11) {
		flag(o, 13, "IESB", "synchronized by an implicit ESB",
		     "not synchronized by an implicit ESB", 0);
		field(o, 12, 10, "AET", aet_meanings[s->aet], SUMMARY);
		flag(o, 9, "EA", "external abort type bit set",
		     "external abort type bit clear", 0);
	}
	field(o, 5, 0, "DFSC",
	      s->dfsc == 0x00 ? "uncategorized" :
	      s->dfsc == 0x11 ? "asynchronous SError" : "reserved",
	      SUMMARY);
}

static const char *const wfx_kinds[4] = { "WFI", "WFE", "WFIT", "WFET" };

static void emit_wfx(struct out *o)
{
	flag(o, 24, "CV", "condition valid", "condition not valid", 0);
	field(o, 23, 20, "COND", "condition code", 0);
	field(o, 9, 5, "RN", "WFIT/WFET register", 0);
	flag(o, 2, "RV", "register valid", "register not valid", 0);
	field(o, 1, 0, "TI", wfx_kinds[o->d->u.wfx.ti], SUMMARY);
}

static void emit_imm16(struct out *o)
{
	field(o, 15, 0, "imm16", "immediate", ALWAYS);
}

static void emit_sysreg(struct out *o)
{
	const struct kvmsea_esr_sysreg *r = &o->d->u.sysreg;

	field(o, 21, 20, "Op0", NULL, ALWAYS);
	field(o, 19, 17, "Op2", NULL, ALWAYS);
	field(o, 16, 14, "Op1", NULL, ALWAYS);
	field(o, 13, 10, "CRn", NULL, ALWAYS);
	field(o, 9, 5, "Rt", "register number", ALWAYS);
	field(o, 4, 1, "CRm", NULL, ALWAYS);
	if (r->op0 == 1)
		flag(o, 0, "Direction", "SYSL", "SYS", SUMMARY);
	else
		flag(o, 0, "Direction", "read, MRS", "write, MSR", SUMMARY);
}

/* The sysreg's name, or the generic S<op0>_<op1>_C<n>_C<m>_<op2> spelling. */
static void put_sysreg_name(struct out *o)
{
	const struct kvmsea_esr_sysreg *r = &o->d->u.sysreg;

	if (r->name) {
		put_str(o, r->name);
		return;
	}
	put_char(o, 'S');
	put_dec(o, r->op0);
	put_char(o, '_');
	put_dec(o, r->op1);
	put_str(o, "_C");
	put_dec(o, r->crn);
	put_str(o, "_C");
	put_dec(o, r->crm);
	put_char(o, '_');
	put_dec(o, r->op2);
}

static void emit_debug(struct out *o)
{
	const struct kvmsea_esr_debug *g = &o->d->u.debug;
	const char *fsc = g->fsc == 0x22 ? "debug exception" : "reserved";

	switch (o->d->ec) {
	case KVMSEA_EC_SOFTSTP_LOW:
	case KVMSEA_EC_SOFTSTP_CUR:
		flag(o, 24, "ISV", "EX valid", "EX not valid", 0);
		if (g->isv)
			flag(o, 6, "EX", "stepped a load-exclusive",
			     "not a load-exclusive", 0);
		field(o, 5, 0, "IFSC", fsc, SUMMARY);
		break;
	case KVMSEA_EC_WATCHPT_LOW:
	case KVMSEA_EC_WATCHPT_CUR:
		field(o, 23, 18, "WPT", "watchpoint number", 0);
		flag(o, 17, "WPTV", "WPT valid", "WPT not valid", 0);
		flag(o, 16, "WPF", "watchpoint might be false-positive",
		     "watchpoint match", 0);
		flag(o, 15, "FnP", "FAR not precise", "FAR precise", 0);
		flag(o, 13, "VNCR", "VNCR_EL2-redirected access",
		     "not a VNCR_EL2 access", 0);
		flag(o, 10, "FnV", "FAR not valid", "FAR valid", 0);
		flag(o, 8, "CM", "cache maintenance", "not cache maintenance", 0);
		flag(o, 6, "WnR", "write", "read", SUMMARY);
		field(o, 5, 0, "DFSC", fsc, SUMMARY);
		break;
	default: /* breakpoint, vector catch */
		field(o, 5, 0, "IFSC", fsc, SUMMARY);
		break;
	}
}

static void emit_debug_iss2(struct out *o)
{
	if (o->d->ec == KVMSEA_EC_WATCHPT_LOW || o->d->ec == KVMSEA_EC_WATCHPT_CUR)
		flag(o, 40, "GCS", "GCS data access", "not a GCS access", 0);
}

static void emit_fp_exc(struct out *o)
{
	flag(o, 23, "TFV", "trapped fault flags valid",
	     "trapped fault flags not valid", 0);
	field(o, 10, 8, "VECITR", "vector iteration (AArch32)", 0);
	flag(o, 7, "IDF", "input denormal", NULL, 0);
	flag(o, 4, "IXF", "inexact", NULL, 0);
	flag(o, 3, "UFF", "underflow", NULL, 0);
	flag(o, 2, "OFF", "overflow", NULL, 0);
	flag(o, 1, "DZF", "divide by zero", NULL, 0);
	flag(o, 0, "IOF", "invalid operation", NULL, 0);
}

static void emit_bti(struct out *o)
{
	field(o, 1, 0, "BTYPE", "PSTATE.BTYPE", ALWAYS);
}

static void emit_pac(struct out *o)
{
	flag(o, 1, "IorD", "data key", "instruction key", SUMMARY);
	flag(o, 0, "AorB", "B key", "A key", SUMMARY);
}

static void emit_mops(struct out *o)
{
	flag(o, 24, "MemInst", "SET* instruction", "CPY* instruction", SUMMARY);
	flag(o, 23, "isSETG", "SETG* instruction", "not SETG*", 0);
	field(o, 22, 19, "Options", NULL, 0);
	flag(o, 18, "FromEpilogue", "from an epilogue", "not from an epilogue", 0);
	flag(o, 17, "WrongOption", "wrong option", "option right", 0);
	flag(o, 16, "OptionA", "option A", "option B", 0);
	field(o, 14, 10, "destreg", NULL, 0);
	field(o, 9, 5, "srcreg", NULL, 0);
	field(o, 4, 0, "sizereg", NULL, 0);
}

static void emit_gcs(struct out *o)
{
	field(o, 23, 20, "ExType", "exception type", ALWAYS);
	field(o, 14, 10, "Raddr", NULL, 0);
	field(o, 9, 5, "Rn", NULL, 0);
	field(o, 4, 0, "IT", "instruction type", 0);
}

/* The ISS fields of this layout; returns false when the layout is not
 * known, so no RES0 claim can be made about the ISS. */
static bool emit_iss(struct out *o)
{
	switch (o->d->layout) {
	case KVMSEA_LAYOUT_ABORT:
		emit_abort_iss(o);
		return true;
	case KVMSEA_LAYOUT_SERROR:
		emit_serror(o);
		return true;
	case KVMSEA_LAYOUT_WFX:
		emit_wfx(o);
		return true;
	case KVMSEA_LAYOUT_IMM16:
		emit_imm16(o);
		return true;
	case KVMSEA_LAYOUT_SYSREG:
		emit_sysreg(o);
		return true;
	case KVMSEA_LAYOUT_DEBUG:
		emit_debug(o);
		return true;
	case KVMSEA_LAYOUT_FP_EXC:
		emit_fp_exc(o);
		return true;
	case KVMSEA_LAYOUT_BTI:
		emit_bti(o);
		return true;
	case KVMSEA_LAYOUT_PAC:
		emit_pac(o);
		return true;
	case KVMSEA_LAYOUT_MOPS:
		emit_mops(o);
		return true;
	case KVMSEA_LAYOUT_GCS:
		emit_gcs(o);
		return true;
	case KVMSEA_LAYOUT_NONE:
		break;
	}
	return kvmsea_esr_ec_iss_is_res0(o->d->ec);
}

/* The ISS2 fields; same return convention. */
static bool emit_iss2(struct out *o)
{
	switch (o->d->layout) {
	case KVMSEA_LAYOUT_ABORT:
		emit_abort_iss2(o);
		return true;
	case KVMSEA_LAYOUT_DEBUG:
		emit_debug_iss2(o);
		return true;
	case KVMSEA_LAYOUT_NONE:
		return kvmsea_esr_ec_iss_is_res0(o->d->ec);
	default:
		return true;
	}
}

/* ---- the three styles ---------------------------------------------------- */

static void format_tree(struct out *o)
{
	const struct kvmsea_esr *d = o->d;
	bool known;

	put_str(o, "ESR ");
	put_hex(o, d->raw, 16);
	put_char(o, '\n');
	tree_line(o, 2, "EC", 31, 26, d->ec, kvmsea_esr_ec_name(d->ec),
		  kvmsea_esr_ec_description(d->ec));
	tree_line(o, 2, "IL", 25, 25, d->il, NULL,
		  d->il ? "32-bit instruction, or not an instruction trap"
			: "16-bit instruction");
	tree_line(o, 2, "ISS", 24, 0, d->iss, NULL, NULL);
	known = emit_iss(o);
	if (known)
		res0_runs(o, ISS_BITS);
	tree_line(o, 2, "ISS2", 55, 32, d->iss2, NULL, NULL);
	if (d->iss2) {
		known = emit_iss2(o);
		if (known)
			res0_runs(o, ISS2_BITS);
	}
	if (d->res0_hi)
		tree_line(o, 2, "RES0", 63, 56, d->res0_hi, NULL,
			  "reserved bits set");
	put_str(o, "  summary: ");
	if (d->layout == KVMSEA_LAYOUT_SYSREG) {
		put_str(o, "register ");
		put_sysreg_name(o);
		put_str(o, ", ");
	}
	put_str(o, "severity ");
	put_str(o, kvmsea_ras_severity_name(d->severity));
	put_str(o, ", KVM SEA ");
	put_str(o, kvmsea_esr_is_sea(d->raw) ? "yes" : "no");
	put_str(o, ", FAR valid ");
	put_str(o, kvmsea_esr_far_valid(d->raw) ? "yes" : "no");
	put_char(o, '\n');
}

static void format_oneline(struct out *o)
{
	const struct kvmsea_esr *d = o->d;

	put_str(o, "ESR ");
	put_hex(o, d->raw, 16);
	put_str(o, ": EC ");
	put_hex(o, d->ec, 2);
	put_char(o, ' ');
	put_str(o, kvmsea_esr_ec_name(d->ec));
	put_str(o, " (");
	put_str(o, kvmsea_esr_ec_description(d->ec));
	put_str(o, "), IL ");
	put_str(o, d->il ? "32-bit" : "16-bit");
	if (d->layout == KVMSEA_LAYOUT_NONE) {
		put_str(o, ", ISS ");
		put_hex(o, d->iss, 7);
	}
	if (emit_iss(o))
		res0_runs(o, ISS_BITS);
	if (d->iss2) {
		if (!emit_iss2(o)) {
			put_str(o, ", ISS2 ");
			put_hex(o, d->iss2, 6);
		} else {
			res0_runs(o, ISS2_BITS);
		}
	}
	if (d->res0_hi) {
		put_str(o, ", RES0[63:56] ");
		put_hex(o, d->res0_hi, 2);
	}
	if (d->layout == KVMSEA_LAYOUT_SYSREG) {
		put_str(o, ", register ");
		put_sysreg_name(o);
	}
	if (d->severity != KVMSEA_RAS_NOT_REPORTED) {
		put_str(o, ", severity ");
		put_str(o, kvmsea_ras_severity_name(d->severity));
	}
}

static void json_key(struct out *o, const char *key)
{
	put_str(o, ",\"");
	put_str(o, key);
	put_str(o, "\":");
}

static void json_bool(struct out *o, const char *key, bool v)
{
	json_key(o, key);
	put_str(o, v ? "true" : "false");
}

static void json_num(struct out *o, const char *key, uint64_t v)
{
	json_key(o, key);
	put_dec(o, v);
}

static void json_str(struct out *o, const char *key, const char *v)
{
	json_key(o, key);
	put_json_str(o, v);
}

static void format_json(struct out *o)
{
	const struct kvmsea_esr *d = o->d;

	put_str(o, "{\"esr\":\"");
	put_hex(o, d->raw, 16);
	put_char(o, '"');
	json_num(o, "ec", d->ec);
	json_str(o, "ec_name", kvmsea_esr_ec_name(d->ec));
	json_str(o, "ec_description", kvmsea_esr_ec_description(d->ec));
	json_bool(o, "ec_allocated", d->ec_allocated);
	json_num(o, "il", d->il);
	json_num(o, "iss", d->iss);
	json_num(o, "iss2", d->iss2);
	json_num(o, "res0_hi", d->res0_hi);
	json_str(o, "layout", kvmsea_esr_layout_name(d->layout));
	json_str(o, "severity", kvmsea_ras_severity_name(d->severity));
	json_bool(o, "is_sea", kvmsea_esr_is_sea(d->raw));
	json_bool(o, "far_valid", kvmsea_esr_far_valid(d->raw));
	json_key(o, "sysreg");
	if (d->layout == KVMSEA_LAYOUT_SYSREG) {
		put_char(o, '"');
		put_sysreg_name(o); /* letters, digits and '_' or ' ' only */
		put_char(o, '"');
	} else {
		put_str(o, "null");
	}
	json_key(o, "fields");
	put_char(o, '[');
	if (emit_iss(o))
		res0_runs(o, ISS_BITS);
	if (d->iss2 && emit_iss2(o))
		res0_runs(o, ISS2_BITS);
	put_str(o, "]}");
}

KVMSEA_EXPORT int kvmsea_esr_format(uint64_t esr, enum kvmsea_esr_style style,
				   char *buf, size_t size)
{
	struct kvmsea_esr d;
	struct out o;

	if (style != KVMSEA_ESR_ONELINE && style != KVMSEA_ESR_TREE &&
	    style != KVMSEA_ESR_JSON)
		return -EINVAL;
	if (!buf && size)
		return -EINVAL;

	kvmsea_esr_decode(esr, &d);
	memset(&o, 0, sizeof(o));
	w_init(&o.w, buf, size);
	o.style = style;
	o.d = &d;

	switch (style) {
	case KVMSEA_ESR_ONELINE:
		format_oneline(&o);
		break;
	case KVMSEA_ESR_TREE:
		format_tree(&o);
		break;
	case KVMSEA_ESR_JSON:
		format_json(&o);
		break;
	}

	/* A decoded ESR is a few kilobytes at most: no -EOVERFLOW. */
	return w_finish(&o.w);
}
