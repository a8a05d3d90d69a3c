/* SPDX-License-Identifier: MIT */
/* Carrying out an injection: read the state the plan needs, plan
 * (plan.c, pure), then the ioctls of the chosen strategy. */
#include <errno.h>
#include <string.h>

#include "internal.h"
#include "kvm.h"

/* A register the vCPU may lack reads as 0 (HCRX_EL2 without FEAT_HCX). */
static int get_reg_or_zero(int fd, uint64_t id, uint64_t *value)
{
	int ret = kvmsea_kvm_get_reg(fd, id, value);

	if (ret == -ENOENT) {
		*value = 0;
		return 0;
	}
	return ret;
}

/* Read what the entry rules ask for, from the target EL's registers. */
static int read_entry_state(int fd, enum kvmsea_target target, uint32_t reads,
			    struct kvmsea_vstate *s)
{
	bool el2 = target == KVMSEA_TARGET_EL2;
	int ret = 0;

	if (reads & KVMSEA_READ_SCTLR)
		ret = kvmsea_kvm_get_reg(fd, el2 ? KVMSEA_REG_SCTLR_EL2 :
					 KVMSEA_REG_SCTLR_EL1, &s->sctlr);
	if (!ret && (reads & KVMSEA_READ_SCTLR2))
		ret = kvmsea_kvm_get_reg(fd, el2 ? KVMSEA_REG_SCTLR2_EL2 :
					 KVMSEA_REG_SCTLR2_EL1, &s->sctlr2);
	if (!ret && (reads & KVMSEA_READ_VBAR))
		ret = kvmsea_kvm_get_reg(fd, el2 ? KVMSEA_REG_VBAR_EL2 :
					 KVMSEA_REG_VBAR_EL1, &s->vbar);
	if (!ret && (reads & KVMSEA_READ_TCR_EL1))
		ret = kvmsea_kvm_get_reg(fd, KVMSEA_REG_TCR_EL1, &s->tcr_el1);
	if (!ret && (reads & KVMSEA_READ_FAR_EL1))
		ret = kvmsea_kvm_get_reg(fd, KVMSEA_REG_FAR_EL1, &s->far_el1);
	return ret;
}

/* Write back @n registers in reverse order: 0, or -EIO if KVM refused one
 * of the values it held a moment before. */
static int restore(int fd, const struct kvmsea_reg_write *old, unsigned int n)
{
	int ret = 0;

	while (n--)
		if (kvmsea_kvm_set_reg(fd, old[n].id, old[n].value) < 0)
			ret = -EIO;
	return ret;
}

/* The exception entry through KVM_SET_ONE_REG. Every register about to be
 * written is read first, so that a failure part way writes them all back:
 * on failure the vCPU is as it was. PSTATE and PC go last. */
static int emulate(int fd, const struct kvmsea_plan *plan,
		   struct kvmsea_vstate *s, const struct kvmsea_abort *abort)
{
	struct kvmsea_reg_write old[KVMSEA_ENTRY_MAX_WRITES];
	struct kvmsea_entry entry;
	unsigned int i;
	int ret;

	ret = read_entry_state(fd, plan->target, plan->reads, s);
	if (ret < 0)
		return ret;
	ret = kvmsea_entry_compute(s, abort, &entry);
	if (ret < 0)
		return ret;

	for (i = 0; i < entry.nr_writes; i++) {
		old[i].id = entry.writes[i].id;
		if (old[i].id == KVMSEA_REG_PC)
			old[i].value = s->pc;
		else if (old[i].id == KVMSEA_REG_PSTATE)
			old[i].value = s->pstate;
		else if ((plan->reads & KVMSEA_READ_FAR_EL1) &&
			 old[i].id == KVMSEA_REG_FAR_EL1)
			old[i].value = s->far_el1;
		else if ((ret = kvmsea_kvm_get_reg(fd, old[i].id,
						    &old[i].value)) < 0)
			return ret;
	}
	for (i = 0; i < entry.nr_writes; i++) {
		ret = kvmsea_kvm_set_reg(fd, entry.writes[i].id,
					 entry.writes[i].value);
		if (ret < 0) {
			int undo = restore(fd, old, i);

			return undo < 0 ? undo : ret;
		}
	}
	return 0;
}

int kvmsea_inject(struct kvmsea_vcpu *vcpu, const struct kvmsea_inject_req *req,
		  uint32_t *lost)
{
	const struct kvmsea_caps *caps = &vcpu->ctx->caps;
	struct kvmsea_uapi_vcpu_events events;
	struct kvmsea_plan_in in;
	struct kvmsea_plan plan;
	struct kvmsea_vstate s;
	int ret;

	memset(&in, 0, sizeof(in));
	in.how = req->how;
	in.abort = req->abort;
	in.features = vcpu->features;
	in.pstate = req->pstate;
	in.live = req->live;
	in.mmio_pending = vcpu->run->exit_reason == KVM_EXIT_MMIO;
	in.can_ext_dabt = caps->inject_ext_dabt > 0;
	in.can_events = caps->vcpu_events > 0;
	in.serror_esr = caps->inject_serror_esr > 0;
	if (vcpu->features & KVMSEA_F_EL2) {
		ret = kvmsea_kvm_get_reg(vcpu->fd, KVMSEA_REG_HCR_EL2, &in.hcr_el2);
		if (ret < 0)
			return ret;
		ret = get_reg_or_zero(vcpu->fd, KVMSEA_REG_HCRX_EL2, &in.hcrx_el2);
		if (ret < 0)
			return ret;
	}
	ret = kvmsea_plan(&in, &plan);
	if (ret < 0)
		return ret;

	memset(&events, 0, sizeof(events));
	switch (plan.strategy) {
	case KVMSEA_STRATEGY_VCPU_EVENTS:
		events.exception.ext_dabt_pending = 1;
		ret = kvmsea_kvm_set_events(vcpu->fd, &events);
		break;
	case KVMSEA_STRATEGY_SERROR:
		events.exception.serror_pending = 1;
		events.exception.serror_has_esr = in.serror_esr;
		events.exception.serror_esr = plan.serror_esr;
		ret = kvmsea_kvm_set_events(vcpu->fd, &events);
		break;
	case KVMSEA_STRATEGY_EMULATE:
		memset(&s, 0, sizeof(s));
		s.features = in.features;
		s.pc = req->pc;
		s.pstate = req->pstate;
		s.hcr_el2 = in.hcr_el2;
		s.hcrx_el2 = in.hcrx_el2;
		ret = emulate(vcpu->fd, &plan, &s, &req->abort);
		break;
	default:
		return -EINVAL; /* the plan names one of the three */
	}
	if (ret < 0)
		return ret;
	*lost = plan.lost;
	return plan.strategy;
}
