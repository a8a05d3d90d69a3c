/* SPDX-License-Identifier: MIT */
/* Every ioctl of the library, and its one errno rule. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kvm.h"

/* The ioctl's result, or -errno; errno itself is left as it was, so that
 * no public function changes it (libkvmsea(7)). */
static int kvm_ioctl(int fd, unsigned long request, void *arg)
{
	int saved = errno;
	int ret = ioctl(fd, request, arg);

	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

int kvmsea_kvm_check_extension(int fd, long cap)
{
	return kvm_ioctl(fd, KVMSEA_IOCTL_CHECK_EXTENSION, (void *)cap);
}

int kvmsea_kvm_enable_cap(int vm_fd, uint32_t cap)
{
	struct kvm_enable_cap enable;

	memset(&enable, 0, sizeof(enable)); /* flags must be 0; args unused */
	enable.cap = cap;
	return kvm_ioctl(vm_fd, KVMSEA_IOCTL_ENABLE_CAP, &enable);
}

int kvmsea_kvm_get_reg(int vcpu_fd, uint64_t id, uint64_t *value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)value };

	return kvm_ioctl(vcpu_fd, KVMSEA_IOCTL_GET_ONE_REG, &reg);
}

int kvmsea_kvm_set_reg(int vcpu_fd, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };

	return kvm_ioctl(vcpu_fd, KVMSEA_IOCTL_SET_ONE_REG, &reg);
}

int kvmsea_kvm_get_events(int vcpu_fd, struct kvmsea_uapi_vcpu_events *events)
{
	return kvm_ioctl(vcpu_fd, KVMSEA_IOCTL_GET_VCPU_EVENTS, events);
}

int kvmsea_kvm_set_events(int vcpu_fd,
			  const struct kvmsea_uapi_vcpu_events *events)
{
	return kvm_ioctl(vcpu_fd, KVMSEA_IOCTL_SET_VCPU_EVENTS, (void *)events);
}
