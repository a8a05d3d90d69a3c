/* SPDX-License-Identifier: MIT */
/*
 * The bare-metal AArch64 guest of the e2e suite. The test programs copy the
 * bytes from e2e_guest_start to e2e_guest_end to guest IPA 0x40000000 (with
 * the MMU off, VA == IPA), point VBAR_EL1 at it and start the vCPU at one of
 * the entry points below with the registers set through KVM_SET_ONE_REG:
 *
 *   x1  the address to fault on (a memslot backed by a hole in the physical
 *       map, where the emulating machine answers with an external abort)
 *   x28 the report page: an IPA with no memslot, so each store to it is a
 *       KVM_EXIT_MMIO that the test program records
 *
 * Every exception vector records what the guest sees on entry and stops:
 *
 *   [x28 +  0] vector index 0..15 (offset / 0x80)
 *   [x28 +  8] ESR_EL1    [x28 + 16] FAR_EL1
 *   [x28 + 24] ELR_EL1    [x28 + 32] SPSR_EL1
 *   [x28 + 40] PSTATE after entry, assembled in SPSR format from NZCV, DAIF,
 *              CurrentEL, SPSel, PAN, UAO, DIT and SSBS (all in -cpu max)
 *   [x28 + 48] 0: report complete
 *   [x28 + 56] the entry code ran past the access without an exception
 *
 * This file is position independent: it only uses PC-relative branches.
 */
	.section .rodata.e2e_guest, "a"
	.balign 2048
	.global e2e_guest_start
e2e_guest_start:

/* The vector table (VBAR_EL1 = base): 16 entries of 0x80 bytes. */
	.global e2e_guest_vectors
e2e_guest_vectors:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign 0x80
	mov	x9, #\n
	b	report
	.endr

	.balign 0x80
report:
	mrs	x11, esr_el1
	mrs	x12, far_el1
	mrs	x13, elr_el1
	mrs	x14, spsr_el1
	mrs	x15, nzcv		/* [31:28] */
	mrs	x16, daif		/* [9:6] */
	orr	x15, x15, x16
	mrs	x16, currentel		/* [3:2] = EL, which is M[3:2] */
	orr	x15, x15, x16
	mrs	x16, spsel		/* [0] = M[0] */
	orr	x15, x15, x16
	mrs	x16, s3_0_c4_c2_3	/* PAN, [22] */
	orr	x15, x15, x16
	mrs	x16, s3_0_c4_c2_4	/* UAO, [23] */
	orr	x15, x15, x16
	mrs	x16, s3_3_c4_c2_5	/* DIT, [24] */
	orr	x15, x15, x16
	mrs	x16, s3_3_c4_c2_6	/* SSBS, [12] */
	orr	x15, x15, x16
	str	x9, [x28, #0]
	str	x11, [x28, #8]
	str	x12, [x28, #16]
	str	x13, [x28, #24]
	str	x14, [x28, #32]
	str	x15, [x28, #40]
	str	xzr, [x28, #48]
1:	b	1b

/* Entry points. Each faulting instruction is the first of its entry. */
	.global e2e_guest_load
e2e_guest_load:
	ldr	x2, [x1]
	b	no_abort

	.global e2e_guest_store
e2e_guest_store:
	str	x2, [x1]
	b	no_abort

	.global e2e_guest_branch
e2e_guest_branch:
	br	x1

no_abort:
	str	x2, [x28, #56]
1:	b	1b

	.balign 16
	.global e2e_guest_end
e2e_guest_end:
