/* SPDX-License-Identifier: MIT */
/*
 * The byte layout of the records cper.c builds, cper-format.c decodes and
 * ghes.c publishes: every offset, GUID and bit written once. Sources: ACPI
 * 6.5 18.3.2.7 (Generic Error Status Block, Generic Error Data Entry),
 * UEFI 2.10 N.2.5 (Memory Error Section) and N.2.4.4 (ARM Processor Error
 * Section); checked against Linux's include/linux/cper.h,
 * include/acpi/actbl1.h and QEMU's hw/acpi/ghes.c.
 */
#ifndef LIBKVMSEA_CPER_INTERNAL_H
#define LIBKVMSEA_CPER_INTERNAL_H

#include <stdint.h>

#include <libkvmsea/cper.h>

/* Generic Error Status Block. */
#define BS_STATUS 0       /* u32 Block Status */
#define BS_RAW_OFFSET 4   /* u32 Raw Data Offset, from the block's start */
#define BS_RAW_LENGTH 8   /* u32 Raw Data Length */
#define BS_DATA_LENGTH 12 /* u32 Data Length: the entries' bytes */
#define BS_SEVERITY 16    /* u32 Error Severity */
/* Block Status bits. */
#define BS_UNCORRECTABLE (1u << 0)
#define BS_CORRECTABLE (1u << 1)
#define BS_MULTI_UNCORRECTABLE (1u << 2)
#define BS_MULTI_CORRECTABLE (1u << 3)
#define BS_COUNT_SHIFT 4 /* bits 13:4, Error Data Entry Count */
#define BS_COUNT_MAX 1023u

/* Generic Error Data Entry. */
#define E_TYPE 0       /* 16-byte section type GUID */
#define E_SEVERITY 16  /* u32 */
#define E_REVISION 20  /* u16: 0x0300 (major 3: the timestamp is there) */
#define E_VALID 22     /* u8 validation bits */
#define E_FLAGS 23     /* u8 */
#define E_LENGTH 24    /* u32 Error Data Length: the section after it */
#define E_FRU_ID 28    /* 16 bytes */
#define E_FRU_TEXT 44  /* 20 bytes */
#define E_TIMESTAMP 64 /* 8 bytes, revision 3 and later */
#define E_SIZE_V2 64   /* entry size before revision 3 */
#define E_REVISION_3 0x0300u
#define E_VALID_FRU_ID (1u << 0)
#define E_VALID_FRU_TEXT (1u << 1)
#define E_VALID_TIMESTAMP (1u << 2)
#define E_FLAG_PRIMARY (1u << 0)
#define E_FLAG_CONTAINMENT_WARNING (1u << 1)
#define E_FLAG_RESET (1u << 2)
#define E_FLAG_THRESHOLD_EXCEEDED (1u << 3)
#define E_FLAG_NOT_ACCESSIBLE (1u << 4)
#define E_FLAG_LATENT (1u << 5)
#define E_FLAG_PROPAGATED (1u << 6)
#define E_FLAG_OVERFLOW (1u << 7)

/* Memory Error Section. */
#define M_VALID 0    /* u64 validation bits */
#define M_STATUS 8   /* u64 Error Status */
#define M_PA 16      /* u64 Physical Address */
#define M_MASK 24    /* u64 Physical Address Mask */
#define M_NODE 32    /* u16 node, card, module, bank, device, row, column,
		      * bit position (32..46), u64 requestor, responder,
		      * target id (48..64) */
#define M_TYPE 72    /* u8 Memory Error Type */
#define M_SIZE_OLD 73 /* UEFI 2.1/2.2 sections end after the type */
#define M_VALID_STATUS (1u << 0)
#define M_VALID_PA (1u << 1)
#define M_VALID_MASK (1u << 2)
#define M_VALID_TYPE (1u << 14)
#define M_VALID_OLD_LIMIT (1u << 15) /* first bit a 73-byte section lacks */
/* Error Status: bits 15:8 the error type code. */
#define M_STATUS_TYPE_SHIFT 8
#define M_STATUS_POISONED 26u /* a read was issued to poisoned data */

/* ARM Processor Error Section. */
#define A_VALID 0     /* u32 */
#define A_ERR_NUM 4   /* u16 error information structures */
#define A_CTX_NUM 6   /* u16 context information structures */
#define A_LENGTH 8    /* u32 the section's length */
#define A_AFFINITY 12 /* u8 error affinity level, 3 bytes reserved */
#define A_MPIDR 16    /* u64 */
#define A_MIDR 24     /* u64 */
#define A_RUNNING 32  /* u32 running state: bit 0 running */
#define A_PSCI 36     /* u32 PSCI state */
#define A_SIZE 40
#define A_VALID_MPIDR (1u << 0)
#define A_VALID_AFFINITY (1u << 1)
#define A_VALID_RUNNING (1u << 2)
#define A_VALID_VENDOR (1u << 3)
/* ARM Processor Error Information Structure. */
#define I_VERSION 0   /* u8 */
#define I_LENGTH 1    /* u8: 32 */
#define I_VALID 2     /* u16 */
#define I_TYPE 4      /* u8 */
#define I_MULTIPLE 5  /* u16 */
#define I_FLAGS 7     /* u8 */
#define I_INFO 8      /* u64 error information */
#define I_VA 16       /* u64 virtual fault address */
#define I_PA 24       /* u64 physical fault address */
#define I_SIZE 32
#define I_VALID_MULTIPLE (1u << 0)
#define I_VALID_FLAGS (1u << 1)
#define I_VALID_INFO (1u << 2)
#define I_VALID_VA (1u << 3)
#define I_VALID_PA (1u << 4)
/* Type bits (UEFI 2.9A errata and later; Linux since its CPER fixes). */
#define I_TYPE_CACHE (1u << 1)
#define I_TYPE_TLB (1u << 2)
#define I_TYPE_BUS (1u << 3)
#define I_TYPE_MICROARCH (1u << 4)
/* Error information of a bus error: validity bits 11:0, fields above. */
#define BUS_VALID_TRANSACTION (1ull << 0)
#define BUS_VALID_OPERATION (1ull << 1)
#define BUS_VALID_LEVEL (1ull << 2)
#define BUS_VALID_CONTEXT_CORRUPT (1ull << 3)
#define BUS_VALID_CORRECTED (1ull << 4)
#define BUS_VALID_PRECISE_PC (1ull << 5)
#define BUS_VALID_RESTARTABLE_PC (1ull << 6)
#define BUS_VALID_PARTICIPATION (1ull << 7)
#define BUS_VALID_TIME_OUT (1ull << 8)
#define BUS_VALID_ADDRESS_SPACE (1ull << 9)
#define BUS_VALID_MEM_ATTRIBUTES (1ull << 10)
#define BUS_VALID_ACCESS_MODE (1ull << 11)
#define BUS_TRANSACTION_SHIFT 16   /* 2 bits: 0 instruction, 1 data, 2 generic */
#define BUS_OPERATION_SHIFT 18     /* 4 bits: 3 data read, 4 write, 5 fetch */
#define BUS_LEVEL_SHIFT 22         /* 3 bits */
#define BUS_CONTEXT_CORRUPT_SHIFT 25
#define BUS_CORRECTED_SHIFT 26
#define BUS_PRECISE_PC_SHIFT 27
#define BUS_RESTARTABLE_PC_SHIFT 28
#define BUS_PARTICIPATION_SHIFT 29 /* 2 bits: 0 local processor originated */
#define BUS_TIME_OUT_SHIFT 31
#define BUS_ADDRESS_SPACE_SHIFT 32 /* 2 bits: 0 external memory access */
#define BUS_MEM_ATTRIBUTES_SHIFT 34 /* 9 bits */
#define BUS_ACCESS_MODE_SHIFT 43   /* 0 secure, 1 normal */
#define BUS_TRANSACTION_INSTRUCTION 0u
#define BUS_TRANSACTION_DATA 1u
#define BUS_OP_GENERIC 0u
#define BUS_OP_DATA_READ 3u
#define BUS_OP_DATA_WRITE 4u
#define BUS_OP_FETCH 5u
/* ARM Processor Context Information header. */
#define C_VERSION 0   /* u16 */
#define C_TYPE 2      /* u16 register context type */
#define C_SIZE 4      /* u32 register array bytes */
#define C_HEADER 8
#define C_ALIGN 16    /* a context is padded with zeros to 16 bytes */
#define C_TYPE_MISC 8u        /* miscellaneous system registers */
#define C_TYPE_MAX 8u
#define C_MISC_ENTRY 10       /* u16 MRS encoding, u64 value */
/* The MRS encoding of a misc register, UEFI's packing (the ARM processor
 * error section's miscellaneous register context): op2 2:0, CRm 6:3,
 * CRn 10:7, op1 13:11, o0 14 (op0 is 2 + o0). A different format from
 * arm64.h's A64_SYSREG_ENC (op0 in two bits), so written out here. ESR_EL2
 * is op0 3, op1 4, CRn 5, CRm 2, op2 0. */
#define MRS_ESR_EL2 ((1u << 14) | (4u << 11) | (5u << 7) | (2u << 3))

/* Section type GUIDs, in the byte order records hold them. */
extern const uint8_t kvmsea_cper_guid_memory[16]; /* a5bc1114-6f64-4ede-b863-3e83ed7c83b1 */
extern const uint8_t kvmsea_cper_guid_arm[16];    /* e19e3d16-bc11-11e4-9caa-c2051d5d46b0 */

#define CPER_MEMORY_ENTRY (KVMSEA_CPER_ENTRY_SIZE + KVMSEA_CPER_MEMORY_SIZE)
#define CPER_ARM_ENTRY (KVMSEA_CPER_ENTRY_SIZE + KVMSEA_CPER_ARM_SIZE)

/* The reading side, shared by kvmsea_cper_check() and the formatter. Each
 * step checks what Linux's GHES driver checks before it trusts a field. */
struct kvmsea_cper_header {
	uint32_t status, raw_offset, raw_length, data_length, severity;
	uint64_t length; /* the block's own length (cper_estatus_len()) */
};
struct kvmsea_cper_entry {
	const uint8_t *entry, *type, *section;
	uint32_t severity, size, length; /* header and section bytes */
	uint16_t revision;
	uint32_t next;                   /* the next entry's data offset */
};
/* Fill @h from the block at @p (@len bytes readable; @max_len the source's
 * block length); the result as kvmsea_cper_check() reports it, @h filled
 * as far as @len allows. */
int kvmsea_cper_header(const uint8_t *p, size_t len, size_t max_len,
		       struct kvmsea_cper_header *h);
/* The entry at data offset @off (< h->data_length), inside the data. */
int kvmsea_cper_entry(const uint8_t *p, const struct kvmsea_cper_header *h,
		      uint32_t off, struct kvmsea_cper_entry *en);
/* The section's own rules (severity, memory and ARM lengths). */
int kvmsea_cper_section_check(const struct kvmsea_cper_entry *en);
int kvmsea_cper_arm_check(const uint8_t *s, uint32_t len);
/* The bytes a context with a @size-byte register array takes. */
static inline uint64_t kvmsea_cper_ctx_bytes(uint64_t size)
{
	return (C_HEADER + size + C_ALIGN - 1) & ~(uint64_t)(C_ALIGN - 1);
}

/* Validate @e; on success *@sections is kvmsea_cper_sections(@e). */
int kvmsea_mem_error_check(const struct kvmsea_mem_error *e,
			   uint32_t *sections);

#endif /* LIBKVMSEA_CPER_INTERNAL_H */
