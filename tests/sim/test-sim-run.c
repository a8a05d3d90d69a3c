// SPDX-License-Identifier: MIT
/*
 * KVM_RUN: the SEA decision of docs/kernel.md §2-§3, the stale exit of
 * §2.10, MMIO completion, and many vCPU threads at once. Expected values
 * are worked out by hand and written out literally.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-sim.h"

#define VBAR1 0xffff800010000000ULL
#define PC0   0xffff800000401234ULL
#define GVA   0xffff000012345678ULL
#define IPA   0x40123456ULL

/*
 * A hardware ESR_EL2 with every field set: bits 63:56, ISS2, EC 0x24, IL,
 * ISV, SAS 3, SRT 31, SF, AR, VNCR, SET 0b10, EA, CM, S1PTW, WnR, FSC 0x10.
 */
#define RAW_ESR 0x1000010193DFF3D0ULL
/* What survives: EC, IL, SET (VM with RAS), EA, CM, WnR, FSC. */
#define RAW_ESR_SANITISED_RAS   0x92001350ULL
#define RAW_ESR_SANITISED_NORAS 0x92000350ULL

static void enable_sea(struct fix *f)
{
	assert_int_equal(enable_cap(f->vm_fd, 245, 0), 0);
}

static void garbage_union(struct fix *f)
{
	memset(&f->run->u, 0xa5, sizeof(f->run->u));
}

static void test_sea_exit_fields(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = {
		.esr = RAW_ESR, .far = GVA, .ipa = IPA, .ipa_valid = true,
	};

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	enable_sea(&f);
	SETREG(&f, KVMSEA_REG_PC, PC0);
	garbage_union(&f);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(f.run->exit_reason, 41);
	assert_int_equal(f.run->u.arm_sea.esr, RAW_ESR_SANITISED_RAS);
	assert_int_equal(f.run->u.arm_sea.gva, GVA);
	assert_int_equal(f.run->u.arm_sea.flags, 1);
	assert_int_equal(f.run->u.arm_sea.gpa, 0x40123000);
	/* the guest stays on the faulting instruction */
	assert_int_equal(REG(&f, KVMSEA_REG_PC), PC0);
	fix_fini(&f);

	/* a VM that does not show RAS gets no SET */
	fix_init(&f, KVMSIM_HOST_RAS, 0, KVMSIM_VM_NO_RAS, 0);
	enable_sea(&f);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(f.run->u.arm_sea.esr, RAW_ESR_SANITISED_NORAS);
	fix_fini(&f);
}

/* The VMM can lower ID_AA64PFR0_EL1.RAS before the first run. */
static void test_sea_exit_vm_ras_from_id_register(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = { .esr = RAW_ESR, .far = GVA, .ipa_valid = true };

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	enable_sea(&f);
	assert_int_equal(set_reg(f.fd, KVMSEA_REG_ID_AA64PFR0_EL1, 0x22), 0);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(f.run->u.arm_sea.esr, RAW_ESR_SANITISED_NORAS);
	fix_fini(&f);
}

/* FnV = 1: no gva, no IPA walk; the UNKNOWN FAR is still kept, and a
 * later ext_dabt reports it as if it were valid. */
static void test_sea_exit_fnv(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = {
		.esr = 0x92000410, .far = 0xdeadbeef, .ipa = IPA, .ipa_valid = true,
	};

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	enable_sea(&f);
	SETREG(&f, KVMSEA_REG_PSTATE, 0x5);
	garbage_union(&f);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(f.run->exit_reason, 41);
	assert_int_equal(f.run->u.arm_sea.esr, 0x92000410);
	assert_int_equal(f.run->u.arm_sea.gva, 0);
	assert_int_equal(f.run->u.arm_sea.flags, 0);
	assert_int_equal(f.run->u.arm_sea.gpa, 0);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL1), 0xdeadbeef);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0x96000010);
	fix_fini(&f);
}

/* SEA on a stage-1 table walk: sent to userspace with the level, a gva
 * and never a gpa. */
static void test_sea_exit_ttw(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = {
		.esr = 0x92000015, .far = GVA, .ipa = IPA, .ipa_valid = true,
	};

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	enable_sea(&f);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(f.run->exit_reason, 41);
	assert_int_equal(f.run->u.arm_sea.esr, 0x92000015);
	assert_int_equal(f.run->u.arm_sea.gva, GVA);
	assert_int_equal(f.run->u.arm_sea.flags, 0);
	fix_fini(&f);
}

/* SEA on a stage-2 walk (TTW + S1PTW) is the host's: an SError, and the
 * run goes on to the next item. */
static void test_sea_stage2_walk_is_host_owned(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = { .esr = 0x92000095, .far = GVA };
	struct kvmsim_vcpu_stats stats;
	struct kvmsim_serror se;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	enable_sea(&f);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(kvmsim_queue_mmio(f.vcpu, 0x9000000, 0x1000, true, 4), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(f.run->exit_reason, KVM_EXIT_MMIO);
	kvmsim_vcpu_get_stats(f.vcpu, &stats);
	assert_int_equal(stats.sea_serror, 1);
	assert_int_equal(stats.sea_exits, 0);
	/* reset PSTATE masks A: the SError is pending with IDS */
	kvmsim_vcpu_get_serror(f.vcpu, &se);
	assert_true(se.vse);
	assert_int_equal(se.vsesr, 0x01000000);
	fix_fini(&f);
}

/* Cap off: the pre-feature behaviour, a virtual SError with IDS. */
static void test_sea_cap_off_is_serror(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = { .esr = 0x92000010, .far = GVA, .ipa_valid = true };
	struct kvmsea_uapi_vcpu_events ev;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), -EINTR); /* then nothing more queued */
	assert_int_equal(f.run->exit_reason, KVM_EXIT_INTR);
	assert_int_equal(get_events(f.fd, &ev), 0);
	assert_int_equal(ev.exception.serror_pending, 1);
	assert_int_equal(ev.exception.serror_esr, 0x01000000);
	fix_fini(&f);
}

/* Host without RAS: the cap is on, yet no exit; here the guest has A
 * clear, so KVM emulates the SError entry at once. */
static void test_sea_no_ras_host_is_serror(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = { .esr = 0x92000010, .far = GVA, .ipa_valid = true };
	struct kvmsim_vcpu_stats stats;

	(void)state;
	fix_init(&f, KVMSIM_HOST_NO_RAS, 0, 0, 0);
	enable_sea(&f);
	SETREG(&f, KVMSEA_REG_PC, PC0);
	SETREG(&f, KVMSEA_REG_PSTATE, 0x5);
	SETREG(&f, KVMSEA_REG_VBAR_EL1, VBAR1);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), -EINTR);
	assert_int_equal(f.run->exit_reason, KVM_EXIT_INTR);
	assert_int_equal(REG(&f, KVMSEA_REG_ESR_EL1), 0xBF000000);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x380);
	assert_int_equal(REG(&f, KVMSEA_REG_ELR_EL1), PC0);
	kvmsim_vcpu_get_stats(f.vcpu, &stats);
	assert_int_equal(stats.sea_serror, 1);
	assert_int_equal(stats.sea_exits, 0);
	fix_fini(&f);
}

static void test_sea_old_kernel_and_protected(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = { .esr = 0x92000010, .far = GVA, .ipa_valid = true };
	struct kvmsim_serror se;

	(void)state;
	fix_init(&f, KVMSIM_HOST_OLD_KERNEL, 0, 0, 0);
	SETREG(&f, KVMSEA_REG_PSTATE, 0x5); /* even unmasked: only pending */
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), -EINTR);
	kvmsim_vcpu_get_serror(f.vcpu, &se);
	assert_true(se.vse);
	assert_int_equal(se.vsesr, 0x01000000);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), 0);
	fix_fini(&f);

	fix_init(&f, KVMSIM_HOST_RAS, 0, KVMSIM_VM_PROTECTED, 0);
	assert_int_equal(enable_cap(f.vm_fd, 245, 0), -EINVAL);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), -EINTR);
	kvmsim_vcpu_get_serror(f.vcpu, &se);
	assert_true(se.vse);
	fix_fini(&f);
}

/* FSC 0x10, FnV 0 and the AT re-walk fails: the hyp re-enters the guest. */
static void test_sea_failed_at_walk_is_retried(void **state)
{
	struct fix f;
	struct kvmsim_sea retried = { .esr = 0x92000010, .far = GVA };
	struct kvmsim_sea sea = { .esr = 0x92000010, .far = GVA,
				  .ipa = IPA, .ipa_valid = true };
	struct kvmsim_vcpu_stats stats;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	enable_sea(&f);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &retried), 0);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(f.run->exit_reason, 41);
	assert_int_equal(f.run->u.arm_sea.flags, 1);
	kvmsim_vcpu_get_stats(f.vcpu, &stats);
	assert_int_equal(stats.sea_hyp_retry, 1);
	assert_int_equal(stats.sea_exits, 1);
	assert_int_equal(stats.runs, 1);
	fix_fini(&f);
}

/* APEI claimed it: no exit, no injection, SIGBUS stops the run loop. */
static void test_sea_apei_claimed(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = { .esr = 0x92000010, .far = GVA,
				  .ipa_valid = true, .apei_claimed = true };
	struct kvmsim_vcpu_stats stats;
	struct kvmsim_serror se;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	enable_sea(&f);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), -EINTR);
	assert_int_equal(f.run->exit_reason, KVM_EXIT_INTR);
	kvmsim_vcpu_get_stats(f.vcpu, &stats);
	assert_int_equal(stats.sea_apei, 1);
	kvmsim_vcpu_get_serror(f.vcpu, &se);
	assert_false(se.vse);
	fix_fini(&f);
}

/* KVM owns the VNCR page in a hyp context: data aborts with VNCR set
 * become SErrors; bit 13 is RES0 for instruction aborts, so not those. */
static void test_sea_vncr_in_hyp_context(void **state)
{
	struct fix f;
	struct kvmsim_sea dabt = { .esr = 0x96002010, .far = GVA, .ipa_valid = true };
	struct kvmsim_sea iabt = { .esr = 0x82002010, .far = GVA, .ipa_valid = true };
	struct kvmsim_vcpu_stats stats;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2, 0, KVMSIM_VCPU_HAS_EL2);
	enable_sea(&f); /* the vCPU resets into vEL2 */
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &dabt), 0);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &iabt), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(f.run->exit_reason, 41);
	assert_int_equal(f.run->u.arm_sea.esr, 0x82000010); /* VNCR masked */
	kvmsim_vcpu_get_stats(f.vcpu, &stats);
	assert_int_equal(stats.sea_serror, 1);
	fix_fini(&f);
}

/* Gotcha 4: immediate_exit returns -EINTR before exit_reason is reset. */
static void test_immediate_exit_keeps_stale_exit(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = { .esr = 0x92000010, .far = GVA,
				  .ipa = IPA, .ipa_valid = true };

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	enable_sea(&f);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	f.run->immediate_exit = 1;
	assert_int_equal(run_vcpu(f.fd), -EINTR);
	assert_int_equal(f.run->exit_reason, 41);
	assert_int_equal(f.run->u.arm_sea.gva, GVA);
	assert_int_equal(f.run->u.arm_sea.gpa, 0x40123000);
	assert_int_equal(kvmsim_queue_len(f.vcpu), 1);
	f.run->immediate_exit = 0;
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(kvmsim_queue_len(f.vcpu), 0);
	fix_fini(&f);
}

static void test_queued_eintr_and_errors(void **state)
{
	struct fix f;
	struct kvmsim_sea sea = { .esr = 0x92000010, .far = GVA, .ipa_valid = true };

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	enable_sea(&f);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(kvmsim_queue_eintr(f.vcpu, true), 0);
	assert_int_equal(kvmsim_queue_eintr(f.vcpu, false), 0);
	assert_int_equal(kvmsim_queue_error(f.vcpu, EFAULT), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(f.run->exit_reason, 41);
	assert_int_equal(run_vcpu(f.fd), -EINTR);          /* stale */
	assert_int_equal(f.run->exit_reason, 41);
	assert_int_equal(run_vcpu(f.fd), -EINTR);          /* a signal */
	assert_int_equal(f.run->exit_reason, KVM_EXIT_INTR);
	assert_int_equal(run_vcpu(f.fd), -EFAULT);
	assert_int_equal(f.run->exit_reason, KVM_EXIT_UNKNOWN);
	assert_int_equal(ret_errno(ioctl(f.fd, KVM_RUN, 1)), -EINVAL);
	assert_int_equal(kvmsim_queue_error(f.vcpu, 0), -EINVAL);
	fix_fini(&f);
}

static void test_queue_checks(void **state)
{
	struct fix f;
	struct kvmsim_sea not_sea = { .esr = 0x92000007 };  /* translation */
	struct kvmsim_sea wrong_ec = { .esr = 0x56000010 }; /* HVC */
	struct kvmsim_sea d128 = { .esr = 0x92000012 };     /* TTW level -2 */
	struct kvmsim_sea sea = { .esr = 0x92000010 };
	unsigned int i;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &not_sea), -EINVAL);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &wrong_ec), -EINVAL);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &d128), -EINVAL);
	for (i = 0; i < KVMSIM_QUEUE_MAX; i++)
		assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), 0);
	assert_int_equal(kvmsim_queue_sea(f.vcpu, &sea), -ENOSPC);
	assert_int_equal(kvmsim_queue_len(f.vcpu), KVMSIM_QUEUE_MAX);
	fix_fini(&f);
}

/* The MMIO is completed (PC stepped) by the next KVM_RUN... */
static void test_mmio_completion(void **state)
{
	struct fix f;
	uint64_t phys;
	uint32_t len;
	struct kvmsim_vcpu_stats stats;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	SETREG(&f, KVMSEA_REG_PC, 0x1000);
	SETREG(&f, KVMSEA_REG_PSTATE, 0x3c5 | 0x400); /* BTYPE 1 */
	assert_int_equal(kvmsim_queue_mmio(f.vcpu, 0x9000010, 0x1010, true, 4), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(f.run->exit_reason, KVM_EXIT_MMIO);
	memcpy(&phys, (char *)f.run + 32, 8);
	memcpy(&len, (char *)f.run + 48, 4);
	assert_int_equal(phys, 0x9000010);
	assert_int_equal(len, 4);
	assert_int_equal(((uint8_t *)f.run)[52], 1);
	assert_true(kvmsim_vcpu_mmio_needed(f.vcpu));
	assert_int_equal(REG(&f, KVMSEA_REG_PC), 0x1000);
	assert_int_equal(run_vcpu(f.fd), -EINTR);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), 0x1004);
	assert_int_equal(REG(&f, KVMSEA_REG_PSTATE), 0x3c5);
	assert_false(kvmsim_vcpu_mmio_needed(f.vcpu));
	kvmsim_vcpu_get_stats(f.vcpu, &stats);
	assert_int_equal(stats.mmio_completed, 1);
	fix_fini(&f);
}

/* ...unless ext_dabt was injected after it (commit_pending_events). */
static void test_ext_dabt_cancels_mmio(void **state)
{
	struct fix f;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	SETREG(&f, KVMSEA_REG_PC, 0x1000);
	SETREG(&f, KVMSEA_REG_VBAR_EL1, VBAR1);
	assert_int_equal(kvmsim_queue_mmio(f.vcpu, 0x9000010, 0x1010, false, 8), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(ext_dabt(f.fd), 0);
	assert_false(kvmsim_vcpu_mmio_needed(f.vcpu));
	assert_int_equal(REG(&f, KVMSEA_REG_FAR_EL1), 0x1010);
	assert_int_equal(REG(&f, KVMSEA_REG_ELR_EL1), 0x1000);
	assert_int_equal(run_vcpu(f.fd), -EINTR);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), VBAR1 + 0x200);
	fix_fini(&f);
}

/* A 16-bit Thumb instruction (IL = 0) steps by 2. */
static void test_mmio_completion_thumb16(void **state)
{
	struct fix f;
	struct kvmsim_exit mmio = {
		.reason = KVM_EXIT_MMIO, .esr = 0x91800007, /* ISV, SAS 2, no IL */
		.memory_fault = true, .far = 0x2000,
	};

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, KVMSIM_VCPU_EL1_32BIT);
	SETREG(&f, KVMSEA_REG_PSTATE, 0x1f3); /* SVC, Thumb */
	SETREG(&f, KVMSEA_REG_PC, 0x8000);
	assert_int_equal(kvmsim_queue_exit(f.vcpu, &mmio), 0);
	assert_int_equal(run_vcpu(f.fd), 0);
	assert_int_equal(run_vcpu(f.fd), -EINTR);
	assert_int_equal(REG(&f, KVMSEA_REG_PC), 0x8002);
	fix_fini(&f);
}

/* Many vCPUs, one thread each, each with its own script. */
#define THREADS 4
#define ROUNDS  200

struct worker {
	struct kvmsim_vcpu *vcpu;
	int fd;
	int exits;
	int failures;
};

static void *worker_main(void *opaque)
{
	struct worker *w = opaque;
	struct kvmsea_uapi_run *run = kvmsim_vcpu_run_area(w->vcpu);
	struct kvmsim_sea sea = { .esr = 0x92000010, .ipa_valid = true };

	for (int i = 0; i < ROUNDS; i++) {
		sea.far = 0x10000 * (uint64_t)w->fd + (uint64_t)i;
		sea.ipa = sea.far;
		if (kvmsim_queue_sea(w->vcpu, &sea) || run_vcpu(w->fd) ||
		    run->exit_reason != 41 || run->u.arm_sea.gva != sea.far ||
		    ext_dabt(w->fd)) {
			w->failures++;
			continue;
		}
		w->exits++;
	}
	return NULL;
}

static void *noop(void *opaque)
{
	return opaque;
}

/*
 * Can this runtime start a thread at all? Under qemu-user with an arm64
 * ld.so that does not match the arm64 libc.so.6 (e.g. -L pointing at an
 * older libc6-arm64-cross while libc6:arm64 is newer) pthread_create()
 * spins forever in the loader's thread list. Probe in a child, so this
 * test reports the cause instead of timing out.
 */
static bool threads_work(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, noop, NULL))
			_exit(1);
		pthread_join(t, NULL);
		_exit(0);
	}
	if (pid < 0)
		return false;
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0;
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return false;
}

static void test_threads(void **state)
{
	struct kvmsim_host *host;
	struct kvmsim_vm *vm;
	struct worker w[THREADS];
	pthread_t tid[THREADS];

	(void)state;
	if (!threads_work()) {
		print_message("pthread_create() does not return in this runtime "
			      "(qemu-user with a mismatched arm64 ld.so?)\n");
		skip();
	}
	host = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	vm = kvmsim_create_vm(host, 0);
	assert_int_equal(enable_cap(kvmsim_vm_fd(vm), 245, 0), 0);
	for (int i = 0; i < THREADS; i++) {
		w[i].vcpu = kvmsim_create_vcpu(vm, 0);
		assert_non_null(w[i].vcpu);
		w[i].fd = kvmsim_vcpu_fd(w[i].vcpu);
		w[i].exits = w[i].failures = 0;
	}
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, worker_main, &w[i]), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(w[i].failures, 0);
		assert_int_equal(w[i].exits, ROUNDS);
		assert_int_equal(kvmsim_ioctl_count(w[i].fd, KVMSIM_IOCTL_RUN), ROUNDS);
		assert_int_equal(kvmsim_ioctl_count(w[i].fd,
						    KVMSIM_IOCTL_SET_VCPU_EVENTS),
				 ROUNDS);
	}
	assert_int_equal(kvmsim_host_ioctl_count(host, KVMSIM_IOCTL_ALL),
			 1 + 2 * THREADS * ROUNDS);
	kvmsim_host_free(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sea_exit_fields),
		cmocka_unit_test(test_sea_exit_vm_ras_from_id_register),
		cmocka_unit_test(test_sea_exit_fnv),
		cmocka_unit_test(test_sea_exit_ttw),
		cmocka_unit_test(test_sea_stage2_walk_is_host_owned),
		cmocka_unit_test(test_sea_cap_off_is_serror),
		cmocka_unit_test(test_sea_no_ras_host_is_serror),
		cmocka_unit_test(test_sea_old_kernel_and_protected),
		cmocka_unit_test(test_sea_failed_at_walk_is_retried),
		cmocka_unit_test(test_sea_apei_claimed),
		cmocka_unit_test(test_sea_vncr_in_hyp_context),
		cmocka_unit_test(test_immediate_exit_keeps_stale_exit),
		cmocka_unit_test(test_queued_eintr_and_errors),
		cmocka_unit_test(test_queue_checks),
		cmocka_unit_test(test_mmio_completion),
		cmocka_unit_test(test_ext_dabt_cancels_mmio),
		cmocka_unit_test(test_mmio_completion_thumb16),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests_name("sim-run", tests, NULL, NULL);
}
