// SPDX-License-Identifier: MIT
/*
 * KVM_RUN: the queue of what the guest does next, and the kernel's handling
 * of a guest SEA (hyp fault capture, mmu.c kvm_handle_guest_sea and
 * host_owns_sea), of MMIO completion and of immediate_exit.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim-internal.h"

/* The exit union starts at offset 32 of struct kvm_run. */
#define RUN_UNION_OFFSET 32

/* handle_sea() result: handled inside the kernel, keep running the guest. */
#define RESUME_GUEST 1

static bool fsc_is_ttw(uint64_t fsc)
{
	return (fsc >= 0x13 && fsc <= 0x17) ||  /* SEA on a table walk */
	       (fsc >= 0x1b && fsc <= 0x1f);    /* SECC on a table walk */
}

/* host_owns_sea(): the cases where KVM keeps the SEA to itself. */
static bool host_owns_sea(const struct kvmsim_vcpu *v, uint64_t esr)
{
	uint64_t fsc = esr & ESR_FSC_MASK;

	/* Without FEAT_RAS TEA is RES0: what reaches EL2 is host-imposed. */
	if (!v->file.host->ras)
		return true;
	/* KVM owns the VNCR page outside a nested context. */
	if (sim_is_hyp_ctxt(v) && ESR_EC(esr) != EC_IABT_LOW && (esr & ESR_VNCR))
		return true;
	/* An abort on a stage-2 walk (stage-2 tables are host memory). */
	return fsc >= 0x13 && fsc <= 0x17 && (esr & ESR_S1PTW);
}

static int handle_sea(struct kvmsim_vcpu *v, const struct kvmsim_sea *sea)
{
	struct kvmsea_uapi_run *run = v->run;
	uint64_t esr = sea->esr;
	uint64_t fsc = esr & ESR_FSC_MASK;
	uint64_t mask;

	/* The hyp saves ESR and FAR; it looks for an IPA with AT only when the
	 * FAR can be trusted (__fault_safe_to_translate), and if that walk
	 * fails it re-enters the guest without exiting. Kernels before 5.5
	 * did not walk for SEAs. */
	v->fault.esr = esr;
	v->fault.far = sea->far;
	v->fault.ipa_valid = false;
	v->fault.s1_walk_found = sea->s1_walk_found;
	v->fault.s1_walk_level = sea->s1_walk_level;
	if (v->file.host->modern && !fsc_is_ttw(fsc) &&
	    !(fsc == FSC_EXTABT && (esr & ESR_FNV))) {
		if (!sea->ipa_valid) {
			v->stats.sea_hyp_retry++;
			return RESUME_GUEST;
		}
		v->fault.ipa = sea->ipa & ~0xfffULL; /* HPFAR holds IPA[51:12] */
		v->fault.ipa_valid = true;
	}

	/* kvm_handle_guest_sea() */
	if (sea->apei_claimed) {
		/* GHES queued memory_failure(): SIGBUS BUS_MCEERR_AR before
		 * re-entry, so the run loop stops for the signal. */
		v->stats.sea_apei++;
		run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	if (host_owns_sea(v, esr) || !atomic_load(&v->vm->exit_sea)) {
		v->stats.sea_serror++;
		sim_inject_serror(v, ESR_IDS);
		return RESUME_GUEST;
	}

	mask = ((uint64_t)0x3f << ESR_EC_SHIFT) | ESR_IL | ESR_FNV | ESR_EA |
	       ESR_CM | ESR_WNR | ESR_FSC_MASK;
	if (sim_vm_has_ras(v))
		mask |= ESR_SET_MASK; /* SET is RES0 for a VM without RAS */
	memset(&run->u.arm_sea, 0, sizeof(run->u.arm_sea));
	run->exit_reason = KVM_EXIT_ARM_SEA;
	run->u.arm_sea.esr = esr & mask;
	if (!(esr & ESR_FNV))
		run->u.arm_sea.gva = sea->far;
	if (v->fault.ipa_valid) {
		run->u.arm_sea.flags |= KVM_EXIT_ARM_SEA_FLAG_GPA_VALID;
		run->u.arm_sea.gpa = v->fault.ipa;
	}
	v->stats.sea_exits++;
	return 0;
}

static int do_exit(struct kvmsim_vcpu *v, const struct kvmsim_exit *exit)
{
	struct kvmsea_uapi_run *run = v->run;

	v->fault.esr = exit->esr;
	if (exit->memory_fault) {
		v->fault.far = exit->far;
		v->fault.ipa = exit->ipa & ~0xfffULL;
		v->fault.ipa_valid = exit->ipa_valid;
		v->fault.s1_walk_found = false;
	}
	run->exit_reason = exit->reason;
	if (exit->data_len)
		memcpy((char *)run + RUN_UNION_OFFSET, exit->data, exit->data_len);
	if (exit->reason == KVM_EXIT_MMIO)
		v->mmio_needed = true;
	return 0;
}

/* kvm_handle_mmio_return(): the MMIO is done, step over the instruction
 * (kvm_skip_instr; loaded data is not written back to Rt here). */
static void complete_mmio(struct kvmsim_vcpu *v)
{
	uint64_t pstate = sim_core(v, CORE_PSTATE);
	uint64_t pc = sim_core(v, CORE_PC);

	if (!v->mmio_needed)
		return;
	v->mmio_needed = false;
	if (pstate & PS_M32) {
		bool thumb16 = (pstate & A32_T) && !(v->fault.esr & ESR_IL);

		pc = (uint32_t)(pc + (thumb16 ? 2 : 4));
	} else {
		pc += 4;
		pstate &= ~PS_BTYPE;
	}
	pstate &= ~PS_SS;
	sim_core_set(v, CORE_PC, pc);
	sim_core_set(v, CORE_PSTATE, pstate);
	v->stats.mmio_completed++;
}

pid_t kvmsim_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/*
 * The kernel's SIGBUS, delivered to the thread's SA_SIGINFO handler with
 * the fields force_sig_mceerr() sets. Called directly, not through a real
 * signal: qemu-user and valgrind take a SIGBUS for a fault of their own.
 * (Real asynchronous signals into the library: tests/reliability.)
 */
int kvmsim_send_sigbus(pid_t tid, int code, uint64_t addr, unsigned int lsb)
{
	struct sigaction sa;
	siginfo_t si;

	if (tid != kvmsim_gettid())
		return -EPERM; /* the kernel's rule for these codes, too */
	if (sigaction(SIGBUS, NULL, &sa) < 0)
		return -errno;
	if (!(sa.sa_flags & SA_SIGINFO) || !sa.sa_sigaction)
		return -EINVAL;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGBUS;
	si.si_code = code;
	si.si_addr = (void *)(uintptr_t)addr;
	si.si_addr_lsb = (short)lsb;
	sa.sa_sigaction(SIGBUS, &si, NULL);
	return 0;
}

static void pop(struct kvmsim_vcpu *v, struct sim_item *item)
{
	*item = v->queue[v->q_head];
	if (item->kind == ITEM_EXIT)
		item->exit.data = item->exit_data;
	v->q_head = (v->q_head + 1) % KVMSIM_QUEUE_MAX;
	v->q_len--;
}

int sim_run(struct kvmsim_vcpu *v, unsigned long arg)
{
	struct kvmsea_uapi_run *run = v->run;
	struct sim_item item;
	int ret;

	if (arg)
		return -EINVAL;
	if (!v->initialised)
		return -ENOEXEC;
	/* kvm_arch_vcpu_first_run_init(): from here the VM "has run" (ID
	 * registers are frozen), even if immediate_exit stops this call. */
	atomic_store(&v->vm->has_run, true);
	if (run->exit_reason == KVM_EXIT_MMIO)
		complete_mmio(v);
	/* immediate_exit, or a queued stale EINTR: leave before the loop
	 * resets exit_reason, so the previous exit is still readable. */
	if (run->immediate_exit)
		return -EINTR;
	if (v->q_len && v->queue[v->q_head].kind == ITEM_EINTR &&
	    v->queue[v->q_head].stale) {
		pop(v, &item);
		return -EINTR;
	}

	v->stats.runs++;
	run->exit_reason = KVM_EXIT_UNKNOWN;
	run->flags = 0;
	for (;;) {
		if (!v->q_len) {
			/* Nothing scripted: the guest runs until a signal. */
			v->stats.idle_runs++;
			run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
		pop(v, &item);
		switch (item.kind) {
		case ITEM_SEA:
			ret = handle_sea(v, &item.sea);
			if (ret == RESUME_GUEST)
				continue;
			return ret;
		case ITEM_EXIT:
			return do_exit(v, &item.exit);
		case ITEM_EINTR:
			/* A signal inside the loop (kvm_handle_signal_exit). */
			run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		case ITEM_ERROR:
			return -item.err;
		case ITEM_POISON:
			/* user_mem_abort(): a hwpoisoned pfn. SIGBUS to the
			 * thread in KVM_RUN, then the run loop sees it. */
			kvmsim_send_sigbus(kvmsim_gettid(), BUS_MCEERR_AR,
					   item.poison.hva, item.poison.lsb);
			run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		case ITEM_MEMORY_FAULT:
			/* gmem_abort(): kvm_gmem_get_pfn() said -EHWPOISON. */
			run->exit_reason = KVM_EXIT_MEMORY_FAULT;
			run->u.memory_fault.gpa = item.memory_fault.gpa;
			run->u.memory_fault.size = item.memory_fault.size;
			run->u.memory_fault.flags = item.memory_fault.flags;
			return -EHWPOISON;
		}
	}
}
