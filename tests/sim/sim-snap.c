/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "vcpu-snap.h"

/* After X0-X30, SP_EL0, PC, PSTATE, SP_EL1, ELR_EL1 and the five SPSRs:
 * the system registers an injection can write or read. */
static const uint64_t sysregs[] = {
	KVMSEA_REG_SCTLR_EL1, KVMSEA_REG_SCTLR2_EL1, KVMSEA_REG_TCR_EL1,
	KVMSEA_REG_ESR_EL1, KVMSEA_REG_FAR_EL1, KVMSEA_REG_VBAR_EL1,
	KVMSEA_REG_IFSR32_EL2, KVMSEA_REG_SCTLR_EL2, KVMSEA_REG_SCTLR2_EL2,
	KVMSEA_REG_HCR_EL2, KVMSEA_REG_HCRX_EL2, KVMSEA_REG_SPSR_EL2,
	KVMSEA_REG_ELR_EL2, KVMSEA_REG_ESR_EL2, KVMSEA_REG_FAR_EL2,
	KVMSEA_REG_VBAR_EL2, KVMSEA_REG_ID_AA64PFR0_EL1,
	KVMSEA_REG_ID_AA64PFR1_EL1, KVMSEA_REG_ID_AA64MMFR3_EL1,
};
#define NR_CORE (31 + 10)
#define NR_SYS (sizeof(sysregs) / sizeof(sysregs[0]))

_Static_assert(NR_CORE + NR_SYS <= VCPU_SNAP_REGS, "snapshot too small");

static uint64_t reg_id(unsigned int i)
{
	if (i < 31)
		return KVMSEA_REG_X(i);
	if (i < NR_CORE)
		return KVMSEA_CORE_REG(62 + 2 * (i - 31)); /* SP .. SPSR[4] */
	return sysregs[i - NR_CORE];
}

void vcpu_snap_take(const struct kvmsim_vcpu *sv, struct vcpu_snap *snap)
{
	struct kvmsim_vcpu_stats st;

	memset(snap, 0, sizeof(*snap));
	for (unsigned int i = 0; i < NR_CORE + NR_SYS; i++)
		snap->regs[i] = kvmsim_reg_get(sv, reg_id(i));
	kvmsim_vcpu_get_serror(sv, &snap->serror);
	kvmsim_vcpu_get_stats(sv, &st);
	snap->ext_dabt = st.ext_dabt;
	snap->serrors = st.serror;
}

bool vcpu_snap_equal(const struct vcpu_snap *a, const struct vcpu_snap *b)
{
	for (unsigned int i = 0; i < NR_CORE + NR_SYS; i++) {
		if (a->regs[i] != b->regs[i]) {
			fprintf(stderr, "vcpu-snap: register 0x%016llx: 0x%llx -> 0x%llx\n",
				(unsigned long long)reg_id(i),
				(unsigned long long)a->regs[i],
				(unsigned long long)b->regs[i]);
			return false;
		}
	}
	if (a->serror.vse != b->serror.vse ||
	    a->serror.nested_pending != b->serror.nested_pending ||
	    a->serror.vsesr != b->serror.vsesr) {
		fprintf(stderr, "vcpu-snap: the pending SError changed\n");
		return false;
	}
	if (a->ext_dabt != b->ext_dabt || a->serrors != b->serrors) {
		fprintf(stderr, "vcpu-snap: an injection was made (ext_dabt %lu -> %lu, serror %lu -> %lu)\n",
			a->ext_dabt, b->ext_dabt, a->serrors, b->serrors);
		return false;
	}
	return true;
}
