/* SPDX-License-Identifier: MIT */
/*
 * libkvmsea: tell the guest which memory is bad, the way firmware tells an
 * operating system: UEFI CPER error records (memory error sections, and an
 * ARM processor section with the abort's syndrome) in an ACPI GHESv2 error
 * source that the VMM publishes in its own HEST. A Linux guest's GHES
 * driver reads the record and retires the page (memory_failure()).
 * docs/cper.md has the layout, the protocol and what Linux does with each
 * field.
 *
 * The builders, the checker and the formatter are pure: no allocation, no
 * system call, no global state. Builders follow snprintf(): they return
 * the length the whole result needs and write it only when @len holds it
 * all (nothing otherwise; a binary record cut short is of no use), so a
 * call with @len 0 asks for the size; they fail only for bad arguments,
 * with a negative errno, and then write nothing. All multi-byte fields are little
 * endian, as ACPI and UEFI define them, whatever the host's byte order.
 *
 * The error source (struct kvmsea_ghes) is the one object with state: the
 * read-ack protocol between the VMM and the guest. It is created once and
 * does not allocate afterwards.
 */
#ifndef LIBKVMSEA_CPER_H
#define LIBKVMSEA_CPER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- sizes (bytes) ------------------------------------------------------ */

#define KVMSEA_CPER_STATUS_SIZE 20  /* Generic Error Status Block header */
#define KVMSEA_CPER_ENTRY_SIZE 72   /* Generic Error Data Entry, revision 3 */
#define KVMSEA_CPER_MEMORY_SIZE 80  /* Memory Error Section (UEFI >= 2.3) */
#define KVMSEA_CPER_ARM_SIZE 104    /* ARM Processor Error Section as built
				     * here: one error information structure
				     * and one context with ESR_EL2, padded
				     * to 16 bytes */
#define KVMSEA_GHES_SOURCE_SIZE 92  /* GHESv2 structure in the HEST */
#define KVMSEA_GHES_REGS_SIZE 16    /* a source's two 8-byte registers */

/* Error severities (CPER and ACPI Generic Error Severity). */
enum kvmsea_cper_severity {
	KVMSEA_CPER_RECOVERABLE = 0,   /* uncorrected, contained: Linux
					* retires the page */
	KVMSEA_CPER_FATAL = 1,         /* Linux panics */
	KVMSEA_CPER_CORRECTED = 2,     /* Linux logs it */
	KVMSEA_CPER_INFORMATIONAL = 3, /* Linux logs it */
};

/*
 * One memory error, as a VMM knows it: from a KVM_EXIT_ARM_SEA, or from a
 * SIGBUS with BUS_MCEERR_AR/AO (si_addr translated to a guest physical
 * address, si_addr_lsb giving the page size). Zero-initialise, then set
 * what you know.
 */
struct kvmsea_mem_error {
	uint64_t gpa;             /* a guest physical address in the bad memory:
				   * the faulting byte when known; below 2^52 */
	uint64_t page_size;       /* the granule the host poisoned around gpa:
				   * a power of two, 4 KiB .. 16 GiB */
	uint64_t guest_page_size; /* 0 or 4, 16, 64 KiB (0 is 4 KiB): the records
				   * name every guest page of the granule */
	uint32_t severity;        /* enum kvmsea_cper_severity */
	uint32_t flags;           /* KVMSEA_MEM_* */
	uint64_t time;            /* when it was seen, seconds since 1970 UTC;
				   * 0: no timestamp */
	/* The abort, for the ARM processor section (KVMSEA_MEM_ARM). */
	uint64_t esr;             /* ESR_EL2 of the abort, as KVM gave it */
	uint64_t va;              /* the guest virtual address (FAR), with
				   * KVMSEA_MEM_VA_VALID */
	uint64_t midr;            /* the vCPU's MIDR_EL1 */
	uint64_t mpidr;           /* the vCPU's MPIDR_EL1, with
				   * KVMSEA_MEM_MPIDR_VALID */
	uint64_t reserved[4];     /* zero */
};

/* a vCPU consumed the data (an SEA, BUS_MCEERR_AR); without it the error is
 * latent: poisoned, not yet consumed (BUS_MCEERR_AO) */
#define KVMSEA_MEM_CONSUMED (1u << 0)
/* also an ARM processor error section, built from esr: needs CONSUMED and
 * an esr that is a data or instruction abort */
#define KVMSEA_MEM_ARM (1u << 1)
#define KVMSEA_MEM_VA_VALID (1u << 2)    /* va holds the faulting address */
#define KVMSEA_MEM_MPIDR_VALID (1u << 3) /* mpidr is known */

struct kvmsea_event;

/*
 * Fill @e from a libkvmsea event (<libkvmsea/sea.h>): gpa (the faulting
 * byte, else the bad page), page_size (the event's; 4 KiB if unknown: a
 * VMM that knows the backing's page size sets it after), CONSUMED unless
 * the event is a SIGBUS BUS_MCEERR_AO, the time, and for a
 * KVM_EXIT_ARM_SEA the ARM processor section with KVM's ESR and, when
 * known, the faulting virtual address. midr and mpidr stay 0 and
 * guest_page_size 4 KiB: set them when known. Returns 0, -EINVAL (a NULL
 * argument), or -ENODATA (the event knows no guest physical address).
 */
int kvmsea_mem_error_from_event(struct kvmsea_mem_error *e,
				const struct kvmsea_event *event);

/*
 * The number of memory error sections @e needs: one per guest page of the
 * poisoned granule (page_size / guest_page_size, at least 1), since Linux
 * retires only the page each section's address names. Section 0 is the
 * guest page that holds gpa; sections 1.. are the others, lowest first.
 * -EINVAL when @e is not valid (see kvmsea_cper_build()).
 */
int kvmsea_cper_sections(const struct kvmsea_mem_error *e);

/*
 * Build a Generic Error Status Block (ACPI 6.5 18.3.2.7.1, UEFI 2.10
 * appendix N) holding memory error sections @first .. @first + @count - 1
 * of @e, and, with KVMSEA_MEM_ARM and @first 0, the ARM processor section
 * after them. Its length is KVMSEA_CPER_STATUS_SIZE + @count *
 * (KVMSEA_CPER_ENTRY_SIZE + KVMSEA_CPER_MEMORY_SIZE), plus
 * KVMSEA_CPER_ENTRY_SIZE + KVMSEA_CPER_ARM_SIZE for the ARM section.
 * Returns that length (snprintf contract), or -EINVAL: NULL @e, a @buf of
 * NULL with @len > 0, gpa at or above 2^52, page_size or guest_page_size
 * not allowed, severity above 3, unknown flags, ARM without CONSUMED or
 * with an esr that is not an abort, VA_VALID or MPIDR_VALID without ARM,
 * a time after 9999, non-zero reserved fields, @count 0,
 * or sections beyond kvmsea_cper_sections(); -E2BIG for more than 1023
 * entries (the Block Status field's limit).
 */
int kvmsea_cper_build(const struct kvmsea_mem_error *e, uint32_t first,
		      uint32_t count, void *buf, size_t len);

/*
 * Check @block (@len bytes, at least the block's own length) the way
 * Linux's GHES driver reads one (drivers/acpi/apei/ghes.c, efi/cper.c):
 * Block Status set, the length within @max_len (the source's error status
 * block length), raw data and data lengths consistent, entries that fill
 * the data exactly, memory sections of at least 73 bytes (UEFI 2.1's) that
 * claim only the fields they have, ARM sections whose structures and
 * (16-byte padded) contexts fit their own length, severities 0..3 (Linux
 * takes any other as fatal). Returns 0 when a guest would accept it, -ENODATA
 * when Block Status is 0 (no record), -EMSGSIZE when it is longer than
 * @max_len or @len, -EINVAL when it is malformed.
 */
int kvmsea_cper_check(const void *block, size_t len, size_t max_len);

/*
 * Decode @block (@len bytes) as text, one field a line, with snprintf
 * semantics (NUL-terminated when @size > 0; returns the length the whole
 * text needs). Malformed input is decoded as far as it is well formed and
 * a line says what is wrong. The ESR in an ARM processor context is
 * decoded by kvmsea_esr_format(). Returns -EINVAL for a NULL @block with
 * @len > 0 or a NULL @buf with @size > 0.
 */
int kvmsea_cper_format(const void *block, size_t len, char *buf, size_t size);

/* ---- the error source: HEST and GHESv2 --------------------------------- */

/* How the guest learns that a record is there (ACPI Hardware Error
 * Notification types). */
enum kvmsea_ghes_notify {
	KVMSEA_GHES_POLLED = 0,   /* the guest polls every poll_interval ms */
	KVMSEA_GHES_EXTERNAL = 1, /* an interrupt, GSI in vector */
	KVMSEA_GHES_SCI = 3,
	KVMSEA_GHES_GPIO = 7,     /* through an ACPI event (GED, HED device) */
	KVMSEA_GHES_SEA = 8,      /* a synchronous external abort: the VMM
				   * injects one (kvmsea_vcpu_inject()) */
	KVMSEA_GHES_SEI = 9,      /* an SError */
	KVMSEA_GHES_GSIV = 10,    /* an interrupt, GSIV in vector */
	KVMSEA_GHES_SDEI = 11,    /* an SDEI event, number in vector */
};

/*
 * One error source and where its memory is, in guest physical addresses
 * chosen by the VMM. That memory must not be guest RAM the guest may
 * allocate (mark it reserved in the memory map, or keep it out of RAM).
 */
struct kvmsea_ghes_layout {
	uint16_t source_id;        /* unique among the HEST's sources */
	uint8_t notify;            /* enum kvmsea_ghes_notify */
	uint8_t reserved0;         /* zero */
	uint32_t poll_interval_ms; /* POLLED: > 0 */
	uint32_t vector;           /* EXTERNAL, GSIV: the interrupt; SDEI: the
				    * event; otherwise 0 */
	uint32_t block_length;     /* bytes at block_address: at least one
				    * memory record (172), at most 65536 */
	uint64_t status_address;   /* the 8-byte Error Status Address register,
				    * which holds block_address */
	uint64_t read_ack_address; /* the 8-byte Read Ack register */
	uint64_t block_address;    /* the error status block */
	uint32_t reserved[4];      /* zero */
};

/*
 * Fill @l for a source whose memory is one region at @base (8-aligned):
 * the status register at @base, the read-ack register at @base + 8, the
 * block at @base + KVMSEA_GHES_REGS_SIZE, @block_length bytes. A POLLED
 * source gets a poll interval of 1000 ms, which the caller may change.
 * Returns 0 or -EINVAL (see kvmsea_ghes_build_source() for the rules).
 */
int kvmsea_ghes_layout_init(struct kvmsea_ghes_layout *l, uint16_t source_id,
			    enum kvmsea_ghes_notify notify, uint64_t base,
			    uint32_t block_length);

/*
 * The GHESv2 structure (ACPI 6.5 18.3.2.8, KVMSEA_GHES_SOURCE_SIZE bytes)
 * that describes @l, for the VMM's HEST. snprintf contract; -EINVAL for a
 * NULL @l, an unknown notify type, POLLED with a 0 interval or another
 * type with one, a vector where the type has none, a block_length out of
 * range, addresses that are 0, not 8-aligned, at or above 2^52 or
 * overlapping, or non-zero reserved fields.
 */
int kvmsea_ghes_build_source(const struct kvmsea_ghes_layout *l, void *buf,
			     size_t len);

/* The ACPI table header's identification fields (space-padded, not NUL
 * terminated). */
struct kvmsea_acpi_ids {
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
};

/*
 * A whole HEST table: the ACPI header (signature "HEST", revision 1, the
 * checksum) and @count GHESv2 structures for @sources. @ids NULL gives
 * "KVMSEA", "KVMSEA  ", 1, "KVMS", 1. snprintf contract; -EINVAL for a bad
 * source, @count 0, or two sources with the same id.
 */
int kvmsea_ghes_build_hest(const struct kvmsea_ghes_layout *sources,
			   size_t count, const struct kvmsea_acpi_ids *ids,
			   void *buf, size_t len);

/* ---- the read-ack protocol ---------------------------------------------- */

struct kvmsea_ghes;

/*
 * Take charge of the source @l. @mem is the VMM's mapping of guest memory
 * from guest physical address @mem_gpa, @mem_size bytes, and must hold the
 * two registers and the block. Writes the initial state there: the status
 * register holds block_address, the read-ack register says acknowledged,
 * the block is zero. Up to @queue + 1 errors can be pending at a time: one
 * being written out (in parts when it does not fit the block, or waiting
 * for the guest's acknowledgement) and @queue more behind it. The handle
 * is the only thing allocated. Calls on one handle must not run at the
 * same time (one source per vCPU, or a lock).
 * Returns 0, -EINVAL (a bad layout, or memory that does not hold it),
 * -ENOMEM.
 */
int kvmsea_ghes_new(const struct kvmsea_ghes_layout *l, void *mem,
		    uint64_t mem_gpa, size_t mem_size, uint32_t queue,
		    struct kvmsea_ghes **out);
/* Free a handle (the guest memory is left as it is). NULL is a no-op. */
void kvmsea_ghes_free(struct kvmsea_ghes *g);
/* VM reset: the initial state again, the queue emptied. */
void kvmsea_ghes_reset(struct kvmsea_ghes *g);

/* kvmsea_ghes_report() and kvmsea_ghes_poll() results. A record is
 * written only when the guest has acknowledged the last one. */
#define KVMSEA_GHES_IDLE 0   /* nothing waiting */
#define KVMSEA_GHES_POSTED 1 /* a record was written: notify the guest now
			      * (for SEA: inject the abort) */
#define KVMSEA_GHES_QUEUED 2 /* the guest has not acknowledged the last
			      * record: the error waits; poll later */
#define KVMSEA_GHES_BUSY 3   /* poll: still waiting for the guest */

/*
 * Report @e: write its record into the block when the guest has
 * acknowledged the last one (KVMSEA_GHES_POSTED), else queue it
 * (KVMSEA_GHES_QUEUED). A record that does not fit in the block goes out in
 * parts, the faulting page first; the rest waits like a queued error.
 * Never overwrites a record the guest has not acknowledged. Returns
 * -ENOSPC (an error storm: the queue is full; @e is dropped and counted),
 * -EMSGSIZE (the block cannot hold even one section of @e), or -EINVAL (see
 * kvmsea_cper_build()). Allocates nothing.
 */
int kvmsea_ghes_report(struct kvmsea_ghes *g, const struct kvmsea_mem_error *e);

/*
 * Read the guest's acknowledgement and, if the block is free and something
 * waits, write the next record. Returns KVMSEA_GHES_POSTED (notify the
 * guest), KVMSEA_GHES_BUSY, or KVMSEA_GHES_IDLE. Cheap: call it from the
 * run loop or a timer.
 */
int kvmsea_ghes_poll(struct kvmsea_ghes *g);

struct kvmsea_ghes_stats {
	uint64_t reported; /* kvmsea_ghes_report() calls that were accepted */
	uint64_t posted;   /* records written */
	uint64_t acked;    /* records the guest acknowledged */
	uint64_t dropped;  /* errors refused with -ENOSPC, or dropped by a
			    * reset */
	uint32_t waiting;  /* errors (or parts) not written yet */
	uint32_t unacked;  /* 1 while a written record is not acknowledged */
	uint64_t reserved[4];
};
/* The counters as of the last call on @g. 0 or -EINVAL. */
int kvmsea_ghes_get_stats(const struct kvmsea_ghes *g,
			  struct kvmsea_ghes_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* LIBKVMSEA_CPER_H */
