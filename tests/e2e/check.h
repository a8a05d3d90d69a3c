/* SPDX-License-Identifier: MIT */
/*
 * Verdict lines for the e2e programs. run.sh reads them from the console:
 *   E2E PASS <scenario>: <the exact values seen>
 *   E2E FAIL <scenario>: <count> check(s) failed   (each failed check is
 *                                                    printed before it)
 */
#ifndef E2E_CHECK_H
#define E2E_CHECK_H

#include <inttypes.h>
#include <stdio.h>

extern const char *e2e_scenario;
extern int e2e_failures;

void e2e_begin(const char *scenario);
/* Print PASS with @detail (printf format) or FAIL; returns 0 or 1. */
int e2e_end(const char *detail, ...) __attribute__((format(printf, 1, 2)));

#define EXPECT(cond, ...) do { \
	if (!(cond)) { \
		e2e_failures++; \
		printf("  FAIL %s (line %d): ", e2e_scenario, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

#define EXPECT_EQ(what, got, want) do { \
	uint64_t got_ = (uint64_t)(got), want_ = (uint64_t)(want); \
	EXPECT(got_ == want_, "%s = 0x%" PRIx64 ", expected 0x%" PRIx64, \
	       (what), got_, want_); \
} while (0)

#endif
