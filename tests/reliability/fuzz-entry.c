/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the exception-entry computation (lib/entry.c) over random
 * vCPU states and aborts.
 *
 * Invariants checked, none of them a re-statement of the rules:
 *  - route and compute agree; an error is -EINVAL (a mode the vCPU cannot
 *    be in) or -EOPNOTSUPP (nested only) and leaves the output untouched;
 *  - at most KVMSEA_ENTRY_MAX_WRITES writes, to distinct registers of the
 *    target EL only, the last two PSTATE then PC with the entry's values;
 *  - the new PSTATE is EL1h, EL2h or Abort mode with the interrupts masked
 *    (DAIF for AArch64; A and I for Abort mode, F kept), and carries no bit
 *    the entry does not define;
 *  - the vector is VBAR plus one of the architected offsets, consistent
 *    with the syndrome's same-EL/lower-EL class;
 *  - the syndrome is an abort of the right kind with only ISS bits the
 *    exit can carry; FAR is written exactly when it is valid;
 *  - the result depends only on the registers kvmsea_entry_reads() asks
 *    for, and is deterministic.
 */
#include <errno.h>
#include <stdbool.h>

#include "fuzz-input.h"
#include "internal.h"

#define PS_MODE_MASK 0x1fULL
#define PS_MODE32 0x10ULL
#define PS_F (1ULL << 6)
#define PS_I (1ULL << 7)
#define PS_A (1ULL << 8)
#define PS_D (1ULL << 9)
#define PS_DAIF (PS_D | PS_A | PS_I | PS_F)
#define PS_SSBS (1ULL << 12)
#define PS_PAN (1ULL << 22)
#define PS_DIT (1ULL << 24)
#define PS_TCO (1ULL << 25)
#define PS_NZCV (0xfULL << 28)

#define ESR_IL (1ULL << 25)
#define ESR_ISS_FROM_EXIT ((3ULL << 11) | (1ULL << 10) | (1ULL << 9) | \
			   (1ULL << 8) | (1ULL << 6) | 0x3fULL)
#define ESR_CM (1ULL << 8)
#define ESR_WNR (1ULL << 6)
#define ESR_FNV (1ULL << 10)

#define ALL_FEATURES (KVMSEA_F_EL1_32BIT | KVMSEA_F_EL2 | KVMSEA_F_MTE | \
		      KVMSEA_F_SCTLR2)

/* Modes worth trying: every valid one and a few that are not. */
static const uint8_t modes[] = {
	0x0, 0x4, 0x5, 0x8, 0x9, 0x1, 0xd,               /* AArch64 */
	0x10, 0x11, 0x12, 0x13, 0x17, 0x1b, 0x1f, 0x1a,  /* AArch32 */
};

static bool mode_is_valid(uint32_t features, unsigned int mode)
{
	bool el1_32 = features & KVMSEA_F_EL1_32BIT;

	switch (mode) {
	case 0x0: case 0x4: case 0x5:
		return !el1_32;
	case 0x8: case 0x9:
		return features & KVMSEA_F_EL2;
	case 0x10:
		return true;
	case 0x11: case 0x12: case 0x13: case 0x17: case 0x1b: case 0x1f:
		return el1_32;
	default:
		return false;
	}
}

/* KVM has no nested virtualization with an AArch32 EL1. */
static bool vcpu_is_possible(uint32_t features)
{
	return !((features & KVMSEA_F_EL2) && (features & KVMSEA_F_EL1_32BIT));
}

static void random_state(struct fuzz_input *in, struct kvmsea_vstate *s,
			 struct kvmsea_abort *abt)
{
	uint8_t pick = fuzz_u8(in);
	uint8_t flags = fuzz_u8(in);

	memset(s, 0, sizeof(*s));
	s->features = flags & ALL_FEATURES;
	/* KVM (and kvmsea_vcpu_new) refuse an AArch32 EL1 with EL2. */
	if (s->features & KVMSEA_F_EL1_32BIT)
		s->features &= ~(uint32_t)KVMSEA_F_EL2;
	s->pc = fuzz_u64(in);
	s->pstate = fuzz_u64(in);
	if (pick < 0xc0)
		s->pstate = (s->pstate & ~PS_MODE_MASK) |
			    modes[pick % sizeof(modes)];
	s->hcr_el2 = fuzz_u64(in);
	s->hcrx_el2 = fuzz_u64(in);
	s->sctlr = fuzz_u64(in);
	s->sctlr2 = fuzz_u64(in);
	s->vbar = fuzz_u64(in);
	s->tcr_el1 = fuzz_u64(in);
	s->far_el1 = fuzz_u64(in);

	memset(abt, 0, sizeof(*abt));
	abt->is_data = flags & 0x80;
	abt->esr = fuzz_u64(in);
	abt->far = fuzz_u64(in);
	abt->far_valid = flags & 0x40;
}

/* The registers an entry to @target may write. */
static bool id_allowed(enum kvmsea_target target, uint64_t id)
{
	if (id == KVMSEA_REG_PSTATE || id == KVMSEA_REG_PC)
		return true;
	switch (target) {
	case KVMSEA_TARGET_EL1:
		return id == KVMSEA_REG_ESR_EL1 || id == KVMSEA_REG_FAR_EL1 ||
		       id == KVMSEA_REG_ELR_EL1 || id == KVMSEA_REG_SPSR_EL1;
	case KVMSEA_TARGET_EL2:
		return id == KVMSEA_REG_ESR_EL2 || id == KVMSEA_REG_FAR_EL2 ||
		       id == KVMSEA_REG_ELR_EL2 || id == KVMSEA_REG_SPSR_EL2;
	case KVMSEA_TARGET_ABT32:
		return id == KVMSEA_REG_ESR_EL1 || id == KVMSEA_REG_IFSR32_EL2 ||
		       id == KVMSEA_REG_FAR_EL1 || id == KVMSEA_REG_SPSR_ABT ||
		       id == KVMSEA_REG_X(20);
	}
	return false;
}

/* The value written to @id, and whether it was written at all. */
static bool written(const struct kvmsea_entry *e, uint64_t id, uint64_t *value)
{
	for (unsigned int i = 0; i < e->nr_writes; i++) {
		if (e->writes[i].id == id) {
			*value = e->writes[i].value;
			return true;
		}
	}
	return false;
}

static void check_writes(const struct kvmsea_vstate *s,
			 const struct kvmsea_abort *abt,
			 const struct kvmsea_entry *e)
{
	unsigned int n = e->nr_writes;
	bool el2 = e->target == KVMSEA_TARGET_EL2;
	uint64_t far_id = el2 ? KVMSEA_REG_FAR_EL2 : KVMSEA_REG_FAR_EL1;
	uint64_t v;

	FUZZ_CHECK(n >= 2 && n <= KVMSEA_ENTRY_MAX_WRITES);
	FUZZ_CHECK(e->writes[n - 2].id == KVMSEA_REG_PSTATE);
	FUZZ_CHECK(e->writes[n - 2].value == e->pstate);
	FUZZ_CHECK(e->writes[n - 1].id == KVMSEA_REG_PC);
	FUZZ_CHECK(e->writes[n - 1].value == e->vector);
	for (unsigned int i = 0; i < n; i++) {
		FUZZ_CHECK(id_allowed(e->target, e->writes[i].id));
		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(e->writes[i].id != e->writes[j].id);
	}
	/* FAR is UNKNOWN with FnV set: the guest's register stays. */
	FUZZ_CHECK(written(e, far_id, &v) == abt->far_valid);

	if (e->target == KVMSEA_TARGET_ABT32) {
		FUZZ_CHECK(written(e, abt->is_data ? KVMSEA_REG_ESR_EL1 :
				   KVMSEA_REG_IFSR32_EL2, &v) && v == e->esr);
		FUZZ_CHECK(written(e, KVMSEA_REG_X(20), &v) &&
			   v == ((s->pc + (abt->is_data ? 8 : 4)) & 0xffffffffULL));
		FUZZ_CHECK(written(e, KVMSEA_REG_SPSR_ABT, &v));
		if (abt->far_valid) {
			FUZZ_CHECK(written(e, KVMSEA_REG_FAR_EL1, &v));
			/* DFAR is FAR_EL1[31:0], IFAR FAR_EL1[63:32]. */
			if (abt->is_data)
				FUZZ_CHECK(v == ((s->far_el1 & ~0xffffffffULL) |
						 (abt->far & 0xffffffffULL)));
			else
				FUZZ_CHECK(v == ((s->far_el1 & 0xffffffffULL) |
						 (abt->far << 32)));
		}
		return;
	}
	FUZZ_CHECK(written(e, el2 ? KVMSEA_REG_ESR_EL2 : KVMSEA_REG_ESR_EL1, &v) &&
		   v == e->esr);
	FUZZ_CHECK(written(e, el2 ? KVMSEA_REG_ELR_EL2 : KVMSEA_REG_ELR_EL1, &v) &&
		   v == s->pc);
	FUZZ_CHECK(written(e, el2 ? KVMSEA_REG_SPSR_EL2 : KVMSEA_REG_SPSR_EL1, &v) &&
		   v == s->pstate);
	if (abt->far_valid)
		FUZZ_CHECK(written(e, far_id, &v) && v == abt->far);
}

static void check_entry64(const struct kvmsea_vstate *s,
			  const struct kvmsea_abort *abt,
			  const struct kvmsea_entry *e)
{
	const uint64_t defined = PS_NZCV | PS_TCO | PS_DIT | PS_PAN |
				 PS_SSBS | PS_DAIF | 0xfULL;
	unsigned int ec = (e->esr >> 26) & 0x3f;
	bool same_el = ec == 0x21 || ec == 0x25;
	uint64_t off = e->vector - s->vbar;

	FUZZ_CHECK((e->pstate & PS_MODE_MASK) ==
		   (e->target == KVMSEA_TARGET_EL2 ? 0x9 : 0x5));
	FUZZ_CHECK((e->pstate & PS_DAIF) == PS_DAIF);
	FUZZ_CHECK((e->pstate & ~defined) == 0);
	FUZZ_CHECK((e->pstate & PS_NZCV) == (s->pstate & PS_NZCV));
	if (!(s->features & KVMSEA_F_MTE))
		FUZZ_CHECK(!(e->pstate & PS_TCO));

	/* Syndrome: an abort of the right kind, IL set, only exit bits. */
	FUZZ_CHECK(ec == (abt->is_data ? 0x24u : 0x20u) + same_el);
	FUZZ_CHECK(e->esr & ESR_IL);
	FUZZ_CHECK((e->esr & ~(0xfc000000ULL | ESR_IL | ESR_ISS_FROM_EXIT)) == 0);
	FUZZ_CHECK((e->esr & 0x3f) == (abt->esr & 0x3f));
	if (!abt->is_data)
		FUZZ_CHECK(!(e->esr & (ESR_CM | ESR_WNR)));

	/* Vector: VBAR + current/lower offset (+ the SError slot with EASE). */
	if (off >= 0x180 && (off - 0x180) % 0x200 == 0) {
		FUZZ_CHECK(s->features & KVMSEA_F_SCTLR2);
		off -= 0x180;
	}
	FUZZ_CHECK(off == 0x000 || off == 0x200 || off == 0x400 || off == 0x600);
	FUZZ_CHECK(same_el == (off < 0x400));
	FUZZ_CHECK((off == 0x600) == !!(s->pstate & PS_MODE32));
}

static void check_entry32(const struct kvmsea_vstate *s,
			  const struct kvmsea_abort *abt,
			  const struct kvmsea_entry *e)
{
	uint64_t base = (s->sctlr & (1ULL << 13)) ? 0xffff0000ULL : s->vbar;
	/* Without WnR, ExT, CM and FnV: the fault status itself. */
	uint64_t status = e->esr & ~((1ULL << 11) | (1ULL << 12) | (1ULL << 13) |
				     (1ULL << 16));
	bool lpae = s->tcr_el1 & (1ULL << 31);

	FUZZ_CHECK((e->pstate & PS_MODE_MASK) == 0x17);
	FUZZ_CHECK(e->pstate >> 32 == 0);
	FUZZ_CHECK((e->pstate & (PS_A | PS_I)) == (PS_A | PS_I));
	FUZZ_CHECK((e->pstate & PS_F) == (s->pstate & PS_F));
	FUZZ_CHECK(e->vector == ((base + (abt->is_data ? 0x10 : 0x0c)) &
				 0xffffffffULL));
	/* Long format: the AArch64 FSC with the LPAE bit; short format: one
	 * of the external abort FS codes. WnR and CM for data aborts only. */
	if (lpae)
		FUZZ_CHECK(status == ((abt->esr & 0x3f) | (1ULL << 9)));
	else
		FUZZ_CHECK(status == 0x008 || status == 0x00c || status == 0x00e ||
			   status == 0x409 || status == 0x40c || status == 0x40e);
	if (!abt->is_data)
		FUZZ_CHECK(!(e->esr & ((1ULL << 11) | (1ULL << 13))));
	/* FnV exactly when FSC 0x10 comes without an address. */
	FUZZ_CHECK(!!(e->esr & (1ULL << 16)) ==
		   ((abt->esr & 0x3f) == 0x10 && !abt->far_valid));
}

/* Change every input the computation did not ask for. */
static void scramble_unread(struct kvmsea_vstate *s, uint32_t reads,
			    struct fuzz_input *in)
{
	uint64_t noise = fuzz_u64(in) | 1;

	if (!(reads & KVMSEA_READ_SCTLR))
		s->sctlr ^= noise;
	if (!(reads & KVMSEA_READ_SCTLR2))
		s->sctlr2 ^= noise;
	if (!(reads & KVMSEA_READ_VBAR))
		s->vbar ^= noise;
	if (!(reads & KVMSEA_READ_TCR_EL1))
		s->tcr_el1 ^= noise;
	if (!(reads & KVMSEA_READ_FAR_EL1))
		s->far_el1 ^= noise;
	if (!(s->features & KVMSEA_F_EL2)) {
		s->hcr_el2 ^= noise;
		s->hcrx_el2 ^= noise;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	struct kvmsea_vstate s, other;
	struct kvmsea_abort abt;
	struct kvmsea_entry e, again, untouched;
	enum kvmsea_target target = (enum kvmsea_target)0;
	int route, ret;

	random_state(&in, &s, &abt);
	route = kvmsea_entry_route(s.features, s.pstate, s.hcr_el2, s.hcrx_el2,
				   &target);
	memset(&e, 0xa5, sizeof(e));
	untouched = e;
	ret = kvmsea_entry_compute(&s, &abt, &e);
	FUZZ_CHECK(ret == route);
	if (ret < 0) {
		FUZZ_CHECK(ret == -EINVAL || ret == -EOPNOTSUPP);
		/* The nested refusal comes first, whatever else is wrong. */
		if (ret == -EOPNOTSUPP)
			FUZZ_CHECK(s.features & KVMSEA_F_EL2);
		else
			FUZZ_CHECK(!mode_is_valid(s.features, s.pstate & PS_MODE_MASK) ||
				   !vcpu_is_possible(s.features));
		FUZZ_CHECK(memcmp(&e, &untouched, sizeof(e)) == 0);
		return 0;
	}
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(mode_is_valid(s.features, s.pstate & PS_MODE_MASK));
	FUZZ_CHECK(vcpu_is_possible(s.features));
	FUZZ_CHECK(e.target == target);
	if (s.features & KVMSEA_F_EL1_32BIT)
		FUZZ_CHECK(target == KVMSEA_TARGET_ABT32);
	else if (!(s.features & KVMSEA_F_EL2))
		FUZZ_CHECK(target == KVMSEA_TARGET_EL1);
	else
		FUZZ_CHECK(target == KVMSEA_TARGET_EL1 || target == KVMSEA_TARGET_EL2);

	check_writes(&s, &abt, &e);
	if (target == KVMSEA_TARGET_ABT32)
		check_entry32(&s, &abt, &e);
	else
		check_entry64(&s, &abt, &e);

	/* Deterministic, and blind to the registers it did not ask for. */
	other = s;
	scramble_unread(&other, kvmsea_entry_reads(target, s.features,
						   abt.far_valid), &in);
	memset(&again, 0x3c, sizeof(again));
	FUZZ_CHECK(kvmsea_entry_compute(&other, &abt, &again) == 0);
	FUZZ_CHECK(again.target == e.target && again.vector == e.vector &&
		   again.pstate == e.pstate && again.esr == e.esr &&
		   again.nr_writes == e.nr_writes);
	FUZZ_CHECK(memcmp(again.writes, e.writes,
			  e.nr_writes * sizeof(e.writes[0])) == 0);
	return 0;
}
