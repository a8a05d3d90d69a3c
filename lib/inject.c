/* SPDX-License-Identifier: MIT */
/* The injection strategies: the ioctls that hand an abort to the guest. */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

#define ESR_EC_SHIFT 26
#define ESR_SET_SHIFT 11
#define ESR_FNV (1ULL << 10)
#define ESR_FSC 0x3fULL
#define ESR_ISS 0x1ffffffULL
#define HCR_AMO (1ULL << 5)

#define SERROR_DFSC_ASYNC 0x11ULL
#define SERROR_AET_SHIFT 10
#define AET_UC 0x0ULL
#define AET_UEO 0x2ULL
#define AET_UER 0x3ULL

/* The abort an event describes, taken from its raw exit fields only (an
 * event a caller made up need not have consistent decoded fields). */
static int abort_from_event(const struct kvmsea_event *ev,
			    struct kvmsea_abort *abort)
{
	unsigned int ec = (ev->raw_esr >> ESR_EC_SHIFT) & 0x3f;

	switch (ec) {
	case KVMSEA_EC_DABT_LOW: case KVMSEA_EC_DABT_CUR:
		abort->is_data = true;
		break;
	case KVMSEA_EC_IABT_LOW: case KVMSEA_EC_IABT_CUR:
		abort->is_data = false;
		break;
	default:
		return -EINVAL; /* not an abort: nothing to deliver */
	}
	abort->esr = ev->raw_esr;
	abort->far_valid = !(ev->raw_esr & ESR_FNV);
	abort->far = ev->raw_gva;
	return 0;
}

/* A register the vCPU may lack reads as 0 (HCRX_EL2 without FEAT_HCX). */
static int get_reg_or_zero(int fd, uint64_t id, uint64_t *value)
{
	int ret = kvmsea_get_reg(fd, id, value);

	if (ret == -ENOENT) {
		*value = 0;
		return 0;
	}
	return ret;
}

/* MTE, SCTLR2 and nested virtualization are fixed once vCPUs run: read
 * them once per handle. Whether the vCPU has EL2 is checked, not taken on
 * trust from KVMSEA_VCPU_HAS_EL2: KVM shows EL2 registers only to nested
 * vCPUs, and a wrong guess would route aborts to the wrong EL. */
int kvmsea_probe_features(struct kvmsea_vcpu *vcpu)
{
	uint64_t pfr1, mmfr3, hcr;
	int ret;

	if (vcpu->features_probed)
		return 0;
	ret = get_reg_or_zero(vcpu->fd, KVMSEA_REG_ID_AA64PFR1_EL1, &pfr1);
	if (ret < 0)
		return ret;
	ret = get_reg_or_zero(vcpu->fd, KVMSEA_REG_ID_AA64MMFR3_EL1, &mmfr3);
	if (ret < 0)
		return ret;
	ret = kvmsea_get_reg(vcpu->fd, KVMSEA_REG_HCR_EL2, &hcr);
	if (ret < 0 && ret != -ENOENT)
		return ret;
	if (ret == 0)
		vcpu->features |= KVMSEA_F_EL2;
	else
		vcpu->features &= ~KVMSEA_F_EL2;
	if ((pfr1 >> 8) & 0xf)   /* ID_AA64PFR1_EL1.MTE: shown only if enabled */
		vcpu->features |= KVMSEA_F_MTE;
	if ((mmfr3 >> 4) & 0xf)  /* ID_AA64MMFR3_EL1.SCTLRX */
		vcpu->features |= KVMSEA_F_SCTLR2;
	vcpu->features_probed = true;
	return 0;
}

/* What decides where an abort goes: the features, PSTATE and, for a nested
 * vCPU, the guest hypervisor's HCR_EL2 and HCRX_EL2. */
static int read_routing(struct kvmsea_vcpu *vcpu, uint64_t pc, uint64_t pstate,
			struct kvmsea_vstate *s)
{
	int ret = kvmsea_probe_features(vcpu);

	if (ret < 0)
		return ret;
	memset(s, 0, sizeof(*s));
	s->features = vcpu->features;
	s->pc = pc;
	s->pstate = pstate;
	if (s->features & KVMSEA_F_EL2) {
		ret = kvmsea_get_reg(vcpu->fd, KVMSEA_REG_HCR_EL2, &s->hcr_el2);
		if (!ret)
			ret = get_reg_or_zero(vcpu->fd, KVMSEA_REG_HCRX_EL2,
					      &s->hcrx_el2);
	}
	return ret;
}

/* Read what the entry rules ask for, from the target EL's registers. */
static int read_state(struct kvmsea_vcpu *vcpu, enum kvmsea_target target,
		      uint32_t reads, struct kvmsea_vstate *s)
{
	bool el2 = target == KVMSEA_TARGET_EL2;
	int fd = vcpu->fd;
	int ret = 0;

	if (reads & KVMSEA_READ_SCTLR)
		ret = kvmsea_get_reg(fd, el2 ? KVMSEA_REG_SCTLR_EL2 :
				     KVMSEA_REG_SCTLR_EL1, &s->sctlr);
	if (!ret && (reads & KVMSEA_READ_SCTLR2))
		ret = kvmsea_get_reg(fd, el2 ? KVMSEA_REG_SCTLR2_EL2 :
				     KVMSEA_REG_SCTLR2_EL1, &s->sctlr2);
	if (!ret && (reads & KVMSEA_READ_VBAR))
		ret = kvmsea_get_reg(fd, el2 ? KVMSEA_REG_VBAR_EL2 :
				     KVMSEA_REG_VBAR_EL1, &s->vbar);
	if (!ret && (reads & KVMSEA_READ_TCR_EL1))
		ret = kvmsea_get_reg(fd, KVMSEA_REG_TCR_EL1, &s->tcr_el1);
	if (!ret && (reads & KVMSEA_READ_FAR_EL1))
		ret = kvmsea_get_reg(fd, KVMSEA_REG_FAR_EL1, &s->far_el1);
	return ret;
}

static int inject_emulate(struct kvmsea_vcpu *vcpu,
			  const struct kvmsea_abort *abort,
			  struct kvmsea_vstate *s, enum kvmsea_target target)
{
	struct kvmsea_entry entry;
	unsigned int i;
	int ret;

	ret = read_state(vcpu, target,
			 kvmsea_entry_reads(target, s->features, abort->far_valid),
			 s);
	if (ret < 0)
		return ret;
	ret = kvmsea_entry_compute(s, abort, &entry);
	if (ret < 0)
		return ret;

	/* Syndrome, address and saved state first, PSTATE and PC last: if
	 * the kernel fails part way the guest has not been moved. */
	for (i = 0; i < entry.nr_writes; i++) {
		ret = kvmsea_set_reg(vcpu->fd, entry.writes[i].id,
				     entry.writes[i].value);
		if (ret < 0) {
			if (entry.writes[i].id == KVMSEA_REG_PC)
				(void)kvmsea_set_reg(vcpu->fd, KVMSEA_REG_PSTATE,
						     s->pstate);
			return ret;
		}
	}
	return KVMSEA_STRATEGY_EMULATE;
}

static int set_events(struct kvmsea_vcpu *vcpu,
		      const struct kvmsea_uapi_vcpu_events *events)
{
	if (ioctl(vcpu->fd, KVMSEA_IOCTL_SET_VCPU_EVENTS, events) < 0)
		return -errno;
	return 0;
}

/* KVM builds the abort itself: a data abort, FSC 0x10, FAR from the last
 * exit, no FnV/SET/WnR (kernel-semantics.md §2.3), with its routing. It
 * has no instruction abort: we never hand the guest another kind of
 * exception than the one it took. */
static int inject_vcpu_events(struct kvmsea_vcpu *vcpu,
			      const struct kvmsea_abort *abort)
{
	struct kvmsea_uapi_vcpu_events events;
	int ret;

	if (vcpu->ctx->caps.inject_ext_dabt <= 0 || !abort->is_data)
		return -EOPNOTSUPP;
	memset(&events, 0, sizeof(events));
	events.exception.ext_dabt_pending = 1;
	ret = set_events(vcpu, &events);
	return ret < 0 ? ret : KVMSEA_STRATEGY_VCPU_EVENTS;
}

/* The last resort: an SError; with host RAS it carries an ESR whose AET
 * follows the abort's SET (00 UER, 10 UC, 11 UEO; 01 is reserved: UER). */
static int inject_serror(struct kvmsea_vcpu *vcpu, uint64_t esr)
{
	static const uint64_t aet_of_set[4] = { AET_UER, AET_UER, AET_UC, AET_UEO };
	struct kvmsea_uapi_vcpu_events events;
	int ret;

	if (vcpu->ctx->caps.vcpu_events <= 0)
		return -EOPNOTSUPP;
	memset(&events, 0, sizeof(events));
	events.exception.serror_pending = 1;
	if (vcpu->ctx->caps.inject_serror_esr > 0) {
		events.exception.serror_has_esr = 1;
		events.exception.serror_esr =
			SERROR_DFSC_ASYNC |
			(aet_of_set[(esr >> ESR_SET_SHIFT) & 3] << SERROR_AET_SHIFT);
	}
	ret = set_events(vcpu, &events);
	return ret < 0 ? ret : KVMSEA_STRATEGY_SERROR;
}

/* ext_dabt_pending loses nothing for a data abort whose ISS is FSC 0x10
 * alone: that is exactly the syndrome KVM builds. */
static bool vcpu_events_lossless(const struct kvmsea_abort *abort)
{
	return abort->is_data && (abort->esr & ESR_ISS) == KVMSEA_FSC_EXTABT;
}

/* @route is kvmsea_entry_route()'s answer for this vCPU state (0 with
 * @target, or -EINVAL for a mode the flags say the vCPU cannot be in). */
static int inject_auto(struct kvmsea_vcpu *vcpu,
		       const struct kvmsea_abort *abort, struct kvmsea_vstate *s,
		       int route, enum kvmsea_target target)
{
	int ret;

	if (vcpu_events_lossless(abort) && vcpu->ctx->caps.inject_ext_dabt > 0)
		return inject_vcpu_events(vcpu, abort);
	if (route == 0)
		return inject_emulate(vcpu, abort, s, target);
	/* The vCPU is in a state our rules do not know (a missing
	 * KVMSEA_VCPU_EL1_32BIT): KVM knows it, for a data abort. */
	ret = inject_vcpu_events(vcpu, abort);
	if (ret != -EOPNOTSUPP)
		return ret;
	return inject_serror(vcpu, abort->esr);
}

/*
 * After KVM_EXIT_MMIO the next KVM_RUN first completes the access: it loads
 * the data into the target register and steps PC past the instruction,
 * which would land one instruction into an emulated vector. Only
 * ext_dabt_pending cancels that (it clears KVM's mmio_needed), so
 * emulation waits. A stale KVM_EXIT_MMIO (KVM_RUN returned -EINTR after
 * completing it) looks the same: we refuse too, harmlessly.
 */
static bool mmio_completion_pending(const struct kvmsea_vcpu *vcpu)
{
	return vcpu->run->exit_reason == KVM_EXIT_MMIO;
}

/*
 * A nested guest (L2) whose abort belongs to its guest hypervisor: only KVM
 * can switch the vCPU from the L2 context to vEL2, and Linux 7.2.13 oopses
 * doing it from KVM_SET_VCPU_EVENTS (kvm_inject_nested() puts and loads a
 * vCPU that the ioctl never loaded: a NULL hw_mmu in
 * kvm_vcpu_put_hw_mmu(); seen in tests/e2e). An SError for vEL2 (HCR_EL2.AMO)
 * takes the same path. So nothing is injected there.
 */
static bool serror_goes_to_vel2(const struct kvmsea_vstate *s,
				enum kvmsea_target target)
{
	return (s->features & KVMSEA_F_EL2) && target == KVMSEA_TARGET_EL1 &&
	       (s->hcr_el2 & HCR_AMO);
}

int kvmsea_inject_known(struct kvmsea_vcpu *vcpu,
			const struct kvmsea_event *event,
			enum kvmsea_strategy how, uint64_t pc, uint64_t pstate)
{
	struct kvmsea_abort abort;
	struct kvmsea_vstate s;
	enum kvmsea_target target = KVMSEA_TARGET_EL1;
	int route, ret;

	ret = abort_from_event(event, &abort);
	if (ret < 0)
		return ret;
	if (how < KVMSEA_STRATEGY_AUTO || how > KVMSEA_STRATEGY_SERROR)
		return -EINVAL;
	ret = read_routing(vcpu, pc, pstate, &s);
	if (ret < 0)
		return ret;
	route = kvmsea_entry_route(s.features, pstate, s.hcr_el2, s.hcrx_el2,
				   &target);
	if (route == -EOPNOTSUPP)
		return -EOPNOTSUPP; /* L2 to vEL2: see above */

	switch (how) {
	case KVMSEA_STRATEGY_AUTO:
		if (mmio_completion_pending(vcpu)) {
			ret = inject_vcpu_events(vcpu, &abort);
			return ret == -EOPNOTSUPP ? -EBUSY : ret;
		}
		return inject_auto(vcpu, &abort, &s, route, target);
	case KVMSEA_STRATEGY_VCPU_EVENTS:
		return inject_vcpu_events(vcpu, &abort);
	case KVMSEA_STRATEGY_EMULATE:
		if (route < 0)
			return route;
		if (mmio_completion_pending(vcpu))
			return -EBUSY;
		return inject_emulate(vcpu, &abort, &s, target);
	case KVMSEA_STRATEGY_SERROR:
		if (serror_goes_to_vel2(&s, target))
			return -EOPNOTSUPP;
		return inject_serror(vcpu, abort.esr);
	default:
		return -EINVAL;
	}
}
