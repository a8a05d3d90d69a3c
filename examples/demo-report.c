/* SPDX-License-Identifier: MIT */
/*
 * What the demo guest tells its VMM: the stores of its abort handler to
 * the report page (layout in demo-guest.S), read from KVM_EXIT_MMIO.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libkvmsea/esr.h>

#include "demo-vm.h"

const char *const demo_access_names[3] = { "load", "store", "fetch" };

/* The report after the guest's handler stored its last value, ELR_EL1. */
static void print_report(const struct demo_vm *vm)
{
	static const char *const vbase[] = { "current EL with SP_EL0", "current EL with SP_ELx",
					     "lower EL, AArch64", "lower EL, AArch32" };
	static const char *const vtype[] = { "synchronous", "IRQ", "FIQ", "SError" };
	char esr[512];

	kvmsea_esr_format(vm->report[1], KVMSEA_ESR_ONELINE, esr, sizeof(esr));
	printf("%s: the guest's handler ran: vector +0x%03" PRIx64 " (%s, %s)\n",
	       vm->cfg.name, vm->report[0] * 0x80, vbase[(vm->report[0] / 4) & 3],
	       vtype[vm->report[0] & 3]);
	printf("  ESR_EL1  %s\n  FAR_EL1  0x%" PRIx64 "\n  ELR_EL1  0x%" PRIx64 "\n",
	       esr, vm->report[2], vm->report[3]);
}

enum demo_next demo_vm_report(struct demo_vm *vm)
{
	const struct kvm_run *run = vm->run;
	uint64_t off = run->mmio.phys_addr - DEMO_REPORT_IPA, val = 0;

	if (run->exit_reason != KVM_EXIT_MMIO || !run->mmio.is_write ||
	    run->mmio.phys_addr < DEMO_REPORT_IPA || off > 32 || off % 8) {
		printf("%s: unexpected exit %" PRIu32 "\n", vm->cfg.name, run->exit_reason);
		return DEMO_FAILED;
	}
	memcpy(&val, run->mmio.data, run->mmio.len < 8 ? run->mmio.len : 8);
	if (off == 32) {
		vm->finished = true;
		vm->aborts_taken = val;
		return DEMO_DONE;
	}
	vm->report[off / 8] = val;
	if (off == 24)
		print_report(vm);
	return DEMO_RUN;
}
