/* SPDX-License-Identifier: MIT */
/*
 * libkvmsea: guest memory errors in an arm64 VMM.
 *
 * A struct kvmsea_ctx per VM holds the capabilities and the policy. A struct
 * kvmsea_vcpu per vCPU is the run-loop hook; only the thread that calls
 * KVM_RUN on that vCPU uses it. Every memory error reaches the VMM as one
 * struct kvmsea_event through one handler.
 *
 * This header is the summary. The contract of every declaration (arguments,
 * results, errors, threads, signals) is its manual page: libkvmsea(7) and
 * the pages it lists.
 */
#ifndef LIBKVMSEA_SEA_H
#define LIBKVMSEA_SEA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libkvmsea/esr.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Capabilities: kvmsea_probe(3) ------------------------------------ */

struct kvmsea_caps {
	int sea_to_user;        /* KVM_CAP_ARM_SEA_TO_USER */
	int inject_ext_dabt;    /* KVM_CAP_ARM_INJECT_EXT_DABT */
	int vcpu_events;        /* KVM_CAP_VCPU_EVENTS */
	int inject_serror_esr;  /* KVM_CAP_ARM_INJECT_SERROR_ESR: host FEAT_RAS */
	int arm_el2;            /* KVM_CAP_ARM_EL2: nested virtualization */
	bool sea_exits_possible; /* the cap and host RAS: exit 41 can happen */
	bool sea_exits_enabled;  /* this context's kvmsea_ctx_enable() succeeded */
	uint32_t reserved[8];
};

int kvmsea_probe(int fd, struct kvmsea_caps *caps);

/* ---- The context: kvmsea_ctx(3) --------------------------------------- */

struct kvmsea_ctx;
struct kvmsea_vcpu;
struct kvmsea_event;

int kvmsea_ctx_new(int vm_fd, struct kvmsea_ctx **out);
void kvmsea_ctx_free(struct kvmsea_ctx *ctx);
int kvmsea_ctx_get_caps(const struct kvmsea_ctx *ctx, struct kvmsea_caps *caps);
int kvmsea_ctx_enable(struct kvmsea_ctx *ctx);

/* ---- The policy: kvmsea_ctx_set_handler(3) --------------------------- */

enum kvmsea_action {
	KVMSEA_ACTION_DEFAULT = 0, /* inject (auto); stop on a livelock or a storm */
	KVMSEA_ACTION_RETRY,       /* re-enter the guest without injecting */
	KVMSEA_ACTION_STOP,        /* stop this VM */
	KVMSEA_ACTION_HANDLED,     /* the handler did what was needed */
};

typedef int (*kvmsea_handler_fn)(struct kvmsea_vcpu *vcpu,
				 const struct kvmsea_event *event,
				 void *opaque);

int kvmsea_ctx_set_handler(struct kvmsea_ctx *ctx, kvmsea_handler_fn fn,
			   void *opaque);
int kvmsea_ctx_set_livelock_limit(struct kvmsea_ctx *ctx, uint32_t limit);

/* ---- Events: kvmsea_event(3) ------------------------------------------ */

enum kvmsea_source {
	KVMSEA_SOURCE_EXIT = 1,   /* KVM_EXIT_ARM_SEA */
	KVMSEA_SOURCE_SIGBUS_AR,  /* SIGBUS BUS_MCEERR_AR: poisoned memory was used */
	KVMSEA_SOURCE_SIGBUS_AO,  /* SIGBUS BUS_MCEERR_AO: poisoned, not yet used */
	KVMSEA_SOURCE_MEMORY_FAULT, /* KVM_RUN -EHWPOISON, KVM_EXIT_MEMORY_FAULT */
	KVMSEA_SOURCE_CALLER,     /* built by kvmsea_event_init() */
};

/* How an abort is delivered: kvmsea_vcpu_inject(3). */
enum kvmsea_strategy {
	KVMSEA_STRATEGY_NONE = 0,    /* nothing injected */
	KVMSEA_STRATEGY_AUTO,        /* the best this vCPU and event allow */
	KVMSEA_STRATEGY_VCPU_EVENTS, /* KVM_SET_VCPU_EVENTS ext_dabt_pending */
	KVMSEA_STRATEGY_EMULATE,     /* the exception entry through KVM_SET_ONE_REG */
	KVMSEA_STRATEGY_SERROR,      /* KVM_SET_VCPU_EVENTS serror_pending */
};

/* What an event knows (struct kvmsea_event.known). */
#define KVMSEA_KNOWN_GVA      (1u << 0) /* gva */
#define KVMSEA_KNOWN_GPA      (1u << 1) /* gpa */
#define KVMSEA_KNOWN_PAGE_GPA (1u << 2) /* page_gpa */
#define KVMSEA_KNOWN_PAGE_HVA (1u << 3) /* page_hva */
#define KVMSEA_KNOWN_GUEST    (1u << 4) /* guest */

/* What an injection could not carry to the guest: kvmsea_vcpu_inject(3). */
#define KVMSEA_LOST_FAR   (1u << 0) /* the guest's FAR is not the event's address */
#define KVMSEA_LOST_FNV   (1u << 1) /* the guest is told its FAR is valid */
#define KVMSEA_LOST_WNR   (1u << 2)
#define KVMSEA_LOST_CM    (1u << 3)
#define KVMSEA_LOST_EA    (1u << 4)
#define KVMSEA_LOST_SET   (1u << 5) /* the error's severity */
#define KVMSEA_LOST_FSC   (1u << 6) /* the fault status (a table walk's level) */
#define KVMSEA_LOST_SYNC  (1u << 7) /* delivered as an asynchronous SError */

#define KVMSEA_NO_VCPU UINT32_MAX

/* The guest's state when the abort was taken. */
struct kvmsea_guest {
	uint64_t pc;          /* the faulting instruction */
	uint64_t pstate;      /* SPSR format */
	uint8_t el;           /* 0, 1, or 2 (virtual EL2 of a nested vCPU) */
	bool aarch32;         /* the interrupted context runs AArch32 */
	bool el1_aarch32;     /* EL1 is AArch32 */
	bool has_el2;         /* the vCPU has a virtual EL2 */
	bool in_nested_guest; /* the abort came from a guest hypervisor's guest */
};

/* One memory error. A copy: nothing points into kvm_run or the siginfo. */
struct kvmsea_event {
	enum kvmsea_source source;
	uint32_t vcpu_id;           /* kvmsea_vcpu_new()'s id, or KVMSEA_NO_VCPU */
	uint64_t seq;               /* this vCPU's (or the VM's) events so far */
	uint64_t time_ns;           /* CLOCK_REALTIME when it reached the library */
	uint64_t syndrome;          /* the abort to deliver (ESR_ELx) */
	struct kvmsea_esr esr;      /* syndrome, decoded */
	uint32_t known;             /* KVMSEA_KNOWN_* */
	uint64_t gva;               /* the faulting byte's guest virtual address */
	uint64_t gpa;               /* the faulting byte's guest physical address */
	uint64_t page_gpa;          /* the bad page: guest physical address ... */
	uint64_t page_hva;          /* ... host virtual address ... */
	uint64_t page_size;         /* ... and size in bytes (0: unknown) */
	struct {                    /* source EXIT: run->arm_sea as KVM wrote it */
		uint64_t flags, esr, gva, gpa;
	} exit;
	struct {                    /* sources SIGBUS_*: the siginfo's fields */
		int32_t code;
		uint32_t addr_lsb;
		uint64_t addr;
	} sigbus;
	struct {                    /* source MEMORY_FAULT: run->memory_fault */
		uint64_t flags, gpa, size;
	} memory_fault;
	struct kvmsea_guest guest;  /* KVMSEA_KNOWN_GUEST */
	uint32_t repeats;           /* this SEA in a row, nothing delivered between */
	bool livelock;              /* repeats reached the livelock limit */
	bool storm;                 /* distinct bad pages reached the storm limit */
	uint32_t distinct_pages;    /* in the poison registry, this one included */
	/* Filled in once the action ran (kvmsea_vcpu_last_event()). */
	enum kvmsea_action action;
	enum kvmsea_strategy injected;
	uint32_t lost;              /* KVMSEA_LOST_* */
	uint64_t reserved[8];
};

int kvmsea_event_init(struct kvmsea_event *event, uint64_t esr, uint64_t far);

/* ---- Formatting: kvmsea_event_format(3) ------------------------------ */

enum kvmsea_event_style {
	KVMSEA_EVENT_ONELINE = 0, /* one line, no trailing newline */
	KVMSEA_EVENT_TEXT,        /* one field a line, for people */
	KVMSEA_EVENT_JSON,        /* one JSON object, schema libkvmsea.event/1 */
};

int kvmsea_event_format(const struct kvmsea_event *event,
			enum kvmsea_event_style style, char *buf, size_t size);

/* ---- The vCPU and the run-loop hook: kvmsea_vcpu(3) ------------------- */

/* kvmsea_vcpu_new() flags: the features the VMM gave KVM_ARM_VCPU_INIT. */
#define KVMSEA_VCPU_EL1_32BIT (1u << 0) /* KVM_ARM_VCPU_EL1_32BIT */
#define KVMSEA_VCPU_HAS_EL2   (1u << 1) /* KVM_ARM_VCPU_HAS_EL2 */

int kvmsea_vcpu_new(struct kvmsea_ctx *ctx, int vcpu_fd, void *run,
		    uint32_t id, uint32_t flags, struct kvmsea_vcpu **out);
void kvmsea_vcpu_free(struct kvmsea_vcpu *vcpu);
struct kvmsea_ctx *kvmsea_vcpu_get_ctx(const struct kvmsea_vcpu *vcpu);
uint32_t kvmsea_vcpu_get_id(const struct kvmsea_vcpu *vcpu);
void kvmsea_vcpu_set_data(struct kvmsea_vcpu *vcpu, void *data);
void *kvmsea_vcpu_get_data(const struct kvmsea_vcpu *vcpu);

/* What kvmsea_vcpu_handle_exit() reports: kvmsea_vcpu(3). */
enum kvmsea_exit_status {
	KVMSEA_EXIT_HANDLED = 0, /* a memory error was dealt with: KVM_RUN again */
	KVMSEA_EXIT_NOT_SEA = 1, /* not a memory error: handle the exit as before */
	KVMSEA_EXIT_STOP = 2,    /* the policy says: stop this VM */
};

int kvmsea_vcpu_handle_exit(struct kvmsea_vcpu *vcpu, int run_ret);
const struct kvmsea_event *kvmsea_vcpu_last_event(const struct kvmsea_vcpu *vcpu);

/* ---- Injection: kvmsea_vcpu_inject(3) --------------------------------- */

int kvmsea_vcpu_inject(struct kvmsea_vcpu *vcpu,
		       const struct kvmsea_event *event,
		       enum kvmsea_strategy how, uint32_t *lost);
int kvmsea_vcpu_serror_pending(struct kvmsea_vcpu *vcpu);
const char *kvmsea_strategy_name(enum kvmsea_strategy strategy);

#ifdef __cplusplus
}
#endif

#endif /* LIBKVMSEA_SEA_H */
