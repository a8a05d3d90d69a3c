/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the simulator's files: the objects, the register file
 * layout and the arm64 bits the kernel rules talk about.
 */
#ifndef KVMSIM_SIM_INTERNAL_H
#define KVMSIM_SIM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvmsim.h"
#include "uapi-compat.h"

#define BIT64(n) (1ULL << (n))

/* ---- PSTATE (SPSR_ELx format, AArch64 and AArch32 views) -------------- */

#define PS_N       BIT64(31)
#define PS_Z       BIT64(30)
#define PS_C       BIT64(29)
#define PS_V       BIT64(28)
#define PS_NZCV    (PS_N | PS_Z | PS_C | PS_V)
#define PS_TCO     BIT64(25)
#define PS_DIT     BIT64(24)
#define PS_UAO     BIT64(23)
#define PS_PAN     BIT64(22)
#define PS_SS      BIT64(21)
#define PS_IL      BIT64(20)
#define PS_SSBS    BIT64(12)
#define PS_BTYPE   (3ULL << 10)
#define PS_D       BIT64(9)
#define PS_A       BIT64(8)
#define PS_I       BIT64(7)
#define PS_F       BIT64(6)
#define PS_DAIF    (PS_D | PS_A | PS_I | PS_F)
#define PS_M32     BIT64(4)     /* nRW: the context runs AArch32 */
#define PS_M_MASK  0xfULL       /* AArch64 M[3:0] */
#define PS_M5_MASK 0x1fULL      /* M[4:0] */

#define MODE_EL0t 0x0
#define MODE_EL1t 0x4
#define MODE_EL1h 0x5
#define MODE_EL2t 0x8
#define MODE_EL2h 0x9

/* AArch32 CPSR as KVM stores it (SPSR_ELx AArch32 layout: DIT at 24). */
#define A32_Q      BIT64(27)
#define A32_DIT    BIT64(24)
#define A32_SSBS   BIT64(23)
#define A32_PAN    BIT64(22)
#define A32_GE     (0xfULL << 16)
#define A32_E      BIT64(9)
#define A32_T      BIT64(5)
#define A32_USR 0x10
#define A32_FIQ 0x11
#define A32_IRQ 0x12
#define A32_SVC 0x13
#define A32_ABT 0x17
#define A32_UND 0x1b
#define A32_SYS 0x1f

/* ---- ESR ----------------------------------------------------------------- */

#define ESR_EC_SHIFT 26
#define ESR_EC(esr)  (((esr) >> ESR_EC_SHIFT) & 0x3f)
#define ESR_IL       BIT64(25)
#define ESR_IDS      BIT64(24)     /* ISV for aborts, IDS for SErrors */
#define ESR_ISS_MASK 0x1ffffffULL
#define ESR_VNCR     BIT64(13)
#define ESR_SET_MASK (3ULL << 11)
#define ESR_FNV      BIT64(10)
#define ESR_EA       BIT64(9)
#define ESR_CM       BIT64(8)
#define ESR_S1PTW    BIT64(7)
#define ESR_WNR      BIT64(6)
#define ESR_FSC_MASK 0x3fULL

#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SERROR   0x2f

#define FSC_EXTABT 0x10
#define FSC_SECC   0x18
#define FSC_SEA_TTW(level) (0x14 + (level))   /* level -1..3 */

/* ---- System register bits ---------------------------------------------- */

#define SCTLR_SPAN   BIT64(23)
#define SCTLR_DSSBS  BIT64(44)
#define SCTLR32_V    BIT64(13)     /* AArch32 SCTLR.V: high vectors */
#define SCTLR32_EE   BIT64(25)
#define SCTLR32_TE   BIT64(30)
#define SCTLR32_DSSBS BIT64(31)
#define SCTLR2_NMEA  BIT64(2)
#define SCTLR2_EASE  BIT64(5)
#define TTBCR_EAE    BIT64(31)
#define HCR_AMO      BIT64(5)
#define HCR_VSE      BIT64(8)
#define HCR_TGE      BIT64(27)
#define HCR_E2H      BIT64(34)
#define HCR_TEA      BIT64(37)
#define HCRX_SCTLR2EN BIT64(15)
#define HCRX_TMEA    BIT64(19)

/* ID register fields the rules read. */
#define PFR0_RAS_SHIFT   28
#define PFR1_MTE_SHIFT   8
#define PFR1_DF2_SHIFT   56
#define MMFR3_SCTLRX_SHIFT 4
#define ID_FIELD(val, shift) (((val) >> (shift)) & 0xf)

/* ---- The register file ---------------------------------------------------- */

/* struct kvm_regs seen as u32 words, as guest.c indexes it. */
#define CORE_WORDS      216        /* sizeof(struct kvm_regs) / 4 */
#define CORE_X(n)       (2u * (n))
#define CORE_SP         62u
#define CORE_PC         64u
#define CORE_PSTATE     66u
#define CORE_SP_EL1     68u
#define CORE_ELR_EL1    70u
#define CORE_SPSR(i)    (72u + 2u * (i)) /* 0 EL1/svc, 1 abt, 2 und, 3 irq, 4 fiq */
#define CORE_VREG(n)    (84u + 4u * (n))
#define CORE_FPSR       212u
#define CORE_FPCR       213u
#define CORE_X_LR_ABT   20u        /* AArch32 LR_abt lives in X20 */

enum sim_sysreg {
	SR_ID_AA64PFR0_EL1,
	SR_ID_AA64PFR1_EL1,
	SR_ID_AA64MMFR3_EL1,
	SR_SCTLR_EL1,
	SR_SCTLR2_EL1,
	SR_TCR_EL1,
	SR_AFSR0_EL1,
	SR_AFSR1_EL1,
	SR_ESR_EL1,
	SR_FAR_EL1,
	SR_PAR_EL1,
	SR_VBAR_EL1,
	SR_IFSR32_EL2,
	SR_SCTLR_EL2,
	SR_SCTLR2_EL2,
	SR_HCR_EL2,
	SR_HCRX_EL2,
	SR_TCR_EL2,
	SR_SPSR_EL2,
	SR_ELR_EL2,
	SR_ESR_EL2,
	SR_FAR_EL2,
	SR_HPFAR_EL2,
	SR_VBAR_EL2,
	SR_SP_EL2,
	SR_COUNT
};

/* ---- Objects ---------------------------------------------------------------- */

enum sim_kind { SIM_SYSTEM, SIM_VM, SIM_VCPU };

/* What every simulated fd has. */
struct sim_file {
	enum sim_kind kind;
	int fd;                        /* -1 once closed */
	struct kvmsim_host *host;
	atomic_ulong counts[KVMSIM_IOCTL_ALL];
	/* kvmsim_fail_ioctl(): of the next ioctls of fail_kind, fail_skip
	 * pass, then fail_count fail with fail_errno. */
	atomic_ulong fail_skip, fail_count;
	enum kvmsim_ioctl fail_kind;
	int fail_errno;
	struct sim_file *next_in_host; /* for freeing and host-wide counts */
};

struct kvmsim_host {
	enum kvmsim_profile profile;
	bool ras;             /* host FEAT_RAS (cpus_have_final_cap) */
	bool modern;          /* knows caps 177/178/245 and ext_dabt_pending */
	bool arm_el2;         /* nested virtualization available */
	struct sim_file *files;
	pthread_mutex_t lock; /* the files list */
};

struct kvmsim_vm {
	struct sim_file file;
	unsigned int flags;           /* KVMSIM_VM_* */
	atomic_bool exit_sea;         /* KVM_ARCH_FLAG_EXIT_SEA */
	atomic_bool nisv_to_user;
	atomic_bool has_run;          /* a vCPU entered KVM_RUN once */
};

enum sim_item_kind { ITEM_SEA, ITEM_EXIT, ITEM_EINTR, ITEM_ERROR, ITEM_POISON,
		     ITEM_MEMORY_FAULT };

struct sim_item {
	enum sim_item_kind kind;
	struct kvmsim_sea sea;
	struct {                      /* ITEM_POISON: the page touched ... */
		uint64_t hva;
		unsigned int lsb;
	} poison;
	struct {                      /* ITEM_MEMORY_FAULT: run->memory_fault */
		uint64_t gpa, size, flags;
	} memory_fault;
	struct kvmsim_exit exit;      /* .data points at exit_data */
	uint8_t exit_data[256];
	bool stale;
	int err;
};

/* Which exception entry is pending (KVM's EXCEPT_* values, which the
 * AArch32 and AArch64 encodings share: see sim_commit_pending()). */
enum sim_except {
	EXC_AA32_UND = 0, EXC_AA32_IABT = 1, EXC_AA32_DABT = 2,
	EXC_EL1_SYNC = 0, EXC_EL1_IRQ = 1, EXC_EL1_FIQ = 2, EXC_EL1_SERR = 3,
	EXC_EL2_SYNC = 4, EXC_EL2_IRQ = 5, EXC_EL2_FIQ = 6, EXC_EL2_SERR = 7,
};

struct kvmsim_vcpu {
	struct sim_file file;
	struct kvmsim_vm *vm;
	unsigned int features;        /* KVMSIM_VCPU_* */
	pthread_mutex_t lock;         /* vcpu->mutex */
	bool initialised;

	uint32_t core[CORE_WORDS];    /* struct kvm_regs */
	uint64_t sysreg[SR_COUNT];

	struct kvmsim_fault fault;    /* vcpu->arch.fault and the re-walk */
	bool vse;                     /* HCR_EL2.VSE (KVM's own HCR) */
	bool nested_serror_pending;
	uint64_t vsesr;
	bool pending_exception;       /* PENDING_EXCEPTION */
	enum sim_except except;       /* EXCEPT_MASK */
	bool mmio_needed;

	void *run;
	size_t run_size;

	struct sim_item queue[KVMSIM_QUEUE_MAX];
	unsigned int q_head, q_len;

	struct kvmsim_vcpu_stats stats;
};

/* sim-files.c: the fd table. */
int sim_register(struct sim_file *file);
struct sim_file *sim_lookup(int fd);
/* Count an ioctl; non-zero: the errno kvmsim_fail_ioctl() armed for it. */
int sim_count(struct sim_file *file, enum kvmsim_ioctl kind);
void sim_count_passthrough(void);

/* sim-regs.c: the register file and the ONE_REG rules. */
uint64_t sim_core(const struct kvmsim_vcpu *v, unsigned int off);
void sim_core_set(struct kvmsim_vcpu *v, unsigned int off, uint64_t val);
uint64_t sim_sr(const struct kvmsim_vcpu *v, enum sim_sysreg r);
void sim_sr_set(struct kvmsim_vcpu *v, enum sim_sysreg r, uint64_t val);
void sim_reset_regs(struct kvmsim_vcpu *v);
int sim_get_one_reg(struct kvmsim_vcpu *v, uint64_t id, void *uaddr);
int sim_set_one_reg(struct kvmsim_vcpu *v, uint64_t id, const void *uaddr);
int sim_reg_raw(const struct kvmsim_vcpu *v, uint64_t id, uint64_t **slot,
		unsigned int *core_off);

/* Feature tests the rules use (kvm_has_*, vcpu_has_*). */
bool sim_vm_has_ras(const struct kvmsim_vcpu *v);
bool sim_vm_has_sctlr2(const struct kvmsim_vcpu *v);
bool sim_vm_has_mte(const struct kvmsim_vcpu *v);
bool sim_has_nv(const struct kvmsim_vcpu *v);
bool sim_el1_is_32bit(const struct kvmsim_vcpu *v);

/* sim-except.c: fault injection and exception entry. */
void sim_inject_ext_dabt(struct kvmsim_vcpu *v);
void sim_inject_serror(struct kvmsim_vcpu *v, uint64_t esr);
void sim_commit_pending(struct kvmsim_vcpu *v);
bool sim_is_hyp_ctxt(const struct kvmsim_vcpu *v);

/* sim-events.c, sim-run.c */
int sim_get_events(struct kvmsim_vcpu *v, void *uaddr);
int sim_set_events(struct kvmsim_vcpu *v, const void *uaddr);
int sim_run(struct kvmsim_vcpu *v, unsigned long arg);

#endif /* KVMSIM_SIM_INTERNAL_H */
