// SPDX-License-Identifier: MIT
/*
 * The SIGBUS path of guest memory errors on the real kernel, with raw
 * ioctls and signals only (no libkvmsea): which thread gets which SIGBUS,
 * with which address and lsb, and what KVM_RUN returns, when guest RAM of
 * the VMM is poisoned and the guest touches it. The facts are listed in
 * README.md ("The SIGBUS path"); each scenario asserts them.
 *
 * Guest RAM here is ordinary memory of the VMM (datavm.c): anonymous
 * pages, a transparent huge page, a 2 MiB hugetlb page, or guest_memfd. It is poisoned with
 * madvise(MADV_HWPOISON) or the hwpoison_inject debugfs files
 * (hwpoison.c), always from a thread that is not the vCPU thread. Every
 * scenario poisons pages of its own, fresh ones.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "buslog.h"
#include "check.h"
#include "datavm.h"
#include "hwpoison.h"
#include "jobs.h"

#define PAGE 0x1000ull
#define LSB_4K 12
#define LSB_2M 21

static struct buslog main_log; /* the main thread: the vCPU thread (p6 aside) */

/* ---- The vCPU ---------------------------------------------------------- */

static uint64_t load_pc(void)
{
	return e2e_guest_ipa(e2e_guest_load);
}

struct one_vm {
	struct dvm d;
	struct e2e_vcpu c;
	bool has_vcpu;
};

/* A touch from the start of guest.S's load of data offset @off. */
static int touch(struct one_vm *v, uint64_t off, struct dvm_touch *t)
{
	int ret = dvm_start_load(&v->d, &v->c, off);

	if (!ret)
		ret = dvm_touch(&v->c, t);
	EXPECT(!ret, "touch of 0x%llx: %s", (unsigned long long)off, strerror(-ret));
	return ret;
}

static void expect_loaded(const char *what, const struct dvm_touch *t, uint64_t value)
{
	char buf[96];

	snprintf(buf, sizeof(buf), "%s: the guest loaded", what);
	EXPECT(t->loaded, "%s: no value (KVM_RUN %s, exit_reason %u)", what,
	       strerror(-t->ret), t->exit_reason);
	EXPECT_EQ(buf, t->value, value);
}

/* KVM_RUN failed with EINTR for the SIGBUS, the guest still on its load. */
static void expect_eintr(const char *what, const struct dvm_touch *t)
{
	char buf[96];

	EXPECT(!t->loaded, "%s: the guest loaded 0x%llx", what,
	       (unsigned long long)t->value);
	snprintf(buf, sizeof(buf), "%s: KVM_RUN errno", what);
	EXPECT_EQ(buf, -t->ret, EINTR);
	snprintf(buf, sizeof(buf), "%s: exit_reason (KVM_EXIT_INTR)", what);
	EXPECT_EQ(buf, t->exit_reason, KVM_EXIT_INTR);
	snprintf(buf, sizeof(buf), "%s: PC (the load)", what);
	EXPECT_EQ(buf, t->pc, load_pc());
}

static int one_vm_open(struct one_vm *v, enum dvm_backing b, uint64_t ipa)
{
	int ret;

	memset(v, 0, sizeof(*v));
	ret = dvm_open(&v->d, b, ipa);
	if (ret) {
		EXPECT(0, "VM with data backing %d: %s", b, strerror(-ret));
		return ret;
	}
	ret = e2e_vcpu_open(&v->d.vm, 0, &v->c);
	EXPECT(!ret, "vCPU: %s", strerror(-ret));
	v->has_vcpu = !ret;
	if (ret)
		dvm_close(&v->d);
	return ret;
}

static void one_vm_close(struct one_vm *v)
{
	if (v->has_vcpu)
		e2e_vcpu_close(&v->c);
	dvm_close(&v->d);
}

/* Start scenario @name on the main thread; with @inject, make sure the
 * hwpoison_inject files are there. false: it cannot run (counted). */
static bool begin(const char *name, bool inject)
{
	int ret = 0;

	e2e_begin(name);
	buslog_attach(&main_log);
	buslog_reset(&main_log);
	buslog_reset(&buslog_stray);
	if (inject)
		ret = hwp_inject_init();
	EXPECT(!ret, "hwpoison_inject: %s", strerror(-ret));
	return !ret;
}

static void expect_no_stray(void)
{
	EXPECT_EQ("SIGBUS on threads without a log", buslog_stray.n, 0);
}

/* ---- p1: what madvise(MADV_HWPOISON) does to its caller ---------------- */

static int p1_madvise_caller(void)
{
	struct one_vm v;
	struct waiter early, late;
	struct job j = { .fn = job_madvise, .off = 0x3000, .policy = JOB_POLICY_DEFAULT };
	struct job again = { .fn = job_madvise, .off = 0x3000, .policy = JOB_POLICY_DEFAULT };
	uint64_t pfn = 0, entry = 0;
	long kb0, kb1;
	char b1[64];

	begin("p1-madvise-caller", false);
	if (one_vm_open(&v, DVM_ANON, DVM_IPA))
		return e2e_end("-");
	j.arg = again.arg = &v.d;
	EXPECT_EQ("hwp_pfn", hwp_pfn(job_page(&j), &pfn), 0);
	EXPECT_EQ("KPF_HWPOISON before", hwp_pfn_flag(pfn, KPF_HWPOISON), 0);
	kb0 = hwp_corrupted_kb();
	waiter_start(&late, PR_MCE_KILL_LATE);
	waiter_start(&early, PR_MCE_KILL_EARLY);
	run_job(&j);
	waiter_stop(&early);
	waiter_stop(&late);
	kb1 = hwp_corrupted_kb();

	EXPECT_EQ("madvise(MADV_HWPOISON)", j.ret, 0);
	expect_sigs("the caller", &j.log, 1, BUS_MCEERR_AR,
		    (uintptr_t)job_page(&j), LSB_4K);
	expect_sigs("an early-kill thread", &early.log, 0, 0, 0, 0);
	expect_sigs("a late-kill thread", &late.log, 0, 0, 0, 0);
	expect_sigs("the vCPU thread", &main_log, 0, 0, 0, 0);
	expect_no_stray();
	EXPECT_EQ("KPF_HWPOISON after", hwp_pfn_flag(pfn, KPF_HWPOISON), 1);
	EXPECT_EQ("HardwareCorrupted grew by (kB)", kb1 - kb0, 4);
	EXPECT(!strcmp(j.recovery, "dirty LRU page: Recovered"),
	       "memory_failure(): %s", j.recovery);
	/* The VMM's PTE is now a poison entry (a swap-type entry). */
	EXPECT_EQ("hwp_pagemap", hwp_pagemap(job_page(&j), &entry), 0);
	EXPECT_EQ("pagemap: present, swap (bits 63, 62)", entry >> 62, 1);

	/* The same page again: it is no longer mapped. */
	run_job(&again);
	EXPECT_EQ("second madvise (EFAULT)", -again.ret, EFAULT);
	expect_sigs("the second caller", &again.log, 0, 0, 0, 0);
	one_vm_close(&v);
	return e2e_end("madvise 0; caller %s (page-aligned), an early-kill, a late-kill and "
		       "the vCPU thread nothing; \"%s\"; KPF_HWPOISON 1, HardwareCorrupted "
		       "+%ld kB, pagemap 0x%llx (swap-type, not present); again: EFAULT, "
		       "no signal", buslog_str(&j.log, 0, b1, sizeof(b1)), j.recovery,
		       kb1 - kb0, (unsigned long long)entry);
}

/* ---- p2: the guest touches a page poisoned by another thread ----------- */

static int p2_vcpu_touch(void)
{
	struct one_vm v;
	struct job j = { .fn = job_madvise, .off = 0x3000, .policy = JOB_POLICY_DEFAULT };
	struct dvm_touch t0, t1, t2, t3, t4;
	uint64_t hva;

	begin("p2-vcpu-touch", false);
	if (one_vm_open(&v, DVM_ANON, DVM_IPA))
		return e2e_end("-");
	j.arg = &v.d;
	hva = (uintptr_t)dvm_host(&v.d, 0x3000);
	/* Mapped at stage 2 first: poisoning must take it away again. */
	if (touch(&v, 0x3128, &t0))
		goto out;
	expect_loaded("touch before", &t0, dvm_pattern(0x3128));
	run_job(&j);
	EXPECT_EQ("madvise", j.ret, 0);
	expect_sigs("the poisoning thread", &j.log, 1, BUS_MCEERR_AR, hva, LSB_4K);
	expect_sigs("the vCPU thread at poison time", &main_log, 0, 0, 0, 0);

	if (touch(&v, 0x3128, &t1))
		goto out;
	expect_eintr("first touch", &t1);
	expect_sigs("the vCPU thread, first touch", &main_log, 1, BUS_MCEERR_AR, hva, LSB_4K);
	/* Nothing injected: running again is the guest's second touch. */
	if (dvm_touch(&v.c, &t2) == 0) {
		expect_eintr("second touch", &t2);
		expect_sigs("the vCPU thread, second touch", &main_log, 2,
			    BUS_MCEERR_AR, hva, LSB_4K);
	}
	/* A touch at the page's first byte gives the same signal. */
	if (touch(&v, 0x3000, &t3) == 0) {
		expect_eintr("touch at the page's first byte", &t3);
		expect_sigs("the vCPU thread, third touch", &main_log, 3,
			    BUS_MCEERR_AR, hva, LSB_4K);
	}
	/* The neighbours are fine. */
	if (touch(&v, 0x2ff8, &t3) == 0)
		expect_loaded("the page below", &t3, dvm_pattern(0x2ff8));
	if (touch(&v, 0x4000, &t4) == 0)
		expect_loaded("the page above", &t4, dvm_pattern(0x4000));
	EXPECT_EQ("no more signals", main_log.n, 3);
	expect_no_stray();
out:
	one_vm_close(&v);
	return e2e_end("poisoner AR 0x%llx/12; each touch of 0x80003128 or 0x80003000: "
		       "vCPU thread AR si_addr 0x%llx (hva of the page, 4 KiB-aligned) lsb %d, "
		       "KVM_RUN -1 errno %d, exit_reason %u, PC at the load; touch 2 the same; "
		       "neighbour pages load",
		       (unsigned long long)hva, (unsigned long long)main_log.sig[0].addr,
		       main_log.sig[0].lsb, -t1.ret, t1.exit_reason);
}

/* ---- p3: hwpoison_inject, early kill and AO ---------------------------- */

static int write_sysctl(const char *path, int val)
{
	FILE *f = fopen(path, "we");
	int ret = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%d\n", val) < 0)
		ret = -EIO;
	if (fclose(f))
		ret = -errno;
	return ret;
}

#define EARLY_KILL_SYSCTL "/proc/sys/vm/memory_failure_early_kill"

static int p3_inject_ao(void)
{
	struct one_vm v;
	struct waiter late, early1, early2;
	struct job a = { .fn = job_corrupt, .off = 0x6000, .policy = JOB_POLICY_DEFAULT };
	struct job b = { .fn = job_corrupt, .off = 0x5000, .policy = JOB_POLICY_DEFAULT };
	struct job c = { .fn = job_corrupt, .off = 0x7000, .policy = JOB_POLICY_DEFAULT };
	struct dvm_touch t0, t1;
	uint64_t hva_b, hva_c;

	if (!begin("p3-inject-ao", true) || one_vm_open(&v, DVM_ANON, DVM_IPA))
		return e2e_end("-");
	a.arg = b.arg = c.arg = &v.d;
	hva_b = (uintptr_t)job_page(&b);
	hva_c = (uintptr_t)job_page(&c);
	if (touch(&v, 0x5128, &t0)) {
		one_vm_close(&v);
		return e2e_end("-");
	}
	expect_loaded("touch before", &t0, dvm_pattern(0x5128));

	/* A: no thread asked for early kill: nobody hears of it. */
	waiter_start(&late, PR_MCE_KILL_LATE);
	run_job(&a);
	EXPECT_EQ("corrupt-pfn A", a.ret, 0);
	expect_sigs("A: the injecting thread", &a.log, 0, 0, 0, 0);
	expect_sigs("A: the vCPU thread", &main_log, 0, 0, 0, 0);

	/* B: two early-kill threads after the late one. */
	waiter_start(&early1, PR_MCE_KILL_EARLY);
	waiter_start(&early2, PR_MCE_KILL_EARLY);
	run_job(&b);
	EXPECT_EQ("corrupt-pfn B", b.ret, 0);
	EXPECT(!strcmp(b.recovery, "dirty LRU page: Recovered"),
	       "memory_failure(): %s", b.recovery);
	expect_sigs("B: the injecting thread", &b.log, 0, 0, 0, 0);
	expect_sigs("B: the vCPU thread", &main_log, 0, 0, 0, 0);

	/* C: vm.memory_failure_early_kill=1: the first thread without a
	 * policy of its own (the main thread, here the vCPU thread). */
	EXPECT_EQ("sysctl memory_failure_early_kill=1",
		  write_sysctl(EARLY_KILL_SYSCTL, 1), 0);
	run_job(&c);
	EXPECT_EQ("memory_failure_early_kill=0", write_sysctl(EARLY_KILL_SYSCTL, 0), 0);
	waiter_stop(&late);
	EXPECT_EQ("corrupt-pfn C", c.ret, 0);
	expect_sigs("C: the vCPU thread (first without a policy)", &main_log, 1,
		    BUS_MCEERR_AO, hva_c, LSB_4K);
	expect_sigs("C: the injecting thread", &c.log, 0, 0, 0, 0);
	expect_sigs("C: the late-kill thread", &late.log, 0, 0, 0, 0);

	/* The guest's touch of B: AR as after madvise, and no AO again. */
	buslog_reset(&main_log);
	if (touch(&v, 0x5128, &t1) == 0) {
		expect_eintr("touch of B", &t1);
		expect_sigs("the vCPU thread, touch of B", &main_log, 1, BUS_MCEERR_AR,
			    hva_b, LSB_4K);
	}
	waiter_stop(&early2);
	waiter_stop(&early1);
	expect_sigs("B: the first early-kill thread", &early1.log, 1,
		    BUS_MCEERR_AO, hva_b, LSB_4K);
	expect_sigs("B: the second early-kill thread", &early2.log, 0, 0, 0, 0);
	expect_no_stray();
	one_vm_close(&v);
	return e2e_end("corrupt-pfn: no early-kill thread: no signal; two early-kill "
		       "threads: only the first gets AO 0x%llx/12; early_kill sysctl: "
		       "the main thread gets AO 0x%llx/12; the injecting thread nothing; "
		       "touch: AR 0x%llx/12, KVM_RUN EINTR",
		       (unsigned long long)hva_b, (unsigned long long)hva_c,
		       (unsigned long long)hva_b);
}

/* ---- p4: a thread of the VMM reads the poisoned page ------------------- */

static int p4_reader(void)
{
	struct one_vm v;
	struct job poison = { .fn = job_madvise, .off = 0x3000, .policy = JOB_POLICY_DEFAULT };
	struct job reader = { .fn = job_read, .off = 0x3128, .policy = JOB_POLICY_DEFAULT };
	struct job neighbour = { .fn = job_read, .off = 0x4128, .policy = JOB_POLICY_DEFAULT };

	begin("p4-reader", false);
	if (one_vm_open(&v, DVM_ANON, DVM_IPA))
		return e2e_end("-");
	poison.arg = reader.arg = neighbour.arg = &v.d;
	run_job(&poison);
	EXPECT_EQ("madvise", poison.ret, 0);
	run_job(&reader);
	run_job(&neighbour);
	EXPECT_EQ("reads of the poisoned page that completed", reader.ret, 0);
	expect_sigs("the reading thread", &reader.log, 2, BUS_MCEERR_AR,
		    (uintptr_t)dvm_host(&v.d, 0x3128), LSB_4K);
	EXPECT_EQ("reads of the page above that completed", neighbour.ret, 2);
	expect_sigs("a thread reading the page above", &neighbour.log, 0, 0, 0, 0);
	expect_sigs("the vCPU thread", &main_log, 0, 0, 0, 0);
	expect_no_stray();
	one_vm_close(&v);
	return e2e_end("a reading thread: AR si_addr 0x%llx (the exact byte address) "
		       "lsb %d, on each read; nobody else",
		       (unsigned long long)reader.log.sig[0].addr, reader.log.sig[0].lsb);
}

/* ---- p5: one 2 MiB hugetlb page ---------------------------------------- */

/* @ipa 2 MiB-aligned: KVM maps the page with a stage 2 block and reports
 * lsb 21. Misaligned with the host page, KVM maps 4 KiB pages and reports
 * lsb 12, though the host page (what is poisoned) is 2 MiB all the same.
 * Poisoned with madvise (the caller gets AR) or, with @inject, with
 * corrupt-pfn while an early-kill thread waits (it gets AO). */
static int p5_hugetlb(const char *name, uint64_t ipa, int vcpu_lsb, bool inject)
{
	struct one_vm v;
	struct job j = { .fn = inject ? job_corrupt : job_madvise, .off = 0x5000,
			 .policy = JOB_POLICY_DEFAULT };
	struct waiter early;
	const struct buslog *told = inject ? &early.log : &j.log;
	struct dvm_touch t0, t1, t2;
	uint64_t base = 0;
	long kb0 = 0, kb1 = 0, pages;
	char b1[64] = "-", b2[64] = "-", b3[64] = "-";

	if (!begin(name, inject))
		return e2e_end("-");
	pages = hwp_set_hugepages(1);
	EXPECT_EQ("vm.nr_hugepages", pages, 1);
	if (pages != 1 || one_vm_open(&v, DVM_HUGETLB, ipa)) {
		hwp_set_hugepages(0);
		return e2e_end("-");
	}
	j.arg = &v.d;
	base = (uintptr_t)v.d.data;
	EXPECT_EQ("the hugetlb mapping is 2 MiB-aligned", base & (DVM_HUGE_SIZE - 1), 0);
	if (touch(&v, 0x5128, &t0))
		goto out;
	expect_loaded("touch before", &t0, dvm_pattern(0x5128));
	kb0 = hwp_corrupted_kb();
	if (inject)
		waiter_start(&early, PR_MCE_KILL_EARLY);
	run_job(&j);
	if (inject)
		waiter_stop(&early);
	kb1 = hwp_corrupted_kb();
	EXPECT_EQ(inject ? "corrupt-pfn" : "madvise", j.ret, 0);
	EXPECT(!strcmp(j.recovery, "huge page: Recovered"), "memory_failure(): %s",
	       j.recovery);
	/* The caller (AR) or the early-kill thread (AO): the 4 KiB page
	 * named, with the huge page's lsb. */
	expect_sigs(inject ? "the early-kill thread" : "the madvise caller", told, 1,
		    inject ? BUS_MCEERR_AO : BUS_MCEERR_AR, base + 0x5000, LSB_2M);
	if (inject)
		expect_sigs("the injecting thread", &j.log, 0, 0, 0, 0);
	/* The kernel counts the one raw page it was told about. */
	EXPECT_EQ("HardwareCorrupted grew by (kB)", kb1 - kb0, 4);
	/* The guest: the touched 4 KiB page's hva, whichever it is. */
	if (touch(&v, 0x5128, &t1) == 0)
		expect_eintr("touch of the poisoned 4 KiB page", &t1);
	if (touch(&v, 0x100128, &t2) == 0)
		expect_eintr("touch of another 4 KiB page of the huge page", &t2);
	EXPECT_EQ("the vCPU thread's signals", main_log.n, 2);
	EXPECT_EQ("touch 1: si_code", main_log.sig[0].code, BUS_MCEERR_AR);
	EXPECT_EQ("touch 1: si_addr", main_log.sig[0].addr, base + 0x5000);
	EXPECT_EQ("touch 1: si_addr_lsb", main_log.sig[0].lsb, vcpu_lsb);
	EXPECT_EQ("touch 2: si_code", main_log.sig[1].code, BUS_MCEERR_AR);
	EXPECT_EQ("touch 2: si_addr", main_log.sig[1].addr, base + 0x100000);
	EXPECT_EQ("touch 2: si_addr_lsb", main_log.sig[1].lsb, vcpu_lsb);
	expect_no_stray();
	buslog_str(told, 0, b1, sizeof(b1));
	buslog_str(&main_log, 0, b2, sizeof(b2));
	buslog_str(&main_log, 1, b3, sizeof(b3));
out:
	one_vm_close(&v);
	hwp_set_hugepages(0);
	return e2e_end("slot at 0x%llx, huge page at 0x%llx: %s of +0x5000: %s %s, "
		       "\"%s\", HardwareCorrupted +%ld kB; guest touches of +0x5128 and "
		       "+0x100128: %s and %s, KVM_RUN EINTR",
		       (unsigned long long)ipa, (unsigned long long)base,
		       inject ? "corrupt-pfn" : "madvise",
		       inject ? "early-kill thread" : "caller", b1, j.recovery,
		       kb1 - kb0, b2, b3);
}

/* ---- p6: several vCPUs at once ----------------------------------------- */

#define P6_VCPUS 4

struct p6_vcpu {
	const struct dvm *d;
	struct e2e_vcpu c;
	uint64_t off;
	struct dvm_touch before, after;
	int ret;
	struct buslog log;
};

static pthread_barrier_t p6_poisoned, p6_loaded;

static void *p6_run(void *arg)
{
	struct p6_vcpu *p = arg;

	buslog_attach(&p->log);
	p->ret = dvm_start_load(p->d, &p->c, p->off);
	if (!p->ret)
		p->ret = dvm_touch(&p->c, &p->before);
	pthread_barrier_wait(&p6_loaded);
	pthread_barrier_wait(&p6_poisoned);
	if (!p->ret)
		p->ret = dvm_start_load(p->d, &p->c, p->off);
	if (!p->ret)
		p->ret = dvm_touch(&p->c, &p->after);
	return NULL;
}

static int p6_vcpus(void)
{
	struct dvm d;
	struct p6_vcpu p[P6_VCPUS];
	pthread_t th[P6_VCPUS];
	struct job poison[P6_VCPUS];
	int n = 0, ret;

	begin("p6-vcpus", false);
	memset(p, 0, sizeof(p));
	ret = dvm_open(&d, DVM_ANON, DVM_IPA);
	if (ret) {
		EXPECT(0, "VM: %s", strerror(-ret));
		return e2e_end("-");
	}
	for (n = 0; n < P6_VCPUS; n++) {
		p[n].d = &d;
		p[n].off = (uint64_t)(n + 1) * PAGE + 0x128;
		ret = e2e_vcpu_open(&d.vm, (uint32_t)n, &p[n].c);
		if (ret) {
			EXPECT(0, "vCPU %d: %s", n, strerror(-ret));
			goto out;
		}
	}
	pthread_barrier_init(&p6_loaded, NULL, P6_VCPUS + 1);
	pthread_barrier_init(&p6_poisoned, NULL, P6_VCPUS + 1);
	for (int i = 0; i < P6_VCPUS; i++)
		pthread_create(&th[i], NULL, p6_run, &p[i]);
	pthread_barrier_wait(&p6_loaded);
	for (int i = 0; i < P6_VCPUS; i++) {
		poison[i] = (struct job){ .fn = job_madvise, .off = p[i].off,
					  .policy = JOB_POLICY_DEFAULT, .arg = &d };
		run_job(&poison[i]);
	}
	pthread_barrier_wait(&p6_poisoned);
	for (int i = 0; i < P6_VCPUS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&p6_loaded);
	pthread_barrier_destroy(&p6_poisoned);
	for (int i = 0; i < P6_VCPUS; i++) {
		char who[32];
		uint64_t page = p[i].off & ~(PAGE - 1);

		snprintf(who, sizeof(who), "vCPU %d", i);
		EXPECT(!p[i].ret, "%s: %s", who, strerror(-p[i].ret));
		EXPECT_EQ("madvise", poison[i].ret, 0);
		expect_loaded(who, &p[i].before, dvm_pattern(p[i].off));
		expect_eintr(who, &p[i].after);
		expect_sigs(who, &p[i].log, 1, BUS_MCEERR_AR,
			    (uintptr_t)dvm_host(&d, page), LSB_4K);
	}
	expect_sigs("the main thread", &main_log, 0, 0, 0, 0);
	expect_no_stray();
out:
	while (n-- > 0)
		e2e_vcpu_close(&p[n].c);
	dvm_close(&d);
	return e2e_end("%d vCPU threads touching their own poisoned page at once: each "
		       "gets one AR with its own page's hva, lsb 12, and KVM_RUN EINTR",
		       P6_VCPUS);
}

/* ---- p7: unpoison, and replacing the page ------------------------------ */

static int p7_unpoison(void)
{
	struct one_vm v;
	struct job a = { .fn = job_madvise, .off = 0x8000, .policy = JOB_POLICY_DEFAULT };
	struct job b = { .fn = job_madvise, .off = 0x9000, .policy = JOB_POLICY_DEFAULT };
	struct dvm_touch t;
	uint64_t pfn_a = 0, pfn_b = 0, pfn_new = 0;
	long kb0, kb1, kb2;
	int unpoison = -1;

	if (!begin("p7-unpoison", true) || one_vm_open(&v, DVM_ANON, DVM_IPA))
		return e2e_end("-");
	a.arg = b.arg = &v.d;
	EXPECT_EQ("pfn A", hwp_pfn(job_page(&a), &pfn_a), 0);
	EXPECT_EQ("pfn B", hwp_pfn(job_page(&b), &pfn_b), 0);
	kb0 = hwp_corrupted_kb();
	run_job(&a);
	run_job(&b);
	EXPECT_EQ("madvise A", a.ret, 0);
	EXPECT_EQ("madvise B", b.ret, 0);
	kb1 = hwp_corrupted_kb();
	EXPECT_EQ("HardwareCorrupted after 2 pages (kB)", kb1 - kb0, 8);

	/* A: unpoison the frame. The VMM's page table still says poisoned. */
	unpoison = hwp_unpoison_pfn(pfn_a);
	EXPECT_EQ("unpoison-pfn A", unpoison, 0);
	EXPECT_EQ("A: KPF_HWPOISON after unpoison", hwp_pfn_flag(pfn_a, KPF_HWPOISON), 0);
	kb2 = hwp_corrupted_kb();
	EXPECT_EQ("HardwareCorrupted after unpoison (kB)", kb2 - kb0, 4);
	if (touch(&v, 0x8128, &t) == 0) {
		expect_eintr("A: touch after unpoison", &t);
		expect_sigs("A: the vCPU thread", &main_log, 1, BUS_MCEERR_AR,
			    (uintptr_t)job_page(&a), LSB_4K);
	}
	/* Replacing the page (what a VMM does at reset) is enough: the
	 * next touch faults in a fresh zeroed page. */
	EXPECT_EQ("A: MADV_DONTNEED", madvise(job_page(&a), PAGE, MADV_DONTNEED), 0);
	if (touch(&v, 0x8128, &t) == 0)
		expect_loaded("A: touch after MADV_DONTNEED", &t, 0);
	/* B: never unpoisoned; replaced all the same. */
	EXPECT_EQ("B: MADV_DONTNEED", madvise(job_page(&b), PAGE, MADV_DONTNEED), 0);
	if (touch(&v, 0x9128, &t) == 0)
		expect_loaded("B: touch after MADV_DONTNEED", &t, 0);
	EXPECT_EQ("B: new pfn", hwp_pfn(job_page(&b), &pfn_new), 0);
	EXPECT(pfn_new != pfn_b, "B: the same frame 0x%llx again", (unsigned long long)pfn_b);
	EXPECT_EQ("B: KPF_HWPOISON of the old frame", hwp_pfn_flag(pfn_b, KPF_HWPOISON), 1);
	EXPECT_EQ("signals after the replacements", main_log.n, 1);
	expect_no_stray();
	one_vm_close(&v);
	return e2e_end("unpoison-pfn: 0, KPF_HWPOISON 0, HardwareCorrupted -4 kB, but the "
		       "guest's touch still gets AR (the VMM's PTE stays poisoned); "
		       "MADV_DONTNEED (without unpoison too) gives a fresh zero page "
		       "(new pfn, old frame still poisoned)");
}

/* ---- p8: guest_memfd --------------------------------------------------- */

#define CAP_USER_MEMORY2 231
#define CAP_GUEST_MEMFD 234
#define CAP_GUEST_MEMFD_FLAGS 244

static int p8_guest_memfd(void)
{
	struct one_vm v;
	struct job j = { .fn = job_madvise, .off = 0x3000, .policy = JOB_POLICY_DEFAULT };
	struct job reader = { .fn = job_read, .off = 0x3128, .policy = JOB_POLICY_DEFAULT };
	struct dvm_touch t0, t1, t2;
	struct e2e_vm probe;
	int mem2 = -1, gmem = -1, gflags = -1, ret;
	char b1[64] = "-";

	begin("p8-guest-memfd", false);
	ret = e2e_vm_open(&probe, false);
	EXPECT(!ret, "VM: %s", strerror(-ret));
	if (!ret) {
		mem2 = ioctl(probe.vm_fd, KVM_CHECK_EXTENSION, CAP_USER_MEMORY2);
		gmem = ioctl(probe.vm_fd, KVM_CHECK_EXTENSION, CAP_GUEST_MEMFD);
		gflags = ioctl(probe.vm_fd, KVM_CHECK_EXTENSION, CAP_GUEST_MEMFD_FLAGS);
		e2e_vm_close(&probe);
	}
	EXPECT_EQ("KVM_CAP_USER_MEMORY2", mem2, 1);
	EXPECT_EQ("KVM_CAP_GUEST_MEMFD", gmem, 1);
	EXPECT_EQ("KVM_CAP_GUEST_MEMFD_FLAGS (MMAP | INIT_SHARED)", gflags, 3);
	if (one_vm_open(&v, DVM_GMEM, DVM_IPA))
		return e2e_end("-");
	j.arg = reader.arg = &v.d;
	if (touch(&v, 0x3128, &t0))
		goto out;
	expect_loaded("touch before", &t0, dvm_pattern(0x3128));
	run_job(&j);
	/* memory_failure() cannot take the folio out of guest_memfd's
	 * mapping (it stays referenced), so madvise fails; the page is
	 * marked poisoned all the same, and the caller gets its AR. */
	EXPECT_EQ("madvise (EBUSY)", -j.ret, EBUSY);
	EXPECT(!strcmp(j.recovery, "dirty unevictable LRU page: Failed"),
	       "memory_failure(): %s", j.recovery);
	EXPECT_EQ("KPF_HWPOISON", hwp_pfn_flag(j.pfn, KPF_HWPOISON), 1);
	expect_sigs("the madvise caller", &j.log, 1, BUS_MCEERR_AR,
		    (uintptr_t)job_page(&j), LSB_4K);
	/* The guest: no signal, KVM_RUN fails with the fault's page. */
	if (touch(&v, 0x3128, &t1))
		goto out;
	EXPECT(!t1.loaded, "touch: the guest loaded 0x%llx", (unsigned long long)t1.value);
	EXPECT_EQ("touch: KVM_RUN errno (EHWPOISON)", -t1.ret, EHWPOISON);
	EXPECT_EQ("touch: exit_reason (KVM_EXIT_MEMORY_FAULT)", t1.exit_reason,
		  KVM_EXIT_MEMORY_FAULT);
	EXPECT_EQ("touch: memory_fault.flags", t1.fault.flags, 0);
	EXPECT_EQ("touch: memory_fault.gpa", t1.fault.gpa, DVM_IPA + 0x3000);
	EXPECT_EQ("touch: memory_fault.size", t1.fault.size, PAGE);
	EXPECT_EQ("touch: PC (the load)", t1.pc, load_pc());
	expect_sigs("the vCPU thread", &main_log, 0, 0, 0, 0);
	if (dvm_touch(&v.c, &t2) == 0) {
		EXPECT_EQ("second touch: KVM_RUN errno", -t2.ret, EHWPOISON);
		EXPECT_EQ("second touch: exit_reason", t2.exit_reason, KVM_EXIT_MEMORY_FAULT);
		EXPECT_EQ("second touch: memory_fault.gpa", t2.fault.gpa, DVM_IPA + 0x3000);
	}
	/* The VMM's own mapping of it: AR at the byte, as for anonymous RAM. */
	run_job(&reader);
	EXPECT_EQ("VMM reads of the poisoned page that completed", reader.ret, 0);
	expect_sigs("a VMM thread reading the mmap", &reader.log, 2, BUS_MCEERR_AR,
		    (uintptr_t)dvm_host(&v.d, 0x3128), LSB_4K);
	expect_sigs("the vCPU thread", &main_log, 0, 0, 0, 0);
	expect_no_stray();
	buslog_str(&j.log, 0, b1, sizeof(b1));
out:
	one_vm_close(&v);
	return e2e_end("KVM_CAP_USER_MEMORY2 %d, GUEST_MEMFD %d, GUEST_MEMFD_FLAGS 0x%x; "
		       "guest_memfd (MMAP | INIT_SHARED) poisoned through its mmap: madvise "
		       "-1 errno %d, \"%s\", KPF_HWPOISON 1, caller %s; touch: KVM_RUN -1 "
		       "errno %d, exit_reason %u, memory_fault flags 0x%llx gpa 0x%llx size "
		       "0x%llx, no signal, PC at the load; again the same; a VMM read: AR at "
		       "the byte", mem2, gmem, gflags, -j.ret, j.recovery, b1, -t1.ret,
		       t1.exit_reason, (unsigned long long)t1.fault.flags,
		       (unsigned long long)t1.fault.gpa, (unsigned long long)t1.fault.size);
}

/* ---- p9: a vCPU thread that blocks SIGBUS ------------------------------ */

struct kicker {
	pthread_t target;
	volatile sig_atomic_t kicked;
};

static void on_sigusr1(int sig)
{
	(void)sig;
}

/* After a second, interrupt the target's KVM_RUN with SIGUSR1. */
static void *kick_main(void *arg)
{
	struct kicker *k = arg;

	sleep(1);
	k->kicked = 1;
	pthread_kill(k->target, SIGUSR1);
	return NULL;
}

/* A KVM statistic summed over all VMs (debugfs, mounted for p3). */
static long kvm_stat(const char *name)
{
	char path[96];
	long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%s", name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (fscanf(f, "%ld", &val) != 1)
		val = -EIO;
	fclose(f);
	return val;
}

static int p9_blocked(void)
{
	struct one_vm v;
	struct job j = { .fn = job_madvise, .off = 0x3000, .policy = JOB_POLICY_DEFAULT };
	struct kicker k = { .target = pthread_self() };
	struct sigaction sa = { .sa_handler = on_sigusr1 }, old;
	struct dvm_touch t0, t1 = { 0 };
	sigset_t bus, pending;
	pthread_t kick;
	int seen_blocked = -1, kicked = 0;
	long exits0 = -1, exits1 = -1;
	uint64_t hva = 0;

	begin("p9-sigbus-blocked", false);
	if (one_vm_open(&v, DVM_ANON, DVM_IPA))
		return e2e_end("-");
	j.arg = &v.d;
	hva = (uintptr_t)job_page(&j);
	if (touch(&v, 0x3128, &t0))
		goto out;
	expect_loaded("touch before", &t0, dvm_pattern(0x3128));
	run_job(&j);
	EXPECT_EQ("madvise", j.ret, 0);

	sigemptyset(&bus);
	sigaddset(&bus, SIGBUS);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, &old);
	pthread_sigmask(SIG_BLOCK, &bus, NULL);
	pthread_create(&kick, NULL, kick_main, &k);
	exits0 = kvm_stat("exits");
	if (touch(&v, 0x3128, &t1) == 0) {
		kicked = k.kicked;
		exits1 = kvm_stat("exits");
		sigpending(&pending);
		seen_blocked = main_log.n;
	}
	pthread_join(kick, NULL);
	/* Unblocking delivers the one pending SIGBUS at once. */
	pthread_sigmask(SIG_UNBLOCK, &bus, NULL);
	sigaction(SIGUSR1, &old, NULL);

	EXPECT_EQ("KVM_RUN returned only after the kick", kicked, 1);
	EXPECT(exits0 >= 0 && exits1 - exits0 >= 2,
	       "the guest faulted again inside KVM_RUN: exits %ld -> %ld", exits0, exits1);
	expect_eintr("touch with SIGBUS blocked", &t1);
	EXPECT_EQ("SIGBUS pending", sigismember(&pending, SIGBUS), 1);
	EXPECT_EQ("signals handled while blocked", seen_blocked, 0);
	expect_sigs("the vCPU thread after unblocking", &main_log, 1, BUS_MCEERR_AR,
		    hva, LSB_4K);
	expect_no_stray();
out:
	one_vm_close(&v);
	return e2e_end("SIGBUS blocked on the vCPU thread: KVM_RUN does not return, the "
		       "guest faulting again and again (%ld exits), until another signal "
		       "(SIGUSR1 after 1 s): -1 errno %d, exit_reason %u; SIGBUS stays "
		       "pending, one AR 0x%llx/12 on unblocking", exits1 - exits0, -t1.ret,
		       t1.exit_reason, (unsigned long long)hva);
}

/* ---- p10: a transparent huge page ------------------------------------- */

static int p10_thp(void)
{
	struct one_vm v;
	struct job j = { .fn = job_madvise, .off = 0x5000, .policy = JOB_POLICY_DEFAULT };
	struct dvm_touch t0, t1, t2;
	uint64_t pfn = 0, other = 0, hva = 0;
	long kb0 = 0, kb1 = 0;
	int thp_before = -1, thp_after = -1;
	char b1[64] = "-", b2[64] = "-";

	begin("p10-thp", false);
	if (one_vm_open(&v, DVM_THP, DVM_IPA))
		return e2e_end("-");
	j.arg = &v.d;
	hva = (uintptr_t)job_page(&j);
	EXPECT_EQ("pfn", hwp_pfn(job_page(&j), &pfn), 0);
	thp_before = hwp_pfn_flag(pfn, KPF_THP);
	EXPECT_EQ("KPF_THP before", thp_before, 1);
	if (touch(&v, 0x5128, &t0))
		goto out;
	expect_loaded("touch before", &t0, dvm_pattern(0x5128));
	kb0 = hwp_corrupted_kb();
	run_job(&j);
	kb1 = hwp_corrupted_kb();
	EXPECT_EQ("madvise", j.ret, 0);
	EXPECT(!strcmp(j.recovery, "dirty LRU page: Recovered"), "memory_failure(): %s",
	       j.recovery);
	/* The huge page was split: only the 4 KiB page is gone. */
	expect_sigs("the madvise caller", &j.log, 1, BUS_MCEERR_AR, hva, LSB_4K);
	EXPECT_EQ("HardwareCorrupted grew by (kB)", kb1 - kb0, 4);
	EXPECT_EQ("pfn of another 4 KiB", hwp_pfn(dvm_host(&v.d, 0x100000), &other), 0);
	thp_after = hwp_pfn_flag(other, KPF_THP);
	EXPECT_EQ("KPF_THP of another 4 KiB after", thp_after, 0);
	if (touch(&v, 0x5128, &t1) == 0) {
		expect_eintr("touch of the poisoned page", &t1);
		expect_sigs("the vCPU thread", &main_log, 1, BUS_MCEERR_AR, hva, LSB_4K);
	}
	if (touch(&v, 0x100128, &t2) == 0)
		expect_loaded("touch of another 4 KiB", &t2, dvm_pattern(0x100128));
	EXPECT_EQ("the vCPU thread's signals", main_log.n, 1);
	expect_no_stray();
	buslog_str(&j.log, 0, b1, sizeof(b1));
	buslog_str(&main_log, 0, b2, sizeof(b2));
out:
	one_vm_close(&v);
	return e2e_end("a THP (KPF_THP %d) poisoned at +0x5000: split (KPF_THP %d after), "
		       "\"%s\", caller %s, HardwareCorrupted +%ld kB; guest touch: %s, "
		       "the rest of the 2 MiB loads", thp_before, thp_after, j.recovery,
		       b1, kb1 - kb0, b2);
}

int main(void)
{
	int fails = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(300);
	if (buslog_install()) {
		printf("E2E FAIL poison: sigaction(SIGBUS): %s\n", strerror(errno));
		return 1;
	}
	buslog_attach(&main_log);
	fails += p1_madvise_caller();
	fails += p2_vcpu_touch();
	fails += p3_inject_ao();
	fails += p4_reader();
	fails += p5_hugetlb("p5-hugetlb", DVM_IPA, LSB_2M, false);
	fails += p5_hugetlb("p5-hugetlb-misaligned", DVM_IPA + 0x1000, LSB_4K, false);
	fails += p5_hugetlb("p5-hugetlb-inject", DVM_IPA, LSB_2M, true);
	fails += p6_vcpus();
	fails += p7_unpoison();
	fails += p8_guest_memfd();
	fails += p9_blocked();
	fails += p10_thp();
	return fails ? 1 : 0;
}
