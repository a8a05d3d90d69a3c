/* SPDX-License-Identifier: MIT */
/*
 * The one seam between the library and the C allocator: every malloc,
 * calloc, realloc and free the library makes goes through these. Each
 * behaves as the C function does and leaves errno as it found it (a failed
 * allocation sets ENOMEM, and C11 lets any of them set errno even on
 * success), so that no public function changes errno: libkvmsea(7).
 * Never on the signal path.
 */
#ifndef LIBKVMSEA_ALLOC_H
#define LIBKVMSEA_ALLOC_H

#include <stddef.h>

void *kvmsea_malloc(size_t size);
void *kvmsea_calloc(size_t n, size_t size);
void *kvmsea_realloc(void *p, size_t size);
void kvmsea_free(void *p);

#endif /* LIBKVMSEA_ALLOC_H */
