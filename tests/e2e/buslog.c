// SPDX-License-Identifier: MIT
#include "buslog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

struct buslog buslog_stray;
static _Thread_local struct buslog *thread_log;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	struct buslog *log = thread_log ? thread_log : &buslog_stray;
	/* The stray log may take signals on several threads at once. */
	int i = __atomic_fetch_add(&log->n, 1, __ATOMIC_RELAXED);

	(void)sig;
	(void)uc;
	if (i < BUSLOG_MAX) {
		log->sig[i].code = si->si_code;
		log->sig[i].addr = (uint64_t)(uintptr_t)si->si_addr;
		log->sig[i].lsb = si->si_addr_lsb;
	}
	if (log->escape)
		siglongjmp(*log->escape, 1);
}

int buslog_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGBUS, &sa, NULL) ? -errno : 0;
}

void buslog_attach(struct buslog *log)
{
	thread_log = log;
}

const char *bus_sig_str(const struct bus_sig *s, char *buf, unsigned n)
{
	if (s->code == BUS_MCEERR_AR || s->code == BUS_MCEERR_AO)
		snprintf(buf, n, "%s 0x%llx/%d", s->code == BUS_MCEERR_AR ? "AR" : "AO",
			 (unsigned long long)s->addr, s->lsb);
	else
		snprintf(buf, n, "si_code %d 0x%llx/%d", s->code,
			 (unsigned long long)s->addr, s->lsb);
	return buf;
}
