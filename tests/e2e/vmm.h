/* SPDX-License-Identifier: MIT */
/*
 * The VMM half of the e2e programs that use libkvmsea: the run loop that
 * calls kvmsea_vcpu_handle_exit() after every KVM_RUN, a recording handler,
 * and the checks on what the guest reported. Plus the constants the
 * scenarios share.
 */
#ifndef E2E_VMM_H
#define E2E_VMM_H

#include <libkvmsea/sea.h>

#include "vm.h"

#define OFF       0x128                 /* byte offset in the bad page */
#define BAD_ADDR  (E2E_BAD_IPA + OFF)

/* ESR values (EC | IL | ISS) that appear below. */
#define ESR_DABT_LOW_EXTABT  0x92000010ull /* EC 0x24, FSC 0x10 */
#define ESR_DABT_CUR_EXTABT  0x96000010ull /* EC 0x25 */
#define ESR_IABT_LOW_EXTABT  0x82000010ull /* EC 0x20 */
#define ESR_IABT_CUR_EXTABT  0x86000010ull /* EC 0x21 */
#define ESR_WNR              0x40ull
#define ESR_SERROR_IDS       0xbf000000ull /* EC 0x2f, IL, IDS */

/* PSTATE (SPSR format) bits. */
#define M_EL0T  0x0ull
#define M_EL1T  0x4ull
#define M_EL1H  0x5ull
#define PS_F    0x40ull
#define PS_I    0x80ull
#define PS_A    0x100ull
#define PS_D    0x200ull
#define PS_DAIF (PS_D | PS_A | PS_I | PS_F)
#define PS_BTYPE_JUMP 0x400ull /* BTYPE 01: after a BR */
#define PS_SSBS (1ull << 12)
#define PS_PAN  (1ull << 22)
#define PS_ZC   0x60000000ull /* NZCV = 0110: visible in the copies */

/* Vector indexes (offset / 0x80) of the synchronous and SError entries. */
#define VEC_CUR_SP0_SYNC 0
#define VEC_CUR_SPX_SYNC 4
#define VEC_CUR_SPX_SERR 7
#define VEC_LOW64_SYNC   8
#define M_EL2H  0x9ull

/* A VM driven the way a VMM drives it: the VM with the bad page, a
 * context, and vCPU 0 with its handle. */
struct lvm {
	struct e2e_vm vm;
	struct kvmsea_ctx *ctx;
	struct e2e_vcpu c;
	struct kvmsea_vcpu *v;
};

/* The cap is enabled before the vCPU is created when @enable is set. 0 or
 * a negative errno (a failed check is counted). */
int lvm_open(struct lvm *l, bool enable, kvmsea_handler_fn fn, void *opaque);
/* The same with KVM_ARM_VCPU_INIT feature bits (@kvm_features, e.g.
 * 1 << KVM_ARM_VCPU_EL1_32BIT) and the handle's KVMSEA_VCPU_* @flags. */
int lvm_open_vcpu(struct lvm *l, bool enable, kvmsea_handler_fn fn,
		  void *opaque, uint32_t kvm_features, uint32_t flags);
void lvm_close(struct lvm *l);

enum run_result { R_REPORT, R_STOP, R_OTHER, R_ERROR, R_TOO_MANY };

/*
 * The VMM's run loop: KVM_RUN, then kvmsea_vcpu_handle_exit() on every
 * return; an SEA is dealt with by the library, anything else here (the
 * report page's MMIO). Stops at the guest's report or the library's STOP.
 * Counts the SEA exits the library handled in *@sea_exits (may be NULL).
 */
enum run_result lib_run(struct kvmsea_vcpu *v, struct e2e_vcpu *c,
			struct e2e_report *rep, int *sea_exits);

/* EXPECT_EQ on every field of a report (ESR_EL1 and friends are whatever
 * the vector read: the EL2 registers at a virtual EL2 with E2H). */
void expect_report(const struct e2e_report *r, uint64_t vector, uint64_t esr,
		   uint64_t far, uint64_t elr, uint64_t spsr, uint64_t pstate);
const char *fmt_report(const struct e2e_report *r, char *buf, size_t n);

/* The handler used by most scenarios: remembers every event, then injects
 * with @inject (and answers HANDLED, or the error) or, with
 * KVMSEA_STRATEGY_NONE, answers @action. @opaque is the struct recorder. */
struct recorder {
	int action;
	enum kvmsea_strategy inject;
	int calls;
	struct kvmsea_event events[16];
};

int record(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
	   void *opaque);

#endif
