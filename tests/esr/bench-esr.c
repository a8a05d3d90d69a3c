/* SPDX-License-Identifier: MIT */
/*
 * Cost of kvmsea_esr_decode() and kvmsea_esr_format() (a meson benchmark,
 * not a test).
 *
 *   bench-esr [--format=oneline|tree|json] [ITERATIONS [ESR...]]
 *
 * Decodes (or formats, in the style given) each ESR (by default the KVM SEA
 * exit value and a few other layouts) ITERATIONS times and prints the time
 * per call. Under valgrind --tool=callgrind the instruction count per call
 * is the total collected in the function / ITERATIONS per value: see
 * docs/performance.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	static const char *const styles[] = { "oneline", "tree", "json" };
	static char text[8192];
	const char *prog = argv[0];
	const uint64_t *values = defaults;
	size_t count = sizeof(defaults) / sizeof(defaults[0]);
	uint64_t *own = NULL;
	long iterations;
	int style = -1; /* decode */
	volatile uint32_t sink = 0;

	if (argc > 1 && !strncmp(argv[1], "--format=", 9)) {
		for (int s = 0; s < 3; s++)
			if (!strcmp(argv[1] + 9, styles[s]))
				style = s;
		if (style < 0)
			goto usage;
		argc--;
		argv++;
	}
	iterations = argc > 1 ? atol(argv[1]) : 10000000;
	if (iterations <= 0)
		goto usage;
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
			if (style < 0) {
				kvmsea_esr_decode(values[i], &d);
				sink += d.iss;
			} else {
				sink += (uint32_t)kvmsea_esr_format(
					values[i], (enum kvmsea_esr_style)style,
					text, sizeof(text));
			}
		}
		printf("0x%016llx %-11s %8.2f ns/%s\n",
		       (unsigned long long)values[i],
		       kvmsea_esr_ec_name((unsigned int)(values[i] >> 26) & 0x3f),
		       (now_ns() - start) / (double)iterations,
		       style < 0 ? "decode" : styles[style]);
	}
	free(own);
	(void)sink; /* only there so the loop is not optimized away */
	return 0;

usage:
	fprintf(stderr, "usage: %s [--format=oneline|tree|json] [ITERATIONS [ESR...]]\n",
		prog);
	return 2;
}
