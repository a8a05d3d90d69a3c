/* SPDX-License-Identifier: MIT */
/*
 * examples/minimal.c, run whole on the simulated kernel, on any host.
 *
 * The example's own source is compiled in (its main() renamed) and linked
 * with sim-vm.c in place of demo-vm.c: its libkvmsea calls and its KVM_RUN
 * loop run unchanged, and the checks read what the guest's handler would
 * see, and what minimal printed.
 */
#define main minimal_main
int minimal_main(void);
#include "minimal.c"
#undef main

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "sim-vm.h"
#include "uapi-compat.h"

static char out[16384];

static int run_minimal(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return minimal_main();
}

/* A RAS host: the load's SEA reaches the handler, which logs it; DEFAULT
 * injects it (vcpu-events: a plain load loses nothing), and the guest's
 * handler runs with the abort at the address it touched. */
static void test_minimal_runs(void **state)
{
	struct kvmsim_vcpu_stats stats;

	(void)state;
	sim_vm.profile = KVMSIM_HOST_RAS;
	assert_int_equal(sim_vm_run_main(run_minimal, "minimal", NULL, out, sizeof(out)), 0);
	assert_true(sim_vm.destroyed);
	kvmsim_vcpu_get_stats(sim_vm.vcpu, &stats);
	assert_int_equal(stats.sea_exits, 1);
	assert_int_equal(stats.ext_dabt, 1);
	assert_true(sim_vm.guest_ran);
	assert_int_equal(sim_vm.vector, 4); /* current EL with SP_ELx, synchronous */
	assert_int_equal(sim_vm.esr, 0x96000010);
	assert_int_equal(sim_vm.far, DEMO_BAD_ADDRESS);
	assert_int_equal(sim_vm.elr, DEMO_RAM_IPA + 0x1c);
	/* The handler's line (kvmsea_event_format), the outcome, the report. */
	assert_non_null(strstr(out, "minimal: exit vcpu 0 #1: esr 0x92000010 DABT_LOW "
				    "gva 0x50000128 gpa 0x50000128 page 0x50000000+0x1000 "
				    "el1 pc 0x4000001c repeats 1 action default injected none"));
	assert_non_null(strstr(out, "minimal: injected with vcpu-events\n"));
	assert_non_null(strstr(out, "minimal: the guest's handler ran: vector +0x200 "
				    "(current EL with SP_ELx, synchronous)\n"));
	assert_null(strstr(out, "no SEA exits here"));
	sim_vm_free();
}

/* A failed injection is an error of the run loop, said as such: the
 * guest is left where it was. */
static void fail_injection(struct kvmsim_vcpu *vcpu)
{
	assert_int_equal(kvmsim_fail_ioctl(kvmsim_vcpu_fd(vcpu), KVMSIM_IOCTL_SET_VCPU_EVENTS,
					   1, 1, EIO), 0);
}

static void test_minimal_injection_fails(void **state)
{
	(void)state;
	sim_vm.profile = KVMSIM_HOST_RAS;
	sim_vm.ready = fail_injection;
	assert_int_equal(sim_vm_run_main(run_minimal, "minimal", NULL, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "minimal: kvmsea_vcpu_handle_exit: Input/output error\n"));
	assert_true(sim_vm.destroyed);
	assert_false(sim_vm.guest_ran);
	assert_int_equal(kvmsim_reg_get(sim_vm.vcpu, KVMSEA_REG_PC), DEMO_RAM_IPA + 0x1c);
	sim_vm_free();
}

/* A kernel without the SEA exit: minimal says so, KVM gives the guest an
 * SError instead, the guest reports it, and minimal exits 77: this
 * machine cannot show an SEA. */
static void test_minimal_old_kernel(void **state)
{
	(void)state;
	sim_vm.profile = KVMSIM_HOST_OLD_KERNEL;
	assert_int_equal(sim_vm_run_main(run_minimal, "minimal", NULL, out, sizeof(out)), 77);
	assert_non_null(strstr(out, "minimal: no SEA exits here (Operation not supported): "
				    "guest SEAs become SErrors\n"));
	assert_true(sim_vm.guest_ran);
	assert_int_equal(sim_vm.vector, 7); /* current EL with SP_ELx, SError */
	assert_non_null(strstr(out, "minimal: the guest finished, but no SEA reached the VMM\n"));
	assert_true(sim_vm.destroyed);
	sim_vm_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_runs),
		cmocka_unit_test(test_minimal_injection_fails),
		cmocka_unit_test(test_minimal_old_kernel),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
