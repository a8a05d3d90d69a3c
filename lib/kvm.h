/* SPDX-License-Identifier: MIT */
/*
 * The one seam between the library and KVM: every ioctl the library makes
 * goes through these functions. Each returns 0 (or KVM's non-negative
 * answer) or a negative errno, and leaves errno as it found it.
 */
#ifndef LIBKVMSEA_KVM_H
#define LIBKVMSEA_KVM_H

#include <stdint.h>

#include "uapi-compat.h"

int kvmsea_kvm_check_extension(int fd, long cap);
int kvmsea_kvm_enable_cap(int vm_fd, uint32_t cap);
int kvmsea_kvm_get_reg(int vcpu_fd, uint64_t id, uint64_t *value);
int kvmsea_kvm_set_reg(int vcpu_fd, uint64_t id, uint64_t value);
int kvmsea_kvm_get_events(int vcpu_fd, struct kvmsea_uapi_vcpu_events *events);
int kvmsea_kvm_set_events(int vcpu_fd,
			  const struct kvmsea_uapi_vcpu_events *events);

#endif /* LIBKVMSEA_KVM_H */
