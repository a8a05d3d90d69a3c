/* SPDX-License-Identifier: MIT */
/*
 * The few KVM uapi constants and layouts libkvmsea needs.
 *
 * Why this exists: the build host's <linux/kvm.h> is often older than the
 * SEA exit (Debian bookworm ships 6.1 headers; the exit came in 6.19), and on
 * an x86_64 build host the arm64 <asm/kvm.h> is not there at all. So generic
 * constants are taken from the system when it has them and defined here when
 * it does not, and the arm64-only layouts get names of our own (the system's
 * struct of the same name may be another architecture's).
 *
 * tests/build/uapi-check.* prove every value, size and offset here equal
 * to a Linux 7.x arm64 uapi at test time. Written from the documented ABI,
 * not copied.
 */
#ifndef LIBKVMSEA_UAPI_COMPAT_H
#define LIBKVMSEA_UAPI_COMPAT_H

#include <stddef.h>
#include <stdint.h>
#include <linux/ioctl.h>
#include <linux/kvm.h>

#include "arm64.h"

/* --- Generic KVM (linux/kvm.h) --------------------------------------- */

#ifndef KVM_CAP_VCPU_EVENTS
#define KVM_CAP_VCPU_EVENTS 41
#endif
#ifndef KVM_CAP_ARM_INJECT_SERROR_ESR
#define KVM_CAP_ARM_INJECT_SERROR_ESR 158
#endif
#ifndef KVM_CAP_ARM_INJECT_EXT_DABT
#define KVM_CAP_ARM_INJECT_EXT_DABT 178
#endif
#ifndef KVM_CAP_ARM_EL2
#define KVM_CAP_ARM_EL2 240
#endif
#ifndef KVM_CAP_ARM_SEA_TO_USER
#define KVM_CAP_ARM_SEA_TO_USER 245
#endif
#ifndef KVM_EXIT_ARM_SEA
#define KVM_EXIT_ARM_SEA 41
#endif
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif
#ifndef KVM_EXIT_ARM_SEA_FLAG_GPA_VALID
#define KVM_EXIT_ARM_SEA_FLAG_GPA_VALID (1ULL << 0)
#endif

/* The head of struct kvm_run, up to the exit union, and the arm_sea member.
 * Ours because old headers have no arm_sea member. */
struct kvmsea_uapi_arm_sea {
	uint64_t flags;
	uint64_t esr;
	uint64_t gva;
	uint64_t gpa;
};

struct kvmsea_uapi_memory_fault {
	uint64_t flags;
	uint64_t gpa;
	uint64_t size;
};

struct kvmsea_uapi_run {
	uint8_t request_interrupt_window;
	uint8_t immediate_exit;
	uint8_t padding1[6];
	uint32_t exit_reason;
	uint8_t ready_for_interrupt_injection;
	uint8_t if_flag;
	uint16_t flags;
	uint64_t cr8;
	uint64_t apic_base;
	union {
		struct kvmsea_uapi_arm_sea arm_sea;
		struct kvmsea_uapi_memory_fault memory_fault;
		char padding[256];
	} u;
};

/* --- arm64 (asm/kvm.h): named ours, the host's may be x86's ----------- */

struct kvmsea_uapi_vcpu_events {
	struct {
		uint8_t serror_pending;
		uint8_t serror_has_esr;
		uint8_t ext_dabt_pending;
		uint8_t pad[5];
		uint64_t serror_esr;
	} exception;
	uint32_t reserved[12];
};

#define KVMSEA_IOCTL_GET_VCPU_EVENTS \
	_IOR(KVMIO, 0x9f, struct kvmsea_uapi_vcpu_events)
#define KVMSEA_IOCTL_SET_VCPU_EVENTS \
	_IOW(KVMIO, 0xa0, struct kvmsea_uapi_vcpu_events)

/* vCPU init features (the bit numbers of kvm_vcpu_init.features[0]). */
#define KVMSEA_UAPI_VCPU_EL1_32BIT 1
#define KVMSEA_UAPI_VCPU_HAS_EL2 7

/* ONE_REG ids. KVM_REG_ARM64 and KVM_REG_SIZE_U64 are generic. */
#define KVMSEA_REG_ARM64 0x6000000000000000ULL
#define KVMSEA_REG_SIZE_U64 0x0030000000000000ULL
#define KVMSEA_REG_ARM_CORE (0x0010ULL << 16)
#define KVMSEA_REG_ARM64_SYSREG (0x0013ULL << 16)

/* A core register by its offset in arm64 struct kvm_regs, in u32 units:
 * regs[31] (0), sp (248), pc (256), pstate (264), sp_el1 (272),
 * elr_el1 (280), spsr[5] (288). */
#define KVMSEA_CORE_REG(off32) \
	(KVMSEA_REG_ARM64 | KVMSEA_REG_SIZE_U64 | KVMSEA_REG_ARM_CORE | (off32))
#define KVMSEA_REG_X(n) KVMSEA_CORE_REG(2ULL * (n))
#define KVMSEA_REG_PC KVMSEA_CORE_REG(0x40)
#define KVMSEA_REG_PSTATE KVMSEA_CORE_REG(0x42)
#define KVMSEA_REG_SP_EL1 KVMSEA_CORE_REG(0x44)
#define KVMSEA_REG_ELR_EL1 KVMSEA_CORE_REG(0x46)
#define KVMSEA_REG_SPSR_EL1 KVMSEA_CORE_REG(0x48) /* spsr[0] = SPSR_svc */
#define KVMSEA_REG_SPSR_ABT KVMSEA_CORE_REG(0x4a) /* spsr[1] */

#define KVMSEA_SYSREG(op0, op1, crn, crm, op2)                                 \
	(KVMSEA_REG_ARM64 | KVMSEA_REG_SIZE_U64 | KVMSEA_REG_ARM64_SYSREG |    \
	 A64_SYSREG_ENC(op0, op1, crn, crm, op2))

#define KVMSEA_REG_ID_AA64PFR0_EL1 KVMSEA_SYSREG(3, 0, 0, 4, 0)
#define KVMSEA_REG_ID_AA64PFR1_EL1 KVMSEA_SYSREG(3, 0, 0, 4, 1)
#define KVMSEA_REG_ID_AA64MMFR3_EL1 KVMSEA_SYSREG(3, 0, 0, 7, 3)
#define KVMSEA_REG_SCTLR_EL1 KVMSEA_SYSREG(3, 0, 1, 0, 0)
#define KVMSEA_REG_SCTLR2_EL1 KVMSEA_SYSREG(3, 0, 1, 0, 3)
#define KVMSEA_REG_TCR_EL1 KVMSEA_SYSREG(3, 0, 2, 0, 2)
#define KVMSEA_REG_ESR_EL1 KVMSEA_SYSREG(3, 0, 5, 2, 0)
#define KVMSEA_REG_FAR_EL1 KVMSEA_SYSREG(3, 0, 6, 0, 0)
#define KVMSEA_REG_VBAR_EL1 KVMSEA_SYSREG(3, 0, 12, 0, 0)
#define KVMSEA_REG_IFSR32_EL2 KVMSEA_SYSREG(3, 4, 5, 0, 1)
#define KVMSEA_REG_SCTLR_EL2 KVMSEA_SYSREG(3, 4, 1, 0, 0)
#define KVMSEA_REG_SCTLR2_EL2 KVMSEA_SYSREG(3, 4, 1, 0, 3)
#define KVMSEA_REG_HCR_EL2 KVMSEA_SYSREG(3, 4, 1, 1, 0)
#define KVMSEA_REG_HCRX_EL2 KVMSEA_SYSREG(3, 4, 1, 2, 2)
#define KVMSEA_REG_SPSR_EL2 KVMSEA_SYSREG(3, 4, 4, 0, 0)
#define KVMSEA_REG_ELR_EL2 KVMSEA_SYSREG(3, 4, 4, 0, 1)
#define KVMSEA_REG_ESR_EL2 KVMSEA_SYSREG(3, 4, 5, 2, 0)
#define KVMSEA_REG_FAR_EL2 KVMSEA_SYSREG(3, 4, 6, 0, 0)
#define KVMSEA_REG_VBAR_EL2 KVMSEA_SYSREG(3, 4, 12, 0, 0)

/* Generic ioctls whose numbers old headers already have. */
#define KVMSEA_IOCTL_CHECK_EXTENSION KVM_CHECK_EXTENSION
#define KVMSEA_IOCTL_ENABLE_CAP KVM_ENABLE_CAP
#define KVMSEA_IOCTL_GET_ONE_REG KVM_GET_ONE_REG
#define KVMSEA_IOCTL_SET_ONE_REG KVM_SET_ONE_REG

#endif /* LIBKVMSEA_UAPI_COMPAT_H */
