/* SPDX-License-Identifier: MIT */
/*
 * sea-vmm: the smallest VMM that survives a guest's synchronous external
 * abort (SEA) with libkvmsea.
 *
 * It creates a KVM VM with 64 KiB of RAM and one vCPU, loads the tiny
 * AArch64 guest of sea-vmm-guest.S (as instruction words: see
 * sea-vmm-guest.inc), and maps a "bad page" into the guest. The guest
 * installs its own vector table and touches the bad page; KVM reports the
 * SEA with KVM_EXIT_ARM_SEA, libkvmsea decodes it and calls our handler,
 * which prints the event and picks a strategy; the library injects the
 * abort, the guest's handler reports what it saw through MMIO writes, and
 * the guest carries on.
 *
 *   sea-vmm [--strategy auto|vcpu-events|emulate] [--access load|store|fetch]
 *           [--bad-phys ADDR] [--simulate]
 *
 * The bad page is the host-physical hole at --bad-phys mapped from
 * /dev/mem (default 0x0b000000, a hole in qemu's "virt" machine: an access
 * there is answered with an external abort, as a memory error would be).
 * --simulate is for machines where no real abort can be raised (no hole,
 * or a host without FEAT_RAS): the bad page is then an ordinary page with
 * no access rights, the guest's access makes KVM_RUN fail with EFAULT, and
 * sea-vmm writes into kvm_run, by hand, the KVM_EXIT_ARM_SEA a RAS host
 * would have returned. Everything after that is real.
 *
 * Exit status: 0 the guest took the abort and kept going, 1 it did not,
 * 2 usage, 77 this machine cannot run the example (not arm64, no KVM).
 * The file builds on any Linux host; it runs only on arm64.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libkvmsea/libkvmsea.h>

/* The guest's physical memory map. */
#define RAM_IPA     0x40000000ull  /* the guest image; it starts at offset 0 */
#define RAM_SIZE    0x10000ull
#define BAD_IPA     0x50000000ull  /* the bad page */
#define BAD_OFFSET  0x128ull       /* the byte the guest touches in it */
#define REPORT_IPA  0x60000000ull  /* no memory: stores become MMIO exits */
#define GUEST_PSTATE 0x2c5ull      /* EL1h; D, I, F masked; A (SError) open */

/* arm64 KVM definitions an x86_64 <linux/kvm.h> lacks (values from Linux's
 * arm64 uapi), so that this file compiles on every host. */
struct arm64_vcpu_init {
	uint32_t target;
	uint32_t features[7];
};
#define ARM64_PREFERRED_TARGET _IOR(KVMIO, 0xaf, struct arm64_vcpu_init)
#define ARM64_VCPU_INIT        _IOW(KVMIO, 0xae, struct arm64_vcpu_init)
/* ONE_REG ids of core registers: KVM_REG_ARM64 | SIZE_U64 | CORE | index. */
#define REG_CORE(index) (0x6030000000100000ull | (index))
#define REG_X(n)        REG_CORE(2 * (n))
#define REG_PC          REG_CORE(0x40)
#define REG_PSTATE      REG_CORE(0x42)
/* The SEA exit (Linux 6.19+ <linux/kvm.h>; older headers lack it). */
#define EXIT_ARM_SEA 41
#define EXIT_ARM_SEA_FLAG_GPA_VALID 1ull
struct arm_sea_exit {
	uint64_t flags, esr, gva, gpa;
};
_Static_assert(offsetof(struct kvm_run, mmio) == 32, "the exit union");

static const uint32_t guest_code[] = {
#include "sea-vmm-guest.inc"
};

enum access { ACCESS_LOAD, ACCESS_STORE, ACCESS_FETCH }; /* the guest's x1 */
static const char *const access_names[] = { "load", "store", "fetch" };

struct options {
	enum kvmsea_strategy strategy;
	enum access access;
	uint64_t bad_phys;
	bool simulate;
};

struct vmm {
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size, page_size;
	void *ram, *bad;
	struct kvmsea_ctx *sea;
	struct kvmsea_vcpu *sea_vcpu;
	unsigned int sea_exits;       /* SEAs that went through libkvmsea */
	uint64_t report[4];           /* vector, ESR_EL1, FAR_EL1, ELR_EL1 */
	bool finished;                /* the guest wrote "done" ... */
	uint64_t aborts_taken;        /* ... with this count */
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
	char *end;
	int c;

	*o = (struct options){ .strategy = KVMSEA_STRATEGY_AUTO,
			       .access = ACCESS_LOAD, .bad_phys = 0x0b000000 };
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
				o->access = ACCESS_LOAD;
			else if (!strcmp(optarg, "store"))
				o->access = ACCESS_STORE;
			else if (!strcmp(optarg, "fetch"))
				o->access = ACCESS_FETCH;
			else
				goto bad;
			break;
		case 'b':
			errno = 0;
			o->bad_phys = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg || (o->bad_phys & 0xfff))
				goto bad; /* a page address, 4 KiB aligned at least */
			break;
		case 'S':
			o->simulate = true;
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

static uint64_t guest_address(void)
{
	return BAD_IPA + BAD_OFFSET;
}

/* The handler: libkvmsea calls it on the vCPU thread for every SEA, before
 * anything is injected. Print what an operator wants to know, then say how
 * to deliver the abort. */
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
	printf("  esr      %s\n", esr);
	if (ev->known & KVMSEA_KNOWN_GVA)
		printf("  gva      0x%" PRIx64 " (valid: FnV is 0)\n", ev->gva);
	else
		printf("  gva      unknown (FnV is 1: FAR not valid)\n");
	if (ev->known & KVMSEA_KNOWN_PAGE_GPA)
		printf("  gpa      0x%" PRIx64 " (valid: KVM set GPA_VALID; 4 KiB page)\n",
		       ev->page_gpa);
	else
		printf("  gpa      unknown (KVM could not translate the address)\n");
	if (ev->known & KVMSEA_KNOWN_GPA)
		printf("  address  0x%" PRIx64 " (the faulting byte's IPA)\n", ev->gpa);
	else
		printf("  address  unknown (needs both gva and gpa)\n");
	printf("  guest    EL%u %s%s, PC 0x%" PRIx64 ", PSTATE 0x%" PRIx64 "\n",
	       ev->guest.el, ev->guest.aarch32 ? "AArch32" : "AArch64",
	       ev->guest.has_el2 ? " (nested vCPU)" : "", ev->guest.pc, ev->guest.pstate);
	printf("  repeats  %" PRIu32 " at this PC and address%s\n", ev->repeats,
	       ev->livelock ? " (livelock)" : "");
	printf("  action   inject, strategy %s\n", kvmsea_strategy_name(o->strategy));
	ret = kvmsea_vcpu_inject(vcpu, ev, o->strategy, &lost);
	if (ret < 0)
		return ret;
	if (lost)
		printf("  lost     0x%" PRIx32 ": what %s could not carry (KVMSEA_LOST_*)\n",
		       lost, kvmsea_strategy_name(ret));
	return KVMSEA_ACTION_HANDLED;
}

/* Probe and enable the capability, register the handler, bind the vCPU. */
static int setup_sea(struct vmm *vm, struct options *o)
{
	struct kvmsea_caps caps;
	int ret;

	ret = kvmsea_probe(vm->vm_fd, &caps);
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
		       o->simulate ? "" : "; try --simulate");

	ret = kvmsea_ctx_new(vm->vm_fd, &vm->sea);
	if (ret < 0) {
		printf("sea-vmm: kvmsea_ctx_new: %s\n", strerror(-ret));
		return 1;
	}
	ret = kvmsea_ctx_enable(vm->sea);
	if (ret < 0)
		printf("sea-vmm: kvmsea_ctx_enable: %s (SEAs reach the guest as SErrors)\n",
		       strerror(-ret));
	else
		printf("sea-vmm: SEA exits enabled (KVM_ENABLE_CAP, KVM_CAP_ARM_SEA_TO_USER)\n");
	kvmsea_ctx_set_handler(vm->sea, on_sea, o);
	ret = kvmsea_vcpu_new(vm->sea, vm->vcpu_fd, vm->run, 0, 0, &vm->sea_vcpu);
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
static int simulate_sea(struct vmm *vm, const struct options *o)
{
	/* EC data abort (0x24) or instruction abort (0x20) from a lower EL,
	 * IL, DFSC/IFSC 0x10 synchronous external abort; WnR for a store. */
	static const uint64_t esr[] = { 0x92000010, 0x92000050, 0x82000010 };
	struct arm_sea_exit sea = {
		.flags = EXIT_ARM_SEA_FLAG_GPA_VALID,
		.esr = esr[o->access],
		.gva = guest_address(),
		.gpa = guest_address() & ~0xfffull,
	};

	printf("sea-vmm: simulate: KVM_RUN failed with EFAULT (the guest's %s of 0x%" PRIx64
	       " hit the inaccessible bad page)\n", access_names[o->access], guest_address());
	printf("sea-vmm: simulate: writing by hand the exit a RAS host gives: exit_reason %d "
	       "(KVM_EXIT_ARM_SEA), arm_sea = { flags 0x%" PRIx64 ", esr 0x%" PRIx64
	       ", gva 0x%" PRIx64 ", gpa 0x%" PRIx64 " }\n", EXIT_ARM_SEA,
	       sea.flags, sea.esr, sea.gva, sea.gpa);
	printf("sea-vmm: simulate: calling kvmsea_vcpu_handle_exit() as after a KVM_RUN that returned 0\n");
	vm->run->exit_reason = EXIT_ARM_SEA;
	memcpy(&vm->run->mmio, &sea, sizeof(sea)); /* the exit union, offset 32 */
	return kvmsea_vcpu_handle_exit(vm->sea_vcpu, 0);
}

static void print_injected(struct vmm *vm)
{
	const struct kvmsea_event *ev = kvmsea_vcpu_last_event(vm->sea_vcpu);
	static const char *const how[] = {
		[KVMSEA_STRATEGY_VCPU_EVENTS] = "KVM_SET_VCPU_EVENTS, ext_dabt_pending",
		[KVMSEA_STRATEGY_EMULATE] = "exception entry written with KVM_SET_ONE_REG",
		[KVMSEA_STRATEGY_SERROR] = "KVM_SET_VCPU_EVENTS, serror_pending",
	};

	if (ev && ev->injected <= KVMSEA_STRATEGY_SERROR && how[ev->injected])
		printf("sea-vmm: injected with %s (%s)\n",
		       kvmsea_strategy_name(ev->injected), how[ev->injected]);
}

/* A store to the report page: keep it, and print once a report is whole. */
static bool guest_report(struct vmm *vm)
{
	static const char *const vbase[] = { "current EL with SP_EL0", "current EL with SP_ELx",
					     "lower EL, AArch64", "lower EL, AArch32" };
	static const char *const vtype[] = { "synchronous", "IRQ", "FIQ", "SError" };
	uint64_t off = vm->run->mmio.phys_addr - REPORT_IPA, val = 0;
	char esr[512];

	if (vm->run->exit_reason != KVM_EXIT_MMIO || !vm->run->mmio.is_write ||
	    vm->run->mmio.phys_addr < REPORT_IPA || off > 32 || off % 8)
		return false;
	memcpy(&val, vm->run->mmio.data, vm->run->mmio.len < 8 ? vm->run->mmio.len : 8);
	if (off == 32) {
		vm->finished = true;
		vm->aborts_taken = val;
		return true;
	}
	vm->report[off / 8] = val;
	if (off == 24) { /* ELR_EL1: the last of the four */
		kvmsea_esr_format(vm->report[1], KVMSEA_ESR_ONELINE, esr, sizeof(esr));
		printf("sea-vmm: the guest's handler ran: vector +0x%03" PRIx64 " (%s, %s)\n",
		       vm->report[0] * 0x80, vbase[(vm->report[0] / 4) & 3],
		       vtype[vm->report[0] & 3]);
		printf("  ESR_EL1  %s\n  FAR_EL1  0x%" PRIx64 "\n  ELR_EL1  0x%" PRIx64 "\n",
		       esr, vm->report[2], vm->report[3]);
	}
	return true;
}

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1; /* KVM_RUN returns EINTR: the loop sees the flag */
}

/* The run loop, with libkvmsea's hook where every VMM would put it. */
static int run_guest(struct vmm *vm, const struct options *o)
{
	for (unsigned int exits = 0; exits < 1000; exits++) {
		int r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
		int err = r < 0 ? errno : 0;
		int sea;

		if (err == EFAULT && o->simulate)
			sea = simulate_sea(vm, o);
		else
			sea = kvmsea_vcpu_handle_exit(vm->sea_vcpu, -err);
		switch (sea) {
		case KVMSEA_EXIT_HANDLED:
			vm->sea_exits++;
			print_injected(vm);
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
		if (err == EINTR && !timed_out)
			continue;
		if (err) {
			printf("sea-vmm: KVM_RUN: %s\n", timed_out ? "timed out" : strerror(err));
			return 1;
		}
		if (!guest_report(vm)) {
			printf("sea-vmm: unexpected exit %" PRIu32 "\n", vm->run->exit_reason);
			return 1;
		}
		if (vm->finished)
			return 0;
	}
	printf("sea-vmm: the guest did not finish\n");
	return 1;
}

static int set_reg(struct vmm *vm, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };

	return ioctl(vm->vcpu_fd, KVM_SET_ONE_REG, &reg);
}

static int add_memory(struct vmm *vm, uint32_t slot, uint64_t ipa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot, .guest_phys_addr = ipa, .memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
}

/* The machine, with plain KVM ioctls. 0, 1 (failed) or 77 (cannot run). */
static int create_vm(struct vmm *vm, const struct options *o)
{
	struct arm64_vcpu_init init;
	int mem;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		printf("sea-vmm: cannot open /dev/kvm: %s: this machine cannot run the example\n",
		       strerror(errno));
		return 77;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0 || ioctl(vm->vm_fd, ARM64_PREFERRED_TARGET, &init) < 0) {
		printf("sea-vmm: KVM here cannot make an arm64 VM (%s)\n", strerror(errno));
		return 77;
	}

	vm->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->ram == MAP_FAILED)
		goto fail;
	memcpy(vm->ram, guest_code, sizeof(guest_code));
	if (add_memory(vm, 0, RAM_IPA, RAM_SIZE, vm->ram) < 0)
		goto fail;

	if (o->simulate) {
		vm->bad = mmap(NULL, vm->page_size, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else {
		mem = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
		if (mem < 0) {
			printf("sea-vmm: cannot open /dev/mem: %s (try --simulate)\n",
			       strerror(errno));
			return 77;
		}
		vm->bad = mmap(NULL, vm->page_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			       mem, (off_t)o->bad_phys);
		close(mem);
	}
	if (vm->bad == MAP_FAILED || add_memory(vm, 1, BAD_IPA, vm->page_size, vm->bad) < 0)
		goto fail;

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	vm->run_size = (size_t)ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_fd < 0 || ioctl(vm->vcpu_fd, ARM64_VCPU_INIT, &init) < 0)
		goto fail;
	vm->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED)
		goto fail;

	/* The guest's arguments (see sea-vmm-guest.S) and where it starts. */
	if (set_reg(vm, REG_X(0), guest_address()) < 0 ||
	    set_reg(vm, REG_X(1), o->access) < 0 ||
	    set_reg(vm, REG_X(28), REPORT_IPA) < 0 ||
	    set_reg(vm, REG_PSTATE, GUEST_PSTATE) < 0 ||
	    set_reg(vm, REG_PC, RAM_IPA) < 0)
		goto fail;
	printf("sea-vmm: VM ready: guest %zu bytes at IPA 0x%llx, bad page at IPA 0x%llx (%s), "
	       "report page at IPA 0x%llx\n", sizeof(guest_code), RAM_IPA, BAD_IPA,
	       o->simulate ? "simulated: an anonymous page with no access" : "/dev/mem",
	       REPORT_IPA);
	if (!o->simulate)
		printf("sea-vmm: the bad page is host-physical 0x%" PRIx64 "\n", o->bad_phys);
	return 0;
fail:
	printf("sea-vmm: setting up the VM: %s\n", strerror(errno));
	return 1;
}

/* The guest finished, but not through an SEA the library handled: say why,
 * and whether that is this machine's doing (77) or a failure (1). */
static int explain_failure(const struct vmm *vm, const struct options *o)
{
	struct kvmsea_caps caps;

	kvmsea_ctx_get_caps(vm->sea, &caps);
	if (o->simulate || (vm->sea_exits && !vm->aborts_taken)) {
		printf("sea-vmm: FAILED: %u SEA(s) handled, %" PRIu64 " abort(s) seen by the guest\n",
		       vm->sea_exits, vm->aborts_taken);
		return 1;
	}
	if (!vm->aborts_taken) {
		printf("sea-vmm: no abort: 0x%" PRIx64 " is not a hole on this machine; "
		       "try --simulate\n", o->bad_phys);
		return 77;
	}
	if (o->access == ACCESS_FETCH) {
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
	struct vmm vm = { .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1 };
	int ret = parse_options(argc, argv, &o);

	if (ret)
		return ret == 1 ? 0 : 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
#ifndef __aarch64__
	printf("sea-vmm: built for a host that is not arm64: KVM here cannot run the arm64 "
	       "guest. Nothing to do (exit 77).\n");
	return 77;
#endif
	vm.page_size = (size_t)sysconf(_SC_PAGESIZE);
	ret = create_vm(&vm, &o);
	if (!ret)
		ret = setup_sea(&vm, &o);
	if (!ret) {
		struct sigaction sa = { .sa_handler = on_alarm }; /* no SA_RESTART */

		sigaction(SIGALRM, &sa, NULL);
		alarm(20);
		printf("sea-vmm: running the guest: a %s at 0x%" PRIx64 "%s\n",
		       access_names[o.access], guest_address(),
		       o.simulate ? " (simulated SEA)" : "");
		ret = run_guest(&vm, &o);
	}
	if (!ret && vm.sea_exits && vm.aborts_taken) {
		printf("sea-vmm: OK: the guest took %" PRIu64 " abort(s) and kept going\n",
		       vm.aborts_taken);
	} else if (!ret) {
		ret = explain_failure(&vm, &o);
	}
	/* The library never closes or unmaps what is ours: free it first. */
	kvmsea_vcpu_free(vm.sea_vcpu);
	kvmsea_ctx_free(vm.sea);
	if (vm.run && vm.run != MAP_FAILED)
		munmap(vm.run, vm.run_size);
	return ret;
}
