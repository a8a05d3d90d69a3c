/* SPDX-License-Identifier: MIT */
/* The library's objects, and what its files ask of each other. */
#ifndef LIBKVMSEA_INTERNAL_H
#define LIBKVMSEA_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <libkvmsea/libkvmsea.h>

#include "entry.h"
#include "export.h"
#include "uapi-compat.h"

#define KVMSEA_DEFAULT_LIVELOCK_LIMIT 8

/* Counters of struct kvmsea_stats, updated from any thread (and from
 * signal handlers: lock-free atomics). */
struct kvmsea_counters {
	atomic_uint_fast64_t sea_exits, injected, stops;
};

struct kvmsea_ctx {
	int vm_fd;
	struct kvmsea_caps caps;   /* as probed; never written afterwards */
	atomic_bool enabled;       /* caps.sea_exits_enabled, read by any thread */
	/* Policy: set before the vCPUs run, then only read. */
	kvmsea_handler_fn handler;
	void *opaque;
	uint32_t livelock_limit;
	uint32_t storm_pages;
	uint64_t storm_window_ns;
	atomic_uint vcpus;         /* handles not freed yet */
	struct kvmsea_counters counters;
};

/* The livelock guard's memory of the last SEA on a vCPU. */
struct kvmsea_guard {
	bool armed;             /* a previous SEA is remembered */
	bool delivered;         /* ... and something reached the guest since */
	uint64_t pc, syndrome, gva, page_gpa, page_hva;
	uint32_t repeats;
};

struct kvmsea_vcpu {
	struct kvmsea_ctx *ctx;
	int fd;
	struct kvmsea_uapi_run *run;
	uint32_t id;
	void *data;
	uint32_t features;      /* KVMSEA_F_* */
	bool features_probed;   /* read from the vCPU at its first event */
	uint64_t seq;
	/* What this KVM_RUN return brought (reset by every handle_exit). */
	bool delivered;         /* an event was delivered: pc, pstate hold */
	bool injected;          /* something was injected since */
	bool exit_live;         /* the return was exit 41, copied in exit */
	struct kvmsea_uapi_arm_sea exit;
	uint64_t pc, pstate;
	bool in_handler;        /* the handler is running on this handle */
	struct kvmsea_guard guard;
	bool have_event;
	struct kvmsea_event event;
};

/* ---- vcpu.c ---- */
/* Read, once per handle, what the vCPU has: MTE, SCTLR2, EL2. */
int kvmsea_vcpu_probe(struct kvmsea_vcpu *vcpu);

/* ---- event.c ---- */
/* CLOCK_REALTIME in nanoseconds (0 if the clock fails); signal-safe. */
uint64_t kvmsea_realtime_ns(void);
/* An event for the SEA exit @sea on @vcpu (no guest state yet). */
void kvmsea_event_from_exit(struct kvmsea_event *ev,
			    const struct kvmsea_vcpu *vcpu,
			    const struct kvmsea_uapi_arm_sea *sea);
/* Fill ev->guest from the vCPU's features, PC, PSTATE and (nested)
 * HCR_EL2. */
void kvmsea_event_guest(struct kvmsea_event *ev, uint32_t features,
			uint64_t pc, uint64_t pstate, uint64_t hcr_el2);
/* The abort an event describes. -EINVAL when it is not an abort. */
int kvmsea_event_abort(const struct kvmsea_event *ev,
		       struct kvmsea_abort *abort);

/* ---- inject.c ---- */
struct kvmsea_inject_req {
	enum kvmsea_strategy how;
	struct kvmsea_abort abort;
	uint64_t pc, pstate;   /* the vCPU's, now */
	bool live;             /* the abort is the exit now in kvm_run */
};
/* Plan and carry out an injection on a probed vCPU. Returns the strategy
 * that ran (> 0) and sets *lost, or a negative errno with nothing changed
 * in the vCPU. */
int kvmsea_inject(struct kvmsea_vcpu *vcpu, const struct kvmsea_inject_req *req,
		  uint32_t *lost);

#endif /* LIBKVMSEA_INTERNAL_H */
