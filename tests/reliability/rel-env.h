/* SPDX-License-Identifier: MIT */
/*
 * Sizes from the environment (so one program serves a quick unit run and a
 * full-size one), and a small deterministic random generator.
 */
#ifndef KVMSEA_REL_ENV_H
#define KVMSEA_REL_ENV_H

#include <stdint.h>
#include <stdlib.h>

/* $name as a count ("1e6" and "1000000" both work), or @dflt. */
static inline unsigned long rel_env_count(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);
	char *end;
	double v;

	if (!s || !*s)
		return dflt;
	v = strtod(s, &end);
	if (*end || v < 1)
		return dflt;
	return (unsigned long)v;
}

/* splitmix64 */
static inline uint64_t rel_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif
