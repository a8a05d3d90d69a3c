/* SPDX-License-Identifier: MIT */
/*
 * Internal interface between the ESR decoder (esr.c), its name tables
 * (esr-names.c), the field lists (esr-fields.c) and the formatter
 * (esr-format.c). Nothing here is exported.
 * The decoder is pure: these files include no KVM or other Linux header
 * (tests/build/esr-pure.sh checks it).
 */
#ifndef LIBKVMSEA_ESR_INTERNAL_H
#define LIBKVMSEA_ESR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <libkvmsea/esr.h>

#include "arm64.h"
#include "export.h"

/* An ESR field by its mask in arm64.h, so that each bit arm64.h names is
 * written once there: its top and bottom bits (constants for a constant mask) and
 * its value in @esr. */
#define ESR_MSB(mask) (63u - (unsigned int)__builtin_clzll(mask))
#define ESR_LSB(mask) ((unsigned int)__builtin_ctzll(mask))
#define ESR_FIELD(esr, mask) ((uint32_t)(((esr) & (mask)) >> ESR_LSB(mask)))

/* A system register or system instruction encoding as the name table keys
 * it (A64_SYSREG_ENC: the packing of KVM's ONE_REG sysreg index). */
static inline uint16_t kvmsea_sysreg_key(unsigned int op0, unsigned int op1,
					 unsigned int crn, unsigned int crm,
					 unsigned int op2)
{
	return (uint16_t)A64_SYSREG_ENC(op0, op1, crn, crm, op2);
}

/* The well-known name of a system register (or a SYS instruction such as
 * "DC CIVAC") for @key, or NULL when the table does not know it. */
const char *kvmsea_sysreg_name(uint16_t key);

/* The sysreg table itself, for the tests (sorted by key, no duplicates). */
struct kvmsea_sysreg_entry {
	uint16_t key;
	uint16_t name;          /* kvmsea_sysreg_entry_name() */
};
extern const struct kvmsea_sysreg_entry kvmsea_sysreg_table[];
extern const unsigned int kvmsea_sysreg_table_len;
const char *kvmsea_sysreg_entry_name(const struct kvmsea_sysreg_entry *e);

/* Per-EC facts the decoder and formatter need: the ISS layout, whether the
 * value is allocated, and whether the whole ISS is RES0 for this class. */
enum kvmsea_esr_layout kvmsea_esr_ec_layout(unsigned int ec);
bool kvmsea_esr_ec_is_allocated(unsigned int ec);
bool kvmsea_esr_ec_iss_is_res0(unsigned int ec);

/* True for the synchronous external abort FSCs on which the Arm ARM
 * defines PFV and WU: 0x10 and 0x12-0x17. */
bool kvmsea_esr_fsc_is_extabt(unsigned int fsc);

/* The layout's name as used in JSON output ("abort", "serror", ...). */
const char *kvmsea_esr_layout_name(enum kvmsea_esr_layout layout);

/*
 * The fields of a decoded syndrome's ISS or ISS2, style-free (esr-fields.c
 * lists them, esr-format.c prints them). The flags are for the one-line
 * style, which is a summary: it shows a field when the field is non-zero or
 * flagged ALWAYS, and a field's meaning only when flagged SUMMARY (SUMMARY
 * implies ALWAYS).
 */
#define KVMSEA_FIELD_ALWAYS 1u
#define KVMSEA_FIELD_SUMMARY 3u
#define KVMSEA_FIELD_RES0 4u    /* set bits no field describes */

struct kvmsea_esr_field {
	const char *name;       /* the Arm field name, or "RES0" */
	const char *meaning;    /* what this value means, or NULL */
	uint32_t value;
	uint8_t hi, lo;         /* ESR bit positions */
	uint8_t flags;          /* KVMSEA_FIELD_* */
};

/* Fields cover disjoint bits, so the ISS's 25 bits bound the count. */
#define KVMSEA_ESR_MAX_FIELDS 25

struct kvmsea_esr_fields {
	bool known;             /* the layout is known (else nothing listed) */
	unsigned int n;
	struct kvmsea_esr_field field[KVMSEA_ESR_MAX_FIELDS];
};

/* The ISS fields of @d (@iss2 false) or its ISS2 fields, in print order,
 * then each run of set bits no field describes, as a RES0 field. */
void kvmsea_esr_fields(const struct kvmsea_esr *d, bool iss2,
		       struct kvmsea_esr_fields *out);

#endif /* LIBKVMSEA_ESR_INTERNAL_H */
