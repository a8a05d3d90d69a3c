/* SPDX-License-Identifier: MIT */
/*
 * The guest side of the CPER guest test: a static arm64 program run as
 * /init's last step in the test's initramfs. It reads commands from the
 * console, one a line, and answers with lines that start with a tag, so
 * the host (run.py) can drive it:
 *
 *   own N [early]  fork a process that owns N fresh pages, or (N = 16) a
 *                  64 KiB-aligned run of 16 pages it owns, and prints
 *                  "OWN pid va pa" for each; it touches them every 20 ms
 *                  (late kill: SIGBUS BUS_MCEERR_AR on the touch after the
 *                  page is poisoned), or with "early" asks for early kill
 *                  (PR_MCE_KILL_EARLY: BUS_MCEERR_AO when it is poisoned)
 *                  and only sleeps. On SIGBUS it prints "SIGBUS pid code
 *                  addr lsb" and dies of it.
 *   wait PID SECS  "EXIT pid signal N" / "EXIT pid status N" / "EXIT pid
 *                  running"
 *   poisoned PFN.. "POISONED pfn 0|1" each, from /proc/kpageflags
 *   corrupted      "CORRUPTED kB", /proc/meminfo's HardwareCorrupted
 *   sweep MB PFN.. allocate and touch MB MiB, look the PFNs up among its
 *                  pages: "SWEEP pages N hits M"
 *   hest           the HEST table as "HEST <hex>" lines
 *   kmsg           the kernel's new log records as "KMSG <text>" lines
 * Every answer ends with "DONE <command>". Kernel messages are kept off
 * the console (the test reads them with kmsg), so lines never interleave.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096ul

static int kmsg_fd = -1;

static uint64_t pfn_of(const void *va)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, 8, (off_t)((uintptr_t)va / PAGE * 8)) != 8)
		entry = 0;
	close(fd);
	/* bit 63 present, bits 54:0 the PFN (root sees it) */
	return entry >> 63 ? entry & ((1ull << 55) - 1) : 0;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* printf is not async-signal-safe; the process dies right after. */
	printf("SIGBUS %d %d %p %d\n", getpid(), si->si_code, si->si_addr,
	       (int)si->si_addr_lsb);
	fflush(stdout);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Find, in a large fresh mapping, 16 pages whose PFNs form one 64 KiB-
 * aligned run; keep only those. */
static volatile uint8_t *find_run(uint64_t *pfns, unsigned int n)
{
	size_t len = 64ul << 20;
	uint8_t *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	/* Small pages: a transparent huge page would be split on the
	 * poison, and the test is about 4 KiB pages. */
	madvise(m, len, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < len; off += PAGE)
		m[off] = 1;
	for (size_t off = 0; off + n * PAGE <= len; off += PAGE) {
		uint64_t first = pfn_of(m + off);
		unsigned int i;

		if (!first || first % n)
			continue;
		for (i = 1; i < n; i++)
			if (pfn_of(m + off + i * PAGE) != first + i)
				break;
		if (i < n)
			continue;
		for (i = 0; i < n; i++)
			pfns[i] = first + i;
		/* Give back everything else, so that only the run is ours. */
		munmap(m, off);
		munmap(m + off + n * PAGE, len - off - n * PAGE);
		return m + off;
	}
	munmap(m, len);
	return NULL;
}

static void cmd_own(unsigned int n, int early)
{
	uint64_t pfns[64];
	pid_t pid;

	if (n < 1 || n > 64) {
		printf("ERROR own: 1..64 pages\n");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct sigaction sa;
		volatile uint8_t *p;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGBUS, &sa, NULL);
		if (early)
			prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0);
		if (n == 16) {
			p = find_run(pfns, 16);
		} else {
			p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED)
				p = NULL;
			for (unsigned int i = 0; p && i < n; i++) {
				p[i * PAGE] = (uint8_t)i;
				pfns[i] = pfn_of((const void *)(p + i * PAGE));
			}
		}
		if (!p) {
			printf("ERROR own: no pages\n");
			fflush(stdout);
			_exit(2);
		}
		for (unsigned int i = 0; i < n; i++)
			printf("OWN %d %p 0x%llx\n", getpid(), (void *)(p + i * PAGE),
			       (unsigned long long)(pfns[i] * PAGE));
		printf("DONE own\n");
		fflush(stdout);
		for (;;) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };

			if (!early)
				for (unsigned int i = 0; i < n; i++)
					(void)p[i * PAGE];
			nanosleep(&ts, NULL);
		}
	}
	if (pid < 0)
		printf("ERROR own: fork: %s\nDONE own\n", strerror(errno));
	/* The child prints the rest, DONE included. */
}

static void cmd_wait(pid_t pid, int secs)
{
	int status;

	for (int i = 0; i < secs * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (WIFSIGNALED(status))
				printf("EXIT %d signal %d\n", pid, WTERMSIG(status));
			else
				printf("EXIT %d status %d\n", pid, WEXITSTATUS(status));
			return;
		}
		usleep(100000);
	}
	printf("EXIT %d running\n", pid);
}

static void cmd_poisoned(char *args)
{
	int fd = open("/proc/kpageflags", O_RDONLY);

	for (char *tok = strtok(args, " "); tok; tok = strtok(NULL, " ")) {
		uint64_t pfn = strtoull(tok, NULL, 0), flags = 0;

		if (fd < 0 || pread(fd, &flags, 8, (off_t)(pfn * 8)) != 8)
			printf("ERROR poisoned: kpageflags\n");
		else
			printf("POISONED 0x%llx %d\n", (unsigned long long)pfn,
			       (int)(flags >> 19 & 1)); /* KPF_HWPOISON */
	}
	if (fd >= 0)
		close(fd);
}

static void cmd_corrupted(void)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "HardwareCorrupted:", 18))
			printf("CORRUPTED %ld\n", strtol(line + 18, NULL, 10));
	if (f)
		fclose(f);
}

/* The retired pages are never handed out again: allocate much of the
 * memory and look for them. */
static void cmd_sweep(char *args)
{
	char *tok = strtok(args, " ");
	size_t len = (tok ? strtoul(tok, NULL, 0) : 0) << 20;
	uint64_t want[256];
	unsigned int nwant = 0, hits = 0;
	uint8_t *m;

	while ((tok = strtok(NULL, " ")) && nwant < 256)
		want[nwant++] = strtoull(tok, NULL, 0);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (m == MAP_FAILED) {
		printf("ERROR sweep: mmap: %s\n", strerror(errno));
		return;
	}
	for (size_t off = 0; off < len; off += PAGE) {
		uint64_t pfn = pfn_of(m + off);

		for (unsigned int i = 0; i < nwant; i++)
			hits += pfn == want[i];
	}
	munmap(m, len);
	printf("SWEEP pages %zu hits %u\n", len / PAGE, hits);
}

static void cmd_hest(void)
{
	uint8_t buf[4096];
	int fd = open("/sys/firmware/acpi/tables/HEST", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));

	if (n <= 0) {
		printf("ERROR hest: %s\n", strerror(errno));
	} else {
		for (ssize_t i = 0; i < n; i += 32) {
			printf("HEST ");
			for (ssize_t j = i; j < n && j < i + 32; j++)
				printf("%02x", buf[j]);
			printf("\n");
		}
	}
	if (fd >= 0)
		close(fd);
}

static void cmd_kmsg(void)
{
	char rec[8192];
	ssize_t n;

	/* Each read() is one record: "prio,seq,time,flags;text\n...". */
	while ((n = read(kmsg_fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		char *text, *end;

		if (n < 0)
			continue; /* overwritten records: go on */
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		end = strchr(text, '\n');
		if (end)
			*end = '\0';
		printf("KMSG %s\n", text);
	}
}

int main(void)
{
	struct termios t;
	char line[4096];

	/* No echo of the commands; kernel messages only through kmsg. */
	if (tcgetattr(0, &t) == 0) {
		t.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &t);
	}
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("CPER-GUEST READY\n");
	while (fgets(line, sizeof(line), stdin)) {
		char *arg, *cmd = line;

		line[strcspn(line, "\r\n")] = '\0';
		arg = strchr(line, ' ');
		if (arg)
			*arg++ = '\0';
		if (!strcmp(cmd, "own")) {
			unsigned int n = arg ? (unsigned int)strtoul(arg, NULL, 0) : 0;

			cmd_own(n, arg && strstr(arg, "early") != NULL);
			continue; /* the child says DONE */
		} else if (!strcmp(cmd, "wait") && arg) {
			char *secs = strchr(arg, ' ');

			cmd_wait((pid_t)strtol(arg, NULL, 0), secs ? atoi(secs) : 5);
		} else if (!strcmp(cmd, "poisoned") && arg) {
			cmd_poisoned(arg);
		} else if (!strcmp(cmd, "corrupted")) {
			cmd_corrupted();
		} else if (!strcmp(cmd, "sweep") && arg) {
			cmd_sweep(arg);
		} else if (!strcmp(cmd, "hest")) {
			cmd_hest();
		} else if (!strcmp(cmd, "kmsg")) {
			cmd_kmsg();
		} else if (cmd[0]) {
			printf("ERROR unknown command '%s'\n", cmd);
		}
		printf("DONE %s\n", cmd);
	}
	return 0;
}
