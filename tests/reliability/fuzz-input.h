/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets share: a reader that takes values off the fuzzer's
 * input (zeros once it runs out, so every input is a valid program), and
 * the check that turns a broken invariant into a crash the fuzzer reports.
 */
#ifndef KVMSEA_FUZZ_INPUT_H
#define KVMSEA_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort(): libFuzzer saves the input as a crash, the replay driver fails. */
#define FUZZ_CHECK(cond)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",      \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

struct fuzz_input {
	const uint8_t *p;
	size_t left;
};

/* Byte by byte on purpose: gcc 12.2 -O2 drops the memset() of a
 * "memset(out, 0, n); memcpy(out, p, have)" pair when have < n, leaving
 * stale bytes (seen by valgrind in this very function). */
static inline void fuzz_take(struct fuzz_input *in, void *out, size_t n)
{
	uint8_t *o = out;

	for (size_t i = 0; i < n; i++) {
		if (in->left) {
			o[i] = *in->p++;
			in->left--;
		} else {
			o[i] = 0;
		}
	}
}

static inline uint8_t fuzz_u8(struct fuzz_input *in)
{
	uint8_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
	uint32_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint64_t fuzz_u64(struct fuzz_input *in)
{
	uint64_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

#endif
