/* SPDX-License-Identifier: MIT */
/*
 * The demo VM of examples/demo-vm.h on the simulated KVM (tests/sim), in
 * place of examples/demo-vm.c, so that an example's own main() runs
 * unchanged on any host: its libkvmsea calls, its KVM_RUN loop (through
 * kvmsim's ioctl wrapper) and demo-report.c, which is linked as it is.
 *
 * demo_vm_create() makes a simulated VM and vCPU in the state the real
 * guest (examples/demo-guest.S) is in when it touches the bad page:
 * vectors installed, arguments in x0, x1, x28 (and x30 for a fetch), PC on
 * the access. The access is queued as KVM answers it: a synchronous
 * external abort (KVM_EXIT_ARM_SEA on a RAS host once the example enabled
 * the exit), or with `simulate` the EFAULT of a page with no access
 * rights. Then a stale EINTR (a signal: exit_reason still reads the
 * previous exit), which the loop must not take for a new SEA.
 *
 * The simulator runs no guest code, so demo_vm_exit() plays the guest
 * once, when KVM_RUN finds nothing queued: if the vCPU was put on one of
 * its vectors, or has a virtual SError pending with A clear (taken at
 * once), the guest's handler "runs": its stores of the vector, ESR_EL1,
 * FAR_EL1 and ELR_EL1 and then "done, 1 abort" are queued as the MMIO
 * exits the real guest's stores make. Anywhere else (nothing injected)
 * the real guest would fault again, and this model ends the run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo-vm.h"
#include "sim-vm.h"
#include "uapi-compat.h"

/* Offsets in the guest image (examples/demo-guest.inc). */
#define GUEST_LOAD_PC  (DEMO_RAM_IPA + 0x1c)
#define GUEST_STORE_PC (DEMO_RAM_IPA + 0x24)
#define GUEST_DONE     (DEMO_RAM_IPA + 0x34)
#define GUEST_VBAR     (DEMO_RAM_IPA + 0x800)

struct sim_vm sim_vm;

void sim_vm_free(void)
{
	kvmsim_host_free(sim_vm.host);
	memset(&sim_vm, 0, sizeof(sim_vm));
}

/* The guest's access, as KVM answers it. */
static int queue_access(const struct demo_vm_config *cfg, struct kvmsim_vcpu *vcpu)
{
	/* DABT_LOW or IABT_LOW, IL, FSC 0x10; WnR for a store. */
	static const uint64_t sea_esr[] = { 0x92000010, 0x92000050, 0x82000010 };
	const struct kvmsim_sea sea = {
		.esr = sea_esr[cfg->access], .far = DEMO_BAD_ADDRESS,
		.ipa = DEMO_BAD_ADDRESS, .ipa_valid = true,
	};
	/* A page with no access rights: KVM keeps the stage 2 translation
	 * fault (FSC 0x07) at the bad address and KVM_RUN fails with EFAULT. */
	const struct kvmsim_fault efault = {
		.esr = (cfg->access == DEMO_FETCH ? 0x82000007ull : 0x92000007ull) |
		       (cfg->access == DEMO_STORE ? 0x40 : 0),
		.far = DEMO_BAD_ADDRESS, .ipa = DEMO_BAD_IPA, .ipa_valid = true,
	};

	if (!cfg->simulate)
		return kvmsim_queue_sea(vcpu, &sea);
	kvmsim_vcpu_set_fault(vcpu, &efault);
	return kvmsim_queue_error(vcpu, EFAULT);
}

int demo_vm_create(struct demo_vm *vm, const struct demo_vm_config *cfg)
{
	static const uint64_t access_pc[] = { GUEST_LOAD_PC, GUEST_STORE_PC, DEMO_BAD_ADDRESS };
	struct kvmsim_vm *svm;
	struct kvmsim_vcpu *v;

	*vm = (struct demo_vm){ .cfg = *cfg, .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	sim_vm.host = kvmsim_host_new(sim_vm.profile, 0);
	svm = sim_vm.host ? kvmsim_create_vm(sim_vm.host, 0) : NULL;
	v = svm ? kvmsim_create_vcpu(svm, 0) : NULL;
	if (!v) {
		printf("%s: the simulated KVM: out of memory\n", cfg->name);
		return 1;
	}
	sim_vm.vcpu = v;
	vm->vm_fd = kvmsim_vm_fd(svm);
	vm->vcpu_fd = kvmsim_vcpu_fd(v);
	vm->run = kvmsim_vcpu_run_area(v);
	vm->run_size = kvmsim_vcpu_run_size(v);

	kvmsim_reg_set(v, KVMSEA_REG_X(0), DEMO_BAD_ADDRESS);
	kvmsim_reg_set(v, KVMSEA_REG_X(1), cfg->access);
	kvmsim_reg_set(v, KVMSEA_REG_X(28), DEMO_REPORT_IPA);
	kvmsim_reg_set(v, KVMSEA_REG_X(30), GUEST_DONE);
	kvmsim_reg_set(v, KVMSEA_REG_VBAR_EL1, GUEST_VBAR);
	kvmsim_reg_set(v, KVMSEA_REG_PSTATE, DEMO_GUEST_PSTATE);
	kvmsim_reg_set(v, KVMSEA_REG_PC, access_pc[cfg->access]);
	if (queue_access(cfg, v) < 0 || kvmsim_queue_eintr(v, true) < 0) {
		printf("%s: the simulated KVM refused the queue\n", cfg->name);
		return 1;
	}
	printf("%s: VM ready: simulated KVM, the guest's %s of 0x%llx is next\n",
	       cfg->name, demo_access_names[cfg->access], DEMO_BAD_ADDRESS);
	if (sim_vm.ready)
		sim_vm.ready(v);
	return 0;
}

/* One 64-bit store of the guest to the report page. */
static int guest_store(uint64_t offset, uint64_t value)
{
	struct kvm_run run;
	struct kvmsim_exit exit = {
		.reason = KVM_EXIT_MMIO, .esr = 0x93c08047, /* DABT_LOW, ISV, 64-bit str */
		.memory_fault = true, .far = DEMO_REPORT_IPA + offset,
		.ipa = DEMO_REPORT_IPA + offset, .ipa_valid = true,
		.data = &run.mmio, .data_len = sizeof(run.mmio),
	};

	memset(&run, 0, sizeof(run));
	run.mmio.phys_addr = DEMO_REPORT_IPA + offset;
	memcpy(run.mmio.data, &value, sizeof(value));
	run.mmio.len = 8;
	run.mmio.is_write = 1;
	return kvmsim_queue_exit(sim_vm.vcpu, &exit);
}

/* What the guest does from where the injection left it (see the top). */
static enum demo_next play_guest(const struct demo_vm *vm)
{
	struct kvmsim_vcpu *v = sim_vm.vcpu;
	uint64_t pc = kvmsim_reg_get(v, KVMSEA_REG_PC);
	uint64_t vbar = kvmsim_reg_get(v, KVMSEA_REG_VBAR_EL1);
	uint64_t pstate = kvmsim_reg_get(v, KVMSEA_REG_PSTATE);
	struct kvmsim_serror serror;

	kvmsim_vcpu_get_serror(v, &serror);
	if (sim_vm.guest_ran) {
		printf("%s: simulated guest: it ran already\n", vm->cfg.name);
		return DEMO_FAILED;
	}
	if (serror.vse && !(pstate & A64_PSR_A)) {
		/* A virtual SError is taken as soon as the guest runs with A
		 * clear: vector 7 (current EL with SP_ELx, SError), ESR_EL1
		 * EC 0x2f (SError), IL, with VSESR_EL2's IDS and ISS, ELR_EL1
		 * the access it interrupted. */
		kvmsim_vcpu_clear_serror(v);
		sim_vm.vector = 7;
		sim_vm.esr = (0x2full << 26) | (1ull << 25) | (serror.vsesr & 0x1ffffff);
		sim_vm.elr = pc;
	} else if (pc >= vbar && pc < vbar + 16 * 0x80 && pc % 0x80 == 0) {
		sim_vm.vector = (pc - vbar) / 0x80;
		sim_vm.esr = kvmsim_reg_get(v, KVMSEA_REG_ESR_EL1);
		sim_vm.elr = kvmsim_reg_get(v, KVMSEA_REG_ELR_EL1);
		sim_vm.spsr = kvmsim_reg_get(v, KVMSEA_REG_SPSR_EL1);
		sim_vm.pstate = pstate;
	} else {
		printf("%s: simulated guest: PC 0x%" PRIx64 " is not on a vector and no "
		       "SError is pending: the real guest would not finish\n", vm->cfg.name, pc);
		return DEMO_FAILED;
	}
	sim_vm.guest_ran = true;
	sim_vm.far = kvmsim_reg_get(v, KVMSEA_REG_FAR_EL1);
	if (guest_store(0, sim_vm.vector) < 0 || guest_store(8, sim_vm.esr) < 0 ||
	    guest_store(16, sim_vm.far) < 0 || guest_store(24, sim_vm.elr) < 0 ||
	    guest_store(32, 1) < 0)
		return DEMO_FAILED;
	return DEMO_RUN;
}

enum demo_next demo_vm_exit(struct demo_vm *vm, int run_ret)
{
	if (run_ret == -EINTR)
		return kvmsim_queue_len(sim_vm.vcpu) ? DEMO_RUN : play_guest(vm);
	if (run_ret) {
		printf("%s: KVM_RUN: %s\n", vm->cfg.name, strerror(-run_ret));
		return DEMO_FAILED;
	}
	return demo_vm_report(vm);
}

void demo_vm_destroy(struct demo_vm *vm)
{
	(void)vm; /* the host lives on for the checks, until sim_vm_free() */
	sim_vm.destroyed = true;
}

int sim_vm_run_main(int (*main_fn)(int, char **), const char *name,
		    const char *const *args, char *out, size_t size)
{
	char *argv[16] = { (char *)name };
	FILE *capture = tmpfile();
	int argc = 1, saved, ret;
	size_t len;

	while (args && args[argc - 1] && argc < 15) {
		argv[argc] = (char *)args[argc - 1];
		argc++;
	}
	if (!capture || size == 0) {
		fprintf(stderr, "sim_vm_run_main: %s\n", strerror(errno));
		abort();
	}
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(fileno(capture), STDOUT_FILENO) < 0)
		abort();
	ret = main_fn(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(capture);
	len = fread(out, 1, size - 1, capture);
	out[len] = '\0';
	fclose(capture);
	fputs(out, stdout);
	return ret;
}
