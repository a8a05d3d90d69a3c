/* SPDX-License-Identifier: MIT */
/*
 * The error source: the GHESv2 structure and HEST table a VMM publishes,
 * and the read-ack protocol by which it hands records to the guest.
 *
 * GHESv2 (ACPI 6.5 18.3.2.8) adds a Read Ack register to the Generic
 * Hardware Error Source: the platform must not write a new record until
 * the OS has acknowledged the last one, by writing (ack & Read Ack
 * Preserve) | Read Ack Write to it. Here Preserve is ~1 and Write is 1, so
 * bit 0 set means "acknowledged, the block is free"; writing a record
 * clears it. Linux's ghes_clear_estatus() clears Block Status and then
 * acknowledges (ghes_ack_error()); QEMU's hw/acpi/ghes.c uses the same
 * masks and refuses to write while the bit is clear.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "alloc.h"
#include "cper-internal.h"
#include "internal.h"
#include "le.h"

#define GHES_TYPE_V2 10
#define GHES_NO_RELATED 0xffff
#define GAS_SYSTEM_MEMORY 0
#define GAS_QWORD 4
#define NOTIFY_SIZE 28
#define BLOCK_MIN (KVMSEA_CPER_STATUS_SIZE + CPER_MEMORY_ENTRY)
#define BLOCK_MAX 65536 /* Linux reads no more (GHES_ESTATUS_MAX_SIZE) */
#define ACK_BIT 1ull
#define ADDR_LIMIT (1ull << 52)
#define HEST_HEADER 36
#define HEST_COUNT 36 /* u32 Error Source Count, after the ACPI header */

/* GHESv2 structure offsets. */
#define G_TYPE 0
#define G_SOURCE_ID 2
#define G_RELATED 4
#define G_FLAGS 6
#define G_ENABLED 7
#define G_RECORDS 8
#define G_MAX_SECTIONS 12
#define G_MAX_RAW 16
#define G_STATUS_GAS 20
#define G_NOTIFY 32
#define G_BLOCK_LENGTH 60
#define G_ACK_GAS 64
#define G_ACK_PRESERVE 76
#define G_ACK_WRITE 84

static bool notify_known(unsigned int n)
{
	switch (n) {
	case KVMSEA_GHES_POLLED:
	case KVMSEA_GHES_EXTERNAL:
	case KVMSEA_GHES_SCI:
	case KVMSEA_GHES_GPIO:
	case KVMSEA_GHES_SEA:
	case KVMSEA_GHES_SEI:
	case KVMSEA_GHES_GSIV:
	case KVMSEA_GHES_SDEI:
		return true;
	default:
		return false;
	}
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int layout_check(const struct kvmsea_ghes_layout *l)
{
	bool vectored;

	if (!l || l->reserved0 || !notify_known(l->notify))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(l->reserved) / sizeof(l->reserved[0]); i++)
		if (l->reserved[i])
			return -EINVAL;
	if ((l->notify == KVMSEA_GHES_POLLED) != (l->poll_interval_ms != 0))
		return -EINVAL;
	vectored = l->notify == KVMSEA_GHES_EXTERNAL || l->notify == KVMSEA_GHES_GSIV ||
		   l->notify == KVMSEA_GHES_SDEI;
	if (!vectored && l->vector)
		return -EINVAL;
	if (l->block_length < BLOCK_MIN || l->block_length > BLOCK_MAX)
		return -EINVAL;
	if ((l->status_address | l->read_ack_address | l->block_address) & 7 ||
	    !l->status_address || !l->read_ack_address || !l->block_address ||
	    l->status_address >= ADDR_LIMIT || l->read_ack_address >= ADDR_LIMIT ||
	    l->block_address >= ADDR_LIMIT - l->block_length)
		return -EINVAL;
	if (overlap(l->status_address, 8, l->read_ack_address, 8) ||
	    overlap(l->status_address, 8, l->block_address, l->block_length) ||
	    overlap(l->read_ack_address, 8, l->block_address, l->block_length))
		return -EINVAL;
	return 0;
}

KVMSEA_EXPORT int kvmsea_ghes_layout_init(struct kvmsea_ghes_layout *l,
					  uint16_t source_id,
					  enum kvmsea_ghes_notify notify,
					  uint64_t base, uint32_t block_length)
{
	struct kvmsea_ghes_layout n;
	int ret;

	if (!l)
		return -EINVAL;
	memset(&n, 0, sizeof(n));
	n.source_id = source_id;
	n.notify = (uint8_t)notify;
	n.block_length = block_length;
	n.status_address = base;
	n.read_ack_address = base + 8;
	n.block_address = base + KVMSEA_GHES_REGS_SIZE;
	if (notify == KVMSEA_GHES_POLLED)
		n.poll_interval_ms = 1000; /* a default the caller may change */
	if ((unsigned int)notify > 0xff || base >= ADDR_LIMIT)
		return -EINVAL;
	ret = layout_check(&n);
	if (ret < 0)
		return ret;
	*l = n;
	return 0;
}

/* A Generic Address Structure for an 8-byte register in memory. */
static void put_gas(uint8_t *p, uint64_t address)
{
	p[0] = GAS_SYSTEM_MEMORY;
	p[1] = 64; /* register bit width */
	p[2] = 0;  /* bit offset */
	p[3] = GAS_QWORD;
	kvmsea_put_le(p + 4, address, 8);
}

/* The entries one record can hold at most: memory entries are the
 * smallest. */
static uint32_t max_sections(uint32_t block_length)
{
	uint32_t n = (block_length - KVMSEA_CPER_STATUS_SIZE) / CPER_MEMORY_ENTRY;

	return n < BS_COUNT_MAX ? n : BS_COUNT_MAX;
}

static void put_source(uint8_t *p, const struct kvmsea_ghes_layout *l)
{
	memset(p, 0, KVMSEA_GHES_SOURCE_SIZE);
	kvmsea_put_le(p + G_TYPE, GHES_TYPE_V2, 2);
	kvmsea_put_le(p + G_SOURCE_ID, l->source_id, 2);
	kvmsea_put_le(p + G_RELATED, GHES_NO_RELATED, 2);
	p[G_ENABLED] = 1;
	kvmsea_put_le(p + G_RECORDS, 1, 4);
	kvmsea_put_le(p + G_MAX_SECTIONS, max_sections(l->block_length), 4);
	/* Max Raw Data Length stays 0: records carry no raw data. */
	put_gas(p + G_STATUS_GAS, l->status_address);
	p[G_NOTIFY] = l->notify;
	p[G_NOTIFY + 1] = NOTIFY_SIZE;
	/* Configuration Write Enable 0: the OS may not change any of this. */
	kvmsea_put_le(p + G_NOTIFY + 4, l->poll_interval_ms, 4);
	kvmsea_put_le(p + G_NOTIFY + 8, l->vector, 4);
	/* The polling-switch and error thresholds stay 0 (none). */
	kvmsea_put_le(p + G_BLOCK_LENGTH, l->block_length, 4);
	put_gas(p + G_ACK_GAS, l->read_ack_address);
	kvmsea_put_le(p + G_ACK_PRESERVE, ~ACK_BIT, 8);
	kvmsea_put_le(p + G_ACK_WRITE, ACK_BIT, 8);
}

KVMSEA_EXPORT int kvmsea_ghes_build_source(const struct kvmsea_ghes_layout *l,
					   void *buf, size_t len)
{
	int ret = layout_check(l);

	if (ret < 0)
		return ret;
	if (!buf && len)
		return -EINVAL;
	if (len >= KVMSEA_GHES_SOURCE_SIZE)
		put_source(buf, l);
	return KVMSEA_GHES_SOURCE_SIZE;
}

static void put_ids(uint8_t *p, const struct kvmsea_acpi_ids *ids)
{
	static const struct kvmsea_acpi_ids ours = {
		{ 'K', 'V', 'M', 'S', 'E', 'A' },
		{ 'K', 'V', 'M', 'S', 'E', 'A', ' ', ' ' },
		1,
		{ 'K', 'V', 'M', 'S' },
		1,
	};

	if (!ids)
		ids = &ours;
	memcpy(p + 10, ids->oem_id, 6);
	memcpy(p + 16, ids->oem_table_id, 8);
	kvmsea_put_le(p + 24, ids->oem_revision, 4);
	memcpy(p + 28, ids->creator_id, 4);
	kvmsea_put_le(p + 32, ids->creator_revision, 4);
}

KVMSEA_EXPORT int kvmsea_ghes_build_hest(const struct kvmsea_ghes_layout *sources,
					 size_t count,
					 const struct kvmsea_acpi_ids *ids,
					 void *buf, size_t len)
{
	uint8_t *p = buf, sum = 0;
	size_t total;

	if (!sources || !count || count > (INT32_MAX - HEST_COUNT - 4) / KVMSEA_GHES_SOURCE_SIZE ||
	    (!buf && len))
		return -EINVAL;
	for (size_t i = 0; i < count; i++) {
		if (layout_check(&sources[i]) < 0)
			return -EINVAL;
		for (size_t j = 0; j < i; j++)
			if (sources[j].source_id == sources[i].source_id)
				return -EINVAL;
	}
	total = HEST_COUNT + 4 + count * KVMSEA_GHES_SOURCE_SIZE;
	if (len < total)
		return (int)total;

	memset(p, 0, HEST_COUNT + 4);
	memcpy(p, "HEST", 4);
	kvmsea_put_le(p + 4, total, 4);
	p[8] = 1; /* revision */
	put_ids(p, ids);
	kvmsea_put_le(p + HEST_COUNT, count, 4);
	for (size_t i = 0; i < count; i++)
		put_source(p + HEST_COUNT + 4 + i * KVMSEA_GHES_SOURCE_SIZE, &sources[i]);
	for (size_t i = 0; i < total; i++)
		sum = (uint8_t)(sum + p[i]);
	p[9] = (uint8_t)-sum; /* every byte of the table sums to 0 */
	return (int)total;
}

/* ---- the read-ack protocol ---------------------------------------------- */

/* An error not fully written yet: its next section. */
struct pending {
	struct kvmsea_mem_error e;
	uint32_t next, sections;
};

struct kvmsea_ghes {
	struct kvmsea_ghes_layout l;
	uint8_t *status_reg, *ack, *block; /* in the VMM's mapping */
	uint8_t *scratch;                  /* block_length bytes */
	bool unacked;                      /* the guest has a record to ack */
	struct pending *ring;
	uint32_t cap, head, len;
	struct kvmsea_ghes_stats stats;
};

/* Stores the guest may watch: the values in little-endian byte order,
 * release ordered after everything written before them. */
static void store_le64(uint8_t *p, uint64_t v)
{
	uint64_t le;

	kvmsea_put_le((uint8_t *)&le, v, 8);
	__atomic_store_n((uint64_t *)(void *)p, le, __ATOMIC_RELEASE);
}

static void store_le32(uint8_t *p, uint32_t v)
{
	uint32_t le;

	kvmsea_put_le((uint8_t *)&le, v, 4);
	__atomic_store_n((uint32_t *)(void *)p, le, __ATOMIC_RELEASE);
}

static bool guest_acked(const struct kvmsea_ghes *g)
{
	uint64_t le = __atomic_load_n((const uint64_t *)(const void *)g->ack,
				      __ATOMIC_ACQUIRE);

	return kvmsea_get_le((const uint8_t *)&le, 8) & ACK_BIT;
}

/* The host address of [gpa, gpa + len) in the mapping, or NULL. */
static uint8_t *host_of(uint8_t *mem, uint64_t mem_gpa, size_t mem_size,
			uint64_t gpa, uint64_t len)
{
	if (gpa < mem_gpa || gpa - mem_gpa > mem_size ||
	    len > mem_size - (gpa - mem_gpa))
		return NULL;
	return mem + (gpa - mem_gpa);
}

static void update_stats(struct kvmsea_ghes *g)
{
	g->stats.waiting = g->len;
	g->stats.unacked = g->unacked;
}

static void initial_state(struct kvmsea_ghes *g)
{
	memset(g->block, 0, g->l.block_length);
	store_le64(g->status_reg, g->l.block_address);
	store_le64(g->ack, ACK_BIT);
	g->unacked = false;
	g->stats.dropped += g->len;
	g->head = g->len = 0;
	update_stats(g);
}

KVMSEA_EXPORT int kvmsea_ghes_new(const struct kvmsea_ghes_layout *l, void *mem,
				  uint64_t mem_gpa, size_t mem_size,
				  uint32_t queue, struct kvmsea_ghes **out)
{
	struct kvmsea_ghes *g;
	uint8_t *status_reg, *ack, *block;

	if (!out || !mem || layout_check(l) < 0 || queue == UINT32_MAX)
		return -EINVAL;
	status_reg = host_of(mem, mem_gpa, mem_size, l->status_address, 8);
	ack = host_of(mem, mem_gpa, mem_size, l->read_ack_address, 8);
	block = host_of(mem, mem_gpa, mem_size, l->block_address, l->block_length);
	/* The registers are written whole, atomically: 8-aligned in the
	 * VMM's mapping too. */
	if (!status_reg || !ack || !block || ((uintptr_t)status_reg & 7) ||
	    ((uintptr_t)ack & 7) || ((uintptr_t)block & 7))
		return -EINVAL;
	g = kvmsea_calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->cap = queue + 1;
	g->ring = kvmsea_calloc(g->cap, sizeof(*g->ring));
	g->scratch = kvmsea_malloc(l->block_length);
	if (!g->ring || !g->scratch) {
		kvmsea_ghes_free(g);
		return -ENOMEM;
	}
	g->l = *l;
	g->status_reg = status_reg;
	g->ack = ack;
	g->block = block;
	initial_state(g);
	*out = g;
	return 0;
}

KVMSEA_EXPORT void kvmsea_ghes_free(struct kvmsea_ghes *g)
{
	if (!g)
		return;
	kvmsea_free(g->ring);
	kvmsea_free(g->scratch);
	kvmsea_free(g);
}

KVMSEA_EXPORT void kvmsea_ghes_reset(struct kvmsea_ghes *g)
{
	if (g)
		initial_state(g);
}

/* How many memory sections of @p the next record can hold (0: none). */
static uint32_t fits(const struct kvmsea_ghes *g, const struct pending *p)
{
	uint32_t room = g->l.block_length - KVMSEA_CPER_STATUS_SIZE, n;
	bool arm = p->next == 0 && (p->e.flags & KVMSEA_MEM_ARM);

	if (arm) {
		if (room < CPER_ARM_ENTRY)
			return 0;
		room -= CPER_ARM_ENTRY;
	}
	n = room / CPER_MEMORY_ENTRY;
	if (n > BS_COUNT_MAX - arm)
		n = BS_COUNT_MAX - arm;
	return n < p->sections - p->next ? n : p->sections - p->next;
}

/* Write the next part of the ring's head into the block. The guest may be
 * reading the block at any time (a polled source): Read Ack first, then
 * the body, and Block Status, which says "a record is here", last. */
static void post_head(struct kvmsea_ghes *g)
{
	struct pending *p = &g->ring[g->head];
	uint32_t count = fits(g, p);
	int len = kvmsea_cper_build(&p->e, p->next, count, g->scratch,
				    g->l.block_length);

	/* The error was checked and fits() sized the part: len > 0. */
	store_le64(g->ack, 0);
	memcpy(g->block + 4, g->scratch + 4, (size_t)len - 4);
	store_le32(g->block, (uint32_t)kvmsea_get_le(g->scratch, 4));
	g->unacked = true;
	g->stats.posted++;
	p->next += count;
	if (p->next == p->sections) {
		g->head = (g->head + 1) % g->cap;
		g->len--;
	}
}

/* Notice the guest's acknowledgement; true when the block is free. */
static bool block_free(struct kvmsea_ghes *g)
{
	if (g->unacked && guest_acked(g)) {
		g->unacked = false;
		g->stats.acked++;
	}
	return !g->unacked;
}

KVMSEA_EXPORT int kvmsea_ghes_report(struct kvmsea_ghes *g,
				     const struct kvmsea_mem_error *e)
{
	struct pending p;
	int ret;

	if (!g)
		return -EINVAL;
	memset(&p, 0, sizeof(p));
	ret = kvmsea_mem_error_check(e, &p.sections);
	if (ret < 0)
		return ret;
	p.e = *e;
	if (!fits(g, &p))
		return -EMSGSIZE;
	if (g->len == g->cap) {
		g->stats.dropped++;
		return -ENOSPC;
	}
	g->ring[(g->head + g->len) % g->cap] = p;
	g->len++;
	g->stats.reported++;
	ret = KVMSEA_GHES_QUEUED;
	if (block_free(g)) {
		post_head(g);
		ret = KVMSEA_GHES_POSTED;
	}
	update_stats(g);
	return ret;
}

KVMSEA_EXPORT int kvmsea_ghes_poll(struct kvmsea_ghes *g)
{
	int ret;

	if (!g)
		return -EINVAL;
	if (!block_free(g))
		ret = KVMSEA_GHES_BUSY;
	else if (g->len) {
		post_head(g);
		ret = KVMSEA_GHES_POSTED;
	} else {
		ret = KVMSEA_GHES_IDLE;
	}
	update_stats(g);
	return ret;
}

KVMSEA_EXPORT int kvmsea_ghes_get_stats(const struct kvmsea_ghes *g,
					struct kvmsea_ghes_stats *stats)
{
	if (!g || !stats)
		return -EINVAL;
	*stats = g->stats;
	return 0;
}
