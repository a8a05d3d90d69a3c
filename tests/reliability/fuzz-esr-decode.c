/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the ESR decoder, its predicates and its name functions.
 *
 * Input: an 8-byte ESR and a 4-byte integer for the name functions.
 * Invariants: decoding is total and deterministic (nothing depends on what
 * the output held before) and agrees with the raw bits and the predicates;
 * every name function returns a printable string for any argument.
 * The formatter has its own target (fuzz-esr-format.c): it costs a hundred
 * times more per call, and the decoder deserves the volume.
 */
#include <stdbool.h>

#include <libkvmsea/esr.h>

#include "fuzz-input.h"

static void check_decode(uint64_t esr, struct kvmsea_esr *d)
{
	struct kvmsea_esr again;
	unsigned int ec = (esr >> 26) & 0x3f;

	memset(d, 0x5a, sizeof(*d));
	memset(&again, 0xc3, sizeof(again));
	kvmsea_esr_decode(esr, d);
	kvmsea_esr_decode(esr, &again);

	FUZZ_CHECK(d->raw == esr);
	FUZZ_CHECK(d->ec == ec);
	FUZZ_CHECK(d->il == ((esr >> 25) & 1));
	FUZZ_CHECK(d->iss == (esr & 0x1ffffff));
	FUZZ_CHECK(d->iss2 == ((esr >> 32) & 0xffffff));
	FUZZ_CHECK(d->res0_hi == (esr >> 56));
	FUZZ_CHECK(d->layout <= KVMSEA_LAYOUT_GCS);
	FUZZ_CHECK(d->severity <= KVMSEA_RAS_RESERVED);
	/* Deterministic: nothing depends on what was in @out before. */
	FUZZ_CHECK(d->ec_allocated == again.ec_allocated);
	FUZZ_CHECK(d->layout == again.layout);
	FUZZ_CHECK(d->severity == again.severity);
	FUZZ_CHECK(memcmp(&d->u, &again.u, sizeof(d->u)) == 0);

	/* The predicates say what the decoded fields say. */
	FUZZ_CHECK(kvmsea_esr_is_data_abort(esr) == (ec == 0x24 || ec == 0x25));
	FUZZ_CHECK(kvmsea_esr_is_insn_abort(esr) == (ec == 0x20 || ec == 0x21));
	FUZZ_CHECK((d->layout == KVMSEA_LAYOUT_ABORT) ==
		   (kvmsea_esr_is_data_abort(esr) || kvmsea_esr_is_insn_abort(esr)));
	FUZZ_CHECK(kvmsea_esr_is_sea(esr) ==
		   (d->layout == KVMSEA_LAYOUT_ABORT && d->u.abort.is_sea));
	FUZZ_CHECK(kvmsea_esr_severity(esr) == d->severity);
	if (d->layout == KVMSEA_LAYOUT_ABORT) {
		FUZZ_CHECK(d->u.abort.fsc == (esr & 0x3f));
		FUZZ_CHECK(d->u.abort.is_data == kvmsea_esr_is_data_abort(esr));
		/* FnV means something for FSC 0x10 only. */
		FUZZ_CHECK(kvmsea_esr_far_valid(esr) ==
			   !((esr & 0x3f) == 0x10 && (esr & (1ULL << 10))));
	}
}

/* A name: a non-empty, terminated string of printable ASCII. */
static bool is_name(const char *s)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7f)
			return false;
	return n > 0;
}

static void check_names(uint64_t esr, const struct kvmsea_esr *d,
			struct fuzz_input *in)
{
	unsigned int any = fuzz_u32(in);

	FUZZ_CHECK(is_name(kvmsea_esr_ec_name(d->ec)));
	FUZZ_CHECK(is_name(kvmsea_esr_ec_description(d->ec)));
	FUZZ_CHECK(is_name(kvmsea_esr_fsc_description(esr & 0x3f)));
	FUZZ_CHECK(is_name(kvmsea_ras_severity_name(d->severity)));
	/* Out-of-range arguments give a string too, never a wild read. */
	FUZZ_CHECK(is_name(kvmsea_esr_ec_name(any)));
	FUZZ_CHECK(is_name(kvmsea_esr_ec_description(any)));
	FUZZ_CHECK(is_name(kvmsea_esr_fsc_description(any)));
	FUZZ_CHECK(is_name(kvmsea_ras_severity_name((enum kvmsea_ras_severity)(int)any)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	uint64_t esr = fuzz_u64(&in);
	struct kvmsea_esr d;

	check_decode(esr, &d);
	check_names(esr, &d, &in);
	return 0;
}
