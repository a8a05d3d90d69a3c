// SPDX-License-Identifier: MIT
/*
 * libkvmsea's SIGBUS path on the real kernel (issue 10's tests): poisoned
 * guest RAM of the VMM (datavm.c), the VMM's own SIGBUS handler calling
 * kvmsea_sigbus() (buslog.c's hook), kvmsea_vcpu_handle_exit() after every
 * KVM_RUN (vmm.c's lib_run()), kvmsea_ctx_next_error() for what arrives
 * off the vCPU threads, and the poison registry. The kernel's side of each
 * scenario is poison.c's, which asserts it without the library.
 *
 * Pages are poisoned with corrupt-pfn where no signal at poisoning time is
 * wanted (the guest's touch is then the first the VMM hears of it), and
 * with madvise where the poisoning thread's own AR is part of the test.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <libkvmsea/libkvmsea.h>
#include <libkvmsea/memory.h>

#include "buslog.h"
#include "check.h"
#include "datavm.h"
#include "hwpoison.h"
#include "jobs.h"
#include "vmm.h"

#define PAGE 0x1000ull
#define LSB_4K 12
#define LSB_2M 21
#define MAX_VCPUS 4
/* What the library synthesises for a SIGBUS (kvmsea_sigbus(3)), and what
 * the guest at EL1 then reads in ESR_EL1 (EC 0x25, IL, FnV, FSC 0x10). */
#define SIGBUS_SYNDROME 0x92000410ull
#define GUEST_ESR       0x96000410ull
/* FAR_EL1 before the abort: emulation leaves it alone when FnV is set. */
#define FAR_MARK        0xfa4fa4fa4ull
#define START_PSTATE    0x3c5ull /* EL1h, DAIF masked */

/* The VMM's SIGBUS handler forwards to the library (buslog's hook). */
static struct kvmsea_ctx *vmm_ctx;
static _Thread_local struct kvmsea_vcpu *my_vcpu;

static int vmm_sigbus(const siginfo_t *si)
{
	return kvmsea_sigbus(vmm_ctx, my_vcpu, si->si_code, si->si_addr,
			     (unsigned int)si->si_addr_lsb);
}

static struct buslog main_log;

/* A VM with a data slot, a context that knows both memslots, and vCPUs
 * with their handles; every event is recorded by vCPU. */
struct svm {
	struct dvm d;
	struct kvmsea_ctx *ctx;
	int nvcpus;
	struct e2e_vcpu c[MAX_VCPUS];
	struct kvmsea_vcpu *v[MAX_VCPUS];
	struct recorder rec[MAX_VCPUS];
};

static int record_by_vcpu(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
			  void *opaque)
{
	struct recorder *rec = opaque;

	return record(vcpu, ev, &rec[kvmsea_vcpu_get_id(vcpu)]);
}

static void svm_close(struct svm *s)
{
	vmm_ctx = NULL;
	for (int i = 0; i < s->nvcpus; i++) {
		kvmsea_vcpu_free(s->v[i]);
		e2e_vcpu_close(&s->c[i]);
	}
	kvmsea_ctx_free(s->ctx);
	s->ctx = NULL;
	s->nvcpus = 0;
	dvm_close(&s->d);
}

static int svm_open(struct svm *s, enum dvm_backing backing, uint64_t ipa, int nvcpus)
{
	struct kvmsea_memslot ram = {
		.slot = 0, .gpa = E2E_RAM_IPA, .size = E2E_RAM_SIZE,
	};
	struct kvmsea_memslot data = {
		.slot = DVM_SLOT, .gpa = ipa,
		.flags = backing == DVM_GMEM ? KVMSEA_MEMSLOT_GUEST_MEMFD : 0,
	};
	int ret;

	memset(s, 0, sizeof(*s));
	ret = dvm_open(&s->d, backing, ipa);
	if (ret) {
		EXPECT(0, "VM with data backing %d: %s", backing, strerror(-ret));
		return ret;
	}
	ram.hva = (uintptr_t)s->d.vm.ram;
	data.hva = (uintptr_t)s->d.data;
	data.size = s->d.size;
	ret = kvmsea_ctx_new(s->d.vm.vm_fd, &s->ctx);
	EXPECT_EQ("kvmsea_ctx_new", ret, 0);
	if (!ret)
		ret = kvmsea_ctx_set_handler(s->ctx, record_by_vcpu, s->rec);
	if (!ret)
		ret = kvmsea_ctx_set_memslot(s->ctx, &ram);
	if (!ret)
		ret = kvmsea_ctx_set_memslot(s->ctx, &data);
	EXPECT_EQ("context setup", ret, 0);
	for (int i = 0; !ret && i < nvcpus; i++) {
		s->rec[i].action = KVMSEA_ACTION_DEFAULT;
		s->rec[i].inject = KVMSEA_STRATEGY_NONE;
		ret = e2e_vcpu_open(&s->d.vm, (uint32_t)i, &s->c[i]);
		EXPECT(!ret, "vCPU %d: %s", i, strerror(-ret));
		if (ret)
			break;
		ret = kvmsea_vcpu_new(s->ctx, s->c[i].fd, s->c[i].run, (uint32_t)i, 0,
				      &s->v[i]);
		EXPECT_EQ("kvmsea_vcpu_new", ret, 0);
		if (ret)
			e2e_vcpu_close(&s->c[i]);
		else
			s->nvcpus++;
	}
	if (ret)
		svm_close(s);
	else
		vmm_ctx = s->ctx;
	return ret;
}

static uint64_t load_pc(void)
{
	return e2e_guest_ipa(e2e_guest_load);
}

/* The guest's load of data offset @off on vCPU @i, run by the library's
 * loop until the guest reports; FAR_EL1 marked first. */
static enum run_result run_load(struct svm *s, int i, uint64_t off,
				struct e2e_report *rep)
{
	int ret = dvm_start_load(&s->d, &s->c[i], off);

	if (!ret)
		ret = e2e_set_reg(&s->c[i], E2E_REG_FAR_EL1, FAR_MARK);
	if (ret) {
		EXPECT(0, "vCPU %d start: %s", i, strerror(-ret));
		return R_ERROR;
	}
	return lib_run(s->v[i], &s->c[i], rep, NULL);
}

/* The guest took the library's SEA at its load: vector, syndrome, FAR
 * left alone, ELR on the load, SPSR the state at the fault. */
static void expect_guest_sea(const char *what, enum run_result r,
			     const struct e2e_report *rep)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "%s: the run ended with the guest's report", what);
	EXPECT_EQ(buf, r, R_REPORT);
	EXPECT(rep->done && !rep->no_abort, "%s: the guest took no exception", what);
	snprintf(buf, sizeof(buf), "%s: vector", what);
	EXPECT_EQ(buf, rep->vector, VEC_CUR_SPX_SYNC);
	snprintf(buf, sizeof(buf), "%s: ESR_EL1", what);
	EXPECT_EQ(buf, rep->esr, GUEST_ESR);
	snprintf(buf, sizeof(buf), "%s: FAR_EL1 (left alone)", what);
	EXPECT_EQ(buf, rep->far, FAR_MARK);
	snprintf(buf, sizeof(buf), "%s: ELR_EL1 (the load)", what);
	EXPECT_EQ(buf, rep->elr, load_pc());
	snprintf(buf, sizeof(buf), "%s: SPSR_EL1", what);
	EXPECT_EQ(buf, rep->spsr, START_PSTATE);
}

/* An event of a SIGBUS: its page, the signal, and (for a vCPU's AR) the
 * guest at its load. */
static void expect_sigbus_event(const char *what, const struct kvmsea_event *ev,
				enum kvmsea_source source, uint32_t vcpu_id,
				uint64_t page_gpa, uint64_t page_hva,
				uint64_t page_size, uint64_t sig_addr, int lsb)
{
	bool ar = source == KVMSEA_SOURCE_SIGBUS_AR;
	bool on_vcpu = vcpu_id != KVMSEA_NO_VCPU;
	char buf[96];

#define EV_EQ(field, want) do { \
	snprintf(buf, sizeof(buf), "%s: event." #field, what); \
	EXPECT_EQ(buf, ev->field, want); \
} while (0)
	EV_EQ(source, source);
	EV_EQ(vcpu_id, vcpu_id);
	EV_EQ(syndrome, SIGBUS_SYNDROME);
	EV_EQ(esr.ec, KVMSEA_EC_DABT_LOW);
	EV_EQ(esr.u.abort.fsc, KVMSEA_FSC_EXTABT);
	EV_EQ(esr.u.abort.fnv, 1);
	EV_EQ(known, KVMSEA_KNOWN_PAGE_GPA | KVMSEA_KNOWN_PAGE_HVA |
		     (on_vcpu ? KVMSEA_KNOWN_GUEST : 0));
	EV_EQ(page_gpa, page_gpa);
	EV_EQ(page_hva, page_hva);
	EV_EQ(page_size, page_size);
	EV_EQ(sigbus.code, ar ? BUS_MCEERR_AR : BUS_MCEERR_AO);
	EV_EQ(sigbus.addr, sig_addr);
	EV_EQ(sigbus.addr_lsb, lsb);
	if (on_vcpu) {
		EV_EQ(guest.pc, load_pc());
		EV_EQ(guest.pstate, START_PSTATE);
		EV_EQ(guest.el, 1);
	}
#undef EV_EQ
}

#define ANY_SOURCE (-1)

/* The registry holds exactly { @gpa, @size, @hva, @source (an enum
 * kvmsea_source, or ANY_SOURCE), @count }, and first_ns <= last_ns; *@out
 * (may be NULL) gets the range. */
static void expect_registry(const char *what, struct kvmsea_ctx *ctx, uint64_t gpa,
			    uint64_t size, uint64_t hva, int source,
			    uint64_t count, struct kvmsea_poison *out)
{
	struct kvmsea_poison p[4];
	char buf[96];
	int n = kvmsea_ctx_get_poison(ctx, p, 4);

	snprintf(buf, sizeof(buf), "%s: ranges in the registry", what);
	EXPECT_EQ(buf, n, 1);
	if (n < 1)
		return;
	if (out)
		*out = p[0];
#define P_EQ(field, want) do { \
	snprintf(buf, sizeof(buf), "%s: poison." #field, what); \
	EXPECT_EQ(buf, p[0].field, want); \
} while (0)
	P_EQ(gpa, gpa);
	P_EQ(size, size);
	P_EQ(hva, hva);
	if (source != ANY_SOURCE)
		P_EQ(source, source);
	P_EQ(count, count);
#undef P_EQ
	EXPECT(p[0].first_ns && p[0].first_ns <= p[0].last_ns,
	       "%s: first_ns %llu, last_ns %llu", what,
	       (unsigned long long)p[0].first_ns, (unsigned long long)p[0].last_ns);
}

static struct kvmsea_stats stats_of(struct kvmsea_ctx *ctx)
{
	struct kvmsea_stats st;

	memset(&st, 0, sizeof(st));
	EXPECT_EQ("kvmsea_ctx_get_stats", kvmsea_ctx_get_stats(ctx, &st), 0);
	return st;
}

/* Scenario @name starts on the main thread (vCPU 0's thread, l6 aside),
 * with hwpoison_inject there. false: it cannot run (counted). */
static bool begin(const char *name)
{
	int ret;

	e2e_begin(name);
	buslog_attach(&main_log);
	buslog_reset(&main_log);
	buslog_reset(&buslog_stray);
	ret = hwp_inject_init();
	EXPECT(!ret, "hwpoison_inject: %s", strerror(-ret));
	return !ret;
}

static void expect_no_stray(void)
{
	EXPECT_EQ("SIGBUS on threads without a log", buslog_stray.n, 0);
}

static struct job poisoner(struct svm *s, int (*fn)(struct job *), uint64_t off)
{
	struct job j = { .fn = fn, .arg = &s->d, .off = off,
			 .policy = JOB_POLICY_DEFAULT };

	run_job(&j);
	EXPECT(!j.ret, "poisoning 0x%llx: %s", (unsigned long long)off, strerror(-j.ret));
	return j;
}

/* ---- l1: the vCPU thread's AR becomes an injected SEA ------------------ */

static int l1_vcpu_ar(void)
{
	struct svm s;
	struct e2e_report rep1, rep2;
	enum run_result r1, r2;
	const struct kvmsea_event *e1 = NULL, *last;
	struct kvmsea_stats st;
	struct kvmsea_event drained;
	uint64_t hva = 0;

	if (!begin("l1-vcpu-ar") || svm_open(&s, DVM_ANON, DVM_IPA, 1))
		return e2e_end("-");
	my_vcpu = s.v[0];
	hva = (uintptr_t)dvm_host(&s.d, 0x3000);
	poisoner(&s, job_corrupt, 0x3000);
	r1 = run_load(&s, 0, 0x3128, &rep1);
	expect_sigs("the vCPU thread", &main_log, 1, BUS_MCEERR_AR, hva, LSB_4K);
	EXPECT_EQ("kvmsea_sigbus()", main_log.sig[0].hook, KVMSEA_SIGBUS_RECORDED);
	EXPECT_EQ("handler calls", s.rec[0].calls, 1);
	if (s.rec[0].calls >= 1) {
		e1 = &s.rec[0].events[0];
		expect_sigbus_event("touch 1", e1, KVMSEA_SOURCE_SIGBUS_AR, 0,
				    DVM_IPA + 0x3000, hva, PAGE, hva, LSB_4K);
		EXPECT_EQ("touch 1: event.seq", e1->seq, 1);
		EXPECT_EQ("touch 1: event.distinct_pages", e1->distinct_pages, 1);
		EXPECT_EQ("touch 1: event.storm", e1->storm, 0);
	}
	last = kvmsea_vcpu_last_event(s.v[0]);
	EXPECT(last && last->injected == KVMSEA_STRATEGY_EMULATE,
	       "touch 1: injected with %d, expected emulate", last ? (int)last->injected : -1);
	expect_guest_sea("touch 1", r1, &rep1);
	expect_registry("after touch 1", s.ctx, DVM_IPA + 0x3000, PAGE, hva,
			KVMSEA_SOURCE_SIGBUS_AR, 1, NULL);
	EXPECT_EQ("is_poisoned(the byte)", kvmsea_ctx_is_poisoned(s.ctx, DVM_IPA + 0x3128, 8), 1);
	EXPECT_EQ("is_poisoned(the page above)",
		  kvmsea_ctx_is_poisoned(s.ctx, DVM_IPA + 0x4000, PAGE), 0);

	/* The guest's handler runs the load again: recognised, count 2. */
	r2 = run_load(&s, 0, 0x3128, &rep2);
	EXPECT_EQ("handler calls", s.rec[0].calls, 2);
	if (s.rec[0].calls >= 2) {
		expect_sigbus_event("touch 2", &s.rec[0].events[1], KVMSEA_SOURCE_SIGBUS_AR,
				    0, DVM_IPA + 0x3000, hva, PAGE, hva, LSB_4K);
		EXPECT_EQ("touch 2: event.seq", s.rec[0].events[1].seq, 2);
		EXPECT_EQ("touch 2: event.distinct_pages", s.rec[0].events[1].distinct_pages, 1);
	}
	expect_guest_sea("touch 2", r2, &rep2);
	expect_registry("after touch 2", s.ctx, DVM_IPA + 0x3000, PAGE, hva,
			KVMSEA_SOURCE_SIGBUS_AR, 2, NULL);
	st = stats_of(s.ctx);
	EXPECT_EQ("stats.sigbus_ar", st.sigbus_ar, 2);
	EXPECT_EQ("stats.injected", st.injected, 2);
	EXPECT_EQ("stats.sigbus_not_mine", st.sigbus_not_mine, 0);
	EXPECT_EQ("stats.sea_exits", st.sea_exits, 0);
	EXPECT_EQ("kvmsea_ctx_next_error (nothing for the VM)",
		  kvmsea_ctx_next_error(s.ctx, &drained), 0);
	expect_no_stray();
	my_vcpu = NULL;
	svm_close(&s);
	return e2e_end("corrupt-pfn, guest load of 0x80003128: vCPU thread AR 0x%llx/12 "
		       "-> RECORDED; handle_exit(-EINTR) -> SIGBUS_AR event page_gpa "
		       "0x80003000/4 KiB, syndrome 0x92000410, no GVA; emulated: guest vector "
		       "4, ESR_EL1 0x96000410, FAR_EL1 untouched, ELR the load; registry "
		       "{0x80003000, 4 KiB, SIGBUS_AR}; second touch: count 2, seq 2, "
		       "distinct 1", (unsigned long long)hva);
}

/* ---- l2: AO with early kill, drained with next_error ------------------- */

static int l2_ao(void)
{
	struct svm s;
	struct waiter early;
	struct kvmsea_event ev, none;
	struct e2e_report rep;
	enum run_result r;
	struct kvmsea_stats st;
	uint64_t hva = 0;
	int got;

	if (!begin("l2-ao-early-kill") || svm_open(&s, DVM_ANON, DVM_IPA, 1))
		return e2e_end("-");
	my_vcpu = s.v[0];
	hva = (uintptr_t)dvm_host(&s.d, 0x5000);
	waiter_start(&early, PR_MCE_KILL_EARLY);
	poisoner(&s, job_corrupt, 0x5000);
	waiter_stop(&early);
	expect_sigs("the early-kill thread", &early.log, 1, BUS_MCEERR_AO, hva, LSB_4K);
	EXPECT_EQ("its kvmsea_sigbus()", early.log.sig[0].hook, KVMSEA_SIGBUS_RECORDED);
	EXPECT_EQ("the registry before the drain", kvmsea_ctx_get_poison(s.ctx, NULL, 0), 0);
	got = kvmsea_ctx_next_error(s.ctx, &ev);
	EXPECT_EQ("kvmsea_ctx_next_error", got, 1);
	if (got == 1) {
		expect_sigbus_event("AO", &ev, KVMSEA_SOURCE_SIGBUS_AO, KVMSEA_NO_VCPU,
				    DVM_IPA + 0x5000, hva, PAGE, hva, LSB_4K);
		EXPECT_EQ("AO: event.distinct_pages", ev.distinct_pages, 1);
	}
	EXPECT_EQ("kvmsea_ctx_next_error again", kvmsea_ctx_next_error(s.ctx, &none), 0);
	EXPECT_EQ("handler calls for the AO", s.rec[0].calls, 0);
	expect_registry("after the AO", s.ctx, DVM_IPA + 0x5000, PAGE, hva,
			KVMSEA_SOURCE_SIGBUS_AO, 1, NULL);
	/* Then the guest uses it: an AR event on the same range. */
	r = run_load(&s, 0, 0x5128, &rep);
	expect_guest_sea("touch", r, &rep);
	EXPECT_EQ("handler calls", s.rec[0].calls, 1);
	if (s.rec[0].calls >= 1)
		expect_sigbus_event("touch", &s.rec[0].events[0], KVMSEA_SOURCE_SIGBUS_AR, 0,
				    DVM_IPA + 0x5000, hva, PAGE, hva, LSB_4K);
	expect_registry("after the touch", s.ctx, DVM_IPA + 0x5000, PAGE, hva,
			KVMSEA_SOURCE_SIGBUS_AO, 2, NULL);
	st = stats_of(s.ctx);
	EXPECT_EQ("stats.sigbus_ao", st.sigbus_ao, 1);
	EXPECT_EQ("stats.sigbus_ar", st.sigbus_ar, 1);
	expect_no_stray();
	my_vcpu = NULL;
	svm_close(&s);
	return e2e_end("corrupt-pfn with an early-kill thread: its AO 0x%llx/12 -> "
		       "RECORDED, next_error: SIGBUS_AO, no vCPU, page_gpa 0x80005000, "
		       "handler not called, registry {0x80005000, 4 KiB, SIGBUS_AO}; the "
		       "guest's touch: SIGBUS_AR event, injected, count 2",
		       (unsigned long long)hva);
}

/* ---- l3: ARs off the vCPU threads -------------------------------------- */

static int l3_vmm_ar(void)
{
	struct svm s;
	struct job reader = { .fn = job_read, .off = 0x3128,
			      .policy = JOB_POLICY_DEFAULT };
	struct job mad;
	struct kvmsea_event ev[4];
	struct kvmsea_stats st;
	uint64_t hva = 0;
	int n = 0;

	if (!begin("l3-vmm-thread-ar") || svm_open(&s, DVM_ANON, DVM_IPA, 1))
		return e2e_end("-");
	hva = (uintptr_t)dvm_host(&s.d, 0x3000);
	reader.arg = &s.d;
	/* The VMM's own madvise: an AR on the calling thread, in guest
	 * memory, which the library cannot tell from a device model's. */
	mad = poisoner(&s, job_madvise, 0x3000);
	expect_sigs("the madvise caller", &mad.log, 1, BUS_MCEERR_AR, hva, LSB_4K);
	EXPECT_EQ("its kvmsea_sigbus()", mad.log.sig[0].hook, KVMSEA_SIGBUS_RECORDED);
	run_job(&reader);
	EXPECT_EQ("reads that completed", reader.ret, 0);
	expect_sigs("the reading thread", &reader.log, 2, BUS_MCEERR_AR, hva + 0x128, LSB_4K);
	EXPECT_EQ("its kvmsea_sigbus()", reader.log.sig[0].hook, KVMSEA_SIGBUS_RECORDED);
	while (n < 4 && kvmsea_ctx_next_error(s.ctx, &ev[n]) == 1)
		n++;
	EXPECT_EQ("events from next_error", n, 3);
	if (n == 3) {
		expect_sigbus_event("madvise", &ev[0], KVMSEA_SOURCE_SIGBUS_AR,
				    KVMSEA_NO_VCPU, DVM_IPA + 0x3000, hva, PAGE, hva, LSB_4K);
		expect_sigbus_event("read 1", &ev[1], KVMSEA_SOURCE_SIGBUS_AR,
				    KVMSEA_NO_VCPU, DVM_IPA + 0x3000, hva, PAGE, hva + 0x128,
				    LSB_4K);
		expect_sigbus_event("read 2", &ev[2], KVMSEA_SOURCE_SIGBUS_AR,
				    KVMSEA_NO_VCPU, DVM_IPA + 0x3000, hva, PAGE, hva + 0x128,
				    LSB_4K);
	}
	EXPECT_EQ("handler calls", s.rec[0].calls, 0);
	expect_registry("registry", s.ctx, DVM_IPA + 0x3000, PAGE, hva,
			KVMSEA_SOURCE_SIGBUS_AR, 3, NULL);
	st = stats_of(s.ctx);
	EXPECT_EQ("stats.sigbus_ar", st.sigbus_ar, 3);
	EXPECT_EQ("stats.injected", st.injected, 0);
	expect_no_stray();
	svm_close(&s);
	return e2e_end("the VMM's madvise (AR 0x%llx/12) and a device thread's two reads "
		       "(AR 0x%llx/12): RECORDED for the VM; next_error: 3 SIGBUS_AR events, "
		       "no vCPU, page_gpa 0x80003000, sigbus.addr as sent; nothing injected; "
		       "registry count 3", (unsigned long long)hva,
		       (unsigned long long)hva + 0x128);
}

/* ---- l4: the vCPU thread reads poisoned memory itself ------------------ */

static int l4_vcpu_thread_read(void)
{
	struct svm s;
	struct kvmsea_event ev;
	struct e2e_report rep;
	enum run_result r;
	sigjmp_buf escape;
	volatile int reads = 0;
	uint64_t hva = 0;
	int got;

	if (!begin("l4-vcpu-thread-own-read") || svm_open(&s, DVM_ANON, DVM_IPA, 1))
		return e2e_end("-");
	my_vcpu = s.v[0];
	hva = (uintptr_t)dvm_host(&s.d, 0x3000);
	poisoner(&s, job_corrupt, 0x3000);
	/* Device emulation on the vCPU thread, between two KVM_RUNs. */
	main_log.escape = &escape;
	if (!sigsetjmp(escape, 1)) {
		(void)*(volatile uint64_t *)dvm_host(&s.d, 0x3128);
		reads++;
	}
	main_log.escape = NULL;
	EXPECT_EQ("reads that completed", reads, 0);
	expect_sigs("the vCPU thread", &main_log, 1, BUS_MCEERR_AR, hva + 0x128, LSB_4K);
	EXPECT_EQ("kvmsea_sigbus() (the vCPU's)", main_log.sig[0].hook,
		  KVMSEA_SIGBUS_RECORDED);
	/* The next KVM_RUN returns 0 (the guest loads a good page): the
	 * record was not the guest's, and moves to the VM. */
	r = run_load(&s, 0, 0x4128, &rep);
	EXPECT_EQ("the good load", r, R_REPORT);
	EXPECT(rep.no_abort, "the guest took an exception");
	EXPECT_EQ("handler calls", s.rec[0].calls, 0);
	got = kvmsea_ctx_next_error(s.ctx, &ev);
	EXPECT_EQ("kvmsea_ctx_next_error", got, 1);
	if (got == 1)
		expect_sigbus_event("the read", &ev, KVMSEA_SOURCE_SIGBUS_AR, KVMSEA_NO_VCPU,
				    DVM_IPA + 0x3000, hva, PAGE, hva + 0x128, LSB_4K);
	expect_no_stray();
	my_vcpu = NULL;
	svm_close(&s);
	return e2e_end("the vCPU thread's own read: AR 0x%llx/12 -> RECORDED for the "
		       "vCPU; its next KVM_RUN returned 0, so handle_exit gave it to the VM "
		       "(no handler call, nothing injected); next_error: SIGBUS_AR, no vCPU",
		       (unsigned long long)hva + 0x128);
}

/* ---- l5: hugetlb -------------------------------------------------------- */

/* Two touches of one poisoned 2 MiB page, at +0x5128 and +0x100128. With
 * the memslot aligned: one 2 MiB range, count 2. Misaligned: KVM says lsb
 * 12, so the library sees two 4 KiB ranges. */
static int l5_hugetlb(const char *name, uint64_t ipa, bool aligned)
{
	struct svm s;
	struct e2e_report rep1, rep2;
	enum run_result r1, r2;
	struct kvmsea_poison p[4];
	uint64_t base = 0;
	long pages;
	int n = -1;

	if (!begin(name))
		return e2e_end("-");
	pages = hwp_set_hugepages(1);
	EXPECT_EQ("vm.nr_hugepages", pages, 1);
	if (pages != 1 || svm_open(&s, DVM_HUGETLB, ipa, 1)) {
		hwp_set_hugepages(0);
		return e2e_end("-");
	}
	my_vcpu = s.v[0];
	base = (uintptr_t)s.d.data;
	poisoner(&s, job_corrupt, 0x5000);
	r1 = run_load(&s, 0, 0x5128, &rep1);
	r2 = run_load(&s, 0, 0x100128, &rep2);
	expect_guest_sea("touch 1", r1, &rep1);
	expect_guest_sea("touch 2", r2, &rep2);
	EXPECT_EQ("handler calls", s.rec[0].calls, 2);
	if (s.rec[0].calls >= 2 && aligned) {
		expect_sigbus_event("touch 1", &s.rec[0].events[0], KVMSEA_SOURCE_SIGBUS_AR,
				    0, ipa, base, DVM_HUGE_SIZE, base + 0x5000, LSB_2M);
		expect_sigbus_event("touch 2", &s.rec[0].events[1], KVMSEA_SOURCE_SIGBUS_AR,
				    0, ipa, base, DVM_HUGE_SIZE, base + 0x100000, LSB_2M);
		EXPECT_EQ("touch 2: distinct_pages", s.rec[0].events[1].distinct_pages, 1);
		expect_registry("registry", s.ctx, ipa, DVM_HUGE_SIZE, base,
				KVMSEA_SOURCE_SIGBUS_AR, 2, NULL);
	} else if (s.rec[0].calls >= 2) {
		expect_sigbus_event("touch 1", &s.rec[0].events[0], KVMSEA_SOURCE_SIGBUS_AR,
				    0, ipa + 0x5000, base + 0x5000, PAGE, base + 0x5000, LSB_4K);
		expect_sigbus_event("touch 2", &s.rec[0].events[1], KVMSEA_SOURCE_SIGBUS_AR,
				    0, ipa + 0x100000, base + 0x100000, PAGE, base + 0x100000,
				    LSB_4K);
		EXPECT_EQ("touch 2: distinct_pages", s.rec[0].events[1].distinct_pages, 2);
		n = kvmsea_ctx_get_poison(s.ctx, p, 4);
		EXPECT_EQ("ranges in the registry", n, 2);
	}
	expect_no_stray();
	my_vcpu = NULL;
	svm_close(&s);
	hwp_set_hugepages(0);
	if (aligned)
		return e2e_end("memslot 0x%llx aligned with the huge page: both touches "
			       "SIGBUS_AR page_gpa 0x%llx, page_size 2 MiB (lsb 21), injected; "
			       "registry one 2 MiB range, count 2", (unsigned long long)ipa,
			       (unsigned long long)ipa);
	return e2e_end("memslot 0x%llx misaligned: KVM reports lsb 12, so the events "
		       "are 4 KiB pages 0x%llx and 0x%llx and the registry holds %d "
		       "4 KiB ranges of the one poisoned 2 MiB page",
		       (unsigned long long)ipa, (unsigned long long)ipa + 0x5000,
		       (unsigned long long)ipa + 0x100000, n);
}

/* ---- l6: several vCPUs at once ----------------------------------------- */

struct l6_vcpu {
	struct svm *s;
	int i;
	pthread_barrier_t *go;
	enum run_result r;
	struct e2e_report rep;
	struct buslog log;
};

static void *l6_run(void *arg)
{
	struct l6_vcpu *t = arg;

	buslog_attach(&t->log);
	my_vcpu = t->s->v[t->i];
	pthread_barrier_wait(t->go);
	t->r = run_load(t->s, t->i, (uint64_t)(t->i + 1) * PAGE + 0x128, &t->rep);
	return NULL;
}

static int l6_vcpus(void)
{
	struct svm s;
	struct l6_vcpu t[MAX_VCPUS];
	pthread_t th[MAX_VCPUS];
	pthread_barrier_t go;
	struct kvmsea_stats st;

	if (!begin("l6-vcpus") || svm_open(&s, DVM_ANON, DVM_IPA, MAX_VCPUS))
		return e2e_end("-");
	for (int i = 0; i < MAX_VCPUS; i++)
		poisoner(&s, job_corrupt, (uint64_t)(i + 1) * PAGE);
	pthread_barrier_init(&go, NULL, MAX_VCPUS);
	for (int i = 0; i < MAX_VCPUS; i++) {
		t[i] = (struct l6_vcpu){ .s = &s, .i = i, .go = &go };
		pthread_create(&th[i], NULL, l6_run, &t[i]);
	}
	for (int i = 0; i < MAX_VCPUS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < MAX_VCPUS; i++) {
		uint64_t page = (uint64_t)(i + 1) * PAGE;
		uint64_t hva = (uintptr_t)dvm_host(&s.d, page);
		char who[32];

		snprintf(who, sizeof(who), "vCPU %d", i);
		expect_sigs(who, &t[i].log, 1, BUS_MCEERR_AR, hva, LSB_4K);
		expect_guest_sea(who, t[i].r, &t[i].rep);
		EXPECT_EQ("handler calls", s.rec[i].calls, 1);
		if (s.rec[i].calls >= 1)
			expect_sigbus_event(who, &s.rec[i].events[0], KVMSEA_SOURCE_SIGBUS_AR,
					    (uint32_t)i, DVM_IPA + page, hva, PAGE, hva, LSB_4K);
	}
	EXPECT_EQ("ranges in the registry", kvmsea_ctx_get_poison(s.ctx, NULL, 0), MAX_VCPUS);
	st = stats_of(s.ctx);
	EXPECT_EQ("stats.sigbus_ar", st.sigbus_ar, MAX_VCPUS);
	EXPECT_EQ("stats.injected", st.injected, MAX_VCPUS);
	expect_sigs("the main thread", &main_log, 0, 0, 0, 0);
	expect_no_stray();
	svm_close(&s);
	return e2e_end("%d vCPU threads, each touching its own poisoned page at once: "
		       "each gets its own SIGBUS_AR event (its page, its vCPU id) and its "
		       "guest the SEA; registry %d ranges", MAX_VCPUS, MAX_VCPUS);
}

/* ---- l7: guest_memfd ---------------------------------------------------- */

static int l7_guest_memfd(void)
{
	struct svm s;
	struct e2e_report rep;
	enum run_result r;
	const struct kvmsea_event *ev;
	struct kvmsea_event drained;
	struct kvmsea_stats st;
	struct job mad;
	struct kvmsea_poison range;
	uint64_t hva = 0, t_ar = 0, t_touch = 0;
	int got;

	if (!begin("l7-guest-memfd") || svm_open(&s, DVM_GMEM, DVM_IPA, 1))
		return e2e_end("-");
	my_vcpu = s.v[0];
	hva = (uintptr_t)dvm_host(&s.d, 0x3000);
	mad = (struct job){ .fn = job_madvise, .arg = &s.d, .off = 0x3000,
			    .policy = JOB_POLICY_DEFAULT };
	run_job(&mad);
	EXPECT_EQ("madvise (EBUSY, as poison.c p8 shows)", -mad.ret, EBUSY);
	expect_sigs("the madvise caller", &mad.log, 1, BUS_MCEERR_AR, hva, LSB_4K);
	EXPECT_EQ("its kvmsea_sigbus()", mad.log.sig[0].hook, KVMSEA_SIGBUS_RECORDED);
	r = run_load(&s, 0, 0x3128, &rep);
	expect_guest_sea("touch", r, &rep);
	expect_sigs("the vCPU thread", &main_log, 0, 0, 0, 0);
	EXPECT_EQ("handler calls", s.rec[0].calls, 1);
	if (s.rec[0].calls >= 1) {
		ev = &s.rec[0].events[0];
		EXPECT_EQ("event.source", ev->source, KVMSEA_SOURCE_MEMORY_FAULT);
		EXPECT_EQ("event.syndrome", ev->syndrome, SIGBUS_SYNDROME);
		EXPECT_EQ("event.memory_fault.flags", ev->memory_fault.flags, 0);
		EXPECT_EQ("event.memory_fault.gpa", ev->memory_fault.gpa, DVM_IPA + 0x3000);
		EXPECT_EQ("event.memory_fault.size", ev->memory_fault.size, PAGE);
		EXPECT_EQ("event.page_gpa", ev->page_gpa, DVM_IPA + 0x3000);
		EXPECT_EQ("event.page_size", ev->page_size, PAGE);
		EXPECT_EQ("event.page_hva", ev->page_hva, hva);
		EXPECT_EQ("event.guest.pc", ev->guest.pc, load_pc());
	}
	expect_registry("after the touch", s.ctx, DVM_IPA + 0x3000, PAGE, hva,
			KVMSEA_SOURCE_MEMORY_FAULT, 1, NULL);
	/* The madvise caller's AR waited for the VM's drain. */
	got = kvmsea_ctx_next_error(s.ctx, &drained);
	EXPECT_EQ("kvmsea_ctx_next_error", got, 1);
	if (got == 1)
		expect_sigbus_event("madvise", &drained, KVMSEA_SOURCE_SIGBUS_AR,
				    KVMSEA_NO_VCPU, DVM_IPA + 0x3000, hva, PAGE, hva, LSB_4K);
	expect_registry("after the drain", s.ctx, DVM_IPA + 0x3000, PAGE, hva,
			ANY_SOURCE, 2, &range);
	/* The AR was sent before the guest's touch, and drained after it:
	 * the range was first seen at the AR's time, last at the touch's. */
	if (got == 1 && s.rec[0].calls >= 1) {
		t_ar = drained.time_ns;
		t_touch = s.rec[0].events[0].time_ns;
		EXPECT(t_ar < t_touch, "AR at %llu, touch at %llu",
		       (unsigned long long)t_ar, (unsigned long long)t_touch);
		EXPECT_EQ("after the drain: first_ns (the AR's)", range.first_ns, t_ar);
		EXPECT_EQ("after the drain: last_ns (the touch's)", range.last_ns, t_touch);
	}
	st = stats_of(s.ctx);
	EXPECT_EQ("stats.memory_faults", st.memory_faults, 1);
	EXPECT_EQ("stats.injected", st.injected, 1);
	expect_no_stray();
	my_vcpu = NULL;
	svm_close(&s);
	return e2e_end("guest_memfd poisoned through its mmap; the guest's touch: no "
		       "signal, KVM_RUN EHWPOISON, handle_exit -> MEMORY_FAULT event "
		       "gpa 0x80003000/4 KiB, syndrome 0x92000410, injected: guest vector 4 "
		       "ESR_EL1 0x96000410; registry {0x80003000, MEMORY_FAULT}; the madvise "
		       "caller's earlier AR from next_error: count 2, first_ns the AR's, "
		       "last_ns the touch's");
}

/* ---- l8: not the library's ---------------------------------------------- */

static int not_guest_madvise(struct job *j)
{
	return hwp_madvise(j->arg);
}

static int l8_not_mine(void)
{
	struct svm s;
	struct job j = { .fn = not_guest_madvise, .policy = JOB_POLICY_DEFAULT };
	struct kvmsea_stats st;
	struct kvmsea_event ev;
	uint8_t *other;

	if (!begin("l8-not-guest-memory") || svm_open(&s, DVM_ANON, DVM_IPA, 1))
		return e2e_end("-");
	other = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(other != MAP_FAILED, "mmap: %s", strerror(errno));
	if (other != MAP_FAILED) {
		other[0] = 1;
		j.arg = other;
		run_job(&j);
		EXPECT_EQ("madvise", j.ret, 0);
		expect_sigs("the caller", &j.log, 1, BUS_MCEERR_AR, (uintptr_t)other, LSB_4K);
		EXPECT_EQ("kvmsea_sigbus()", j.log.sig[0].hook, KVMSEA_SIGBUS_NOT_MINE);
		munmap(other, PAGE);
	}
	st = stats_of(s.ctx);
	EXPECT_EQ("stats.sigbus_not_mine", st.sigbus_not_mine, 1);
	EXPECT_EQ("stats.sigbus_ar", st.sigbus_ar, 0);
	EXPECT_EQ("kvmsea_ctx_next_error", kvmsea_ctx_next_error(s.ctx, &ev), 0);
	EXPECT_EQ("ranges in the registry", kvmsea_ctx_get_poison(s.ctx, NULL, 0), 0);
	expect_no_stray();
	svm_close(&s);
	return e2e_end("an AR for a VMM page outside guest memory: NOT_MINE, counted, "
		       "nothing recorded");
}

int main(void)
{
	int fails = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(300);
	if (buslog_install()) {
		printf("E2E FAIL sigbus: sigaction(SIGBUS): %s\n", strerror(errno));
		return 1;
	}
	buslog_set_hook(vmm_sigbus);
	fails += l1_vcpu_ar();
	fails += l2_ao();
	fails += l3_vmm_ar();
	fails += l4_vcpu_thread_read();
	fails += l5_hugetlb("l5-hugetlb", DVM_IPA, true);
	fails += l5_hugetlb("l5-hugetlb-misaligned", DVM_IPA + 0x1000, false);
	fails += l6_vcpus();
	fails += l7_guest_memfd();
	fails += l8_not_mine();
	return fails ? 1 : 0;
}
