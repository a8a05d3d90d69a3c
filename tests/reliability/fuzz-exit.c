/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the run-loop hook and the injections against the simulated
 * kernel. The input chooses a host, a VM and a vCPU, the guest's registers,
 * then a program of steps: SEAs and other exits queued for KVM_RUN (exit 41
 * with arbitrary arm_sea contents among them), -EINTR with a stale exit,
 * KVM_RUN errors, kvm_run scribbled directly with any run_ret, handler
 * verdicts (every action, errnos, nonsense, injecting itself), and
 * kvmsea_vcpu_inject() with made-up events and any strategy.
 *
 * Invariants, after every call:
 *  - the result is HANDLED, NOT_SEA, STOP or a negative errno;
 *  - anything but (run_ret 0, exit 41) is NOT_SEA with no ioctl, no handler
 *    call and the vCPU exactly as it was;
 *  - an event says what kvm_run and the vCPU said (exit fields, what is
 *    known, masked addresses, PC, PSTATE, seq, repeats and livelock
 *    against an independent model of the livelock guard);
 *  - the result is the one the handler's verdict calls for;
 *  - no verdict without an injection changes the vCPU; a failed call
 *    changes nothing, whatever the handle's flags claim;
 *  - an injection happens at most once per KVM_RUN return, as the
 *    strategy reported; a second is -EALREADY, and so is the hook called
 *    again on an exit it injected.
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/ioctl.h>

#include "fuzz-input.h"
#include "internal.h"
#include "kvmsim.h"
#include "vcpu-snap.h"

#define MAX_STEPS 24
#define RUN_INJECTED_MARK (1ULL << 63)

/* Everything one input builds, and what the handler is expected to see. */
struct world {
	struct fuzz_input *in;
	struct kvmsim_host *host;
	struct kvmsim_vcpu *sv;
	struct kvmsea_ctx *ctx;
	struct kvmsea_vcpu *v;
	struct kvmsea_uapi_run *run;
	int fd;
	uint32_t id, lib_flags, sim_flags, limit;
	bool truthful;        /* the handle's flags match the vCPU */
	bool with_handler;

	/* The independent model of the event stream and the guard. */
	uint64_t seq;
	bool have_prev, delivered;
	uint64_t prev_pc, prev_esr, prev_gva, prev_gpa;
	uint32_t repeats;
	bool injected;       /* on this KVM_RUN return */

	/* Per hook call. */
	struct kvmsea_uapi_arm_sea sea; /* run->arm_sea before the call */
	uint64_t pc, pstate;            /* the guest's, before the call */
	uint32_t expect_repeats;
	int handler_calls;
	int verdict;                    /* what the handler returned */
	int self_injected;              /* its own kvmsea_vcpu_inject() result */
};

static struct world W;

static bool is_errno(int r)
{
	return r < 0 && r >= -4095;
}

/* An injection, judged by what it did to the vCPU. */
static void check_injection(const struct vcpu_snap *before,
			    const struct vcpu_snap *after, int strategy)
{
	unsigned long dabt = after->ext_dabt - before->ext_dabt;
	unsigned long serr = after->serrors - before->serrors;
	uint64_t mode;

	switch (strategy) {
	case KVMSEA_STRATEGY_VCPU_EVENTS:
		FUZZ_CHECK(dabt == 1 && serr == 0);
		break;
	case KVMSEA_STRATEGY_SERROR:
		FUZZ_CHECK(dabt == 0 && serr == 1);
		break;
	case KVMSEA_STRATEGY_EMULATE:
		FUZZ_CHECK(dabt == 0 && serr == 0);
		/* The guest now runs its abort handler, interrupts masked. */
		mode = after->regs[VCPU_SNAP_PSTATE] & 0x1f;
		FUZZ_CHECK(mode == 0x5 || mode == 0x9 || mode == 0x17);
		FUZZ_CHECK(after->regs[VCPU_SNAP_PSTATE] & (1ULL << 8));
		break;
	default:
		FUZZ_CHECK(!"an injection reported a strategy that is not one");
	}
}

/* A failed call changed nothing. (-EIO says an undo failed: the
 * simulated kernel never refuses a value it held, so never here.) */
static void check_unchanged(int r, const struct vcpu_snap *before,
			    const struct vcpu_snap *after)
{
	FUZZ_CHECK(r != -EIO || W.verdict == -EIO); /* a handler may say so */
	FUZZ_CHECK(vcpu_snap_equal(before, after));
}

static void check_event(const struct kvmsea_event *ev)
{
	bool gva_known = kvmsea_esr_far_valid(W.sea.esr);
	bool page_known = W.sea.flags & KVM_EXIT_ARM_SEA_FLAG_GPA_VALID;
	bool has_el2 = W.sim_flags & KVMSIM_VCPU_HAS_EL2;

	FUZZ_CHECK(ev->source == KVMSEA_SOURCE_EXIT);
	FUZZ_CHECK(ev->vcpu_id == W.id);
	FUZZ_CHECK(ev->seq == W.seq + 1);
	FUZZ_CHECK(ev->exit.flags == W.sea.flags && ev->exit.esr == W.sea.esr &&
		   ev->exit.gva == W.sea.gva && ev->exit.gpa == W.sea.gpa);
	FUZZ_CHECK(ev->syndrome == W.sea.esr && ev->esr.raw == W.sea.esr);
	FUZZ_CHECK(!!(ev->known & KVMSEA_KNOWN_GVA) == gva_known);
	FUZZ_CHECK(!!(ev->known & KVMSEA_KNOWN_PAGE_GPA) == page_known);
	FUZZ_CHECK(!!(ev->known & KVMSEA_KNOWN_GPA) == (gva_known && page_known));
	FUZZ_CHECK(ev->known & KVMSEA_KNOWN_GUEST);
	FUZZ_CHECK(!(ev->known & KVMSEA_KNOWN_PAGE_HVA));
	FUZZ_CHECK(ev->gva == (gva_known ? W.sea.gva : 0));
	FUZZ_CHECK(ev->page_gpa == (page_known ? W.sea.gpa & ~0xfffULL : 0));
	FUZZ_CHECK(ev->page_size == (page_known ? 4096 : 0));
	FUZZ_CHECK(ev->gpa == ((gva_known && page_known) ?
			       ev->page_gpa | (ev->gva & 0xfff) : 0));
	FUZZ_CHECK(ev->guest.pc == W.pc && ev->guest.pstate == W.pstate);
	FUZZ_CHECK(ev->guest.el <= 3);
	FUZZ_CHECK(ev->guest.aarch32 == !!(W.pstate & 0x10));
	/* The library checks the EL2 claim against the vCPU, and a nested
	 * vCPU never has an AArch32 EL1. */
	FUZZ_CHECK(ev->guest.has_el2 == has_el2);
	FUZZ_CHECK(ev->guest.el1_aarch32 ==
		   (!has_el2 && (W.lib_flags & KVMSEA_VCPU_EL1_32BIT)));
	FUZZ_CHECK(!ev->guest.in_nested_guest || has_el2);
	FUZZ_CHECK(ev->repeats == W.expect_repeats);
	FUZZ_CHECK(ev->livelock == (W.limit && W.expect_repeats >= W.limit));
}

/* The handler: checks the event, then returns what the input says. */
static int on_sea(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
		  void *opaque)
{
	uint8_t pick = fuzz_u8(W.in);

	FUZZ_CHECK(opaque == &W && vcpu == W.v);
	FUZZ_CHECK(ev == kvmsea_vcpu_last_event(vcpu));
	FUZZ_CHECK(ev->injected == KVMSEA_STRATEGY_NONE);
	check_event(ev);
	W.handler_calls++;

	if (pick < 0x80) {
		W.verdict = pick % (KVMSEA_ACTION_HANDLED + 1);
	} else if (pick < 0xa0) {
		/* Inject through the public call, with any strategy; then
		 * (1 in 2) ask for the default too, which must not inject
		 * again, or try a second injection, which is refused. */
		enum kvmsea_strategy how = (enum kvmsea_strategy)(pick % 6);
		uint32_t lost = 0;
		int r = kvmsea_vcpu_inject(vcpu, ev, how, &lost);

		FUZZ_CHECK(is_errno(r) || (r >= KVMSEA_STRATEGY_VCPU_EVENTS &&
					   r <= KVMSEA_STRATEGY_SERROR));
		FUZZ_CHECK(lost < (1u << 8));
		if (how == KVMSEA_STRATEGY_NONE || how > KVMSEA_STRATEGY_SERROR)
			FUZZ_CHECK(r == -EINVAL);
		else if (r > 0 && how != KVMSEA_STRATEGY_AUTO)
			FUZZ_CHECK(r == (int)how);
		if (r > 0)
			FUZZ_CHECK(kvmsea_vcpu_inject(vcpu, ev, how, NULL) == -EALREADY);
		W.self_injected = r;
		W.verdict = r < 0 ? r : (pick & 0x10) ? KVMSEA_ACTION_DEFAULT :
						       KVMSEA_ACTION_HANDLED;
	} else if (pick < 0xc0) {
		W.verdict = -(int)(pick % 40) - 1;           /* an errno */
	} else if (pick < 0xe0) {
		W.verdict = KVMSEA_ACTION_HANDLED + 1 + pick; /* no such action */
	} else {
		W.verdict = pick & 1 ? INT32_MAX : INT32_MIN;
	}
	return W.verdict;
}

/* The guard: the same SEA (PC, syndrome, addresses) again with nothing
 * delivered since the last one counts on; anything else starts at 1. */
static uint64_t model_gva(void)
{
	return kvmsea_esr_far_valid(W.sea.esr) ? W.sea.gva : 0;
}

static uint64_t model_page(void)
{
	return (W.sea.flags & KVM_EXIT_ARM_SEA_FLAG_GPA_VALID) ?
	       W.sea.gpa & ~0xfffULL : 0;
}

static void expect_repeats(void)
{
	if (W.have_prev && !W.delivered && W.pc == W.prev_pc &&
	    W.sea.esr == W.prev_esr && model_gva() == W.prev_gva &&
	    model_page() == W.prev_gpa)
		W.expect_repeats = W.repeats + 1;
	else
		W.expect_repeats = 1;
}

static void commit_event(int r, const struct kvmsea_event *ev)
{
	W.seq++;
	W.have_prev = true;
	W.delivered = ev->injected != KVMSEA_STRATEGY_NONE;
	W.prev_pc = W.pc;
	W.prev_esr = W.sea.esr;
	W.prev_gva = model_gva();
	W.prev_gpa = model_page();
	W.repeats = W.expect_repeats;
	/* A vCPU the VMM restarts after a stop starts counting afresh. */
	if (r == KVMSEA_EXIT_STOP)
		W.have_prev = false;
}

/* The result the verdict calls for, when no injection failed. */
static void check_verdict(int r, int verdict, const struct kvmsea_event *ev,
			  const struct vcpu_snap *before,
			  const struct vcpu_snap *after)
{
	if (W.self_injected > 0) {
		/* HANDLED, or DEFAULT, which injects nothing more. */
		FUZZ_CHECK(r == KVMSEA_EXIT_HANDLED);
		FUZZ_CHECK(ev->injected == (enum kvmsea_strategy)W.self_injected);
		check_injection(before, after, W.self_injected);
		return;
	}
	if (verdict == KVMSEA_ACTION_DEFAULT && ev->livelock) {
		FUZZ_CHECK(r == KVMSEA_EXIT_STOP);
	} else if (verdict == KVMSEA_ACTION_DEFAULT) {
		/* The default policy stops where nothing can be injected
		 * (a nested guest whose hypervisor owns the abort). */
		FUZZ_CHECK(r == KVMSEA_EXIT_HANDLED || is_errno(r) ||
			   r == KVMSEA_EXIT_STOP);
		if (r == KVMSEA_EXIT_HANDLED) {
			FUZZ_CHECK(ev->injected != KVMSEA_STRATEGY_NONE);
			check_injection(before, after, ev->injected);
			return;
		}
	} else if (verdict == KVMSEA_ACTION_RETRY ||
		   verdict == KVMSEA_ACTION_HANDLED) {
		FUZZ_CHECK(r == KVMSEA_EXIT_HANDLED);
	} else if (verdict == KVMSEA_ACTION_STOP) {
		FUZZ_CHECK(r == KVMSEA_EXIT_STOP);
	} else if (verdict < 0) {
		/* An errno comes back; any other negative is -EINVAL. */
		FUZZ_CHECK(r == (verdict >= -4095 ? verdict : -EINVAL));
	} else {
		FUZZ_CHECK(r == -EINVAL);
	}
	/* Nothing was injected. */
	FUZZ_CHECK(ev->injected == KVMSEA_STRATEGY_NONE);
	check_unchanged(r, before, after);
}

/* kvmsea_vcpu_handle_exit() after a KVM_RUN (or a scribble) that gave
 * @run_ret, with every invariant checked. */
static void hook(int run_ret)
{
	bool is_sea = run_ret == 0 && W.run->exit_reason == KVM_EXIT_ARM_SEA;
	bool again = is_sea && (W.run->u.arm_sea.flags & RUN_INJECTED_MARK);
	unsigned long ioctls = kvmsim_ioctl_count(W.fd, KVMSIM_IOCTL_ALL);
	const struct kvmsea_event *ev;
	struct vcpu_snap before, after;
	int r;

	W.sea = W.run->u.arm_sea;
	FUZZ_CHECK(kvmsim_reg_read(W.sv, KVMSEA_REG_PC, &W.pc) == 0);
	FUZZ_CHECK(kvmsim_reg_read(W.sv, KVMSEA_REG_PSTATE, &W.pstate) == 0);
	expect_repeats();
	W.handler_calls = 0;
	W.verdict = KVMSEA_ACTION_DEFAULT;
	W.self_injected = 0;
	vcpu_snap_take(W.sv, &before);

	r = kvmsea_vcpu_handle_exit(W.v, run_ret);

	vcpu_snap_take(W.sv, &after);
	/* A handler's negative verdict comes back as it is, errno or not. */
	FUZZ_CHECK(r == KVMSEA_EXIT_HANDLED || r == KVMSEA_EXIT_NOT_SEA ||
		   r == KVMSEA_EXIT_STOP || is_errno(r) ||
		   (W.handler_calls && r == W.verdict && r < 0));
	if (!is_sea) {
		/* Not ours: two compares, nothing else. A new return. */
		W.injected = false;
		FUZZ_CHECK(r == KVMSEA_EXIT_NOT_SEA);
		FUZZ_CHECK(W.handler_calls == 0);
		FUZZ_CHECK(kvmsim_ioctl_count(W.fd, KVMSIM_IOCTL_ALL) == ioctls);
		FUZZ_CHECK(vcpu_snap_equal(&before, &after));
		return;
	}
	FUZZ_CHECK(r != KVMSEA_EXIT_NOT_SEA);
	FUZZ_CHECK(W.handler_calls <= 1);
	if (again) {
		/* An exit it injected already: refused, nothing else. */
		FUZZ_CHECK(r == -EALREADY && W.handler_calls == 0);
		FUZZ_CHECK(kvmsim_ioctl_count(W.fd, KVMSIM_IOCTL_ALL) == ioctls);
		FUZZ_CHECK(vcpu_snap_equal(&before, &after));
		return;
	}
	W.injected = false;

	ev = kvmsea_vcpu_last_event(W.v);
	if (!ev || ev->seq == W.seq) {
		/* The vCPU's PC or PSTATE could not be read: no event. */
		FUZZ_CHECK(is_errno(r) && W.handler_calls == 0);
		FUZZ_CHECK(vcpu_snap_equal(&before, &after));
		return;
	}
	if (W.with_handler)
		FUZZ_CHECK(W.handler_calls == 1);
	else
		check_event(ev);
	check_verdict(r, W.verdict, ev, &before, &after);
	W.injected = ev->injected != KVMSEA_STRATEGY_NONE;
	commit_event(r, ev);
}

/* kvmsea_vcpu_inject() with @ev, checked. */
static void inject(const struct kvmsea_event *ev, enum kvmsea_strategy how)
{
	struct vcpu_snap before, after;
	unsigned int ec = (ev->syndrome >> 26) & 0x3f;
	bool is_abort = ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25;
	int r;

	vcpu_snap_take(W.sv, &before);
	W.verdict = KVMSEA_ACTION_DEFAULT;
	r = kvmsea_vcpu_inject(W.v, ev, how, NULL);
	vcpu_snap_take(W.sv, &after);
	FUZZ_CHECK(is_errno(r) || (r >= KVMSEA_STRATEGY_VCPU_EVENTS &&
				   r <= KVMSEA_STRATEGY_SERROR));
	/* Once per KVM_RUN return. */
	if (W.injected)
		FUZZ_CHECK(r == -EALREADY);
	/* Nothing to deliver, or no way to: refused (-EINVAL, unless reading
	 * the vCPU failed first). */
	if (!is_abort || how == KVMSEA_STRATEGY_NONE || how > KVMSEA_STRATEGY_SERROR)
		FUZZ_CHECK(r < 0);
	if (r < 0) {
		check_unchanged(r, &before, &after);
		return;
	}
	W.injected = true;
	W.delivered = true;
	if (how != KVMSEA_STRATEGY_AUTO)
		FUZZ_CHECK(r == (int)how);
	check_injection(&before, &after, r);
}

/* ---- Building the world from the input ---- */

static const uint8_t modes[] = { 0x0, 0x4, 0x5, 0x8, 0x9, 0x10, 0x11, 0x13,
				 0x17, 0x1b, 0x1f, 0x1 };

static uint64_t any_pstate(struct fuzz_input *in)
{
	uint8_t pick = fuzz_u8(in);
	uint64_t bits = fuzz_u64(in);

	if (pick >= 0xc0)
		return bits;
	return (bits & 0xf0000fc0ULL) | modes[pick % sizeof(modes)];
}

static const uint64_t regs[] = {
	KVMSEA_REG_PC, KVMSEA_REG_PSTATE, KVMSEA_REG_SCTLR_EL1,
	KVMSEA_REG_SCTLR2_EL1, KVMSEA_REG_TCR_EL1, KVMSEA_REG_FAR_EL1,
	KVMSEA_REG_VBAR_EL1, KVMSEA_REG_SCTLR_EL2, KVMSEA_REG_SCTLR2_EL2,
	KVMSEA_REG_HCR_EL2, KVMSEA_REG_HCRX_EL2, KVMSEA_REG_VBAR_EL2,
};

static void set_registers(struct fuzz_input *in, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t id = regs[fuzz_u8(in) % (sizeof(regs) / sizeof(regs[0]))];
		uint64_t val = id == KVMSEA_REG_PSTATE ? any_pstate(in) : fuzz_u64(in);

		/* Direct: a guest can be anywhere, valid for KVM or not. */
		FUZZ_CHECK(kvmsim_reg_write(W.sv, id, val) == 0);
	}
	/* Except with a 64-bit PC in AArch32 state: KVM narrows PC (and the
	 * X registers) at every core register write, so that state cannot
	 * persist, and a write by the library would "change" it. */
	if (kvmsim_reg_get(W.sv, KVMSEA_REG_PSTATE) & 0x10)
		kvmsim_reg_set(W.sv, KVMSEA_REG_PC,
			       (uint32_t)kvmsim_reg_get(W.sv, KVMSEA_REG_PC));
}

static bool build(struct fuzz_input *in)
{
	static const enum kvmsim_profile profiles[] = {
		KVMSIM_HOST_RAS, KVMSIM_HOST_NO_RAS, KVMSIM_HOST_OLD_KERNEL,
	};
	uint8_t host = fuzz_u8(in), vcpu = fuzz_u8(in);
	unsigned int vm_flags = 0, sim_flags = 0;
	struct kvmsim_vm *vm;
	struct kvmsea_caps caps;
	int r;

	memset(&W, 0, sizeof(W));
	W.in = in;
	W.host = kvmsim_host_new(profiles[host % 3],
				 host & 4 ? KVMSIM_HOST_ARM_EL2 : 0);
	FUZZ_CHECK(W.host != NULL);
	if (host & 8)
		vm_flags |= KVMSIM_VM_PROTECTED;
	if (host & 16)
		vm_flags |= KVMSIM_VM_MTE;
	if (host & 32)
		vm_flags |= KVMSIM_VM_NO_RAS;
	vm = kvmsim_create_vm(W.host, vm_flags);
	FUZZ_CHECK(vm != NULL);
	if (vcpu & 1)
		sim_flags |= KVMSIM_VCPU_EL1_32BIT;
	if (vcpu & 2)
		sim_flags |= KVMSIM_VCPU_HAS_EL2;
	if (vcpu & 4)
		sim_flags |= KVMSIM_VCPU_SCTLR2;
	if ((vcpu & 0x18) == 0x18)
		sim_flags |= KVMSIM_VCPU_UNINIT;
	W.sv = kvmsim_create_vcpu(vm, sim_flags);
	W.sim_flags = sim_flags;
	if (!W.sv)
		return false; /* a combination KVM refuses */
	W.fd = kvmsim_vcpu_fd(W.sv);
	W.run = kvmsim_vcpu_run_area(W.sv);

	FUZZ_CHECK(kvmsea_ctx_new(kvmsim_vm_fd(vm), &W.ctx) == 0);
	FUZZ_CHECK(kvmsea_ctx_get_caps(W.ctx, &caps) == 0);
	if (!(host & 64)) {
		r = kvmsea_ctx_enable(W.ctx);
		FUZZ_CHECK(r == (caps.sea_to_user > 0 ? 0 : -EOPNOTSUPP));
	}
	W.limit = fuzz_u8(in) % 10;
	FUZZ_CHECK(kvmsea_ctx_set_livelock_limit(W.ctx, W.limit) == 0);
	W.with_handler = !(vcpu & 0x20);
	if (W.with_handler)
		FUZZ_CHECK(kvmsea_ctx_set_handler(W.ctx, on_sea, &W) == 0);

	/* The handle's flags: the truth, or (1 in 4) whatever the input says. */
	W.truthful = (vcpu & 0xc0) != 0xc0;
	if (W.truthful) {
		if (sim_flags & KVMSIM_VCPU_EL1_32BIT)
			W.lib_flags |= KVMSEA_VCPU_EL1_32BIT;
		if (sim_flags & KVMSIM_VCPU_HAS_EL2)
			W.lib_flags |= KVMSEA_VCPU_HAS_EL2;
	} else {
		W.lib_flags = fuzz_u8(in) & 3;
		W.truthful = W.lib_flags ==
			((sim_flags & KVMSIM_VCPU_EL1_32BIT ? KVMSEA_VCPU_EL1_32BIT : 0) |
			 (sim_flags & KVMSIM_VCPU_HAS_EL2 ? KVMSEA_VCPU_HAS_EL2 : 0));
	}
	W.id = fuzz_u32(in);
	r = kvmsea_vcpu_new(W.ctx, W.fd, W.run, W.id, W.lib_flags, &W.v);
	if (W.lib_flags == (KVMSEA_VCPU_EL1_32BIT | KVMSEA_VCPU_HAS_EL2)) {
		FUZZ_CHECK(r == -EINVAL && W.v == NULL);
		return false;
	}
	FUZZ_CHECK(r == 0 && W.v != NULL);
	FUZZ_CHECK(kvmsea_vcpu_last_event(W.v) == NULL);
	set_registers(in, fuzz_u8(in) % 16);
	return true;
}

static void teardown(void)
{
	kvmsea_vcpu_free(W.v);
	kvmsea_ctx_free(W.ctx);
	kvmsim_host_free(W.host);
}

/* ---- The steps ---- */

/* Every field from the input (enums and bools kept to valid values: a
 * caller cannot hand over anything else without undefined behaviour). */
static void made_up_event(struct fuzz_input *in, struct kvmsea_event *ev)
{
	uint8_t bits = fuzz_u8(in);

	memset(ev, 0, sizeof(*ev));
	ev->source = (enum kvmsea_source)(1 + bits % 4);
	ev->vcpu_id = fuzz_u32(in);
	ev->seq = fuzz_u64(in);
	ev->exit.flags = fuzz_u64(in);
	ev->exit.esr = fuzz_u64(in);
	ev->exit.gva = fuzz_u64(in);
	ev->exit.gpa = fuzz_u64(in);
	ev->syndrome = fuzz_u64(in);
	kvmsea_esr_decode(fuzz_u64(in), &ev->esr);
	ev->known = fuzz_u32(in);
	ev->gva = fuzz_u64(in);
	ev->gpa = fuzz_u64(in);
	ev->page_gpa = fuzz_u64(in);
	ev->page_hva = fuzz_u64(in);
	ev->page_size = fuzz_u64(in);
	ev->guest.pc = fuzz_u64(in);
	ev->guest.pstate = fuzz_u64(in);
	ev->guest.el = fuzz_u8(in);
	ev->guest.aarch32 = bits & 8;
	ev->guest.has_el2 = bits & 16;
	ev->repeats = fuzz_u32(in);
	ev->livelock = bits & 32;
}

/* KVM_RUN as a VMM calls it, and the hook with what it returned. */
static void run_and_hook(struct fuzz_input *in)
{
	int r = ioctl(W.fd, KVM_RUN, 0);
	int run_ret = r < 0 ? -errno : 0;
	uint8_t how = fuzz_u8(in);

	/* Some VMMs pass ioctl()'s -1 rather than -errno. */
	if (r < 0 && (how & 1))
		run_ret = -1;
	hook(run_ret);
}

static void step(struct fuzz_input *in)
{
	uint8_t op = fuzz_u8(in);
	struct kvmsea_event ev;

	switch (op % 10) {
	case 0: { /* a guest SEA, as KVM decides it */
		struct kvmsim_sea sea = { 0 };

		sea.esr = fuzz_u64(in);
		sea.far = fuzz_u64(in);
		sea.ipa = fuzz_u64(in);
		sea.ipa_valid = op & 0x10;
		sea.apei_claimed = (op & 0xe0) == 0xe0;
		(void)kvmsim_queue_sea(W.sv, &sea); /* may refuse: not an SEA */
		run_and_hook(in);
		break;
	}
	case 1: { /* any exit, 41 among them, with arbitrary contents */
		uint8_t data[32];
		struct kvmsim_exit exit = { 0 };

		exit.reason = (op & 0x10) ? KVM_EXIT_ARM_SEA : fuzz_u32(in);
		exit.esr = fuzz_u64(in);
		fuzz_take(in, data, sizeof(data));
		exit.data = data;
		exit.data_len = sizeof(data);
		FUZZ_CHECK(kvmsim_queue_exit(W.sv, &exit) == 0);
		run_and_hook(in);
		break;
	}
	case 2: /* a signal; stale: exit_reason and arm_sea left as they were */
		FUZZ_CHECK(kvmsim_queue_eintr(W.sv, op & 0x10) == 0);
		run_and_hook(in);
		break;
	case 3: /* KVM_RUN fails */
		FUZZ_CHECK(kvmsim_queue_error(W.sv, 1 + op % 64) == 0);
		run_and_hook(in);
		break;
	case 4: /* immediate_exit: -EINTR at once, kvm_run untouched */
		W.run->immediate_exit = 1;
		run_and_hook(in);
		W.run->immediate_exit = 0;
		break;
	case 5: /* kvm_run scribbled, any run_ret: the hook sees what it sees */
		W.run->exit_reason = (op & 0x10) ? KVM_EXIT_ARM_SEA : fuzz_u32(in);
		fuzz_take(in, &W.run->u.arm_sea, sizeof(W.run->u.arm_sea));
		hook((op & 0x20) ? (int)fuzz_u32(in) : 0);
		break;
	case 6: /* a made-up event (the library reads its syndrome, gva and
		 * known, and nothing else) */
		made_up_event(in, &ev);
		inject(&ev, (enum kvmsea_strategy)(fuzz_u8(in) % 7));
		break;
	case 7: /* the last event again, the guest having moved on since */
		if (kvmsea_vcpu_last_event(W.v))
			inject(kvmsea_vcpu_last_event(W.v),
			       (enum kvmsea_strategy)(fuzz_u8(in) % 7));
		break;
	case 8: /* the guest continues elsewhere */
		set_registers(in, 1 + op % 4);
		break;
	case 9: /* the guest takes any pending SError */
		kvmsim_vcpu_clear_serror(W.sv);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };

	if (build(&in))
		for (int i = 0; i < MAX_STEPS && in.left; i++)
			step(&in);
	teardown();
	return 0;
}
