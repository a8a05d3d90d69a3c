/* SPDX-License-Identifier: MIT */
/*
 * Which strategy delivers an abort, and what it loses (lib/plan.c) as a
 * pure function: each test builds the request by hand and checks the
 * strategy, the emulation target and the lost bits against the rules of
 * kvmsea_vcpu_inject(3). No simulator: nothing here touches KVM.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "internal.h"

#define DABT 0x92000000ULL  /* DABT_LOW, IL */
#define IABT 0x82000000ULL  /* IABT_LOW, IL */
#define FSC_SEA 0x10ULL
#define FSC_TTW_L1 0x15ULL  /* SEA on a table walk, level 1 */
#define FNV (1ULL << 10)
#define EA (1ULL << 9)
#define CM (1ULL << 8)
#define WNR (1ULL << 6)
#define SET_UC (2ULL << 11)
#define SET_UEO (3ULL << 11)
#define SET_RESERVED (1ULL << 11)
#define EL0T 0x0ULL
#define EL1H 0x5ULL
#define EL2H 0x9ULL
#define SVC32 0x13ULL
#define PSTATE_A (1ULL << 8)
#define HCR_AMO (1ULL << 5)
#define HCR_TGE (1ULL << 27)
#define HCR_E2H (1ULL << 34)
#define HCR_TEA (1ULL << 37)
#define HCRX_TMEA (1ULL << 19)
#define SERROR_ASYNC 0x11ULL /* DFSC: asynchronous SError */
#define AET(v) ((uint64_t)(v) << 10)

/* A plain load's SEA at EL1h of an AArch64 vCPU, the exit now in kvm_run,
 * every capability there. */
static struct kvmsea_plan_in request(enum kvmsea_strategy how)
{
	return (struct kvmsea_plan_in){
		.how = how,
		.abort = { .is_data = true, .esr = DABT | FSC_SEA,
			   .far = 0x50000123, .far_valid = true },
		.pstate = EL1H,
		.live = true,
		.can_ext_dabt = true, .can_events = true, .serror_esr = true,
	};
}

/* An abort without an address: FnV set, FAR not valid. */
static void no_address(struct kvmsea_plan_in *in)
{
	in->abort.esr |= FNV;
	in->abort.far_valid = false;
}

static void plan_is(const struct kvmsea_plan_in *in,
		    enum kvmsea_strategy strategy, uint32_t lost)
{
	struct kvmsea_plan p;

	assert_int_equal(kvmsea_plan(in, &p), 0);
	assert_int_equal(p.strategy, strategy);
	assert_int_equal(p.lost, lost);
}

static void emulates_into(const struct kvmsea_plan_in *in,
			  enum kvmsea_target target, uint32_t lost)
{
	struct kvmsea_plan p;

	assert_int_equal(kvmsea_plan(in, &p), 0);
	assert_int_equal(p.strategy, KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(p.target, target);
	assert_int_equal(p.lost, lost);
}

static void refused(const struct kvmsea_plan_in *in, int err)
{
	struct kvmsea_plan p;

	assert_int_equal(kvmsea_plan(in, &p), err);
}

/* ---- auto ---- */

/* vcpu-events when it loses nothing: the live exit, a data abort whose ISS
 * is FSC 0x10 alone, with an address. Anything more: emulation, which
 * carries the whole syndrome into AArch64 EL1. */
static void test_auto_live_and_not(void **state)
{
	static const uint64_t extra[] = { WNR, CM, EA, SET_UC, FNV };
	struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_AUTO);
	struct kvmsea_plan p;

	(void)state;
	plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS, 0);
	in.live = false;
	emulates_into(&in, KVMSEA_TARGET_EL1, 0);
	assert_int_equal(kvmsea_plan(&in, &p), 0);
	assert_int_equal(p.reads, KVMSEA_READ_SCTLR | KVMSEA_READ_VBAR);
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		in = request(KVMSEA_STRATEGY_AUTO);
		in.abort.esr |= extra[i];
		in.abort.far_valid = extra[i] != FNV;
		emulates_into(&in, KVMSEA_TARGET_EL1, 0);
	}
	in = request(KVMSEA_STRATEGY_AUTO);
	in.abort.esr = DABT | FSC_TTW_L1;
	emulates_into(&in, KVMSEA_TARGET_EL1, 0);
	/* Without the capability, even the exact case emulates. */
	in = request(KVMSEA_STRATEGY_AUTO);
	in.can_ext_dabt = false;
	emulates_into(&in, KVMSEA_TARGET_EL1, 0);
}

/* KVM has no instruction abort to inject: auto emulates one, live or not;
 * vcpu-events refuses it. */
static void test_instruction_abort(void **state)
{
	struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_AUTO);

	(void)state;
	in.abort.is_data = false;
	in.abort.esr = IABT | FSC_SEA;
	emulates_into(&in, KVMSEA_TARGET_EL1, 0);
	in.how = KVMSEA_STRATEGY_VCPU_EVENTS;
	refused(&in, -EOPNOTSUPP);
	in.how = KVMSEA_STRATEGY_SERROR;
	plan_is(&in, KVMSEA_STRATEGY_SERROR,
		KVMSEA_LOST_SYNC | KVMSEA_LOST_FAR);
}

/* Right after KVM_EXIT_MMIO: emulation is refused (-EBUSY); auto takes
 * vcpu-events, the one strategy that cancels the completion, and reports
 * what it loses; -EBUSY when it cannot (an instruction abort, no
 * capability). */
static void test_mmio_pending(void **state)
{
	struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_AUTO);

	(void)state;
	in.live = false;
	in.mmio_pending = true;
	plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS, KVMSEA_LOST_FAR);
	in.abort.esr |= WNR | EA;
	plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS,
		KVMSEA_LOST_FAR | KVMSEA_LOST_WNR | KVMSEA_LOST_EA);
	in.how = KVMSEA_STRATEGY_EMULATE;
	refused(&in, -EBUSY);

	in = request(KVMSEA_STRATEGY_AUTO);
	in.live = false;
	in.mmio_pending = true;
	in.can_ext_dabt = false;
	refused(&in, -EBUSY);
	in.can_ext_dabt = true;
	in.abort.is_data = false;
	in.abort.esr = IABT | FSC_SEA;
	refused(&in, -EBUSY);
}

/* FnV: emulation carries it for FSC 0x10; vcpu-events cannot (KVM's FnV is
 * 0): the guest is told its FAR is valid. */
static void test_fnv(void **state)
{
	struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_AUTO);

	(void)state;
	no_address(&in);
	emulates_into(&in, KVMSEA_TARGET_EL1, 0);
	in.how = KVMSEA_STRATEGY_VCPU_EVENTS;
	plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS, KVMSEA_LOST_FNV);
	/* An SError has no address to lose. */
	in.how = KVMSEA_STRATEGY_SERROR;
	plan_is(&in, KVMSEA_STRATEGY_SERROR, KVMSEA_LOST_SYNC);
	/* A table walk's FSC has no FnV: the missing address is lost. */
	in = request(KVMSEA_STRATEGY_EMULATE);
	in.abort.esr = DABT | FSC_TTW_L1;
	in.abort.far_valid = false;
	emulates_into(&in, KVMSEA_TARGET_EL1, KVMSEA_LOST_FNV);
}

/* ---- The explicit strategies ---- */

/* vcpu-events does what it is asked and says what KVM's data abort (FSC
 * 0x10, nothing else, the FAR of the last exit) lost. */
static void test_vcpu_events(void **state)
{
	struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_VCPU_EVENTS);

	(void)state;
	plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS, 0);
	in.live = false;
	plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS, KVMSEA_LOST_FAR);
	in.live = true;
	in.abort.esr |= WNR | CM | EA | SET_UC;
	plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS, KVMSEA_LOST_WNR |
		KVMSEA_LOST_CM | KVMSEA_LOST_EA | KVMSEA_LOST_SET);
	/* A table walk's FSC is lost; SET is then not counted apart. */
	in.abort.esr = DABT | FSC_TTW_L1 | SET_UC;
	plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS, KVMSEA_LOST_FSC);
	in = request(KVMSEA_STRATEGY_VCPU_EVENTS);
	in.can_ext_dabt = false;
	refused(&in, -EOPNOTSUPP);
}

/* serror: asynchronous (SYNC lost) and without an address (FAR lost when
 * there was one); its syndrome's AET follows SET with host RAS, and
 * without it the severity is lost too. */
static void test_serror(void **state)
{
	static const struct { uint64_t set, aet; } aet[] = {
		{ 0, 3 }, { SET_RESERVED, 3 }, { SET_UC, 0 }, { SET_UEO, 2 },
	};
	struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_SERROR);
	struct kvmsea_plan p;

	(void)state;
	for (size_t i = 0; i < sizeof(aet) / sizeof(aet[0]); i++) {
		in.abort.esr = DABT | FSC_SEA | aet[i].set;
		assert_int_equal(kvmsea_plan(&in, &p), 0);
		assert_int_equal(p.strategy, KVMSEA_STRATEGY_SERROR);
		assert_int_equal(p.serror_esr, SERROR_ASYNC | AET(aet[i].aet));
		assert_int_equal(p.lost, KVMSEA_LOST_SYNC | KVMSEA_LOST_FAR);
	}
	in.serror_esr = false;
	in.abort.esr = DABT | FSC_SEA | SET_UC;
	assert_int_equal(kvmsea_plan(&in, &p), 0);
	assert_int_equal(p.serror_esr, 0);
	assert_int_equal(p.lost, KVMSEA_LOST_SYNC | KVMSEA_LOST_FAR |
		KVMSEA_LOST_SET);
	in.abort.esr = DABT | FSC_TTW_L1 | WNR | CM | EA;
	plan_is(&in, KVMSEA_STRATEGY_SERROR, KVMSEA_LOST_SYNC |
		KVMSEA_LOST_FAR | KVMSEA_LOST_FSC | KVMSEA_LOST_WNR |
		KVMSEA_LOST_CM | KVMSEA_LOST_EA);
	in.can_events = false;
	refused(&in, -EOPNOTSUPP);
}

static void test_bad_strategy(void **state)
{
	struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_NONE);

	(void)state;
	refused(&in, -EINVAL);
	in.how = (enum kvmsea_strategy)99;
	refused(&in, -EINVAL);
}

/* ---- The vCPU's shape ---- */

/* An AArch32 EL1: auto as on AArch64; emulation enters Abort mode (reading
 * TTBCR and the other half of FAR_EL1) and has no SET to carry. */
static void test_aarch32(void **state)
{
	struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_AUTO);
	struct kvmsea_plan p;

	(void)state;
	in.features = KVMSEA_F_EL1_32BIT;
	in.pstate = SVC32 | 0x1c0;
	plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS, 0);
	in.live = false;
	emulates_into(&in, KVMSEA_TARGET_ABT32, 0);
	assert_int_equal(kvmsea_plan(&in, &p), 0);
	assert_int_equal(p.reads, KVMSEA_READ_SCTLR | KVMSEA_READ_VBAR |
			 KVMSEA_READ_TCR_EL1 | KVMSEA_READ_FAR_EL1);
	in.abort.esr |= SET_UC;
	emulates_into(&in, KVMSEA_TARGET_ABT32, KVMSEA_LOST_SET);
	/* KVM has no nested virtualization with an AArch32 EL1. */
	in.features |= KVMSEA_F_EL2;
	in.how = KVMSEA_STRATEGY_AUTO;
	refused(&in, -EINVAL);
	in.how = KVMSEA_STRATEGY_VCPU_EVENTS;
	refused(&in, -EINVAL);
	in.how = KVMSEA_STRATEGY_EMULATE;
	refused(&in, -EINVAL);
}

/* A mode the handle thinks impossible (an AArch32 mode without
 * KVMSEA_VCPU_EL1_32BIT, EL2 without EL2): emulation refuses it; auto
 * leaves it to KVM, which knows the vCPU: vcpu-events for a data abort,
 * else an SError. */
static void test_mode_only_kvm_knows(void **state)
{
	static const uint64_t modes[] = { SVC32, EL2H };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_AUTO);

		in.pstate = modes[i];
		in.live = false;
		plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS, KVMSEA_LOST_FAR);
		in.abort.is_data = false;
		in.abort.esr = IABT | FSC_SEA;
		plan_is(&in, KVMSEA_STRATEGY_SERROR,
			KVMSEA_LOST_SYNC | KVMSEA_LOST_FAR);
		in.how = KVMSEA_STRATEGY_EMULATE;
		refused(&in, -EINVAL);
	}
}

/* A vCPU with EL2: vEL2 and its hosting EL0 are entered at vEL2, the
 * nested guest's own EL1 when its hypervisor leaves the abort there. A
 * mode it cannot be in is refused by auto too (its state was read). */
static void test_nested_targets(void **state)
{
	struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_AUTO);

	(void)state;
	in.features = KVMSEA_F_EL2;
	in.live = false;
	in.pstate = EL2H;
	emulates_into(&in, KVMSEA_TARGET_EL2, 0);
	in.pstate = EL0T;
	in.hcr_el2 = HCR_E2H | HCR_TGE;
	emulates_into(&in, KVMSEA_TARGET_EL2, 0);
	in.pstate = EL1H;
	in.hcr_el2 = HCR_E2H;
	emulates_into(&in, KVMSEA_TARGET_EL1, 0);
	in.live = true;
	plan_is(&in, KVMSEA_STRATEGY_VCPU_EVENTS, 0);
	in.live = false;
	in.pstate = SVC32;
	refused(&in, -EINVAL);
	in.how = KVMSEA_STRATEGY_VCPU_EVENTS;
	refused(&in, -EINVAL);
}

/* The guest hypervisor takes its guest's abort (TGE, TEA, or TMEA with
 * PSTATE.A at EL1): every strategy refuses, whatever else is set. TMEA
 * without PSTATE.A, or at EL0, leaves the abort in the guest. */
static void test_guest_hypervisor_owns_it(void **state)
{
	static const struct { uint64_t pstate, hcr, hcrx; } owned[] = {
		{ EL1H, HCR_TGE, 0 },
		{ EL1H, HCR_TEA, 0 },
		{ EL0T, HCR_TEA, 0 },
		{ EL1H | PSTATE_A, 0, HCRX_TMEA },
		{ SVC32, HCR_TEA, 0 }, /* decided before the mode is checked */
	};
	static const enum kvmsea_strategy all[] = {
		KVMSEA_STRATEGY_AUTO, KVMSEA_STRATEGY_VCPU_EVENTS,
		KVMSEA_STRATEGY_EMULATE, KVMSEA_STRATEGY_SERROR,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++) {
		for (size_t s = 0; s < 4; s++) {
			struct kvmsea_plan_in in = request(all[s]);

			in.features = KVMSEA_F_EL2;
			in.pstate = owned[i].pstate;
			in.hcr_el2 = owned[i].hcr;
			in.hcrx_el2 = owned[i].hcrx;
			refused(&in, -EOPNOTSUPP);
		}
	}
	for (size_t s = 0; s < 4; s++) {
		struct kvmsea_plan_in in = request(all[s]);
		struct kvmsea_plan p;

		in.features = KVMSEA_F_EL2;
		in.hcrx_el2 = HCRX_TMEA;
		assert_int_equal(kvmsea_plan(&in, &p), 0);
		in.pstate = EL0T | PSTATE_A;
		assert_int_equal(kvmsea_plan(&in, &p), 0);
	}
}

/* An SError for the nested guest while its hypervisor routes SErrors to
 * vEL2 (HCR_EL2.AMO) takes the path KVM crashes in: refused. At vEL2
 * itself it stays there: delivered. */
static void test_nested_serror_amo(void **state)
{
	struct kvmsea_plan_in in = request(KVMSEA_STRATEGY_SERROR);

	(void)state;
	in.features = KVMSEA_F_EL2;
	in.hcr_el2 = HCR_AMO;
	refused(&in, -EOPNOTSUPP);
	in.pstate = EL2H;
	plan_is(&in, KVMSEA_STRATEGY_SERROR, KVMSEA_LOST_SYNC | KVMSEA_LOST_FAR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auto_live_and_not),
		cmocka_unit_test(test_instruction_abort),
		cmocka_unit_test(test_mmio_pending),
		cmocka_unit_test(test_fnv),
		cmocka_unit_test(test_vcpu_events),
		cmocka_unit_test(test_serror),
		cmocka_unit_test(test_bad_strategy),
		cmocka_unit_test(test_aarch32),
		cmocka_unit_test(test_mode_only_kvm_knows),
		cmocka_unit_test(test_nested_targets),
		cmocka_unit_test(test_guest_hypervisor_owns_it),
		cmocka_unit_test(test_nested_serror_amo),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
