// SPDX-License-Identifier: MIT
/*
 * libkvmsea against a real arm64 KVM and real SEAs, through the public API
 * only, the way a VMM uses it: probe, context, enable, handler, a handle per
 * vCPU, kvmsea_vcpu_handle_exit() after every KVM_RUN, kvmsea_vcpu_inject()
 * and kvmsea_vcpu_last_event(). The VM plumbing is vm.c (raw KVM ioctls).
 *
 * The SEAs are real: the guest touches a memslot backed by a hole in the
 * emulated machine's physical map; the machine answers with an external
 * abort, KVM takes it at EL2 and exits with KVM_EXIT_ARM_SEA.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkvmsea/libkvmsea.h>

#include "check.h"
#include "vm.h"
#include "vmm.h"

/* What KVM's exit must say, and what the library must make of it. */
static void expect_load_event(const struct kvmsea_event *ev, uint64_t esr,
			      uint64_t pc, uint64_t pstate, uint64_t count)
{
	EXPECT_EQ("event.source", ev->source, KVMSEA_SOURCE_EXIT);
	EXPECT_EQ("event.vcpu_id", ev->vcpu_id, 0);
	EXPECT_EQ("event.seq", ev->seq, count);
	EXPECT_EQ("event.exit.flags (GPA_VALID)", ev->exit.flags, 1);
	EXPECT_EQ("event.exit.esr", ev->exit.esr, esr);
	EXPECT_EQ("event.exit.gva", ev->exit.gva, BAD_ADDR);
	EXPECT_EQ("event.exit.gpa", ev->exit.gpa, E2E_BAD_IPA);
	EXPECT_EQ("event.esr.ec", ev->esr.ec, KVMSEA_EC_DABT_LOW);
	EXPECT_EQ("event.esr.layout", ev->esr.layout, KVMSEA_LAYOUT_ABORT);
	EXPECT_EQ("event.esr.abort.fsc", ev->esr.u.abort.fsc, KVMSEA_FSC_EXTABT);
	EXPECT_EQ("event.esr.abort.fnv", ev->esr.u.abort.fnv, 0);
	EXPECT_EQ("event.esr.abort.wnr", ev->esr.u.abort.wnr, !!(esr & ESR_WNR));
	EXPECT_EQ("event.esr.abort.is_sea", ev->esr.u.abort.is_sea, 1);
	EXPECT_EQ("event.known", ev->known, KVMSEA_KNOWN_GVA | KVMSEA_KNOWN_GPA |
		  KVMSEA_KNOWN_PAGE_GPA | KVMSEA_KNOWN_GUEST);
	EXPECT_EQ("event.gva", ev->gva, BAD_ADDR);
	EXPECT_EQ("event.page_gpa", ev->page_gpa, E2E_BAD_IPA);
	EXPECT_EQ("event.page_size", ev->page_size, 4096);
	EXPECT_EQ("event.gpa", ev->gpa, BAD_ADDR);
	EXPECT_EQ("event.guest.pc", ev->guest.pc, pc);
	EXPECT_EQ("event.guest.pstate", ev->guest.pstate, pstate);
	EXPECT_EQ("event.guest.el", ev->guest.el, (pstate & 0xc) >> 2);
	EXPECT_EQ("event.guest.aarch32", ev->guest.aarch32, 0);
	EXPECT_EQ("event.guest.has_el2", ev->guest.has_el2, 0);
}

/* The PSTATE KVM's exception entry to EL1h produces (docs/kernel.md
 * §6.3; this VM has no MTE, so TCO stays 0). */
static uint64_t entry_pstate(uint64_t old, uint64_t sctlr)
{
	uint64_t p = (old & 0xf0000000ull) | (old & (1ull << 24)); /* NZCV, DIT */

	if ((old & PS_PAN) || !(sctlr & E2E_SCTLR_SPAN))
		p |= PS_PAN;
	if (sctlr & E2E_SCTLR_DSSBS)
		p |= PS_SSBS;
	return p | PS_DAIF | M_EL1H;
}

/* ---- 1: probe and enable ------------------------------------------------- */

static void expect_caps(const char *fd_name, const struct kvmsea_caps *c)
{
	printf("  %s: sea_to_user=%d inject_ext_dabt=%d vcpu_events=%d "
	       "inject_serror_esr=%d arm_el2=%d possible=%d enabled=%d\n",
	       fd_name, c->sea_to_user, c->inject_ext_dabt, c->vcpu_events,
	       c->inject_serror_esr, c->arm_el2, c->sea_exits_possible,
	       c->sea_exits_enabled);
	EXPECT_EQ("caps.sea_to_user", c->sea_to_user, 1);
	EXPECT_EQ("caps.inject_ext_dabt", c->inject_ext_dabt, 1);
	EXPECT(c->vcpu_events > 0, "caps.vcpu_events = %d", c->vcpu_events);
	/* -cpu max has FEAT_RAS: KVM_CAP_ARM_INJECT_SERROR_ESR says so. */
	EXPECT_EQ("caps.inject_serror_esr", c->inject_serror_esr, 1);
	/* Booted without kvm-arm.mode=nested. */
	EXPECT_EQ("caps.arm_el2", c->arm_el2, 0);
	EXPECT_EQ("caps.sea_exits_possible", c->sea_exits_possible, 1);
}

static int s1_probe_enable(void)
{
	struct kvmsea_caps caps;
	struct recorder rec = { .action = KVMSEA_ACTION_DEFAULT };
	struct e2e_report rep;
	struct lvm l;
	int kvm, null_fd, ret, seas = 0;
	uint64_t load = e2e_guest_ipa(e2e_guest_load);
	struct e2e_start st = { .pc = load, .pstate = M_EL1H, .x1 = BAD_ADDR };

	e2e_begin("s1-probe-enable");
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	EXPECT(kvm >= 0, "open /dev/kvm: %s", strerror(errno));
	memset(&caps, 0xa5, sizeof(caps));
	ret = kvmsea_probe(kvm, &caps);
	EXPECT_EQ("kvmsea_probe(/dev/kvm)", ret, 0);
	expect_caps("/dev/kvm", &caps);
	EXPECT_EQ("caps.sea_exits_enabled (system fd)", caps.sea_exits_enabled, 0);
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	EXPECT_EQ("kvmsea_probe(/dev/null)", kvmsea_probe(null_fd, &caps), -ENOTTY);
	EXPECT_EQ("kvmsea_probe(-1)", kvmsea_probe(-1, &caps), -EBADF);
	close(null_fd);
	close(kvm);

	/* Enabled before the vCPU exists; the default policy injects. */
	if (lvm_open(&l, false, NULL, NULL) == 0) {
		ret = kvmsea_ctx_get_caps(l.ctx, &caps);
		EXPECT_EQ("kvmsea_ctx_get_caps", ret, 0);
		expect_caps("VM fd", &caps);
		EXPECT_EQ("sea_exits_enabled before enable", caps.sea_exits_enabled, 0);
		lvm_close(&l);
	}
	if (lvm_open(&l, true, NULL, NULL) == 0) {
		kvmsea_ctx_get_caps(l.ctx, &caps);
		EXPECT_EQ("sea_exits_enabled after enable", caps.sea_exits_enabled, 1);
		EXPECT_EQ("kvmsea_ctx_enable again", kvmsea_ctx_enable(l.ctx), 0);
		EXPECT(kvmsea_vcpu_last_event(l.v) == NULL, "an event before any SEA");
		e2e_vcpu_start(&l.c, &st);
		EXPECT_EQ("run (enabled before vCPU)", lib_run(l.v, &l.c, &rep, &seas), R_REPORT);
		EXPECT_EQ("SEA exits (enabled before vCPU)", seas, 1);
		expect_report(&rep, VEC_CUR_SPX_SYNC, ESR_DABT_CUR_EXTABT, BAD_ADDR,
			      load, M_EL1H, entry_pstate(M_EL1H, l.c.sctlr_reset));
		const struct kvmsea_event *ev = kvmsea_vcpu_last_event(l.v);
		EXPECT(ev != NULL, "no last event");
		if (ev)
			EXPECT_EQ("default policy injected", ev->injected,
				  KVMSEA_STRATEGY_VCPU_EVENTS);
		lvm_close(&l);
	}

	/* Enabled after the vCPU was created and had already run: first the
	 * SError of a VM without the cap, then the exit. */
	if (lvm_open(&l, false, record, &rec) == 0) {
		seas = 0;
		e2e_vcpu_start(&l.c, &st);
		EXPECT_EQ("run (not enabled)", lib_run(l.v, &l.c, &rep, &seas), R_REPORT);
		EXPECT_EQ("SEA exits (not enabled)", seas, 0);
		EXPECT_EQ("guest ESR (not enabled)", rep.esr, ESR_SERROR_IDS);
		ret = kvmsea_ctx_enable(l.ctx);
		EXPECT_EQ("kvmsea_ctx_enable after the vCPU ran", ret, 0);
		kvmsea_ctx_get_caps(l.ctx, &caps);
		EXPECT_EQ("sea_exits_enabled", caps.sea_exits_enabled, 1);
		e2e_vcpu_start(&l.c, &st);
		EXPECT_EQ("run (enabled after vCPU)", lib_run(l.v, &l.c, &rep, &seas), R_REPORT);
		EXPECT_EQ("SEA exits (enabled after vCPU)", seas, 1);
		EXPECT_EQ("handler calls", rec.calls, 1);
		expect_report(&rep, VEC_CUR_SPX_SYNC, ESR_DABT_CUR_EXTABT, BAD_ADDR,
			      load, M_EL1H, entry_pstate(M_EL1H, l.c.sctlr_reset));
		lvm_close(&l);
	}
	return e2e_end("caps 1/1/%d/1 el2=0 possible; enable before vCPU: exit, "
		       "vcpu-events; enable after the vCPU ran (SError 0x%llx first): exit",
		       caps.vcpu_events, ESR_SERROR_IDS);
}

/* ---- 2: a real data abort through the handler, each strategy ------------- */

static int s2_one(enum kvmsea_strategy how, enum kvmsea_strategy want,
		  bool store, char *line, size_t n)
{
	struct recorder rec = { .inject = how };
	struct e2e_report rep;
	struct lvm l;
	int seas = 0;
	uint64_t pc = e2e_guest_ipa(store ? e2e_guest_store : e2e_guest_load);
	uint64_t pstate = PS_ZC | PS_A | PS_F | M_EL1H;
	uint64_t exit_esr = ESR_DABT_LOW_EXTABT | (store ? ESR_WNR : 0);
	uint64_t guest_esr = ESR_DABT_CUR_EXTABT;
	struct e2e_start st = { .pc = pc, .pstate = pstate, .x1 = BAD_ADDR };
	char buf[200];

	if (lvm_open(&l, true, record, &rec))
		return 1;
	/* ext_dabt_pending has no WnR; emulation copies it (docs/kernel.md 4.5). */
	if (store && want == KVMSEA_STRATEGY_EMULATE)
		guest_esr |= ESR_WNR;
	e2e_vcpu_start(&l.c, &st);
	EXPECT_EQ("run", lib_run(l.v, &l.c, &rep, &seas), R_REPORT);
	EXPECT_EQ("SEA exits", seas, 1);
	EXPECT_EQ("handler calls", rec.calls, 1);
	if (rec.calls >= 1) {
		expect_load_event(&rec.events[0], exit_esr, pc, pstate, 1);
		EXPECT_EQ("event.repeats", rec.events[0].repeats, 1);
		EXPECT_EQ("event.livelock", rec.events[0].livelock, 0);
		EXPECT_EQ("event.injected (in the handler)", rec.events[0].injected,
			  KVMSEA_STRATEGY_NONE);
	}
	const struct kvmsea_event *last = kvmsea_vcpu_last_event(l.v);
	EXPECT(last != NULL, "no last event");
	if (last)
		EXPECT_EQ("last_event.injected", last->injected, want);
	expect_report(&rep, VEC_CUR_SPX_SYNC, guest_esr, BAD_ADDR, pc, pstate,
		      entry_pstate(pstate, l.c.sctlr_reset));
	snprintf(line, n, "%s %s: exit esr=0x%llx gva=0x%llx gpa=0x%llx flags=0x%llx; "
		 "injected %s; guest %s",
		 store ? "store" : "load", kvmsea_strategy_name(want),
		 (unsigned long long)rec.events[0].exit.esr,
		 (unsigned long long)rec.events[0].exit.gva,
		 (unsigned long long)rec.events[0].exit.gpa,
		 (unsigned long long)rec.events[0].exit.flags,
		 last ? kvmsea_strategy_name(last->injected) : "?",
		 fmt_report(&rep, buf, sizeof(buf)));
	lvm_close(&l);
	return 0;
}

static int s2_strategies(void)
{
	static const struct {
		enum kvmsea_strategy how;
		bool store;
		enum kvmsea_strategy want;
	} cases[] = {
		{ KVMSEA_STRATEGY_VCPU_EVENTS, false, KVMSEA_STRATEGY_VCPU_EVENTS },
		{ KVMSEA_STRATEGY_EMULATE, false, KVMSEA_STRATEGY_EMULATE },
		/* auto: ext_dabt_pending is lossless for a plain load ... */
		{ KVMSEA_STRATEGY_AUTO, false, KVMSEA_STRATEGY_VCPU_EVENTS },
		{ KVMSEA_STRATEGY_VCPU_EVENTS, true, KVMSEA_STRATEGY_VCPU_EVENTS },
		{ KVMSEA_STRATEGY_EMULATE, true, KVMSEA_STRATEGY_EMULATE },
		/* ... but would lose WnR of a store: emulation. */
		{ KVMSEA_STRATEGY_AUTO, true, KVMSEA_STRATEGY_EMULATE },
	};
	char line[400];

	e2e_begin("s2-strategies");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		line[0] = 0;
		s2_one(cases[i].how, cases[i].want, cases[i].store, line, sizeof(line));
		printf("  %s\n", line);
	}
	return e2e_end("vcpu-events, emulate, auto for a load and a store: event "
		       "fields equal arm_sea (gva 0x%llx, gpa 0x%llx, addr 0x%llx, FnV 0)",
		       BAD_ADDR, E2E_BAD_IPA, BAD_ADDR);
}

/* ---- 3: differential, emulation vs the kernel's own injection ------------ */

static int s3_differential(void)
{
	static const uint64_t modes[] = { M_EL1H, M_EL1T, M_EL0T };
	static const char *const mode_names[] = { "EL1h", "EL1t", "EL0t" };
	struct recorder rec = { .action = KVMSEA_ACTION_DEFAULT };
	uint64_t pc = e2e_guest_ipa(e2e_guest_load);
	struct lvm l;
	int cases = 0, same = 0;

	e2e_begin("s3-differential");
	if (lvm_open(&l, true, record, &rec))
		return e2e_end("-");
	for (int m = 0; m < 3; m++)
	for (int pan = 0; pan < 2; pan++)
	for (int span = 0; span < 2; span++)
	for (int dssbs = 0; dssbs < 2; dssbs++) {
		/* SSBS starts as the opposite of what entry sets, so that the
		 * rule shows; NZCV and A/F are there to see SPSR copy them. */
		uint64_t pstate = PS_ZC | PS_A | PS_F | modes[m] |
				  (pan ? PS_PAN : 0) | (dssbs ? 0 : PS_SSBS);
		struct e2e_start st = {
			.pc = pc, .pstate = pstate, .x1 = BAD_ADDR,
			.sctlr_set = (span ? E2E_SCTLR_SPAN : 0) | (dssbs ? E2E_SCTLR_DSSBS : 0),
			.sctlr_clear = (span ? 0 : E2E_SCTLR_SPAN) | (dssbs ? 0 : E2E_SCTLR_DSSBS),
		};
		uint64_t sctlr = (l.c.sctlr_reset | st.sctlr_set) & ~st.sctlr_clear;
		struct e2e_report got[2];
		char b0[200], b1[200];

		for (int k = 0; k < 2; k++) {
			int seas = 0;

			rec.inject = k ? KVMSEA_STRATEGY_EMULATE
				       : KVMSEA_STRATEGY_VCPU_EVENTS;
			e2e_vcpu_start(&l.c, &st);
			EXPECT_EQ("run", lib_run(l.v, &l.c, &got[k], &seas), R_REPORT);
			EXPECT_EQ("SEA exits", seas, 1);
		}
		cases++;
		bool equal = !memcmp(&got[0], &got[1], sizeof(got[0]));
		same += equal;
		printf("  %s PAN=%d SPAN=%d DSSBS=%d: vcpu-events %s | emulate %s%s\n",
		       mode_names[m], pan, span, dssbs, fmt_report(&got[0], b0, sizeof(b0)),
		       equal ? "same" : fmt_report(&got[1], b1, sizeof(b1)),
		       equal ? "" : "  <-- DIFFERENT");
		EXPECT(equal, "%s PAN=%d SPAN=%d DSSBS=%d: emulation differs from KVM",
		       mode_names[m], pan, span, dssbs);
		/* And both equal what the architecture says. */
		for (int k = 0; k < 2; k++)
			expect_report(&got[k],
				      modes[m] == M_EL1H ? VEC_CUR_SPX_SYNC :
				      modes[m] == M_EL1T ? VEC_CUR_SP0_SYNC : VEC_LOW64_SYNC,
				      modes[m] == M_EL0T ? ESR_DABT_LOW_EXTABT : ESR_DABT_CUR_EXTABT,
				      BAD_ADDR, pc, pstate, entry_pstate(pstate, sctlr));
	}
	lvm_close(&l);
	return e2e_end("%d/%d guest states identical (EL1h/EL1t/EL0t x PAN x SPAN x DSSBS): "
		       "vector, ESR_EL1, FAR_EL1, ELR_EL1, SPSR_EL1, PSTATE", same, cases);
}

/* ---- 4: instruction aborts ------------------------------------------------ */

static int s4_iabt(void)
{
	struct recorder rec = { .action = KVMSEA_ACTION_DEFAULT };
	uint64_t branch = e2e_guest_ipa(e2e_guest_branch);
	struct e2e_report rep;
	struct lvm l;
	int seas = 0, ret;
	char buf[200], real_line[300];

	e2e_begin("s4-iabt");
	if (lvm_open(&l, true, record, &rec))
		return e2e_end("-");

	/* A: try for a real one. The guest branches into the bad page. */
	struct e2e_start st = { .pc = branch, .pstate = M_EL1H, .x1 = BAD_ADDR };
	e2e_vcpu_start(&l.c, &st);
	EXPECT_EQ("run (branch)", lib_run(l.v, &l.c, &rep, &seas), R_REPORT);
	if (seas == 0) {
		/* KVM maps the /dev/mem page as device memory at stage 2, which
		 * is never executable: the fetch is a stage 2 fault that KVM
		 * answers with its own prefetch abort, before any SEA. SPSR has
		 * BTYPE 01 from the BR. */
		snprintf(real_line, sizeof(real_line),
			 "no real IABT SEA: fetch from the device-backed memslot is "
			 "refused by KVM (exec fault on a device mapping), guest got "
			 "KVM's own abort %s", fmt_report(&rep, buf, sizeof(buf)));
		expect_report(&rep, VEC_CUR_SPX_SYNC, ESR_IABT_CUR_EXTABT, BAD_ADDR,
			      BAD_ADDR, PS_BTYPE_JUMP | M_EL1H,
			      entry_pstate(M_EL1H, l.c.sctlr_reset));
	} else {
		const struct kvmsea_event *ev = kvmsea_vcpu_last_event(l.v);

		snprintf(real_line, sizeof(real_line),
			 "real IABT SEA: exit esr=0x%llx gva=0x%llx; guest %s",
			 ev ? (unsigned long long)ev->exit.esr : 0ull,
			 ev ? (unsigned long long)ev->exit.gva : 0ull,
			 fmt_report(&rep, buf, sizeof(buf)));
		EXPECT(ev && ev->esr.ec == KVMSEA_EC_IABT_LOW, "real IABT exit EC");
	}
	printf("  %s\n", real_line);

	/* B: a stopped vCPU whose fetch at BAD_ADDR failed, and the event KVM
	 * would give for it; EL1h and EL0t. */
	static const uint64_t modes[] = { M_EL1H, M_EL0T };
	for (int m = 0; m < 2; m++) {
		uint64_t pstate = PS_ZC | modes[m];
		struct kvmsea_event ev;
		struct e2e_start at = { .pc = BAD_ADDR, .pstate = pstate, .x1 = 0 };

		kvmsea_event_init(&ev, ESR_IABT_LOW_EXTABT, BAD_ADDR);

		e2e_vcpu_start(&l.c, &at);
		/* ext_dabt_pending can only make a data abort. */
		ret = kvmsea_vcpu_inject(l.v, &ev, KVMSEA_STRATEGY_VCPU_EVENTS, NULL);
		EXPECT_EQ("inject IABT with vcpu-events", ret, -EOPNOTSUPP);
		e2e_vcpu_start(&l.c, &at);
		ret = kvmsea_vcpu_inject(l.v, &ev, m ? KVMSEA_STRATEGY_AUTO
						     : KVMSEA_STRATEGY_EMULATE, NULL);
		EXPECT_EQ(m ? "inject IABT auto" : "inject IABT emulate", ret,
			  KVMSEA_STRATEGY_EMULATE);
		seas = 0;
		EXPECT_EQ("run (injected IABT)", lib_run(l.v, &l.c, &rep, &seas), R_REPORT);
		EXPECT_EQ("SEA exits", seas, 0);
		expect_report(&rep, m ? VEC_LOW64_SYNC : VEC_CUR_SPX_SYNC,
			      m ? ESR_IABT_LOW_EXTABT : ESR_IABT_CUR_EXTABT,
			      BAD_ADDR, BAD_ADDR, pstate,
			      entry_pstate(pstate, l.c.sctlr_reset));
		printf("  constructed IABT_LOW event, %s: guest %s\n",
		       m ? "EL0t, auto" : "EL1h, emulate", fmt_report(&rep, buf, sizeof(buf)));
	}
	lvm_close(&l);
	return e2e_end("%s; constructed esr 0x%llx: emulation delivers IABT_CUR 0x%llx "
		       "(EL1h, vector 4) / IABT_LOW 0x%llx (EL0t, vector 8), FAR=ELR=0x%llx",
		       seas == 0 ? "no real IABT exit (device memory is not executable at stage 2)"
				 : "real IABT exit", ESR_IABT_LOW_EXTABT,
		       ESR_IABT_CUR_EXTABT, ESR_IABT_LOW_EXTABT, BAD_ADDR);
}

/* ---- 5: the cap off ------------------------------------------------------- */

static int s5_cap_off(void)
{
	struct recorder rec = { .action = KVMSEA_ACTION_DEFAULT };
	uint64_t load = e2e_guest_ipa(e2e_guest_load);
	uint64_t pstate = PS_ZC | M_EL1H; /* PSTATE.A clear: taken at once */
	struct e2e_start st = { .pc = load, .pstate = pstate, .x1 = BAD_ADDR };
	struct kvmsea_caps caps;
	struct e2e_report rep;
	struct lvm l;
	int seas = 0;
	char buf[200];

	e2e_begin("s5-cap-off");
	if (lvm_open(&l, false, record, &rec))
		return e2e_end("-");
	EXPECT_EQ("kvmsea_ctx_get_caps", kvmsea_ctx_get_caps(l.ctx, &caps), 0);
	EXPECT_EQ("caps.sea_exits_enabled", caps.sea_exits_enabled, 0);
	EXPECT_EQ("caps.sea_exits_possible", caps.sea_exits_possible, 1);
	e2e_vcpu_start(&l.c, &st);
	EXPECT_EQ("run", lib_run(l.v, &l.c, &rep, &seas), R_REPORT);
	EXPECT_EQ("SEA exits", seas, 0);
	EXPECT_EQ("handler calls", rec.calls, 0);
	EXPECT(kvmsea_vcpu_last_event(l.v) == NULL, "an event without SEA exits");
	/* KVM's fallback: a virtual SError with ESR IDS=1 (docs/kernel.md
	 * 3.1), taken at once because PSTATE.A is clear, at the faulting
	 * instruction. */
	expect_report(&rep, VEC_CUR_SPX_SERR, ESR_SERROR_IDS, 0, load, pstate,
		      entry_pstate(pstate, l.c.sctlr_reset));
	lvm_close(&l);
	return e2e_end("sea_exits_enabled=0; no exit, guest SError %s",
		       fmt_report(&rep, buf, sizeof(buf)));
}

/* ---- 6: livelock guard and the stale exit -------------------------------- */

static int retry_until_livelock(struct kvmsea_vcpu *vcpu,
				const struct kvmsea_event *ev, void *opaque)
{
	record(vcpu, ev, opaque);
	return ev->livelock ? KVMSEA_ACTION_DEFAULT : KVMSEA_ACTION_RETRY;
}

static int s6_livelock_stale(void)
{
	enum { LIMIT = 4 };
	struct recorder rec = { 0 };
	uint64_t load = e2e_guest_ipa(e2e_guest_load);
	struct e2e_start st = { .pc = load, .pstate = M_EL1H, .x1 = BAD_ADDR };
	struct e2e_report rep;
	struct lvm l;
	int seas = 0, ret, h = 0;
	uint32_t reason_after = 0;

	e2e_begin("s6-livelock-stale");
	if (lvm_open(&l, true, retry_until_livelock, &rec))
		return e2e_end("-");
	EXPECT_EQ("set_livelock_limit", kvmsea_ctx_set_livelock_limit(l.ctx, LIMIT), 0);
	e2e_vcpu_start(&l.c, &st);
	/* The error is persistent: every retry faults again at the same PC. */
	EXPECT_EQ("run until STOP", lib_run(l.v, &l.c, &rep, &seas), R_STOP);
	EXPECT_EQ("retried exits", seas, LIMIT - 1);
	EXPECT_EQ("handler calls", rec.calls, LIMIT);
	for (int i = 0; i < rec.calls && i < LIMIT; i++) {
		const struct kvmsea_event *ev = &rec.events[i];

		expect_load_event(ev, ESR_DABT_LOW_EXTABT, load, M_EL1H, (uint64_t)i + 1);
		EXPECT_EQ("event.repeats", ev->repeats, i + 1);
		EXPECT_EQ("event.livelock", ev->livelock, i == LIMIT - 1);
	}
	const struct kvmsea_event *last = kvmsea_vcpu_last_event(l.v);
	EXPECT(last && last->livelock && last->injected == KVMSEA_STRATEGY_NONE,
	       "the last event is the livelock, nothing injected");

	/* Stale exit: immediate_exit makes KVM_RUN fail with EINTR before it
	 * touches exit_reason, which still says 41 (docs/kernel.md 2.10). */
	l.c.run->immediate_exit = 1;
	ret = e2e_vcpu_run_once(&l.c);
	reason_after = l.c.run->exit_reason;
	EXPECT_EQ("KVM_RUN with immediate_exit", ret, -EINTR);
	EXPECT_EQ("exit_reason after it", reason_after, KVM_EXIT_ARM_SEA);
	h = kvmsea_vcpu_handle_exit(l.v, ret);
	EXPECT_EQ("kvmsea_vcpu_handle_exit(-EINTR)", h, KVMSEA_EXIT_NOT_SEA);
	EXPECT_EQ("handler calls after the stale exit", rec.calls, LIMIT);
	last = kvmsea_vcpu_last_event(l.v);
	EXPECT(last && last->seq == LIMIT, "last event changed by the stale exit");
	l.c.run->immediate_exit = 0;

	/* The VMM decides after STOP: inject the last event and go on. A
	 * KVM_RUN has returned since, so the library cannot vouch for the
	 * FAR KVM keeps: auto emulates. */
	ret = kvmsea_vcpu_inject(l.v, last, KVMSEA_STRATEGY_AUTO, NULL);
	EXPECT_EQ("inject after STOP", ret, KVMSEA_STRATEGY_EMULATE);
	EXPECT_EQ("run after injection", lib_run(l.v, &l.c, &rep, NULL), R_REPORT);
	expect_report(&rep, VEC_CUR_SPX_SYNC, ESR_DABT_CUR_EXTABT, BAD_ADDR, load,
		      M_EL1H, entry_pstate(M_EL1H, l.c.sctlr_reset));
	lvm_close(&l);
	return e2e_end("limit %d: repeats 1..%d, livelock on #%d, default policy STOP; "
		       "immediate_exit: KVM_RUN %d, exit_reason still %u, handle_exit -> "
		       "NOT_SEA (%d); injected after STOP, guest vector %llu",
		       LIMIT, LIMIT, LIMIT, -EINTR, reason_after, h,
		       (unsigned long long)rep.vector);
}

/* ---- 7: several vCPUs at once -------------------------------------------- */

enum { NR_VCPUS = 4, ROUNDS = 5 };

struct s7_counts {
	int calls[NR_VCPUS];
	int bad_gva[NR_VCPUS];
};

static pthread_barrier_t s7_barrier;

/* One handler for the VM, called on each vCPU's own thread. */
static int s7_handler(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
		      void *opaque)
{
	struct s7_counts *counts = opaque;
	int ret;
	uint32_t id = kvmsea_vcpu_get_id(vcpu);

	if (id >= NR_VCPUS || ev->vcpu_id != id)
		return -EINVAL;
	counts->calls[id]++; /* each slot is written by its own thread */
	if (ev->gva != E2E_BAD_IPA + 0x100 * id + 8)
		counts->bad_gva[id]++;
	ret = kvmsea_vcpu_inject(vcpu, ev, id & 1 ? KVMSEA_STRATEGY_EMULATE :
				 KVMSEA_STRATEGY_VCPU_EVENTS, NULL);
	return ret < 0 ? ret : KVMSEA_ACTION_HANDLED;
}

struct s7_thread {
	struct e2e_vcpu c;
	struct kvmsea_vcpu *v;
	int reports_ok;
	int seas;
};

static void *s7_run(void *arg)
{
	struct s7_thread *t = arg;
	uint64_t load = e2e_guest_ipa(e2e_guest_load);
	uint64_t addr = E2E_BAD_IPA + 0x100 * t->c.id + 8;
	struct e2e_start st = { .pc = load, .pstate = M_EL1H, .x1 = addr };

	pthread_barrier_wait(&s7_barrier);
	for (int i = 0; i < ROUNDS; i++) {
		struct e2e_report rep;

		if (e2e_vcpu_start(&t->c, &st) ||
		    lib_run(t->v, &t->c, &rep, &t->seas) != R_REPORT)
			continue;
		t->reports_ok += rep.vector == VEC_CUR_SPX_SYNC &&
				 rep.esr == ESR_DABT_CUR_EXTABT &&
				 rep.far == addr && rep.elr == load;
	}
	return NULL;
}

static int s7_vcpus(void)
{
	struct s7_counts counts = { 0 };
	struct s7_thread t[NR_VCPUS];
	pthread_t th[NR_VCPUS];
	struct e2e_vm vm;
	struct kvmsea_ctx *ctx = NULL;
	int ret, created = 0;

	e2e_begin("s7-vcpus");
	memset(t, 0, sizeof(t));
	ret = e2e_vm_open(&vm, true);
	if (ret) {
		EXPECT(0, "VM setup: %s", strerror(-ret));
		return e2e_end("-");
	}
	EXPECT_EQ("kvmsea_ctx_new", kvmsea_ctx_new(vm.vm_fd, &ctx), 0);
	if (!ctx)
		goto out;
	EXPECT_EQ("enable", kvmsea_ctx_enable(ctx), 0);
	kvmsea_ctx_set_handler(ctx, s7_handler, &counts);
	for (; created < NR_VCPUS; created++) {
		ret = e2e_vcpu_open(&vm, (uint32_t)created, &t[created].c);
		if (!ret)
			ret = kvmsea_vcpu_new(ctx, t[created].c.fd, t[created].c.run,
					      (uint32_t)created, 0, &t[created].v);
		if (ret) {
			EXPECT(0, "vCPU %d: %s", created, strerror(-ret));
			break;
		}
	}
	if (created == NR_VCPUS) {
		pthread_barrier_init(&s7_barrier, NULL, NR_VCPUS);
		for (int i = 0; i < NR_VCPUS; i++)
			pthread_create(&th[i], NULL, s7_run, &t[i]);
		for (int i = 0; i < NR_VCPUS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&s7_barrier);
		for (int i = 0; i < NR_VCPUS; i++) {
			const struct kvmsea_event *ev = kvmsea_vcpu_last_event(t[i].v);

			printf("  vCPU %d: %d SEA exits, %d handler calls, %d/%d reports right, "
			       "last event seq=%llu injected=%s\n", i, t[i].seas,
			       counts.calls[i], t[i].reports_ok, ROUNDS,
			       ev ? (unsigned long long)ev->seq : 0ull,
			       ev ? kvmsea_strategy_name(ev->injected) : "-");
			EXPECT_EQ("SEA exits", t[i].seas, ROUNDS);
			EXPECT_EQ("handler calls", counts.calls[i], ROUNDS);
			EXPECT_EQ("events with a wrong gva", counts.bad_gva[i], 0);
			EXPECT_EQ("right reports", t[i].reports_ok, ROUNDS);
			EXPECT(ev && ev->seq == ROUNDS && ev->vcpu_id == (uint32_t)i,
			       "vCPU %d last event", i);
		}
	}
	for (int i = 0; i < created; i++) {
		kvmsea_vcpu_free(t[i].v);
		e2e_vcpu_close(&t[i].c);
	}
out:
	kvmsea_ctx_free(ctx);
	e2e_vm_close(&vm);
	return e2e_end("%d vCPU threads x %d real SEAs each, one context, "
		       "vcpu-events on even and emulate on odd vCPUs", NR_VCPUS, ROUNDS);
}

/* ---- 8: injecting for an MMIO access ------------------------------------ */

/* An SEA event for @mmio, as KVM would give it for a store there. */
static void mmio_store_event(struct kvmsea_event *ev, uint64_t mmio)
{
	kvmsea_event_init(ev, ESR_DABT_LOW_EXTABT | ESR_WNR, mmio);
}

/*
 * A VMM whose device model fails an MMIO access injects an external abort
 * for it, after KVM_EXIT_MMIO. KVM completes a pending MMIO at the next
 * KVM_RUN by stepping PC past the instruction, wherever PC points by then;
 * ext_dabt_pending cancels that, a register write alone does not (a guest
 * entered by emulation would skip the first instruction of its vector).
 * sea.h: emulation is refused with -EBUSY there and auto uses vcpu-events.
 */
static int s8_after_mmio(void)
{
	struct recorder rec = { .action = KVMSEA_ACTION_DEFAULT };
	uint64_t store = e2e_guest_ipa(e2e_guest_store);
	uint64_t mmio = E2E_REPORT_IPA + 0x38;
	uint64_t pstate = PS_ZC | M_EL0T;
	struct e2e_start st = { .pc = store, .pstate = pstate, .x1 = mmio };
	struct kvmsea_event ev;
	struct e2e_report rep;
	struct lvm l;
	uint64_t pc = 0;
	int ret, h, busy, busy_stale;
	char buf[200];

	e2e_begin("s8-inject-after-mmio");
	if (lvm_open(&l, true, record, &rec))
		return e2e_end("-");
	mmio_store_event(&ev, mmio);

	/* Right after the MMIO exit of an EL0 store. */
	e2e_vcpu_start(&l.c, &st);
	ret = e2e_vcpu_run_once(&l.c);
	h = kvmsea_vcpu_handle_exit(l.v, ret);
	EXPECT_EQ("handle_exit(MMIO)", h, KVMSEA_EXIT_NOT_SEA);
	EXPECT_EQ("exit_reason", l.c.run->exit_reason, KVM_EXIT_MMIO);
	EXPECT_EQ("mmio address", l.c.run->mmio.phys_addr, mmio);
	busy = kvmsea_vcpu_inject(l.v, &ev, KVMSEA_STRATEGY_EMULATE, NULL);
	EXPECT_EQ("inject emulate after KVM_EXIT_MMIO", busy, -EBUSY);
	e2e_get_reg(&l.c, E2E_REG_PC, &pc);
	EXPECT_EQ("PC after the refusal", pc, store);
	ret = kvmsea_vcpu_inject(l.v, &ev, KVMSEA_STRATEGY_AUTO, NULL);
	EXPECT_EQ("inject auto after KVM_EXIT_MMIO", ret, KVMSEA_STRATEGY_VCPU_EVENTS);
	EXPECT_EQ("run", lib_run(l.v, &l.c, &rep, NULL), R_REPORT);
	/* ext_dabt_pending: no WnR (docs/kernel.md 4.5), FAR of the MMIO exit. */
	expect_report(&rep, VEC_LOW64_SYNC, ESR_DABT_LOW_EXTABT, mmio, store,
		      pstate, entry_pstate(pstate, l.c.sctlr_reset));
	printf("  emulate: %d (-EBUSY), auto: vcpu-events, guest %s\n", busy,
	       fmt_report(&rep, buf, sizeof(buf)));

	/* After the VMM completed the MMIO with an immediate_exit KVM_RUN:
	 * exit_reason still reads KVM_EXIT_MMIO and nothing is pending any
	 * more, but the library cannot tell (it refuses, harmlessly). */
	e2e_vcpu_start(&l.c, &st);
	ret = e2e_vcpu_run_once(&l.c);
	EXPECT_EQ("exit_reason", l.c.run->exit_reason, KVM_EXIT_MMIO);
	l.c.run->immediate_exit = 1;
	ret = e2e_vcpu_run_once(&l.c);
	l.c.run->immediate_exit = 0;
	EXPECT_EQ("completing KVM_RUN", ret, -EINTR);
	e2e_get_reg(&l.c, E2E_REG_PC, &pc);
	EXPECT_EQ("PC after the completion (stepped)", pc, store + 4);
	busy_stale = kvmsea_vcpu_inject(l.v, &ev, KVMSEA_STRATEGY_EMULATE, NULL);
	EXPECT_EQ("inject emulate after a completed MMIO", busy_stale, -EBUSY);
	lvm_close(&l);
	return e2e_end("right after KVM_EXIT_MMIO: emulate %d (nothing written), auto -> "
		       "vcpu-events, guest vector %llu esr 0x%llx far 0x%llx; after the "
		       "MMIO was completed by an immediate_exit run: emulate %d",
		       busy, (unsigned long long)rep.vector, (unsigned long long)rep.esr,
		       (unsigned long long)rep.far, busy_stale);
}

int main(void)
{
	int fails = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(600); /* a hang is a failure, not a stuck CI run */
	fails += s1_probe_enable();
	fails += s2_strategies();
	fails += s3_differential();
	fails += s4_iabt();
	fails += s5_cap_off();
	fails += s6_livelock_stale();
	fails += s7_vcpus();
	fails += s8_after_mmio();
	return fails ? 1 : 0;
}
