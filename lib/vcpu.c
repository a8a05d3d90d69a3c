/* SPDX-License-Identifier: MIT */
/* The per-vCPU handle and the run-loop hook: from a KVM_RUN return to an
 * event, the handler's verdict and the action. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "internal.h"

#define PS_MODE32 0x10ULL
#define ESR_FNV (1ULL << 10)
#define PAGE_OFFSET_MASK 0xfffULL

int kvmsea_get_reg(int fd, uint64_t id, uint64_t *value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)value };

	return ioctl(fd, KVMSEA_IOCTL_GET_ONE_REG, &reg) < 0 ? -errno : 0;
}

int kvmsea_set_reg(int fd, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };

	return ioctl(fd, KVMSEA_IOCTL_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

KVMSEA_EXPORT int kvmsea_vcpu_new(struct kvmsea_ctx *ctx, int vcpu_fd,
				  void *run, uint32_t id, uint32_t flags,
				  struct kvmsea_vcpu **out)
{
	const uint32_t known = KVMSEA_VCPU_EL1_32BIT | KVMSEA_VCPU_HAS_EL2;
	struct kvmsea_vcpu *vcpu;

	if (!ctx || !run || !out || (flags & ~known))
		return -EINVAL;
	/* KVM has no nested virtualization with an AArch32 EL1. */
	if ((flags & KVMSEA_VCPU_EL1_32BIT) && (flags & KVMSEA_VCPU_HAS_EL2))
		return -EINVAL;
	if (vcpu_fd < 0)
		return -EBADF;

	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		return -ENOMEM;
	vcpu->ctx = ctx;
	vcpu->fd = vcpu_fd;
	vcpu->run = run;
	vcpu->id = id;
	if (flags & KVMSEA_VCPU_EL1_32BIT)
		vcpu->features |= KVMSEA_F_EL1_32BIT;
	if (flags & KVMSEA_VCPU_HAS_EL2)
		vcpu->features |= KVMSEA_F_EL2;
	*out = vcpu;
	return 0;
}

KVMSEA_EXPORT void kvmsea_vcpu_free(struct kvmsea_vcpu *vcpu)
{
	free(vcpu); /* the fd and the kvm_run mapping are the caller's */
}

KVMSEA_EXPORT struct kvmsea_ctx *kvmsea_vcpu_get_ctx(const struct kvmsea_vcpu *vcpu)
{
	return vcpu ? vcpu->ctx : NULL;
}

KVMSEA_EXPORT uint32_t kvmsea_vcpu_get_id(const struct kvmsea_vcpu *vcpu)
{
	return vcpu ? vcpu->id : 0;
}

KVMSEA_EXPORT const struct kvmsea_event *
kvmsea_vcpu_last_event(const struct kvmsea_vcpu *vcpu)
{
	return vcpu && vcpu->have_event ? &vcpu->event : NULL;
}

static uint8_t pstate_el(uint64_t pstate)
{
	if (pstate & PS_MODE32)
		return (pstate & 0x1f) == 0x10 ? 0 : 1; /* USR is EL0 */
	return (pstate >> 2) & 3;
}

/* Fill @ev from the exit in @run and the guest's PC and PSTATE. */
static void fill_event(struct kvmsea_vcpu *vcpu, struct kvmsea_event *ev,
		       uint64_t pc, uint64_t pstate)
{
	const struct kvmsea_uapi_arm_sea *sea = &vcpu->run->u.arm_sea;

	memset(ev, 0, sizeof(*ev));
	ev->source = KVMSEA_SOURCE_EXIT;
	ev->vcpu_id = vcpu->id;
	ev->count = vcpu->count;
	/* One read each: the guest cannot change kvm_run, but a buggy VMM
	 * thread could, and the copies must agree with each other. */
	ev->raw_flags = sea->flags;
	ev->raw_esr = sea->esr;
	ev->raw_gva = sea->gva;
	ev->raw_gpa = sea->gpa;
	kvmsea_esr_decode(ev->raw_esr, &ev->esr);

	/* KVM writes gva from FAR_EL2 only when FnV is clear, and gpa only
	 * with the flag; otherwise the values mean nothing. */
	ev->gva_valid = !(ev->raw_esr & ESR_FNV);
	ev->gpa_valid = ev->raw_flags & KVM_EXIT_ARM_SEA_FLAG_GPA_VALID;
	if (ev->gva_valid)
		ev->gva = ev->raw_gva;
	if (ev->gpa_valid)
		ev->gpa = ev->raw_gpa & ~PAGE_OFFSET_MASK;
	if (ev->gva_valid && ev->gpa_valid) {
		ev->addr_valid = true;
		ev->addr = ev->gpa | (ev->gva & PAGE_OFFSET_MASK);
	}

	ev->guest.pc = pc;
	ev->guest.pstate = pstate;
	ev->guest.el = pstate_el(pstate);
	ev->guest.aarch32 = pstate & PS_MODE32;
	ev->guest.el1_aarch32 = vcpu->features & KVMSEA_F_EL1_32BIT;
	ev->guest.nested = vcpu->features & KVMSEA_F_EL2;
}

/* The livelock guard: KVM leaves PC on the faulting instruction, so a
 * persistent error re-entered without a change faults again at the same PC
 * and address. */
static void count_repeats(struct kvmsea_vcpu *vcpu, struct kvmsea_event *ev)
{
	uint32_t limit = vcpu->ctx->livelock_limit;

	if (vcpu->repeats && ev->guest.pc == vcpu->prev_pc &&
	    ev->raw_esr == vcpu->prev_esr && ev->gva == vcpu->prev_gva &&
	    ev->gpa == vcpu->prev_gpa) {
		if (vcpu->repeats < UINT32_MAX)
			vcpu->repeats++;
	} else {
		vcpu->repeats = 1;
	}
	vcpu->prev_pc = ev->guest.pc;
	vcpu->prev_esr = ev->raw_esr;
	vcpu->prev_gva = ev->gva;
	vcpu->prev_gpa = ev->gpa;
	ev->repeats = vcpu->repeats;
	ev->livelock = limit && vcpu->repeats >= limit;
}

static int act(struct kvmsea_vcpu *vcpu, struct kvmsea_event *ev, int action)
{
	enum kvmsea_strategy how;
	int ret;

	switch (action) {
	case KVMSEA_ACTION_DEFAULT:
		if (ev->livelock)
			return KVMSEA_EXIT_STOP;
		how = KVMSEA_STRATEGY_AUTO;
		break;
	case KVMSEA_ACTION_INJECT_AUTO:
		how = KVMSEA_STRATEGY_AUTO;
		break;
	case KVMSEA_ACTION_INJECT_VCPU_EVENTS:
		how = KVMSEA_STRATEGY_VCPU_EVENTS;
		break;
	case KVMSEA_ACTION_INJECT_EMULATE:
		how = KVMSEA_STRATEGY_EMULATE;
		break;
	case KVMSEA_ACTION_INJECT_SERROR:
		how = KVMSEA_STRATEGY_SERROR;
		break;
	case KVMSEA_ACTION_RETRY:
	case KVMSEA_ACTION_HANDLED:
		return KVMSEA_EXIT_HANDLED;
	case KVMSEA_ACTION_STOP:
		return KVMSEA_EXIT_STOP;
	default:
		/* A handler's errno comes back as it is; anything else that
		 * is not an action is a bug in the handler. */
		return action < 0 && action >= -4095 ? action : -EINVAL;
	}
	ret = kvmsea_inject_known(vcpu, ev, how, ev->guest.pc, ev->guest.pstate);
	/* The default policy stops a VM it cannot serve; an explicit
	 * action's failure is the handler's to see. */
	if (ret == -EOPNOTSUPP && action == KVMSEA_ACTION_DEFAULT)
		return KVMSEA_EXIT_STOP;
	if (ret < 0)
		return ret;
	ev->injected = (enum kvmsea_strategy)ret;
	return KVMSEA_EXIT_HANDLED;
}

/* The guest's PC (the faulting instruction) and PSTATE. */
static int read_pc_pstate(const struct kvmsea_vcpu *vcpu, uint64_t *pc,
			  uint64_t *pstate)
{
	int ret = kvmsea_get_reg(vcpu->fd, KVMSEA_REG_PC, pc);

	return ret < 0 ? ret : kvmsea_get_reg(vcpu->fd, KVMSEA_REG_PSTATE, pstate);
}

/* The SEA path, kept out of line so that the test in
 * kvmsea_vcpu_handle_exit() stays a few instructions with no stack frame. */
static __attribute__((noinline)) int handle_sea(struct kvmsea_vcpu *vcpu)
{
	struct kvmsea_event *ev;
	uint64_t pc, pstate;
	int ret, action;

	/* Once per handle: the event must say truly whether the vCPU is
	 * nested, whatever the flags claimed. */
	ret = kvmsea_probe_features(vcpu);
	if (ret < 0)
		return ret;
	ret = read_pc_pstate(vcpu, &pc, &pstate);
	if (ret < 0)
		return ret;

	vcpu->count++;
	ev = &vcpu->event;
	fill_event(vcpu, ev, pc, pstate);
	count_repeats(vcpu, ev);
	vcpu->have_event = true;

	action = KVMSEA_ACTION_DEFAULT;
	if (vcpu->ctx->handler)
		action = vcpu->ctx->handler(vcpu, ev, vcpu->ctx->opaque);
	return act(vcpu, ev, action);
}

KVMSEA_EXPORT int kvmsea_vcpu_handle_exit(struct kvmsea_vcpu *vcpu, int run_ret)
{
	if (!vcpu)
		return -EINVAL;
	/* Only a KVM_RUN that returned 0 produced this exit_reason: after
	 * -EINTR (immediate_exit, a signal) it is the previous exit's. */
	if (run_ret != 0 || vcpu->run->exit_reason != KVM_EXIT_ARM_SEA)
		return KVMSEA_EXIT_NOT_SEA;
	return handle_sea(vcpu);
}

KVMSEA_EXPORT int kvmsea_vcpu_inject(struct kvmsea_vcpu *vcpu,
				     const struct kvmsea_event *event,
				     enum kvmsea_strategy how)
{
	uint64_t pc, pstate;
	int ret;

	if (!vcpu || !event)
		return -EINVAL;
	/* The handle's own event carries the PC and PSTATE it read at the
	 * exit; any other event may be stale or made up, so read them. */
	if (event == &vcpu->event && vcpu->have_event) {
		ret = kvmsea_inject_known(vcpu, event, how, event->guest.pc,
					  event->guest.pstate);
		if (ret > 0) /* a handler injecting through us */
			vcpu->event.injected = (enum kvmsea_strategy)ret;
		return ret;
	}
	ret = read_pc_pstate(vcpu, &pc, &pstate);
	if (ret < 0)
		return ret;
	return kvmsea_inject_known(vcpu, event, how, pc, pstate);
}
