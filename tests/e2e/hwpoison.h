/* SPDX-License-Identifier: MIT */
/*
 * Poisoning host memory without RAS hardware, for poison.c. The kernel
 * (CONFIG_MEMORY_FAILURE) offers two software ways into memory_failure(),
 * both for CAP_SYS_ADMIN (the initramfs runs as root):
 *
 *  - madvise(MADV_HWPOISON) on a range of the caller's own mapping
 *    (mm/madvise.c:madvise_inject_error());
 *  - the hwpoison_inject module's debugfs files hwpoison/corrupt-pfn and
 *    hwpoison/unpoison-pfn, which take a page frame number
 *    (mm/hwpoison-inject.c). run.sh puts the module (CONFIG_HWPOISON_INJECT=m
 *    in Debian's kernel) at /lib/modules/hwpoison-inject.ko.
 *
 * All functions return 0 (or a value) or a negative errno.
 */
#ifndef E2E_HWPOISON_H
#define E2E_HWPOISON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HWP_MODULE "/lib/modules/hwpoison-inject.ko"

/* Mount debugfs and load hwpoison_inject (already loaded is fine). */
int hwp_inject_init(void);
/* The page frame number behind @addr, from /proc/self/pagemap; -ENOENT
 * when the page is not present. */
int hwp_pfn(const void *addr, uint64_t *pfn);
/* /proc/self/pagemap's entry for @addr (bit 63 present, 62 swap or a
 * special entry such as a poisoned page's). */
int hwp_pagemap(const void *addr, uint64_t *entry);
/* Flag @bit of /proc/kpageflags for @pfn: 1, 0 or -errno. */
#define KPF_HWPOISON 19
#define KPF_THP      22
int hwp_pfn_flag(uint64_t pfn, int bit);
/* Write @pfn to hwpoison/corrupt-pfn or hwpoison/unpoison-pfn. */
int hwp_corrupt_pfn(uint64_t pfn);
int hwp_unpoison_pfn(uint64_t pfn);
/* madvise(@page, 4096, MADV_HWPOISON). */
int hwp_madvise(void *page);
/* HardwareCorrupted of /proc/meminfo, in kB. */
long hwp_corrupted_kb(void);
/* The kernel log from now on: a /dev/kmsg fd for hwp_kmsg_recovery(). */
int hwp_kmsg_open(void);
/* memory_failure()'s verdict on @pfn logged since hwp_kmsg_open(), e.g.
 * "dirty LRU page: Recovered" (mm/memory-failure.c:action_result()). */
int hwp_kmsg_recovery(int fd, uint64_t pfn, char *out, size_t n);
/* Set vm.nr_hugepages (2 MiB pages) and return what the kernel kept. */
long hwp_set_hugepages(long n);

#endif
