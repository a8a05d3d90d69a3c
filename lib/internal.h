/* SPDX-License-Identifier: MIT */
/* Internal declarations shared by the library's files and its unit tests. */
#ifndef LIBKVMSEA_INTERNAL_H
#define LIBKVMSEA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <libkvmsea/libkvmsea.h>

#include "uapi-compat.h"

/* Marks a public function; everything else stays hidden
 * (-fvisibility=hidden) and the version script lists what is exported. */
#define KVMSEA_EXPORT __attribute__((visibility("default")))

#define KVMSEA_DEFAULT_LIVELOCK_LIMIT 8

struct kvmsea_ctx {
	int vm_fd;
	struct kvmsea_caps caps;
	kvmsea_handler_fn handler;
	void *opaque;
	uint32_t livelock_limit;
};

/* What the exception-entry rules need to know about a vCPU. */
#define KVMSEA_F_EL1_32BIT (1u << 0) /* EL1 is AArch32 */
#define KVMSEA_F_EL2 (1u << 1)       /* the vCPU has virtual EL2 */
#define KVMSEA_F_MTE (1u << 2)       /* the VM has MTE enabled */
#define KVMSEA_F_SCTLR2 (1u << 3)    /* the VM has FEAT_SCTLR2 */

struct kvmsea_vcpu {
	struct kvmsea_ctx *ctx;
	int fd;
	struct kvmsea_uapi_run *run;
	uint32_t id;
	uint32_t features;      /* KVMSEA_F_* */
	bool features_probed;   /* MTE and SCTLR2 read from the ID registers */
	uint64_t count;
	/* The livelock guard's memory of the previous SEA. */
	uint64_t prev_pc, prev_esr, prev_gva, prev_gpa;
	uint32_t repeats;
	bool have_event;
	struct kvmsea_event event;
};

/* ---- entry.c: the exception-entry rules, pure ---- */

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

/* The abort to deliver, from the exit's sanitised ESR and address. */
struct kvmsea_abort {
	bool is_data;
	uint64_t esr;     /* ISS bits used: SET, FnV, EA, CM, WnR, xFSC */
	uint64_t far;
	bool far_valid;
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

/* Where the abort goes, from PSTATE and (nested) HCR_EL2/HCRX_EL2.
 * -EINVAL for a PSTATE mode the vCPU cannot be in, -EOPNOTSUPP for a
 * nested guest (L2) whose abort belongs to the guest hypervisor. */
int kvmsea_entry_route(uint32_t features, uint64_t pstate, uint64_t hcr_el2,
		       uint64_t hcrx_el2, enum kvmsea_target *target);
/* Which KVMSEA_READ_* registers kvmsea_entry_compute() needs. */
uint32_t kvmsea_entry_reads(enum kvmsea_target target, uint32_t features,
			    bool far_valid);
/* Compute the exception entry. Pure: no I/O. */
int kvmsea_entry_compute(const struct kvmsea_vstate *state,
			 const struct kvmsea_abort *abort,
			 struct kvmsea_entry *out);

/* ---- inject.c ---- */

/* Read, once per handle, what the vCPU has: MTE, SCTLR2, EL2. */
int kvmsea_probe_features(struct kvmsea_vcpu *vcpu);

/* Inject using the PC and PSTATE already known (from the exit). */
int kvmsea_inject_known(struct kvmsea_vcpu *vcpu,
			const struct kvmsea_event *event,
			enum kvmsea_strategy how, uint64_t pc, uint64_t pstate);

/* ---- small ioctl helpers (vcpu.c) ---- */
int kvmsea_get_reg(int fd, uint64_t id, uint64_t *value);
int kvmsea_set_reg(int fd, uint64_t id, uint64_t value);

#endif /* LIBKVMSEA_INTERNAL_H */
