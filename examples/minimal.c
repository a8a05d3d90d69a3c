/* SPDX-License-Identifier: MIT */
/*
 * minimal: the smallest honest libkvmsea integration.
 *
 * A VMM that already creates its VM and runs its vCPU adds four things: a
 * context per VM with SEA exits enabled, a handler (here: log the event
 * and let the library inject it), a handle per vCPU, and one call after
 * every KVM_RUN. That is all this file does. The VM itself is demo-vm.h's
 * (64 KiB of RAM, one vCPU, a tiny guest that loads from a bad page and
 * reports the abort it takes): the part a VMM has already.
 *
 * It needs arm64 KVM on a host where a guest access can end in a real
 * synchronous external abort (the emulated host of tests/e2e/run.sh, where
 * the bad page is a hole in the physical map). Exit status: 0 the guest
 * took its abort and finished, 1 an error, 77 this machine cannot show it
 * (not arm64, no KVM, no SEA exit).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <libkvmsea/libkvmsea.h>

#include "demo-vm.h"

/* Called on the vCPU's thread for every memory error, before anything is
 * done about it (so the line says "injected none"). DEFAULT: inject it
 * with the best strategy this vCPU allows, or stop the VM if the same
 * error keeps coming back. */
static int on_sea(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev, void *opaque)
{
	char line[512];

	(void)vcpu;
	(void)opaque;
	if (kvmsea_event_format(ev, KVMSEA_EVENT_ONELINE, line, sizeof(line)) >= 0)
		printf("minimal: %s\n", line);
	return KVMSEA_ACTION_DEFAULT;
}

/* The run loop: libkvmsea sees every KVM_RUN return first. Returns 0 once
 * the guest finished, 1 on an error; counts the memory errors in *seas. */
static int run_vcpu(struct demo_vm *vm, struct kvmsea_vcpu *sea_vcpu, unsigned int *seas)
{
	for (;;) {
		int ret = ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0 ? -errno : 0;
		int sea = kvmsea_vcpu_handle_exit(sea_vcpu, ret);

		switch (sea) {
		case KVMSEA_EXIT_HANDLED: /* the guest has its abort: run it */
			(*seas)++;
			printf("minimal: injected with %s\n", kvmsea_strategy_name(
				       kvmsea_vcpu_last_event(sea_vcpu)->injected));
			continue;
		case KVMSEA_EXIT_STOP: /* the policy says this VM cannot go on */
			printf("minimal: libkvmsea stopped the VM\n");
			return 1;
		case KVMSEA_EXIT_NOT_SEA: /* every other exit, as before */
			break;
		default:
			printf("minimal: kvmsea_vcpu_handle_exit: %s\n", strerror(-sea));
			return 1;
		}
		switch (demo_vm_exit(vm, ret)) {
		case DEMO_RUN:
			continue;
		case DEMO_DONE:
			return 0;
		case DEMO_FAILED:
			return 1;
		}
	}
}

int main(void)
{
	const struct demo_vm_config cfg = { .name = "minimal", .access = DEMO_LOAD,
					    .bad_phys = DEMO_BAD_PHYS };
	struct kvmsea_ctx *sea = NULL;
	struct kvmsea_vcpu *sea_vcpu = NULL;
	struct kvmsea_caps caps;
	struct demo_vm vm;
	unsigned int seas = 0;
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = demo_vm_create(&vm, &cfg);
	if (ret)
		goto out;
	/* Once per VM: the context probes what KVM offers; enabling makes KVM
	 * exit to us on a guest SEA instead of giving the guest an SError. */
	ret = kvmsea_ctx_new(vm.vm_fd, &sea);
	if (ret < 0)
		goto fail;
	ret = kvmsea_ctx_enable(sea); /* -EOPNOTSUPP: a kernel without the exit */
	kvmsea_ctx_get_caps(sea, &caps);
	if (ret < 0 || !caps.sea_exits_possible)
		printf("minimal: no SEA exits here (%s): guest SEAs become SErrors\n",
		       ret < 0 ? strerror(-ret) : "the host has no FEAT_RAS");
	kvmsea_ctx_set_handler(sea, on_sea, NULL);
	/* Once per vCPU, after KVM_ARM_VCPU_INIT and the kvm_run mmap. */
	ret = kvmsea_vcpu_new(sea, vm.vcpu_fd, vm.run, 0, 0, &sea_vcpu);
	if (ret < 0)
		goto fail;
	ret = run_vcpu(&vm, sea_vcpu, &seas);
	if (!ret && !seas) {
		printf("minimal: the guest finished, but no SEA reached the VMM\n");
		ret = 77;
	}
	goto out;
fail:
	printf("minimal: libkvmsea: %s\n", strerror(-ret));
	ret = 1;
out:
	/* The library's handles first: the fds and kvm_run stay ours. */
	kvmsea_vcpu_free(sea_vcpu);
	kvmsea_ctx_free(sea);
	demo_vm_destroy(&vm);
	return ret;
}
