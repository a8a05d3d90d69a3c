/* SPDX-License-Identifier: MIT */
/*
 * The SIGBUS path: the entry point the VMM's own SIGBUS handler calls, and
 * where it puts what it recorded (handle_exit() and kvmsea_ctx_next_error()
 * deliver it).
 *
 * kvmsea_sigbus() runs in a signal handler, on any thread, at any moment
 * (also while the same thread is inside the library): it only reads the
 * memory map (lock-free), reads the clock and pushes onto a lock-free
 * queue. It takes no lock and allocates nothing, and calls no function
 * but clock_gettime() (tests/memory checks the object's symbols).
 */
#include <errno.h>
#include <signal.h>

#include "internal.h"

/* Page shifts a SIGBUS can report: 4 KiB up to the largest arm64 block
 * (4 TiB with a 64 KiB granule). Anything else is taken as 4 KiB: the
 * page of the byte is bad at least. */
#define MIN_SHIFT 12
#define MAX_SHIFT 42

/* The bad host page around @addr, cut to the memslot holding @addr, in
 * guest terms. False when no memslot holds @addr. */
static bool translate(const struct kvmsea_ctx *ctx, uint64_t addr,
		      unsigned int lsb, struct kvmsea_sigrec *rec)
{
	unsigned int shift = lsb >= MIN_SHIFT && lsb <= MAX_SHIFT ? lsb : MIN_SHIFT;
	uint64_t size = UINT64_C(1) << shift;
	uint64_t lo = addr & ~(size - 1), hi = lo + size;
	struct kvmsea_memslot slot;

	if (kvmsea_memmap_hva_to_gpa(&ctx->map, addr, NULL, &slot) < 0)
		return false;
	if (lo < slot.hva)
		lo = slot.hva;
	if (hi - 1 > slot.hva + slot.size - 1)
		hi = slot.hva + slot.size;
	rec->page_hva = lo;
	rec->page_gpa = slot.gpa + (lo - slot.hva);
	rec->page_size = hi - lo;
	return true;
}

KVMSEA_EXPORT int kvmsea_sigbus(struct kvmsea_ctx *ctx, struct kvmsea_vcpu *vcpu,
				int code, void *addr, unsigned int addr_lsb)
{
	struct kvmsea_sigrec rec;
	struct kvmsea_sigq *q;

	if (!ctx || (vcpu && vcpu->ctx != ctx))
		return -EINVAL;
	rec.code = code;
	rec.addr = (uintptr_t)addr;
	rec.addr_lsb = addr_lsb;
	if ((code != BUS_MCEERR_AR && code != BUS_MCEERR_AO) ||
	    !translate(ctx, rec.addr, addr_lsb, &rec)) {
		atomic_fetch_add_explicit(&ctx->counters.sigbus_not_mine, 1,
					  memory_order_relaxed);
		return KVMSEA_SIGBUS_NOT_MINE;
	}
	rec.time_ns = kvmsea_realtime_ns();

	/* An AR on a vCPU's thread is that vCPU's: handle_exit() delivers it
	 * after the KVM_RUN it interrupted. Everything else waits for
	 * kvmsea_ctx_next_error(). */
	q = code == BUS_MCEERR_AR && vcpu ? &vcpu->ar : &ctx->sigq;
	if (!kvmsea_sigq_push(q, &rec)) {
		atomic_fetch_add_explicit(&ctx->counters.sigbus_dropped, 1,
					  memory_order_relaxed);
		return KVMSEA_SIGBUS_DROPPED;
	}
	atomic_fetch_add_explicit(code == BUS_MCEERR_AR ?
				  &ctx->counters.sigbus_ar : &ctx->counters.sigbus_ao,
				  1, memory_order_relaxed);
	return KVMSEA_SIGBUS_RECORDED;
}
