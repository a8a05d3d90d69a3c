// SPDX-License-Identifier: MIT
/*
 * __wrap_ioctl: the ioctl() every object linked with -Wl,--wrap=ioctl
 * calls. Simulated fds get arm64 KVM's answers (kvm_main.c kvm_dev_ioctl,
 * kvm_vm_ioctl, kvm_vcpu_ioctl and the arm64 arch handlers in arm.c);
 * everything else goes to the real ioctl().
 *
 * Unknown ioctls: arm64's kvm_arch_dev_ioctl, kvm_arch_vm_ioctl and
 * kvm_arch_vcpu_ioctl all end in "default: -EINVAL" (x86 answers -ENOTTY
 * for VMs; arm64 does not), and kvm_vcpu_ioctl refuses a non-KVMIO type
 * with -EINVAL. So a vCPU ioctl sent to a VM fd, or a VM ioctl sent to a
 * vCPU fd, fails with EINVAL. Real ioctls this simulator does not model
 * (creating VMs and vCPUs, memory slots, KVM_ARM_VCPU_INIT) fail with
 * ENOSYS, which KVM never returns for them, so a test notices.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "sim-internal.h"

#define KVM_API_VERSION_VALUE 12
/* KVM_ARM_VCPU_INIT: struct kvm_vcpu_init (u32 target, u32 features[7])
 * exists only in arm64's <asm/kvm.h>, so the number is spelled out. */
#define SIM_ARM_VCPU_INIT _IOC(_IOC_WRITE, KVMIO, 0xae, 32)

int __real_ioctl(int fd, unsigned long request, ...);
int __wrap_ioctl(int fd, unsigned long request, ...);

static enum kvmsim_ioctl request_kind(unsigned long request)
{
	switch (request) {
	case KVMSEA_IOCTL_CHECK_EXTENSION:
		return KVMSIM_IOCTL_CHECK_EXTENSION;
	case KVMSEA_IOCTL_ENABLE_CAP:
		return KVMSIM_IOCTL_ENABLE_CAP;
	case KVMSEA_IOCTL_GET_ONE_REG:
		return KVMSIM_IOCTL_GET_ONE_REG;
	case KVMSEA_IOCTL_SET_ONE_REG:
		return KVMSIM_IOCTL_SET_ONE_REG;
	case KVMSEA_IOCTL_GET_VCPU_EVENTS:
		return KVMSIM_IOCTL_GET_VCPU_EVENTS;
	case KVMSEA_IOCTL_SET_VCPU_EVENTS:
		return KVMSIM_IOCTL_SET_VCPU_EVENTS;
	case KVM_RUN:
		return KVMSIM_IOCTL_RUN;
	default:
		return KVMSIM_IOCTL_OTHER;
	}
}

static bool is_unmodelled(unsigned long request)
{
	return request == KVM_CREATE_VM || request == KVM_CREATE_VCPU ||
	       request == KVM_SET_USER_MEMORY_REGION ||
	       request == KVM_GET_REG_LIST || request == SIM_ARM_VCPU_INIT;
}

/* ---- Capabilities (arm.c kvm_vm_ioctl_check_extension) ------------------- */

/* kvm_pkvm_ext_allowed() for a protected VM: of the caps modelled here
 * only ONE_REG is on its list; everything else answers 0. */
static bool protected_allows(long cap)
{
	return cap == KVM_CAP_ONE_REG;
}

static long check_extension(const struct kvmsim_host *host,
			    const struct kvmsim_vm *vm, long cap)
{
	if (vm && (vm->flags & KVMSIM_VM_PROTECTED) && !protected_allows(cap))
		return 0;
	switch (cap) {
	case KVM_CAP_ONE_REG:
	case KVM_CAP_VCPU_EVENTS:
		return 1;
	case KVM_CAP_ARM_INJECT_SERROR_ESR:
		return host->ras; /* cpus_have_final_cap(ARM64_HAS_RAS_EXTN) */
	case KVM_CAP_ARM_NISV_TO_USER:
	case KVM_CAP_ARM_INJECT_EXT_DABT:
	case KVM_CAP_ARM_SEA_TO_USER:
	case KVM_CAP_ARM_MTE:
		return host->modern;
	case KVM_CAP_ARM_EL2:
		return host->arm_el2;
	default:
		return 0; /* unknown to this kernel, or not modelled */
	}
}

/* arm.c kvm_vm_ioctl_enable_cap(). */
static int enable_cap(struct kvmsim_vm *vm, const void *arg)
{
	struct kvm_enable_cap cap;

	if (!arg)
		return -EFAULT;
	memcpy(&cap, arg, sizeof(cap));
	if (cap.flags)
		return -EINVAL;
	if ((vm->flags & KVMSIM_VM_PROTECTED) && !protected_allows(cap.cap))
		return -EINVAL;
	switch (cap.cap) {
	case KVM_CAP_ARM_SEA_TO_USER:
		if (!vm->file.host->modern)
			return -EINVAL;
		/* set_bit(KVM_ARCH_FLAG_EXIT_SEA): no lock, no timing rule,
		 * args ignored, no way back. */
		atomic_store(&vm->exit_sea, true);
		return 0;
	case KVM_CAP_ARM_NISV_TO_USER:
		if (!vm->file.host->modern)
			return -EINVAL;
		atomic_store(&vm->nisv_to_user, true);
		return 0;
	default:
		return -EINVAL;
	}
}

/* ---- Per fd kind ---------------------------------------------------------- */

static long system_ioctl(struct sim_file *f, unsigned long request,
			 unsigned long arg)
{
	switch (request) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : KVM_API_VERSION_VALUE;
	case KVM_CHECK_EXTENSION:
		return check_extension(f->host, NULL, (long)arg);
	case KVM_GET_VCPU_MMAP_SIZE: {
		long page = sysconf(_SC_PAGESIZE);

		return arg ? -EINVAL : 2 * (page > 0 ? page : 4096);
	}
	default:
		return is_unmodelled(request) ? -ENOSYS : -EINVAL;
	}
}

static long vm_ioctl(struct sim_file *f, unsigned long request,
		     unsigned long arg)
{
	struct kvmsim_vm *vm = (struct kvmsim_vm *)f;

	switch (request) {
	case KVM_CHECK_EXTENSION:
		return check_extension(f->host, vm, (long)arg);
	case KVM_ENABLE_CAP:
		return enable_cap(vm, (const void *)arg);
	default:
		return is_unmodelled(request) ? -ENOSYS : -EINVAL;
	}
}

static long vcpu_locked_ioctl(struct kvmsim_vcpu *v, unsigned long request,
			      unsigned long arg)
{
	void *argp = (void *)arg;
	struct kvm_one_reg reg;

	switch (request) {
	case KVM_RUN:
		return sim_run(v, arg);
	case KVM_GET_ONE_REG:
	case KVM_SET_ONE_REG:
		if (!v->initialised)
			return -ENOEXEC;
		if (!argp)
			return -EFAULT;
		memcpy(&reg, argp, sizeof(reg));
		if (request == KVM_GET_ONE_REG)
			return sim_get_one_reg(v, reg.id, (void *)(uintptr_t)reg.addr);
		return sim_set_one_reg(v, reg.id, (const void *)(uintptr_t)reg.addr);
	case KVMSEA_IOCTL_GET_VCPU_EVENTS:
		if (!v->initialised)
			return -ENOEXEC;
		return argp ? sim_get_events(v, argp) : -EFAULT;
	case KVMSEA_IOCTL_SET_VCPU_EVENTS:
		if (!v->initialised)
			return -ENOEXEC;
		return argp ? sim_set_events(v, argp) : -EFAULT;
	default:
		return is_unmodelled(request) ? -ENOSYS : -EINVAL;
	}
}

static long vcpu_ioctl(struct sim_file *f, unsigned long request,
		       unsigned long arg)
{
	struct kvmsim_vcpu *v = (struct kvmsim_vcpu *)f;
	long ret;

	if (_IOC_TYPE(request) != KVMIO)
		return -EINVAL;
	pthread_mutex_lock(&v->lock); /* vcpu->mutex */
	ret = vcpu_locked_ioctl(v, request, arg);
	pthread_mutex_unlock(&v->lock);
	return ret;
}

/* ---- The wrapper ---------------------------------------------------------- */

int __wrap_ioctl(int fd, unsigned long request, ...)
{
	struct sim_file *f = sim_lookup(fd);
	unsigned long arg;
	va_list ap;
	long ret;

	/* One argument word, as the system call takes (pointer or integer). */
	va_start(ap, request);
	arg = va_arg(ap, unsigned long);
	va_end(ap);

	if (!f) {
		sim_count_passthrough();
		return __real_ioctl(fd, request, arg);
	}
	ret = sim_count(f, request_kind(request));
	if (ret) {
		errno = (int)ret; /* kvmsim_fail_ioctl(): before the kernel */
		return -1;
	}
	switch (f->kind) {
	case SIM_SYSTEM:
		ret = system_ioctl(f, request, arg);
		break;
	case SIM_VM:
		ret = vm_ioctl(f, request, arg);
		break;
	default:
		ret = vcpu_ioctl(f, request, arg);
		break;
	}
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return (int)ret;
}
