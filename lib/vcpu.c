/* SPDX-License-Identifier: MIT */
/* The per-vCPU handle: its life, what it knows of the vCPU (probe), and
 * what the VMM asks of it outside the run loop. The run-loop hook is
 * exit.c. */
#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "arm64.h"
#include "internal.h"
#include "kvm.h"

KVMSEA_EXPORT int kvmsea_vcpu_new(struct kvmsea_ctx *ctx, int vcpu_fd,
				  void *run, uint32_t id, uint32_t flags,
				  struct kvmsea_vcpu **out)
{
	const uint32_t known = KVMSEA_VCPU_EL1_32BIT | KVMSEA_VCPU_HAS_EL2;
	struct kvmsea_vcpu *vcpu;

	if (!ctx || !run || !out || (flags & ~known))
		return -EINVAL;
	/* KVM has no nested virtualization with an AArch32 EL1. */
	if ((flags & KVMSEA_VCPU_EL1_32BIT) && (flags & KVMSEA_VCPU_HAS_EL2))
		return -EINVAL;
	if (vcpu_fd < 0)
		return -EBADF;

	vcpu = kvmsea_calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	kvmsea_sigq_init(&vcpu->ar, vcpu->ar_slots, KVMSEA_VCPU_SIGQ);
	vcpu->ctx = ctx;
	vcpu->fd = vcpu_fd;
	vcpu->run = run;
	vcpu->id = id;
	if (flags & KVMSEA_VCPU_EL1_32BIT)
		vcpu->features |= KVMSEA_F_EL1_32BIT;
	if (flags & KVMSEA_VCPU_HAS_EL2)
		vcpu->features |= KVMSEA_F_EL2;
	atomic_fetch_add_explicit(&ctx->vcpus, 1, memory_order_relaxed);
	*out = vcpu;
	return 0;
}

void kvmsea_vcpu_give_ar_to_vm(struct kvmsea_vcpu *vcpu)
{
	struct kvmsea_sigrec rec;

	while (kvmsea_sigq_pop(&vcpu->ar, &rec))
		if (!kvmsea_sigq_push(&vcpu->ctx->sigq, &rec))
			atomic_fetch_add_explicit(&vcpu->ctx->counters.sigbus_dropped,
						  1, memory_order_relaxed);
}

KVMSEA_EXPORT void kvmsea_vcpu_free(struct kvmsea_vcpu *vcpu)
{
	/* From its own handler the handle is still in use: refused. */
	if (!vcpu || vcpu->in_handler)
		return;
	/* Its ARs are guest memory errors: the VM keeps them. */
	kvmsea_vcpu_give_ar_to_vm(vcpu);
	atomic_fetch_sub_explicit(&vcpu->ctx->vcpus, 1, memory_order_relaxed);
	kvmsea_free(vcpu); /* the fd and the kvm_run mapping are the caller's */
}

KVMSEA_EXPORT struct kvmsea_ctx *kvmsea_vcpu_get_ctx(const struct kvmsea_vcpu *vcpu)
{
	return vcpu ? vcpu->ctx : NULL;
}

KVMSEA_EXPORT uint32_t kvmsea_vcpu_get_id(const struct kvmsea_vcpu *vcpu)
{
	return vcpu ? vcpu->id : 0;
}

KVMSEA_EXPORT void kvmsea_vcpu_set_data(struct kvmsea_vcpu *vcpu, void *data)
{
	if (vcpu)
		vcpu->data = data;
}

KVMSEA_EXPORT void *kvmsea_vcpu_get_data(const struct kvmsea_vcpu *vcpu)
{
	return vcpu ? vcpu->data : NULL;
}

KVMSEA_EXPORT const struct kvmsea_event *
kvmsea_vcpu_last_event(const struct kvmsea_vcpu *vcpu)
{
	return vcpu && vcpu->have_event ? &vcpu->event : NULL;
}

/* A register the vCPU may lack reads as 0 (an ID register KVM hides). */
static int get_id_reg(int fd, uint64_t id, uint64_t *value)
{
	int ret = kvmsea_kvm_get_reg(fd, id, value);

	if (ret == -ENOENT) {
		*value = 0;
		return 0;
	}
	return ret;
}

/* MTE, SCTLR2 and nested virtualization are fixed once vCPUs run: read
 * them once per handle. Whether the vCPU has EL2 is KVM's answer, not the
 * flag's: KVM shows EL2 registers only to nested vCPUs, and a nested vCPU
 * never has an AArch32 EL1, whatever the flags said. */
int kvmsea_vcpu_probe(struct kvmsea_vcpu *vcpu)
{
	uint64_t pfr1, mmfr3, hcr;
	uint32_t features = vcpu->features;
	int ret;

	if (vcpu->features_probed)
		return 0;
	ret = get_id_reg(vcpu->fd, KVMSEA_REG_ID_AA64PFR1_EL1, &pfr1);
	if (ret < 0)
		return ret;
	ret = get_id_reg(vcpu->fd, KVMSEA_REG_ID_AA64MMFR3_EL1, &mmfr3);
	if (ret < 0)
		return ret;
	ret = kvmsea_kvm_get_reg(vcpu->fd, KVMSEA_REG_HCR_EL2, &hcr);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (ret == 0) {
		features |= KVMSEA_F_EL2;
		features &= ~KVMSEA_F_EL1_32BIT;
	} else {
		features &= ~KVMSEA_F_EL2;
	}
	if (A64_ID_AA64PFR1_MTE(pfr1)) /* shown only if the VM enabled it */
		features |= KVMSEA_F_MTE;
	if (A64_ID_AA64MMFR3_SCTLRX(mmfr3))
		features |= KVMSEA_F_SCTLR2;
	vcpu->features = features;
	vcpu->features_probed = true;
	return 0;
}

KVMSEA_EXPORT int kvmsea_vcpu_serror_pending(struct kvmsea_vcpu *vcpu)
{
	struct kvmsea_uapi_vcpu_events events;
	int ret;

	if (!vcpu)
		return -EINVAL;
	memset(&events, 0, sizeof(events));
	ret = kvmsea_kvm_get_events(vcpu->fd, &events);
	if (ret < 0)
		return ret;
	return events.exception.serror_pending ? 1 : 0;
}
