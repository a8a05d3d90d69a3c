/* SPDX-License-Identifier: MIT */
/*
 * The SIGBUS record queue: a bounded multi-producer, multi-consumer ring
 * in which every slot carries a sequence number (the scheme D. Vyukov
 * published for bounded MPMC queues).
 *
 * Slot i starts with seq = i. A producer takes position p = tail when slot
 * p's seq equals p (free for this lap), claims it by moving tail to p + 1
 * with a compare-and-swap, writes the record and then stores seq = p + 1
 * (release): ready. A consumer takes position c = head when slot c's seq
 * equals c + 1, claims it by moving head, copies the record and stores
 * seq = c + capacity: free for the next lap. Nobody ever waits for anybody:
 * a producer that finds seq < p knows the ring is full and gives up; a
 * consumer that finds seq < c + 1 sees nothing ready. So a signal handler
 * that interrupts a producer or a consumer on its own thread cannot
 * deadlock: it claims another slot, or gives up. A slot claimed by an
 * interrupted producer is simply not ready until that producer resumes.
 */
#include "sigq.h"

_Static_assert(ATOMIC_POINTER_LOCK_FREE == 2 && ATOMIC_LONG_LOCK_FREE == 2,
	       "the signal path needs lock-free atomics");

void kvmsea_sigq_init(struct kvmsea_sigq *q, struct kvmsea_sigq_slot *slots,
		      size_t n)
{
	for (size_t i = 0; i < n; i++)
		atomic_init(&slots[i].seq, i);
	q->slots = slots;
	q->mask = n - 1;
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
}

bool kvmsea_sigq_push(struct kvmsea_sigq *q, const struct kvmsea_sigrec *rec)
{
	size_t pos = atomic_load_explicit(&q->tail, memory_order_relaxed);

	for (;;) {
		struct kvmsea_sigq_slot *slot = &q->slots[pos & q->mask];
		size_t seq = atomic_load_explicit(&slot->seq, memory_order_acquire);
		intptr_t diff = (intptr_t)seq - (intptr_t)pos;

		if (diff == 0) {
			if (atomic_compare_exchange_weak_explicit(&q->tail, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed)) {
				slot->rec = *rec;
				atomic_store_explicit(&slot->seq, pos + 1,
						      memory_order_release);
				return true;
			}
			/* pos was reloaded by the failed exchange */
		} else if (diff < 0) {
			return false; /* full: the oldest record was not popped */
		} else {
			pos = atomic_load_explicit(&q->tail, memory_order_relaxed);
		}
	}
}

bool kvmsea_sigq_pop(struct kvmsea_sigq *q, struct kvmsea_sigrec *rec)
{
	size_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);

	for (;;) {
		struct kvmsea_sigq_slot *slot = &q->slots[pos & q->mask];
		size_t seq = atomic_load_explicit(&slot->seq, memory_order_acquire);
		intptr_t diff = (intptr_t)seq - (intptr_t)(pos + 1);

		if (diff == 0) {
			if (atomic_compare_exchange_weak_explicit(&q->head, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed)) {
				*rec = slot->rec;
				atomic_store_explicit(&slot->seq, pos + q->mask + 1,
						      memory_order_release);
				return true;
			}
		} else if (diff < 0) {
			return false; /* empty, or the record is still being written */
		} else {
			pos = atomic_load_explicit(&q->head, memory_order_relaxed);
		}
	}
}
