/* SPDX-License-Identifier: MIT */
/*
 * kvmsim: a simulated arm64 KVM for the unit tests.
 *
 * Linking kvmsim_dep wraps ioctl() (-Wl,--wrap=ioctl): every ioctl() made by
 * the library objects and by the tests lands in __wrap_ioctl, which serves
 * the simulated file descriptors and passes every other fd to the real
 * ioctl() (so a closed fd gives EBADF and a real non-KVM fd ENOTTY, as usual).
 *
 * The simulator models kernel STATE, not ioctl sequences: a vCPU register
 * file, the fault information KVM keeps from the last exit, the pending
 * SError, the VM's SEA flag. Every rule is taken from the kernel (Linux 7.2
 * arch/arm64/kvm: arm.c, guest.c, sys_regs.c, mmu.c, inject_fault.c,
 * hyp/exception.c, emulate-nested.c), as listed in docs/kernel.md;
 * the README in this folder lists what is modelled and what is not.
 *
 * Register values are read and written with the ONE_REG ids of
 * lib/uapi-compat.h (KVMSEA_REG_*), directly through kvmsim_reg_get/set
 * (not counted, no kernel checks) or through the ioctls (counted, checked).
 *
 * Threads: each vCPU has its own lock (KVM's vcpu->mutex), so many threads
 * may each drive their own vCPU. Create and free objects from one thread.
 */
#ifndef KVMSIM_H
#define KVMSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Hosts ------------------------------------------------------------ */

enum kvmsim_profile {
	/* Linux 7.2 on a FEAT_RAS host: SEA_TO_USER 1, INJECT_EXT_DABT 1,
	 * VCPU_EVENTS 1, INJECT_SERROR_ESR 1. */
	KVMSIM_HOST_RAS,
	/* Linux 7.2 on a host without FEAT_RAS: SEA_TO_USER still answers 1,
	 * INJECT_SERROR_ESR 0, and every SEA becomes an SError (no exit 41). */
	KVMSIM_HOST_NO_RAS,
	/* A RAS host running a kernel older than 5.5: caps 177, 178 and 245 are
	 * unknown (CHECK_EXTENSION 0, ENABLE_CAP -EINVAL), ext_dabt_pending is
	 * still a pad byte (-EINVAL), SErrors are only ever made pending. */
	KVMSIM_HOST_OLD_KERNEL,
};

/* kvmsim_host_new() flags. */
#define KVMSIM_HOST_ARM_EL2 (1u << 0) /* nested virt: KVM_CAP_ARM_EL2 = 1 */

struct kvmsim_host;
struct kvmsim_vm;
struct kvmsim_vcpu;

/* NULL on bad arguments or out of memory. */
struct kvmsim_host *kvmsim_host_new(enum kvmsim_profile profile,
				    unsigned int flags);
/* Closes every fd and frees every object made through @host. */
void kvmsim_host_free(struct kvmsim_host *host);

/* A new "/dev/kvm" fd of @host (a real, unique fd number). -1 on error. */
int kvmsim_open_system(struct kvmsim_host *host);

/* ---- VMs -------------------------------------------------------------- */

/* kvmsim_create_vm() flags. */
#define KVMSIM_VM_PROTECTED (1u << 0) /* a pKVM protected VM */
#define KVMSIM_VM_MTE       (1u << 1) /* KVM_CAP_ARM_MTE was enabled */
/* The VMM lowered ID_AA64PFR0_EL1.RAS to 0. By default a VM shows the
 * host's RAS (kvm_has_ras() then decides whether exits carry SET). */
#define KVMSIM_VM_NO_RAS    (1u << 2)

struct kvmsim_vm *kvmsim_create_vm(struct kvmsim_host *host,
				   unsigned int flags);
int kvmsim_vm_fd(const struct kvmsim_vm *vm);
/* KVM_ARCH_FLAG_EXIT_SEA: set by KVM_ENABLE_CAP(245), never cleared. */
bool kvmsim_vm_sea_enabled(const struct kvmsim_vm *vm);

/* ---- vCPUs ------------------------------------------------------------ */

/* kvmsim_create_vcpu() features (what KVM_ARM_VCPU_INIT was given), and
 * the VM's FEAT_SCTLR2 (ID_AA64MMFR3_EL1.SCTLRX; KVM keeps ID registers per
 * VM, the simulator per vCPU: give every vCPU of a VM the same flag). */
#define KVMSIM_VCPU_EL1_32BIT (1u << 0) /* KVM_ARM_VCPU_EL1_32BIT */
#define KVMSIM_VCPU_HAS_EL2   (1u << 1) /* KVM_ARM_VCPU_HAS_EL2 (needs ARM_EL2) */
#define KVMSIM_VCPU_SCTLR2    (1u << 2) /* FEAT_SCTLR2 (+ FEAT_DoubleFault2) */
#define KVMSIM_VCPU_UNINIT    (1u << 3) /* KVM_ARM_VCPU_INIT not done yet */

/*
 * A vCPU in KVM's reset state: PSTATE EL1h with DAIF set (EL2h with
 * HAS_EL2; SVC with A, I, F for an AArch32 EL1), PC 0, SCTLR_EL1
 * 0x00C50078 (SPAN set), with EL2 SCTLR_EL2 0x30C50830, all else 0.
 * NULL for bad combinations (EL1_32BIT with HAS_EL2, HAS_EL2 without
 * KVMSIM_HOST_ARM_EL2).
 */
struct kvmsim_vcpu *kvmsim_create_vcpu(struct kvmsim_vm *vm,
				       unsigned int features);
int kvmsim_vcpu_fd(const struct kvmsim_vcpu *vcpu);
/* The vCPU's mmap area, zeroed: struct kvm_run in its first page. It is
 * as large as KVM_GET_VCPU_MMAP_SIZE says on arm64: two pages (kvm_run and
 * the coalesced MMIO ring). */
void *kvmsim_vcpu_run_area(struct kvmsim_vcpu *vcpu);
size_t kvmsim_vcpu_run_size(const struct kvmsim_vcpu *vcpu);
/* KVM_ARM_VCPU_INIT done or not: uninitialised vCPUs answer -ENOEXEC. */
void kvmsim_vcpu_set_initialised(struct kvmsim_vcpu *vcpu, bool initialised);

/*
 * Closes a simulated fd (system, VM or vCPU) and forgets it: later ioctls
 * on that number reach the real ioctl() (EBADF, unless reused). The object
 * itself lives on until kvmsim_host_free(). Returns 0 or -EBADF.
 */
int kvmsim_close(int fd);

/* ---- Registers (direct: not counted, no visibility or validity checks) - */

/*
 * @id is a 64-bit ONE_REG id: a core register (X0-X30, SP_EL0, PC, PSTATE,
 * SP_EL1, ELR_EL1, SPSR[0..4]) or one of the modelled system registers
 * (see README). Returns 0 or -ENOENT for an id the simulator does not hold.
 */
int kvmsim_reg_read(const struct kvmsim_vcpu *vcpu, uint64_t id, uint64_t *val);
int kvmsim_reg_write(struct kvmsim_vcpu *vcpu, uint64_t id, uint64_t val);
/* The same, for ids known to be held: an unknown id is a test bug and
 * aborts the test program with a message. */
uint64_t kvmsim_reg_get(const struct kvmsim_vcpu *vcpu, uint64_t id);
void kvmsim_reg_set(struct kvmsim_vcpu *vcpu, uint64_t id, uint64_t val);

/* ---- Kernel-private vCPU state ------------------------------------------ */

/* What KVM saved at the last exit (vcpu->arch.fault) and what its stage-1
 * re-walk would find. ext_dabt_pending uses far, and esr's S1PTW bit. */
struct kvmsim_fault {
	uint64_t esr;        /* ESR_EL2 of the last (non-IRQ) exit */
	uint64_t far;        /* FAR_EL2 of the last memory-fault exit */
	uint64_t ipa;        /* the HPFAR IPA (bits [11:0] ignored) ... */
	bool ipa_valid;      /* ... when KVM obtained one */
	bool s1_walk_found;  /* for S1PTW aborts: KVM's stage-1 re-walk ... */
	int s1_walk_level;   /* ... found the failing descriptor at this level */
};
void kvmsim_vcpu_get_fault(const struct kvmsim_vcpu *vcpu,
			   struct kvmsim_fault *fault);
void kvmsim_vcpu_set_fault(struct kvmsim_vcpu *vcpu,
			   const struct kvmsim_fault *fault);

/* A pending virtual SError: HCR_EL2.VSE with VSESR_EL2, or (nested, vEL2
 * unable to take it) NESTED_SERROR_PENDING with the parked ESR. */
struct kvmsim_serror {
	bool vse;            /* HCR_EL2.VSE */
	bool nested_pending; /* NESTED_SERROR_PENDING */
	uint64_t vsesr;
};
void kvmsim_vcpu_get_serror(const struct kvmsim_vcpu *vcpu,
			    struct kvmsim_serror *serror);
/* The guest took the pending SError (or the test wants it gone). */
void kvmsim_vcpu_clear_serror(struct kvmsim_vcpu *vcpu);
/* An MMIO exit is waiting to be completed by the next KVM_RUN. */
bool kvmsim_vcpu_mmio_needed(const struct kvmsim_vcpu *vcpu);

struct kvmsim_vcpu_stats {
	unsigned long runs;           /* KVM_RUN calls that entered the guest */
	unsigned long sea_exits;      /* KVM_EXIT_ARM_SEA returned */
	unsigned long sea_serror;     /* SEAs KVM turned into an SError */
	unsigned long sea_apei;       /* SEAs APEI claimed (SIGBUS path) */
	unsigned long sea_hyp_retry;  /* SEAs the hyp retried (AT re-walk failed) */
	unsigned long ext_dabt;       /* ext_dabt_pending requests accepted */
	unsigned long ext_dabt_lost;  /* ... of which injected nothing (S1PTW) */
	unsigned long serror;         /* serror_pending requests accepted */
	unsigned long mmio_completed; /* MMIO exits completed by KVM_RUN */
	unsigned long idle_runs;      /* KVM_RUN with an empty queue */
};
void kvmsim_vcpu_get_stats(const struct kvmsim_vcpu *vcpu,
			   struct kvmsim_vcpu_stats *stats);

/* ---- What the next KVM_RUN does ---------------------------------------- */

/*
 * KVM_RUN takes items from the vCPU's queue (at most KVMSIM_QUEUE_MAX).
 * Items handled inside the kernel (an SEA made an SError, an SEA the hyp
 * retried) do not return: KVM_RUN goes on with the next item. With the
 * queue empty, KVM_RUN returns -1/EINTR with exit_reason KVM_EXIT_INTR (as
 * if a signal arrived) and counts an idle run. With run->immediate_exit
 * set it returns -1/EINTR at once, exit_reason untouched, queue untouched.
 * The guest PC never moves by itself (it stays on the faulting instruction)
 * except when KVM_RUN completes an MMIO exit (PC += 4, or 2 for a 16-bit
 * AArch32 instruction).
 */
#define KVMSIM_QUEUE_MAX 64

/*
 * A synchronous external abort taken to EL2 from the guest. The simulator
 * applies the kernel's decision (docs/kernel.md §2.3-§2.7):
 *  - apei_claimed: no exit and no injection; KVM_RUN returns -1/EINTR with
 *    KVM_EXIT_INTR (the SIGBUS BUS_MCEERR_AR path; no signal is raised).
 *  - FSC 0x10 with FnV 0 (and SECC 0x18) go through the hyp's AT re-walk:
 *    ipa_valid false models a failed walk, and the hyp then resumes the
 *    guest with no exit at all (counted in sea_hyp_retry).
 *  - host without RAS, cap 245 off, S1PTW on a TTW abort, or VNCR in a
 *    hyp context: SError with IDS (kvm_inject_serror), KVM_RUN goes on.
 *  - otherwise exit 41 with run->arm_sea filled as KVM does (sanitised ESR,
 *    SET only if the VM shows RAS, gva only if FnV 0, gpa 4K-aligned with
 *    GPA_VALID when an IPA was obtained) and KVM_RUN returns 0.
 * FnV 1: the hardware FAR is UNKNOWN; @far is what the simulator stores
 * (and what a later ext_dabt_pending then reports as FAR).
 */
struct kvmsim_sea {
	uint64_t esr;        /* ESR_EL2: EC 0x20/0x24/0x25 and an SEA FSC */
	uint64_t far;        /* FAR_EL2 */
	uint64_t ipa;        /* the faulting IPA the AT re-walk gives */
	bool ipa_valid;      /* the re-walk succeeded */
	bool apei_claimed;
	bool s1_walk_found;  /* see struct kvmsim_fault (S1PTW only) */
	int s1_walk_level;
};
/* 0, -EINVAL (EC or FSC not of an SEA), -ENOSPC (queue full). */
int kvmsim_queue_sea(struct kvmsim_vcpu *vcpu, const struct kvmsim_sea *sea);

/* Any other exit: KVM_RUN writes @reason and copies @data (at most 256
 * bytes) into the exit union at offset 32, then returns 0. KVM keeps @esr
 * as the last exit's ESR; with @memory_fault also @far and the IPA.
 * KVM_EXIT_MMIO (6) leaves an MMIO to complete at the next KVM_RUN. */
struct kvmsim_exit {
	uint32_t reason;
	uint64_t esr;
	bool memory_fault;
	uint64_t far;
	uint64_t ipa;
	bool ipa_valid;
	const void *data;
	size_t data_len;
};
int kvmsim_queue_exit(struct kvmsim_vcpu *vcpu, const struct kvmsim_exit *exit);
/* An MMIO exit at @gpa (run->mmio filled; ESR DABT_LOW, IL, ISV, SAS from
 * @len, WnR from @is_write, FSC translation fault L3; HPFAR valid). */
int kvmsim_queue_mmio(struct kvmsim_vcpu *vcpu, uint64_t gpa, uint64_t far,
		      bool is_write, uint32_t len);
/* KVM_RUN returns -1/EINTR. @stale: as with immediate_exit, exit_reason
 * and the exit union keep the previous exit's values; otherwise a signal
 * arrived in the run loop and exit_reason becomes KVM_EXIT_INTR. */
int kvmsim_queue_eintr(struct kvmsim_vcpu *vcpu, bool stale);
/* KVM_RUN fails in its run loop with errno @err (> 0); exit_reason reads
 * KVM_EXIT_UNKNOWN (0), as the loop reset it. */
int kvmsim_queue_error(struct kvmsim_vcpu *vcpu, int err);
/*
 * The guest touches host memory that is hwpoisoned (user_mem_abort() finds
 * the pfn poisoned): KVM sends the thread in KVM_RUN SIGBUS
 * (kvmsim_send_sigbus()),
 * si_code BUS_MCEERR_AR, si_addr @hva, si_addr_lsb @lsb, as
 * kvm_send_hwpoison_signal() does, and KVM_RUN returns -1/EINTR with
 * KVM_EXIT_INTR. The test's own SIGBUS handler sees the signal.
 */
int kvmsim_queue_poison(struct kvmsim_vcpu *vcpu, uint64_t hva, unsigned int lsb);
/* A poisoned guest_memfd page (gmem_abort()): KVM_RUN fails with
 * EHWPOISON, exit_reason KVM_EXIT_MEMORY_FAULT, run->memory_fault filled. */
int kvmsim_queue_memory_fault(struct kvmsim_vcpu *vcpu, uint64_t gpa,
			      uint64_t size, uint64_t flags);
/* Deliver SIGBUS with these siginfo fields to the calling thread's
 * SA_SIGINFO handler, as memory_failure() does (AR to the current thread,
 * AO to early-kill threads): the handler is called directly (see
 * sim-run.c). @tid must be the caller's (-EPERM otherwise, as Linux has
 * it for these codes); -EINVAL without an SA_SIGINFO handler. */
int kvmsim_send_sigbus(pid_t tid, int code, uint64_t addr, unsigned int lsb);
/* The calling thread's id, for kvmsim_send_sigbus(). */
pid_t kvmsim_gettid(void);

/* Items still queued. */
unsigned int kvmsim_queue_len(const struct kvmsim_vcpu *vcpu);

/* ---- ioctl counters ----------------------------------------------------- */

enum kvmsim_ioctl {
	KVMSIM_IOCTL_CHECK_EXTENSION,
	KVMSIM_IOCTL_ENABLE_CAP,
	KVMSIM_IOCTL_GET_ONE_REG,
	KVMSIM_IOCTL_SET_ONE_REG,
	KVMSIM_IOCTL_GET_VCPU_EVENTS,
	KVMSIM_IOCTL_SET_VCPU_EVENTS,
	KVMSIM_IOCTL_RUN,
	KVMSIM_IOCTL_OTHER,      /* anything else sent to a simulated fd */
	KVMSIM_IOCTL_ALL,        /* the sum of the above (queries only) */
};

/* ioctls of @kind received on simulated @fd, failed ones included. */
unsigned long kvmsim_ioctl_count(int fd, enum kvmsim_ioctl kind);
/* The same summed over every fd of @host (closed ones included). */
unsigned long kvmsim_host_ioctl_count(const struct kvmsim_host *host,
				      enum kvmsim_ioctl kind);
void kvmsim_ioctl_reset(int fd);
void kvmsim_host_ioctl_reset(struct kvmsim_host *host);
/*
 * Fault injection: of the next ioctls of @kind on simulated @fd
 * (KVMSIM_IOCTL_ALL: of any kind), number @nth (1 = the next) and the
 * @count - 1 after it fail with errno @err before reaching the simulated
 * kernel, so they change nothing; the others go through. @count 0
 * disarms. 0, or -EINVAL (not a simulated fd, bad kind, @nth 0, errno).
 */
int kvmsim_fail_ioctl(int fd, enum kvmsim_ioctl kind, unsigned long nth,
		      unsigned long count, int err);

/* ioctl() calls passed to the real ioctl() (fds the simulator does not own). */
unsigned long kvmsim_passthrough_count(void);

#ifdef __cplusplus
}
#endif

#endif /* KVMSIM_H */
