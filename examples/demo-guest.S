/* SPDX-License-Identifier: MIT */
/*
 * The guest of the demo VM (demo-vm.h), which minimal and sea-vmm run:
 * bare-metal AArch64 at EL1, MMU off (VA == IPA).
 *
 * demo-vm.c copies this image to guest IPA 0x40000000 and starts the vCPU
 * at "start" (offset 0) in EL1h with D, I and F masked and A clear (so an
 * SError, if KVM injects one, is taken at once and reported too), with:
 *
 *   x0   the address to touch (inside the bad page)
 *   x1   how: 0 load, 1 store, 2 fetch (branch to it)
 *   x28  the report page: an IPA with no memory, so every store to it is a
 *        KVM_EXIT_MMIO, which demo-report.c reads
 *
 * The guest installs its own vector table, touches the bad page, and when
 * an abort is taken its handler reports what the guest saw and carries on
 * after the access. Report page layout (64-bit stores):
 *
 *   [x28 +  0] the vector taken, 0..15 (its offset / 0x80)
 *   [x28 +  8] ESR_EL1    [x28 + 16] FAR_EL1    [x28 + 24] ELR_EL1
 *   [x28 + 32] the guest finished; the value is how many aborts it took
 *
 * The examples do not assemble this file (an x86_64 host may have no
 * AArch64 assembler): demo-vm.c includes the instruction words from
 * demo-guest.inc, which gen-guest.sh makes from this file, and the
 * 'guest-words' test checks that the two agree. After editing this file run
 *
 *     examples/gen-guest.sh > examples/demo-guest.inc
 *
 * Only local labels and PC-relative branches: the image runs anywhere.
 */
	.text

/* Entry point (offset 0: it must stay first): install the vectors, then
 * touch the bad page. */
start:
	adr	x9, vectors
	msr	vbar_el1, x9
	isb
	mov	x20, #0			/* aborts taken so far */
	cmp	x1, #1
	b.eq	store
	b.hi	fetch
load:
	ldr	x2, [x0]
	b	done
store:
	str	x1, [x0]
	b	done
fetch:
	adr	x30, done		/* the handler resumes here */
	br	x0
done:
	str	x20, [x28, #32]		/* "I kept going", and the count */
1:	wfi
	b	1b

/* The vector table: 16 entries of 0x80 bytes, 2 KiB aligned (VBAR_EL1). */
	.balign	2048, 0
vectors:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	.balign	0x80, 0
	mov	x9, #\n
	b	handler
	.endr

/*
 * Every vector: report, then resume after the access. ELR_EL1 is the
 * faulting instruction for a load or store (skip it) and the bad address
 * itself for a fetch (go back to where the branch would have returned).
 */
	.balign	0x80, 0
handler:
	mrs	x10, esr_el1
	mrs	x11, far_el1
	mrs	x12, elr_el1
	str	x9, [x28, #0]
	str	x10, [x28, #8]
	str	x11, [x28, #16]
	str	x12, [x28, #24]
	add	x20, x20, #1
	add	x12, x12, #4
	cmp	x1, #2
	csel	x12, x30, x12, eq
	msr	elr_el1, x12
	eret
