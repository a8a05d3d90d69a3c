/* SPDX-License-Identifier: MIT */
/*
 * A minimal KVM VMM for the e2e programs: one VM with 64 KiB of RAM holding
 * the guest of guest.S, a "bad" page that raises real synchronous external
 * aborts, and a report page that turns guest stores into MMIO exits.
 *
 * The bad page: /dev/mem mmap'ed at a hole in the emulated machine's
 * physical map (no RAM, no device) and registered as a memslot. A guest
 * access there reaches the emulator, which answers with an external abort,
 * exactly as a memory error would look to KVM.
 */
#ifndef E2E_VM_H
#define E2E_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#define E2E_RAM_IPA     0x40000000ull
#define E2E_RAM_SIZE    0x10000ull
#define E2E_BAD_IPA     0x50000000ull
#define E2E_BAD_SIZE    0x1000ull
#define E2E_REPORT_IPA  0x60000000ull
/* qemu-system-aarch64 -M virt: nothing is mapped between the RTC/GPIO
 * block and the platform bus at 0x0c000000. */
#define E2E_BAD_PHYS    0x0b000000ull

#ifndef KVM_CAP_ARM_SEA_TO_USER
#define KVM_CAP_ARM_SEA_TO_USER 245
#endif
#ifndef KVM_EXIT_ARM_SEA
#define KVM_EXIT_ARM_SEA 41
#endif

/* KVM's arm_sea member of the exit union (older headers lack it). */
struct e2e_arm_sea {
	uint64_t flags, esr, gva, gpa;
};

static inline const struct e2e_arm_sea *e2e_sea(const struct kvm_run *run)
{
	return (const struct e2e_arm_sea *)(const void *)&run->mmio;
}

struct e2e_vm {
	int kvm_fd;
	int vm_fd;
	int run_size;
	uint8_t *ram;
	void *bad;
	int vgic_fd;      /* -1 without an in-kernel GIC */
};

struct e2e_vcpu {
	struct e2e_vm *vm;
	int fd;
	struct kvm_run *run;
	uint32_t id;
	uint64_t sctlr_reset;  /* SCTLR_EL1 right after KVM_ARM_VCPU_INIT */
};

/* What the guest's vector wrote to the report page. */
struct e2e_report {
	uint64_t vector, esr, far, elr, spsr, pstate;
	bool done;        /* the vector finished its report */
	bool no_abort;    /* the access completed without an exception */
	uint64_t ifsr, ifar; /* AArch32 guests only (guest32.S) */
};

/* Where and how a vCPU starts. */
struct e2e_start {
	uint64_t pc;       /* an e2e_guest_* entry, as an IPA: e2e_guest_ipa() */
	uint64_t pstate;   /* e.g. 0x3c5 EL1h with DAIF masked */
	uint64_t sctlr_set;   /* bits set in SCTLR_EL1 (from its reset value) */
	uint64_t sctlr_clear; /* bits cleared */
	uint64_t x1;       /* the address to fault on */
};

/* Guest entry points (guest.S) as IPAs. */
extern const char e2e_guest_start[], e2e_guest_end[];
extern const char e2e_guest_load[], e2e_guest_store[], e2e_guest_branch[];
uint64_t e2e_guest_ipa(const char *sym);

/* ONE_REG ids. */
#define E2E_CORE(off) (KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | ((off) / 4))
#define E2E_REG_X(n)    E2E_CORE(8 * (n))
#define E2E_REG_SP_EL0  E2E_CORE(8 * 31)
#define E2E_REG_PC      E2E_CORE(8 * 32)
#define E2E_REG_PSTATE  E2E_CORE(8 * 33)
#define E2E_REG_SP_EL1  E2E_CORE(8 * 34)
#define E2E_REG_ELR_EL1 E2E_CORE(8 * 35)
#define E2E_REG_SPSR_EL1 E2E_CORE(8 * 36)
#define E2E_REG_SPSR_ABT E2E_CORE(8 * 37) /* AArch32 EL1: spsr[1] */
#define E2E_SYSREG(op0, op1, crn, crm, op2) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | \
	 ((uint64_t)(op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))
#define E2E_REG_SCTLR_EL1 E2E_SYSREG(3, 0, 1, 0, 0)
#define E2E_REG_TCR_EL1   E2E_SYSREG(3, 0, 2, 0, 2)  /* AArch32: TTBCR */
#define E2E_REG_ESR_EL1   E2E_SYSREG(3, 0, 5, 2, 0)
#define E2E_REG_FAR_EL1   E2E_SYSREG(3, 0, 6, 0, 0)
#define E2E_REG_VBAR_EL1  E2E_SYSREG(3, 0, 12, 0, 0)
#define E2E_REG_IFSR32_EL2 E2E_SYSREG(3, 4, 5, 0, 1) /* AArch32: IFSR */
/* Virtual EL2 (a vCPU with KVM_ARM_VCPU_HAS_EL2). */
#define E2E_REG_SCTLR_EL2 E2E_SYSREG(3, 4, 1, 0, 0)
#define E2E_REG_HCR_EL2   E2E_SYSREG(3, 4, 1, 1, 0)
#define E2E_REG_SPSR_EL2  E2E_SYSREG(3, 4, 4, 0, 0)
#define E2E_REG_ELR_EL2   E2E_SYSREG(3, 4, 4, 0, 1)
#define E2E_REG_ESR_EL2   E2E_SYSREG(3, 4, 5, 2, 0)
#define E2E_REG_FAR_EL2   E2E_SYSREG(3, 4, 6, 0, 0)
#define E2E_REG_VBAR_EL2  E2E_SYSREG(3, 4, 12, 0, 0)
#define E2E_REG_SP_EL2    E2E_SYSREG(3, 6, 4, 1, 0)

#define E2E_SCTLR_SPAN  (1ull << 23)
#define E2E_SCTLR_DSSBS (1ull << 44)

/* All functions return 0 or a negative errno. */
int e2e_vm_open(struct e2e_vm *vm, bool with_bad_page);
void e2e_vm_close(struct e2e_vm *vm);
/* Enable KVM_CAP_ARM_SEA_TO_USER with a raw KVM_ENABLE_CAP. */
int e2e_vm_enable_sea_raw(struct e2e_vm *vm);
int e2e_vcpu_open(struct e2e_vm *vm, uint32_t id, struct e2e_vcpu *vcpu);
/* The same with extra KVM_ARM_VCPU_INIT feature bits (e.g. 1 << 7,
 * KVM_ARM_VCPU_HAS_EL2). */
int e2e_vcpu_open_features(struct e2e_vm *vm, uint32_t id, uint32_t features,
			   struct e2e_vcpu *vcpu);
/* An in-kernel GICv3 (nested virtualization needs one): create it before
 * the vCPUs, initialise it after. */
int e2e_vm_create_vgic(struct e2e_vm *vm);
int e2e_vm_init_vgic(struct e2e_vm *vm);
void e2e_vcpu_close(struct e2e_vcpu *vcpu);
int e2e_set_reg(struct e2e_vcpu *vcpu, uint64_t id, uint64_t val);
int e2e_get_reg(struct e2e_vcpu *vcpu, uint64_t id, uint64_t *val);
/* Point the vCPU at an entry with the given state (and reset SP, VBAR). */
int e2e_vcpu_start(struct e2e_vcpu *vcpu, const struct e2e_start *s);
/* One KVM_RUN: 0 or -errno (errno of the ioctl). */
int e2e_vcpu_run_once(struct e2e_vcpu *vcpu);
/* If the last exit is a store to the report page, record it and return
 * true. Anything else: false. */
bool e2e_report_mmio(struct e2e_vcpu *vcpu, struct e2e_report *rep);

#endif
