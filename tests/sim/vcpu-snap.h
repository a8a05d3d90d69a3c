/* SPDX-License-Identifier: MIT */
/*
 * A snapshot of everything of a simulated vCPU that an injection could
 * change: every core register, every simulated system register, the
 * pending SError and the injection counters. "Nothing changed" in the
 * reliability tests means two snapshots compare equal.
 */
#ifndef KVMSEA_VCPU_SNAP_H
#define KVMSEA_VCPU_SNAP_H

#include <stdbool.h>
#include <stdint.h>

#include "kvmsim.h"

#define VCPU_SNAP_REGS 64
/* Where PC and PSTATE are in regs[] (after X0-X30 and SP_EL0). */
#define VCPU_SNAP_PC 32
#define VCPU_SNAP_PSTATE 33

struct vcpu_snap {
	uint64_t regs[VCPU_SNAP_REGS];
	struct kvmsim_serror serror;
	unsigned long ext_dabt, serrors;
};

void vcpu_snap_take(const struct kvmsim_vcpu *sv, struct vcpu_snap *snap);
/* True when equal; otherwise names the first difference on stderr. */
bool vcpu_snap_equal(const struct vcpu_snap *a, const struct vcpu_snap *b);

#endif
