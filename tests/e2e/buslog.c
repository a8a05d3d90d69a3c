// SPDX-License-Identifier: MIT
#include "buslog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

struct buslog buslog_stray;
static _Thread_local struct buslog *thread_log;
static int (*volatile sig_hook)(const siginfo_t *si);

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	struct buslog *log = thread_log ? thread_log : &buslog_stray;
	int (*hook)(const siginfo_t *) = sig_hook;
	int verdict = hook ? hook(si) : 0;
	/* The stray log may take signals on several threads at once. */
	int i = __atomic_fetch_add(&log->n, 1, __ATOMIC_RELAXED);

	(void)sig;
	(void)uc;
	if (i < BUSLOG_MAX) {
		log->sig[i].code = si->si_code;
		log->sig[i].addr = (uint64_t)(uintptr_t)si->si_addr;
		log->sig[i].lsb = si->si_addr_lsb;
		log->sig[i].hook = verdict;
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

void buslog_set_hook(int (*hook)(const siginfo_t *si))
{
	sig_hook = hook;
}

void buslog_reset(struct buslog *log)
{
	memset(log, 0, sizeof(*log));
}

const char *buslog_str(const struct buslog *log, int i, char *buf, unsigned n)
{
	const struct bus_sig *s;

	if (i < 0 || i >= log->n || i >= BUSLOG_MAX) {
		snprintf(buf, n, "none");
		return buf;
	}
	s = &log->sig[i];
	if (s->code == BUS_MCEERR_AR || s->code == BUS_MCEERR_AO)
		snprintf(buf, n, "%s 0x%llx/%d", s->code == BUS_MCEERR_AR ? "AR" : "AO",
			 (unsigned long long)s->addr, s->lsb);
	else
		snprintf(buf, n, "si_code %d 0x%llx/%d", s->code,
			 (unsigned long long)s->addr, s->lsb);
	return buf;
}

void expect_sigs(const char *who, const struct buslog *log, int count,
		 int code, uint64_t addr, int lsb)
{
	char what[96];

	snprintf(what, sizeof(what), "%s: SIGBUS count", who);
	EXPECT_EQ(what, log->n, count);
	for (int i = 0; i < count && i < log->n && i < BUSLOG_MAX; i++) {
		snprintf(what, sizeof(what), "%s: signal %d si_code", who, i);
		EXPECT_EQ(what, log->sig[i].code, code);
		snprintf(what, sizeof(what), "%s: signal %d si_addr", who, i);
		EXPECT_EQ(what, log->sig[i].addr, addr);
		snprintf(what, sizeof(what), "%s: signal %d si_addr_lsb", who, i);
		EXPECT_EQ(what, log->sig[i].lsb, lsb);
	}
}
