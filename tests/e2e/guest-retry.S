/* SPDX-License-Identifier: MIT */
/*
 * A second vector table for the AArch64 guest of guest.S: a guest that
 * handles every synchronous exception at EL1h by returning to the faulting
 * instruction (ERET), so a persistent bad page faults again and again, each
 * abort delivered. The test program copies e2e_retry_start..e2e_retry_end to
 * its own place in the guest's RAM and points VBAR_EL1 at it, with:
 *
 *   x25 0, counts the exceptions taken here
 *   x26 how many to take before reporting
 *   x27 guest.S's vector table (e2e_guest_vectors, as an IPA)
 *
 * The x26-th exception, and any other vector, goes on to guest.S's vector of
 * the same index, which reports the usual way (guest.S's header). Position
 * independent.
 */
	.section .rodata.e2e_retry, "a"
	.balign 2048
	.global e2e_retry_start
e2e_retry_start:
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign 0x80
	.if \n == 4			/* current EL with SP_ELx, synchronous */
	add	x25, x25, #1
	cmp	x25, x26
	b.hs	1f
	eret
1:
	.endif
	add	x10, x27, #(\n * 0x80)
	br	x10
	.endr
	.balign 16
	.global e2e_retry_end
e2e_retry_end:
