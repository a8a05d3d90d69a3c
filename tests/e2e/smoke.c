// SPDX-License-Identifier: MIT
/*
 * e2e smoke test, raw KVM ioctls only (no libkvmsea): shows that the machine
 * raises real SEAs and that KVM reports them, so a failure of the library
 * scenarios cannot be blamed on the environment. Prints what it sees.
 */
#include "vm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define OFF 0x128 /* a byte address inside the bad page */

enum { RUN_REPORT, RUN_SEA, RUN_OTHER, RUN_ERROR };

/* Run until the guest reports, KVM exits with an SEA, or anything else. */
static int run(struct e2e_vcpu *c, struct e2e_report *rep)
{
	for (int i = 0; i < 64; i++) {
		int ret = e2e_vcpu_run_once(c);

		if (ret) {
			printf("smoke: KVM_RUN: %s\n", strerror(-ret));
			return RUN_ERROR;
		}
		if (c->run->exit_reason == KVM_EXIT_ARM_SEA)
			return RUN_SEA;
		if (!e2e_report_mmio(c, rep))
			return RUN_OTHER;
		if (rep->done || rep->no_abort)
			return RUN_REPORT;
	}
	return RUN_OTHER;
}

static void print_report(const char *what, const struct e2e_report *r)
{
	printf("smoke: %s: vector=%" PRIu64 " esr=0x%" PRIx64 " far=0x%" PRIx64
	       " elr=0x%" PRIx64 " spsr=0x%" PRIx64 " pstate=0x%" PRIx64 "%s\n",
	       what, r->vector, r->esr, r->far, r->elr, r->spsr, r->pstate,
	       r->no_abort ? " (no abort)" : "");
}

static int one(bool enable, uint64_t entry, uint64_t pstate, const char *what)
{
	struct e2e_vm vm;
	struct e2e_vcpu c;
	struct e2e_report rep = { 0 };
	struct e2e_start s = { .pc = entry, .pstate = pstate, .x1 = E2E_BAD_IPA + OFF };
	int ret, verdict = 1;

	ret = e2e_vm_open(&vm, true);
	if (ret) {
		printf("smoke: %s: VM setup: %s\n", what, strerror(-ret));
		return 1;
	}
	if (enable && (ret = e2e_vm_enable_sea_raw(&vm)))
		printf("smoke: %s: KVM_ENABLE_CAP: %s\n", what, strerror(-ret));
	if (!ret)
		ret = e2e_vcpu_open(&vm, 0, &c);
	if (!ret)
		ret = e2e_vcpu_start(&c, &s);
	if (ret) {
		printf("smoke: %s: vCPU setup: %s\n", what, strerror(-ret));
		goto out;
	}

	switch (run(&c, &rep)) {
	case RUN_SEA: {
		const struct e2e_arm_sea *sea = e2e_sea(c.run);
		struct kvm_vcpu_events ev;

		printf("smoke: %s: KVM_EXIT_ARM_SEA flags=0x%llx esr=0x%llx gva=0x%llx gpa=0x%llx\n",
		       what, (unsigned long long)sea->flags, (unsigned long long)sea->esr,
		       (unsigned long long)sea->gva, (unsigned long long)sea->gpa);
		/* A stale exit: immediate_exit makes KVM_RUN fail with EINTR
		 * before it resets exit_reason. */
		c.run->immediate_exit = 1;
		ret = e2e_vcpu_run_once(&c);
		printf("smoke: %s: immediate_exit run: ret=%d exit_reason=%u\n",
		       what, ret, c.run->exit_reason);
		c.run->immediate_exit = 0;
		memset(&ev, 0, sizeof(ev));
		ev.exception.ext_dabt_pending = 1;
		if (ioctl(c.fd, KVM_SET_VCPU_EVENTS, &ev) < 0) {
			printf("smoke: %s: KVM_SET_VCPU_EVENTS: %s\n", what, strerror(errno));
			break;
		}
		if (run(&c, &rep) == RUN_REPORT) {
			print_report("after ext_dabt_pending", &rep);
			verdict = 0;
		}
		break;
	}
	case RUN_REPORT:
		print_report(what, &rep);
		verdict = 0;
		break;
	case RUN_OTHER:
		printf("smoke: %s: exit_reason %u\n", what, c.run->exit_reason);
		break;
	default:
		break;
	}
	e2e_vcpu_close(&c);
out:
	e2e_vm_close(&vm);
	return verdict;
}

int main(void)
{
	int fails = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(120);
	fails += one(true, e2e_guest_ipa(e2e_guest_load), 0x3c5, "load, cap on");
	fails += one(true, e2e_guest_ipa(e2e_guest_store), 0x3c5, "store, cap on");
	fails += one(true, e2e_guest_ipa(e2e_guest_branch), 0x3c5, "branch, cap on");
	fails += one(false, e2e_guest_ipa(e2e_guest_load), 0x2c5, "load, cap off, A clear");
	printf("E2E %s smoke\n", fails ? "FAIL" : "PASS");
	return fails ? 1 : 0;
}
