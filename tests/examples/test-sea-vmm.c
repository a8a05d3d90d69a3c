/* SPDX-License-Identifier: MIT */
/*
 * examples/sea-vmm.c, run whole on the simulated kernel, on any host.
 *
 * The example's own source is compiled in (its main() renamed) and linked
 * with sim-vm.c in place of demo-vm.c: option parsing, the handler, the
 * run loop and --simulate run unchanged, for every access and strategy,
 * real SEAs and hand-written ones. The checks read what the guest's
 * handler would see (the vector it enters and ESR_EL1, FAR_EL1, ELR_EL1,
 * SPSR_EL1 as the simulator's exception entry left them) and the lines
 * sea-vmm printed. (The guest itself runs in tests/e2e's emulated host:
 * examples/e2e-examples.sh.)
 */
#define main sea_vmm_main
int sea_vmm_main(int argc, char **argv);
#include "sea-vmm.c"
#undef main

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "sim-vm.h"
#include "uapi-compat.h"

/* Where the guest's access is (examples/demo-guest.inc). */
static const uint64_t access_pc[] = {
	[DEMO_LOAD] = DEMO_RAM_IPA + 0x1c,
	[DEMO_STORE] = DEMO_RAM_IPA + 0x24,
	[DEMO_FETCH] = DEMO_BAD_ADDRESS,
};

static char out[16384];

static int count(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, what)); p++)
		n++;
	return n;
}

struct run {
	enum kvmsim_profile profile;
	const char *args[8];
	enum demo_access access;
	const char *injected; /* sea-vmm's "injected with" line, after the prefix */
	uint64_t guest_esr;   /* what the guest's handler reads in ESR_EL1 */
};

/* sea-vmm ARGS on PROFILE: the guest takes the abort and kept going. */
static void check(const struct run *r)
{
	char line[256];
	bool simulate = false;

	for (size_t i = 0; r->args[i]; i++)
		simulate |= !strcmp(r->args[i], "--simulate");
	sim_vm.profile = r->profile;
	assert_int_equal(sim_vm_run_main(sea_vmm_main, "sea-vmm", r->args, out, sizeof(out)), 0);
	assert_true(sim_vm.destroyed);

	/* The guest entered "current EL with SP_ELx, synchronous" from the
	 * access, with the syndrome and address of the abort. */
	assert_true(sim_vm.guest_ran);
	assert_int_equal(sim_vm.vector, 4);
	assert_int_equal(sim_vm.esr, r->guest_esr);
	assert_int_equal(sim_vm.far, DEMO_BAD_ADDRESS);
	assert_int_equal(sim_vm.elr, access_pc[r->access]);
	assert_int_equal(sim_vm.spsr, DEMO_GUEST_PSTATE);
	assert_int_equal(sim_vm.pstate & 0x3cf, 0x3c5);

	/* What sea-vmm said: one SEA (the stale EINTR after it is not a
	 * second), the event's addresses, the strategy, the guest's report. */
	assert_int_equal(count(out, "KVM_EXIT_ARM_SEA on vCPU 0"), 1);
	assert_non_null(strstr(out, "sea-vmm: KVM_EXIT_ARM_SEA on vCPU 0 (SEA #1 on it)\n"));
	assert_non_null(strstr(out, "  gva       0x50000128 (valid: FnV is 0)\n"));
	assert_non_null(strstr(out, "  page_gpa  0x50000000 (valid: KVM set GPA_VALID; 4 KiB page)\n"));
	assert_non_null(strstr(out, "  gpa       0x50000128 (the faulting byte's IPA)\n"));
	snprintf(line, sizeof(line), "  guest     EL1 AArch64, PC 0x%" PRIx64 ", PSTATE 0x2c5\n",
		 access_pc[r->access]);
	assert_non_null(strstr(out, line));
	snprintf(line, sizeof(line), "sea-vmm: injected with %s\n", r->injected);
	assert_non_null(strstr(out, line));
	snprintf(line, sizeof(line), "  ESR_EL1  ESR 0x%016" PRIx64 ": ", r->guest_esr);
	assert_non_null(strstr(out, line));
	assert_non_null(strstr(out, "sea-vmm: the guest's handler ran: vector +0x200 "
				    "(current EL with SP_ELx, synchronous)\n"));
	assert_non_null(strstr(out, "sea-vmm: OK: the guest took 1 abort(s) and kept going\n"));
	assert_int_equal(count(out, "sea-vmm: simulate: "), simulate ? 3 : 0);
	sim_vm_free();
}

#define VCPU_EVENTS "vcpu-events (KVM_SET_VCPU_EVENTS, ext_dabt_pending)"
#define EMULATE "emulate (exception entry written with KVM_SET_ONE_REG)"

/* auto: vcpu-events when lossless (a plain load), emulation otherwise. */
static void test_auto(void **state)
{
	static const struct run runs[] = {
		{ KVMSIM_HOST_RAS, { NULL }, DEMO_LOAD, VCPU_EVENTS, 0x96000010 },
		{ KVMSIM_HOST_RAS, { "--access", "store" }, DEMO_STORE, EMULATE, 0x96000050 },
		/* A real SEA on a fetch from poisoned RAM (the e2e host cannot
		 * raise one: see examples/README.md). */
		{ KVMSIM_HOST_RAS, { "--access", "fetch" }, DEMO_FETCH, EMULATE, 0x86000010 },
		{ KVMSIM_HOST_RAS, { "--simulate" }, DEMO_LOAD, VCPU_EVENTS, 0x96000010 },
		{ KVMSIM_HOST_RAS, { "--simulate", "--access", "store" }, DEMO_STORE, EMULATE,
		  0x96000050 },
		{ KVMSIM_HOST_RAS, { "--simulate", "--access", "fetch" }, DEMO_FETCH, EMULATE,
		  0x86000010 },
		/* A host without RAS never gives the exit, but --simulate
		 * still works: that is what it is for. */
		{ KVMSIM_HOST_NO_RAS, { "--simulate" }, DEMO_LOAD, VCPU_EVENTS, 0x96000010 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		check(&runs[i]);
}

/* vcpu-events: KVM builds a plain data abort, whatever the access was;
 * emulate carries the syndrome over. */
static void test_strategies(void **state)
{
	static const struct run runs[] = {
		{ KVMSIM_HOST_RAS, { "--strategy", "vcpu-events", "--access", "store" },
		  DEMO_STORE, VCPU_EVENTS, 0x96000010 },
		{ KVMSIM_HOST_RAS, { "--strategy", "emulate" }, DEMO_LOAD, EMULATE, 0x96000010 },
		{ KVMSIM_HOST_RAS, { "--simulate", "--strategy", "emulate", "--access", "fetch" },
		  DEMO_FETCH, EMULATE, 0x86000010 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		check(&runs[i]);
	/* The store's lost WnR is said. */
	sim_vm.profile = KVMSIM_HOST_RAS;
	assert_int_equal(sim_vm_run_main(sea_vmm_main, "sea-vmm", runs[0].args, out,
					 sizeof(out)), 0);
	assert_non_null(strstr(out, "  lost      0x4: what vcpu-events could not carry"));
	sim_vm_free();
}

/* ... and vcpu-events has no instruction abort: the library refuses,
 * sea-vmm says why, the guest stays where it was, nothing is injected. */
static void test_vcpu_events_refuses_fetch(void **state)
{
	static const char *const args[] = { "--simulate", "--strategy", "vcpu-events",
					    "--access", "fetch", NULL };
	struct kvmsim_vcpu_stats stats;

	(void)state;
	sim_vm.profile = KVMSIM_HOST_RAS;
	assert_int_equal(sim_vm_run_main(sea_vmm_main, "sea-vmm", args, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "sea-vmm: kvmsea_vcpu_handle_exit: Operation not supported: "
				    "the strategy cannot deliver this abort"));
	assert_true(sim_vm.destroyed);
	assert_false(sim_vm.guest_ran);
	assert_int_equal(kvmsim_reg_get(sim_vm.vcpu, KVMSEA_REG_PC), DEMO_BAD_ADDRESS);
	assert_int_equal(kvmsim_reg_get(sim_vm.vcpu, KVMSEA_REG_ESR_EL1), 0);
	kvmsim_vcpu_get_stats(sim_vm.vcpu, &stats);
	assert_int_equal(stats.ext_dabt, 0);
	sim_vm_free();
}

/* A real SEA on a host without RAS: KVM gives the guest an SError, no
 * exit comes, and sea-vmm says that this machine cannot show it (77). */
static void test_no_ras_host(void **state)
{
	(void)state;
	sim_vm.profile = KVMSIM_HOST_NO_RAS;
	assert_int_equal(sim_vm_run_main(sea_vmm_main, "sea-vmm", NULL, out, sizeof(out)), 77);
	assert_true(sim_vm.guest_ran);
	assert_int_equal(sim_vm.vector, 7); /* current EL with SP_ELx, SError */
	assert_int_equal(count(out, "KVM_EXIT_ARM_SEA on vCPU"), 0);
	assert_non_null(strstr(out, "sea-vmm: no SEA exit: without FEAT_RAS the abort never "
				    "reaches the VMM; try --simulate\n"));
	sim_vm_free();
}

/* The guest's MMIO report, as demo_vm_report() reads it. */
static void mmio_write(struct demo_vm *vm, uint64_t offset, uint64_t value)
{
	vm->run->exit_reason = KVM_EXIT_MMIO;
	vm->run->mmio.phys_addr = DEMO_REPORT_IPA + offset;
	vm->run->mmio.len = 8;
	vm->run->mmio.is_write = 1;
	memcpy(vm->run->mmio.data, &value, 8);
}

static void test_guest_report(void **state)
{
	const struct demo_vm_config cfg = { .name = "sea-vmm" };
	struct demo_vm vm;

	(void)state;
	sim_vm.profile = KVMSIM_HOST_RAS;
	assert_int_equal(demo_vm_create(&vm, &cfg), 0);
	mmio_write(&vm, 0, 4);
	assert_int_equal(demo_vm_report(&vm), DEMO_RUN);
	mmio_write(&vm, 8, 0x96000010);
	assert_int_equal(demo_vm_report(&vm), DEMO_RUN);
	mmio_write(&vm, 16, DEMO_BAD_ADDRESS);
	assert_int_equal(demo_vm_report(&vm), DEMO_RUN);
	mmio_write(&vm, 24, access_pc[DEMO_LOAD]);
	assert_int_equal(demo_vm_report(&vm), DEMO_RUN);
	assert_false(vm.finished);
	mmio_write(&vm, 32, 1);
	assert_int_equal(demo_vm_report(&vm), DEMO_DONE);
	assert_true(vm.finished);
	assert_int_equal(vm.aborts_taken, 1);
	assert_int_equal(vm.report[0], 4);
	assert_int_equal(vm.report[1], 0x96000010);
	assert_int_equal(vm.report[2], DEMO_BAD_ADDRESS);
	assert_int_equal(vm.report[3], access_pc[DEMO_LOAD]);
	/* Anything else is not a report: the run fails. */
	mmio_write(&vm, 40, 1);
	assert_int_equal(demo_vm_report(&vm), DEMO_FAILED);
	mmio_write(&vm, 12, 1);
	assert_int_equal(demo_vm_report(&vm), DEMO_FAILED);
	mmio_write(&vm, 0, 1);
	vm.run->mmio.is_write = 0;
	assert_int_equal(demo_vm_report(&vm), DEMO_FAILED);
	vm.run->exit_reason = KVM_EXIT_INTR;
	assert_int_equal(demo_vm_report(&vm), DEMO_FAILED);
	demo_vm_destroy(&vm);
	sim_vm_free();
}

static void test_options(void **state)
{
	static const char *const bad[][3] = {
		{ "--strategy", "serror" }, { "--access", "jump" },
		{ "--bad-phys", "0x0b000010" }, { "--bad-phys", "zero" },
		{ "extra" }, { "--simulate", "yes" },
	};
	static const char *const all[] = { "sea-vmm", "--strategy", "emulate", "--access",
					   "fetch", "--bad-phys", "0x9000000", "--simulate" };
	char *argv[8];
	struct options o;

	(void)state;
	argv[0] = (char *)all[0];
	assert_int_equal(parse_options(1, argv, &o), 0);
	assert_int_equal(o.strategy, KVMSEA_STRATEGY_AUTO);
	assert_int_equal(o.machine.access, DEMO_LOAD);
	assert_int_equal(o.machine.bad_phys, 0x0b000000);
	assert_false(o.machine.simulate);
	assert_string_equal(o.machine.name, "sea-vmm");

	memcpy(argv, all, sizeof(all));
	assert_int_equal(parse_options(8, argv, &o), 0);
	assert_int_equal(o.strategy, KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(o.machine.access, DEMO_FETCH);
	assert_int_equal(o.machine.bad_phys, 0x9000000);
	assert_true(o.machine.simulate);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		argv[1] = (char *)bad[i][0];
		argv[2] = (char *)bad[i][1];
		assert_int_equal(parse_options(bad[i][1] ? 3 : 2, argv, &o), 2);
	}
	/* main(): a usage error is exit 2, --help exit 0, before any VM. */
	{
		static const char *const help[] = { "--help", NULL };
		static const char *const wrong[] = { "--access", "jump", NULL };

		assert_int_equal(sim_vm_run_main(sea_vmm_main, "sea-vmm", help, out,
						 sizeof(out)), 0);
		assert_non_null(strstr(out, "Usage: sea-vmm "));
		assert_int_equal(sim_vm_run_main(sea_vmm_main, "sea-vmm", wrong, out,
						 sizeof(out)), 2);
		assert_null(sim_vm.host);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_auto),
		cmocka_unit_test(test_strategies),
		cmocka_unit_test(test_vcpu_events_refuses_fetch),
		cmocka_unit_test(test_no_ras_host),
		cmocka_unit_test(test_guest_report),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
