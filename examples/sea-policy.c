/* SPDX-License-Identifier: MIT */
/*
 * sea-policy: a libkvmsea handler with a real policy.
 *
 * The policy (policy_on_sea):
 *  - it remembers each distinct bad page it has seen, in a fixed table:
 *    the handler runs on the SEA path and never allocates;
 *  - the first SEA on a page is retried (KVMSEA_ACTION_RETRY): a transient
 *    error (a glitch on a link, a line since scrubbed) may not come back,
 *    and the guest then never knows;
 *  - an SEA on a page seen before is injected (KVMSEA_ACTION_DEFAULT: the
 *    library picks the best strategy);
 *  - an SEA with no address cannot be tracked and is injected at once;
 *  - a livelock (the library saw the same PC and address fault again and
 *    again) stops the VM;
 *  - when the Nth distinct page shows up the VM is stopped
 *    (KVMSEA_ACTION_STOP): a host that keeps failing should be drained and
 *    the VM restarted on a healthy one. When the library's storm limit
 *    lands (kvmsea_ctx_set_storm_limit(), with its poison registry), this
 *    rule moves onto it: the library counts the distinct pages and marks
 *    the event (event->storm), and the handler stops on that mark;
 *  - every decision is logged as one JSON line: the decision wrapped
 *    around the library's record of the event (kvmsea_event_format(),
 *    schema libkvmsea.event/1), written with a single write(2) from a
 *    stack buffer.
 * With several vCPUs the table needs a lock (a pthread mutex allocates
 * nothing); this example has one vCPU.
 *
 * sea-policy has no guest of its own: it creates a VM with one vCPU that
 * never runs, and feeds it synthetic KVM_EXIT_ARM_SEA exits, written into
 * kvm_run by hand as sea-vmm --simulate does, so the policy can be shown
 * on any arm64 KVM host, RAS or not. Before each exit it puts the vCPU
 * where the feed says the guest was (PC, EL1h). The library's injection
 * then really happens, into the idle vCPU.
 *
 *   sea-policy [--max-pages N] [--feed FILE]
 *
 * --max-pages N  stop at the Nth distinct bad page (default 3, at most 64)
 * --feed FILE    exits to feed instead of the built-in scenario, one a line:
 *                "PC ESR GVA GPA FLAGS" in hex (0x optional; # comments)
 *
 * Exit status: 0 the feed ran (a stop is a result, not an error), 1 an
 * error, 2 usage, 77 this machine cannot run it (not arm64, no KVM).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libkvmsea/libkvmsea.h>

#define MAX_TRACKED_PAGES 64
#define PAGE_MASK_4K (~0xfffull)

/* ---- The policy ------------------------------------------------------- */

struct bad_page {
	uint64_t page;      /* 4 KiB-aligned IPA, or VA when only gva is known */
	bool is_ipa;
	uint32_t hits;
};

struct policy {
	uint32_t max_pages;                 /* stop at this many distinct pages */
	int log_fd;                         /* one JSON line per event */
	uint32_t nr_pages;
	struct bad_page pages[MAX_TRACKED_PAGES];
};

/* The page an event is about: its IPA when KVM gave one, else its VA. */
static bool event_page(const struct kvmsea_event *ev, uint64_t *page, bool *is_ipa)
{
	*is_ipa = ev->known & KVMSEA_KNOWN_PAGE_GPA;
	*page = *is_ipa ? ev->page_gpa : ev->gva & PAGE_MASK_4K;
	return ev->known & (KVMSEA_KNOWN_PAGE_GPA | KVMSEA_KNOWN_GVA);
}

static struct bad_page *find_page(struct policy *p, uint64_t page, bool is_ipa)
{
	for (uint32_t i = 0; i < p->nr_pages; i++)
		if (p->pages[i].page == page && p->pages[i].is_ipa == is_ipa)
			return &p->pages[i];
	return NULL;
}

static const char *action_name(int action)
{
	switch (action) {
	case KVMSEA_ACTION_RETRY: return "retry";
	case KVMSEA_ACTION_STOP: return "stop";
	default: return "inject";
	}
}

/* One JSON line: the decision, and the library's record of the event
 * (schema libkvmsea.event/1), written with one write(2) from the stack. */
static void log_event(const struct policy *p, const struct kvmsea_event *ev,
		      const struct bad_page *bp, int action, const char *why)
{
	char record[4096], line[4608];
	int len;

	len = kvmsea_event_format(ev, KVMSEA_EVENT_JSON, record, sizeof(record));
	if (len < 0 || (size_t)len >= sizeof(record))
		return; /* cannot happen with this buffer; never a broken line */
	len = snprintf(line, sizeof(line),
		       "{\"decision\":\"%s\",\"why\":\"%s\",\"page_hits\":%" PRIu32
		       ",\"tracked_pages\":%" PRIu32 ",\"event\":%s}\n",
		       action_name(action), why, bp ? bp->hits : 0, p->nr_pages, record);
	/* One write: lines from several vCPUs never interleave. A lost log
	 * line is not worth failing the SEA for, hence no check. */
	if (len > 0 && (size_t)len < sizeof(line))
		(void)!write(p->log_fd, line, (size_t)len);
}

/* The handler: decide, log, return the action. */
static int policy_on_sea(struct kvmsea_vcpu *vcpu, const struct kvmsea_event *ev,
			 void *opaque)
{
	struct policy *p = opaque;
	struct bad_page *bp;
	uint64_t page;
	bool is_ipa;

	(void)vcpu;
	if (ev->livelock) { /* injecting did not help: the guest keeps faulting */
		log_event(p, ev, NULL, KVMSEA_ACTION_STOP, "livelock: stop the VM");
		return KVMSEA_ACTION_STOP;
	}
	if (!event_page(ev, &page, &is_ipa)) {
		log_event(p, ev, NULL, KVMSEA_ACTION_DEFAULT,
			  "no address: cannot be tracked, inject now");
		return KVMSEA_ACTION_DEFAULT;
	}
	bp = find_page(p, page, is_ipa);
	if (bp) {
		bp->hits++;
		log_event(p, ev, bp, KVMSEA_ACTION_DEFAULT,
			  "the error came back: not transient, inject");
		return KVMSEA_ACTION_DEFAULT;
	}
	if (p->nr_pages == MAX_TRACKED_PAGES) {
		log_event(p, ev, NULL, KVMSEA_ACTION_STOP, "the page table is full: stop the VM");
		return KVMSEA_ACTION_STOP;
	}
	bp = &p->pages[p->nr_pages++];
	*bp = (struct bad_page){ .page = page, .is_ipa = is_ipa, .hits = 1 };
	if (p->nr_pages >= p->max_pages) {
		log_event(p, ev, bp, KVMSEA_ACTION_STOP,
			  "too many distinct bad pages: stop the VM");
		return KVMSEA_ACTION_STOP;
	}
	log_event(p, ev, bp, KVMSEA_ACTION_RETRY, "first error on this page: retry once");
	return KVMSEA_ACTION_RETRY;
}

/* ---- The feed ---------------------------------------------------------- */

struct feed_entry {
	uint64_t pc, esr, gva, gpa, flags;
};

#define GPA_VALID 1ull /* KVM_EXIT_ARM_SEA_FLAG_GPA_VALID */

/* Three bad pages; A twice in a row, B written twice, a fetch whose FAR is
 * not valid, A once more, then C. With --max-pages 3, C stops the VM. */
static const struct feed_entry builtin_feed[] = {
	{ 0x40001000, 0x92000010, 0x50000040, 0x50000000, GPA_VALID }, /* load A */
	{ 0x40001000, 0x92000010, 0x50000040, 0x50000000, GPA_VALID }, /* again */
	{ 0x40001100, 0x92000050, 0x50003008, 0x50003000, GPA_VALID }, /* store B */
	{ 0x40001100, 0x92000050, 0x50003008, 0x50003000, GPA_VALID }, /* again */
	{ 0x50007000, 0x82000410, 0, 0, 0 },           /* fetch, FnV=1: no address */
	{ 0x40001200, 0x92000010, 0x50000ff8, 0x50000000, GPA_VALID }, /* A again */
	{ 0x40001300, 0x92000010, 0x5000c010, 0x5000c000, GPA_VALID }, /* load C */
};

/* ---- The (idle) VM ----------------------------------------------------- */

struct arm64_vcpu_init {
	uint32_t target;
	uint32_t features[7];
};
#define ARM64_PREFERRED_TARGET _IOR(KVMIO, 0xaf, struct arm64_vcpu_init)
#define ARM64_VCPU_INIT        _IOW(KVMIO, 0xae, struct arm64_vcpu_init)
#define REG_PC     0x6030000000100040ull
#define REG_PSTATE 0x6030000000100042ull
#define EXIT_ARM_SEA 41

struct machine {
	int vm_fd, vcpu_fd;
	struct kvm_run *run;
	struct kvmsea_ctx *sea;
	struct kvmsea_vcpu *sea_vcpu;
};

static int set_reg(int fd, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&value };

	return ioctl(fd, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

/* One synthetic exit: the vCPU where the guest was, then the exit KVM
 * would have written, then the library, as after a KVM_RUN that returned 0. */
static int feed_exit(struct machine *m, const struct feed_entry *e)
{
	uint64_t sea[4] = { e->flags, e->esr, e->gva, e->gpa };
	int ret = set_reg(m->vcpu_fd, REG_PSTATE, 0x3c5); /* EL1h, DAIF masked */

	if (!ret)
		ret = set_reg(m->vcpu_fd, REG_PC, e->pc);
	if (ret < 0)
		return ret;
	m->run->exit_reason = EXIT_ARM_SEA;
	memcpy(&m->run->mmio, sea, sizeof(sea)); /* run->arm_sea, offset 32 */
	return kvmsea_vcpu_handle_exit(m->sea_vcpu, 0);
}

/* Feed every entry until the policy stops the VM. 0, or 1 on an error. */
static int run_feed(struct machine *m, const struct feed_entry *feed, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret = feed_exit(m, &feed[i]);
		const struct kvmsea_event *ev = kvmsea_vcpu_last_event(m->sea_vcpu);

		if (ret == KVMSEA_EXIT_STOP) {
			printf("sea-policy: exit %zu: the policy stopped the VM: drain this host\n",
			       i + 1);
			return 0;
		}
		if (ret < 0) {
			printf("sea-policy: exit %zu: %s\n", i + 1, strerror(-ret));
			return 1;
		}
		printf("sea-policy: exit %zu: %s\n", i + 1, ev && ev->injected ?
		       kvmsea_strategy_name(ev->injected) : "retried, nothing injected");
	}
	printf("sea-policy: the feed ended with the VM running\n");
	return 0;
}

/* Read "PC ESR GVA GPA FLAGS" lines. Returns the count, or -1. */
static int read_feed(const char *path, struct feed_entry *feed, size_t max)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[256];
	size_t n = 0;

	if (!f) {
		fprintf(stderr, "sea-policy: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		struct feed_entry *e = &feed[n];

		if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t\r\n")] == '\0')
			continue;
		if (n == max) {
			fprintf(stderr, "sea-policy: %s: more than %zu exits\n", path, max);
			n = (size_t)-1;
			break;
		}
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64
				       " %" SCNx64, &e->pc, &e->esr, &e->gva, &e->gpa,
				       &e->flags) != 5) {
			fprintf(stderr, "sea-policy: %s: bad line: %s", path, line);
			n = (size_t)-1;
			break;
		}
		n++;
	}
	if (f != stdin)
		fclose(f);
	return n == (size_t)-1 ? -1 : (int)n;
}

/* One VM, one vCPU that is initialised but never run. 0, 1 or 77. */
static int create_machine(struct machine *m)
{
	struct arm64_vcpu_init init;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	long size;

	if (kvm < 0) {
		printf("sea-policy: cannot open /dev/kvm: %s: this machine cannot run it\n",
		       strerror(errno));
		return 77;
	}
	m->vm_fd = ioctl(kvm, KVM_CREATE_VM, 0);
	if (m->vm_fd < 0 || ioctl(m->vm_fd, ARM64_PREFERRED_TARGET, &init) < 0) {
		printf("sea-policy: KVM here cannot make an arm64 VM (%s)\n", strerror(errno));
		return 77;
	}
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	m->vcpu_fd = ioctl(m->vm_fd, KVM_CREATE_VCPU, 0);
	if (size <= 0 || m->vcpu_fd < 0 || ioctl(m->vcpu_fd, ARM64_VCPU_INIT, &init) < 0)
		goto fail;
	m->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, m->vcpu_fd, 0);
	if (m->run == MAP_FAILED)
		goto fail;
	return 0;
fail:
	printf("sea-policy: setting up the VM: %s\n", strerror(errno));
	return 1;
}

/* Hook the policy in: the same calls as a real VMM makes. */
static int setup_policy(struct machine *m, struct policy *p)
{
	int ret = kvmsea_ctx_new(m->vm_fd, &m->sea);

	if (!ret) {
		ret = kvmsea_ctx_enable(m->sea);
		if (ret == -EOPNOTSUPP) /* fine here: the exits are synthetic */
			ret = 0;
	}
	if (!ret)
		ret = kvmsea_ctx_set_handler(m->sea, policy_on_sea, p);
	if (!ret)
		ret = kvmsea_vcpu_new(m->sea, m->vcpu_fd, m->run, 0, 0, &m->sea_vcpu);
	if (ret < 0)
		printf("sea-policy: libkvmsea: %s\n", strerror(-ret));
	return ret < 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "max-pages", required_argument, NULL, 'm' },
		{ "feed", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct feed_entry file_feed[256];
	struct policy policy = { .max_pages = 3, .log_fd = STDOUT_FILENO };
	const struct feed_entry *feed = builtin_feed;
	size_t feed_len = sizeof(builtin_feed) / sizeof(builtin_feed[0]);
	struct machine m = { .vm_fd = -1, .vcpu_fd = -1 };
	char *end;
	int c, n, ret;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			policy.max_pages = (uint32_t)strtoul(optarg, &end, 0);
			if (*end || policy.max_pages < 1 || policy.max_pages > MAX_TRACKED_PAGES)
				goto usage;
			break;
		case 'f':
			n = read_feed(optarg, file_feed, sizeof(file_feed) / sizeof(file_feed[0]));
			if (n < 0)
				return 1;
			feed = file_feed;
			feed_len = (size_t)n;
			break;
		case 'h':
			printf("Usage: sea-policy [--max-pages N] [--feed FILE]\n");
			return 0;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;

	setvbuf(stdout, NULL, _IOLBF, 0);
#ifndef __aarch64__
	printf("sea-policy: built for a host that is not arm64: it needs arm64 KVM for the "
	       "vCPU it injects into. Nothing to do (exit 77).\n");
	return 77;
#endif
	ret = create_machine(&m);
	if (!ret)
		ret = setup_policy(&m, &policy);
	if (!ret) {
		printf("sea-policy: feeding %zu synthetic KVM_EXIT_ARM_SEA exits "
		       "to an idle vCPU; stop at %" PRIu32 " distinct bad pages\n",
		       feed_len, policy.max_pages);
		ret = run_feed(&m, feed, feed_len);
	}
	kvmsea_vcpu_free(m.sea_vcpu);
	kvmsea_ctx_free(m.sea);
	return ret;
usage:
	fprintf(stderr, "Usage: sea-policy [--max-pages N] [--feed FILE]\n");
	return 2;
}
