/* SPDX-License-Identifier: MIT */
/*
 * A bounded queue of memory-error records that signal handlers fill: lock
 * free, in storage its owner provides, safe to push from a signal handler that
 * interrupted a push or a pop on its own thread. Any number of threads
 * push and pop. A full queue refuses the record (the caller counts it).
 */
#ifndef LIBKVMSEA_SIGQ_H
#define LIBKVMSEA_SIGQ_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One SIGBUS as the signal handler saw it, translated into guest terms. */
struct kvmsea_sigrec {
	int32_t code;          /* BUS_MCEERR_AR or BUS_MCEERR_AO */
	uint32_t addr_lsb;     /* si_addr_lsb as given */
	uint64_t addr;         /* si_addr */
	uint64_t page_hva;     /* the bad host page, within one memslot ... */
	uint64_t page_gpa;     /* ... seen from the guest ... */
	uint64_t page_size;    /* ... and its size */
	uint64_t time_ns;      /* CLOCK_REALTIME at the signal */
};

struct kvmsea_sigq_slot {
	atomic_size_t seq;
	struct kvmsea_sigrec rec;
};

struct kvmsea_sigq {
	atomic_size_t head;    /* the next slot to pop */
	atomic_size_t tail;    /* the next slot to push */
	size_t mask;           /* capacity - 1 (a power of two) */
	struct kvmsea_sigq_slot *slots;
};

/* Make an empty queue over @slots, @n of them: a power of two. */
void kvmsea_sigq_init(struct kvmsea_sigq *q, struct kvmsea_sigq_slot *slots,
		      size_t n);
/* Async-signal-safe. False when the queue is full. */
bool kvmsea_sigq_push(struct kvmsea_sigq *q, const struct kvmsea_sigrec *rec);
/* False when nothing is ready (empty, or a push is still being written). */
bool kvmsea_sigq_pop(struct kvmsea_sigq *q, struct kvmsea_sigrec *rec);
/* Records pushed and not popped (a snapshot; cheap: two loads). */
static inline bool kvmsea_sigq_empty(const struct kvmsea_sigq *q)
{
	return atomic_load_explicit(&q->head, memory_order_acquire) ==
	       atomic_load_explicit(&q->tail, memory_order_acquire);
}

#endif /* LIBKVMSEA_SIGQ_H */
