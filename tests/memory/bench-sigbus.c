/* SPDX-License-Identifier: MIT */
/*
 * Cost of kvmsea_sigbus(), what a VMM's SIGBUS handler calls (a meson
 * benchmark, not a test).
 *
 *   bench-sigbus                       every case below, time per call
 *   bench-sigbus vm|vcpu|not-mine SLOTS ITERATIONS
 *
 * vm records an AO for the VM (the context's queue), vcpu an AR for a vCPU
 * (its own queue), not-mine answers for an address outside guest memory;
 * the map has SLOTS slots and the addresses are spread over all of them.
 * Each record is taken out again (kvmsea_ctx_next_error() or the hook),
 * which the times printed include. Under valgrind --tool=callgrind with
 * --toggle-collect=kvmsea_sigbus the instructions per call are the total
 * / ITERATIONS: see docs/performance.md.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "internal.h"
#include "kvmsim.h"

#define K4 0x1000ULL
#define PROBES 4096

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ns per call, or -1 on a setup failure. */
static double bench(const char *mode, uint32_t slots, long iterations)
{
	static void *addr[PROBES];
	struct kvmsim_host *host = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	struct kvmsim_vm *vm = host ? kvmsim_create_vm(host, 0) : NULL;
	struct kvmsim_vcpu *sv = vm ? kvmsim_create_vcpu(vm, 0) : NULL;
	bool on_vcpu = !strcmp(mode, "vcpu"), mine = strcmp(mode, "not-mine");
	struct kvmsea_ctx *ctx = NULL;
	struct kvmsea_vcpu *v = NULL;
	struct kvmsea_event ev;
	double start, ns = -1;
	uint64_t rng = 1;
	long ok = 0;

	if (!sv || kvmsea_ctx_new(kvmsim_vm_fd(vm), &ctx) < 0 ||
	    kvmsea_vcpu_new(ctx, kvmsim_vcpu_fd(sv), kvmsim_vcpu_run_area(sv),
			    0, 0, &v) < 0)
		goto out;
	/* Slot i: 4 pages, gpa ascending and hva descending. */
	for (uint32_t i = 0; i < slots; i++) {
		struct kvmsea_memslot s = {
			.slot = i, .gpa = 0x40000000 + i * 8 * K4, .size = 4 * K4,
			.hva = 0x7f0000000000 - i * 8 * K4,
		};

		if (kvmsea_ctx_set_memslot(ctx, &s) < 0)
			goto out;
	}
	for (int i = 0; i < PROBES; i++) {
		rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
		uint64_t hva = 0x7f0000000000 - (rng >> 33) % slots * 8 * K4 +
			       (rng >> 20) % (4 * K4);

		addr[i] = (void *)(uintptr_t)(mine ? hva : 0x1000);
	}

	start = now_ns();
	for (long i = 0; i < iterations; i++) {
		int r = kvmsea_sigbus(ctx, on_vcpu ? v : NULL,
				      on_vcpu ? BUS_MCEERR_AR : BUS_MCEERR_AO,
				      addr[i % PROBES], 12);

		ok += r == (mine ? KVMSEA_SIGBUS_RECORDED : KVMSEA_SIGBUS_NOT_MINE);
		/* Take the record out again, so that the queue never fills. */
		if (on_vcpu)
			(void)kvmsea_vcpu_handle_exit(v, 0); /* moves it to the VM */
		if (mine)
			(void)kvmsea_ctx_next_error(ctx, &ev);
	}
	ns = (now_ns() - start) / (double)iterations;
	if (ok != iterations)
		ns = -1;
out:
	kvmsea_vcpu_free(v);
	kvmsea_ctx_free(ctx);
	kvmsim_host_free(host);
	return ns;
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { "vm", "vcpu", "not-mine" };

	if (argc == 4 && (!strcmp(argv[1], "vm") || !strcmp(argv[1], "vcpu") ||
			  !strcmp(argv[1], "not-mine"))) {
		long n = atol(argv[2]), iterations = atol(argv[3]);
		double ns = n > 0 && n <= 4096 && iterations > 0 ?
			    bench(argv[1], (uint32_t)n, iterations) : -2;

		if (ns >= 0) {
			printf("%s %ld: %.1f ns per signal, its drain included\n", argv[1], n, ns);
			return 0;
		}
		if (ns == -1) {
			fprintf(stderr, "bench-sigbus: %s %ld failed\n", argv[1], n);
			return 1;
		}
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [vm|vcpu|not-mine SLOTS ITERATIONS] "
			"(SLOTS <= 4096)\n", argv[0]);
		return 2;
	}
	for (size_t m = 0; m < 3; m++)
		for (uint32_t n = 1; n <= 4096; n *= 64) {
			double ns = bench(modes[m], n, 1000000);

			if (ns < 0)
				return 1;
			printf("%s %u: %.1f ns per signal, its drain included\n", modes[m], n, ns);
		}
	return 0;
}
