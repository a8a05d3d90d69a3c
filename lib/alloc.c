/* SPDX-License-Identifier: MIT */
/* Every allocation of the library, and its one errno rule (alloc.h). */
#include <errno.h>
#include <stdlib.h>

#include "alloc.h"

void *kvmsea_malloc(size_t size)
{
	int saved = errno;
	void *p = malloc(size);

	errno = saved;
	return p;
}

void *kvmsea_calloc(size_t n, size_t size)
{
	int saved = errno;
	void *p = calloc(n, size);

	errno = saved;
	return p;
}

void *kvmsea_realloc(void *p, size_t size)
{
	int saved = errno;
	void *q = realloc(p, size);

	errno = saved;
	return q;
}

void kvmsea_free(void *p)
{
	int saved = errno;

	free(p);
	errno = saved;
}
