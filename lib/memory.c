/* SPDX-License-Identifier: MIT */
/* The context's guest memory map, poison registry and the memory errors
 * recorded for the VM as a whole, as the public API offers them; and how
 * an event enters the registry. */
#include <errno.h>

#include "internal.h"

KVMSEA_EXPORT int kvmsea_ctx_set_memslot(struct kvmsea_ctx *ctx,
					 const struct kvmsea_memslot *slot)
{
	if (!ctx)
		return -EINVAL;
	return kvmsea_memmap_set(&ctx->map, slot);
}

KVMSEA_EXPORT int kvmsea_ctx_hva_to_gpa(const struct kvmsea_ctx *ctx,
					uint64_t hva, uint64_t *gpa,
					struct kvmsea_memslot *slot)
{
	if (!ctx)
		return -EINVAL;
	return kvmsea_memmap_hva_to_gpa(&ctx->map, hva, gpa, slot);
}

KVMSEA_EXPORT int kvmsea_ctx_gpa_to_hva(const struct kvmsea_ctx *ctx,
					uint64_t gpa, uint64_t *hva,
					struct kvmsea_memslot *slot)
{
	if (!ctx)
		return -EINVAL;
	return kvmsea_memmap_gpa_to_hva(&ctx->map, gpa, hva, slot);
}

KVMSEA_EXPORT int kvmsea_ctx_set_poison_capacity(struct kvmsea_ctx *ctx,
						 size_t capacity)
{
	if (!ctx)
		return -EINVAL;
	return kvmsea_poison_set_capacity(&ctx->poison, capacity);
}

KVMSEA_EXPORT int kvmsea_ctx_set_storm_limit(struct kvmsea_ctx *ctx,
					     uint32_t pages, uint64_t window_ns)
{
	if (!ctx)
		return -EINVAL;
	return kvmsea_poison_set_storm(&ctx->poison, pages, window_ns);
}

KVMSEA_EXPORT int kvmsea_ctx_is_poisoned(const struct kvmsea_ctx *ctx,
					 uint64_t gpa, uint64_t size)
{
	if (!ctx)
		return -EINVAL;
	return kvmsea_poison_query(&ctx->poison, gpa, size);
}

KVMSEA_EXPORT int kvmsea_ctx_get_poison(const struct kvmsea_ctx *ctx,
					struct kvmsea_poison *out, size_t n)
{
	if (!ctx || (!out && n))
		return -EINVAL;
	/* At most KVMSEA_POISON_MAX ranges: an int holds the count. */
	return (int)kvmsea_poison_list(&ctx->poison, out, n);
}

KVMSEA_EXPORT int kvmsea_ctx_clear_poison(struct kvmsea_ctx *ctx)
{
	if (!ctx)
		return -EINVAL;
	kvmsea_poison_clear(&ctx->poison);
	return 0;
}

KVMSEA_EXPORT int kvmsea_ctx_get_stats(const struct kvmsea_ctx *ctx,
				       struct kvmsea_stats *stats)
{
	const struct kvmsea_counters *c;

	if (!ctx || !stats)
		return -EINVAL;
	c = &ctx->counters;
	*stats = (struct kvmsea_stats){
		.sea_exits = atomic_load(&c->sea_exits),
		.sigbus_ar = atomic_load(&c->sigbus_ar),
		.sigbus_ao = atomic_load(&c->sigbus_ao),
		.sigbus_dropped = atomic_load(&c->sigbus_dropped),
		.sigbus_not_mine = atomic_load(&c->sigbus_not_mine),
		.memory_faults = atomic_load(&c->memory_faults),
		.poison_dropped = kvmsea_poison_dropped(&ctx->poison),
		.injected = atomic_load(&c->injected),
		.stops = atomic_load(&c->stops),
	};
	return 0;
}

KVMSEA_EXPORT int kvmsea_ctx_next_error(struct kvmsea_ctx *ctx,
					struct kvmsea_event *event)
{
	struct kvmsea_sigrec rec;
	uint64_t seq;

	if (!ctx || !event)
		return -EINVAL;
	if (!kvmsea_sigq_pop(&ctx->sigq, &rec))
		return 0;
	seq = atomic_fetch_add(&ctx->seq, 1) + 1;
	kvmsea_event_from_sigbus(event, &rec, KVMSEA_NO_VCPU, seq);
	kvmsea_ctx_note_poison(ctx, event);
	return 1;
}

uint64_t kvmsea_aligned_block(uint64_t gpa, uint64_t left)
{
	uint64_t size = gpa ? gpa & -gpa : UINT64_C(1) << 63;

	while (size > left)
		size >>= 1;
	return size;
}

void kvmsea_ctx_note_poison(struct kvmsea_ctx *ctx, struct kvmsea_event *ev)
{
	struct kvmsea_poison_error e = { 0 };
	struct kvmsea_poison_result res = { 0 };
	uint64_t left;

	if (!(ev->known & KVMSEA_KNOWN_PAGE_GPA) || !ev->page_size)
		return;
	if (!(ev->known & KVMSEA_KNOWN_PAGE_HVA) &&
	    kvmsea_memmap_gpa_to_hva(&ctx->map, ev->page_gpa, &ev->page_hva,
				     NULL) == 0)
		ev->known |= KVMSEA_KNOWN_PAGE_HVA;

	/* The registry keeps naturally aligned blocks; a bad host page that
	 * a memslot cuts is entered as the aligned blocks it covers. */
	e.source = ev->source;
	e.realtime_ns = ev->time_ns;
	e.monotonic_ns = kvmsea_monotonic_ns();
	e.gpa = ev->page_gpa;
	e.hva = ev->known & KVMSEA_KNOWN_PAGE_HVA ? ev->page_hva : 0;
	for (left = ev->page_size; left;) {
		e.size = kvmsea_aligned_block(e.gpa, left);
		if (kvmsea_poison_record(&ctx->poison, &e, &res) < 0)
			break;
		ev->storm |= res.storm;
		left -= e.size;
		e.gpa += e.size;
		if (e.hva)
			e.hva += e.size;
	}
	ev->distinct_pages = res.distinct;
}
