/* SPDX-License-Identifier: MIT */
/* The run-loop hook: from a KVM_RUN return to an event, the livelock
 * guard, the handler's verdict and the action, and the one injection a
 * return may have. */
#include <errno.h>
#include <string.h>

#include "arm64.h"
#include "internal.h"
#include "kvm.h"

/* Set in run->arm_sea.flags (which KVM rewrites at every SEA exit, and
 * whose bit 63 it leaves 0) once something was injected on the return
 * that brought that exit: a second kvmsea_vcpu_handle_exit() on the same
 * KVM_RUN return then sees it. */
#define RUN_INJECTED_MARK (1ULL << 63)

/* The guest's PC (the faulting instruction), PSTATE and, for a nested
 * vCPU, HCR_EL2 (whether the abort came from its nested guest). */
static int read_guest(const struct kvmsea_vcpu *vcpu, uint64_t *pc,
		      uint64_t *pstate, uint64_t *hcr)
{
	int ret = kvmsea_kvm_get_reg(vcpu->fd, KVMSEA_REG_PC, pc);

	if (!ret)
		ret = kvmsea_kvm_get_reg(vcpu->fd, KVMSEA_REG_PSTATE, pstate);
	*hcr = 0;
	if (!ret && (vcpu->features & KVMSEA_F_EL2))
		ret = kvmsea_kvm_get_reg(vcpu->fd, KVMSEA_REG_HCR_EL2, hcr);
	return ret;
}

/*
 * The livelock guard. KVM leaves PC on the faulting instruction and does
 * not repair the page, so an error neither delivered nor fixed comes
 * straight back. A livelock is the same SEA (PC, syndrome and addresses)
 * coming back with nothing delivered to the guest in between: after
 * RETRY, after a handler that returned HANDLED without injecting, after a
 * failed injection. An SEA the guest received and then took again (a
 * process that retries after its SIGBUS handler, forked children reading
 * one bad page) starts again at 1.
 */
static bool same_sea(const struct kvmsea_guard *g, const struct kvmsea_event *ev)
{
	return g->armed && g->pc == ev->guest.pc && g->syndrome == ev->syndrome &&
	       g->gva == ev->gva && g->page_gpa == ev->page_gpa &&
	       g->page_hva == ev->page_hva;
}

static void guard_count(struct kvmsea_vcpu *vcpu, struct kvmsea_event *ev)
{
	struct kvmsea_guard *g = &vcpu->guard;
	uint32_t limit = vcpu->ctx->livelock_limit;

	if (same_sea(g, ev) && !g->delivered) {
		if (g->repeats < UINT32_MAX)
			g->repeats++;
	} else {
		g->repeats = 1;
	}
	g->armed = true;
	g->delivered = false;
	g->pc = ev->guest.pc;
	g->syndrome = ev->syndrome;
	g->gva = ev->gva;
	g->page_gpa = ev->page_gpa;
	g->page_hva = ev->page_hva;
	ev->repeats = g->repeats;
	ev->livelock = limit && g->repeats >= limit;
}

/* The exit now in kvm_run is this event's: same source, syndrome, address
 * and exit fields as the SEA exit handle_exit() saw on this return, with
 * no KVM_RUN since. Then, and only then, the FAR KVM saved is the event's
 * own. */
static bool is_live(const struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev)
{
	const struct kvmsea_uapi_arm_sea *now = &vcpu->run->u.arm_sea;

	return vcpu->exit_live && ev->source == KVMSEA_SOURCE_EXIT &&
	       vcpu->run->exit_reason == KVM_EXIT_ARM_SEA &&
	       ev->syndrome == vcpu->exit.esr &&
	       (!(ev->known & KVMSEA_KNOWN_GVA) || ev->gva == vcpu->exit.gva) &&
	       ev->exit.flags == vcpu->exit.flags && ev->exit.esr == vcpu->exit.esr &&
	       ev->exit.gva == vcpu->exit.gva && ev->exit.gpa == vcpu->exit.gpa &&
	       now->esr == vcpu->exit.esr && now->gva == vcpu->exit.gva &&
	       now->gpa == vcpu->exit.gpa;
}

/* One injection per KVM_RUN return, whoever asks for it. */
static int inject_event(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
			enum kvmsea_strategy how, uint32_t *lost)
{
	struct kvmsea_inject_req req;
	uint64_t hcr;
	int ret;

	if (vcpu->injected)
		return -EALREADY;
	memset(&req, 0, sizeof(req));
	ret = kvmsea_event_abort(ev, &req.abort);
	if (ret < 0)
		return ret;
	if (how < KVMSEA_STRATEGY_AUTO || how > KVMSEA_STRATEGY_SERROR)
		return -EINVAL;
	ret = kvmsea_vcpu_probe(vcpu);
	if (ret < 0)
		return ret;
	/* The PC and PSTATE are the vCPU's now: read at this KVM_RUN return
	 * when it delivered an event (nothing ran since), else read here. */
	if (vcpu->delivered) {
		req.pc = vcpu->pc;
		req.pstate = vcpu->pstate;
	} else {
		ret = read_guest(vcpu, &req.pc, &req.pstate, &hcr);
		if (ret < 0)
			return ret;
	}
	req.how = how;
	req.live = is_live(vcpu, ev);

	ret = kvmsea_inject(vcpu, &req, lost);
	if (ret < 0)
		return ret;
	vcpu->injected = true;
	vcpu->guard.delivered = true;
	atomic_fetch_add_explicit(&vcpu->ctx->counters.injected, 1,
				  memory_order_relaxed);
	/* This return's SEA exit has had its injection, whatever event was
	 * injected (the exit's, or a changed copy): the hook must not make a
	 * new event of it if the loop calls it again. */
	if (vcpu->exit_live)
		vcpu->run->u.arm_sea.flags |= RUN_INJECTED_MARK;
	if (vcpu->delivered) {
		vcpu->event.injected = (enum kvmsea_strategy)ret;
		vcpu->event.lost = *lost;
	}
	return ret;
}

KVMSEA_EXPORT int kvmsea_vcpu_inject(struct kvmsea_vcpu *vcpu,
				     const struct kvmsea_event *event,
				     enum kvmsea_strategy how, uint32_t *lost)
{
	uint32_t l = 0;
	int ret;

	if (!vcpu || !event)
		return -EINVAL;
	ret = inject_event(vcpu, event, how, &l);
	if (ret > 0 && lost)
		*lost = l;
	return ret;
}

static int stop(struct kvmsea_vcpu *vcpu)
{
	/* A vCPU the VMM restarts after a stop starts counting afresh. */
	memset(&vcpu->guard, 0, sizeof(vcpu->guard));
	atomic_fetch_add_explicit(&vcpu->ctx->counters.stops, 1,
				  memory_order_relaxed);
	return KVMSEA_EXIT_STOP;
}

static int act(struct kvmsea_vcpu *vcpu, int action)
{
	struct kvmsea_event *ev = &vcpu->event;
	uint32_t lost;
	int ret;

	switch (action) {
	case KVMSEA_ACTION_DEFAULT:
		if (vcpu->injected) /* the handler injected already */
			return KVMSEA_EXIT_HANDLED;
		if (ev->livelock || ev->storm)
			return stop(vcpu);
		ret = inject_event(vcpu, ev, KVMSEA_STRATEGY_AUTO, &lost);
		/* The default policy stops a VM it cannot serve. */
		if (ret == -EOPNOTSUPP)
			return stop(vcpu);
		return ret < 0 ? ret : KVMSEA_EXIT_HANDLED;
	case KVMSEA_ACTION_RETRY:
	case KVMSEA_ACTION_HANDLED:
		return KVMSEA_EXIT_HANDLED;
	case KVMSEA_ACTION_STOP:
		return stop(vcpu);
	default:
		/* A handler's errno comes back as it is; anything else that
		 * is not an action is a bug in the handler. */
		return action < 0 && action >= -4095 ? action : -EINVAL;
	}
}

/* The event of this KVM_RUN return, through the guard, the handler and
 * the action. */
static int run_policy(struct kvmsea_vcpu *vcpu)
{
	struct kvmsea_ctx *ctx = vcpu->ctx;
	struct kvmsea_event *ev = &vcpu->event;
	int action = KVMSEA_ACTION_DEFAULT;

	vcpu->delivered = true;
	vcpu->have_event = true;
	guard_count(vcpu, ev);
	if (ctx->handler) {
		vcpu->in_handler = true;
		action = ctx->handler(vcpu, ev, ctx->opaque);
		vcpu->in_handler = false;
	}
	if (action >= KVMSEA_ACTION_DEFAULT && action <= KVMSEA_ACTION_HANDLED)
		ev->action = (enum kvmsea_action)action;
	return act(vcpu, action);
}

/* An exit's gpa is the IPA of the stage 2 the vCPU ran on: while a nested
 * guest runs with its guest hypervisor's stage 2 on (HCR_EL2.VM, KVM's
 * nested_stage2_enabled), an L2 IPA that hypervisor chose, not an address
 * of the VM's memory map. */
static bool gpa_is_vms(const struct kvmsea_event *ev, uint64_t hcr)
{
	return ev->source != KVMSEA_SOURCE_EXIT || !ev->guest.in_nested_guest ||
	       !(hcr & A64_HCR_VM);
}

/* The event of this return, then the registry, the handler, the action. */
static int deliver(struct kvmsea_vcpu *vcpu, uint64_t hcr)
{
	kvmsea_event_guest(&vcpu->event, vcpu->features, vcpu->pc, vcpu->pstate,
			   hcr);
	if (gpa_is_vms(&vcpu->event, hcr))
		kvmsea_ctx_note_poison(vcpu->ctx, &vcpu->event);
	return run_policy(vcpu);
}


/* A new KVM_RUN return: what the previous one brought is gone. */
static inline void new_return(struct kvmsea_vcpu *vcpu)
{
	vcpu->delivered = false;
	vcpu->injected = false;
	vcpu->exit_live = false;
}

/* The SEA path, kept out of line so that the test in
 * kvmsea_vcpu_handle_exit() stays a few instructions with no stack frame. */
static __attribute__((noinline)) int handle_sea(struct kvmsea_vcpu *vcpu)
{
	struct kvmsea_uapi_arm_sea sea = vcpu->run->u.arm_sea;
	uint64_t pc, pstate, hcr;
	int ret;

	/* This very exit was injected already: the loop called us twice on
	 * one KVM_RUN return. */
	if (sea.flags & RUN_INJECTED_MARK)
		return -EALREADY;
	new_return(vcpu);
	/* A KVM_RUN that returned 0 sent no SIGBUS: an AR waiting here is
	 * the VMM's, and must not be taken for the guest's at a later
	 * -EINTR. */
	kvmsea_vcpu_give_ar_to_vm(vcpu);
	ret = kvmsea_vcpu_probe(vcpu);
	if (ret < 0)
		return ret;
	ret = read_guest(vcpu, &pc, &pstate, &hcr);
	if (ret < 0)
		return ret;

	vcpu->exit = sea;
	vcpu->exit_live = true;
	vcpu->pc = pc;
	vcpu->pstate = pstate;
	vcpu->seq++;
	kvmsea_event_from_exit(&vcpu->event, vcpu, &sea);
	atomic_fetch_add_explicit(&vcpu->ctx->counters.sea_exits, 1,
				  memory_order_relaxed);
	return deliver(vcpu, hcr);
}

/* The guest's state for an event of this return that is not an SEA exit. */
static int read_state(struct kvmsea_vcpu *vcpu, uint64_t *hcr)
{
	int ret = kvmsea_vcpu_probe(vcpu);

	if (!ret)
		ret = read_guest(vcpu, &vcpu->pc, &vcpu->pstate, hcr);
	return ret;
}

static int handle_memory_fault(struct kvmsea_vcpu *vcpu);

/* A SIGBUS AR the VMM's handler recorded for this vCPU. */
static __attribute__((noinline)) int handle_sigbus(struct kvmsea_vcpu *vcpu,
						   int run_ret)
{
	struct kvmsea_sigrec rec;
	uint64_t hcr;
	int ret;

	if (run_ret == 0) {
		kvmsea_vcpu_give_ar_to_vm(vcpu);
		return KVMSEA_EXIT_NOT_SEA;
	}
	/* KVM fails with EHWPOISON instead of sending a SIGBUS: the AR is
	 * the VMM's, and the memory fault is this return's event. */
	if (run_ret == -EHWPOISON &&
	    vcpu->run->exit_reason == KVM_EXIT_MEMORY_FAULT) {
		kvmsea_vcpu_give_ar_to_vm(vcpu);
		return handle_memory_fault(vcpu);
	}
	/* On an error the record stays for the next return. */
	ret = read_state(vcpu, &hcr);
	if (ret < 0)
		return ret;
	if (!kvmsea_sigq_pop(&vcpu->ar, &rec))
		return KVMSEA_EXIT_NOT_SEA;
	vcpu->seq++;
	kvmsea_event_from_sigbus(&vcpu->event, &rec, vcpu->id, vcpu->seq);
	return deliver(vcpu, hcr);
}

/* KVM_RUN failed with EHWPOISON: a poisoned guest_memfd page
 * (arch/arm64/kvm/mmu.c gmem_abort(); docs/kernel.md). */
static __attribute__((noinline)) int handle_memory_fault(struct kvmsea_vcpu *vcpu)
{
	struct kvmsea_uapi_memory_fault mf = vcpu->run->u.memory_fault;
	uint64_t hcr;
	int ret = read_state(vcpu, &hcr);

	if (ret < 0)
		return ret;
	vcpu->seq++;
	kvmsea_event_from_memory_fault(&vcpu->event, vcpu, &mf);
	atomic_fetch_add_explicit(&vcpu->ctx->counters.memory_faults, 1,
				  memory_order_relaxed);
	return deliver(vcpu, hcr);
}

KVMSEA_EXPORT int kvmsea_vcpu_handle_exit(struct kvmsea_vcpu *vcpu, int run_ret)
{
	if (!vcpu)
		return -EINVAL;
	if (vcpu->in_handler)
		return -EBUSY;
	/* Only a KVM_RUN that returned 0 produced this exit_reason: after
	 * -EINTR (immediate_exit, a signal) it is the previous exit's. */
	if (run_ret != 0 || vcpu->run->exit_reason != KVM_EXIT_ARM_SEA) {
		new_return(vcpu);
		if (!kvmsea_sigq_empty(&vcpu->ar))
			return handle_sigbus(vcpu, run_ret);
		if (run_ret == -EHWPOISON &&
		    vcpu->run->exit_reason == KVM_EXIT_MEMORY_FAULT)
			return handle_memory_fault(vcpu);
		return KVMSEA_EXIT_NOT_SEA;
	}
	return handle_sea(vcpu);
}
