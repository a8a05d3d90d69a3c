/* SPDX-License-Identifier: MIT */
/*
 * What each thread's SIGBUS handler saw, for the e2e programs that poison
 * memory (poison.c). One SA_SIGINFO handler for the whole process records
 * every SIGBUS in the log the receiving thread attached, or in the stray
 * log when that thread attached none. A thread that reads poisoned memory
 * itself sets an escape: the handler then leaves with siglongjmp, since
 * returning would run the faulting load again.
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
/* Signals on threads that attached no log (several threads may add). */
extern struct buslog buslog_stray;

/* "AR 0x7f12345000/12" for the test output. */
const char *bus_sig_str(const struct bus_sig *s, char *buf, unsigned n);

#endif
