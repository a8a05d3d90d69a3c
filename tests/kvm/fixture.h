/* SPDX-License-Identifier: MIT */
/* A VM with one vCPU in the simulated kernel, and libkvmsea bound to it. */
#ifndef KVMSEA_TEST_FIXTURE_H
#define KVMSEA_TEST_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "internal.h"
#include "kvmsim.h"

struct fx {
	struct kvmsim_host *host;
	struct kvmsim_vm *vm;
	struct kvmsim_vcpu *sv;   /* the simulated vCPU */
	struct kvmsea_ctx *ctx;
	struct kvmsea_vcpu *v;    /* the library's handle */
	struct kvmsea_uapi_run *run;
};

struct fx_opts {
	enum kvmsim_profile profile;
	unsigned int host_flags;  /* KVMSIM_HOST_* */
	unsigned int vm_flags;    /* KVMSIM_VM_* */
	unsigned int vcpu_flags;  /* KVMSIM_VCPU_* */
	bool enable;              /* kvmsea_ctx_enable() */
};

/* Builds everything or fails the test. */
void fx_init(struct fx *f, const struct fx_opts *o);
void fx_fini(struct fx *f);

/* A RAS host, SEA exits enabled, a plain AArch64 vCPU. */
void fx_init_default(struct fx *f);

/* Where fx_guest_at() puts the guest. */
#define FX_VBAR 0x40080000ULL
#define FX_PC 0x40001000ULL

/* Put the guest at @pstate, PC FX_PC, VBAR_EL1 FX_VBAR: a booted kernel. */
void fx_guest_at(struct fx *f, uint64_t pstate);

/* Queue an SEA and run: returns what kvmsea_vcpu_handle_exit() said. */
int fx_run_sea(struct fx *f, uint64_t esr, uint64_t far, uint64_t ipa,
	       bool ipa_valid);
/* A handler whose @opaque points to an enum kvmsea_strategy: it injects
 * with that strategy and returns HANDLED (or the error); with
 * KVMSEA_STRATEGY_NONE it returns KVMSEA_ACTION_DEFAULT. */
int fx_inject_handler(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
		      void *opaque);

/* One KVM_RUN and the hook, as a VMM's loop does it. */
int fx_run_once(struct fx *f);

#endif
