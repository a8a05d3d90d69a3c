/* SPDX-License-Identifier: MIT */
/*
 * Finding ESR values in arm64 kernel log lines, for kvmsea-esr --log.
 *
 * The forms are the kernel's own messages (Linux arch/arm64), anywhere in a
 * line, so dmesg, journalctl and serial-console prefixes do not matter. A
 * "number" is 0x and hex digits, or, where noted, hex digits alone; it must
 * not run on into a letter, digit or '_'.
 *
 *   ESR = 0x..., ESR: 0x..., ESR:..., esr: 0x..., ESR_EL2=0x...
 *       the word ESR (any case, optionally _EL1/_EL2/_EL3), '=' or ':'
 *       between optional blanks, a number with or without 0x:
 *       mm/fault.c mem_abort_decode() "ESR = ", kernel/traps.c
 *       panic_bad_stack() "ESR: ", KVM's hyp panic "ESR:" (no 0x),
 *       handle_exit.c kvm_handle_unknown_ec() "esr: ", mmu.c
 *       kvm_handle_guest_abort() "ESR_EL2=".
 *   ESR 0x...
 *       the word ESR, blanks, a number with 0x: traps.c
 *       arm64_show_signal() "ESR 0x..., ", entry-common.c
 *       __panic_unhandled() "ESR 0x... -- DABT (current EL)",
 *       fault.c set_thread_esr() "ESR 0x... is not DABT or IABT".
 *   on CPU<n>, code 0x...
 *       traps.c arm64_serror_panic() "SError Interrupt on CPU0, code 0x...",
 *       and older kernels' bad_mode() / bad_el0_sync() "... detected on
 *       CPU1, code 0x...".
 *   Internal error: <what>: <number> [#<n>]
 *       traps.c __die() (Oops, BUG, ...), hex digits with or without 0x;
 *       not when the line ends in " ARM" or " THUMB2": that is a 32-bit
 *       ARM kernel, which prints its FSR there, not an ESR.
 *   Synchronous External Abort: / Unhandled fault: / Unhandled debug
 *   exception: <name> (0x...) at 0x...
 *       fault.c do_sea(), do_mem_abort(), do_debug_exception() of older
 *       (4.x) kernels.
 */
#ifndef KVMSEA_TOOLS_ESR_LOG_H
#define KVMSEA_TOOLS_ESR_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* One ESR found in a line, pointing into that line. */
struct esr_log_hit {
	const char *token;   /* the number as printed, "0x" included */
	size_t token_len;
	const char *digits;  /* its hex digits (without "0x") */
	size_t digits_len;
};

/*
 * Find the next ESR in the line [@line, @end), at or after *@pos. Returns
 * true with @hit filled and *@pos moved past the number, or false when the
 * rest of the line holds none. The line need not be NUL-terminated.
 */
bool esr_log_next(const char *line, const char *end, const char **pos,
		  struct esr_log_hit *hit);

#endif /* KVMSEA_TOOLS_ESR_LOG_H */
