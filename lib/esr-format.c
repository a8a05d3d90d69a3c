/* SPDX-License-Identifier: MIT */
/*
 * ESR_ELx as text: one line, a tree, or JSON. Every layout is described
 * once, as a list of fields (esr-fields.c); the three styles here are three
 * ways of printing the header, that list and a summary.
 *
 * The output goes through the library's writer (writer.h) instead of
 * snprintf(): the formatter promises no allocation and async-signal safety,
 * which snprintf() does not.
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
 *   fields          array of objects: the ISS's fields, highest bits first,
 *                   then its RES0 runs; the same for ISS2:
 *                     name     string, the Arm field name, or "RES0"
 *                     bits     string, ESR bit positions "hi:lo" or "n"
 *                     value    number
 *                     meaning  string or null
 */
#include <errno.h>

#include "esr-internal.h"
#include "writer.h"

/* ---- text helpers beyond the writer's ------------------------------------ */

/* Spaces up to column @width (at most 12) of the text that started at
 * @from, and at least one. */
static void put_pad(struct kvmsea_writer *w, size_t from, size_t width)
{
	static const char spaces[] = "            ";
	size_t used = w->len - from;

	w_mem(w, spaces, used + 1 < width ? width - used : 1);
}

/* "0b" and @width (up to 3) binary digits. */
static void put_bin(struct kvmsea_writer *w, uint64_t v, unsigned int width)
{
	char tmp[2 + 3];
	unsigned int i = 2;

	tmp[0] = '0';
	tmp[1] = 'b';
	while (width--)
		tmp[i++] = (char)('0' + ((v >> width) & 1));
	w_mem(w, tmp, i);
}

/* ESR bit positions: "hi:lo", or "n" for one bit. */
static void put_bits(struct kvmsea_writer *w, unsigned int hi, unsigned int lo)
{
	w_dec(w, hi);
	if (hi != lo) {
		w_char(w, ':');
		w_dec(w, lo);
	}
}

/* A field's value as text: one bit as 0/1, two or three bits in binary (as
 * the Arm ARM writes SET and AET), wider fields in hex. */
static void put_value(struct kvmsea_writer *w, uint64_t v, unsigned int width)
{
	if (width == 1)
		w_char(w, (char)('0' + (v & 1)));
	else if (width <= 3)
		put_bin(w, v, width);
	else
		w_hex(w, v, (width + 3) / 4);
}

/* The sysreg's name, or the generic S<op0>_<op1>_C<n>_C<m>_<op2> spelling
 * (letters, digits, '_' and ' ' only: no JSON escaping needed). */
static void put_sysreg_name(struct kvmsea_writer *w,
			    const struct kvmsea_esr_sysreg *r)
{
	if (r->name) {
		w_str(w, r->name);
		return;
	}
	w_char(w, 'S');
	w_dec(w, r->op0);
	w_char(w, '_');
	w_dec(w, r->op1);
	w_str(w, "_C");
	w_dec(w, r->crn);
	w_str(w, "_C");
	w_dec(w, r->crm);
	w_char(w, '_');
	w_dec(w, r->op2);
}

/* ---- tree ---------------------------------------------------------------- */

/* A tree line: indent (2 or 4), name, [bits], value, then "prefix: meaning". */
static void tree_line(struct kvmsea_writer *w, unsigned int indent,
		      const char *name, unsigned int hi, unsigned int lo,
		      uint64_t value, const char *prefix, const char *meaning)
{
	size_t start;

	w_mem(w, "    ", indent);
	start = w->len;
	w_str(w, name);
	put_pad(w, start, 12);
	start = w->len;
	w_char(w, '[');
	put_bits(w, hi, lo);
	w_char(w, ']');
	put_pad(w, start, 8);
	start = w->len;
	put_value(w, value, hi - lo + 1);
	if (prefix || meaning)
		put_pad(w, start, 10);
	if (prefix) {
		w_str(w, prefix);
		w_str(w, ": ");
	}
	if (meaning)
		w_str(w, meaning);
	w_char(w, '\n');
}

static void tree_fields(struct kvmsea_writer *w, const struct kvmsea_esr *d,
			bool iss2)
{
	struct kvmsea_esr_fields f;

	kvmsea_esr_fields(d, iss2, &f);
	for (unsigned int i = 0; i < f.n; i++) {
		const struct kvmsea_esr_field *x = &f.field[i];

		tree_line(w, 4, x->name, x->hi, x->lo, x->value, NULL,
			  x->meaning);
	}
}

static void format_tree(struct kvmsea_writer *w, const struct kvmsea_esr *d)
{
	w_str(w, "ESR ");
	w_hex(w, d->raw, 16);
	w_char(w, '\n');
	tree_line(w, 2, "EC", 31, 26, d->ec, kvmsea_esr_ec_name(d->ec),
		  kvmsea_esr_ec_description(d->ec));
	tree_line(w, 2, "IL", 25, 25, d->il, NULL,
		  d->il ? "32-bit instruction, or not an instruction trap"
			: "16-bit instruction");
	tree_line(w, 2, "ISS", 24, 0, d->iss, NULL, NULL);
	tree_fields(w, d, false);
	tree_line(w, 2, "ISS2", 55, 32, d->iss2, NULL, NULL);
	if (d->iss2)
		tree_fields(w, d, true);
	if (d->res0_hi)
		tree_line(w, 2, "RES0", 63, 56, d->res0_hi, NULL,
			  "reserved bits set");
	w_str(w, "  summary: ");
	if (d->layout == KVMSEA_LAYOUT_SYSREG) {
		w_str(w, "register ");
		put_sysreg_name(w, &d->u.sysreg);
		w_str(w, ", ");
	}
	w_str(w, "severity ");
	w_str(w, kvmsea_ras_severity_name(d->severity));
	w_str(w, ", KVM SEA ");
	w_str(w, kvmsea_esr_is_sea(d->raw) ? "yes" : "no");
	w_str(w, ", FAR valid ");
	w_str(w, kvmsea_esr_far_valid(d->raw) ? "yes" : "no");
	w_char(w, '\n');
}

/* ---- one line ------------------------------------------------------------ */

/* The fields worth a summary (see KVMSEA_FIELD_SUMMARY); false when the
 * layout is not known. */
static bool oneline_fields(struct kvmsea_writer *w, const struct kvmsea_esr *d,
			   bool iss2)
{
	struct kvmsea_esr_fields f;

	kvmsea_esr_fields(d, iss2, &f);
	for (unsigned int i = 0; i < f.n; i++) {
		const struct kvmsea_esr_field *x = &f.field[i];

		if (!x->value && !(x->flags & KVMSEA_FIELD_ALWAYS))
			continue;
		w_str(w, ", ");
		w_str(w, x->name);
		if (x->flags & KVMSEA_FIELD_RES0) {
			w_char(w, '[');
			put_bits(w, x->hi, x->lo);
			w_char(w, ']');
		}
		w_char(w, ' ');
		put_value(w, x->value, x->hi - x->lo + 1u);
		if ((x->flags & KVMSEA_FIELD_SUMMARY) == KVMSEA_FIELD_SUMMARY &&
		    x->meaning) {
			w_str(w, " (");
			w_str(w, x->meaning);
			w_char(w, ')');
		}
	}
	return f.known;
}

static void format_oneline(struct kvmsea_writer *w, const struct kvmsea_esr *d)
{
	w_str(w, "ESR ");
	w_hex(w, d->raw, 16);
	w_str(w, ": EC ");
	w_hex(w, d->ec, 2);
	w_char(w, ' ');
	w_str(w, kvmsea_esr_ec_name(d->ec));
	w_str(w, " (");
	w_str(w, kvmsea_esr_ec_description(d->ec));
	w_str(w, "), IL ");
	w_str(w, d->il ? "32-bit" : "16-bit");
	if (d->layout == KVMSEA_LAYOUT_NONE) {
		w_str(w, ", ISS ");
		w_hex(w, d->iss, 7);
	}
	oneline_fields(w, d, false);
	if (d->iss2 && !oneline_fields(w, d, true)) {
		w_str(w, ", ISS2 ");
		w_hex(w, d->iss2, 6);
	}
	if (d->res0_hi) {
		w_str(w, ", RES0[63:56] ");
		w_hex(w, d->res0_hi, 2);
	}
	if (d->layout == KVMSEA_LAYOUT_SYSREG) {
		w_str(w, ", register ");
		put_sysreg_name(w, &d->u.sysreg);
	}
	if (d->severity != KVMSEA_RAS_NOT_REPORTED) {
		w_str(w, ", severity ");
		w_str(w, kvmsea_ras_severity_name(d->severity));
	}
}

/* ---- JSON ---------------------------------------------------------------- */

/* The field objects of the ISS or ISS2; @count says whether one came
 * before, for the commas. */
static void json_fields(struct kvmsea_writer *w, const struct kvmsea_esr *d,
			bool iss2, unsigned int *count)
{
	struct kvmsea_esr_fields f;

	kvmsea_esr_fields(d, iss2, &f);
	for (unsigned int i = 0; i < f.n; i++) {
		const struct kvmsea_esr_field *x = &f.field[i];

		if ((*count)++)
			w_char(w, ',');
		w_str(w, "{\"name\":");
		w_json_str(w, x->name);
		w_str(w, ",\"bits\":\"");
		put_bits(w, x->hi, x->lo);
		w_str(w, "\",\"value\":");
		w_dec(w, x->value);
		w_str(w, ",\"meaning\":");
		if (x->meaning)
			w_json_str(w, x->meaning);
		else
			w_str(w, "null");
		w_char(w, '}');
	}
}

static void format_json(struct kvmsea_writer *w, const struct kvmsea_esr *d)
{
	unsigned int count = 0;

	w_str(w, "{\"esr\":\"");
	w_hex(w, d->raw, 16);
	w_char(w, '"');
	w_json_key_num(w, "ec", d->ec);
	w_json_key_str(w, "ec_name", kvmsea_esr_ec_name(d->ec));
	w_json_key_str(w, "ec_description", kvmsea_esr_ec_description(d->ec));
	w_json_key_bool(w, "ec_allocated", d->ec_allocated);
	w_json_key_num(w, "il", d->il);
	w_json_key_num(w, "iss", d->iss);
	w_json_key_num(w, "iss2", d->iss2);
	w_json_key_num(w, "res0_hi", d->res0_hi);
	w_json_key_str(w, "layout", kvmsea_esr_layout_name(d->layout));
	w_json_key_str(w, "severity", kvmsea_ras_severity_name(d->severity));
	w_json_key_bool(w, "is_sea", kvmsea_esr_is_sea(d->raw));
	w_json_key_bool(w, "far_valid", kvmsea_esr_far_valid(d->raw));
	w_json_key(w, "sysreg");
	if (d->layout == KVMSEA_LAYOUT_SYSREG) {
		w_char(w, '"');
		put_sysreg_name(w, &d->u.sysreg);
		w_char(w, '"');
	} else {
		w_str(w, "null");
	}
	w_json_key(w, "fields");
	w_char(w, '[');
	json_fields(w, d, false, &count);
	if (d->iss2)
		json_fields(w, d, true, &count);
	w_str(w, "]}");
}

KVMSEA_EXPORT int kvmsea_esr_format(uint64_t esr, enum kvmsea_esr_style style,
				   char *buf, size_t size)
{
	struct kvmsea_esr d;
	struct kvmsea_writer w;

	if (style != KVMSEA_ESR_ONELINE && style != KVMSEA_ESR_TREE &&
	    style != KVMSEA_ESR_JSON)
		return -EINVAL;
	if (!buf && size)
		return -EINVAL;

	kvmsea_esr_decode(esr, &d);
	w_init(&w, buf, size);
	switch (style) {
	case KVMSEA_ESR_ONELINE:
		format_oneline(&w, &d);
		break;
	case KVMSEA_ESR_TREE:
		format_tree(&w, &d);
		break;
	case KVMSEA_ESR_JSON:
		format_json(&w, &d);
		break;
	}
	/* A decoded ESR is a few kilobytes at most: never -EOVERFLOW. */
	return w_finish(&w);
}
