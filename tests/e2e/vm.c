// SPDX-License-Identifier: MIT
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

uint64_t e2e_guest_ipa(const char *sym)
{
	return E2E_RAM_IPA + (uint64_t)(sym - e2e_guest_start);
}

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static int set_slot(struct e2e_vm *vm, uint32_t slot, uint64_t ipa,
		    uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = ipa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0 ? neg_errno() : 0;
}

int e2e_vm_open(struct e2e_vm *vm, bool with_bad_page)
{
	size_t guest_size = (size_t)(e2e_guest_end - e2e_guest_start);
	int ret;

	memset(vm, 0, sizeof(*vm));
	vm->vm_fd = -1;
	vm->vgic_fd = -1;
	vm->ram = MAP_FAILED;
	vm->bad = MAP_FAILED;
	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return neg_errno();
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		goto fail;
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size <= 0)
		goto fail;

	vm->ram = mmap(NULL, E2E_RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->ram == MAP_FAILED)
		goto fail;
	memcpy(vm->ram, e2e_guest_start, guest_size);
	ret = set_slot(vm, 0, E2E_RAM_IPA, E2E_RAM_SIZE, vm->ram);
	if (ret)
		goto fail_ret;

	if (with_bad_page) {
		int mem = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);

		if (mem < 0)
			goto fail;
		vm->bad = mmap(NULL, E2E_BAD_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED, mem, E2E_BAD_PHYS);
		close(mem);
		if (vm->bad == MAP_FAILED)
			goto fail;
		ret = set_slot(vm, 1, E2E_BAD_IPA, E2E_BAD_SIZE, vm->bad);
		if (ret)
			goto fail_ret;
	}
	return 0;

fail:
	ret = neg_errno();
fail_ret:
	e2e_vm_close(vm);
	return ret;
}

void e2e_vm_close(struct e2e_vm *vm)
{
	if (vm->bad != MAP_FAILED)
		munmap(vm->bad, E2E_BAD_SIZE);
	if (vm->ram != MAP_FAILED)
		munmap(vm->ram, E2E_RAM_SIZE);
	if (vm->vgic_fd >= 0)
		close(vm->vgic_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	vm->bad = vm->ram = MAP_FAILED;
	vm->vm_fd = vm->kvm_fd = vm->vgic_fd = -1;
}

int e2e_vm_enable_sea_raw(struct e2e_vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_SEA_TO_USER };

	return ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0 ? neg_errno() : 0;
}

/* The GIC's IPAs: below the RAM, away from the bad and report pages. */
#define VGIC_DIST_IPA   0x08000000ull
#define VGIC_REDIST_IPA 0x080a0000ull

int e2e_vm_create_vgic(struct e2e_vm *vm)
{
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = VGIC_DIST_IPA, redist = VGIC_REDIST_IPA;
	struct kvm_device_attr attr = { .group = KVM_DEV_ARM_VGIC_GRP_ADDR };

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &dev) < 0)
		return neg_errno();
	vm->vgic_fd = (int)dev.fd;
	attr.attr = KVM_VGIC_V3_ADDR_TYPE_DIST;
	attr.addr = (uint64_t)(uintptr_t)&dist;
	if (ioctl(vm->vgic_fd, KVM_SET_DEVICE_ATTR, &attr) < 0)
		return neg_errno();
	attr.attr = KVM_VGIC_V3_ADDR_TYPE_REDIST;
	attr.addr = (uint64_t)(uintptr_t)&redist;
	return ioctl(vm->vgic_fd, KVM_SET_DEVICE_ATTR, &attr) < 0 ? neg_errno() : 0;
}

int e2e_vm_init_vgic(struct e2e_vm *vm)
{
	struct kvm_device_attr attr = {
		.group = KVM_DEV_ARM_VGIC_GRP_CTRL,
		.attr = KVM_DEV_ARM_VGIC_CTRL_INIT,
	};

	return ioctl(vm->vgic_fd, KVM_SET_DEVICE_ATTR, &attr) < 0 ? neg_errno() : 0;
}

int e2e_vcpu_open(struct e2e_vm *vm, uint32_t id, struct e2e_vcpu *vcpu)
{
	return e2e_vcpu_open_features(vm, id, 0, vcpu);
}

int e2e_vcpu_open_features(struct e2e_vm *vm, uint32_t id, uint32_t features,
			   struct e2e_vcpu *vcpu)
{
	struct kvm_vcpu_init init;
	int ret;

	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->run = MAP_FAILED;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (vcpu->fd < 0)
		return neg_errno();
	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		goto fail;
	init.features[0] |= features;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init) < 0)
		goto fail;
	vcpu->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED)
		goto fail;
	ret = e2e_get_reg(vcpu, E2E_REG_SCTLR_EL1, &vcpu->sctlr_reset);
	if (ret) {
		e2e_vcpu_close(vcpu);
		return ret;
	}
	return 0;
fail:
	ret = neg_errno();
	e2e_vcpu_close(vcpu);
	return ret;
}

void e2e_vcpu_close(struct e2e_vcpu *vcpu)
{
	if (vcpu->run != MAP_FAILED)
		munmap(vcpu->run, (size_t)vcpu->vm->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	vcpu->run = MAP_FAILED;
	vcpu->fd = -1;
}

int e2e_set_reg(struct e2e_vcpu *vcpu, uint64_t id, uint64_t val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	return ioctl(vcpu->fd, KVM_SET_ONE_REG, &r) < 0 ? neg_errno() : 0;
}

int e2e_get_reg(struct e2e_vcpu *vcpu, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uint64_t)(uintptr_t)val };

	return ioctl(vcpu->fd, KVM_GET_ONE_REG, &r) < 0 ? neg_errno() : 0;
}

/*
 * After a KVM_EXIT_MMIO, the next KVM_RUN first completes the access: it
 * writes a load's data and steps PC past the instruction, wherever PC points
 * by then. A VMM that moves PC must let that happen first, or KVM skips the
 * instruction at the new PC. immediate_exit does it without running the
 * guest (KVM_RUN completes the MMIO, then returns -EINTR).
 */
static int complete_mmio(struct e2e_vcpu *vcpu)
{
	int ret;

	if (vcpu->run->exit_reason != KVM_EXIT_MMIO)
		return 0;
	vcpu->run->immediate_exit = 1;
	ret = e2e_vcpu_run_once(vcpu);
	vcpu->run->immediate_exit = 0;
	if (ret != -EINTR)
		return ret ? ret : -EIO;
	/* KVM_RUN returned before touching exit_reason: say ourselves that
	 * no MMIO is pending any more (libkvmsea refuses emulation while
	 * exit_reason reads KVM_EXIT_MMIO). */
	vcpu->run->exit_reason = KVM_EXIT_UNKNOWN;
	return 0;
}

int e2e_vcpu_start(struct e2e_vcpu *vcpu, const struct e2e_start *s)
{
	uint64_t sctlr = (vcpu->sctlr_reset | s->sctlr_set) & ~s->sctlr_clear;
	const struct { uint64_t id, val; } regs[] = {
		{ E2E_REG_SCTLR_EL1, sctlr },
		{ E2E_REG_VBAR_EL1, E2E_RAM_IPA },
		{ E2E_REG_SP_EL1, E2E_RAM_IPA + E2E_RAM_SIZE },
		{ E2E_REG_SP_EL0, E2E_RAM_IPA + E2E_RAM_SIZE - 0x1000 },
		{ E2E_REG_ESR_EL1, 0 },
		{ E2E_REG_FAR_EL1, 0 },
		{ E2E_REG_ELR_EL1, 0 },
		{ E2E_REG_SPSR_EL1, 0 },
		{ E2E_REG_X(1), s->x1 },
		{ E2E_REG_X(2), 0x5ea5ea },
		/* The vectors set x9 first: a stale value shows if they did not. */
		{ E2E_REG_X(9), 0xff },
		{ E2E_REG_X(28), E2E_REPORT_IPA },
		{ E2E_REG_PSTATE, s->pstate },
		{ E2E_REG_PC, s->pc },
	};

	int ret = complete_mmio(vcpu);

	for (size_t i = 0; !ret && i < sizeof(regs) / sizeof(regs[0]); i++)
		ret = e2e_set_reg(vcpu, regs[i].id, regs[i].val);
	return ret;
}

int e2e_vcpu_run_once(struct e2e_vcpu *vcpu)
{
	return ioctl(vcpu->fd, KVM_RUN, 0) < 0 ? neg_errno() : 0;
}

bool e2e_report_mmio(struct e2e_vcpu *vcpu, struct e2e_report *rep)
{
	const struct kvm_run *run = vcpu->run;
	uint64_t off, val = 0;

	if (run->exit_reason != KVM_EXIT_MMIO || !run->mmio.is_write ||
	    run->mmio.phys_addr < E2E_REPORT_IPA ||
	    run->mmio.phys_addr >= E2E_REPORT_IPA + 80)
		return false;
	off = run->mmio.phys_addr - E2E_REPORT_IPA;
	memcpy(&val, run->mmio.data, run->mmio.len < 8 ? run->mmio.len : 8);
	switch (off) {
	case 0: rep->vector = val; break;
	case 8: rep->esr = val; break;
	case 16: rep->far = val; break;
	case 24: rep->elr = val; break;
	case 32: rep->spsr = val; break;
	case 40: rep->pstate = val; break;
	case 48: rep->done = true; break;
	case 56: rep->no_abort = true; break;
	case 64: rep->ifsr = val; break;
	case 72: rep->ifar = val; break;
	default: return false;
	}
	return true;
}
