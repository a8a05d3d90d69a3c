/* SPDX-License-Identifier: MIT */
/*
 * demo-vm: the plumbing the example VMMs minimal and sea-vmm share. None
 * of it is libkvmsea: it is what a VMM has already (a VM, its memory, a
 * vCPU, its exit handling), kept here so that the examples show the
 * library's part and little else.
 *
 * The machine: one KVM VM with 64 KiB of RAM at DEMO_RAM_IPA holding the
 * guest of demo-guest.S, one vCPU, and a bad page at DEMO_BAD_IPA that the
 * guest loads from, stores to or jumps into (at DEMO_BAD_ADDRESS). The bad
 * page is the host-physical page at bad_phys mapped from /dev/mem: in
 * qemu's "virt" machine 0x0b000000 is a hole, and an access there is
 * answered with an external abort, as a memory error would be. With
 * `simulate` it is an anonymous page with no access rights instead: the
 * guest's access then makes KVM_RUN fail with EFAULT, and the example
 * writes the SEA exit itself (sea-vmm --simulate). The guest's abort
 * handler reports what it saw through stores to DEMO_REPORT_IPA, where
 * there is no memory, so each store is a KVM_EXIT_MMIO.
 *
 * demo-vm.c builds the machine with KVM ioctls (arm64 only); demo-report.c
 * reads the guest's report. The tests build the machine on the simulated
 * KVM instead (tests/examples/sim-vm.c). Messages go to stdout, each
 * starting with the config's name.
 */
#ifndef DEMO_VM_H
#define DEMO_VM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The guest's physical memory map. */
#define DEMO_RAM_IPA      0x40000000ull /* the guest image; it starts at offset 0 */
#define DEMO_RAM_SIZE     0x10000ull
#define DEMO_BAD_IPA      0x50000000ull /* the bad page */
#define DEMO_BAD_ADDRESS  (DEMO_BAD_IPA + 0x128) /* the byte the guest touches */
#define DEMO_REPORT_IPA   0x60000000ull /* no memory: stores become MMIO exits */
#define DEMO_GUEST_PSTATE 0x2c5ull      /* EL1h; D, I, F masked; A (SError) open */
#define DEMO_BAD_PHYS     0x0b000000ull /* a hole in qemu's "virt" machine */

enum demo_access { DEMO_LOAD, DEMO_STORE, DEMO_FETCH }; /* the guest's x1 */
extern const char *const demo_access_names[3];          /* "load", ... */

struct demo_vm_config {
	const char *name;        /* the program's, for messages */
	enum demo_access access;
	uint64_t bad_phys;       /* 4 KiB aligned */
	bool simulate;           /* the bad page has no access rights instead */
};

struct demo_vm {
	struct demo_vm_config cfg;
	int kvm_fd, vm_fd, vcpu_fd;  /* -1 when not open */
	struct kvm_run *run;         /* the vCPU's, mmapped */
	size_t run_size, page_size;
	void *ram, *bad;
	uint64_t report[4];          /* vector, ESR_EL1, FAR_EL1, ELR_EL1 */
	bool finished;               /* the guest wrote "done" ... */
	uint64_t aborts_taken;       /* ... with this count */
};

/* Creates the machine, the vCPU on the guest's first instruction. Returns
 * 0, 1 (failed; it said why) or 77 (this machine cannot run it: not arm64,
 * no KVM, no /dev/mem). Arms a 20 s alarm (SIGALRM): a guest that hangs
 * ends the run through demo_vm_exit(). */
int demo_vm_create(struct demo_vm *vm, const struct demo_vm_config *cfg);

/* What the run loop does next. */
enum demo_next { DEMO_RUN, DEMO_DONE, DEMO_FAILED };

/* A KVM_RUN return that is not libkvmsea's (KVMSEA_EXIT_NOT_SEA), with the
 * run_ret given to kvmsea_vcpu_handle_exit() (0 or -errno): an interrupted
 * run goes on, a report store is kept, anything else fails (it says why). */
enum demo_next demo_vm_exit(struct demo_vm *vm, int run_ret);

/* The exit of a KVM_RUN that returned 0 (demo-report.c): a store to the
 * report page is kept, and a whole report printed; DEMO_DONE once the guest
 * wrote "done"; any other exit is DEMO_FAILED. */
enum demo_next demo_vm_report(struct demo_vm *vm);

/* Unmaps and closes what demo_vm_create() made, whatever it returned.
 * Free libkvmsea's handles first: they use the vCPU's fd and kvm_run. */
void demo_vm_destroy(struct demo_vm *vm);

#endif /* DEMO_VM_H */
