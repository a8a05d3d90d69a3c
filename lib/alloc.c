/* SPDX-License-Identifier: MIT */
/* Every allocation of the library, and its one errno rule (alloc.h). */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "alloc.h"

static void restore_errno(int saved)
{
	/* clang 14 takes malloc() and calloc() to leave errno alone, and drops
	 * the store below as one that changes nothing; a failed one sets
	 * ENOMEM. The fence tells the compiler memory may have changed. */
	atomic_signal_fence(memory_order_seq_cst);
	errno = saved;
}

void *kvmsea_malloc(size_t size)
{
	int saved = errno;
	void *p = malloc(size);

	restore_errno(saved);
	return p;
}

void *kvmsea_calloc(size_t n, size_t size)
{
	int saved = errno;
	void *p = calloc(n, size);

	restore_errno(saved);
	return p;
}

void *kvmsea_realloc(void *p, size_t size)
{
	int saved = errno;
	void *q = realloc(p, size);

	restore_errno(saved);
	return q;
}

void kvmsea_free(void *p)
{
	int saved = errno;

	free(p);
	restore_errno(saved);
}
