// SPDX-License-Identifier: MIT
/*
 * libkvmsea with an AArch32 EL1 guest (KVM_ARM_VCPU_EL1_32BIT, handle flag
 * KVMSEA_VCPU_EL1_32BIT) on the real kernel: the A32/T32 guest of
 * guest32.S takes real SEAs on loads and stores and reports what its Abort
 * mode entry looks like from inside.
 *
 * The values the architecture gives (AArch32.TakeDataAbort /
 * TakePrefetchAbort, AArch32.EnterMode) are computed here, independently of
 * the library, and both the library's emulation and KVM's own injection
 * (ext_dabt_pending: arch/arm64/kvm/inject_fault.c:inject_abt32 and
 * hyp/exception.c:enter_exception32) must give them, field by field. The one
 * documented difference: ext_dabt_pending builds DFSR from nothing but
 * TTBCR.EAE (0x08 or 0x210), so it drops WnR (and ExT, CM) that emulation
 * carries over from the exit's ESR.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libkvmsea/sea.h>

#include "check.h"
#include "guest32.h"
#include "vm.h"
#include "vmm.h"

#define EL1_32BIT_FEATURE (1u << KVM_ARM_VCPU_EL1_32BIT)

/* Where the AArch32 image goes in the guest's RAM (after guest.S's). */
#define G32_RAM_OFF 0x8000ull
#define G32_IPA(off) (E2E_RAM_IPA + G32_RAM_OFF + (off))
/* The high vectors (SCTLR.V=1): one page of RAM of its own. */
#define HIVECS_IPA  0xffff0000ull
#define HIVECS_SLOT 3

/* AArch32 modes. */
#define M32_USR 0x10ull
#define M32_FIQ 0x11ull
#define M32_IRQ 0x12ull
#define M32_SVC 0x13ull
#define M32_ABT 0x17ull
#define M32_UND 0x1bull
#define M32_SYS 0x1full
#define M32_MASK 0x1full

/* CPSR bits, in KVM's PSTATE view (the SPSR_EL2 format of an AArch32
 * state). The guest's own CPSR and SPSR have DIT at bit 21 instead. */
#define C_T     (1ull << 5)
#define C_F     (1ull << 6)
#define C_I     (1ull << 7)
#define C_A     (1ull << 8)
#define C_E     (1ull << 9)
#define C_GE    0xa0000ull      /* GE = 1010 */
#define C_PAN   (1ull << 22)
#define C_SSBS  (1ull << 23)
#define C_DIT   (1ull << 24)
#define C_DIT32 (1ull << 21)
#define C_Q     (1ull << 27)
#define C_NZCV  0xf0000000ull
#define C_ZC    0x60000000ull

/* SCTLR bits (AArch32 SCTLR = SCTLR_EL1[31:0]). */
#define SCTLR_SED   (1ull << 8)
#define SCTLR_V     (1ull << 13)
#define SCTLR_SPAN  (1ull << 23)
#define SCTLR_EE    (1ull << 25)
#define SCTLR_TE    (1ull << 30)
#define SCTLR_DSSBS (1ull << 31)
/* The bits a state chooses; all others keep KVM's reset value. */
#define SCTLR_CHOSEN (SCTLR_SED | SCTLR_V | SCTLR_SPAN | SCTLR_EE | SCTLR_TE | SCTLR_DSSBS)
#define TTBCR_EAE   (1ull << 31)

/* DFSR/IFSR bits. */
#define FSR_LPAE (1ull << 9)
#define FSR_WNR  (1ull << 11)
#define FSR_EXT  (1ull << 12)
#define FSR_CM   (1ull << 13)

/* ESR_EL2 ISS bits of the exit. */
#define ESR_EA (1ull << 9)
#define ESR_CM (1ull << 8)

/* What the VMM leaves in the fault registers before each run, so that a
 * write to the wrong one, or to the wrong half of FAR_EL1, shows. */
#define DFSR_PRESET 0x1ull               /* FS 0b00001: alignment fault */
#define IFSR_PRESET 0x2ull               /* FS 0b00010: debug event */
#define DFAR_PRESET 0x22222220ull        /* FAR_EL1[31:0] */
#define IFAR_PRESET 0x11111110ull        /* FAR_EL1[63:32] */

/* The guest's vector offsets. */
#define VEC32_PABT 0x0cull
#define VEC32_DABT 0x10ull

/* One guest state at the fault. */
struct state32 {
	const char *name;
	uint64_t mode;
	uint64_t flags;    /* the other CPSR bits at the fault */
	uint64_t sctlr;    /* which SCTLR_CHOSEN bits are set */
	bool eae;          /* TTBCR.EAE: long-descriptor fault status */
	bool thumb;        /* the faulting instruction is T32 */
};

/* NZCV, Q, GE and F in every state, so that SPSR shows them copied. */
#define BASE (C_ZC | C_Q | C_GE | C_F)

struct g32 {
	struct lvm l;
	struct recorder rec;
	uint8_t *hivecs;   /* host view of the page at HIVECS_IPA */
};

static void g32_close(struct g32 *g)
{
	lvm_close(&g->l);
	if (g->hivecs != MAP_FAILED)
		munmap(g->hivecs, E2E_BAD_SIZE);
	g->hivecs = MAP_FAILED;
}

/* A VM with guest32.S at G32_RAM_OFF and a page at HIVECS_IPA, an AArch32
 * EL1 vCPU and its handle (KVMSEA_VCPU_EL1_32BIT), the recorder as the
 * handler. */
static int g32_open(struct g32 *g)
{
	struct kvm_userspace_memory_region r = {
		.slot = HIVECS_SLOT, .guest_phys_addr = HIVECS_IPA,
		.memory_size = E2E_BAD_SIZE,
	};
	int ret;

	memset(g, 0, sizeof(*g));
	g->hivecs = MAP_FAILED;
	ret = lvm_open_vcpu(&g->l, true, record, &g->rec, EL1_32BIT_FEATURE,
			    KVMSEA_VCPU_EL1_32BIT);
	if (ret)
		return ret;
	memcpy(g->l.vm.ram + G32_RAM_OFF, e2e_guest32, sizeof(e2e_guest32));
	g->hivecs = mmap(NULL, E2E_BAD_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r.userspace_addr = (uint64_t)(uintptr_t)g->hivecs;
	if (g->hivecs == MAP_FAILED ||
	    ioctl(g->l.vm.vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		ret = -errno;
		EXPECT(0, "high vectors page: %s", strerror(errno));
		g32_close(g);
	}
	return ret;
}

static uint64_t vbar_of(const struct state32 *s)
{
	return G32_IPA(s->sctlr & SCTLR_TE ? G32_T32_HALF : G32_A32_HALF);
}

/* The CPSR/SPSR as the guest reads it: DIT moves from bit 24 to 21. */
static uint64_t guest_view(uint64_t pstate)
{
	return (pstate & ~C_DIT) | (pstate & C_DIT ? C_DIT32 : 0);
}

/* Point the vCPU at @pc in state @s, the fault registers preset. */
static int start32(struct g32 *g, const struct state32 *s, uint64_t pc,
		   uint64_t x1)
{
	struct e2e_start st = {
		.pc = pc,
		.pstate = s->mode | s->flags | (s->thumb ? C_T : 0),
		.sctlr_set = s->sctlr,
		.sctlr_clear = SCTLR_CHOSEN & ~s->sctlr,
		.x1 = x1,
	};
	const struct { uint64_t id, val; } regs[] = {
		{ E2E_REG_VBAR_EL1, vbar_of(s) },
		{ E2E_REG_TCR_EL1, s->eae ? TTBCR_EAE : 0 },
		{ E2E_REG_ESR_EL1, DFSR_PRESET },
		{ E2E_REG_IFSR32_EL2, IFSR_PRESET },
		{ E2E_REG_FAR_EL1, IFAR_PRESET << 32 | DFAR_PRESET },
		{ E2E_REG_SPSR_ABT, 0 },
		{ E2E_REG_X(20), 0 },              /* LR_abt */
		{ E2E_REG_X(0), E2E_REPORT_IPA },
	};
	int ret;

	if (s->sctlr & SCTLR_V) {
		uint64_t half = s->sctlr & SCTLR_TE ? G32_T32_HALF : G32_A32_HALF;
		uint64_t end = s->sctlr & SCTLR_TE ? G32_T32_HALF_END : G32_A32_HALF_END;

		memcpy(g->hivecs, e2e_guest32 + half, end - half);
	}
	ret = e2e_vcpu_start(&g->l.c, &st);
	for (size_t i = 0; !ret && i < sizeof(regs) / sizeof(regs[0]); i++)
		ret = e2e_set_reg(&g->l.c, regs[i].id, regs[i].val);
	EXPECT(!ret, "%s: vCPU setup: %s", s->name, strerror(-ret));
	return ret;
}

/* ---- the architecture's values ------------------------------------------ */

/* DFSR/IFSR for an abort whose AArch64 syndrome is @esr: long-descriptor
 * (TTBCR.EAE) STATUS with LPAE set, or short-descriptor FS; WnR and CM only
 * for a data abort; ExT from EA. An SEA on a table walk (FSC 0x15-0x17 at
 * levels 1-3) has the same STATUS in the long format; the short format has
 * levels 1 and 2 only, FS 0b01100 and 0b01110. */
static uint64_t arch_fsr(uint64_t esr, bool eae, bool data)
{
	uint64_t fsc = esr & 0x3f, fsr;

	if (eae)
		fsr = FSR_LPAE | fsc;
	else
		fsr = fsc == 0x15 ? 0x0c : fsc == 0x16 ? 0x0e : 0x08;
	if (esr & ESR_EA)
		fsr |= FSR_EXT;
	if (data && (esr & ESR_WNR))
		fsr |= FSR_WNR;
	if (data && (esr & ESR_CM))
		fsr |= FSR_CM;
	return fsr;
}

/* What the guest of guest32.S reports after the architecture's Abort mode
 * entry from @origin (KVM's PSTATE view, the real mode) at @pc. */
static struct e2e_report arch_abort(const struct state32 *s, uint64_t origin,
				    uint64_t pc, bool data, uint64_t esr,
				    uint64_t far)
{
	uint64_t fsr = arch_fsr(esr, s->eae, data);
	uint64_t cpsr = origin & (C_NZCV | C_Q | C_GE | C_DIT | C_PAN | C_F);
	struct e2e_report r = { .done = true };

	if (!(s->sctlr & SCTLR_SPAN))
		cpsr |= C_PAN;
	if (s->sctlr & SCTLR_DSSBS)
		cpsr |= C_SSBS;
	if (s->sctlr & SCTLR_EE)
		cpsr |= C_E;
	if (s->sctlr & SCTLR_TE)
		cpsr |= C_T;
	cpsr |= C_A | C_I | M32_ABT;

	r.vector = (s->sctlr & SCTLR_V ? HIVECS_IPA : vbar_of(s)) +
		   (data ? VEC32_DABT : VEC32_PABT);
	r.esr = data ? fsr : DFSR_PRESET;
	r.far = data ? far : DFAR_PRESET;
	r.ifsr = data ? IFSR_PRESET : fsr;
	r.ifar = data ? IFAR_PRESET : far;
	r.elr = (pc + (data ? 8 : 4)) & 0xffffffffull; /* ARM and Thumb alike */
	r.spsr = guest_view(origin);
	r.pstate = guest_view(cpsr);
	return r;
}

static void expect_report32(const struct e2e_report *r, const struct e2e_report *w)
{
	EXPECT(r->done && !r->no_abort, "the guest took no exception");
	EXPECT_EQ("vector", r->vector, w->vector);
	EXPECT_EQ("DFSR", r->esr, w->esr);
	EXPECT_EQ("DFAR", r->far, w->far);
	EXPECT_EQ("IFSR", r->ifsr, w->ifsr);
	EXPECT_EQ("IFAR", r->ifar, w->ifar);
	EXPECT_EQ("LR_abt", r->elr, w->elr);
	EXPECT_EQ("SPSR_abt", r->spsr, w->spsr);
	EXPECT_EQ("CPSR", r->pstate, w->pstate);
}

static const char *fmt32(const struct e2e_report *r, char *buf, size_t n)
{
	snprintf(buf, n, "vec=0x%llx dfsr=0x%llx dfar=0x%llx ifsr=0x%llx ifar=0x%llx "
		 "lr=0x%llx spsr=0x%llx cpsr=0x%llx",
		 (unsigned long long)r->vector, (unsigned long long)r->esr,
		 (unsigned long long)r->far, (unsigned long long)r->ifsr,
		 (unsigned long long)r->ifar, (unsigned long long)r->elr,
		 (unsigned long long)r->spsr, (unsigned long long)r->pstate);
	return buf;
}

/* Run until the guest's report; then the CPU itself must be in Abort mode,
 * in T32 exactly when SCTLR.TE is set (the report code runs in the state
 * the entry chose: MRS cannot show T). SPSR_abt is read here, not by the
 * guest (guest32.S says why). */
static enum run_result run32(struct g32 *g, const struct state32 *s,
			     struct e2e_report *rep, int *seas)
{
	enum run_result res = lib_run(g->l.v, &g->l.c, rep, seas);
	uint64_t now = 0;

	e2e_get_reg(&g->l.c, E2E_REG_PSTATE, &now);
	e2e_get_reg(&g->l.c, E2E_REG_SPSR_ABT, &rep->spsr);
	if (res == R_REPORT) {
		EXPECT_EQ("PSTATE.M in the report", now & M32_MASK, M32_ABT);
		EXPECT_EQ("PSTATE.T in the report", now & C_T,
			  s->sctlr & SCTLR_TE ? C_T : 0);
	}
	return res;
}

/* The faulting instruction of state @s. */
static uint64_t fault_pc(const struct state32 *s, bool store)
{
	if (s->thumb)
		return G32_IPA(store ? G32_T32_STORE : G32_T32_LOAD);
	return G32_IPA(store ? G32_A32_STORE : G32_A32_LOAD);
}

static uint64_t origin_of(const struct state32 *s)
{
	return s->mode | s->flags | (s->thumb ? C_T : 0);
}

/* The exit as KVM reports it for an AArch32 EL1 guest. */
static void expect_event32(const struct kvmsea_event *ev, const struct state32 *s,
			   bool store)
{
	EXPECT_EQ("event.exit.esr", ev->exit.esr, ESR_DABT_LOW_EXTABT | (store ? ESR_WNR : 0));
	EXPECT_EQ("event.exit.gva", ev->exit.gva, BAD_ADDR);
	EXPECT_EQ("event.exit.gpa", ev->exit.gpa, E2E_BAD_IPA);
	EXPECT_EQ("event.gpa", ev->gpa, BAD_ADDR);
	EXPECT_EQ("event.guest.pc", ev->guest.pc, fault_pc(s, store));
	EXPECT_EQ("event.guest.pstate", ev->guest.pstate, origin_of(s));
	EXPECT_EQ("event.guest.el", ev->guest.el, s->mode == M32_USR ? 0 : 1);
	EXPECT_EQ("event.guest.aarch32", ev->guest.aarch32, 1);
	EXPECT_EQ("event.guest.el1_aarch32", ev->guest.el1_aarch32, 1);
	EXPECT_EQ("event.guest.has_el2", ev->guest.has_el2, 0);
}

/* One real SEA in state @s, injected by the handler with @how (NONE: the
 * default policy). */
static enum run_result real_sea(struct g32 *g, const struct state32 *s, bool store,
				enum kvmsea_strategy how, struct e2e_report *rep)
{
	int seas = 0;
	enum run_result res;

	g->rec.action = KVMSEA_ACTION_DEFAULT;
	g->rec.inject = how;
	g->rec.calls = 0;
	if (start32(g, s, fault_pc(s, store), BAD_ADDR))
		return R_ERROR;
	res = run32(g, s, rep, &seas);
	EXPECT_EQ("run", res, R_REPORT);
	EXPECT_EQ("SEA exits", seas, 1);
	if (g->rec.calls >= 1)
		expect_event32(&g->rec.events[0], s, store);
	return res;
}

/* ---- a1: the machine, the handle, auto -------------------------------- */

static int a1_el1_32bit(void)
{
	static const struct state32 svc = { "SVC", M32_SVC, BASE, SCTLR_SPAN, false, false };
	struct e2e_report rep, want;
	struct g32 g;
	int kvm, cap, ret_sys, ret_el1h, inj[2] = { 0, 0 };
	uint64_t sys_back = 0;
	char buf[300];

	e2e_begin("a1-el1-32bit");
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	cap = kvm < 0 ? -1 : ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_EL1_32BIT);
	if (kvm >= 0)
		close(kvm);
	EXPECT_EQ("KVM_CAP_ARM_EL1_32BIT", cap, 1);
	if (g32_open(&g))
		return e2e_end("-");
	/* set_core_reg (arch/arm64/kvm/guest.c) takes every AArch32 mode,
	 * System included (Linux 7.2.13 has that stable fix), and no AArch64
	 * mode, on an AArch32 EL1 vCPU. */
	ret_sys = e2e_set_reg(&g.l.c, E2E_REG_PSTATE, M32_SYS | C_A | C_I | C_F);
	e2e_get_reg(&g.l.c, E2E_REG_PSTATE, &sys_back);
	ret_el1h = e2e_set_reg(&g.l.c, E2E_REG_PSTATE, M_EL1H);
	EXPECT_EQ("PSTATE = System mode", ret_sys, 0);
	EXPECT_EQ("PSTATE read back", sys_back, M32_SYS | C_A | C_I | C_F);
	EXPECT_EQ("PSTATE = EL1h", ret_el1h, -EINVAL);

	/* auto: ext_dabt_pending is lossless for a load, not for a store. */
	for (int store = 0; store < 2; store++) {
		const struct kvmsea_event *last;

		real_sea(&g, &svc, store, KVMSEA_STRATEGY_NONE, &rep);
		last = kvmsea_vcpu_last_event(g.l.v);
		inj[store] = last ? (int)last->injected : -1;
		EXPECT_EQ("injected", inj[store],
			  store ? KVMSEA_STRATEGY_EMULATE : KVMSEA_STRATEGY_VCPU_EVENTS);
		want = arch_abort(&svc, origin_of(&svc), fault_pc(&svc, store), true,
				  ESR_DABT_LOW_EXTABT | (store ? ESR_WNR : 0), BAD_ADDR);
		expect_report32(&rep, &want);
		printf("  %s, auto -> %s: %s\n", store ? "store" : "load",
		       kvmsea_strategy_name(inj[store]), fmt32(&rep, buf, sizeof(buf)));
	}
	g32_close(&g);
	return e2e_end("KVM_CAP_ARM_EL1_32BIT=%d; set PSTATE System: %d, EL1h: %d; A32 load: "
		       "auto -> %s, store: auto -> %s; Abort mode entry as the "
		       "architecture gives it", cap, ret_sys, ret_el1h,
		       kvmsea_strategy_name(inj[0]), kvmsea_strategy_name(inj[1]));
}

/* ---- a2: differential, emulation vs KVM's own injection ----------------- */

static const struct state32 diff_states[] = {
	/* every origin mode, short and long descriptors */
	{ "SVC", M32_SVC, BASE, SCTLR_SPAN, false, false },
	{ "SVC EAE", M32_SVC, BASE, SCTLR_SPAN, true, false },
	{ "USR", M32_USR, BASE, SCTLR_SPAN, false, false },
	{ "USR EAE", M32_USR, BASE, SCTLR_SPAN, true, false },
	{ "IRQ", M32_IRQ, BASE, SCTLR_SPAN, false, false },
	{ "IRQ EAE", M32_IRQ, BASE, SCTLR_SPAN, true, false },
	{ "ABT", M32_ABT, BASE, SCTLR_SPAN, false, false },
	{ "ABT EAE", M32_ABT, BASE, SCTLR_SPAN, true, false },
	{ "UND", M32_UND, BASE, SCTLR_SPAN, false, false },
	{ "UND EAE", M32_UND, BASE, SCTLR_SPAN, true, false },
	{ "FIQ", M32_FIQ, BASE, SCTLR_SPAN, false, false },
	{ "FIQ EAE", M32_FIQ, BASE, SCTLR_SPAN, true, false },
	{ "SYS", M32_SYS, BASE, SCTLR_SPAN, false, false },
	{ "SYS EAE", M32_SYS, BASE, SCTLR_SPAN, true, false },
	/* the entry's state: T32 vectors, big-endian entry, high vectors */
	{ "SVC TE", M32_SVC, BASE, SCTLR_SPAN | SCTLR_TE, false, false },
	{ "USR TE EAE", M32_USR, BASE, SCTLR_SPAN | SCTLR_TE, true, false },
	{ "SVC EE", M32_SVC, BASE, SCTLR_SPAN | SCTLR_EE, true, false },
	{ "SVC V", M32_SVC, BASE, SCTLR_SPAN | SCTLR_V, false, false },
	{ "USR V TE EE", M32_USR, BASE, SCTLR_SPAN | SCTLR_V | SCTLR_TE | SCTLR_EE, true, false },
	/* PAN x SPAN */
	{ "SVC PAN", M32_SVC, BASE | C_PAN, SCTLR_SPAN, false, false },
	{ "SVC SPAN=0", M32_SVC, BASE, 0, true, false },
	{ "USR PAN SPAN=0", M32_USR, BASE | C_PAN, 0, false, false },
	/* DIT (bit 24 for KVM, 21 for the guest), SSBS against DSSBS */
	{ "SVC DIT", M32_SVC, BASE | C_DIT, SCTLR_SPAN, false, false },
	{ "USR DIT EAE", M32_USR, BASE | C_DIT, SCTLR_SPAN, true, false },
	{ "SVC SSBS DSSBS=0", M32_SVC, BASE | C_SSBS, SCTLR_SPAN, false, false },
	{ "SVC DSSBS", M32_SVC, BASE, SCTLR_SPAN | SCTLR_DSSBS, true, false },
	/* A, I, F clear; a big-endian origin */
	{ "SVC AIF=0", M32_SVC, C_ZC, SCTLR_SPAN, false, false },
	{ "SVC E", M32_SVC, BASE | C_E, SCTLR_SPAN, false, false },
	/* T32 faulting instructions (LR_abt is still PC + 8) */
	{ "SVC T32", M32_SVC, BASE, SCTLR_SPAN, false, true },
	{ "USR T32 EAE", M32_USR, BASE, SCTLR_SPAN, true, true },
	{ "SVC T32 TE", M32_SVC, BASE, SCTLR_SPAN | SCTLR_TE, true, true },
};

static int a2_differential32(void)
{
	enum { N = sizeof(diff_states) / sizeof(diff_states[0]) };
	struct g32 g;
	int cases = 0, same = 0, wnr_only = 0;

	e2e_begin("a2-differential32");
	if (g32_open(&g))
		return e2e_end("-");
	for (int i = 0; i < N; i++)
	for (int store = 0; store < 2; store++) {
		const struct state32 *s = &diff_states[i];
		struct e2e_report got[2], want, kvm_want;
		char b0[300], b1[300];

		real_sea(&g, s, store, KVMSEA_STRATEGY_VCPU_EVENTS, &got[0]);
		real_sea(&g, s, store, KVMSEA_STRATEGY_EMULATE, &got[1]);
		want = arch_abort(s, origin_of(s), fault_pc(s, store), true,
				  ESR_DABT_LOW_EXTABT | (store ? ESR_WNR : 0), BAD_ADDR);
		/* ext_dabt_pending: DFSR is 0x08 or 0x210, nothing else. */
		kvm_want = want;
		kvm_want.esr &= ~FSR_WNR;
		cases++;
		bool equal = !memcmp(&got[0], &got[1], sizeof(got[0]));
		same += equal;
		struct e2e_report g0 = got[0];
		g0.esr |= got[1].esr & FSR_WNR;
		wnr_only += !equal && store && !memcmp(&g0, &got[1], sizeof(g0));
		printf("  %-16s %s: vcpu-events %s | emulate %s\n", s->name,
		       store ? "store" : "load ", fmt32(&got[0], b0, sizeof(b0)),
		       equal ? "same" : fmt32(&got[1], b1, sizeof(b1)));
		expect_report32(&got[0], &kvm_want);
		expect_report32(&got[1], &want);
	}
	g32_close(&g);
	return e2e_end("%d cases (%d AArch32 states x load/store): %d identical, %d differ in DFSR.WnR "
		       "only (stores: ext_dabt_pending drops it), all equal to the "
		       "architecture's Abort mode entry (vector, DFSR, DFAR, IFSR, IFAR, "
		       "LR_abt, SPSR_abt, CPSR, T)", cases, (int)N, same, wnr_only);
}

/* ---- a3: syndromes no real SEA here has --------------------------------- */

/* An event KVM would give for a data abort with syndrome @esr at @gva. */
static void built_event(struct kvmsea_event *ev, uint64_t esr, uint64_t gva)
{
	kvmsea_event_init(ev, esr, gva);
}

static int a3_syndromes32(void)
{
	static const struct {
		const char *name;
		uint64_t esr;
		bool long_only;    /* a level the short format does not have */
	} syndromes[] = {
		{ "CM", ESR_DABT_LOW_EXTABT | ESR_CM | ESR_WNR, false },
		{ "EA", ESR_DABT_LOW_EXTABT | ESR_EA, false },
		{ "walk L1", 0x92000015ull, false },
		{ "walk L2", 0x92000016ull, false },
		{ "walk L3", 0x92000017ull, true },
	};
	static const struct state32 states[] = {
		{ "SVC", M32_SVC, BASE, SCTLR_SPAN, false, false },
		{ "USR EAE", M32_USR, BASE, SCTLR_SPAN, true, false },
	};
	struct g32 g;
	int cases = 0;
	char buf[300];

	e2e_begin("a3-syndromes32");
	if (g32_open(&g))
		return e2e_end("-");
	for (size_t k = 0; k < sizeof(syndromes) / sizeof(syndromes[0]); k++)
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		const struct state32 *s = &states[i];
		struct kvmsea_event ev;
		struct e2e_report rep, want;
		int ret, seas = 0;

		if (syndromes[k].long_only && !s->eae)
			continue;
		/* A stopped vCPU on the load, and the event of its abort. */
		built_event(&ev, syndromes[k].esr, BAD_ADDR);
		if (start32(&g, s, fault_pc(s, false), BAD_ADDR))
			continue;
		ret = kvmsea_vcpu_inject(g.l.v, &ev, KVMSEA_STRATEGY_EMULATE, NULL);
		EXPECT_EQ("inject emulate", ret, KVMSEA_STRATEGY_EMULATE);
		EXPECT_EQ("run", run32(&g, s, &rep, &seas), R_REPORT);
		EXPECT_EQ("SEA exits", seas, 0);
		want = arch_abort(s, origin_of(s), fault_pc(s, false), true,
				  syndromes[k].esr, BAD_ADDR);
		printf("  %s, esr 0x%llx: %s (architecture: DFSR 0x%llx)\n", s->name,
		       (unsigned long long)syndromes[k].esr, fmt32(&rep, buf, sizeof(buf)),
		       (unsigned long long)want.esr);
		expect_report32(&rep, &want);
		cases++;
	}
	g32_close(&g);
	return e2e_end("%d built data aborts, emulated: CM -> DFSR.CM, EA -> ExT, SEA on a "
		       "walk -> FS 0x0c/0x0e (short) or STATUS 0x15-0x17 (long)", cases);
}

/* ---- a4: prefetch aborts ------------------------------------------------ */

/*
 * No instruction fetch becomes an SEA here: KVM maps the bad page
 * never-executable and answers a fetch with its own prefetch abort
 * (user_mem_abort() -> -ENOEXEC -> kvm_inject_pabt()), with no exit. That
 * entry is KVM's inject_abt32(): the reference. The library's emulation of
 * an instruction-abort event (IABT_LOW 0x82000010, as the exit would give
 * it) at the same state must equal it and the architecture.
 */
static int a4_pabt32(void)
{
	static const struct state32 states[] = {
		{ "SVC", M32_SVC, BASE, SCTLR_SPAN, false, false },
		{ "SVC EAE", M32_SVC, BASE, SCTLR_SPAN, true, false },
		{ "USR", M32_USR, BASE, SCTLR_SPAN, false, false },
		{ "SVC T32", M32_SVC, BASE, SCTLR_SPAN, false, true },
		{ "USR T32 TE EAE", M32_USR, BASE, SCTLR_SPAN | SCTLR_TE, true, true },
	};
	struct g32 g;
	int cases = 0, same = 0, refused = 0;

	e2e_begin("a4-pabt32");
	if (g32_open(&g))
		return e2e_end("-");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		const struct state32 *s = &states[i];
		/* BX to the bad page: bit 0 chooses T32 */
		uint64_t target = BAD_ADDR | (s->thumb ? 1 : 0);
		struct state32 at_branch = *s;
		struct e2e_report got[2], want;
		struct kvmsea_event ev;
		char b0[300], b1[300];
		int ret, seas = 0;

		/* KVM's own: the A32 BX (the T bit comes from the target). */
		at_branch.thumb = false;
		if (start32(&g, &at_branch, G32_IPA(G32_A32_BRANCH), target))
			continue;
		EXPECT_EQ("run (branch)", run32(&g, s, &got[0], &seas), R_REPORT);
		EXPECT_EQ("SEA exits (fetch)", seas, 0);

		/* The library's: a vCPU stopped at the fetch, and its event. */
		built_event(&ev, ESR_IABT_LOW_EXTABT, BAD_ADDR);
		if (start32(&g, s, BAD_ADDR, 0))
			continue;
		ret = kvmsea_vcpu_inject(g.l.v, &ev, KVMSEA_STRATEGY_VCPU_EVENTS, NULL);
		EXPECT_EQ("inject IABT with vcpu-events", ret, -EOPNOTSUPP);
		refused += ret == -EOPNOTSUPP;
		ret = kvmsea_vcpu_inject(g.l.v, &ev, KVMSEA_STRATEGY_EMULATE, NULL);
		EXPECT_EQ("inject IABT emulate", ret, KVMSEA_STRATEGY_EMULATE);
		EXPECT_EQ("run (injected)", run32(&g, s, &got[1], &seas), R_REPORT);
		EXPECT_EQ("SEA exits", seas, 0);

		want = arch_abort(s, origin_of(s), BAD_ADDR, false, ESR_IABT_LOW_EXTABT,
				  BAD_ADDR);
		cases++;
		bool equal = !memcmp(&got[0], &got[1], sizeof(got[0]));
		same += equal;
		printf("  %-15s KVM's own %s | emulate %s\n", s->name,
		       fmt32(&got[0], b0, sizeof(b0)),
		       equal ? "same" : fmt32(&got[1], b1, sizeof(b1)));
		expect_report32(&got[0], &want);
		expect_report32(&got[1], &want);
	}
	g32_close(&g);
	return e2e_end("%d states: a fetch from the bad page gets KVM's own prefetch abort "
		       "(no exit); the emulated IABT event gives the same entry in %d "
		       "(vector +0x0c, IFSR 0x08/0x210, IFAR, LR_abt = PC + 4, DFSR/DFAR "
		       "kept); vcpu-events refused %d/%d", cases, same, refused, cases);
}

int main(void)
{
	int fails = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(600); /* a hang is a failure, not a stuck CI run */
	fails += a1_el1_32bit();
	fails += a2_differential32();
	fails += a3_syndromes32();
	fails += a4_pabt32();
	return fails ? 1 : 0;
}
