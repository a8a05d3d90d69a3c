/* SPDX-License-Identifier: MIT */
/*
 * kvmsea_esr_decode() and the ESR helpers against hand-built vectors.
 *
 * The expected values are written out here from the Arm ARM (DDI 0487,
 * "ESR_ELx" ISS encodings), independently of the library's own tables. The
 * "divergence vectors" are values other ESR decoders were seen to reject or
 * misread (an SError with AET = CE, a data abort with ISS2 or a reserved
 * SET, an unallocated DFSC or EC, an SEA on a walk at level -1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libkvmsea/esr.h>
#include "esr-internal.h"

#define IL (1ull << 25)
#define EC(x) ((uint64_t)(x) << 26)

static struct kvmsea_esr dec(uint64_t esr)
{
	struct kvmsea_esr d;

	/* Poison first: the decoder must set every byte it reports. */
	memset(&d, 0xa5, sizeof(d));
	kvmsea_esr_decode(esr, &d);
	return d;
}

/* ---- every exception class ---------------------------------------------- */

struct ec_vector {
	unsigned int ec;
	const char *name;
	bool allocated;
	enum kvmsea_esr_layout layout;
};

#define A(ec, name, layout) { ec, name, true, KVMSEA_LAYOUT_##layout }
#define U(ec) { ec, "UNALLOCATED", false, KVMSEA_LAYOUT_NONE }

static const struct ec_vector ec_vectors[64] = {
	A(0x00, "UNKNOWN", NONE),     A(0x01, "WFX", WFX),
	U(0x02),                      A(0x03, "CP15_32", NONE),
	A(0x04, "CP15_64", NONE),     A(0x05, "CP14_MR", NONE),
	A(0x06, "CP14_LS", NONE),     A(0x07, "FP_ASIMD", NONE),
	A(0x08, "CP10_ID", NONE),     A(0x09, "PAC", NONE),
	A(0x0a, "OTHER", NONE),       U(0x0b),
	A(0x0c, "CP14_64", NONE),     A(0x0d, "BTI", BTI),
	A(0x0e, "ILL", NONE),         U(0x0f),
	U(0x10),                      A(0x11, "SVC32", IMM16),
	A(0x12, "HVC32", IMM16),      A(0x13, "SMC32", NONE),
	A(0x14, "SYS128", NONE),      A(0x15, "SVC64", IMM16),
	A(0x16, "HVC64", IMM16),      A(0x17, "SMC64", IMM16),
	A(0x18, "SYS64", SYSREG),     A(0x19, "SVE", NONE),
	A(0x1a, "ERET", NONE),        A(0x1b, "TSTART", NONE),
	A(0x1c, "FPAC", PAC),         A(0x1d, "SME", NONE),
	A(0x1e, "GPC", NONE),         A(0x1f, "IMP_DEF", NONE),
	A(0x20, "IABT_LOW", ABORT),   A(0x21, "IABT_CUR", ABORT),
	A(0x22, "PC_ALIGN", NONE),    U(0x23),
	A(0x24, "DABT_LOW", ABORT),   A(0x25, "DABT_CUR", ABORT),
	A(0x26, "SP_ALIGN", NONE),    A(0x27, "MOPS", MOPS),
	A(0x28, "FP_EXC32", FP_EXC),  U(0x29),
	U(0x2a),                      U(0x2b),
	A(0x2c, "FP_EXC64", FP_EXC),  A(0x2d, "GCS", GCS),
	U(0x2e),                      A(0x2f, "SERROR", SERROR),
	A(0x30, "BREAKPT_LOW", DEBUG), A(0x31, "BREAKPT_CUR", DEBUG),
	A(0x32, "SOFTSTP_LOW", DEBUG), A(0x33, "SOFTSTP_CUR", DEBUG),
	A(0x34, "WATCHPT_LOW", DEBUG), A(0x35, "WATCHPT_CUR", DEBUG),
	U(0x36),                      U(0x37),
	A(0x38, "BKPT32", IMM16),     U(0x39),
	A(0x3a, "VECTOR32", DEBUG),   U(0x3b),
	A(0x3c, "BRK64", IMM16),      A(0x3d, "PMU", NONE),
	U(0x3e),                      U(0x3f),
};

static void test_every_ec(void **state)
{
	(void)state;
	for (unsigned int ec = 0; ec < 64; ec++) {
		const struct ec_vector *v = &ec_vectors[ec];
		struct kvmsea_esr d = dec(EC(ec) | IL);
		char unalloc[32];

		assert_int_equal(v->ec, ec);
		assert_int_equal(d.ec, ec);
		assert_true(d.il);
		assert_int_equal(d.ec_allocated, v->allocated);
		assert_int_equal(d.layout, v->layout);
		assert_string_equal(kvmsea_esr_ec_name(ec), v->name);
		assert_non_null(kvmsea_esr_ec_description(ec));
		assert_true(strlen(kvmsea_esr_ec_description(ec)) > 0);
		if (!v->allocated) {
			snprintf(unalloc, sizeof(unalloc), "Unallocated EC 0x%02x", ec);
			assert_string_equal(kvmsea_esr_ec_description(ec), unalloc);
		}
		assert_int_equal(kvmsea_esr_is_data_abort(EC(ec)),
				 ec == 0x24 || ec == 0x25);
		assert_int_equal(kvmsea_esr_is_insn_abort(EC(ec)),
				 ec == 0x20 || ec == 0x21);
	}
	assert_string_equal(kvmsea_esr_ec_name(64), "INVALID");
	assert_string_equal(kvmsea_esr_ec_description(1000), "invalid");
}

static void test_ec_names_used_by_kernel(void **state)
{
	(void)state;
	/* A few descriptions a VMM log will show, checked word for word. */
	assert_string_equal(kvmsea_esr_ec_description(0x24),
			    "Data Abort from a lower EL");
	assert_string_equal(kvmsea_esr_ec_description(0x21),
			    "Instruction Abort from the same EL");
	assert_string_equal(kvmsea_esr_ec_description(0x2f), "SError exception");
}

/* ---- every fault status code --------------------------------------------- */

#define NL 127

struct fsc_vector {
	int level;     /* NL when the code encodes no level */
	bool kvm_sea;  /* in kvm_vcpu_abt_issea()'s set */
	bool reserved; /* reserved or unallocated in AArch64 */
	const char *starts; /* how the description starts */
};

static const struct fsc_vector fsc_vectors[64] = {
	[0x00] = { 0, false, false, "address size fault, level 0" },
	[0x01] = { 1, false, false, "address size fault, level 1" },
	[0x02] = { 2, false, false, "address size fault, level 2" },
	[0x03] = { 3, false, false, "address size fault, level 3" },
	[0x04] = { 0, false, false, "translation fault, level 0" },
	[0x05] = { 1, false, false, "translation fault, level 1" },
	[0x06] = { 2, false, false, "translation fault, level 2" },
	[0x07] = { 3, false, false, "translation fault, level 3" },
	[0x08] = { 0, false, false, "access flag fault, level 0" },
	[0x09] = { 1, false, false, "access flag fault, level 1" },
	[0x0a] = { 2, false, false, "access flag fault, level 2" },
	[0x0b] = { 3, false, false, "access flag fault, level 3" },
	[0x0c] = { 0, false, false, "permission fault, level 0" },
	[0x0d] = { 1, false, false, "permission fault, level 1" },
	[0x0e] = { 2, false, false, "permission fault, level 2" },
	[0x0f] = { 3, false, false, "permission fault, level 3" },
	[0x10] = { NL, true, false, "synchronous external abort, not" },
	[0x11] = { NL, false, false, "synchronous tag check fault" },
	[0x12] = { -2, false, false, "synchronous external abort on" },
	[0x13] = { -1, true, false, "synchronous external abort on" },
	[0x14] = { 0, true, false, "synchronous external abort on" },
	[0x15] = { 1, true, false, "synchronous external abort on" },
	[0x16] = { 2, true, false, "synchronous external abort on" },
	[0x17] = { 3, true, false, "synchronous external abort on" },
	[0x18] = { NL, true, false, "synchronous parity or ECC error, not" },
	[0x19] = { NL, false, true, "reserved" },
	[0x1a] = { NL, false, true, "reserved" },
	[0x1b] = { -1, true, false, "synchronous parity or ECC error on" },
	[0x1c] = { 0, true, false, "synchronous parity or ECC error on" },
	[0x1d] = { 1, true, false, "synchronous parity or ECC error on" },
	[0x1e] = { 2, true, false, "synchronous parity or ECC error on" },
	[0x1f] = { 3, true, false, "synchronous parity or ECC error on" },
	[0x20] = { NL, false, true, "reserved" },
	[0x21] = { NL, false, false, "alignment fault" },
	[0x22] = { -2, false, false, "granule protection fault on" },
	[0x23] = { -1, false, false, "granule protection fault on" },
	[0x24] = { 0, false, false, "granule protection fault on" },
	[0x25] = { 1, false, false, "granule protection fault on" },
	[0x26] = { 2, false, false, "granule protection fault on" },
	[0x27] = { 3, false, false, "granule protection fault on" },
	[0x28] = { NL, false, false, "granule protection fault, not" },
	[0x29] = { -1, false, false, "address size fault, level -1" },
	[0x2a] = { -2, false, false, "translation fault, level -2" },
	[0x2b] = { -1, false, false, "translation fault, level -1" },
	[0x2c] = { -2, false, false, "address size fault, level -2" },
	[0x2d] = { NL, false, true, "reserved" },
	[0x2e] = { NL, false, true, "reserved" },
	[0x2f] = { NL, false, true, "reserved" },
	[0x30] = { NL, false, false, "TLB conflict abort" },
	[0x31] = { NL, false, false, "unsupported atomic hardware update" },
	[0x32] = { NL, false, true, "reserved" },
	[0x33] = { NL, false, true, "reserved" },
	[0x34] = { NL, false, false, "IMPLEMENTATION DEFINED fault (lockdown)" },
	[0x35] = { NL, false, false, "IMPLEMENTATION DEFINED fault (unsupported" },
	[0x36] = { NL, false, true, "reserved" },
	[0x37] = { NL, false, true, "reserved" },
	[0x38] = { NL, false, true, "reserved" },
	[0x39] = { NL, false, true, "reserved" },
	[0x3a] = { NL, false, true, "reserved" },
	[0x3b] = { NL, false, true, "reserved" },
	[0x3c] = { NL, false, true, "reserved" },
	[0x3d] = { NL, false, true, "reserved" },
	[0x3e] = { NL, false, true, "reserved" },
	[0x3f] = { NL, false, true, "reserved" },
};

static void check_fsc_fields(uint64_t esr, unsigned int fsc)
{
	const struct fsc_vector *v = &fsc_vectors[fsc];
	struct kvmsea_esr d = dec(esr);
	const struct kvmsea_esr_abort *a = &d.u.abort;

	assert_int_equal(d.layout, KVMSEA_LAYOUT_ABORT);
	assert_int_equal(a->fsc, fsc);
	assert_int_equal(a->level_valid, v->level != NL);
	if (v->level != NL)
		assert_int_equal(a->level, v->level);
	else
		assert_int_equal(a->level, 0);
	assert_int_equal(a->is_sea, v->kvm_sea);
	assert_int_equal(kvmsea_esr_is_sea(esr), v->kvm_sea);
	assert_int_equal(a->set_valid, fsc == 0x10);
	/* SET is 00 here, so a valid SET reads as UER. */
	assert_int_equal(d.severity,
			 fsc == 0x10 ? KVMSEA_RAS_UER : KVMSEA_RAS_NOT_REPORTED);
	assert_int_equal(kvmsea_esr_severity(esr), d.severity);
	assert_true(kvmsea_esr_far_valid(esr));
	/* No other field picks up the FSC bits. */
	assert_false(a->isv);
	assert_false(a->wnr);
	assert_false(a->s1ptw);
	assert_int_equal(a->set, 0);
}

static void test_every_fsc(void **state)
{
	(void)state;
	for (unsigned int fsc = 0; fsc < 64; fsc++) {
		const struct fsc_vector *v = &fsc_vectors[fsc];
		const char *desc = kvmsea_esr_fsc_description(fsc);

		assert_non_null(v->starts);
		assert_non_null(desc);
		if (strncmp(desc, v->starts, strlen(v->starts)))
			fail_msg("FSC 0x%02x: \"%s\" does not start with \"%s\"",
				 fsc, desc, v->starts);
		assert_int_equal(strstr(desc, "reserved") == desc, v->reserved);
		/* Data and instruction aborts, lower and same EL. */
		check_fsc_fields(EC(0x24) | IL | fsc, fsc);
		check_fsc_fields(EC(0x25) | IL | fsc, fsc);
		check_fsc_fields(EC(0x20) | IL | fsc, fsc);
		check_fsc_fields(EC(0x21) | IL | fsc, fsc);
	}
	assert_string_equal(kvmsea_esr_fsc_description(64), "invalid");
}

static void test_fsc_level_description_agree(void **state)
{
	(void)state;
	/* Where a description names a level, it is the decoded level. */
	for (unsigned int fsc = 0; fsc < 64; fsc++) {
		const char *desc = kvmsea_esr_fsc_description(fsc);
		const char *lv = strstr(desc, "level ");
		struct kvmsea_esr d = dec(EC(0x24) | fsc);

		if (!lv) {
			assert_false(d.u.abort.level_valid);
			continue;
		}
		assert_true(d.u.abort.level_valid);
		assert_int_equal(d.u.abort.level, atoi(lv + 6));
	}
}

/* ---- the divergence vectors and the KVM ESRs ------------------------------ */

static void test_serror_ce(void **state)
{
	struct kvmsea_esr d = dec(0xbe001811);

	(void)state;
	assert_int_equal(d.ec, KVMSEA_EC_SERROR);
	assert_true(d.il);
	assert_int_equal(d.layout, KVMSEA_LAYOUT_SERROR);
	assert_false(d.u.serror.ids);
	assert_false(d.u.serror.iesb);
	assert_int_equal(d.u.serror.aet, 6);
	assert_false(d.u.serror.ea);
	assert_int_equal(d.u.serror.dfsc, 0x11);
	assert_int_equal(d.severity, KVMSEA_RAS_CE);
	assert_int_equal(kvmsea_esr_severity(0xbe001811), KVMSEA_RAS_CE);
	assert_false(kvmsea_esr_is_sea(0xbe001811));
	assert_false(kvmsea_esr_far_valid(0xbe001811));
}

static void test_serror_aet_table(void **state)
{
	static const enum kvmsea_ras_severity expect[8] = {
		KVMSEA_RAS_UC,       KVMSEA_RAS_UEU,      KVMSEA_RAS_UEO,
		KVMSEA_RAS_UER,      KVMSEA_RAS_RESERVED, KVMSEA_RAS_RESERVED,
		KVMSEA_RAS_CE,       KVMSEA_RAS_RESERVED,
	};

	(void)state;
	for (unsigned int aet = 0; aet < 8; aet++) {
		uint64_t esr = EC(0x2f) | IL | (uint64_t)aet << 10 | 0x11;

		assert_int_equal(dec(esr).severity, expect[aet]);
		assert_int_equal(kvmsea_esr_severity(esr), expect[aet]);
		/* Uncategorized (DFSC 0) and IMPLEMENTATION DEFINED (IDS=1)
		 * SErrors carry no classification. */
		assert_int_equal(dec(esr & ~0x3full).severity,
				 KVMSEA_RAS_NOT_REPORTED);
		assert_int_equal(kvmsea_esr_severity(esr | 1u << 24),
				 KVMSEA_RAS_NOT_REPORTED);
	}
}

static void test_serror_ids(void **state)
{
	struct kvmsea_esr d = dec(EC(0x2f) | IL | 1u << 24 | 0xabcdef);

	(void)state;
	assert_true(d.u.serror.ids);
	assert_int_equal(d.u.serror.impdef, 0xabcdef);
	assert_int_equal(d.u.serror.aet, 0);
	assert_int_equal(d.u.serror.dfsc, 0);
	assert_int_equal(d.severity, KVMSEA_RAS_NOT_REPORTED);
}

static void test_dabt_iss2_tnd(void **state)
{
	struct kvmsea_esr d = dec(0x40092000010ull);

	(void)state;
	assert_int_equal(d.ec, KVMSEA_EC_DABT_LOW);
	assert_int_equal(d.iss2, 0x400);
	assert_int_equal(d.iss, 0x10);
	assert_true(d.u.abort.tnd);
	assert_false(d.u.abort.tagaccess);
	assert_false(d.u.abort.hdbssf);
	assert_int_equal(d.u.abort.xs, 0);
	assert_int_equal(d.res0_hi, 0);
	assert_int_equal(d.severity, KVMSEA_RAS_UER);
}

static void test_dabt_iss2_each_bit(void **state)
{
	(void)state;
	for (unsigned int bit = 0; bit < 24; bit++) {
		uint64_t esr = EC(0x24) | IL | 0x10 | (1ull << (32 + bit));
		struct kvmsea_esr d = dec(esr);
		const struct kvmsea_esr_abort *a = &d.u.abort;

		assert_int_equal(d.iss2, 1u << bit);
		assert_int_equal(a->xs, bit <= 4 ? 1u << bit : 0);
		assert_int_equal(a->dirtybit, bit == 5);
		assert_int_equal(a->overlay, bit == 6);
		assert_int_equal(a->assuredonly, bit == 7);
		assert_int_equal(a->gcs, bit == 8);
		assert_int_equal(a->tagaccess, bit == 9);
		assert_int_equal(a->tnd, bit == 10);
		assert_int_equal(a->hdbssf, bit == 11);

		/* An instruction abort has only AssuredOnly and Overlay. */
		d = dec(EC(0x20) | IL | 0x10 | (1ull << (32 + bit)));
		assert_int_equal(d.u.abort.overlay, bit == 6);
		assert_int_equal(d.u.abort.assuredonly, bit == 7);
		assert_false(d.u.abort.tnd || d.u.abort.gcs || d.u.abort.dirtybit);
		assert_int_equal(d.u.abort.xs, 0);
	}
}

static void test_set_reserved(void **state)
{
	struct kvmsea_esr d = dec(0x92000810);

	(void)state;
	assert_int_equal(d.u.abort.set, 1);
	assert_true(d.u.abort.set_valid);
	assert_int_equal(d.severity, KVMSEA_RAS_RESERVED);
	assert_string_equal(kvmsea_ras_severity_name(d.severity), "reserved");
}

static void test_set_table(void **state)
{
	static const enum kvmsea_ras_severity expect[4] = {
		KVMSEA_RAS_UER, KVMSEA_RAS_RESERVED, KVMSEA_RAS_UC, KVMSEA_RAS_UEO,
	};

	(void)state;
	for (unsigned int set = 0; set < 4; set++) {
		uint64_t sea = EC(0x24) | IL | set << 11 | 0x10;
		uint64_t ttw = EC(0x24) | IL | set << 11 | 0x14;

		assert_int_equal(dec(sea).severity, expect[set]);
		assert_int_equal(kvmsea_esr_severity(sea), expect[set]);
		/* Instruction aborts use the same encoding. */
		assert_int_equal(dec(EC(0x20) | IL | set << 11 | 0x10).severity,
				 expect[set]);
		/* SET is RES0 for any FSC but 0x10: raw, but not valid. */
		assert_int_equal(dec(ttw).u.abort.set, set);
		assert_false(dec(ttw).u.abort.set_valid);
		assert_int_equal(dec(ttw).severity, KVMSEA_RAS_NOT_REPORTED);
	}
}

static void test_unallocated_fsc(void **state)
{
	struct kvmsea_esr d = dec(0x9200003f);

	(void)state;
	assert_int_equal(d.ec, KVMSEA_EC_DABT_LOW);
	assert_int_equal(d.u.abort.fsc, 0x3f);
	assert_false(d.u.abort.level_valid);
	assert_false(d.u.abort.is_sea);
	assert_false(d.u.abort.set_valid);
	assert_int_equal(d.severity, KVMSEA_RAS_NOT_REPORTED);
	assert_string_equal(kvmsea_esr_fsc_description(0x3f), "reserved");
}

static void test_unallocated_ec(void **state)
{
	struct kvmsea_esr d = dec(0xfc000000);

	(void)state;
	assert_int_equal(d.ec, 0x3f);
	assert_false(d.il);
	assert_int_equal(d.iss, 0);
	assert_false(d.ec_allocated);
	assert_int_equal(d.layout, KVMSEA_LAYOUT_NONE);
	assert_string_equal(kvmsea_esr_ec_name(d.ec), "UNALLOCATED");
	assert_string_equal(kvmsea_esr_ec_description(d.ec), "Unallocated EC 0x3f");
	assert_int_equal(d.severity, KVMSEA_RAS_NOT_REPORTED);
}

static void test_sea_ttw_level_minus_1(void **state)
{
	struct kvmsea_esr d = dec(0x96000013);

	(void)state;
	assert_int_equal(d.ec, KVMSEA_EC_DABT_CUR);
	assert_true(d.u.abort.is_data);
	assert_true(d.u.abort.same_el);
	assert_int_equal(d.u.abort.fsc, 0x13);
	assert_true(d.u.abort.level_valid);
	assert_int_equal(d.u.abort.level, -1);
	assert_true(d.u.abort.is_sea);
	assert_false(d.u.abort.set_valid);
	assert_true(kvmsea_esr_is_sea(0x96000013));
}

static void check_kvm_sea(uint64_t esr, unsigned int ec, bool same_el)
{
	struct kvmsea_esr d = dec(esr);
	const struct kvmsea_esr_abort *a = &d.u.abort;

	assert_int_equal(d.raw, esr);
	assert_int_equal(d.ec, ec);
	assert_true(d.il);
	assert_int_equal(d.iss, 0x10);
	assert_int_equal(d.iss2, 0);
	assert_true(d.ec_allocated);
	assert_int_equal(d.layout, KVMSEA_LAYOUT_ABORT);
	assert_true(a->is_data);
	assert_int_equal(a->same_el, same_el);
	assert_false(a->isv);
	assert_false(a->fnv);
	assert_false(a->ea);
	assert_false(a->cm);
	assert_false(a->s1ptw);
	assert_false(a->wnr);
	assert_false(a->vncr);
	assert_int_equal(a->fsc, KVMSEA_FSC_EXTABT);
	assert_false(a->level_valid);
	assert_true(a->is_sea);
	assert_true(a->set_valid);
	assert_int_equal(a->set, 0);
	assert_int_equal(d.severity, KVMSEA_RAS_UER);
	assert_true(kvmsea_esr_is_sea(esr));
	assert_true(kvmsea_esr_is_data_abort(esr));
	assert_false(kvmsea_esr_is_insn_abort(esr));
	assert_true(kvmsea_esr_far_valid(esr));
}

static void test_kvm_exit_esr(void **state)
{
	(void)state;
	/* What KVM_EXIT_ARM_SEA reports for a guest data SEA from EL0/EL1. */
	check_kvm_sea(0x92000010, KVMSEA_EC_DABT_LOW, false);
}

static void test_injected_esr(void **state)
{
	(void)state;
	/* What KVM writes to ESR_EL1 for ext_dabt_pending with the guest at
	 * EL1: a same-EL data abort, FSC 0x10. */
	check_kvm_sea(0x96000010, KVMSEA_EC_DABT_CUR, true);
}

/* ---- data abort details -------------------------------------------------- */

static void test_dabt_isv(void **state)
{
	/* ISV=1, SAS=3 (doubleword), SSE=1, SRT=17, SF=1, AR=1, VNCR, CM,
	 * S1PTW, WnR, translation fault level 3. */
	uint64_t esr = EC(0x24) | IL | 1u << 24 | 3u << 22 | 1u << 21 |
		       17u << 16 | 1u << 15 | 1u << 14 | 1u << 13 | 1u << 9 |
		       1u << 8 | 1u << 7 | 1u << 6 | 0x07;
	struct kvmsea_esr d = dec(esr);
	const struct kvmsea_esr_abort *a = &d.u.abort;

	(void)state;
	assert_true(a->isv);
	assert_int_equal(a->sas, 3);
	assert_true(a->sse);
	assert_int_equal(a->srt, 17);
	assert_true(a->sf);
	assert_true(a->ar);
	assert_true(a->vncr);
	assert_true(a->ea);
	assert_true(a->cm);
	assert_true(a->s1ptw);
	assert_true(a->wnr);
	assert_int_equal(a->fsc, 7);
	assert_int_equal(a->level, 3);
	/* With ISV=1 the ISV=0 fields do not exist. */
	assert_false(a->fnp);
	assert_false(a->pfv);
	assert_int_equal(a->wu, 0);
}

static void test_dabt_no_isv(void **state)
{
	/* ISV=0: WU=3, FnP, PFV, FnV on an SEA. */
	uint64_t esr = EC(0x24) | IL | 3u << 16 | 1u << 15 | 1u << 14 |
		       1u << 10 | 0x10;
	struct kvmsea_esr d = dec(esr);
	const struct kvmsea_esr_abort *a = &d.u.abort;

	(void)state;
	assert_false(a->isv);
	assert_int_equal(a->wu, 3);
	assert_true(a->fnp);
	assert_true(a->pfv);
	assert_true(a->fnv);
	assert_int_equal(a->sas, 0);
	assert_int_equal(a->srt, 0);
	assert_false(a->sf);
	assert_false(a->ar);
	assert_false(kvmsea_esr_far_valid(esr));
}

static void test_iabt_fields(void **state)
{
	/* Every ISS bit set: an instruction abort keeps only its own fields. */
	uint64_t esr = EC(0x21) | IL | 0x1ffffff;
	struct kvmsea_esr d = dec(esr);
	const struct kvmsea_esr_abort *a = &d.u.abort;

	(void)state;
	assert_false(a->is_data);
	assert_true(a->same_el);
	assert_true(a->toplevel);
	assert_true(a->pfv);
	assert_int_equal(a->set, 3);
	assert_true(a->fnv);
	assert_true(a->ea);
	assert_true(a->s1ptw);
	assert_int_equal(a->fsc, 0x3f);
	/* Data-only fields stay clear. */
	assert_false(a->isv || a->sse || a->sf || a->ar || a->vncr || a->cm ||
		     a->wnr || a->fnp);
	assert_int_equal(a->sas, 0);
	assert_int_equal(a->srt, 0);
	assert_int_equal(a->wu, 0);
}

static void test_far_valid(void **state)
{
	(void)state;
	/* FnV counts only for FSC 0x10. */
	assert_false(kvmsea_esr_far_valid(EC(0x24) | IL | 1u << 10 | 0x10));
	assert_false(kvmsea_esr_far_valid(EC(0x20) | IL | 1u << 10 | 0x10));
	assert_true(kvmsea_esr_far_valid(EC(0x24) | IL | 1u << 10 | 0x14));
	assert_true(kvmsea_esr_far_valid(EC(0x25) | IL | 0x07));
	/* Watchpoints use FnV too; other classes never have a FAR. */
	assert_true(kvmsea_esr_far_valid(EC(0x34) | IL | 0x22));
	assert_false(kvmsea_esr_far_valid(EC(0x34) | IL | 1u << 10 | 0x22));
	assert_false(kvmsea_esr_far_valid(EC(0x2f) | IL));
	assert_false(kvmsea_esr_far_valid(EC(0x22) | IL));
	assert_false(kvmsea_esr_far_valid(0));
}

static void test_res0_hi(void **state)
{
	struct kvmsea_esr d = dec(0xa500000092000010ull);

	(void)state;
	assert_int_equal(d.res0_hi, 0xa5);
	assert_int_equal(d.iss2, 0);
	assert_int_equal(d.ec, 0x24);
	/* Reserved high bits do not change the verdict. */
	assert_true(kvmsea_esr_is_sea(0xa500000092000010ull));
}

/* ---- the other layouts --------------------------------------------------- */

static void test_wfx(void **state)
{
	uint64_t esr = EC(0x01) | IL | 1u << 24 | 0xeu << 20 | 3u << 5 |
		       1u << 2 | 2;
	struct kvmsea_esr d = dec(esr);

	(void)state;
	assert_true(d.u.wfx.cv);
	assert_int_equal(d.u.wfx.cond, 0xe);
	assert_int_equal(d.u.wfx.rn, 3);
	assert_true(d.u.wfx.rv);
	assert_int_equal(d.u.wfx.ti, 2);
}

static void test_imm16(void **state)
{
	(void)state;
	assert_int_equal(dec(EC(0x16) | IL | 0x1234).u.imm16, 0x1234);
	assert_int_equal(dec(EC(0x15) | IL | 0x1ffffff).u.imm16, 0xffff);
	assert_int_equal(dec(EC(0x3c) | IL | 0x800).u.imm16, 0x800);
	assert_int_equal(dec(EC(0x38) | 0xbeef).u.imm16, 0xbeef);
	/* An AArch32 SMC has no immediate. */
	assert_int_equal(dec(EC(0x13) | IL | 0x1234).layout, KVMSEA_LAYOUT_NONE);
}

static uint64_t sysreg_esr(unsigned int op0, unsigned int op1, unsigned int crn,
			   unsigned int crm, unsigned int op2, unsigned int rt,
			   bool read)
{
	return EC(0x18) | IL | (uint64_t)op0 << 20 | (uint64_t)op2 << 17 |
	       (uint64_t)op1 << 14 | (uint64_t)crn << 10 | (uint64_t)rt << 5 |
	       (uint64_t)crm << 1 | read;
}

static void test_sysreg(void **state)
{
	struct kvmsea_esr d = dec(sysreg_esr(3, 0, 1, 0, 0, 1, true));

	(void)state;
	assert_int_equal(d.raw, 0x62300421);
	assert_int_equal(d.u.sysreg.op0, 3);
	assert_int_equal(d.u.sysreg.op1, 0);
	assert_int_equal(d.u.sysreg.crn, 1);
	assert_int_equal(d.u.sysreg.crm, 0);
	assert_int_equal(d.u.sysreg.op2, 0);
	assert_int_equal(d.u.sysreg.rt, 1);
	assert_true(d.u.sysreg.read);
	assert_string_equal(d.u.sysreg.name, "SCTLR_EL1");

	d = dec(sysreg_esr(3, 0, 12, 11, 5, 2, false));
	assert_false(d.u.sysreg.read);
	assert_int_equal(d.u.sysreg.rt, 2);
	assert_string_equal(d.u.sysreg.name, "ICC_SGI1R_EL1");

	assert_string_equal(dec(sysreg_esr(1, 3, 7, 14, 1, 0, false)).u.sysreg.name,
			    "DC CIVAC");
	assert_string_equal(dec(sysreg_esr(3, 0, 5, 4, 2, 0, true)).u.sysreg.name,
			    "ERXSTATUS_EL1");
	assert_string_equal(dec(sysreg_esr(3, 3, 14, 3, 1, 0, true)).u.sysreg.name,
			    "CNTV_CTL_EL0");
	/* The IMPLEMENTATION DEFINED space has no well-known name. */
	assert_null(dec(sysreg_esr(3, 0, 15, 0, 0, 0, true)).u.sysreg.name);
}

static void test_sysreg_table_sorted(void **state)
{
	(void)state;
	assert_true(kvmsea_sysreg_table_len > 100);
	for (unsigned int i = 0; i < kvmsea_sysreg_table_len; i++) {
		const struct kvmsea_sysreg_entry *e = &kvmsea_sysreg_table[i];

		if (i)
			assert_true(kvmsea_sysreg_table[i - 1].key < e->key);
		/* Every entry is found by the lookup the decoder uses. */
		assert_ptr_equal(kvmsea_sysreg_name(e->key), kvmsea_sysreg_entry_name(e));
		assert_true(e->key >> 14 >= 1); /* op0 is 1, 2 or 3 */
	}
	assert_null(kvmsea_sysreg_name(0));
	assert_null(kvmsea_sysreg_name(0xffff));
}

static void test_debug(void **state)
{
	struct kvmsea_esr d;

	(void)state;
	/* Software step, ISV=1, EX=1. */
	d = dec(0xcb000062);
	assert_int_equal(d.ec, KVMSEA_EC_SOFTSTP_LOW);
	assert_true(d.u.debug.isv);
	assert_true(d.u.debug.ex);
	assert_int_equal(d.u.debug.fsc, 0x22);
	assert_false(d.u.debug.wnr);

	/* Watchpoint: WPT=5, WPTV, WPF, FnP, VNCR, FnV, CM, WnR, ISS2.GCS. */
	d = dec(EC(0x35) | IL | 5u << 18 | 1u << 17 | 1u << 16 | 1u << 15 |
		1u << 13 | 1u << 10 | 1u << 8 | 1u << 6 | 0x22 | 1ull << 40);
	assert_int_equal(d.u.debug.wpt, 5);
	assert_true(d.u.debug.wptv);
	assert_true(d.u.debug.wpf);
	assert_true(d.u.debug.fnp);
	assert_true(d.u.debug.vncr);
	assert_true(d.u.debug.fnv);
	assert_true(d.u.debug.cm);
	assert_true(d.u.debug.wnr);
	assert_true(d.u.debug.gcs);
	assert_false(d.u.debug.isv);
	assert_false(d.u.debug.ex); /* bit 6 is WnR for a watchpoint */

	/* Breakpoint: only the status code. */
	d = dec(EC(0x30) | IL | 0x1ffffff);
	assert_int_equal(d.u.debug.fsc, 0x3f);
	assert_false(d.u.debug.isv || d.u.debug.ex || d.u.debug.wnr ||
		     d.u.debug.cm || d.u.debug.fnv);
}

static void test_fp_exc(void **state)
{
	struct kvmsea_esr d = dec(EC(0x2c) | IL | 1u << 23 | 5u << 8 | 0x9f);

	(void)state;
	assert_true(d.u.fp_exc.tfv);
	assert_int_equal(d.u.fp_exc.vecitr, 5);
	assert_true(d.u.fp_exc.idf);
	assert_true(d.u.fp_exc.ixf);
	assert_true(d.u.fp_exc.uff);
	assert_true(d.u.fp_exc.off);
	assert_true(d.u.fp_exc.dzf);
	assert_true(d.u.fp_exc.iof);
	d = dec(EC(0x28) | IL | 1u << 1);
	assert_true(d.u.fp_exc.dzf);
	assert_false(d.u.fp_exc.iof || d.u.fp_exc.tfv);
}

static void test_bti_pac(void **state)
{
	struct kvmsea_esr d;

	(void)state;
	assert_int_equal(dec(EC(0x0d) | IL | 3).u.btype, 3);
	d = dec(EC(0x1c) | IL | 2);
	assert_true(d.u.pac.data);
	assert_false(d.u.pac.key_b);
	d = dec(EC(0x1c) | IL | 1);
	assert_false(d.u.pac.data);
	assert_true(d.u.pac.key_b);
	/* EC 0x09 (PAC trap) has a RES0 ISS. */
	assert_int_equal(dec(EC(0x09) | IL | 3).layout, KVMSEA_LAYOUT_NONE);
}

static void test_mops(void **state)
{
	uint64_t esr = EC(0x27) | IL | 1u << 24 | 1u << 23 | 0xau << 19 |
		       1u << 18 | 1u << 17 | 1u << 16 | 30u << 10 | 2u << 5 | 4;
	struct kvmsea_esr d = dec(esr);

	(void)state;
	assert_true(d.u.mops.mem_inst);
	assert_true(d.u.mops.is_setg);
	assert_int_equal(d.u.mops.options, 0xa);
	assert_true(d.u.mops.from_epilogue);
	assert_true(d.u.mops.wrong_option);
	assert_true(d.u.mops.option_a);
	assert_int_equal(d.u.mops.destreg, 30);
	assert_int_equal(d.u.mops.srcreg, 2);
	assert_int_equal(d.u.mops.sizereg, 4);
}

static void test_gcs(void **state)
{
	struct kvmsea_esr d = dec(EC(0x2d) | IL | 2u << 20 | 7u << 10 | 9u << 5 | 4);

	(void)state;
	assert_int_equal(d.u.gcs.exception_type, 2);
	assert_int_equal(d.u.gcs.raddr, 7);
	assert_int_equal(d.u.gcs.rn, 9);
	assert_int_equal(d.u.gcs.it, 4);
}

static void test_severity_names(void **state)
{
	(void)state;
	assert_string_equal(kvmsea_ras_severity_name(KVMSEA_RAS_NOT_REPORTED), "none");
	assert_string_equal(kvmsea_ras_severity_name(KVMSEA_RAS_UER), "UER");
	assert_string_equal(kvmsea_ras_severity_name(KVMSEA_RAS_UEO), "UEO");
	assert_string_equal(kvmsea_ras_severity_name(KVMSEA_RAS_UEU), "UEU");
	assert_string_equal(kvmsea_ras_severity_name(KVMSEA_RAS_UC), "UC");
	assert_string_equal(kvmsea_ras_severity_name(KVMSEA_RAS_CE), "CE");
	assert_string_equal(kvmsea_ras_severity_name(KVMSEA_RAS_RESERVED), "reserved");
	assert_string_equal(kvmsea_ras_severity_name((enum kvmsea_ras_severity)99),
			    "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_ec),
		cmocka_unit_test(test_ec_names_used_by_kernel),
		cmocka_unit_test(test_every_fsc),
		cmocka_unit_test(test_fsc_level_description_agree),
		cmocka_unit_test(test_serror_ce),
		cmocka_unit_test(test_serror_aet_table),
		cmocka_unit_test(test_serror_ids),
		cmocka_unit_test(test_dabt_iss2_tnd),
		cmocka_unit_test(test_dabt_iss2_each_bit),
		cmocka_unit_test(test_set_reserved),
		cmocka_unit_test(test_set_table),
		cmocka_unit_test(test_unallocated_fsc),
		cmocka_unit_test(test_unallocated_ec),
		cmocka_unit_test(test_sea_ttw_level_minus_1),
		cmocka_unit_test(test_kvm_exit_esr),
		cmocka_unit_test(test_injected_esr),
		cmocka_unit_test(test_dabt_isv),
		cmocka_unit_test(test_dabt_no_isv),
		cmocka_unit_test(test_iabt_fields),
		cmocka_unit_test(test_far_valid),
		cmocka_unit_test(test_res0_hi),
		cmocka_unit_test(test_wfx),
		cmocka_unit_test(test_imm16),
		cmocka_unit_test(test_sysreg),
		cmocka_unit_test(test_sysreg_table_sorted),
		cmocka_unit_test(test_debug),
		cmocka_unit_test(test_fp_exc),
		cmocka_unit_test(test_bti_pac),
		cmocka_unit_test(test_mops),
		cmocka_unit_test(test_gcs),
		cmocka_unit_test(test_severity_names),
	};

	return cmocka_run_group_tests_name("esr-decode", tests, NULL, NULL);
}
