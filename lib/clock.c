/* SPDX-License-Identifier: MIT */
/* The times events carry: clock_gettime(), which is async-signal-safe. */
#include <errno.h>
#include <time.h>

#include "internal.h"

static uint64_t clock_ns(clockid_t clock)
{
	int saved = errno;
	struct timespec ts;
	uint64_t ns = 0;

	if (clock_gettime(clock, &ts) == 0)
		ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	errno = saved;
	return ns;
}

uint64_t kvmsea_realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

uint64_t kvmsea_monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}
