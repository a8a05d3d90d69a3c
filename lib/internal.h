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
#include "memmap.h"
#include "poison.h"
#include "sigq.h"
#include "uapi-compat.h"

#define KVMSEA_DEFAULT_LIVELOCK_LIMIT 8
/* SIGBUS records waiting: per vCPU (one AR per KVM_RUN return; a few for
 * the VMM's own accesses on that thread), and for the VM as a whole. */
#define KVMSEA_VCPU_SIGQ 4     /* powers of two */
#define KVMSEA_CTX_SIGQ 256

/* Counters of struct kvmsea_stats, updated from any thread (and from
 * signal handlers: lock-free atomics). */
struct kvmsea_counters {
	atomic_uint_fast64_t sea_exits, sigbus_ar, sigbus_ao, sigbus_dropped,
		sigbus_not_mine, memory_faults, injected, stops;
};

struct kvmsea_ctx {
	int vm_fd;
	struct kvmsea_caps caps;   /* as probed; never written afterwards */
	atomic_bool enabled;       /* caps.sea_exits_enabled, read by any thread */
	/* Policy: set before the vCPUs run, then only read. */
	kvmsea_handler_fn handler;
	void *opaque;
	uint32_t livelock_limit;
	atomic_uint vcpus;         /* handles not freed yet */
	struct kvmsea_counters counters;
	struct kvmsea_memmap map;      /* the guest memory map */
	struct kvmsea_poison_set poison; /* the poison registry, the storm */
	struct kvmsea_sigq sigq;       /* AO, and AR off the vCPU threads */
	struct kvmsea_sigq_slot sigq_slots[KVMSEA_CTX_SIGQ];
	atomic_uint_fast64_t seq;      /* events of the VM as a whole */
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
	struct kvmsea_sigq ar;  /* SIGBUS AR taken on this vCPU's thread */
	struct kvmsea_sigq_slot ar_slots[KVMSEA_VCPU_SIGQ];
};

/* ---- vcpu.c ---- */
/* Read, once per handle, what the vCPU has: MTE, SCTLR2, EL2. */
int kvmsea_vcpu_probe(struct kvmsea_vcpu *vcpu);
/* Move the SIGBUS ARs waiting in @vcpu's storage to the VM's: they came
 * from the VMM's own access on that thread, not from the guest (a KVM_RUN
 * that sent no SIGBUS returned, or the handle goes away). */
void kvmsea_vcpu_give_ar_to_vm(struct kvmsea_vcpu *vcpu);

/* ---- event.c ---- */
/* An event for the SEA exit @sea on @vcpu (no guest state yet). */
void kvmsea_event_from_exit(struct kvmsea_event *ev,
			    const struct kvmsea_vcpu *vcpu,
			    const struct kvmsea_uapi_arm_sea *sea);
/* Fill ev->guest from the vCPU's features, PC, PSTATE and (nested)
 * HCR_EL2. */
void kvmsea_event_guest(struct kvmsea_event *ev, uint32_t features,
			uint64_t pc, uint64_t pstate, uint64_t hcr_el2);
/* An event for a SIGBUS the signal handler recorded. */
void kvmsea_event_from_sigbus(struct kvmsea_event *ev,
			      const struct kvmsea_sigrec *rec, uint32_t vcpu_id,
			      uint64_t seq);
/* An event for KVM_RUN's -EHWPOISON with KVM_EXIT_MEMORY_FAULT. */
void kvmsea_event_from_memory_fault(struct kvmsea_event *ev,
				    const struct kvmsea_vcpu *vcpu,
				    const struct kvmsea_uapi_memory_fault *mf);
/* The abort an event describes. -EINVAL when it is not an abort. */
int kvmsea_event_abort(const struct kvmsea_event *ev,
		       struct kvmsea_abort *abort);

/* ---- clock.c (signal-safe) ---- */
/* CLOCK_REALTIME and CLOCK_MONOTONIC in nanoseconds (0 if the clock
 * fails); errno kept. */
uint64_t kvmsea_realtime_ns(void);
uint64_t kvmsea_monotonic_ns(void);

/* ---- memory.c ---- */
/* Enter the event's bad page in the poison registry and fill in what
 * follows from it: the page's host address (from the map), the
 * distinct-page count, the storm flag. Not from a signal handler. */
void kvmsea_ctx_note_poison(struct kvmsea_ctx *ctx, struct kvmsea_event *ev);
/* The largest naturally aligned power-of-two block at @gpa that fits in
 * @left bytes (both 4 KiB multiples). Pure. */
uint64_t kvmsea_aligned_block(uint64_t gpa, uint64_t left);
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
