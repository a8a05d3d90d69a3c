/* SPDX-License-Identifier: MIT */
/*
 * A VM with guest data memory for the poison programs: vm.c's VM (guest.S
 * in slot 0) plus one data memslot, backed the way a VMM backs guest RAM:
 * anonymous memory (4 KiB pages), anonymous memory in one transparent huge
 * page (2 MiB, aligned, MADV_HUGEPAGE), hugetlb (one 2 MiB page) or
 * guest_memfd (mmap'ed, so the VMM can fill and poison it). Every 8-byte word of the
 * data holds dvm_pattern(its offset), so a guest load shows which page it
 * read and that it was not a fresh one.
 *
 * A touch is guest.S's load (e2e_guest_load) at a data IPA: the guest
 * either reports the loaded value (an MMIO store to the report page) or
 * KVM_RUN fails, and the touch records how.
 */
#ifndef E2E_DATAVM_H
#define E2E_DATAVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm.h"

enum dvm_backing { DVM_ANON, DVM_THP, DVM_HUGETLB, DVM_GMEM };

#define DVM_SLOT      2
#define DVM_IPA       0x80000000ull  /* 2 MiB aligned, for hugetlb */
#define DVM_ANON_SIZE 0x10000ull     /* 16 pages */
#define DVM_HUGE_SIZE 0x200000ull

#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif

struct dvm {
	struct e2e_vm vm;
	enum dvm_backing backing;
	uint64_t ipa;       /* the data slot's guest physical base */
	uint8_t *data;
	uint64_t size;
	int gmem_fd;        /* DVM_GMEM only, else -1 */
};

/* KVM's memory_fault member of the exit union (older headers lack it). */
struct dvm_memory_fault {
	uint64_t flags, gpa, size;
};

/* What one touch saw. */
struct dvm_touch {
	int ret;              /* KVM_RUN: 0 or -errno */
	uint32_t exit_reason; /* kvm_run's, after the failed or last run */
	bool loaded;          /* the guest reported the value it loaded */
	uint64_t value;
	uint64_t pc;          /* the guest's PC after KVM_RUN failed */
	struct dvm_memory_fault fault; /* kvm_run's memory_fault union member */
};

/* The data slot at @ipa (DVM_IPA, or elsewhere to misalign a huge page
 * with its guest address). 0 or a negative errno. */
int dvm_open(struct dvm *d, enum dvm_backing backing, uint64_t ipa);
void dvm_close(struct dvm *d);
uint64_t dvm_pattern(uint64_t off);
/* Host address of data offset @off. */
void *dvm_host(const struct dvm *d, uint64_t off);

/* Point @c at a load of data offset @off (EL1h, DAIF masked). */
int dvm_start_load(const struct dvm *d, struct e2e_vcpu *c, uint64_t off);
/* Run @c until the guest reports its load or KVM_RUN fails (the first
 * failure ends the touch; running again is the guest's next touch). */
int dvm_touch(struct e2e_vcpu *c, struct dvm_touch *t);

#endif
