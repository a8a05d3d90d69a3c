// SPDX-License-Identifier: MIT
/*
 * vmm-run: runs one Linux guest (L2) under a real VMM (QEMU) inside the
 * emulated arm64 host (L1), plays the host's part of the bad-memory test,
 * and prints the verdict.
 *
 *   vmm-run NAME EXPECT TIMEOUT MONITOR -- QEMU-ARGV...
 *
 * QEMU must have its serial console on stdio and its human monitor (HMP) on
 * the unix socket MONITOR. Every console line is echoed as "NAME| line",
 * and every line QEMU writes to stderr as "NAME (qemu)| line".
 * When the guest prints "KVMSEA-POISON gpa=0x..." (l2-touch), vmm-run asks
 * the monitor for the host address (gpa2hva), reads the page frame from
 * /proc/QEMU/pagemap, poisons it through hwpoison_inject's debugfs file,
 * and answers the guest with a line on the console.
 *
 * EXPECT is what the run must show to pass:
 *   survive      every "L2 RESULT ... status S" has S = 135 (SIGBUS), then
 *                "L2 ALIVE" and "L2 DONE", and QEMU exits 0
 *   guest-panic  the guest kernel panics ("Kernel panic"), no "L2 DONE"
 *   vmm-exit     QEMU exits non-zero before "L2 DONE", the guest did not panic
 *   retire       as survive, and the guest's kernel retired the first poisoned
 *                page ("Memory failure: 0xPFN: recovery action ...: Recovered",
 *                from the ACPI GHES record the VMM wrote)
 *   trap         the first result is a SIGBUS and QEMU exits 0; then either
 *                the guest survives (as for survive), or it panics after QEMU
 *                reported a second touch of the first poisoned page by a
 *                vCPU (the AO QEMU hears of first is not one):
 *                a guest without ACPI cannot retire the page, frees it when
 *                the process dies and touches it again when it reuses it
 *   reset        the trap's panic, then the reset QEMU does on the guest's
 *                reboot (run with -action reboot=reset) replaced the page:
 *                QEMU reads the first poisoned page for the monitor (HMP
 *                xp) and lives, and the second boot runs to "L2 DONE"
 *                (vmm-run poisons nothing in it), QEMU exits 0
 * It prints "E2E PASS NAME: ..." or "E2E FAIL NAME: ...", and exits 0 either
 * way (1 on a usage or setup error).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096ull
#define CORRUPT_PFN "/sys/kernel/debug/hwpoison/corrupt-pfn"

struct run {
	const char *name;
	const char *monitor;
	pid_t qemu;
	int to_qemu;            /* QEMU's stdin: the guest's console input */
	double t0;              /* QEMU started */
	double t_first, t_boot; /* the first console line, "L2 BOOT" (0: not yet) */
	int results, sigbus;    /* "L2 RESULT" lines; those with status 135 */
	bool alive, done, panic, poison_failed, retired;
	int poisoned;
	uint64_t first_gpa;     /* the first page poisoned */
	int first_gpa_touches;  /* QEMU's "vCPU N: guest memory error" lines for
				 * it: SEA exits and SIGBUS ARs, not the AO */
	int first_status;       /* of the first "L2 RESULT" (-1: none) */
	int boots;              /* "L2 BOOT" lines: more than 1 after a reset */
	bool replaced;          /* QEMU read the first poisoned page after it */
	char first_bad[160];    /* the first result that was not a SIGBUS */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void say(const struct run *r, const char *fmt, ...)
{
	va_list ap;

	printf("vmm-run %s [%.1fs]: ", r->name, now() - r->t0);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Send one HMP command and read until the next prompt. */
static int hmp(const char *path, const char *cmd, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t got = 0;
	int fd, prompts = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		int e = -errno;
		close(fd);
		return e;
	}
	/* The banner ends with a prompt, and so does the command's answer. */
	while (prompts < 2 && got + 1 < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 60000) <= 0)
			break;
		ssize_t n = read(fd, out + got, len - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		out[got] = 0;
		prompts = 0;
		for (const char *s = out; (s = strstr(s, "(qemu)")); s++)
			prompts++;
	}
	out[got] = 0;
	close(fd);
	return prompts >= 2 ? 0 : -ETIMEDOUT;
}

/* The host page frame behind QEMU's virtual address @hva (0: not present). */
static uint64_t host_pfn(pid_t pid, uint64_t hva)
{
	char path[64];
	uint64_t entry = 0;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry), (off_t)(hva / PAGE * 8)) != 8)
		entry = 0;
	close(fd);
	return (entry >> 63) ? entry & ((1ull << 55) - 1) : 0;
}

/* The guest asked for its page at @gpa to be poisoned: do it, then answer. */
static void poison(struct run *r, uint64_t gpa)
{
	char cmd[64], out[4096], *is;
	uint64_t hva = 0, pfn = 0;
	int fd, err;

	if (r->boots > 1) { /* after a reset: the guest runs on good memory */
		say(r, "boot %d: gpa 0x%" PRIx64 " left as it is", r->boots, gpa);
		if (write(r->to_qemu, "go\n", 3) != 3)
			say(r, "answer to the guest: %s", strerror(errno));
		return;
	}
	snprintf(cmd, sizeof(cmd), "gpa2hva 0x%" PRIx64 "\n", gpa);
	err = hmp(r->monitor, cmd, out, sizeof(out));
	is = strstr(out, " is 0x");
	if (err == 0 && is)
		hva = strtoull(is + 4, NULL, 16);
	if (hva)
		pfn = host_pfn(r->qemu, hva);
	if (!pfn) {
		say(r, "cannot find the host page of gpa 0x%" PRIx64 " (hmp %d, hva 0x%" PRIx64 ")",
		    gpa, err, hva);
		r->poison_failed = true;
		kill(r->qemu, SIGKILL); /* the guest would wait for ever */
		return;
	}
	fd = open(CORRUPT_PFN, O_WRONLY | O_CLOEXEC);
	snprintf(cmd, sizeof(cmd), "0x%" PRIx64 "\n", pfn);
	if (fd < 0 || write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		say(r, "%s 0x%" PRIx64 " (gpa 0x%" PRIx64 ", hva 0x%" PRIx64 "): %s",
		    CORRUPT_PFN, pfn, gpa, hva, strerror(errno));
		r->poison_failed = true;
		kill(r->qemu, SIGKILL); /* the guest would wait for ever */
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	if (!r->poisoned++)
		r->first_gpa = gpa;
	say(r, "poisoned gpa 0x%" PRIx64 ": QEMU hva 0x%" PRIx64 ", host pfn 0x%" PRIx64,
	    gpa, hva, pfn);
	if (write(r->to_qemu, "go\n", 3) != 3)
		say(r, "answer to the guest: %s", strerror(errno));
}

/* After a reset: can QEMU read the page that was poisoned before it? A
 * page QEMU did not replace would kill it (its own access, SIGBUS AR). */
static void check_replaced(struct run *r)
{
	char cmd[64], out[4096], *v;

	snprintf(cmd, sizeof(cmd), "xp /1gx 0x%" PRIx64 "\n", r->first_gpa);
	if (hmp(r->monitor, cmd, out, sizeof(out)) == 0 && (v = strstr(out, ": 0x"))) {
		r->replaced = true;
		say(r, "after the reset QEMU reads gpa 0x%" PRIx64 ": %.18s", r->first_gpa, v + 2);
	} else {
		say(r, "after the reset QEMU cannot read gpa 0x%" PRIx64, r->first_gpa);
	}
}

static void console_line(struct run *r, const char *line)
{
	const char *p;
	int status;

	printf("%s| %s\n", r->name, line);
	if (!r->t_first)
		r->t_first = now();
	if ((p = strstr(line, "KVMSEA-POISON gpa=")))
		poison(r, strtoull(p + strlen("KVMSEA-POISON gpa="), NULL, 16));
	if (strstr(line, "L2 BOOT") && !r->boots++)
		r->t_boot = now();
	else if (strstr(line, "L2 BOOT") && r->poisoned)
		check_replaced(r);
	if ((p = strstr(line, "L2 RESULT ")) && (p = strstr(p, " status ")) &&
	    sscanf(p, " status %d", &status) == 1) {
		if (!r->results++)
			r->first_status = status;
		if (status == 135)
			r->sigbus++;
		else if (!r->first_bad[0])
			snprintf(r->first_bad, sizeof(r->first_bad), "%s", line);
	}
	if (strstr(line, "L2 ALIVE"))
		r->alive = true;
	if (strstr(line, "L2 DONE"))
		r->done = true;
	if (r->poisoned && (p = strstr(line, "Memory failure: 0x")) &&
	    strtoull(p + strlen("Memory failure: 0x"), NULL, 16) == r->first_gpa / PAGE &&
	    strstr(p, ": Recovered"))
		r->retired = true;
	if (strstr(line, "Kernel panic"))
		r->panic = true;
}

static void qemu_line(struct run *r, const char *line)
{
	char page[40];

	printf("%s (qemu)| %s\n", r->name, line);
	snprintf(page, sizeof(page), " page 0x%" PRIx64 "+", r->first_gpa);
	if (r->poisoned && strstr(line, "vCPU ") &&
	    strstr(line, ": guest memory error: ") && strstr(line, page))
		r->first_gpa_touches++;
}

static int verdict(const struct run *r, const char *expect, int status,
		   bool timed_out)
{
	char why[256] = "";
	bool ok;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	if (!strcmp(expect, "survive") || !strcmp(expect, "retire")) {
		ok = !timed_out && r->results > 0 && r->sigbus == r->results &&
		     r->alive && r->done && !r->panic && code == 0 &&
		     (r->retired || strcmp(expect, "retire"));
		if (r->first_bad[0])
			snprintf(why, sizeof(why), "; not a SIGBUS: '%s'", r->first_bad);
	} else if (!strcmp(expect, "trap")) {
		bool survived = r->sigbus == r->results && r->alive && r->done &&
				!r->panic;
		bool trapped = r->panic && r->first_gpa_touches > 1;

		ok = !timed_out && r->first_status == 135 && code == 0 &&
		     (survived || trapped);
		snprintf(why, sizeof(why), "; %s (%d touches of the first page)",
			 survived ? "the guest survived" :
			 trapped ? "the guest reused the page and panicked" :
			 "neither survived nor the known trap", r->first_gpa_touches);
	} else if (!strcmp(expect, "reset")) {
		ok = !timed_out && r->first_status == 135 && r->panic &&
		     r->boots == 2 && r->replaced && r->done && code == 0;
		snprintf(why, sizeof(why), "; %d boots, the page %s after the reset",
			 r->boots, r->replaced ? "replaced" : "not replaced");
	} else if (!strcmp(expect, "guest-panic")) {
		ok = !timed_out && r->panic && !r->done;
	} else {
		ok = !timed_out && code != 0 && !r->done && !r->panic;
	}
	ok = ok && !r->poison_failed; /* then vmm-run killed QEMU itself */
	printf("E2E %s %s: expect %s; qemu %s %d%s; guest: results %d (SIGBUS %d), "
	       "alive %s, done %s, panic %s, retired %s; poisoned %d%s; first output %.1fs, "
	       "init %.1fs, total %.1fs%s\n",
	       ok ? "PASS" : "FAIL", r->name, expect,
	       WIFEXITED(status) ? "exit" : "signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
	       timed_out ? " (timeout)" : "", r->results, r->sigbus,
	       r->alive ? "yes" : "no", r->done ? "yes" : "no",
	       r->panic ? "yes" : "no", r->retired ? "yes" : "no", r->poisoned,
	       r->poison_failed ? " (a poison failed)" : "",
	       r->t_first ? r->t_first - r->t0 : 0.0,
	       r->t_boot ? r->t_boot - r->t0 : 0.0, now() - r->t0, why);
	return 0;
}

/* A pipe from QEMU, read line by line. */
struct stream {
	int fd;
	bool console;           /* the guest's console, else QEMU's stderr */
	size_t used;
	char line[1024];
};

/* Read what @in has; hand out each complete line. False at EOF. */
static bool read_lines(struct run *r, struct stream *in)
{
	char buf[4096];
	ssize_t n = read(in->fd, buf, sizeof(buf));

	for (ssize_t i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\r')
			continue;
		if (c == '\n' || in->used + 1 == sizeof(in->line)) {
			in->line[in->used] = 0;
			if (in->console)
				console_line(r, in->line);
			else
				qemu_line(r, in->line);
			in->used = 0;
		}
		if (c != '\n')
			in->line[in->used++] = c;
	}
	return n > 0;
}

int main(int argc, char **argv)
{
	struct run r = { .first_status = -1 };
	struct stream out = { .console = true }, err = { .console = false };
	int in[2], outp[2], errp[2], status = 0;
	bool timed_out = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 7 || strcmp(argv[5], "--")) {
		fprintf(stderr, "usage: vmm-run NAME EXPECT TIMEOUT MONITOR -- QEMU-ARGV...\n");
		return 1;
	}
	r.name = argv[1];
	r.monitor = argv[4];
	double timeout = atof(argv[3]);
	r.t0 = now();
	if (pipe2(in, O_CLOEXEC) || pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC))
		return perror("pipe"), 1;
	signal(SIGPIPE, SIG_IGN);
	unlink(r.monitor);
	r.qemu = fork();
	if (r.qemu < 0)
		return perror("fork"), 1;
	if (r.qemu == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		dup2(errp[1], 2);
		execv(argv[6], &argv[6]);
		perror(argv[6]);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	close(errp[1]);
	r.to_qemu = in[1];
	out.fd = outp[0];
	err.fd = errp[0];
	say(&r, "started %s (pid %d)", argv[6], (int)r.qemu);

	/* Until QEMU closes both pipes (it exited) or the time is up. */
	while (out.fd >= 0 || err.fd >= 0) {
		struct pollfd p[2] = { { .fd = out.fd, .events = POLLIN },
				       { .fd = err.fd, .events = POLLIN } };
		double left = timeout - (now() - r.t0);

		if (left <= 0) {
			timed_out = true;
			say(&r, "timeout after %.0fs: killing QEMU", timeout);
			kill(r.qemu, SIGKILL);
			break;
		}
		if (poll(p, 2, (int)(left * 1000) + 1) <= 0)
			continue;
		struct stream *s[2] = { &out, &err };
		for (int i = 0; i < 2; i++) {
			if (p[i].revents && !read_lines(&r, s[i])) {
				close(s[i]->fd);
				s[i]->fd = -1;
			}
		}
	}
	if (out.used) {
		out.line[out.used] = 0;
		console_line(&r, out.line);
	}
	close(r.to_qemu);
	waitpid(r.qemu, &status, 0);
	return verdict(&r, argv[2], status, timed_out);
}
