/* SPDX-License-Identifier: MIT */
/*
 * What each thread's SIGBUS handler saw, for the e2e programs that poison
 * memory, and the checks on it. One SA_SIGINFO handler for the whole
 * process records every SIGBUS in the log the receiving thread attached,
 * or in the stray log when that thread attached none. A program that uses
 * libkvmsea sets a hook, which the handler calls first (the VMM's call to
 * kvmsea_sigbus()); its answer is recorded with the signal. A thread that
 * reads poisoned memory itself sets an escape: the handler then leaves
 * with siglongjmp, since returning would run the faulting load again.
 */
#ifndef E2E_BUSLOG_H
#define E2E_BUSLOG_H

#include <setjmp.h>
#include <signal.h>
#include <stdint.h>

#define BUSLOG_MAX 8

struct bus_sig {
	int code;        /* si_code: BUS_MCEERR_AR 4, BUS_MCEERR_AO 5 */
	uint64_t addr;   /* si_addr */
	int lsb;         /* si_addr_lsb */
	int hook;        /* what the hook returned (0 without one) */
};

struct buslog {
	volatile sig_atomic_t n;   /* signals seen (also those not kept) */
	struct bus_sig sig[BUSLOG_MAX];
	sigjmp_buf *escape;        /* set: leave the handler through it */
};

/* Install the handler (once, before any thread poisons anything). */
int buslog_install(void);
/* Record this thread's signals in @log (NULL: in the stray log). */
void buslog_attach(struct buslog *log);
/* Called first on every SIGBUS, on the receiving thread (NULL: none). */
void buslog_set_hook(int (*hook)(const siginfo_t *si));
/* Signals on threads that attached no log (several threads may add). */
extern struct buslog buslog_stray;

void buslog_reset(struct buslog *log);
/* "AR 0x7f12345000/12" (signal @i of @log, "none" if there is none). */
const char *buslog_str(const struct buslog *log, int i, char *buf, unsigned n);
/* EXPECT that @log holds exactly @count signals { @code, @addr, @lsb }. */
void expect_sigs(const char *who, const struct buslog *log, int count,
		 int code, uint64_t addr, int lsb);

#endif
