/* SPDX-License-Identifier: MIT */
/* What check-signal-safe.sh must refuse (the 'signal-safe-refuses' test):
 * an allocator call and a lock. */
#include <pthread.h>
#include <stdlib.h>

void *unsafe_sample(pthread_mutex_t *m);

void *unsafe_sample(pthread_mutex_t *m)
{
	void *p;

	pthread_mutex_lock(m);
	p = malloc(16);
	pthread_mutex_unlock(m);
	return p;
}
