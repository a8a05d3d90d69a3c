// SPDX-License-Identifier: MIT
#include "vmm.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

void lvm_close(struct lvm *l)
{
	kvmsea_vcpu_free(l->v);
	l->v = NULL;
	if (l->c.vm)
		e2e_vcpu_close(&l->c);
	kvmsea_ctx_free(l->ctx);
	l->ctx = NULL;
	e2e_vm_close(&l->vm);
}

int lvm_open(struct lvm *l, bool enable, kvmsea_handler_fn fn, void *opaque)
{
	return lvm_open_vcpu(l, enable, fn, opaque, 0, 0);
}

int lvm_open_vcpu(struct lvm *l, bool enable, kvmsea_handler_fn fn,
		  void *opaque, uint32_t kvm_features, uint32_t flags)
{
	int ret;

	memset(l, 0, sizeof(*l));
	ret = e2e_vm_open(&l->vm, true);
	if (ret) {
		EXPECT(0, "VM setup: %s", strerror(-ret));
		return ret;
	}
	ret = kvmsea_ctx_new(l->vm.vm_fd, &l->ctx);
	EXPECT_EQ("kvmsea_ctx_new", ret, 0);
	if (!ret && enable) {
		ret = kvmsea_ctx_enable(l->ctx);
		EXPECT_EQ("kvmsea_ctx_enable", ret, 0);
	}
	if (!ret)
		ret = kvmsea_ctx_set_handler(l->ctx, fn, opaque);
	if (!ret) {
		ret = e2e_vcpu_open_features(&l->vm, 0, kvm_features, &l->c);
		EXPECT(!ret, "vCPU setup: %s", strerror(-ret));
	}
	if (!ret) {
		ret = kvmsea_vcpu_new(l->ctx, l->c.fd, l->c.run, 0, flags, &l->v);
		EXPECT_EQ("kvmsea_vcpu_new", ret, 0);
	}
	if (ret)
		lvm_close(l);
	return ret;
}

enum run_result lib_run(struct kvmsea_vcpu *v, struct e2e_vcpu *c,
			struct e2e_report *rep, int *sea_exits)
{
	memset(rep, 0, sizeof(*rep));
	for (int i = 0; i < 200; i++) {
		int ret = e2e_vcpu_run_once(c);
		int h = kvmsea_vcpu_handle_exit(v, ret);

		if (h < 0) {
			printf("  kvmsea_vcpu_handle_exit: %s\n", strerror(-h));
			return R_ERROR;
		}
		if (h == KVMSEA_EXIT_HANDLED) {
			if (sea_exits)
				(*sea_exits)++;
			continue;
		}
		if (h == KVMSEA_EXIT_STOP)
			return R_STOP;
		if (ret) {
			printf("  KVM_RUN: %s\n", strerror(-ret));
			return R_ERROR;
		}
		if (!e2e_report_mmio(c, rep)) {
			printf("  unexpected exit_reason %u\n", c->run->exit_reason);
			return R_OTHER;
		}
		if (rep->done || rep->no_abort)
			return R_REPORT;
	}
	return R_TOO_MANY;
}

void expect_report(const struct e2e_report *r, uint64_t vector, uint64_t esr,
		   uint64_t far, uint64_t elr, uint64_t spsr, uint64_t pstate)
{
	EXPECT(r->done && !r->no_abort, "the guest took no exception");
	EXPECT_EQ("vector", r->vector, vector);
	EXPECT_EQ("ESR_EL1", r->esr, esr);
	EXPECT_EQ("FAR_EL1", r->far, far);
	EXPECT_EQ("ELR_EL1", r->elr, elr);
	EXPECT_EQ("SPSR_EL1", r->spsr, spsr);
	EXPECT_EQ("PSTATE", r->pstate, pstate);
}

const char *fmt_report(const struct e2e_report *r, char *buf, size_t n)
{
	snprintf(buf, n, "vector=%" PRIu64 " esr=0x%" PRIx64 " far=0x%" PRIx64
		 " elr=0x%" PRIx64 " spsr=0x%" PRIx64 " pstate=0x%" PRIx64,
		 r->vector, r->esr, r->far, r->elr, r->spsr, r->pstate);
	return buf;
}

int record(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
	   void *opaque)
{
	struct recorder *r = opaque;
	int ret;

	if (r->calls < 16)
		r->events[r->calls] = *ev;
	r->calls++;
	if (r->inject == KVMSEA_STRATEGY_NONE)
		return r->action;
	ret = kvmsea_vcpu_inject(vcpu, ev, r->inject, NULL);
	return ret < 0 ? ret : KVMSEA_ACTION_HANDLED;
}
