/* SPDX-License-Identifier: MIT */
/*
 * libkvmsea: tell the guest which memory is bad, the way firmware tells an
 * operating system: UEFI CPER error records in an ACPI GHESv2 error source
 * that the VMM publishes in its own HEST. docs/cper.md has the layout, the
 * protocol and what Linux does with each field.
 *
 * This header is the summary. The contract is in the manual pages:
 * kvmsea_cper_build(3), kvmsea_cper_check(3), kvmsea_ghes_build_hest(3) and
 * kvmsea_ghes(3).
 */
#ifndef LIBKVMSEA_CPER_H
#define LIBKVMSEA_CPER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The records: kvmsea_cper_build(3), kvmsea_cper_check(3) ---------- */

#define KVMSEA_CPER_STATUS_SIZE 20  /* Generic Error Status Block header */
#define KVMSEA_CPER_ENTRY_SIZE 72   /* Generic Error Data Entry, revision 3 */
#define KVMSEA_CPER_MEMORY_SIZE 80  /* Memory Error Section (UEFI >= 2.3) */
#define KVMSEA_CPER_ARM_SIZE 104    /* ARM Processor Error Section as built here */
#define KVMSEA_GHES_SOURCE_SIZE 92  /* GHESv2 structure in the HEST */
#define KVMSEA_GHES_REGS_SIZE 16    /* a source's two 8-byte registers */

/* Error severities (CPER and ACPI Generic Error Severity). */
enum kvmsea_cper_severity {
	KVMSEA_CPER_RECOVERABLE = 0,   /* Linux retires the page */
	KVMSEA_CPER_FATAL = 1,         /* Linux panics */
	KVMSEA_CPER_CORRECTED = 2,     /* Linux logs it */
	KVMSEA_CPER_INFORMATIONAL = 3, /* Linux logs it */
};

/* One memory error, as a VMM knows it. */
struct kvmsea_mem_error {
	uint64_t gpa;             /* in the bad memory: the faulting byte when known */
	uint64_t page_size;       /* the granule the host poisoned around gpa */
	uint64_t guest_page_size; /* 0 or 4, 16, 64 KiB (0 is 4 KiB) */
	uint32_t severity;        /* enum kvmsea_cper_severity */
	uint32_t flags;           /* KVMSEA_MEM_* */
	uint64_t time;            /* seconds since 1970 UTC; 0: no timestamp */
	/* The abort, for the ARM processor section (KVMSEA_MEM_ARM). */
	uint64_t esr;             /* ESR_EL2 of the abort, as KVM gave it */
	uint64_t va;              /* the guest virtual address (FAR) */
	uint64_t midr;            /* the vCPU's MIDR_EL1 */
	uint64_t mpidr;           /* the vCPU's MPIDR_EL1 */
	uint64_t reserved[4];     /* zero */
};

#define KVMSEA_MEM_CONSUMED (1u << 0)    /* a vCPU consumed the data; else latent */
#define KVMSEA_MEM_ARM (1u << 1)         /* also an ARM processor error section */
#define KVMSEA_MEM_VA_VALID (1u << 2)    /* va holds the faulting address */
#define KVMSEA_MEM_MPIDR_VALID (1u << 3) /* mpidr is known */

struct kvmsea_event;

int kvmsea_mem_error_from_event(struct kvmsea_mem_error *e,
				const struct kvmsea_event *event);
int kvmsea_cper_sections(const struct kvmsea_mem_error *e);
int kvmsea_cper_build(const struct kvmsea_mem_error *e, uint32_t first,
		      uint32_t count, void *buf, size_t len);

int kvmsea_cper_check(const void *block, size_t len, size_t max_len);
int kvmsea_cper_format(const void *block, size_t len, char *buf, size_t size);

/* ---- The error source in the HEST: kvmsea_ghes_build_hest(3) ---------- */

/* How the guest learns that a record is there (ACPI notification types). */
enum kvmsea_ghes_notify {
	KVMSEA_GHES_POLLED = 0,   /* the guest polls every poll_interval ms */
	KVMSEA_GHES_EXTERNAL = 1, /* an interrupt, GSI in vector */
	KVMSEA_GHES_SCI = 3,
	KVMSEA_GHES_GPIO = 7,     /* through an ACPI event (GED, HED device) */
	KVMSEA_GHES_SEA = 8,      /* a synchronous external abort the VMM injects */
	KVMSEA_GHES_SEI = 9,      /* an SError */
	KVMSEA_GHES_GSIV = 10,    /* an interrupt, GSIV in vector */
	KVMSEA_GHES_SDEI = 11,    /* an SDEI event, number in vector */
};

/* One error source and where its memory is, in guest physical addresses. */
struct kvmsea_ghes_layout {
	uint16_t source_id;        /* unique among the HEST's sources */
	uint8_t notify;            /* enum kvmsea_ghes_notify */
	uint8_t reserved0;         /* zero */
	uint32_t poll_interval_ms; /* POLLED only */
	uint32_t vector;           /* EXTERNAL, GSIV: the interrupt; SDEI: the event */
	uint32_t block_length;     /* bytes at block_address: 172 .. 65536 */
	uint64_t status_address;   /* the Error Status Address register */
	uint64_t read_ack_address; /* the Read Ack register */
	uint64_t block_address;    /* the error status block */
	uint32_t reserved[4];      /* zero */
};

int kvmsea_ghes_layout_init(struct kvmsea_ghes_layout *l, uint16_t source_id,
			    enum kvmsea_ghes_notify notify, uint64_t base,
			    uint32_t block_length);
int kvmsea_ghes_build_source(const struct kvmsea_ghes_layout *l, void *buf,
			     size_t len);

/* The ACPI table header's identification fields (space-padded, no NUL). */
struct kvmsea_acpi_ids {
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
};

int kvmsea_ghes_build_hest(const struct kvmsea_ghes_layout *sources,
			   size_t count, const struct kvmsea_acpi_ids *ids,
			   void *buf, size_t len);

/* ---- The read-ack protocol: kvmsea_ghes(3) ---------------------------- */

struct kvmsea_ghes;

int kvmsea_ghes_new(const struct kvmsea_ghes_layout *l, void *mem,
		    uint64_t mem_gpa, size_t mem_size, uint32_t queue,
		    struct kvmsea_ghes **out);
void kvmsea_ghes_free(struct kvmsea_ghes *g);
void kvmsea_ghes_reset(struct kvmsea_ghes *g);

/* What kvmsea_ghes_report() and kvmsea_ghes_poll() did. */
#define KVMSEA_GHES_IDLE 0   /* nothing waiting */
#define KVMSEA_GHES_POSTED 1 /* a record was written: notify the guest now */
#define KVMSEA_GHES_QUEUED 2 /* the last record is not acknowledged: it waits */
#define KVMSEA_GHES_BUSY 3   /* still waiting for the guest's acknowledgement */

int kvmsea_ghes_report(struct kvmsea_ghes *g, const struct kvmsea_mem_error *e);
int kvmsea_ghes_poll(struct kvmsea_ghes *g);

struct kvmsea_ghes_stats {
	uint64_t reported; /* kvmsea_ghes_report() calls that were accepted */
	uint64_t posted;   /* records written */
	uint64_t acked;    /* records the guest acknowledged */
	uint64_t dropped;  /* errors refused in a storm, or dropped by a reset */
	uint32_t waiting;  /* errors not completely written yet */
	uint32_t unacked;  /* 1 while a written record is not acknowledged */
	uint64_t reserved[4];
};
int kvmsea_ghes_get_stats(const struct kvmsea_ghes *g,
			  struct kvmsea_ghes_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* LIBKVMSEA_CPER_H */
