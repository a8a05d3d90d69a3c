/* SPDX-License-Identifier: MIT */
/*
 * libkvmsea: the guest memory map, the SIGBUS entry point and the poison
 * registry of a struct kvmsea_ctx. The contracts are the manual pages
 * kvmsea_memslot(3), kvmsea_sigbus(3) and kvmsea_poison(3).
 */
#ifndef LIBKVMSEA_MEMORY_H
#define LIBKVMSEA_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#include <libkvmsea/sea.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The guest memory map: kvmsea_memslot(3) -------------------------- */

/* struct kvmsea_memslot.flags: the slot's KVM flags, passed through. */
#define KVMSEA_MEMSLOT_LOG_DIRTY (1u << 0) /* KVM_MEM_LOG_DIRTY_PAGES */
#define KVMSEA_MEMSLOT_READONLY  (1u << 1) /* KVM_MEM_READONLY */
#define KVMSEA_MEMSLOT_GUEST_MEMFD (1u << 2) /* KVM_MEM_GUEST_MEMFD */

/* One KVM memslot, as the VMM gave it to KVM_SET_USER_MEMORY_REGION. */
struct kvmsea_memslot {
	uint32_t slot;   /* KVM's slot number (with the address space id) */
	uint32_t flags;  /* KVMSEA_MEMSLOT_*: KVM's own flags */
	uint64_t gpa;    /* guest_phys_addr */
	uint64_t size;   /* memory_size; 0 deletes the slot */
	uint64_t hva;    /* userspace_addr */
};

int kvmsea_ctx_set_memslot(struct kvmsea_ctx *ctx,
			   const struct kvmsea_memslot *slot);
int kvmsea_ctx_hva_to_gpa(const struct kvmsea_ctx *ctx, uint64_t hva,
			  uint64_t *gpa, struct kvmsea_memslot *slot);
int kvmsea_ctx_gpa_to_hva(const struct kvmsea_ctx *ctx, uint64_t gpa,
			  uint64_t *hva, struct kvmsea_memslot *slot);

/* ---- SIGBUS: kvmsea_sigbus(3) ----------------------------------------- */

enum kvmsea_sigbus_result {
	KVMSEA_SIGBUS_NOT_MINE = 0, /* not a memory error in guest memory: chain */
	KVMSEA_SIGBUS_RECORDED = 1, /* recorded, to be delivered as an event */
	KVMSEA_SIGBUS_DROPPED = 2,  /* a guest memory error, storage full: counted */
};

int kvmsea_sigbus(struct kvmsea_ctx *ctx, struct kvmsea_vcpu *vcpu,
		  int code, void *addr, unsigned int addr_lsb);
int kvmsea_ctx_next_error(struct kvmsea_ctx *ctx, struct kvmsea_event *event);

/* ---- The poison registry: kvmsea_poison(3) ---------------------------- */

struct kvmsea_poison {
	uint64_t gpa;                /* the bad range's first byte ... */
	uint64_t size;               /* ... and its size */
	uint64_t hva;                /* its host address, 0 if unknown */
	enum kvmsea_source source;   /* how it was first seen */
	uint64_t first_ns, last_ns;  /* CLOCK_REALTIME */
	uint64_t count;              /* events on this range */
};

int kvmsea_ctx_set_poison_capacity(struct kvmsea_ctx *ctx, size_t capacity);
int kvmsea_ctx_is_poisoned(const struct kvmsea_ctx *ctx, uint64_t gpa,
			   uint64_t size);
int kvmsea_ctx_get_poison(const struct kvmsea_ctx *ctx,
			  struct kvmsea_poison *out, size_t n);
int kvmsea_ctx_clear_poison(struct kvmsea_ctx *ctx);
int kvmsea_ctx_set_storm_limit(struct kvmsea_ctx *ctx, uint32_t pages,
			       uint64_t window_ns);

/* ---- Counters: kvmsea_sigbus(3) --------------------------------------- */

struct kvmsea_stats {
	uint64_t sea_exits;        /* KVM_EXIT_ARM_SEA events */
	uint64_t sigbus_ar;        /* BUS_MCEERR_AR signals recorded */
	uint64_t sigbus_ao;        /* BUS_MCEERR_AO signals recorded */
	uint64_t sigbus_dropped;   /* guest memory errors lost: storage was full */
	uint64_t sigbus_not_mine;  /* signals answered KVMSEA_SIGBUS_NOT_MINE */
	uint64_t memory_faults;    /* KVM_RUN -EHWPOISON (guest_memfd) events */
	uint64_t poison_dropped;   /* bad pages the registry had no room for */
	uint64_t injected;         /* successful injections */
	uint64_t stops;            /* KVMSEA_EXIT_STOP results */
	uint64_t reserved[8];
};

int kvmsea_ctx_get_stats(const struct kvmsea_ctx *ctx,
			 struct kvmsea_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* LIBKVMSEA_MEMORY_H */
