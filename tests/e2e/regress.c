// SPDX-License-Identifier: MIT
/*
 * Regression scenarios on the real kernel for three library bugs (issue 9,
 * items 1-3), written against the behaviour they are fixed to:
 *
 *  r1  the livelock guard counts only SEAs that come back with nothing
 *      delivered in between, and starts again after a STOP;
 *  r2  an injected event's own address is the FAR the guest sees, also
 *      when it is not the exit now in kvm_run (ext_dabt_pending would give
 *      the FAR of KVM's last exit);
 *  r3  one exit is injected at most once: a second injection is refused
 *      with -EALREADY and the guest sees a single exception entry.
 *
 * The guest is guest.S (AArch64, EL1h); r1 adds guest-retry.S, a vector
 * table whose abort handler returns to the faulting load.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libkvmsea/sea.h>

#include "check.h"
#include "vm.h"
#include "vmm.h"

/* guest-retry.S, copied to RAM at RETRY_RAM_OFF (2 KiB aligned for VBAR). */
extern const char e2e_retry_start[], e2e_retry_end[];
#define RETRY_RAM_OFF 0x4000ull

#define ADDR_B (E2E_BAD_IPA + 0x340) /* a second address in the bad page */
#define PSTATE_AT_FAULT (PS_ZC | PS_A | PS_F | M_EL1H)

static uint64_t load_pc(void)
{
	return e2e_guest_ipa(e2e_guest_load);
}

static int start_load(struct lvm *l, uint64_t addr)
{
	struct e2e_start st = { .pc = load_pc(), .pstate = PSTATE_AT_FAULT, .x1 = addr };
	int ret = e2e_vcpu_start(&l->c, &st);

	EXPECT(!ret, "vCPU start: %s", strerror(-ret));
	return ret;
}

/* guest.S's report of one data abort taken at EL1h from the load at @far:
 * a single entry has ELR = the load (a nested one: ELR = the vector). */
static void expect_one_entry(const struct e2e_report *r, uint64_t far)
{
	EXPECT(r->done && !r->no_abort, "the guest took no exception");
	EXPECT_EQ("vector", r->vector, VEC_CUR_SPX_SYNC);
	EXPECT_EQ("ESR_EL1", r->esr, ESR_DABT_CUR_EXTABT);
	EXPECT_EQ("FAR_EL1", r->far, far);
	EXPECT_EQ("ELR_EL1", r->elr, load_pc());
	EXPECT_EQ("SPSR_EL1", r->spsr, PSTATE_AT_FAULT);
}

/* ---- r1: the livelock guard --------------------------------------------- */

/* Start on the load with guest-retry.S's vectors: the guest takes @n
 * aborts, returning to the load after each, then reports the last one. */
static int start_retrying(struct lvm *l, uint64_t n)
{
	const struct { uint64_t id, val; } regs[] = {
		{ E2E_REG_VBAR_EL1, E2E_RAM_IPA + RETRY_RAM_OFF },
		{ E2E_REG_X(25), 0 },
		{ E2E_REG_X(26), n },
		{ E2E_REG_X(27), E2E_RAM_IPA }, /* guest.S's vectors */
	};
	int ret;

	memcpy(l->vm.ram + RETRY_RAM_OFF, e2e_retry_start,
	       (size_t)(e2e_retry_end - e2e_retry_start));
	ret = start_load(l, BAD_ADDR);
	for (size_t i = 0; !ret && i < sizeof(regs) / sizeof(regs[0]); i++)
		ret = e2e_set_reg(&l->c, regs[i].id, regs[i].val);
	return ret;
}

/* Every SEA is retried twice (RETRY), then delivered: the same SEA never
 * comes back more than 3 times in a row with nothing delivered. */
struct pattern {
	int calls;
	int wrong;          /* events whose repeats/livelock are not as expected */
	uint32_t max_repeats;
};

static int retry_twice_then_inject(struct kvmsea_vcpu *vcpu,
				   const struct kvmsea_event *ev, void *opaque)
{
	struct pattern *p = opaque;
	uint32_t want = (uint32_t)(p->calls % 3) + 1;

	p->wrong += ev->repeats != want || ev->livelock;
	if (ev->repeats > p->max_repeats)
		p->max_repeats = ev->repeats;
	p->calls++;
	if (want < 3)
		return KVMSEA_ACTION_RETRY;
	return kvmsea_vcpu_inject(vcpu, ev, KVMSEA_STRATEGY_AUTO, NULL) > 0 ?
	       KVMSEA_ACTION_HANDLED : KVMSEA_ACTION_STOP;
}

static int retry_until_livelock(struct kvmsea_vcpu *vcpu,
				const struct kvmsea_event *ev, void *opaque)
{
	record(vcpu, ev, opaque);
	return ev->livelock ? KVMSEA_ACTION_DEFAULT : KVMSEA_ACTION_RETRY;
}

static int r1_livelock_delivered(void)
{
	enum { DELIVERED = 100, MIXED = 20, LIMIT = 8 /* the default */ };
	struct recorder rec = { 0 };
	struct pattern pat = { 0 };
	struct e2e_report rep;
	struct lvm l;
	const struct kvmsea_event *last;
	uint64_t taken = 0;
	int seas = 0, seas_mixed = 0;
	enum run_result res_default = R_ERROR, res_mixed = R_ERROR;
	enum run_result res_stop[2] = { R_ERROR, R_ERROR };
	int calls_stop[2] = { 0, 0 };

	e2e_begin("r1-livelock-delivered");
	/* A: no handler. Every SEA is delivered and handled by the guest,
	 * which retries the access: no livelock, whatever the count. */
	if (lvm_open(&l, true, NULL, NULL) == 0) {
		if (!start_retrying(&l, DELIVERED)) {
			res_default = lib_run(l.v, &l.c, &rep, &seas);
			e2e_get_reg(&l.c, E2E_REG_X(25), &taken);
		}
		EXPECT_EQ("default policy: run (R_REPORT 0, R_STOP 1)", res_default, R_REPORT);
		EXPECT_EQ("SEA exits handled", seas, DELIVERED);
		EXPECT_EQ("aborts the guest took", taken, DELIVERED);
		last = kvmsea_vcpu_last_event(l.v);
		EXPECT(last && !last->livelock && last->injected != KVMSEA_STRATEGY_NONE,
		       "the last event is no livelock and was injected");
		if (res_default == R_REPORT)
			expect_one_entry(&rep, BAD_ADDR);
		lvm_close(&l);
	}

	/* B: RETRY twice, then inject, for each SEA: repeats 1, 2, 3, 1, ... */
	if (lvm_open(&l, true, retry_twice_then_inject, &pat) == 0) {
		if (!start_retrying(&l, MIXED))
			res_mixed = lib_run(l.v, &l.c, &rep, &seas_mixed);
		EXPECT_EQ("retry x2 + inject: run", res_mixed, R_REPORT);
		EXPECT_EQ("SEA exits", seas_mixed, 3 * MIXED);
		EXPECT_EQ("events with repeats != 1,2,3 or livelock set", pat.wrong, 0);
		lvm_close(&l);
	}

	/* C: RETRY only (nothing delivered): the guard trips at the limit, and
	 * after the STOP the next SEA counts from 1 again. */
	if (lvm_open(&l, true, retry_until_livelock, &rec) == 0) {
		start_load(&l, BAD_ADDR);
		for (int round = 0; round < 2; round++) {
			int before = rec.calls;

			/* After a STOP the VMM re-enters as it is: same SEA. */
			res_stop[round] = lib_run(l.v, &l.c, &rep, NULL);
			calls_stop[round] = rec.calls - before;
			EXPECT_EQ("RETRY: run until STOP", res_stop[round], R_STOP);
			EXPECT_EQ("RETRY: handler calls until STOP", calls_stop[round], LIMIT);
			for (int i = before; i < rec.calls && i < 16; i++) {
				uint32_t want = (uint32_t)(i - before) + 1;

				EXPECT_EQ("event.repeats", rec.events[i].repeats, want);
				EXPECT_EQ("event.livelock", rec.events[i].livelock, want == LIMIT);
			}
		}
		lvm_close(&l);
	}
	return e2e_end("default policy, %d delivered SEAs at one PC and address: run %s "
		       "after %d exits; RETRY x2 + inject: max repeats %u; RETRY only: STOP "
		       "after %d, then after %d more SEAs (counted from 1 again)",
		       DELIVERED, res_default == R_REPORT ? "ends in the guest's report" :
		       res_default == R_STOP ? "STOPPED" : "failed", seas,
		       pat.max_repeats, calls_stop[0], calls_stop[1]);
}

/* ---- r2: the FAR of an event that is not kvm_run's exit ------------------ */

struct far_b {
	int ret;          /* kvmsea_vcpu_inject()'s answer in the handler */
};

/* Inject a copy of the event for address B, then say HANDLED. */
static int inject_for_b(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
			void *opaque)
{
	struct far_b *f = opaque;
	struct kvmsea_event copy = *ev;

	copy.gva = ADDR_B;
	f->ret = kvmsea_vcpu_inject(vcpu, &copy, KVMSEA_STRATEGY_AUTO, NULL);
	return KVMSEA_ACTION_HANDLED;
}

static int r2_far_built_event(void)
{
	struct recorder rec = { .action = KVMSEA_ACTION_STOP };
	struct far_b f = { 0 };
	struct e2e_report rep[3];
	struct kvmsea_event ev_a;
	struct lvm l;
	int ret[3] = { 0, 0, 0 };
	char buf[200];

	e2e_begin("r2-far-built-event");
	memset(rep, 0, sizeof(rep));
	/* 1: in the handler, a copy of the exit's event with address B. */
	if (lvm_open(&l, true, inject_for_b, &f) == 0) {
		start_load(&l, BAD_ADDR);
		EXPECT_EQ("run", lib_run(l.v, &l.c, &rep[0], NULL), R_REPORT);
		ret[0] = f.ret;
		EXPECT(f.ret > 0, "inject (copy for B): %d", f.ret);
		expect_one_entry(&rep[0], ADDR_B);
		lvm_close(&l);
	}
	/* 2: the event of an SEA at A, injected after another SEA at B. */
	if (lvm_open(&l, true, record, &rec) == 0) {
		const struct kvmsea_event *last;

		start_load(&l, BAD_ADDR);
		EXPECT_EQ("SEA at A: STOP", lib_run(l.v, &l.c, &rep[1], NULL), R_STOP);
		last = kvmsea_vcpu_last_event(l.v);
		if (last)
			ev_a = *last;
		start_load(&l, ADDR_B);
		EXPECT_EQ("SEA at B: STOP", lib_run(l.v, &l.c, &rep[1], NULL), R_STOP);
		start_load(&l, BAD_ADDR); /* the guest back at A's load */
		ret[1] = last ? kvmsea_vcpu_inject(l.v, &ev_a, KVMSEA_STRATEGY_AUTO, NULL) : -1;
		EXPECT(ret[1] > 0, "inject (A after B): %d", ret[1]);
		EXPECT_EQ("run", lib_run(l.v, &l.c, &rep[1], NULL), R_REPORT);
		expect_one_entry(&rep[1], BAD_ADDR);
		lvm_close(&l);
	}
	/* 3: kvmsea_vcpu_last_event() (A) injected after an MMIO exit, once the
	 * VMM completed that access (e2e_vcpu_start does). */
	if (lvm_open(&l, true, record, &rec) == 0) {
		struct e2e_start mmio = {
			.pc = e2e_guest_ipa(e2e_guest_store), .pstate = PSTATE_AT_FAULT,
			.x1 = E2E_REPORT_IPA + 0x38,
		};

		start_load(&l, BAD_ADDR);
		EXPECT_EQ("SEA at A: STOP", lib_run(l.v, &l.c, &rep[2], NULL), R_STOP);
		e2e_vcpu_start(&l.c, &mmio);
		EXPECT_EQ("MMIO exit", lib_run(l.v, &l.c, &rep[2], NULL), R_REPORT);
		EXPECT(rep[2].no_abort, "the store was an MMIO exit");
		start_load(&l, BAD_ADDR);
		ret[2] = kvmsea_vcpu_inject(l.v, kvmsea_vcpu_last_event(l.v),
					    KVMSEA_STRATEGY_AUTO, NULL);
		EXPECT(ret[2] > 0, "inject (last event after MMIO): %d", ret[2]);
		EXPECT_EQ("run", lib_run(l.v, &l.c, &rep[2], NULL), R_REPORT);
		expect_one_entry(&rep[2], BAD_ADDR);
		lvm_close(&l);
	}
	return e2e_end("auto; copy for B=0x%llx in the handler: %s, FAR 0x%llx; A's event "
		       "after an SEA at B: %s, FAR 0x%llx; last event (A) after an MMIO "
		       "exit: %s, FAR 0x%llx (%s)", ADDR_B,
		       kvmsea_strategy_name(ret[0] > 0 ? ret[0] : 0),
		       (unsigned long long)rep[0].far,
		       kvmsea_strategy_name(ret[1] > 0 ? ret[1] : 0),
		       (unsigned long long)rep[1].far,
		       kvmsea_strategy_name(ret[2] > 0 ? ret[2] : 0),
		       (unsigned long long)rep[2].far, fmt_report(&rep[2], buf, sizeof(buf)));
}

/* ---- r3: one exit, one injection ----------------------------------------- */

struct twice {
	enum kvmsea_strategy first;   /* the handler's own kvmsea_vcpu_inject() */
	enum kvmsea_strategy second;  /* and its second one */
	int first_ret, second_ret;
};

/* Inject, inject again, then ask for the default policy, which must not
 * inject a third time. */
static int inject_twice(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
			void *opaque)
{
	struct twice *t = opaque;

	t->first_ret = kvmsea_vcpu_inject(vcpu, ev, t->first, NULL);
	t->second_ret = kvmsea_vcpu_inject(vcpu, ev, t->second, NULL);
	return KVMSEA_ACTION_DEFAULT;
}

/* KVM_RUN to the SEA exit and @calls kvmsea_vcpu_handle_exit() on it; the
 * answers in @h. Then run on to the guest's report. */
static enum run_result run_sea(struct lvm *l, int calls, int *h,
			       struct e2e_report *rep)
{
	int ret = e2e_vcpu_run_once(&l->c);

	EXPECT(ret == 0 && l->c.run->exit_reason == KVM_EXIT_ARM_SEA,
	       "no SEA exit (%d, reason %u)", ret, l->c.run->exit_reason);
	for (int i = 0; i < calls; i++)
		h[i] = kvmsea_vcpu_handle_exit(l->v, ret);
	return lib_run(l->v, &l->c, rep, NULL);
}

static int r3_double_injection(void)
{
	static const struct twice cases[] = {
		{ KVMSEA_STRATEGY_VCPU_EVENTS, KVMSEA_STRATEGY_VCPU_EVENTS, 0, 0 },
		{ KVMSEA_STRATEGY_VCPU_EVENTS, KVMSEA_STRATEGY_EMULATE, 0, 0 },
		{ KVMSEA_STRATEGY_VCPU_EVENTS, KVMSEA_STRATEGY_AUTO, 0, 0 },
		{ KVMSEA_STRATEGY_EMULATE, KVMSEA_STRATEGY_VCPU_EVENTS, 0, 0 },
		{ KVMSEA_STRATEGY_EMULATE, KVMSEA_STRATEGY_EMULATE, 0, 0 },
		{ KVMSEA_STRATEGY_EMULATE, KVMSEA_STRATEGY_AUTO, 0, 0 },
	};
	struct recorder rec = { .inject = KVMSEA_STRATEGY_EMULATE };
	struct e2e_report rep;
	struct lvm l;
	int single = 0, refused = 0, n = 0, h[2];
	char buf[200];

	e2e_begin("r3-double-injection");
	/* A handler that injects, injects again, then asks for the default. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct twice t = cases[i];

		if (lvm_open(&l, true, inject_twice, &t))
			continue;
		h[0] = 0;
		start_load(&l, BAD_ADDR);
		EXPECT_EQ("run", run_sea(&l, 1, h, &rep), R_REPORT);
		EXPECT(t.first_ret > 0, "the handler's own inject: %d", t.first_ret);
		EXPECT_EQ("its second inject", t.second_ret, -EALREADY);
		EXPECT_EQ("handle_exit (DEFAULT after the injection)", h[0],
			  KVMSEA_EXIT_HANDLED);
		expect_one_entry(&rep, BAD_ADDR);
		printf("  handler: inject %s, then %s: %d, handle_exit %d, guest %s\n",
		       kvmsea_strategy_name(t.first), kvmsea_strategy_name(t.second),
		       t.second_ret, h[0], fmt_report(&rep, buf, sizeof(buf)));
		n++;
		refused += t.second_ret == -EALREADY;
		single += rep.elr == load_pc();
		lvm_close(&l);
	}
	/* kvmsea_vcpu_handle_exit() twice on one exit: the default policy
	 * (auto: vcpu-events for this load), then emulate. */
	for (int k = 0; k < 2; k++) {
		if (lvm_open(&l, true, k ? record : NULL, k ? &rec : NULL))
			continue;
		h[0] = h[1] = 0;
		start_load(&l, BAD_ADDR);
		EXPECT_EQ("run", run_sea(&l, 2, h, &rep), R_REPORT);
		EXPECT_EQ("first handle_exit", h[0], KVMSEA_EXIT_HANDLED);
		EXPECT_EQ("second handle_exit on the same exit", h[1], -EALREADY);
		expect_one_entry(&rep, BAD_ADDR);
		printf("  handle_exit twice (%s): %d then %d, guest %s\n",
		       k ? "emulate" : "default policy", h[0], h[1],
		       fmt_report(&rep, buf, sizeof(buf)));
		n++;
		refused += h[1] == -EALREADY;
		single += rep.elr == load_pc();
		/* The next exit is a new one: handled as usual. */
		int seas = 0;
		start_load(&l, BAD_ADDR);
		EXPECT_EQ("next SEA", lib_run(l.v, &l.c, &rep, &seas), R_REPORT);
		EXPECT_EQ("next SEA exits handled", seas, 1);
		expect_one_entry(&rep, BAD_ADDR);
		lvm_close(&l);
	}
	return e2e_end("%d double injections: %d refused with -EALREADY (%d), %d with a single "
		       "exception entry (ELR = the load 0x%llx); the next SEA handled as usual",
		       n, refused, -EALREADY, single, (unsigned long long)load_pc());
}

int main(void)
{
	int fails = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(600); /* a hang is a failure, not a stuck CI run */
	fails += r1_livelock_delivered();
	fails += r2_far_built_event();
	fails += r3_double_injection();
	return fails ? 1 : 0;
}
