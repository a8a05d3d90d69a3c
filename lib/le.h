/* SPDX-License-Identifier: MIT */
/* Little-endian fields in byte buffers (ACPI and UEFI structures). */
#ifndef LIBKVMSEA_LE_H
#define LIBKVMSEA_LE_H

#include <stdint.h>

static inline void kvmsea_put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t kvmsea_get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = bytes; i--;)
		v = v << 8 | p[i];
	return v;
}

#endif /* LIBKVMSEA_LE_H */
