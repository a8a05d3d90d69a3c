/* SPDX-License-Identifier: MIT */
/*
 * The VMM's threads that are not vCPU threads, for the poison programs:
 * a job (poison a page, read guest memory) run on a thread of its own, and
 * a waiter that only sits there; each with its own SIGBUS log (buslog.h)
 * and machine-check policy (prctl PR_MCE_KILL), so that a test can tell
 * which thread the kernel signalled.
 */
#ifndef E2E_JOBS_H
#define E2E_JOBS_H

#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>

#include "buslog.h"

#define JOB_POLICY_DEFAULT (-1)  /* leave PR_MCE_KILL alone */

struct job {
	int (*fn)(struct job *j);
	void *arg;          /* the job's data: a struct dvm for the ones below */
	uint64_t off;       /* the data offset it works on */
	int policy;         /* PR_MCE_KILL_EARLY, _LATE or JOB_POLICY_DEFAULT */
	int ret;            /* what fn returned */
	struct buslog log;
	uint64_t pfn;       /* the frame a poisoning job poisoned */
	char recovery[64];  /* and memory_failure()'s verdict on it */
};

/* Run @j on a new thread and wait for it: its log is then safe to read. */
void run_job(struct job *j);

/* The jobs; arg is a struct dvm. */
void *job_page(const struct job *j);  /* host address of off's page */
int job_madvise(struct job *j);       /* madvise(MADV_HWPOISON) off's page */
int job_corrupt(struct job *j);       /* corrupt-pfn off's page */
/* Read the word at off twice, leaving the SIGBUS handler by siglongjmp (a
 * device model reading guest memory): ret = the reads that completed. */
int job_read(struct job *j);

/* A thread that waits, with a machine-check policy: who gets AO. */
struct waiter {
	pthread_t t;
	int policy;
	sem_t ready, release;
	struct buslog log;
};

void waiter_start(struct waiter *w, int policy);
void waiter_stop(struct waiter *w);  /* joins: the log is then safe to read */

#endif
