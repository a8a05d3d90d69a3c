/* SPDX-License-Identifier: MIT */
/*
 * The demo machine of demo-vm.h, made with plain KVM ioctls. It builds on
 * any Linux host and runs only on arm64.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "demo-vm.h"

/* arm64 KVM definitions an x86_64 <linux/kvm.h> lacks (values from Linux's
 * arm64 uapi), so that this file compiles on every host. */
struct arm64_vcpu_init {
	uint32_t target;
	uint32_t features[7];
};
#define ARM64_PREFERRED_TARGET _IOR(KVMIO, 0xaf, struct arm64_vcpu_init)
#define ARM64_VCPU_INIT        _IOW(KVMIO, 0xae, struct arm64_vcpu_init)
/* ONE_REG ids of core registers: KVM_REG_ARM64 | SIZE_U64 | CORE | index. */
#define REG_CORE(index) (0x6030000000100000ull | (index))
#define REG_X(n)        REG_CORE(2 * (n))
#define REG_PC          REG_CORE(0x40)
#define REG_PSTATE      REG_CORE(0x42)

static const uint32_t guest_code[] = {
#include "demo-guest.inc"
};

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1; /* KVM_RUN returns EINTR: demo_vm_exit() sees the flag */
}

static int set_reg(struct demo_vm *vm, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };

	return ioctl(vm->vcpu_fd, KVM_SET_ONE_REG, &reg);
}

static int add_memory(struct demo_vm *vm, uint32_t slot, uint64_t ipa, uint64_t size,
		      void *host)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot, .guest_phys_addr = ipa, .memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
}

/* The bad page: the hole from /dev/mem, or a page with no access. */
static int map_bad_page(struct demo_vm *vm)
{
	int mem;

	if (vm->cfg.simulate) {
		vm->bad = mmap(NULL, vm->page_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		return vm->bad == MAP_FAILED ? 1 : 0;
	}
	mem = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
	if (mem < 0) {
		printf("%s: cannot open /dev/mem: %s\n", vm->cfg.name, strerror(errno));
		return 77;
	}
	vm->bad = mmap(NULL, vm->page_size, PROT_READ | PROT_WRITE, MAP_SHARED, mem,
		       (off_t)vm->cfg.bad_phys);
	close(mem);
	return vm->bad == MAP_FAILED ? 1 : 0;
}

int demo_vm_create(struct demo_vm *vm, const struct demo_vm_config *cfg)
{
	struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */
	struct arm64_vcpu_init init;
	const char *name = cfg->name;
	int ret;

	*vm = (struct demo_vm){ .cfg = *cfg, .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1,
				.page_size = (size_t)sysconf(_SC_PAGESIZE) };
#ifndef __aarch64__
	printf("%s: built for a host that is not arm64: KVM here cannot run the arm64 "
	       "guest. Nothing to do (exit 77).\n", name);
	return 77;
#endif
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		printf("%s: cannot open /dev/kvm: %s: this machine cannot run the example\n",
		       name, strerror(errno));
		return 77;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0 || ioctl(vm->vm_fd, ARM64_PREFERRED_TARGET, &init) < 0) {
		printf("%s: KVM here cannot make an arm64 VM (%s)\n", name, strerror(errno));
		return 77;
	}

	vm->ram = mmap(NULL, DEMO_RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->ram == MAP_FAILED)
		goto fail;
	memcpy(vm->ram, guest_code, sizeof(guest_code));
	if (add_memory(vm, 0, DEMO_RAM_IPA, DEMO_RAM_SIZE, vm->ram) < 0)
		goto fail;
	ret = map_bad_page(vm);
	if (ret == 77)
		return 77;
	if (ret || add_memory(vm, 1, DEMO_BAD_IPA, vm->page_size, vm->bad) < 0)
		goto fail;

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	vm->run_size = (size_t)ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_fd < 0 || ioctl(vm->vcpu_fd, ARM64_VCPU_INIT, &init) < 0)
		goto fail;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		goto fail;

	/* The guest's arguments (see demo-guest.S) and where it starts. */
	if (set_reg(vm, REG_X(0), DEMO_BAD_ADDRESS) < 0 ||
	    set_reg(vm, REG_X(1), cfg->access) < 0 ||
	    set_reg(vm, REG_X(28), DEMO_REPORT_IPA) < 0 ||
	    set_reg(vm, REG_PSTATE, DEMO_GUEST_PSTATE) < 0 ||
	    set_reg(vm, REG_PC, DEMO_RAM_IPA) < 0)
		goto fail;
	printf("%s: VM ready: guest %zu bytes at IPA 0x%llx, bad page at IPA 0x%llx (%s), "
	       "report page at IPA 0x%llx\n", name, sizeof(guest_code), DEMO_RAM_IPA,
	       DEMO_BAD_IPA, cfg->simulate ? "simulated: an anonymous page with no access" :
	       "/dev/mem", DEMO_REPORT_IPA);
	if (!cfg->simulate)
		printf("%s: the bad page is host-physical 0x%" PRIx64 "\n", name, cfg->bad_phys);
	sigaction(SIGALRM, &sa, NULL);
	alarm(20);
	return 0;
fail:
	printf("%s: setting up the VM: %s\n", name, strerror(errno));
	return 1;
}

enum demo_next demo_vm_exit(struct demo_vm *vm, int run_ret)
{
	if (run_ret == -EINTR && !timed_out)
		return DEMO_RUN;
	if (run_ret) {
		printf("%s: KVM_RUN: %s\n", vm->cfg.name,
		       timed_out ? "timed out" : strerror(-run_ret));
		return DEMO_FAILED;
	}
	return demo_vm_report(vm);
}

void demo_vm_destroy(struct demo_vm *vm)
{
	alarm(0);
	if (vm->run && vm->run != MAP_FAILED)
		munmap(vm->run, vm->run_size);
	if (vm->bad && vm->bad != MAP_FAILED)
		munmap(vm->bad, vm->page_size);
	if (vm->ram && vm->ram != MAP_FAILED)
		munmap(vm->ram, DEMO_RAM_SIZE);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}
