/* SPDX-License-Identifier: MIT */
/*
 * The pure half of injection: where an abort goes, which strategy delivers
 * it and what that loses (plan.c), and the exception entry emulation writes
 * (entry.c). State in, decisions out: no KVM, no I/O, unit-tested without a
 * simulator. inject.c reads the state and carries out the plan.
 */
#ifndef LIBKVMSEA_ENTRY_H
#define LIBKVMSEA_ENTRY_H

#include <stdbool.h>
#include <stdint.h>

#include <libkvmsea/sea.h>

/* What the rules need to know about a vCPU. */
#define KVMSEA_F_EL1_32BIT (1u << 0) /* EL1 is AArch32 */
#define KVMSEA_F_EL2 (1u << 1)       /* the vCPU has virtual EL2 */
#define KVMSEA_F_MTE (1u << 2)       /* the VM has MTE enabled */
#define KVMSEA_F_SCTLR2 (1u << 3)    /* the VM has FEAT_SCTLR2 */

enum kvmsea_target {
	KVMSEA_TARGET_EL1 = 1, /* AArch64 EL1h */
	KVMSEA_TARGET_EL2,     /* AArch64 virtual EL2h of a nested vCPU */
	KVMSEA_TARGET_ABT32,   /* AArch32 EL1, Abort mode */
};

/* The vCPU state the rules read. Only the fields kvmsea_entry_reads()
 * asks for need to be filled in. */
struct kvmsea_vstate {
	uint32_t features;             /* KVMSEA_F_* */
	uint64_t pc, pstate;
	uint64_t hcr_el2, hcrx_el2;    /* nested vCPUs only */
	uint64_t sctlr, sctlr2, vbar;  /* of the target EL */
	uint64_t tcr_el1, far_el1;     /* AArch32 EL1 target only */
};

/* Registers kvmsea_entry_reads() can ask for. */
#define KVMSEA_READ_SCTLR (1u << 0)
#define KVMSEA_READ_SCTLR2 (1u << 1)
#define KVMSEA_READ_VBAR (1u << 2)
#define KVMSEA_READ_TCR_EL1 (1u << 3)
#define KVMSEA_READ_FAR_EL1 (1u << 4)

/* The abort to deliver: an event's syndrome and address. */
struct kvmsea_abort {
	bool is_data;
	uint64_t esr;     /* ISS bits used: SET, FnV, EA, CM, WnR, xFSC */
	uint64_t far;
	bool far_valid;   /* far is the faulting address; FnV follows it */
};

struct kvmsea_reg_write {
	uint64_t id;
	uint64_t value;
};

#define KVMSEA_ENTRY_MAX_WRITES 8

/* The result: registers to write, in this order (PSTATE then PC last). */
struct kvmsea_entry {
	enum kvmsea_target target;
	uint64_t vector;  /* the new PC */
	uint64_t pstate;  /* the new PSTATE */
	uint64_t esr;     /* the syndrome written (DFSR/IFSR for AArch32) */
	unsigned int nr_writes;
	struct kvmsea_reg_write writes[KVMSEA_ENTRY_MAX_WRITES];
};

/* ---- entry.c ---- */

/* Where the abort goes, from PSTATE and (nested) HCR_EL2/HCRX_EL2.
 * -EOPNOTSUPP for a nested guest (L2) whose abort belongs to its guest
 * hypervisor (decided first, whatever the other features say), -EINVAL
 * for a PSTATE mode the vCPU cannot be in. */
int kvmsea_entry_route(uint32_t features, uint64_t pstate, uint64_t hcr_el2,
		       uint64_t hcrx_el2, enum kvmsea_target *target);
/* Which KVMSEA_READ_* registers kvmsea_entry_compute() needs. */
uint32_t kvmsea_entry_reads(enum kvmsea_target target, uint32_t features,
			    bool far_valid);
/* Compute the exception entry. -EINVAL or -EOPNOTSUPP as route says. */
int kvmsea_entry_compute(const struct kvmsea_vstate *state,
			 const struct kvmsea_abort *abort,
			 struct kvmsea_entry *out);
/* What emulation into @target cannot carry (KVMSEA_LOST_*). */
uint32_t kvmsea_entry_lost(enum kvmsea_target target,
			   const struct kvmsea_abort *abort);

/* ---- plan.c ---- */

/* Everything the choice of a strategy depends on. */
struct kvmsea_plan_in {
	enum kvmsea_strategy how;      /* what was asked for */
	struct kvmsea_abort abort;
	uint32_t features;
	uint64_t pstate, hcr_el2, hcrx_el2;
	bool live;          /* the abort is the exit now in kvm_run: the FAR KVM
			     * saved is the abort's own */
	bool mmio_pending;  /* kvm_run holds KVM_EXIT_MMIO: the next KVM_RUN
			     * completes it, unless ext_dabt_pending cancels */
	bool can_ext_dabt;  /* KVM_CAP_ARM_INJECT_EXT_DABT */
	bool can_events;    /* KVM_CAP_VCPU_EVENTS */
	bool serror_esr;    /* KVM_CAP_ARM_INJECT_SERROR_ESR */
};

struct kvmsea_plan {
	enum kvmsea_strategy strategy; /* VCPU_EVENTS, EMULATE or SERROR */
	enum kvmsea_target target;     /* EMULATE: where the entry goes */
	uint32_t reads;                /* EMULATE: KVMSEA_READ_* */
	uint64_t serror_esr;           /* SERROR: the syndrome, if serror_esr */
	uint32_t lost;                 /* KVMSEA_LOST_* */
};

/* Choose. 0 and @out filled, or -EINVAL (not an abort, a bad strategy, a
 * mode the vCPU cannot be in), -EOPNOTSUPP (this strategy, or any, cannot
 * deliver it here), -EBUSY (emulation with an MMIO completion pending). */
int kvmsea_plan(const struct kvmsea_plan_in *in, struct kvmsea_plan *out);

#endif /* LIBKVMSEA_ENTRY_H */
