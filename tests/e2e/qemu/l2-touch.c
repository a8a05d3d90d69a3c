// SPDX-License-Identifier: MIT
/*
 * l2-touch: the guest process that touches bad memory, from user mode, in
 * the Linux guest (L2) of the VMM under test.
 *
 *   l2-touch hole load|store ADDR   the page at guest physical ADDR through
 *                                   /dev/mem: the VMM maps a host-physical
 *                                   hole there, so the access is a real SEA
 *   l2-touch ram load|store         a page of its own RAM, poisoned on the
 *                                   host: prints its guest physical address
 *                                   ("KVMSEA-POISON gpa=0x..."), waits for a
 *                                   line on stdin (the host says the page is
 *                                   poisoned), then touches it. The page is
 *                                   anonymous: freed when the process dies
 *   l2-touch file load|store PATH   the same with a page of the file PATH
 *                                   (created, one page, mapped shared): the
 *                                   page stays in the page cache after the
 *                                   process dies, so the guest never reuses it
 *
 * It installs no signal handler: a SIGBUS kills it, which its parent sees
 * (status 135 in a shell). If the access completes it prints
 * "l2-touch: survived" and exits 3.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul

static int die(const char *what)
{
	printf("l2-touch: %s: %s\n", what, strerror(errno));
	return 2;
}

/* The guest physical address of the page at @va (pagemap: bit 63 present,
 * bits 0-54 the page frame number). */
static int guest_phys(const void *va, uint64_t *pa)
{
	uint64_t entry;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return -1;
	off_t at = (off_t)((uintptr_t)va / PAGE * sizeof(entry));
	ssize_t n = pread(fd, &entry, sizeof(entry), at);
	close(fd);
	if (n != (ssize_t)sizeof(entry) || !(entry >> 63) ||
	    !(entry & ((1ull << 55) - 1))) {
		errno = EIO;
		return -1;
	}
	*pa = (entry & ((1ull << 55) - 1)) * PAGE;
	return 0;
}

static volatile uint64_t *map_hole(uint64_t addr)
{
	int fd = open("/dev/mem", O_RDWR | O_SYNC);

	if (fd < 0)
		return NULL;
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		       (off_t)addr);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

/* An anonymous page (@path NULL) or the first page of the file @path. */
static volatile uint64_t *map_ram(const char *path)
{
	int fd = -1;

	if (path) {
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, PAGE) != 0)
			return NULL;
	}
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       (path ? MAP_SHARED : MAP_PRIVATE | MAP_ANONYMOUS) | MAP_POPULATE,
		       fd, 0);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED)
		return NULL;
	/* Resident and not moved while the host poisons it. */
	if (mlock(p, PAGE) != 0)
		return NULL;
	memset(p, 0x5a, PAGE);
	return p;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *kind = argc > 1 ? argv[1] : "";
	int want = !strcmp(kind, "ram") ? 3 : 4;

	if (argc != want || (strcmp(argv[2], "load") && strcmp(argv[2], "store")) ||
	    (strcmp(kind, "hole") && strcmp(kind, "ram") && strcmp(kind, "file"))) {
		fprintf(stderr, "usage: l2-touch hole load|store ADDR | ram load|store | "
			"file load|store PATH\n");
		return 2;
	}
	int store = !strcmp(argv[2], "store");
	volatile uint64_t *p;
	uint64_t pa;

	if (!strcmp(kind, "hole")) {
		pa = strtoull(argv[3], NULL, 0);
		p = map_hole(pa);
		if (!p)
			return die("map /dev/mem");
	} else {
		char line[64];

		p = map_ram(!strcmp(kind, "file") ? argv[3] : NULL);
		if (!p)
			return die("map RAM");
		if (guest_phys((const void *)p, &pa) != 0)
			return die("pagemap");
		printf("KVMSEA-POISON gpa=0x%" PRIx64 "\n", pa);
		if (!fgets(line, sizeof(line), stdin))
			return die("wait for the poison");
	}
	printf("l2-touch: %s %s at gpa 0x%" PRIx64 "\n", kind, argv[2], pa);
	if (store)
		p[1] = 0x1234;
	else
		printf("l2-touch: read 0x%" PRIx64 "\n", p[1]);
	printf("l2-touch: survived\n");
	return 3;
}
