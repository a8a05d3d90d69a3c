// SPDX-License-Identifier: MIT
#include "hwpoison.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEBUGFS "/sys/kernel/debug"

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

int hwp_inject_init(void)
{
	int fd, ret;

	if (mount("debugfs", DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY)
		return neg_errno();
	if (access(DEBUGFS "/hwpoison/corrupt-pfn", W_OK) == 0)
		return 0;
	fd = open(HWP_MODULE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	ret = (int)syscall(SYS_finit_module, fd, "", 0);
	ret = ret && errno != EEXIST ? neg_errno() : 0;
	close(fd);
	if (!ret && access(DEBUGFS "/hwpoison/corrupt-pfn", W_OK))
		ret = neg_errno();
	return ret;
}

static int pread_u64(const char *path, uint64_t index, uint64_t *val)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return neg_errno();
	n = pread(fd, val, sizeof(*val), (off_t)(index * sizeof(*val)));
	close(fd);
	if (n < 0)
		return neg_errno();
	return n == sizeof(*val) ? 0 : -EIO;
}

int hwp_pagemap(const void *addr, uint64_t *entry)
{
	return pread_u64("/proc/self/pagemap", (uintptr_t)addr / 4096, entry);
}

int hwp_pfn(const void *addr, uint64_t *pfn)
{
	uint64_t e;
	int ret = hwp_pagemap(addr, &e);

	if (ret)
		return ret;
	if (!(e >> 63))
		return -ENOENT;
	*pfn = e & ((1ull << 55) - 1);
	/* Without CAP_SYS_ADMIN the kernel reports pfn 0. */
	return *pfn ? 0 : -EPERM;
}

int hwp_pfn_flag(uint64_t pfn, int bit)
{
	uint64_t flags;
	int ret = pread_u64("/proc/kpageflags", pfn, &flags);

	return ret ? ret : (int)((flags >> bit) & 1);
}

static int write_pfn(const char *file, uint64_t pfn)
{
	char buf[32];
	int fd = open(file, O_WRONLY | O_CLOEXEC), len, ret = 0;

	if (fd < 0)
		return neg_errno();
	len = snprintf(buf, sizeof(buf), "0x%llx\n", (unsigned long long)pfn);
	if (write(fd, buf, (size_t)len) != len)
		ret = neg_errno();
	close(fd);
	return ret;
}

int hwp_corrupt_pfn(uint64_t pfn)
{
	return write_pfn(DEBUGFS "/hwpoison/corrupt-pfn", pfn);
}

int hwp_unpoison_pfn(uint64_t pfn)
{
	return write_pfn(DEBUGFS "/hwpoison/unpoison-pfn", pfn);
}

int hwp_madvise(void *page)
{
	return madvise(page, 4096, MADV_HWPOISON) ? neg_errno() : 0;
}

long hwp_corrupted_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	long kb = -ENOENT;

	if (!f)
		return neg_errno();
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HardwareCorrupted: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int hwp_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return neg_errno();
	lseek(fd, 0, SEEK_END);
	return fd;
}

int hwp_kmsg_recovery(int fd, uint64_t pfn, char *out, size_t n)
{
	char rec[1024], key[64];
	int ret = -ENOENT;
	ssize_t len;

	snprintf(key, sizeof(key), "Memory failure: %#llx: recovery action for ",
		 (unsigned long long)pfn);
	/* One record per read; EAGAIN at the end, EPIPE if some were
	 * overwritten (then go on with the next). */
	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		char *msg, *end;

		if (len <= 0)
			continue;
		rec[len] = '\0';
		msg = strstr(rec, key);
		if (!msg)
			continue;
		msg += strlen(key);
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		snprintf(out, n, "%s", msg);
		ret = 0;
	}
	return ret;
}

long hwp_set_hugepages(long n)
{
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "r+e");
	long got = -EIO;

	if (!f)
		return neg_errno();
	if (fprintf(f, "%ld\n", n) < 0 || fflush(f)) {
		got = neg_errno();
	} else {
		rewind(f);
		if (fscanf(f, "%ld", &got) != 1)
			got = -EIO;
	}
	fclose(f);
	return got;
}
