/* SPDX-License-Identifier: MIT */
/*
 * CPER records for memory errors: the Generic Error Status Block a guest's
 * GHES driver reads, its checker, and the section count. Pure. The layout
 * is in cper-internal.h; why each field holds what it holds is in
 * docs/cper.md.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cper-internal.h"
#include "internal.h"
#include "le.h"

const uint8_t kvmsea_cper_guid_memory[16] = {
	0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e,
	0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1,
};
const uint8_t kvmsea_cper_guid_arm[16] = {
	0x16, 0x3d, 0x9e, 0xe1, 0x11, 0xbc, 0xe4, 0x11,
	0x9c, 0xaa, 0xc2, 0x05, 0x1d, 0x5d, 0x46, 0xb0,
};

#define PA_LIMIT (1ull << 52)          /* the largest arm64 physical space */
#define PAGE_MIN (1ull << 12)
#define PAGE_MAX (1ull << 34)          /* arm64's largest hugetlb page */
#define TIME_MAX 253402300799ull       /* 9999-12-31 23:59:59 */
#define KNOWN_FLAGS (KVMSEA_MEM_CONSUMED | KVMSEA_MEM_ARM | \
		     KVMSEA_MEM_VA_VALID | KVMSEA_MEM_MPIDR_VALID)

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* The guest page size @e names (4 KiB unless set), capped at page_size. */
static uint64_t granule(const struct kvmsea_mem_error *e)
{
	uint64_t g = e->guest_page_size ? e->guest_page_size : PAGE_MIN;

	return g < e->page_size ? g : e->page_size;
}

int kvmsea_mem_error_check(const struct kvmsea_mem_error *e,
			   uint32_t *sections)
{
	uint64_t gp;

	if (!e || e->gpa >= PA_LIMIT || !is_pow2(e->page_size) ||
	    e->page_size < PAGE_MIN || e->page_size > PAGE_MAX ||
	    e->severity > KVMSEA_CPER_INFORMATIONAL || (e->flags & ~KNOWN_FLAGS) ||
	    e->time > TIME_MAX)
		return -EINVAL;
	gp = e->guest_page_size;
	if (gp && gp != 4096 && gp != 16384 && gp != 65536)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(e->reserved) / sizeof(e->reserved[0]); i++)
		if (e->reserved[i])
			return -EINVAL;
	if (e->flags & KVMSEA_MEM_ARM) {
		if (!(e->flags & KVMSEA_MEM_CONSUMED) ||
		    !(kvmsea_esr_is_data_abort(e->esr) ||
		      kvmsea_esr_is_insn_abort(e->esr)))
			return -EINVAL;
	} else if (e->flags & (KVMSEA_MEM_VA_VALID | KVMSEA_MEM_MPIDR_VALID)) {
		return -EINVAL; /* they describe the ARM section */
	}
	*sections = (uint32_t)(e->page_size / granule(e));
	return 0;
}

KVMSEA_EXPORT int kvmsea_cper_sections(const struct kvmsea_mem_error *e)
{
	uint32_t n;
	int ret = kvmsea_mem_error_check(e, &n);

	return ret < 0 ? ret : (int)n;
}

KVMSEA_EXPORT int kvmsea_mem_error_from_event(struct kvmsea_mem_error *e,
					      const struct kvmsea_event *ev)
{
	if (!e || !ev)
		return -EINVAL;
	if (!(ev->known & (KVMSEA_KNOWN_GPA | KVMSEA_KNOWN_PAGE_GPA)))
		return -ENODATA;
	memset(e, 0, sizeof(*e));
	e->gpa = ev->known & KVMSEA_KNOWN_GPA ? ev->gpa : ev->page_gpa;
	/* A record names the naturally aligned granule around gpa. A SIGBUS
	 * event's page is cut to its memslot, so it may be neither aligned
	 * nor a power of two: take its first aligned block, which is bad
	 * throughout, rather than a granule reaching past it. */
	e->page_size = ev->page_size ?
		kvmsea_aligned_block(ev->page_gpa & ~(PAGE_MIN - 1),
				     ev->page_size < PAGE_MAX ? ev->page_size : PAGE_MAX) :
		PAGE_MIN;
	e->time = ev->time_ns / 1000000000u;
	if (ev->source != KVMSEA_SOURCE_SIGBUS_AO)
		e->flags |= KVMSEA_MEM_CONSUMED;
	/* Only an exit carries a syndrome the hardware reported; a SIGBUS
	 * event's is the one the library makes up to deliver. */
	if (ev->source == KVMSEA_SOURCE_EXIT &&
	    (kvmsea_esr_is_data_abort(ev->exit.esr) ||
	     kvmsea_esr_is_insn_abort(ev->exit.esr))) {
		e->flags |= KVMSEA_MEM_ARM;
		e->esr = ev->exit.esr;
		if (ev->known & KVMSEA_KNOWN_GVA) {
			e->flags |= KVMSEA_MEM_VA_VALID;
			e->va = ev->gva;
		}
	}
	return 0;
}

/* ---- building ------------------------------------------------------------ */

static uint8_t bcd(unsigned int v)
{
	return (uint8_t)((v / 10) << 4 | (v % 10));
}

/*
 * The CPER timestamp of @t (seconds since 1970 UTC): BCD seconds, minutes,
 * hours, a flags byte (bit 0 precise: left clear, as the VMM learns of an
 * error after it happened), day, month, year, century. Civil date from the
 * day count by the usual era arithmetic (400-year cycles of 146097 days).
 */
static void put_timestamp(uint8_t *p, uint64_t t)
{
	uint64_t days = t / 86400, secs = t % 86400;
	uint64_t z = days + 719468, era = z / 146097, doe = z % 146097;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;
	unsigned int day = (unsigned int)(doy - (153 * mp + 2) / 5 + 1);
	unsigned int month = (unsigned int)(mp < 10 ? mp + 3 : mp - 9);
	unsigned int year = (unsigned int)(yoe + era * 400 + (month <= 2));

	p[0] = bcd((unsigned int)(secs % 60));
	p[1] = bcd((unsigned int)(secs / 60 % 60));
	p[2] = bcd((unsigned int)(secs / 3600));
	p[3] = 0;
	p[4] = bcd(day);
	p[5] = bcd(month);
	p[6] = bcd(year % 100);
	p[7] = bcd(year / 100);
}

/* A Generic Error Data Entry header for a section of @length bytes. */
static void put_entry(uint8_t *p, const uint8_t *guid,
		      const struct kvmsea_mem_error *e, uint8_t flags,
		      uint32_t length)
{
	memcpy(p + E_TYPE, guid, 16);
	kvmsea_put_le(p + E_SEVERITY, e->severity, 4);
	kvmsea_put_le(p + E_REVISION, E_REVISION_3, 2);
	if (!(e->flags & KVMSEA_MEM_CONSUMED))
		flags |= E_FLAG_LATENT;
	p[E_FLAGS] = flags;
	kvmsea_put_le(p + E_LENGTH, length, 4);
	if (e->time) {
		p[E_VALID] = E_VALID_TIMESTAMP;
		put_timestamp(p + E_TIMESTAMP, e->time);
	}
}

/* Memory section @index of @e: section 0 names gpa itself, the others the
 * remaining guest pages of the granule, lowest first. */
static void put_memory(uint8_t *p, const struct kvmsea_mem_error *e,
		       uint32_t index)
{
	uint64_t g = granule(e), base = e->gpa & ~(e->page_size - 1);
	uint64_t fault = (e->gpa - base) / g, page, pa;
	uint64_t valid = M_VALID_PA | M_VALID_MASK | M_VALID_TYPE;

	if (index == 0) {
		pa = e->gpa;
	} else {
		page = index - 1 < fault ? index - 1 : index;
		pa = base + page * g;
	}
	if (e->flags & KVMSEA_MEM_CONSUMED) {
		valid |= M_VALID_STATUS;
		kvmsea_put_le(p + M_STATUS,
			      (uint64_t)M_STATUS_POISONED << M_STATUS_TYPE_SHIFT, 8);
	}
	kvmsea_put_le(p + M_VALID, valid, 8);
	kvmsea_put_le(p + M_PA, pa, 8);
	kvmsea_put_le(p + M_MASK, ~(g - 1), 8);
	p[M_TYPE] = 0; /* "unknown": the host does not say what failed */
}

/* The bus error information the abort's syndrome supports. */
static uint64_t bus_error_info(uint64_t esr)
{
	struct kvmsea_esr d;
	uint64_t info, op;
	enum kvmsea_ras_severity sev;

	kvmsea_esr_decode(esr, &d);
	if (!d.u.abort.is_data)
		op = BUS_OP_FETCH;
	else if (d.u.abort.cm)
		op = BUS_OP_GENERIC; /* cache maintenance: neither read nor write */
	else
		op = d.u.abort.wnr ? BUS_OP_DATA_WRITE : BUS_OP_DATA_READ;
	info = BUS_VALID_TRANSACTION | BUS_VALID_OPERATION | BUS_VALID_CORRECTED |
	       BUS_VALID_PRECISE_PC | BUS_VALID_PARTICIPATION |
	       BUS_VALID_ADDRESS_SPACE | BUS_VALID_ACCESS_MODE;
	info |= (uint64_t)(d.u.abort.is_data ? BUS_TRANSACTION_DATA
					     : BUS_TRANSACTION_INSTRUCTION)
		<< BUS_TRANSACTION_SHIFT;
	info |= op << BUS_OPERATION_SHIFT;
	/* Not corrected (0); precise: a synchronous abort, ELR at the access;
	 * a local processor's request; to memory; from the non-secure world. */
	info |= 1ull << BUS_PRECISE_PC_SHIFT;
	info |= 1ull << BUS_ACCESS_MODE_SHIFT;
	/* SET says whether the PE's state is intact and the PC restartable,
	 * when the syndrome defines it. */
	sev = kvmsea_esr_severity(esr);
	if (d.u.abort.set_valid && sev != KVMSEA_RAS_RESERVED) {
		info |= BUS_VALID_CONTEXT_CORRUPT | BUS_VALID_RESTARTABLE_PC;
		if (sev == KVMSEA_RAS_UC)
			info |= 1ull << BUS_CONTEXT_CORRUPT_SHIFT;
		if (sev == KVMSEA_RAS_UEO)
			info |= 1ull << BUS_RESTARTABLE_PC_SHIFT;
	}
	return info;
}

/* The ARM processor section: one bus error, one context with ESR_EL2
 * (zero padding after it, to 16 bytes). */
static void put_arm(uint8_t *p, const struct kvmsea_mem_error *e)
{
	uint8_t *info = p + A_SIZE, *ctx = info + I_SIZE;
	uint32_t valid = A_VALID_RUNNING;
	uint16_t ivalid = I_VALID_INFO | I_VALID_PA;

	if (e->flags & KVMSEA_MEM_MPIDR_VALID)
		valid |= A_VALID_MPIDR;
	kvmsea_put_le(p + A_VALID, valid, 4);
	kvmsea_put_le(p + A_ERR_NUM, 1, 2);
	kvmsea_put_le(p + A_CTX_NUM, 1, 2);
	kvmsea_put_le(p + A_LENGTH, KVMSEA_CPER_ARM_SIZE, 4);
	kvmsea_put_le(p + A_MPIDR, e->mpidr, 8);
	kvmsea_put_le(p + A_MIDR, e->midr, 8);
	kvmsea_put_le(p + A_RUNNING, 1, 4);

	if (e->flags & KVMSEA_MEM_VA_VALID) {
		ivalid |= I_VALID_VA;
		kvmsea_put_le(info + I_VA, e->va, 8);
	}
	info[I_LENGTH] = I_SIZE;
	kvmsea_put_le(info + I_VALID, ivalid, 2);
	info[I_TYPE] = I_TYPE_BUS;
	kvmsea_put_le(info + I_INFO, bus_error_info(e->esr), 8);
	kvmsea_put_le(info + I_PA, e->gpa, 8);

	kvmsea_put_le(ctx + C_TYPE, C_TYPE_MISC, 2);
	kvmsea_put_le(ctx + C_SIZE, C_MISC_ENTRY, 4);
	kvmsea_put_le(ctx + C_HEADER, MRS_ESR_EL2, 2);
	kvmsea_put_le(ctx + C_HEADER + 2, e->esr, 8);
}

static uint32_t block_status(const struct kvmsea_mem_error *e, uint32_t memory,
			     uint32_t entries)
{
	uint32_t status = entries << BS_COUNT_SHIFT;

	switch (e->severity) {
	case KVMSEA_CPER_RECOVERABLE:
	case KVMSEA_CPER_FATAL:
		status |= BS_UNCORRECTABLE;
		if (memory > 1)
			status |= BS_MULTI_UNCORRECTABLE;
		break;
	case KVMSEA_CPER_CORRECTED:
		status |= BS_CORRECTABLE;
		if (memory > 1)
			status |= BS_MULTI_CORRECTABLE;
		break;
	default: /* informational: neither kind of error */
		break;
	}
	return status;
}

KVMSEA_EXPORT int kvmsea_cper_build(const struct kvmsea_mem_error *e,
				    uint32_t first, uint32_t count, void *buf,
				    size_t len)
{
	uint32_t n, entries, data;
	bool arm;
	uint8_t *p = buf;
	int ret = kvmsea_mem_error_check(e, &n);

	if (ret < 0)
		return ret;
	if ((!buf && len) || !count || first >= n || count > n - first)
		return -EINVAL;
	arm = (e->flags & KVMSEA_MEM_ARM) && first == 0;
	entries = count + arm;
	if (entries > BS_COUNT_MAX)
		return -E2BIG;
	data = count * CPER_MEMORY_ENTRY + (arm ? CPER_ARM_ENTRY : 0);
	if (len < KVMSEA_CPER_STATUS_SIZE + (size_t)data)
		return (int)(KVMSEA_CPER_STATUS_SIZE + data);

	memset(p, 0, KVMSEA_CPER_STATUS_SIZE + data);
	kvmsea_put_le(p + BS_STATUS, block_status(e, count, entries), 4);
	kvmsea_put_le(p + BS_DATA_LENGTH, data, 4);
	kvmsea_put_le(p + BS_SEVERITY, e->severity, 4);
	p += KVMSEA_CPER_STATUS_SIZE;
	for (uint32_t i = 0; i < count; i++) {
		/* Each record's first section is its primary one. */
		put_entry(p, kvmsea_cper_guid_memory, e, i ? 0 : E_FLAG_PRIMARY,
			  KVMSEA_CPER_MEMORY_SIZE);
		put_memory(p + KVMSEA_CPER_ENTRY_SIZE, e, first + i);
		p += CPER_MEMORY_ENTRY;
	}
	if (arm) {
		put_entry(p, kvmsea_cper_guid_arm, e, 0, KVMSEA_CPER_ARM_SIZE);
		put_arm(p + KVMSEA_CPER_ENTRY_SIZE, e);
	}
	return (int)(KVMSEA_CPER_STATUS_SIZE + data);
}

/* ---- checking ------------------------------------------------------------ */

int kvmsea_cper_arm_check(const uint8_t *s, uint32_t len)
{
	uint32_t own, err_num, ctx_num, left;
	const uint8_t *ctx;

	if (len < A_SIZE)
		return -EINVAL;
	own = (uint32_t)kvmsea_get_le(s + A_LENGTH, 4);
	err_num = (uint32_t)kvmsea_get_le(s + A_ERR_NUM, 2);
	ctx_num = (uint32_t)kvmsea_get_le(s + A_CTX_NUM, 2);
	if (own != len || (uint64_t)A_SIZE + (uint64_t)err_num * I_SIZE > own)
		return -EINVAL;
	for (uint32_t i = 0; i < err_num; i++)
		if (s[A_SIZE + i * I_SIZE + I_LENGTH] != I_SIZE)
			return -EINVAL;
	left = own - A_SIZE - err_num * I_SIZE;
	ctx = s + A_SIZE + err_num * I_SIZE;
	for (uint32_t i = 0; i < ctx_num; i++) {
		uint64_t size;

		if (left < C_HEADER)
			return -EINVAL;
		/* Linux 7.x steps over the padding (efi/cper-arm.c). */
		size = kvmsea_cper_ctx_bytes(kvmsea_get_le(ctx + C_SIZE, 4));
		if (size > left || kvmsea_get_le(ctx + C_TYPE, 2) > C_TYPE_MAX)
			return -EINVAL;
		left -= (uint32_t)size;
		ctx += size;
	}
	return 0;
}

int kvmsea_cper_section_check(const struct kvmsea_cper_entry *en)
{
	const uint8_t *s = en->section;

	if (en->severity > KVMSEA_CPER_INFORMATIONAL)
		return -EINVAL; /* Linux takes an unknown severity as fatal */
	if (!memcmp(en->type, kvmsea_cper_guid_memory, 16)) {
		if (en->length < M_SIZE_OLD)
			return -EINVAL;
		/* A 2.1/2.2 section cannot hold the fields the later bits
		 * name; Linux refuses to print such a section. */
		if (en->length < KVMSEA_CPER_MEMORY_SIZE &&
		    kvmsea_get_le(s + M_VALID, 8) >= M_VALID_OLD_LIMIT)
			return -EINVAL;
		return 0;
	}
	if (!memcmp(en->type, kvmsea_cper_guid_arm, 16))
		return kvmsea_cper_arm_check(s, en->length);
	return 0; /* another section type: Linux logs it raw */
}

int kvmsea_cper_header(const uint8_t *p, size_t len, size_t max_len,
		       struct kvmsea_cper_header *h)
{
	if (len < KVMSEA_CPER_STATUS_SIZE)
		return -EINVAL;
	h->status = (uint32_t)kvmsea_get_le(p + BS_STATUS, 4);
	h->raw_offset = (uint32_t)kvmsea_get_le(p + BS_RAW_OFFSET, 4);
	h->raw_length = (uint32_t)kvmsea_get_le(p + BS_RAW_LENGTH, 4);
	h->data_length = (uint32_t)kvmsea_get_le(p + BS_DATA_LENGTH, 4);
	h->severity = (uint32_t)kvmsea_get_le(p + BS_SEVERITY, 4);
	/* cper_estatus_len(): raw data, when there is some, ends the block. */
	h->length = h->raw_length ? (uint64_t)h->raw_offset + h->raw_length
				  : KVMSEA_CPER_STATUS_SIZE + (uint64_t)h->data_length;
	if (!h->status)
		return -ENODATA;
	if (h->length < KVMSEA_CPER_STATUS_SIZE)
		return -EINVAL;
	if (h->length > max_len || h->length > len)
		return -EMSGSIZE;
	if (h->severity > KVMSEA_CPER_INFORMATIONAL)
		return -EINVAL;
	/* cper_estatus_check_header() */
	if (h->data_length && h->data_length < E_SIZE_V2)
		return -EINVAL;
	if (h->raw_length &&
	    h->raw_offset < KVMSEA_CPER_STATUS_SIZE + (uint64_t)h->data_length)
		return -EINVAL;
	return 0;
}

int kvmsea_cper_entry(const uint8_t *p, const struct kvmsea_cper_header *h,
		      uint32_t off, struct kvmsea_cper_entry *en)
{
	const uint8_t *entry = p + KVMSEA_CPER_STATUS_SIZE + off;
	uint64_t left = h->data_length - off, section;

	if (left < E_SIZE_V2)
		return -EINVAL;
	en->entry = entry;
	en->type = entry + E_TYPE;
	en->severity = (uint32_t)kvmsea_get_le(entry + E_SEVERITY, 4);
	en->revision = (uint16_t)kvmsea_get_le(entry + E_REVISION, 2);
	en->size = (en->revision >> 8) >= 3 ? KVMSEA_CPER_ENTRY_SIZE : E_SIZE_V2;
	section = kvmsea_get_le(entry + E_LENGTH, 4);
	if (en->size > left || section > left - en->size)
		return -EINVAL;
	en->length = (uint32_t)section;
	en->section = entry + en->size;
	en->next = off + en->size + en->length;
	return 0;
}

KVMSEA_EXPORT int kvmsea_cper_check(const void *block, size_t len,
				    size_t max_len)
{
	struct kvmsea_cper_header h;
	struct kvmsea_cper_entry en;
	unsigned int entries = 0;
	int ret;

	if (!block)
		return -EINVAL;
	ret = kvmsea_cper_header(block, len, max_len, &h);
	/* cper_estatus_check(): the entries fill the data exactly. */
	for (uint32_t off = 0; !ret && off < h.data_length; off = en.next, entries++) {
		ret = kvmsea_cper_entry(block, &h, off, &en);
		if (!ret)
			ret = kvmsea_cper_section_check(&en);
	}
	if (!ret && !entries)
		ret = -EINVAL; /* no entry: nothing to act on */
	return ret;
}
