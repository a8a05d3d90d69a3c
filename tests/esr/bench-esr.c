/* SPDX-License-Identifier: MIT */
/*
 * Cost of kvmsea_esr_decode() (a meson benchmark, not a test).
 *
 *   bench-esr [ITERATIONS [ESR...]]
 *
 * Decodes each ESR (by default the KVM SEA exit value and a few other
 * layouts) ITERATIONS times and prints the time per decode. Under
 * valgrind --tool=callgrind the instruction count per decode is
 * Ir(kvmsea_esr_decode, inclusive) / calls: see docs/performance.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libkvmsea/esr.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static const uint64_t defaults[] = {
		0x92000010,  /* KVM_EXIT_ARM_SEA data abort: the SEA path */
		0x82000010,  /* instruction abort SEA */
		0x40092000010ull, /* data abort with ISS2 */
		0xbe001811,  /* SError, AET = CE */
		0x62300421,  /* MRS SCTLR_EL1 (system register name look-up) */
		0xfc000000,  /* unallocated EC */
	};
	const uint64_t *values = defaults;
	size_t count = sizeof(defaults) / sizeof(defaults[0]);
	uint64_t *own = NULL;
	long iterations = argc > 1 ? atol(argv[1]) : 10000000;
	volatile uint32_t sink = 0;

	if (iterations <= 0) {
		fprintf(stderr, "usage: %s [ITERATIONS [ESR...]]\n", argv[0]);
		return 2;
	}
	if (argc > 2) {
		count = (size_t)argc - 2;
		own = calloc(count, sizeof(*own));
		if (!own)
			return 1;
		for (size_t i = 0; i < count; i++)
			own[i] = strtoull(argv[i + 2], NULL, 0);
		values = own;
	}

	for (size_t i = 0; i < count; i++) {
		struct kvmsea_esr d;
		double start = now_ns();

		for (long n = 0; n < iterations; n++) {
			kvmsea_esr_decode(values[i], &d);
			sink += d.iss;
		}
		printf("0x%016llx %-11s %6.2f ns/decode\n",
		       (unsigned long long)values[i], kvmsea_esr_ec_name(d.ec),
		       (now_ns() - start) / (double)iterations);
	}
	free(own);
	(void)sink; /* only there so the loop is not optimized away */
	return 0;
}
