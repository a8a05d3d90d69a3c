/* SPDX-License-Identifier: MIT */
/*
 * sea-vmm's logic against the simulated kernel (tests/sim), on any host.
 *
 * The example's own source is compiled in (its main() renamed), and the VM
 * that create_vm() would make on arm64 is replaced by a simulated one in
 * the state the real guest is in when it touches the bad page: vectors
 * installed, PC on the access. Then sea-vmm's setup_sea() and its
 * --simulate path, simulate_sea(), run unchanged, and the test checks what
 * the guest's handler would read: the vector it enters and ESR_EL1,
 * FAR_EL1, ELR_EL1, SPSR_EL1, as the simulator's exception entry left them.
 * (The guest itself does not run here; tests/e2e runs it for real.)
 */
#define main sea_vmm_main
int sea_vmm_main(int argc, char **argv);
#include "sea-vmm.c"
#undef main

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "kvmsim.h"

/* ONE_REG ids the checks read (Linux arm64 uapi values). */
#define REG_ELR_EL1  REG_CORE(0x46)
#define REG_SPSR_EL1 REG_CORE(0x48)
#define REG_SYSREG(op0, op1, crn, crm, op2) (0x6030000000130000ull | \
	((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))
#define REG_ESR_EL1  REG_SYSREG(3, 0, 5, 2, 0)
#define REG_FAR_EL1  REG_SYSREG(3, 0, 6, 0, 0)
#define REG_VBAR_EL1 REG_SYSREG(3, 0, 12, 0, 0)

/* Where the guest is when its access faults (sea-vmm-guest.inc): the
 * ldr at 0x1c, the str at 0x24, and for a fetch the bad address itself,
 * with x30 = "done" (0x34). */
#define GUEST_LOAD_PC  (RAM_IPA + 0x1c)
#define GUEST_STORE_PC (RAM_IPA + 0x24)
#define GUEST_DONE     (RAM_IPA + 0x34)
#define GUEST_VBAR     (RAM_IPA + 0x800)

struct sim {
	struct kvmsim_host *host;
	struct kvmsim_vcpu *vcpu;
	struct options o;
	struct vmm vm;
};

static void parse(struct options *o, const char *const *args)
{
	char *argv[8] = { "sea-vmm" };
	int argc = 1;

	while (args && args[argc - 1])
		argv[argc] = (char *)args[argc - 1], argc++;
	assert_int_equal(parse_options(argc, argv, o), 0);
}

/* A VM and vCPU as create_vm() leaves them, moved on to the access. */
static void sim_init(struct sim *s, enum kvmsim_profile profile,
		     const char *const *args)
{
	struct kvmsim_vm *vm;
	struct kvmsim_fault fault = { 0 };
	uint64_t pc;

	memset(s, 0, sizeof(*s));
	parse(&s->o, args);
	s->host = kvmsim_host_new(profile, 0);
	assert_non_null(s->host);
	vm = kvmsim_create_vm(s->host, 0);
	assert_non_null(vm);
	s->vcpu = kvmsim_create_vcpu(vm, 0);
	assert_non_null(s->vcpu);
	s->vm.kvm_fd = -1;
	s->vm.vm_fd = kvmsim_vm_fd(vm);
	s->vm.vcpu_fd = kvmsim_vcpu_fd(s->vcpu);
	s->vm.run = kvmsim_vcpu_run_area(s->vcpu);
	s->vm.run_size = kvmsim_vcpu_run_size(s->vcpu);

	pc = s->o.access == ACCESS_LOAD ? GUEST_LOAD_PC :
	     s->o.access == ACCESS_STORE ? GUEST_STORE_PC : guest_address();
	kvmsim_reg_set(s->vcpu, REG_X(0), guest_address());
	kvmsim_reg_set(s->vcpu, REG_X(1), s->o.access);
	kvmsim_reg_set(s->vcpu, REG_X(28), REPORT_IPA);
	kvmsim_reg_set(s->vcpu, REG_X(30), GUEST_DONE);
	kvmsim_reg_set(s->vcpu, REG_VBAR_EL1, GUEST_VBAR);
	kvmsim_reg_set(s->vcpu, REG_PSTATE, GUEST_PSTATE);
	kvmsim_reg_set(s->vcpu, REG_PC, pc);
	/* What KVM keeps from the EFAULT exit: a stage 2 translation fault
	 * (FSC 0x07) at the bad address, which ext_dabt_pending reuses. */
	fault.esr = (s->o.access == ACCESS_FETCH ? 0x82000007ull : 0x92000007ull) |
		    (s->o.access == ACCESS_STORE ? 0x40 : 0);
	fault.far = guest_address();
	fault.ipa = guest_address() & ~0xfffull;
	fault.ipa_valid = true;
	kvmsim_vcpu_set_fault(s->vcpu, &fault);

	assert_int_equal(setup_sea(&s->vm, &s->o), 0);
}

static void sim_fini(struct sim *s)
{
	kvmsea_vcpu_free(s->vm.sea_vcpu);
	kvmsea_ctx_free(s->vm.sea);
	kvmsim_host_free(s->host);
}

/* What the guest's handler reads after sea-vmm --simulate injected. */
struct seen {
	uint64_t pc, esr, far, elr, spsr;
};

static void simulate(struct sim *s, enum kvmsea_strategy expect_injected,
		     struct seen *seen)
{
	const struct kvmsea_event *ev;
	uint64_t old_pc = kvmsim_reg_get(s->vcpu, REG_PC);

	assert_int_equal(simulate_sea(&s->vm, &s->o), KVMSEA_EXIT_HANDLED);
	print_injected(&s->vm);
	ev = kvmsea_vcpu_last_event(s->vm.sea_vcpu);
	assert_non_null(ev);
	/* The event is what the hand-written exit says. */
	assert_true(ev->known & KVMSEA_KNOWN_GPA);
	assert_int_equal(ev->gva, guest_address());
	assert_int_equal(ev->page_gpa, BAD_IPA);
	assert_int_equal(ev->gpa, guest_address());
	assert_int_equal(ev->guest.pc, old_pc);
	assert_int_equal(ev->guest.el, 1);
	assert_int_equal(ev->injected, expect_injected);

	seen->pc = kvmsim_reg_get(s->vcpu, REG_PC);
	seen->esr = kvmsim_reg_get(s->vcpu, REG_ESR_EL1);
	seen->far = kvmsim_reg_get(s->vcpu, REG_FAR_EL1);
	seen->elr = kvmsim_reg_get(s->vcpu, REG_ELR_EL1);
	seen->spsr = kvmsim_reg_get(s->vcpu, REG_SPSR_EL1);
	/* Entered at "current EL with SP_ELx, synchronous", from where it was. */
	assert_int_equal(seen->pc, GUEST_VBAR + 0x200);
	assert_int_equal(seen->elr, old_pc);
	assert_int_equal(seen->spsr, GUEST_PSTATE);
	assert_int_equal(kvmsim_reg_get(s->vcpu, REG_PSTATE) & 0x3cf, 0x3c5);
	/* A stale exit must not be taken for a new one. */
	assert_int_equal(kvmsea_vcpu_handle_exit(s->vm.sea_vcpu, -EINTR),
			 KVMSEA_EXIT_NOT_SEA);
}

static void check(enum kvmsim_profile profile, const char *const *args,
		  enum kvmsea_strategy injected, uint64_t guest_esr)
{
	struct sim s;
	struct seen seen;

	sim_init(&s, profile, args);
	simulate(&s, injected, &seen);
	assert_int_equal(seen.esr, guest_esr);
	assert_int_equal(seen.far, guest_address());
	sim_fini(&s);
}

/* auto: vcpu-events when lossless (a plain load), emulation otherwise. */
static void test_auto_load(void **state)
{
	static const char *const args[] = { "--simulate", NULL };

	(void)state;
	check(KVMSIM_HOST_RAS, args, KVMSEA_STRATEGY_VCPU_EVENTS, 0x96000010);
}

static void test_auto_store_keeps_wnr(void **state)
{
	static const char *const args[] = { "--simulate", "--access", "store", NULL };

	(void)state;
	check(KVMSIM_HOST_RAS, args, KVMSEA_STRATEGY_EMULATE, 0x96000050);
}

static void test_auto_fetch_is_an_instruction_abort(void **state)
{
	static const char *const args[] = { "--simulate", "--access", "fetch", NULL };

	(void)state;
	check(KVMSIM_HOST_RAS, args, KVMSEA_STRATEGY_EMULATE, 0x86000010);
}

/* vcpu-events: KVM builds a plain data abort, whatever the access was. */
static void test_vcpu_events_store_loses_wnr(void **state)
{
	static const char *const args[] = { "--simulate", "--strategy", "vcpu-events",
					    "--access", "store", NULL };

	(void)state;
	check(KVMSIM_HOST_RAS, args, KVMSEA_STRATEGY_VCPU_EVENTS, 0x96000010);
}

/* ... and has no instruction abort: the library refuses, the guest stays
 * where it was, nothing is injected. */
static void test_vcpu_events_refuses_fetch(void **state)
{
	static const char *const args[] = { "--simulate", "--strategy", "vcpu-events",
					    "--access", "fetch", NULL };
	struct kvmsim_vcpu_stats stats;
	struct sim s;

	(void)state;
	sim_init(&s, KVMSIM_HOST_RAS, args);
	assert_int_equal(simulate_sea(&s.vm, &s.o), -EOPNOTSUPP);
	assert_int_equal(kvmsea_vcpu_last_event(s.vm.sea_vcpu)->injected,
			 KVMSEA_STRATEGY_NONE);
	assert_int_equal(kvmsim_reg_get(s.vcpu, REG_PC), guest_address());
	assert_int_equal(kvmsim_reg_get(s.vcpu, REG_ESR_EL1), 0);
	kvmsim_vcpu_get_stats(s.vcpu, &stats);
	assert_int_equal(stats.ext_dabt, 0);
	sim_fini(&s);
}

static void test_emulate_load(void **state)
{
	static const char *const args[] = { "--simulate", "--strategy", "emulate", NULL };

	(void)state;
	check(KVMSIM_HOST_RAS, args, KVMSEA_STRATEGY_EMULATE, 0x96000010);
}

/* A host without RAS never gives the exit, but the --simulate path still
 * works: that is what it is for. */
static void test_simulate_on_a_host_without_ras(void **state)
{
	static const char *const args[] = { "--simulate", NULL };

	(void)state;
	check(KVMSIM_HOST_NO_RAS, args, KVMSEA_STRATEGY_VCPU_EVENTS, 0x96000010);
}

/* The guest's MMIO report, as guest_report() reads it. */
static void mmio_write(struct vmm *vm, uint64_t offset, uint64_t value)
{
	vm->run->exit_reason = KVM_EXIT_MMIO;
	vm->run->mmio.phys_addr = REPORT_IPA + offset;
	vm->run->mmio.len = 8;
	vm->run->mmio.is_write = 1;
	memcpy(vm->run->mmio.data, &value, 8);
}

static void test_guest_report(void **state)
{
	static const char *const args[] = { "--simulate", NULL };
	struct sim s;

	(void)state;
	sim_init(&s, KVMSIM_HOST_RAS, args);
	mmio_write(&s.vm, 0, 4);
	assert_true(guest_report(&s.vm));
	mmio_write(&s.vm, 8, 0x96000010);
	assert_true(guest_report(&s.vm));
	mmio_write(&s.vm, 16, guest_address());
	assert_true(guest_report(&s.vm));
	mmio_write(&s.vm, 24, GUEST_LOAD_PC);
	assert_true(guest_report(&s.vm));
	assert_false(s.vm.finished);
	mmio_write(&s.vm, 32, 1);
	assert_true(guest_report(&s.vm));
	assert_true(s.vm.finished);
	assert_int_equal(s.vm.aborts_taken, 1);
	assert_int_equal(s.vm.report[0], 4);
	assert_int_equal(s.vm.report[1], 0x96000010);
	assert_int_equal(s.vm.report[2], guest_address());
	assert_int_equal(s.vm.report[3], GUEST_LOAD_PC);
	/* Anything else is not a report. */
	mmio_write(&s.vm, 40, 1);
	assert_false(guest_report(&s.vm));
	s.vm.run->exit_reason = KVM_EXIT_INTR;
	assert_false(guest_report(&s.vm));
	sim_fini(&s);
}

static void test_options(void **state)
{
	static const char *const bad[][3] = {
		{ "--strategy", "serror" }, { "--access", "jump" },
		{ "--bad-phys", "0x0b000010" }, { "--bad-phys", "zero" },
		{ "extra" },
	};
	struct options o;

	(void)state;
	parse(&o, NULL);
	assert_int_equal(o.strategy, KVMSEA_STRATEGY_AUTO);
	assert_int_equal(o.access, ACCESS_LOAD);
	assert_int_equal(o.bad_phys, 0x0b000000);
	assert_false(o.simulate);
	{
		static const char *const args[] = { "--strategy", "emulate", "--access",
						    "fetch", "--bad-phys", "0x9000000",
						    "--simulate", NULL };
		parse(&o, args);
	}
	assert_int_equal(o.strategy, KVMSEA_STRATEGY_EMULATE);
	assert_int_equal(o.access, ACCESS_FETCH);
	assert_int_equal(o.bad_phys, 0x9000000);
	assert_true(o.simulate);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[4] = { "sea-vmm", (char *)bad[i][0], (char *)bad[i][1] };

		assert_int_equal(parse_options(bad[i][1] ? 3 : 2, argv, &o), 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_auto_load),
		cmocka_unit_test(test_auto_store_keeps_wnr),
		cmocka_unit_test(test_auto_fetch_is_an_instruction_abort),
		cmocka_unit_test(test_vcpu_events_store_loses_wnr),
		cmocka_unit_test(test_vcpu_events_refuses_fetch),
		cmocka_unit_test(test_emulate_load),
		cmocka_unit_test(test_simulate_on_a_host_without_ras),
		cmocka_unit_test(test_guest_report),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
