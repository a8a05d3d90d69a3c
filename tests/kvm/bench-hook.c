/* SPDX-License-Identifier: MIT */
/*
 * What a non-SEA exit costs through the hook: the run loop calls
 * kvmsea_vcpu_handle_exit() after every KVM_RUN, and for anything but exit
 * 41 it must answer without a system call. Run it under callgrind (see
 * docs/performance.md) to count instructions per call; run plainly, it
 * reports the time per call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

int main(int argc, char **argv)
{
	static struct kvmsea_uapi_run run; /* stands in for the mmap'ed page */
	struct kvmsea_ctx ctx;
	struct kvmsea_vcpu *vcpu;
	long calls = argc > 1 ? atol(argv[1]) : 10000000;
	struct timespec t0, t1;
	long handled = 0;

	/* The context is built by hand: no KVM is needed for this path. */
	memset(&ctx, 0, sizeof(ctx));
	if (kvmsea_vcpu_new(&ctx, 0, &run, 0, 0, &vcpu) < 0)
		return 1;
	run.exit_reason = 6; /* KVM_EXIT_MMIO */

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < calls; i++)
		handled += kvmsea_vcpu_handle_exit(vcpu, 0) == KVMSEA_EXIT_NOT_SEA;
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("non-SEA exits: %ld calls, %.2f ns per call\n", handled,
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / calls);
	kvmsea_vcpu_free(vcpu);
	return handled == calls ? 0 : 1;
}
