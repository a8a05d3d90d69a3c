/* SPDX-License-Identifier: MIT */
/*
 * The guest memory map of a context: KVM's memslots as the VMM reported
 * them, to translate a host virtual address (a SIGBUS's si_addr) to a guest
 * physical address and back.
 *
 * kvmsea_memmap_set() is for the VMM's threads: writers are serialised by
 * a mutex, may allocate and wait. The lookups (memmap-lookup.c) never
 * block, lock or allocate: any number of threads and signal handlers may
 * call them at any time, also while a writer runs, also in a handler that
 * interrupted that writer. Why that holds is written down in memmap.c.
 */
#ifndef LIBKVMSEA_MEMMAP_H
#define LIBKVMSEA_MEMMAP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <libkvmsea/memory.h>

/*
 * The most slots a map holds: what arm64 KVM lets one VM have. Linux 7.2
 * include/linux/kvm_host.h: KVM_MEM_SLOTS_NUM is SHRT_MAX (32767) and
 * KVM_USER_MEM_SLOTS is that minus KVM_INTERNAL_MEM_SLOTS, which arm64 does
 * not define (0); arm64 has one address space (KVM_MAX_NR_ADDRESS_SPACES
 * is 1; only x86 has 2, for SMM). KVM_CAP_NR_MEMSLOTS answers the same.
 */
#define KVMSEA_MEMMAP_MAX_SLOTS 32767u

/* The memslot flags KVM knows (KVM_MEM_*), all kept as given. */
#define KVMSEA_MEMMAP_FLAGS (KVMSEA_MEMSLOT_LOG_DIRTY | KVMSEA_MEMSLOT_READONLY | \
			     KVMSEA_MEMSLOT_GUEST_MEMFD)

/* One copy of the map. Readers only read it; the writer changes a copy
 * only while no reader can be using it (memmap.c). */
struct kvmsea_memmap_copy {
	uint32_t n;                      /* slots */
	struct kvmsea_memslot *by_gpa;   /* n slots by ascending gpa ... */
	struct kvmsea_memslot *by_hva;   /* ... and the same by ascending hva */
};

struct kvmsea_memmap {
	/* Read by the lookups (the only atomics). */
	atomic_uint live;        /* the copy lookups use: 0 or 1 */
	atomic_uint version;     /* the counter new lookups join: 0 or 1 */
	atomic_uint readers[2];  /* lookups in progress, by counter joined */
	struct kvmsea_memmap_copy copy[2];
	/* The writers' own. */
	pthread_mutex_t lock;
	uint32_t cap;                     /* room in every array below */
	struct kvmsea_memslot *by_number; /* the slots by ascending number */
};

int kvmsea_memmap_init(struct kvmsea_memmap *m);
/* No lookup or writer may run any more. The functions below take an
 * initialised map. */
void kvmsea_memmap_fini(struct kvmsea_memmap *m);

/*
 * Add @slot, replace the slot of the same number, or delete it
 * (size 0: only slot->slot is read). Returns 0, or
 *   -EINVAL  @slot NULL, unknown flags, gpa, size or hva not 4 KiB aligned,
 *            gpa + size or hva + size reaching 2^64 (KVM refuses it too);
 *   -EEXIST  the range overlaps another slot's guest physical range, or
 *            its host virtual range (an alias: one host page at two guest
 *            addresses would have two answers to a SIGBUS);
 *   -ENOENT  deleting a slot number the map does not hold;
 *   -ENOSPC  a new slot beyond KVMSEA_MEMMAP_MAX_SLOTS;
 *   -ENOMEM.
 * On an error nothing changed. Not from a signal handler.
 */
int kvmsea_memmap_set(struct kvmsea_memmap *m,
		      const struct kvmsea_memslot *slot);

/*
 * The slot holding @hva and the guest physical address @hva maps to (or
 * the reverse). Returns 0 and fills *@gpa and *@slot (either may be NULL),
 * or -ENOENT when no slot holds the address. Async-signal-safe, lock-free
 * and wait-free, allocation-free: O(log n).
 */
int kvmsea_memmap_hva_to_gpa(const struct kvmsea_memmap *m, uint64_t hva,
			     uint64_t *gpa, struct kvmsea_memslot *slot);
int kvmsea_memmap_gpa_to_hva(const struct kvmsea_memmap *m, uint64_t gpa,
			     uint64_t *hva, struct kvmsea_memslot *slot);

/* Copy up to @n slots, by ascending gpa, to @out; returns how many the map
 * holds. Lock-free like the lookups (one consistent copy). */
size_t kvmsea_memmap_list(const struct kvmsea_memmap *m,
			  struct kvmsea_memslot *out, size_t n);

/* ---- Shared by the writer and the lookups ---- */

/* The index of the first of @n slots, sorted by @by_hva ? hva : gpa, whose
 * range ends after @addr; n if none. Slots in a map never overlap, so
 * their ends are sorted too. A binary search without a branch on the
 * data: each step halves the candidates [base, base + len] with a
 * conditional move. */
static inline uint32_t kvmsea_memmap_first_after(const struct kvmsea_memslot *a,
						 uint32_t n, uint64_t addr,
						 int by_hva)
{
	const struct kvmsea_memslot *base = a;
	uint32_t len = n;

	if (!n)
		return 0;
	/* start + size cannot wrap: kvmsea_memmap_set() refuses it */
	while (len > 1) {
		uint32_t half = len / 2;
		const struct kvmsea_memslot *s = &base[half];

		base = (by_hva ? s->hva : s->gpa) + s->size <= addr ? s : base;
		len -= half;
	}
	return (uint32_t)(base - a) +
	       ((by_hva ? base->hva : base->gpa) + base->size <= addr);
}

#endif /* LIBKVMSEA_MEMMAP_H */
