/* SPDX-License-Identifier: MIT */
/*
 * sea-vmm: the demo. A VMM that survives a guest's synchronous external
 * abort (SEA) with libkvmsea, and shows every step of it.
 *
 * The machine is demo-vm.h's: one vCPU whose tiny guest installs its own
 * vector table and touches a bad page. KVM reports the SEA with
 * KVM_EXIT_ARM_SEA, libkvmsea decodes it and calls our handler, which
 * prints the event and injects the abort with the strategy asked for; the
 * guest's handler then reports what it saw through MMIO writes, and the
 * guest carries on. (examples/minimal.c is the same integration without
 * the commentary.)
 *
 *   sea-vmm [--strategy auto|vcpu-events|emulate] [--access load|store|fetch]
 *           [--bad-phys ADDR] [--simulate]
 *
 * The bad page is the host-physical hole at --bad-phys mapped from
 * /dev/mem (default 0x0b000000, a hole in qemu's "virt" machine).
 * --simulate is for machines where no real abort can be raised (no hole,
 * or a host without FEAT_RAS): the bad page is then an ordinary page with
 * no access rights, the guest's access makes KVM_RUN fail with EFAULT, and
 * sea-vmm writes into kvm_run, by hand, the KVM_EXIT_ARM_SEA a RAS host
 * would have returned. Everything after that is real.
 *
 * Exit status: 0 the guest took the abort and kept going, 1 it did not,
 * 2 usage, 77 this machine cannot run the example (not arm64, no KVM, or
 * no real SEA here: try --simulate). It builds on any Linux host and runs
 * only on arm64.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <libkvmsea/libkvmsea.h>

#include "demo-vm.h"

/* The SEA exit (Linux 6.19+ <linux/kvm.h>; older headers lack it). */
#define EXIT_ARM_SEA 41
#define EXIT_ARM_SEA_FLAG_GPA_VALID 1ull
struct arm_sea_exit {
	uint64_t flags, esr, gva, gpa;
};
_Static_assert(offsetof(struct kvm_run, mmio) == 32, "the exit union");

struct options {
	enum kvmsea_strategy strategy;
	struct demo_vm_config machine;  /* the access, the bad page, --simulate */
};

struct vmm {
	struct demo_vm vm;
	struct kvmsea_ctx *sea;
	struct kvmsea_vcpu *sea_vcpu;
	unsigned int sea_exits;         /* SEAs that went through libkvmsea */
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: sea-vmm [--strategy auto|vcpu-events|emulate] "
		   "[--access load|store|fetch]\n"
		   "               [--bad-phys ADDR] [--simulate]\n");
}

/* 0 to run, 1 for --help, 2 for a usage error. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ "access", required_argument, NULL, 'a' },
		{ "bad-phys", required_argument, NULL, 'b' },
		{ "simulate", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct demo_vm_config *m = &o->machine;
	char *end;
	int c;

	*o = (struct options){ .strategy = KVMSEA_STRATEGY_AUTO,
			       .machine = { .name = "sea-vmm", .access = DEMO_LOAD,
					    .bad_phys = DEMO_BAD_PHYS } };
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!strcmp(optarg, "auto"))
				o->strategy = KVMSEA_STRATEGY_AUTO;
			else if (!strcmp(optarg, "vcpu-events"))
				o->strategy = KVMSEA_STRATEGY_VCPU_EVENTS;
			else if (!strcmp(optarg, "emulate"))
				o->strategy = KVMSEA_STRATEGY_EMULATE;
			else
				goto bad;
			break;
		case 'a':
			if (!strcmp(optarg, "load"))
				m->access = DEMO_LOAD;
			else if (!strcmp(optarg, "store"))
				m->access = DEMO_STORE;
			else if (!strcmp(optarg, "fetch"))
				m->access = DEMO_FETCH;
			else
				goto bad;
			break;
		case 'b':
			errno = 0;
			m->bad_phys = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg || (m->bad_phys & 0xfff))
				goto bad; /* a page address, 4 KiB aligned at least */
			break;
		case 'S':
			m->simulate = true;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind == argc)
		return 0;
	fprintf(stderr, "sea-vmm: unexpected argument: %s\n", argv[optind]);
	usage(stderr);
	return 2;
bad:
	fprintf(stderr, "sea-vmm: bad value: %s\n", optarg);
	usage(stderr);
	return 2;
}

/* The handler: libkvmsea calls it on the vCPU thread for every SEA, before
 * anything is injected. Print what an operator wants to know, then inject
 * the abort with the strategy asked for. */
static int on_sea(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
		  void *opaque)
{
	const struct options *o = opaque;
	uint32_t lost;
	char esr[512];
	int ret;

	kvmsea_esr_format(ev->syndrome, KVMSEA_ESR_ONELINE, esr, sizeof(esr));
	printf("sea-vmm: KVM_EXIT_ARM_SEA on vCPU %" PRIu32 " (SEA #%" PRIu64 " on it)\n",
	       kvmsea_vcpu_get_id(vcpu), ev->seq);
	printf("  esr       %s\n", esr);
	if (ev->known & KVMSEA_KNOWN_GVA)
		printf("  gva       0x%" PRIx64 " (valid: FnV is 0)\n", ev->gva);
	else
		printf("  gva       unknown (FnV is 1: FAR not valid)\n");
	if (ev->known & KVMSEA_KNOWN_PAGE_GPA)
		printf("  page_gpa  0x%" PRIx64 " (valid: KVM set GPA_VALID; 4 KiB page)\n",
		       ev->page_gpa);
	else
		printf("  page_gpa  unknown (KVM could not translate the address)\n");
	if (ev->known & KVMSEA_KNOWN_GPA)
		printf("  gpa       0x%" PRIx64 " (the faulting byte's IPA)\n", ev->gpa);
	else
		printf("  gpa       unknown (needs both gva and page_gpa)\n");
	printf("  guest     EL%u %s%s, PC 0x%" PRIx64 ", PSTATE 0x%" PRIx64 "\n",
	       ev->guest.el, ev->guest.aarch32 ? "AArch32" : "AArch64",
	       ev->guest.has_el2 ? " (nested vCPU)" : "", ev->guest.pc, ev->guest.pstate);
	printf("  repeats   %" PRIu32 " at this PC and address%s\n", ev->repeats,
	       ev->livelock ? " (livelock)" : "");
	printf("  action    inject, strategy %s\n", kvmsea_strategy_name(o->strategy));
	ret = kvmsea_vcpu_inject(vcpu, ev, o->strategy, &lost);
	if (ret < 0)
		return ret;
	if (lost)
		printf("  lost      0x%" PRIx32 ": what %s could not carry (KVMSEA_LOST_*)\n",
		       lost, kvmsea_strategy_name(ret));
	return KVMSEA_ACTION_HANDLED;
}

/* Probe and enable the capability, register the handler, bind the vCPU. */
static int setup_sea(struct vmm *v, struct options *o)
{
	struct kvmsea_caps caps;
	int ret;

	ret = kvmsea_probe(v->vm.vm_fd, &caps);
	if (ret < 0) {
		printf("sea-vmm: kvmsea_probe: %s\n", strerror(-ret));
		return 1;
	}
	printf("sea-vmm: caps: SEA_TO_USER %d, INJECT_EXT_DABT %d, VCPU_EVENTS %d, "
	       "INJECT_SERROR_ESR %d (host RAS), ARM_EL2 %d\n", caps.sea_to_user,
	       caps.inject_ext_dabt, caps.vcpu_events, caps.inject_serror_esr,
	       caps.arm_el2);
	if (!caps.sea_exits_possible)
		printf("sea-vmm: this host cannot give SEA exits (no KVM_CAP_ARM_SEA_TO_USER, "
		       "or no FEAT_RAS: guest SEAs then never reach the VMM)%s\n",
		       o->machine.simulate ? "" : "; try --simulate");

	ret = kvmsea_ctx_new(v->vm.vm_fd, &v->sea);
	if (ret < 0) {
		printf("sea-vmm: kvmsea_ctx_new: %s\n", strerror(-ret));
		return 1;
	}
	ret = kvmsea_ctx_enable(v->sea);
	if (ret < 0)
		printf("sea-vmm: kvmsea_ctx_enable: %s (SEAs reach the guest as SErrors)\n",
		       strerror(-ret));
	else
		printf("sea-vmm: SEA exits enabled (KVM_ENABLE_CAP, KVM_CAP_ARM_SEA_TO_USER)\n");
	kvmsea_ctx_set_handler(v->sea, on_sea, o);
	ret = kvmsea_vcpu_new(v->sea, v->vm.vcpu_fd, v->vm.run, 0, 0, &v->sea_vcpu);
	if (ret < 0) {
		printf("sea-vmm: kvmsea_vcpu_new: %s\n", strerror(-ret));
		return 1;
	}
	return 0;
}

/*
 * --simulate: the guest's access to the inaccessible bad page made KVM_RUN
 * fail with EFAULT, with the guest PC still on the access. Write the exit a
 * RAS host's KVM gives for an SEA there, and hand it to the library exactly
 * as a KVM_RUN that returned 0.
 */
static int simulate_sea(struct vmm *v, const struct options *o)
{
	/* EC data abort (0x24) or instruction abort (0x20) from a lower EL,
	 * IL, DFSC/IFSC 0x10 synchronous external abort; WnR for a store. */
	static const uint64_t esr[] = { 0x92000010, 0x92000050, 0x82000010 };
	struct arm_sea_exit sea = {
		.flags = EXIT_ARM_SEA_FLAG_GPA_VALID,
		.esr = esr[o->machine.access],
		.gva = DEMO_BAD_ADDRESS,
		.gpa = DEMO_BAD_ADDRESS & ~0xfffull,
	};

	printf("sea-vmm: simulate: KVM_RUN failed with EFAULT (the guest's %s of 0x%" PRIx64
	       " hit the inaccessible bad page)\n", demo_access_names[o->machine.access],
	       (uint64_t)DEMO_BAD_ADDRESS);
	printf("sea-vmm: simulate: writing by hand the exit a RAS host gives: exit_reason %d "
	       "(KVM_EXIT_ARM_SEA), arm_sea = { flags 0x%" PRIx64 ", esr 0x%" PRIx64
	       ", gva 0x%" PRIx64 ", gpa 0x%" PRIx64 " }\n", EXIT_ARM_SEA,
	       sea.flags, sea.esr, sea.gva, sea.gpa);
	printf("sea-vmm: simulate: calling kvmsea_vcpu_handle_exit() as after a KVM_RUN that returned 0\n");
	v->vm.run->exit_reason = EXIT_ARM_SEA;
	memcpy(&v->vm.run->mmio, &sea, sizeof(sea)); /* the exit union, offset 32 */
	return kvmsea_vcpu_handle_exit(v->sea_vcpu, 0);
}

static void print_injected(const struct vmm *v)
{
	const struct kvmsea_event *ev = kvmsea_vcpu_last_event(v->sea_vcpu);
	static const char *const how[] = {
		[KVMSEA_STRATEGY_VCPU_EVENTS] = "KVM_SET_VCPU_EVENTS, ext_dabt_pending",
		[KVMSEA_STRATEGY_EMULATE] = "exception entry written with KVM_SET_ONE_REG",
		[KVMSEA_STRATEGY_SERROR] = "KVM_SET_VCPU_EVENTS, serror_pending",
	};

	if (ev && ev->injected <= KVMSEA_STRATEGY_SERROR && how[ev->injected])
		printf("sea-vmm: injected with %s (%s)\n",
		       kvmsea_strategy_name(ev->injected), how[ev->injected]);
}

/* The run loop, with libkvmsea's hook where every VMM would put it. */
static int run_guest(struct vmm *v, const struct options *o)
{
	for (unsigned int exits = 0; exits < 1000; exits++) {
		int ret = ioctl(v->vm.vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
		int sea;

		if (ret == -EFAULT && o->machine.simulate)
			sea = simulate_sea(v, o);
		else
			sea = kvmsea_vcpu_handle_exit(v->sea_vcpu, ret);
		switch (sea) {
		case KVMSEA_EXIT_HANDLED:
			v->sea_exits++;
			print_injected(v);
			continue;
		case KVMSEA_EXIT_STOP:
			printf("sea-vmm: the policy stopped the VM\n");
			return 1;
		case KVMSEA_EXIT_NOT_SEA:
			break;
		default:
			printf("sea-vmm: kvmsea_vcpu_handle_exit: %s%s\n", strerror(-sea),
			       sea == -EOPNOTSUPP ? ": the strategy cannot deliver this abort "
			       "(vcpu-events has no instruction abort); nothing was injected" : "");
			return 1;
		}
		switch (demo_vm_exit(&v->vm, ret)) {
		case DEMO_RUN:
			continue;
		case DEMO_DONE:
			return 0;
		case DEMO_FAILED:
			return 1;
		}
	}
	printf("sea-vmm: the guest did not finish\n");
	return 1;
}

/* The guest finished, but not through an SEA the library handled: say why,
 * and whether that is this machine's doing (77) or a failure (1). */
static int explain_failure(const struct vmm *v, const struct options *o)
{
	struct kvmsea_caps caps;

	kvmsea_ctx_get_caps(v->sea, &caps);
	if (o->machine.simulate || (v->sea_exits && !v->vm.aborts_taken)) {
		printf("sea-vmm: FAILED: %u SEA(s) handled, %" PRIu64 " abort(s) seen by the guest\n",
		       v->sea_exits, v->vm.aborts_taken);
		return 1;
	}
	if (!v->vm.aborts_taken) {
		printf("sea-vmm: no abort: 0x%" PRIx64 " is not a hole on this machine; "
		       "try --simulate\n", o->machine.bad_phys);
		return 77;
	}
	if (o->machine.access == DEMO_FETCH) {
		printf("sea-vmm: no SEA: KVM maps a /dev/mem page as device memory, never "
		       "executable, and answered the fetch with a prefetch abort of its own; "
		       "try --simulate\n");
		return 77;
	}
	if (!caps.sea_exits_possible) {
		printf("sea-vmm: no SEA exit: without FEAT_RAS the abort never reaches the "
		       "VMM; try --simulate\n");
		return 77;
	}
	printf("sea-vmm: FAILED: the guest took an abort that KVM did not report\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct options o;
	struct vmm v = { 0 };
	int ret = parse_options(argc, argv, &o);

	if (ret)
		return ret == 1 ? 0 : 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = demo_vm_create(&v.vm, &o.machine);
	if (!ret)
		ret = setup_sea(&v, &o);
	if (!ret) {
		printf("sea-vmm: running the guest: a %s at 0x%" PRIx64 "%s\n",
		       demo_access_names[o.machine.access], (uint64_t)DEMO_BAD_ADDRESS,
		       o.machine.simulate ? " (simulated SEA)" : "");
		ret = run_guest(&v, &o);
	}
	if (!ret && v.sea_exits && v.vm.aborts_taken) {
		printf("sea-vmm: OK: the guest took %" PRIu64 " abort(s) and kept going\n",
		       v.vm.aborts_taken);
	} else if (!ret) {
		ret = explain_failure(&v, &o);
	}
	/* The library never closes or unmaps what is ours: free it first. */
	kvmsea_vcpu_free(v.sea_vcpu);
	kvmsea_ctx_free(v.sea);
	demo_vm_destroy(&v.vm);
	return ret;
}
