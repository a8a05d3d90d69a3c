/* SPDX-License-Identifier: MIT */
/* Capabilities: probing, enabling, and the per-VM context that keeps them
 * with the policy. */
#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "internal.h"
#include "kvm.h"

KVMSEA_EXPORT int kvmsea_probe(int fd, struct kvmsea_caps *caps)
{
	struct kvmsea_caps c;
	const struct {
		long cap;
		int *answer;
	} asks[] = {
		/* The first answer also tells whether @fd is a KVM fd at all. */
		{ KVM_CAP_ARM_SEA_TO_USER, &c.sea_to_user },
		{ KVM_CAP_ARM_INJECT_EXT_DABT, &c.inject_ext_dabt },
		{ KVM_CAP_VCPU_EVENTS, &c.vcpu_events },
		{ KVM_CAP_ARM_INJECT_SERROR_ESR, &c.inject_serror_esr },
		{ KVM_CAP_ARM_EL2, &c.arm_el2 },
	};

	if (!caps)
		return -EINVAL;
	if (fd < 0)
		return -EBADF;

	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		int ret = kvmsea_kvm_check_extension(fd, asks[i].cap);

		if (ret < 0)
			return ret;
		*asks[i].answer = ret;
	}
	/* KVM answers the SEA cap with 1 on every arm64 host, but without
	 * FEAT_RAS (which INJECT_SERROR_ESR reports exactly) it keeps every
	 * SEA for itself and injects an SError (mmu.c:host_owns_sea()). */
	c.sea_exits_possible = c.sea_to_user > 0 && c.inject_serror_esr > 0;

	*caps = c;
	return 0;
}

KVMSEA_EXPORT int kvmsea_ctx_new(int vm_fd, struct kvmsea_ctx **out)
{
	struct kvmsea_ctx *ctx;
	int ret;

	if (!out)
		return -EINVAL;
	if (vm_fd < 0)
		return -EBADF;
	ctx = kvmsea_calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ret = kvmsea_probe(vm_fd, &ctx->caps);
	if (ret < 0)
		goto fail_probe;
	ret = kvmsea_memmap_init(&ctx->map);
	if (ret < 0)
		goto fail_probe;
	ret = kvmsea_poison_init(&ctx->poison);
	if (ret < 0)
		goto fail_poison;
	kvmsea_sigq_init(&ctx->sigq, ctx->sigq_slots, KVMSEA_CTX_SIGQ);
	ctx->vm_fd = vm_fd;
	ctx->livelock_limit = KVMSEA_DEFAULT_LIVELOCK_LIMIT;
	atomic_init(&ctx->enabled, false);
	atomic_init(&ctx->vcpus, 0);
	*out = ctx;
	return 0;

fail_poison:
	kvmsea_memmap_fini(&ctx->map);
fail_probe:
	kvmsea_free(ctx);
	return ret;
}

KVMSEA_EXPORT void kvmsea_ctx_free(struct kvmsea_ctx *ctx)
{
	/* Its vCPU handles still point here: refused, not freed under them. */
	if (!ctx || atomic_load(&ctx->vcpus) != 0)
		return;
	kvmsea_poison_fini(&ctx->poison);
	kvmsea_memmap_fini(&ctx->map);
	kvmsea_free(ctx); /* the VM fd is the caller's */
}

KVMSEA_EXPORT int kvmsea_ctx_get_caps(const struct kvmsea_ctx *ctx,
				      struct kvmsea_caps *caps)
{
	if (!ctx || !caps)
		return -EINVAL;
	*caps = ctx->caps;
	caps->sea_exits_enabled = atomic_load(&ctx->enabled);
	return 0;
}

KVMSEA_EXPORT int kvmsea_ctx_enable(struct kvmsea_ctx *ctx)
{
	int ret;

	if (!ctx)
		return -EINVAL;
	/* A kernel that does not know the cap, or a protected VM, answers 0;
	 * asking it to enable would only give a vaguer -EINVAL. */
	if (ctx->caps.sea_to_user <= 0)
		return -EOPNOTSUPP;
	ret = kvmsea_kvm_enable_cap(ctx->vm_fd, KVM_CAP_ARM_SEA_TO_USER);
	if (ret < 0)
		return ret;
	atomic_store(&ctx->enabled, true);
	return 0;
}

KVMSEA_EXPORT int kvmsea_ctx_set_handler(struct kvmsea_ctx *ctx,
					 kvmsea_handler_fn fn, void *opaque)
{
	if (!ctx)
		return -EINVAL;
	ctx->handler = fn;
	ctx->opaque = opaque;
	return 0;
}

KVMSEA_EXPORT int kvmsea_ctx_set_livelock_limit(struct kvmsea_ctx *ctx,
						uint32_t limit)
{
	if (!ctx)
		return -EINVAL;
	ctx->livelock_limit = limit;
	return 0;
}

KVMSEA_EXPORT const char *kvmsea_strategy_name(enum kvmsea_strategy strategy)
{
	switch (strategy) {
	case KVMSEA_STRATEGY_NONE:
		return "none";
	case KVMSEA_STRATEGY_AUTO:
		return "auto";
	case KVMSEA_STRATEGY_VCPU_EVENTS:
		return "vcpu-events";
	case KVMSEA_STRATEGY_EMULATE:
		return "emulate";
	case KVMSEA_STRATEGY_SERROR:
		return "serror";
	}
	return "unknown";
}
