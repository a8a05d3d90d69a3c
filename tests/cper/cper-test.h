/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the cper suite. The tests read records through offsets and
 * values written here from the specifications (ACPI 6.5 18.3.2.7-8, UEFI
 * 2.10 appendix N), not through the library's own layout header, so a
 * wrong offset in the library cannot hide behind the same wrong offset in
 * its test.
 */
#ifndef KVMSEA_CPER_TEST_H
#define KVMSEA_CPER_TEST_H

#include <stdint.h>
#include <string.h>

#include <libkvmsea/libkvmsea.h>

static inline uint64_t le(const void *p, unsigned int bytes)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | b[bytes];
	return v;
}

static inline void set_le(void *p, uint64_t v, unsigned int bytes)
{
	uint8_t *b = p;

	for (unsigned int i = 0; i < bytes; i++)
		b[i] = (uint8_t)(v >> (8 * i));
}

/* Offsets in a block: the status header is 20 bytes, each entry a 72-byte
 * header and its section. */
#define BLK_STATUS 0
#define BLK_RAW_OFFSET 4
#define BLK_RAW_LENGTH 8
#define BLK_DATA_LENGTH 12
#define BLK_SEVERITY 16
#define ENTRY0 20
#define ENT_SEVERITY 16
#define ENT_REVISION 20
#define ENT_VALID 22
#define ENT_FLAGS 23
#define ENT_LENGTH 24
#define ENT_TIMESTAMP 64
#define ENT_SECTION 72
#define MEM_ENTRY (72 + 80)
#define ARM_ENTRY (72 + 104)

/* a5bc1114-6f64-4ede-b863-3e83ed7c83b1 and e19e3d16-bc11-11e4-9caa-
 * c2051d5d46b0, first three fields little endian. */
static const uint8_t guid_memory[16] = {
	0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e,
	0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1,
};
static const uint8_t guid_arm[16] = {
	0x16, 0x3d, 0x9e, 0xe1, 0x11, 0xbc, 0xe4, 0x11,
	0x9c, 0xaa, 0xc2, 0x05, 0x1d, 0x5d, 0x46, 0xb0,
};

/* A consumed 4 KiB error at a load, the common case. */
static inline struct kvmsea_mem_error load_error(void)
{
	struct kvmsea_mem_error e;

	memset(&e, 0, sizeof(e));
	e.gpa = 0x50000128;
	e.page_size = 4096;
	e.flags = KVMSEA_MEM_CONSUMED;
	e.esr = 0x92000010; /* DABT_LOW, FSC 0x10, a load */
	return e;
}

#endif /* KVMSEA_CPER_TEST_H */
