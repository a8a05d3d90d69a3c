/* SPDX-License-Identifier: MIT */
/*
 * The examples' demo VM (examples/demo-vm.h) on the simulated KVM, and an
 * example's main() run on it with its output captured. See sim-vm.c.
 */
#ifndef SIM_VM_H
#define SIM_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvmsim.h"

/* One simulated machine at a time: set the first two fields, run the
 * example, check the rest, then sim_vm_free(). */
struct sim_vm {
	enum kvmsim_profile profile;             /* the host */
	void (*ready)(struct kvmsim_vcpu *vcpu); /* called once the vCPU exists */

	struct kvmsim_host *host;
	struct kvmsim_vcpu *vcpu;
	bool destroyed;      /* the example called demo_vm_destroy() */
	bool guest_ran;      /* the guest's abort handler ran: ... */
	uint64_t vector;     /* ... on this vector (0..15) ... */
	uint64_t esr, far, elr; /* ... with these registers, ... */
	uint64_t spsr, pstate;  /* ... and these after a synchronous entry */
};
extern struct sim_vm sim_vm;

/* Frees the simulated host and clears sim_vm. */
void sim_vm_free(void);

/* Runs @main_fn with argv { @name, @args..., NULL } (@args NULL-terminated,
 * at most 14), its stdout captured into @out (NUL-terminated) and shown on
 * stdout afterwards. Returns main_fn's return value. */
int sim_vm_run_main(int (*main_fn)(int, char **), const char *name,
		    const char *const *args, char *out, size_t size);

#endif /* SIM_VM_H */
