/* SPDX-License-Identifier: MIT */
/*
 * libkvmsea: handling KVM_EXIT_ARM_SEA in an arm64 VMM.
 *
 * Objects:
 *  - struct kvmsea_ctx, one per VM: the capabilities, the handler and the
 *    policy settings. Configure it before vCPUs run; afterwards the vCPU
 *    threads only read it.
 *  - struct kvmsea_vcpu, one per vCPU, used only by the thread that calls
 *    KVM_RUN on that vCPU (KVM's own rule for vCPU ioctls).
 *
 * Conventions: functions return 0 (or a non-negative value) on success and a
 * negative errno on failure, and leave errno alone. On failure nothing was
 * changed. The library never owns, dups or closes the caller's file
 * descriptors and never unmaps the caller's kvm_run mapping. Nothing on the
 * SEA-handling path allocates memory.
 */
#ifndef LIBKVMSEA_SEA_H
#define LIBKVMSEA_SEA_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <libkvmsea/esr.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What KVM on this host and VM can do, as far as SEAs go. */
struct kvmsea_caps {
	/* KVM_CHECK_EXTENSION answers: > 0 supported, 0 not (or unknown cap). */
	int sea_to_user;        /* KVM_CAP_ARM_SEA_TO_USER */
	int inject_ext_dabt;    /* KVM_CAP_ARM_INJECT_EXT_DABT */
	int vcpu_events;        /* KVM_CAP_VCPU_EVENTS */
	int inject_serror_esr;  /* KVM_CAP_ARM_INJECT_SERROR_ESR: host FEAT_RAS */
	int arm_el2;            /* KVM_CAP_ARM_EL2: nested virtualization */
	/*
	 * The truth behind sea_to_user: KVM answers 1 even on hosts without
	 * FEAT_RAS, where every guest SEA becomes an SError and exit 41
	 * never happens. True only with both the cap and host RAS.
	 */
	bool sea_exits_possible;
	/* Set by kvmsea_ctx_get_caps() once kvmsea_ctx_enable() succeeded. */
	bool sea_exits_enabled;
	uint32_t reserved[8];
};

/*
 * Ask KVM through @fd (/dev/kvm or a VM fd; a VM fd gives the VM's own
 * answers, e.g. 0 for a protected VM) and fill @caps.
 * Returns 0, or -EBADF / -ENOTTY (not a KVM fd) / -EINVAL (NULL @caps).
 */
int kvmsea_probe(int fd, struct kvmsea_caps *caps);

struct kvmsea_ctx;
struct kvmsea_vcpu;

/* Where an event came from. */
enum kvmsea_source {
	KVMSEA_SOURCE_EXIT = 1,    /* KVM_RUN returned KVM_EXIT_ARM_SEA */
	KVMSEA_SOURCE_SIGBUS_AR,   /* reserved: SIGBUS BUS_MCEERR_AR */
	KVMSEA_SOURCE_SIGBUS_AO,   /* reserved: SIGBUS BUS_MCEERR_AO */
};

/* How an abort is delivered to the guest. */
enum kvmsea_strategy {
	KVMSEA_STRATEGY_NONE = 0,    /* nothing injected */
	KVMSEA_STRATEGY_AUTO,        /* the best lossless one (see README) */
	KVMSEA_STRATEGY_VCPU_EVENTS, /* KVM_SET_VCPU_EVENTS ext_dabt_pending */
	KVMSEA_STRATEGY_EMULATE,     /* exception entry through KVM_SET_ONE_REG */
	KVMSEA_STRATEGY_SERROR,      /* KVM_SET_VCPU_EVENTS serror_pending */
};

/* What the handler asks the library to do with an event. */
enum kvmsea_action {
	KVMSEA_ACTION_DEFAULT = 0,        /* auto-inject; stop on a livelock */
	KVMSEA_ACTION_INJECT_AUTO,
	KVMSEA_ACTION_INJECT_VCPU_EVENTS,
	KVMSEA_ACTION_INJECT_EMULATE,
	KVMSEA_ACTION_INJECT_SERROR,
	KVMSEA_ACTION_RETRY,              /* re-enter without injecting */
	KVMSEA_ACTION_STOP,               /* kvmsea_vcpu_handle_exit() says STOP */
	KVMSEA_ACTION_HANDLED,            /* the caller did it; re-enter */
};

/* The guest's state when the abort was taken, as read from the vCPU. */
struct kvmsea_guest {
	uint64_t pc;        /* the faulting instruction (KVM leaves PC there) */
	uint64_t pstate;    /* SPSR format */
	uint8_t el;         /* 0, 1, or 2 (virtual EL2 of a nested vCPU) */
	bool aarch32;       /* the interrupted context runs AArch32 */
	bool el1_aarch32;   /* EL1 is AArch32 (KVMSEA_VCPU_EL1_32BIT) */
	bool nested;        /* the vCPU has virtual EL2 (as KVM shows it) */
};

/* One SEA, normalised. Not tied to struct kvm_run: it is a copy. */
struct kvmsea_event {
	enum kvmsea_source source;
	uint32_t vcpu_id;           /* the id given to kvmsea_vcpu_new() */
	uint64_t count;             /* events on this vCPU, this one included */
	/* The exit's run->arm_sea, as KVM wrote it. */
	uint64_t raw_flags, raw_esr, raw_gva, raw_gpa;
	struct kvmsea_esr esr;      /* raw_esr decoded; EC is always *_LOW */
	bool gva_valid;             /* FnV == 0 */
	bool gpa_valid;             /* KVM_EXIT_ARM_SEA_FLAG_GPA_VALID */
	bool addr_valid;            /* both: addr is the faulting byte's IPA */
	uint64_t gva;               /* 0 unless gva_valid */
	uint64_t gpa;               /* 4 KiB-aligned IPA, 0 unless gpa_valid */
	uint64_t addr;              /* gpa | (gva & 0xfff), 0 unless addr_valid */
	struct kvmsea_guest guest;
	uint32_t repeats;           /* SEAs in a row at this PC and address */
	bool livelock;              /* repeats reached the context's limit */
	/* Filled after the action ran: what was injected (NONE if nothing). */
	enum kvmsea_strategy injected;
	uint64_t reserved[8];
};

/*
 * The handler: called on the vCPU's thread for every SEA event, before
 * anything is injected. Returns an enum kvmsea_action, or a negative errno
 * that kvmsea_vcpu_handle_exit() then returns. It may call
 * kvmsea_vcpu_inject() itself (then return KVMSEA_ACTION_HANDLED).
 */
typedef int (*kvmsea_handler_fn)(struct kvmsea_vcpu *vcpu,
				 const struct kvmsea_event *event,
				 void *opaque);

/*
 * Create a context for the VM behind @vm_fd (not owned). Probes the VM's
 * capabilities. Returns 0 and sets *@out, or a negative errno.
 */
int kvmsea_ctx_new(int vm_fd, struct kvmsea_ctx **out);
/* Free a context; its vCPU handles must be freed first. NULL is a no-op. */
void kvmsea_ctx_free(struct kvmsea_ctx *ctx);
/* Copy the probed capabilities to @caps. */
int kvmsea_ctx_get_caps(const struct kvmsea_ctx *ctx, struct kvmsea_caps *caps);
/*
 * Turn on KVM_EXIT_ARM_SEA for the VM (KVM_ENABLE_CAP on the VM fd; allowed
 * before or after vCPUs exist; idempotent; KVM offers no way back).
 * Returns 0, -EOPNOTSUPP when the VM does not offer the capability, or the
 * kernel's negative errno.
 */
int kvmsea_ctx_enable(struct kvmsea_ctx *ctx);
/* Set the handler (NULL: the default policy). */
int kvmsea_ctx_set_handler(struct kvmsea_ctx *ctx, kvmsea_handler_fn fn,
			   void *opaque);
/*
 * SEAs in a row at the same PC and address after which an event is marked
 * as a livelock (the default policy then stops). 0 disables. Default 8.
 */
int kvmsea_ctx_set_livelock_limit(struct kvmsea_ctx *ctx, uint32_t limit);

/* Flags for kvmsea_vcpu_new(): the features the VMM gave KVM_ARM_VCPU_INIT. */
#define KVMSEA_VCPU_EL1_32BIT (1u << 0) /* KVM_ARM_VCPU_EL1_32BIT */
#define KVMSEA_VCPU_HAS_EL2   (1u << 1) /* KVM_ARM_VCPU_HAS_EL2 */

/*
 * Bind a handle to a vCPU: @vcpu_fd and its mmap'ed struct kvm_run (@run),
 * neither owned. @id is the caller's name for the vCPU, echoed in events.
 * Returns 0 and sets *@out, or a negative errno (-EINVAL for bad flags or
 * NULL pointers, -EBADF for a negative fd, -ENOMEM).
 */
int kvmsea_vcpu_new(struct kvmsea_ctx *ctx, int vcpu_fd, void *run,
		    uint32_t id, uint32_t flags, struct kvmsea_vcpu **out);
/* Free a handle. NULL is a no-op. */
void kvmsea_vcpu_free(struct kvmsea_vcpu *vcpu);

/* kvmsea_vcpu_handle_exit() results (negative values are errnos). */
#define KVMSEA_EXIT_HANDLED 0 /* the SEA was dealt with: call KVM_RUN again */
#define KVMSEA_EXIT_NOT_SEA 1 /* not an SEA exit: handle it as before */
#define KVMSEA_EXIT_STOP    2 /* the policy says: stop this VM */

/*
 * Call after every KVM_RUN return. @run_ret is what KVM_RUN returned (0, or
 * -1 / a negative errno): only a return of 0 with exit_reason 41 is an SEA,
 * so the stale exit_reason left by an -EINTR (immediate_exit, signals) is
 * never taken for a new one. A non-SEA exit costs two compares.
 */
int kvmsea_vcpu_handle_exit(struct kvmsea_vcpu *vcpu, int run_ret);

/*
 * The cheap test on its own, for run loops that dispatch first: true when
 * KVM_RUN returned @run_ret == 0 and @run's exit_reason is KVM_EXIT_ARM_SEA.
 */
static inline bool kvmsea_run_is_sea(const void *run, int run_ret)
{
	uint32_t reason;

	memcpy(&reason, (const char *)run + 8, sizeof(reason));
	return run_ret == 0 && reason == 41;
}

/*
 * Inject the abort described by @event into the vCPU with strategy @how.
 * Returns the strategy that ran (> 0), or a negative errno:
 * -EINVAL when @event is not an abort, -EOPNOTSUPP when @how cannot deliver
 * this abort on this vCPU (vcpu-events has no instruction abort; emulation
 * cannot enter a guest hypervisor from its nested guest; the host lacks the
 * capability), -EBUSY for emulation right after KVM_EXIT_MMIO
 * (the next KVM_RUN would complete the access and step PC past the vector's
 * first instruction; vcpu-events cancels it, so auto uses that), or the
 * kernel's error. Nothing is written on any of these. Callable from a
 * handler, or on its own with an event from kvmsea_vcpu_last_event() or one
 * the caller built (raw_esr, raw_gva and raw_flags are what count).
 */
int kvmsea_vcpu_inject(struct kvmsea_vcpu *vcpu,
		       const struct kvmsea_event *event,
		       enum kvmsea_strategy how);

/*
 * The last event handled on this vCPU (with .injected filled in), or NULL
 * before the first one. Owned by the handle; valid until the next
 * kvmsea_vcpu_handle_exit() or kvmsea_vcpu_free().
 */
const struct kvmsea_event *kvmsea_vcpu_last_event(const struct kvmsea_vcpu *vcpu);

/* The context and id a handle was created with. */
struct kvmsea_ctx *kvmsea_vcpu_get_ctx(const struct kvmsea_vcpu *vcpu);
uint32_t kvmsea_vcpu_get_id(const struct kvmsea_vcpu *vcpu);

/* "auto", "vcpu-events", "emulate", "serror", "none". */
const char *kvmsea_strategy_name(enum kvmsea_strategy strategy);

#ifdef __cplusplus
}
#endif

#endif /* LIBKVMSEA_SEA_H */
