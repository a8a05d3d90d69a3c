/* SPDX-License-Identifier: MIT */
/*
 * Which strategy delivers an abort, and what it loses: a pure function of
 * the request, the abort and the vCPU's state, so that every choice is
 * tested without KVM (tests/kvm/test-plan.c) and inject.c only carries it
 * out. The rules are kvmsea_vcpu_inject(3)'s (Strategies, What was lost, A
 * nested guest whose hypervisor takes the abort); the comments below say
 * why each holds.
 */
#include <errno.h>
#include <string.h>

#include "arm64.h"
#include "entry.h"

/* What ext_dabt_pending changes in @abort: KVM's own data abort has FSC
 * 0x10 and nothing else, FnV 0, and the FAR of the last exit. */
static uint32_t ext_dabt_lost(const struct kvmsea_abort *abort, bool live)
{
	uint64_t esr = abort->esr;
	unsigned int fsc = esr & A64_ESR_FSC;
	uint32_t lost = 0;

	if (esr & A64_ESR_WNR)
		lost |= KVMSEA_LOST_WNR;
	if (esr & A64_ESR_CM)
		lost |= KVMSEA_LOST_CM;
	if (esr & A64_ESR_EA)
		lost |= KVMSEA_LOST_EA;
	if (fsc != A64_FSC_SEA)
		lost |= KVMSEA_LOST_FSC;
	else if (esr & A64_ESR_SET)
		lost |= KVMSEA_LOST_SET;
	if (!abort->far_valid)
		lost |= KVMSEA_LOST_FNV;
	else if (!live)
		lost |= KVMSEA_LOST_FAR;
	return lost;
}

/* The SError's syndrome: with host RAS its AET follows the abort's SET
 * (00 UER, 10 UC, 11 UEO; 01 is reserved: UER). */
static uint64_t serror_syndrome(uint64_t esr)
{
	static const uint64_t aet_of_set[4] = { A64_AET_UER, A64_AET_UER,
						A64_AET_UC, A64_AET_UEO };

	return A64_ESR_SERROR_DFSC_ASYNC |
	       (aet_of_set[(esr >> A64_ESR_SET_SHIFT) & 3]
		<< A64_ESR_SERROR_AET_SHIFT);
}

static int plan_ext_dabt(const struct kvmsea_plan_in *in,
			 struct kvmsea_plan *out)
{
	/* Never another kind of exception than the one the guest took. */
	if (!in->can_ext_dabt || !in->abort.is_data)
		return -EOPNOTSUPP;
	out->strategy = KVMSEA_STRATEGY_VCPU_EVENTS;
	out->lost = ext_dabt_lost(&in->abort, in->live);
	return 0;
}

static int plan_emulate(const struct kvmsea_plan_in *in,
			enum kvmsea_target target, struct kvmsea_plan *out)
{
	/* The next KVM_RUN would complete the MMIO access and step the PC
	 * past the vector's first instruction. */
	if (in->mmio_pending)
		return -EBUSY;
	out->strategy = KVMSEA_STRATEGY_EMULATE;
	out->target = target;
	out->reads = kvmsea_entry_reads(target, in->features,
					in->abort.far_valid);
	out->lost = kvmsea_entry_lost(target, &in->abort);
	return 0;
}

/* The nested case that reaches here is an abort staying in the L2 guest or
 * at vEL2; an SError for that guest still goes to vEL2 when the guest
 * hypervisor routes SErrors there (HCR_EL2.AMO), through the same KVM
 * path that oopses: refused too. */
static int plan_serror(const struct kvmsea_plan_in *in, int route,
		       enum kvmsea_target target, struct kvmsea_plan *out)
{
	const uint64_t esr = in->abort.esr;

	if (!in->can_events)
		return -EOPNOTSUPP;
	if ((in->features & KVMSEA_F_EL2) &&
	    (route < 0 || target == KVMSEA_TARGET_EL1) &&
	    (in->hcr_el2 & A64_HCR_AMO))
		return -EOPNOTSUPP;
	out->strategy = KVMSEA_STRATEGY_SERROR;
	out->serror_esr = in->serror_esr ? serror_syndrome(esr) : 0;
	/* An SError says only how bad the error is (with host RAS). */
	out->lost = KVMSEA_LOST_SYNC |
		    (ext_dabt_lost(&in->abort, false) &
		     ~(KVMSEA_LOST_SET | KVMSEA_LOST_FNV));
	if (!in->serror_esr && (esr & A64_ESR_SET))
		out->lost |= KVMSEA_LOST_SET;
	return 0;
}

/* Whether KVM's abort loses nothing: the FAR it saved is the abort's own for
 * the live exit only, and its ISS is FSC 0x10 alone. */
static bool ext_dabt_exact(const struct kvmsea_plan_in *in)
{
	return in->live && in->abort.is_data && in->abort.far_valid &&
	       (in->abort.esr & A64_ESR_ISS_MASK) == A64_FSC_SEA;
}

static int plan_auto(const struct kvmsea_plan_in *in, int route,
		     enum kvmsea_target target, struct kvmsea_plan *out)
{
	int ret;

	if (in->can_ext_dabt && ext_dabt_exact(in))
		return plan_ext_dabt(in, out);
	/* ext_dabt_pending is the only way to cancel the MMIO completion. */
	if (in->mmio_pending) {
		ret = plan_ext_dabt(in, out);
		return ret == -EOPNOTSUPP ? -EBUSY : ret;
	}
	if (route == 0)
		return plan_emulate(in, target, out);
	/* A mode our rules say this vCPU cannot be in (a missing
	 * KVMSEA_VCPU_EL1_32BIT): KVM knows the vCPU, for a data abort. A
	 * nested vCPU's state is always known (its features were read). */
	if (in->features & KVMSEA_F_EL2)
		return route;
	ret = plan_ext_dabt(in, out);
	if (ret != -EOPNOTSUPP)
		return ret;
	/* Asynchronous, and fatal to most guests: the last resort. */
	return plan_serror(in, route, target, out);
}

int kvmsea_plan(const struct kvmsea_plan_in *in, struct kvmsea_plan *out)
{
	enum kvmsea_target target = KVMSEA_TARGET_EL1;
	int route;

	memset(out, 0, sizeof(*out));
	route = kvmsea_entry_route(in->features, in->pstate, in->hcr_el2,
				   in->hcrx_el2, &target);
	if (route == -EOPNOTSUPP)
		return route;

	switch (in->how) {
	case KVMSEA_STRATEGY_AUTO:
		return plan_auto(in, route, target, out);
	case KVMSEA_STRATEGY_VCPU_EVENTS:
		if ((in->features & KVMSEA_F_EL2) && route < 0)
			return route;
		return plan_ext_dabt(in, out);
	case KVMSEA_STRATEGY_EMULATE:
		return route < 0 ? route : plan_emulate(in, target, out);
	case KVMSEA_STRATEGY_SERROR:
		return plan_serror(in, route, target, out);
	default:
		return -EINVAL;
	}
}
