// SPDX-License-Identifier: MIT
#include "jobs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "datavm.h"
#include "hwpoison.h"

#define PAGE 0x1000ull

static void set_policy(int policy)
{
	if (policy != JOB_POLICY_DEFAULT &&
	    prctl(PR_MCE_KILL, PR_MCE_KILL_SET, policy, 0, 0))
		printf("  prctl(PR_MCE_KILL): %s\n", strerror(errno));
}

static void *job_main(void *arg)
{
	struct job *j = arg;

	buslog_attach(&j->log);
	set_policy(j->policy);
	j->ret = j->fn(j);
	return NULL;
}

void run_job(struct job *j)
{
	pthread_t t;
	int kmsg = hwp_kmsg_open();

	buslog_reset(&j->log);
	j->pfn = 0;
	snprintf(j->recovery, sizeof(j->recovery), "none");
	if (pthread_create(&t, NULL, job_main, j) == 0)
		pthread_join(t, NULL);
	else
		j->ret = -EAGAIN;
	if (kmsg >= 0) {
		if (j->pfn)
			hwp_kmsg_recovery(kmsg, j->pfn, j->recovery, sizeof(j->recovery));
		close(kmsg);
	}
}

void *job_page(const struct job *j)
{
	return dvm_host(j->arg, j->off & ~(PAGE - 1));
}

int job_madvise(struct job *j)
{
	if (hwp_pfn(job_page(j), &j->pfn))
		j->pfn = 0; /* not present: madvise says what it does then */
	return hwp_madvise(job_page(j));
}

int job_corrupt(struct job *j)
{
	int ret = hwp_pfn(job_page(j), &j->pfn);

	return ret ? ret : hwp_corrupt_pfn(j->pfn);
}

int job_read(struct job *j)
{
	volatile uint64_t *p = dvm_host(j->arg, j->off);
	sigjmp_buf escape;
	volatile int done = 0, tries = 0;

	j->log.escape = &escape;
	sigsetjmp(escape, 1);
	while (tries < 2) {
		tries++;
		(void)*p;
		done++;
	}
	j->log.escape = NULL;
	return done;
}

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	buslog_attach(&w->log);
	set_policy(w->policy);
	sem_post(&w->ready);
	while (sem_wait(&w->release) && errno == EINTR)
		; /* an AO handler interrupted the wait */
	return NULL;
}

void waiter_start(struct waiter *w, int policy)
{
	memset(w, 0, sizeof(*w));
	w->policy = policy;
	sem_init(&w->ready, 0, 0);
	sem_init(&w->release, 0, 0);
	pthread_create(&w->t, NULL, waiter_main, w);
	while (sem_wait(&w->ready) && errno == EINTR)
		;
}

void waiter_stop(struct waiter *w)
{
	sem_post(&w->release);
	pthread_join(w->t, NULL);
	sem_destroy(&w->ready);
	sem_destroy(&w->release);
}
