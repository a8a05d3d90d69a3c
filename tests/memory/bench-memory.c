/* SPDX-License-Identifier: MIT */
/*
 * Cost of the guest memory map's lookups and of recording a memory error
 * (a meson benchmark, not a test).
 *
 *   bench-memory                       every case below, time per call
 *   bench-memory hva-to-gpa SLOTS ITERATIONS
 *   bench-memory gpa-to-hva SLOTS ITERATIONS
 *   bench-memory record-hit RANGES ITERATIONS
 *   bench-memory record-new RANGES ITERATIONS
 *
 * hva-to-gpa and gpa-to-hva look up ITERATIONS addresses spread over a map
 * of SLOTS slots (their gpa order is not their hva order). record-hit
 * records ITERATIONS errors on pages a registry of RANGES ranges already
 * holds; record-new fills an empty registry with RANGES new ranges, in a
 * random order, ITERATIONS times. Under valgrind --tool=callgrind with
 * --toggle-collect=kvmsea_memmap_hva_to_gpa (or _gpa_to_hva, or
 * kvmsea_poison_record) the instructions per call are the total / calls:
 * see docs/performance.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memmap.h"
#include "poison.h"
#include "rel-env.h"

#define K4 0x1000ULL
#define PROBES 4096 /* addresses, errors or a fill order, made beforehand */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Slot i: 1 to 4 pages, ascending in gpa and descending in hva. */
static struct kvmsea_memslot slot_at(uint32_t i)
{
	return (struct kvmsea_memslot){
		.slot = i, .gpa = 0x40000000 + i * 8 * K4, .size = (1 + i % 4) * K4,
		.hva = 0x7f0000000000 - i * 8 * K4,
	};
}

/* ns per call, or -1 on a setup failure. */
static double bench_lookup(bool by_hva, uint32_t slots, long iterations)
{
	static uint64_t addr[PROBES];
	struct kvmsea_memmap m;
	uint64_t rng = 1, to;
	double start, ns;
	long found = 0;

	if (kvmsea_memmap_init(&m) < 0)
		return -1;
	for (uint32_t i = 0; i < slots; i++) {
		struct kvmsea_memslot s = slot_at(i);

		if (kvmsea_memmap_set(&m, &s) < 0)
			return -1;
	}
	for (int k = 0; k < PROBES; k++) {
		uint64_t r = rel_rand(&rng);
		struct kvmsea_memslot s = slot_at((uint32_t)(r % slots));

		addr[k] = (by_hva ? s.hva : s.gpa) + (r >> 32) % s.size;
	}
	start = now_ns();
	for (long i = 0; i < iterations; i++) {
		uint64_t a = addr[i % PROBES];

		found += (by_hva ? kvmsea_memmap_hva_to_gpa(&m, a, &to, NULL)
				 : kvmsea_memmap_gpa_to_hva(&m, a, &to, NULL)) == 0;
	}
	ns = (now_ns() - start) / iterations;
	kvmsea_memmap_fini(&m);
	return found == iterations ? ns : -1;
}

static struct kvmsea_poison_error page(uint64_t i)
{
	return (struct kvmsea_poison_error){
		.gpa = i * 2 * K4, .size = K4, .source = KVMSEA_SOURCE_SIGBUS_AR,
		.realtime_ns = i, .monotonic_ns = i,
	};
}

static double bench_record(bool hit, uint32_t ranges, long iterations)
{
	static struct kvmsea_poison_error err[PROBES];
	struct kvmsea_poison_set s;
	struct kvmsea_poison_result r;
	uint64_t rng = 1;
	double start, ns;
	long calls = 0, bad = 0;

	if (ranges > PROBES || kvmsea_poison_init(&s) < 0 ||
	    kvmsea_poison_set_capacity(&s, ranges) < 0 ||
	    kvmsea_poison_set_storm(&s, 64, 1000000) < 0)
		return -1;
	/* record-new: a shuffled fill order; record-hit: held pages */
	for (uint32_t k = 0; k < ranges; k++)
		err[k] = page(k);
	for (uint32_t k = ranges - 1; k > 0; k--) {
		uint32_t j = (uint32_t)(rel_rand(&rng) % (k + 1));
		struct kvmsea_poison_error t = err[k];

		err[k] = err[j];
		err[j] = t;
	}
	if (hit) {
		for (uint32_t k = 0; k < ranges; k++)
			bad += kvmsea_poison_record(&s, &err[k], &r) < 0;
		for (int k = 0; k < PROBES; k++)
			err[k] = page(rel_rand(&rng) % ranges);
	}

	start = now_ns();
	for (long i = 0; i < iterations; i++) {
		if (hit) {
			bad += kvmsea_poison_record(&s, &err[i % PROBES], &r) < 0 ||
			       r.new_range;
			calls++;
			continue;
		}
		kvmsea_poison_clear(&s);
		for (uint32_t k = 0; k < ranges; k++)
			bad += kvmsea_poison_record(&s, &err[k], &r) < 0 || !r.new_range;
		calls += ranges;
	}
	ns = (now_ns() - start) / calls;
	kvmsea_poison_fini(&s);
	return bad ? -1 : ns;
}

static double run(const char *mode, uint32_t n, long iterations)
{
	if (!strcmp(mode, "hva-to-gpa"))
		return bench_lookup(true, n, iterations);
	if (!strcmp(mode, "gpa-to-hva"))
		return bench_lookup(false, n, iterations);
	if (!strcmp(mode, "record-hit"))
		return bench_record(true, n, iterations);
	if (!strcmp(mode, "record-new"))
		return bench_record(false, n, iterations);
	return -2;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *mode;
		uint32_t n;
		long iterations;
	} all[] = {
		{ "hva-to-gpa", 1, 10000000 }, { "hva-to-gpa", 64, 10000000 },
		{ "hva-to-gpa", 4096, 10000000 }, { "gpa-to-hva", 1, 10000000 },
		{ "gpa-to-hva", 64, 10000000 }, { "gpa-to-hva", 4096, 10000000 },
		{ "record-hit", 1, 10000000 }, { "record-hit", 64, 10000000 },
		{ "record-hit", 1024, 10000000 }, { "record-new", 1, 1000000 },
		{ "record-new", 64, 20000 }, { "record-new", 1024, 1000 },
	};

	if (argc == 4) {
		long n = atol(argv[2]), iterations = atol(argv[3]);
		double ns = n > 0 && n <= PROBES && iterations > 0
				    ? run(argv[1], (uint32_t)n, iterations) : -2;

		if (ns >= 0)
			printf("%s %ld: %.1f ns per call\n", argv[1], n, ns);
		else if (ns == -1)
			fprintf(stderr, "bench-memory: setting up %s %ld failed\n",
				argv[1], n);
		if (ns >= 0 || ns == -1)
			return ns >= 0 ? 0 : 1;
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [hva-to-gpa|gpa-to-hva|record-hit|record-new"
			" N ITERATIONS] (N <= %d)\n", argv[0], PROBES);
		return 2;
	}
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		double ns = run(all[i].mode, all[i].n, all[i].iterations);

		if (ns < 0)
			return 1;
		printf("%s %u: %.1f ns per call\n", all[i].mode, all[i].n, ns);
	}
	return 0;
}
