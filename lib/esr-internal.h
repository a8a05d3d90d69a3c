/* SPDX-License-Identifier: MIT */
/*
 * Internal interface between the ESR decoder (esr.c), its name tables
 * (esr-names.c) and its formatter (esr-format.c). Nothing here is exported.
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
	const char *name;
};
extern const struct kvmsea_sysreg_entry kvmsea_sysreg_table[];
extern const unsigned int kvmsea_sysreg_table_len;

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

#endif /* LIBKVMSEA_ESR_INTERNAL_H */
