/* SPDX-License-Identifier: MIT */
/*
 * Proves lib/uapi-compat.h equal to a real Linux 7.x uapi.
 *
 * Built by tests/build/uapi-check.sh with, in this order on the include
 * path: tests/build/uapi-stub (an empty <linux/kvm.h>), the extracted
 * linux-libc-dev 7.x usr/include and usr/include/<multiarch>, and lib/.
 *
 * Phase 1 includes uapi-compat.h while <linux/kvm.h> is the empty stub, so
 * each "#ifndef KVM_X" fallback defines KVM_X from our own literal; those
 * values are captured. Phase 2 forgets the macros and includes the real
 * <linux/kvm.h>, then every captured literal, ioctl number, ONE_REG id,
 * struct size and field offset is compared with the kernel's at compile
 * time. Without the stub, the real header would define KVM_X first and the
 * literals would never be looked at.
 *
 * The arm64 parts (asm/kvm.h: vcpu events, core and system registers) are
 * checked when compiled for aarch64; the generic parts on every target.
 * uapi-check.sh also generates uapi-sysregs.h: one assertion per system
 * register of uapi-compat.h, with the encoding the assembler gives its name.
 */
#include <stdio.h>

/* ---- Phase 1: our literals, with <linux/kvm.h> empty ------------------ */

#include "uapi-compat.h"

#ifdef KVMIO /* defined by the real <linux/kvm.h> only */
#error "the real <linux/kvm.h> was included in phase 1: check the -I order"
#endif

/* Every KVM_* name that lib/uapi-compat.h defines when the system's
 * <linux/kvm.h> lacks it. */
#define COMPAT_FALLBACKS(X)                                                    \
	X(KVM_CAP_VCPU_EVENTS)                                                 \
	X(KVM_CAP_ARM_INJECT_SERROR_ESR)                                       \
	X(KVM_CAP_ARM_INJECT_EXT_DABT)                                         \
	X(KVM_CAP_ARM_EL2)                                                     \
	X(KVM_CAP_ARM_SEA_TO_USER)                                             \
	X(KVM_EXIT_ARM_SEA)                                                    \
	X(KVM_EXIT_MEMORY_FAULT)                                               \
	X(KVM_EXIT_ARM_SEA_FLAG_GPA_VALID)

#define CAPTURE(name) ours_##name = (name),
enum ours_literals { COMPAT_FALLBACKS(CAPTURE) };

#undef KVM_CAP_VCPU_EVENTS
#undef KVM_CAP_ARM_INJECT_SERROR_ESR
#undef KVM_CAP_ARM_INJECT_EXT_DABT
#undef KVM_CAP_ARM_EL2
#undef KVM_CAP_ARM_SEA_TO_USER
#undef KVM_EXIT_ARM_SEA
#undef KVM_EXIT_MEMORY_FAULT
#undef KVM_EXIT_ARM_SEA_FLAG_GPA_VALID

/* ---- Phase 2: the kernel's uapi ---------------------------------------- */

#define KVMSEA_UAPI_CHECK_REAL
#include <linux/kvm.h>

#ifndef KVMIO
#error "the real <linux/kvm.h> was not reached through the stub"
#endif

#include <libkvmsea/sea.h>

#define SAME_VALUE(ours, kernel)                                               \
	_Static_assert((ours) == (kernel), #ours " != " #kernel);

#define SAME_LITERAL(name) SAME_VALUE(ours_##name, name)
COMPAT_FALLBACKS(SAME_LITERAL)

/* Same offset and same size of a member. */
#define SAME_FIELD(ours_type, ours_member, kernel_type, kernel_member)         \
	_Static_assert(offsetof(ours_type, ours_member) ==                     \
			       offsetof(kernel_type, kernel_member),           \
		       "offset of " #ours_type "." #ours_member);              \
	_Static_assert(sizeof(((ours_type *)0)->ours_member) ==                \
			       sizeof(((kernel_type *)0)->kernel_member),      \
		       "size of " #ours_type "." #ours_member);

/* struct kvm_run: the head and the exit union's arm_sea member. */
#define RUN_FIELD(member) SAME_FIELD(struct kvmsea_uapi_run, member,          \
				     struct kvm_run, member)
RUN_FIELD(request_interrupt_window)
RUN_FIELD(immediate_exit)
RUN_FIELD(padding1)
RUN_FIELD(exit_reason)
RUN_FIELD(ready_for_interrupt_injection)
RUN_FIELD(if_flag)
RUN_FIELD(flags)
RUN_FIELD(cr8)
RUN_FIELD(apic_base)
SAME_FIELD(struct kvmsea_uapi_run, u.padding, struct kvm_run, padding)
SAME_FIELD(struct kvmsea_uapi_run, u.arm_sea, struct kvm_run, arm_sea)
SAME_FIELD(struct kvmsea_uapi_run, u.arm_sea.flags, struct kvm_run, arm_sea.flags)
SAME_FIELD(struct kvmsea_uapi_run, u.arm_sea.esr, struct kvm_run, arm_sea.esr)
SAME_FIELD(struct kvmsea_uapi_run, u.arm_sea.gva, struct kvm_run, arm_sea.gva)
SAME_FIELD(struct kvmsea_uapi_run, u.arm_sea.gpa, struct kvm_run, arm_sea.gpa)
SAME_FIELD(struct kvmsea_uapi_run, u.memory_fault, struct kvm_run, memory_fault)
SAME_FIELD(struct kvmsea_uapi_run, u.memory_fault.flags, struct kvm_run, memory_fault.flags)
SAME_FIELD(struct kvmsea_uapi_run, u.memory_fault.gpa, struct kvm_run, memory_fault.gpa)
SAME_FIELD(struct kvmsea_uapi_run, u.memory_fault.size, struct kvm_run, memory_fault.size)
_Static_assert(sizeof(struct kvmsea_uapi_arm_sea) ==
		       sizeof(((struct kvm_run *)0)->arm_sea),
	       "size of struct kvmsea_uapi_arm_sea");
_Static_assert(sizeof(struct kvmsea_uapi_memory_fault) ==
		       sizeof(((struct kvm_run *)0)->memory_fault),
	       "size of struct kvmsea_uapi_memory_fault");
/* Ours ends exactly where the kernel's exit union ends. */
_Static_assert(sizeof(struct kvmsea_uapi_run) ==
		       offsetof(struct kvm_run, kvm_valid_regs),
	       "size of struct kvmsea_uapi_run");

/* Generic ioctls and ONE_REG id parts. */
SAME_VALUE(KVMSEA_IOCTL_CHECK_EXTENSION, KVM_CHECK_EXTENSION)
SAME_VALUE(KVMSEA_IOCTL_ENABLE_CAP, KVM_ENABLE_CAP)
SAME_VALUE(KVMSEA_IOCTL_GET_ONE_REG, KVM_GET_ONE_REG)
SAME_VALUE(KVMSEA_IOCTL_SET_ONE_REG, KVM_SET_ONE_REG)
SAME_VALUE(KVMSEA_REG_ARM64, KVM_REG_ARM64)
SAME_VALUE(KVMSEA_REG_SIZE_U64, KVM_REG_SIZE_U64)

/* ---- arm64 only: <asm/kvm.h> ------------------------------------------- */
#if defined(__aarch64__)

/* struct kvm_vcpu_events and its ioctls. */
#define EVENTS_FIELD(member) SAME_FIELD(struct kvmsea_uapi_vcpu_events,       \
					member, struct kvm_vcpu_events, member)
EVENTS_FIELD(exception)
EVENTS_FIELD(exception.serror_pending)
EVENTS_FIELD(exception.serror_has_esr)
EVENTS_FIELD(exception.ext_dabt_pending)
EVENTS_FIELD(exception.pad)
EVENTS_FIELD(exception.serror_esr)
EVENTS_FIELD(reserved)
_Static_assert(sizeof(struct kvmsea_uapi_vcpu_events) ==
		       sizeof(struct kvm_vcpu_events),
	       "size of struct kvmsea_uapi_vcpu_events");
SAME_VALUE(KVMSEA_IOCTL_GET_VCPU_EVENTS, KVM_GET_VCPU_EVENTS)
SAME_VALUE(KVMSEA_IOCTL_SET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS)

/* KVM_ARM_VCPU_INIT feature bits. */
SAME_VALUE(KVMSEA_UAPI_VCPU_EL1_32BIT, KVM_ARM_VCPU_EL1_32BIT)
SAME_VALUE(KVMSEA_UAPI_VCPU_HAS_EL2, KVM_ARM_VCPU_HAS_EL2)

/* Core registers: the kernel's id is its offset in struct kvm_regs. */
SAME_VALUE(KVMSEA_REG_ARM_CORE, KVM_REG_ARM_CORE)
#define KERNEL_CORE_REG(member)                                                \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |                 \
	 KVM_REG_ARM_CORE_REG(member))
SAME_VALUE(KVMSEA_CORE_REG(0), KERNEL_CORE_REG(regs.regs[0]))
#define SAME_X(n) SAME_VALUE(KVMSEA_REG_X(n), KERNEL_CORE_REG(regs.regs[n]))
SAME_X(0) SAME_X(1) SAME_X(2) SAME_X(3) SAME_X(4) SAME_X(5) SAME_X(6)
SAME_X(7) SAME_X(8) SAME_X(9) SAME_X(10) SAME_X(11) SAME_X(12) SAME_X(13)
SAME_X(14) SAME_X(15) SAME_X(16) SAME_X(17) SAME_X(18) SAME_X(19)
SAME_X(20) SAME_X(21) SAME_X(22) SAME_X(23) SAME_X(24) SAME_X(25)
SAME_X(26) SAME_X(27) SAME_X(28) SAME_X(29) SAME_X(30)
SAME_VALUE(KVMSEA_REG_PC, KERNEL_CORE_REG(regs.pc))
SAME_VALUE(KVMSEA_REG_PSTATE, KERNEL_CORE_REG(regs.pstate))
SAME_VALUE(KVMSEA_REG_SP_EL1, KERNEL_CORE_REG(sp_el1))
SAME_VALUE(KVMSEA_REG_ELR_EL1, KERNEL_CORE_REG(elr_el1))
SAME_VALUE(KVMSEA_REG_SPSR_EL1, KERNEL_CORE_REG(spsr[KVM_SPSR_EL1]))
SAME_VALUE(KVMSEA_REG_SPSR_ABT, KERNEL_CORE_REG(spsr[KVM_SPSR_ABT]))

/* System registers: our packing equals ARM64_SYS_REG() at the corners of
 * every field... */
SAME_VALUE(KVMSEA_REG_ARM64_SYSREG, KVM_REG_ARM64_SYSREG)
SAME_VALUE(KVMSEA_SYSREG(0, 0, 0, 0, 0), ARM64_SYS_REG(0, 0, 0, 0, 0))
SAME_VALUE(KVMSEA_SYSREG(3, 7, 15, 15, 7), ARM64_SYS_REG(3, 7, 15, 15, 7))
SAME_VALUE(KVMSEA_SYSREG(2, 5, 10, 5, 2), ARM64_SYS_REG(2, 5, 10, 5, 2))
/* ...and each named register has the encoding the assembler gives it. */
#include "uapi-sysregs.h"

#endif /* __aarch64__ */

/* Everything above is checked at compile time; running says so. */
int main(void)
{
	printf("uapi-check: every constant, size and offset agrees\n");
	return 0;
}
