/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include <cmocka.h>

#include "fixture.h"

void fx_init(struct fx *f, const struct fx_opts *o)
{
	uint32_t flags = 0;

	memset(f, 0, sizeof(*f));
	f->host = kvmsim_host_new(o->profile, o->host_flags);
	assert_non_null(f->host);
	f->vm = kvmsim_create_vm(f->host, o->vm_flags);
	assert_non_null(f->vm);
	f->sv = kvmsim_create_vcpu(f->vm, o->vcpu_flags);
	assert_non_null(f->sv);
	f->run = kvmsim_vcpu_run_area(f->sv);

	assert_int_equal(kvmsea_ctx_new(kvmsim_vm_fd(f->vm), &f->ctx), 0);
	if (o->enable)
		assert_int_equal(kvmsea_ctx_enable(f->ctx), 0);
	if (o->vcpu_flags & KVMSIM_VCPU_EL1_32BIT)
		flags |= KVMSEA_VCPU_EL1_32BIT;
	if (o->vcpu_flags & KVMSIM_VCPU_HAS_EL2)
		flags |= KVMSEA_VCPU_HAS_EL2;
	assert_int_equal(kvmsea_vcpu_new(f->ctx, kvmsim_vcpu_fd(f->sv), f->run,
					 7, flags, &f->v), 0);
}

void fx_init_default(struct fx *f)
{
	const struct fx_opts o = { .profile = KVMSIM_HOST_RAS, .enable = true };

	fx_init(f, &o);
}

void fx_fini(struct fx *f)
{
	kvmsea_vcpu_free(f->v);
	kvmsea_ctx_free(f->ctx);
	kvmsim_host_free(f->host);
	memset(f, 0, sizeof(*f));
}

void fx_guest_at(struct fx *f, uint64_t pstate)
{
	kvmsim_reg_set(f->sv, KVMSEA_REG_PSTATE, pstate);
	kvmsim_reg_set(f->sv, KVMSEA_REG_PC, FX_PC);
	kvmsim_reg_set(f->sv, KVMSEA_REG_VBAR_EL1, FX_VBAR);
}

int fx_run_once(struct fx *f)
{
	int r = ioctl(kvmsim_vcpu_fd(f->sv), KVM_RUN, 0);

	return kvmsea_vcpu_handle_exit(f->v, r < 0 ? -errno : 0);
}

int fx_run_sea(struct fx *f, uint64_t esr, uint64_t far, uint64_t ipa,
	       bool ipa_valid)
{
	struct kvmsim_sea sea = {
		.esr = esr, .far = far, .ipa = ipa, .ipa_valid = ipa_valid,
	};

	assert_int_equal(kvmsim_queue_sea(f->sv, &sea), 0);
	return fx_run_once(f);
}

int fx_inject_handler(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
		      void *opaque)
{
	enum kvmsea_strategy how = *(const enum kvmsea_strategy *)opaque;
	int ret;

	if (how == KVMSEA_STRATEGY_NONE)
		return KVMSEA_ACTION_DEFAULT;
	ret = kvmsea_vcpu_inject(vcpu, ev, how, NULL);
	return ret < 0 ? ret : KVMSEA_ACTION_HANDLED;
}
