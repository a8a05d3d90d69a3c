/* SPDX-License-Identifier: MIT */
/* Shared helpers of the simulator's own tests: one fixture, and the ioctls
 * spelled the way a VMM spells them (results as 0 or -errno). */
#ifndef KVMSIM_TEST_SIM_H
#define KVMSIM_TEST_SIM_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <cmocka.h>

#include "kvmsim.h"
#include "uapi-compat.h"

struct fix {
	struct kvmsim_host *host;
	struct kvmsim_vm *vm;
	struct kvmsim_vcpu *vcpu;
	int vm_fd;
	int fd;                       /* the vCPU's */
	struct kvmsea_uapi_run *run;
};

static inline void fix_init(struct fix *f, enum kvmsim_profile profile,
			    unsigned int host_flags, unsigned int vm_flags,
			    unsigned int vcpu_features)
{
	f->host = kvmsim_host_new(profile, host_flags);
	assert_non_null(f->host);
	f->vm = kvmsim_create_vm(f->host, vm_flags);
	assert_non_null(f->vm);
	f->vm_fd = kvmsim_vm_fd(f->vm);
	f->vcpu = kvmsim_create_vcpu(f->vm, vcpu_features);
	assert_non_null(f->vcpu);
	f->fd = kvmsim_vcpu_fd(f->vcpu);
	f->run = kvmsim_vcpu_run_area(f->vcpu);
}

static inline void fix_fini(struct fix *f)
{
	kvmsim_host_free(f->host);
}

static inline int ret_errno(int ret)
{
	return ret < 0 ? -errno : ret;
}

static inline int check_ext(int fd, long cap)
{
	return ret_errno(ioctl(fd, KVM_CHECK_EXTENSION, cap));
}

static inline int enable_cap(int fd, uint32_t cap, uint32_t flags)
{
	struct kvm_enable_cap ec;

	memset(&ec, 0, sizeof(ec));
	ec.cap = cap;
	ec.flags = flags;
	return ret_errno(ioctl(fd, KVM_ENABLE_CAP, &ec));
}

static inline int get_reg(int fd, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)val };

	return ret_errno(ioctl(fd, KVM_GET_ONE_REG, &reg));
}

static inline int set_reg(int fd, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	return ret_errno(ioctl(fd, KVM_SET_ONE_REG, &reg));
}

static inline int set_events(int fd, const struct kvmsea_uapi_vcpu_events *ev)
{
	return ret_errno(ioctl(fd, KVMSEA_IOCTL_SET_VCPU_EVENTS, ev));
}

static inline int get_events(int fd, struct kvmsea_uapi_vcpu_events *ev)
{
	return ret_errno(ioctl(fd, KVMSEA_IOCTL_GET_VCPU_EVENTS, ev));
}

static inline int ext_dabt(int fd)
{
	struct kvmsea_uapi_vcpu_events ev;

	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	return set_events(fd, &ev);
}

static inline int serror(int fd, bool has_esr, uint64_t esr)
{
	struct kvmsea_uapi_vcpu_events ev;

	memset(&ev, 0, sizeof(ev));
	ev.exception.serror_pending = 1;
	ev.exception.serror_has_esr = has_esr;
	ev.exception.serror_esr = esr;
	return set_events(fd, &ev);
}

static inline int run_vcpu(int fd)
{
	return ret_errno(ioctl(fd, KVM_RUN, 0));
}

/* Direct register shorthands. */
#define REG(f, id) kvmsim_reg_get((f)->vcpu, (id))
#define SETREG(f, id, v) kvmsim_reg_set((f)->vcpu, (id), (v))

#endif /* KVMSIM_TEST_SIM_H */
