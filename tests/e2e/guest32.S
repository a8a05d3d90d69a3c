/* SPDX-License-Identifier: MIT */
/*
 * The bare-metal AArch32 guest of the e2e suite, for a vCPU made with
 * KVM_ARM_VCPU_EL1_32BIT. Assembled for ARMv7-A by guest32.sh (binutils for
 * arm-linux-gnueabihf), which turns it into a byte array for the AArch64
 * test programs; they copy it into the VM's RAM (MMU off: VA == IPA).
 *
 * Registers set by the VMM (KVM_SET_ONE_REG):
 *   r0  the report page (an IPA with no memslot: each store is an MMIO exit)
 *   r1  the address to fault on (the bad page), or to branch to
 *   r2  data for the stores
 *
 * Two self-contained halves, each a vector table with its stubs and its
 * report code: g32_a32_half in A32 (VBAR for SCTLR.TE=0) and g32_t32_half in
 * T32 (for TE=1: exceptions are then taken in Thumb state). Each half is
 * position independent, so the VMM can also copy it to 0xffff0000 for the
 * high vectors (SCTLR.V=1). Every vector reports, with 32-bit stores:
 *
 *   [r0 +  0] the address of the vector entered (0x10: data abort,
 *             0x0c: prefetch abort, from the table's base)
 *   [r0 +  8] DFSR      [r0 + 16] DFAR     [r0 + 64] IFSR   [r0 + 72] IFAR
 *   [r0 + 24] LR on entry (LR_abt)
 *   [r0 + 40] CPSR on entry; MRS reads T as 0, so the T32 half sets it
 *   [r0 + 48] 0: report complete
 *   [r0 + 56] (entry code) the access completed without an exception
 *
 * No SPSR: QEMU (7.2 and 10.0) does not load an AArch32 mode's SPSR when
 * it returns from AArch64 EL2 to AArch32 EL1 (target/arm/helper.c:
 * aarch64_sync_64_to_32() leaves env->spsr alone), so MRS SPSR reads a
 * stale value here; the VMM reads SPSR_abt with KVM_GET_ONE_REG instead.
 *
 * The report first does SETEND LE (SCTLR.EE=1 enters in big-endian state;
 * the VMM clears SCTLR.SED), after reading the CPSR that shows E.
 */
	.syntax unified
	.arch armv7-a
	.text

/* The report, the same code in A32 and T32: r9 = vector address, r11 =
 * CPSR at entry, r12 = LR at entry. */
.macro report
	setend	le
	mrc	p15, 0, r3, c5, c0, 0	/* DFSR */
	mrc	p15, 0, r4, c6, c0, 0	/* DFAR */
	mrc	p15, 0, r5, c5, c0, 1	/* IFSR */
	mrc	p15, 0, r6, c6, c0, 2	/* IFAR */
	str	r9, [r0, #0]
	str	r3, [r0, #8]
	str	r4, [r0, #16]
	str	r12, [r0, #24]
	str	r11, [r0, #40]
	str	r5, [r0, #64]
	str	r6, [r0, #72]
	mov	r3, #0
	str	r3, [r0, #48]
1:	b	1b
.endm

	.global g32_start
g32_start:

/* ---- the A32 half ---- */
	.arm
	.balign 32
	.global g32_a32_half
g32_a32_half:
a32_vectors:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7
	b	a32_stub_\n
	.endr
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7
a32_stub_\n:
	adr	r9, a32_vectors + 4 * \n
	mrs	r11, cpsr
	mov	r12, lr
	b	a32_report
	.endr
a32_report:
	report
	.global g32_a32_half_end
g32_a32_half_end:

/* ---- the T32 half ---- */
	.thumb
	.balign 32
	.global g32_t32_half
g32_t32_half:
t32_vectors:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7
	b.w	t32_stub_\n
	.endr
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7
t32_stub_\n:
	adr.w	r9, t32_vectors + 4 * \n
	mrs	r11, cpsr
	orr	r11, r11, #0x20		/* T: this code runs in T32 */
	mov	r12, lr
	b.w	t32_report
	.endr
t32_report:
	report
	.balign 4
	.global g32_t32_half_end
g32_t32_half_end:

/* ---- entry points: each faulting instruction is the first of its entry ---- */
	.arm
	.balign 4
	.global g32_a32_load
g32_a32_load:
	ldr	r3, [r1]
	b	a32_no_abort

	.global g32_a32_store
g32_a32_store:
	str	r2, [r1]
	b	a32_no_abort

	.global g32_a32_branch
g32_a32_branch:
	bx	r1

a32_no_abort:
	str	r2, [r0, #56]
1:	b	1b

	.thumb
	.balign 4
	.global g32_t32_load
g32_t32_load:
	ldr	r3, [r1]		/* a 16-bit encoding */
	b	t32_no_abort

	.global g32_t32_store
g32_t32_store:
	str	r2, [r1]
	b	t32_no_abort

t32_no_abort:
	str	r2, [r0, #56]
1:	b	1b

	.balign 4
	.global g32_end
g32_end:
