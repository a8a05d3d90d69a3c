// SPDX-License-Identifier: MIT
#include "datavm.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* guest_memfd's uapi (Linux 6.8; the MMAP and INIT_SHARED flags later):
 * the cross toolchain's headers are older. The layouts are KVM's. */
struct dvm_gmem_create {
	uint64_t size, flags, reserved[6];
};
struct dvm_region2 {
	uint32_t slot, flags;
	uint64_t guest_phys_addr, memory_size, userspace_addr;
	uint64_t guest_memfd_offset;
	uint32_t guest_memfd, pad1;
	uint64_t pad2[14];
};
#define DVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct dvm_gmem_create)
#define DVM_SET_USER_MEMORY_REGION2 _IOW(KVMIO, 0x49, struct dvm_region2)
#define DVM_MEM_GUEST_MEMFD (1u << 2)
#define DVM_GMEM_FLAG_MMAP (1ull << 0)
#define DVM_GMEM_FLAG_INIT_SHARED (1ull << 1)

uint64_t dvm_pattern(uint64_t off)
{
	return 0x5ea0000000000000ull | off;
}

void *dvm_host(const struct dvm *d, uint64_t off)
{
	return d->data + off;
}

static int neg_errno(void)
{
	return errno ? -errno : -EIO;
}

static int map_gmem(struct dvm *d)
{
	struct dvm_gmem_create create = {
		.size = d->size,
		.flags = DVM_GMEM_FLAG_MMAP | DVM_GMEM_FLAG_INIT_SHARED,
	};

	d->gmem_fd = ioctl(d->vm.vm_fd, DVM_CREATE_GUEST_MEMFD, &create);
	if (d->gmem_fd < 0)
		return neg_errno();
	d->data = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       d->gmem_fd, 0);
	return d->data == MAP_FAILED ? neg_errno() : 0;
}

/* 2 MiB of anonymous memory at a 2 MiB boundary, so that one transparent
 * huge page can back it: map twice the size and trim. */
static int map_thp(struct dvm *d)
{
	uint8_t *p = mmap(NULL, 2 * d->size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t start;
	size_t head;

	if (p == MAP_FAILED)
		return neg_errno();
	start = ((uintptr_t)p + d->size - 1) & ~(uintptr_t)(d->size - 1);
	head = start - (uintptr_t)p;
	if (head)
		munmap(p, head);
	munmap((uint8_t *)start + d->size, d->size - head);
	d->data = (uint8_t *)start;
	return madvise(d->data, d->size, MADV_HUGEPAGE) ? neg_errno() : 0;
}

static int add_slot(struct dvm *d)
{
	struct dvm_region2 r = {
		.slot = DVM_SLOT,
		.guest_phys_addr = d->ipa,
		.memory_size = d->size,
		.userspace_addr = (uint64_t)(uintptr_t)d->data,
	};

	if (d->backing == DVM_GMEM) {
		r.flags = DVM_MEM_GUEST_MEMFD;
		r.guest_memfd = (uint32_t)d->gmem_fd;
		return ioctl(d->vm.vm_fd, DVM_SET_USER_MEMORY_REGION2, &r) ?
		       neg_errno() : 0;
	}
	/* The classic ioctl takes the first fields of the same layout. */
	struct kvm_userspace_memory_region r1 = {
		.slot = r.slot,
		.guest_phys_addr = r.guest_phys_addr,
		.memory_size = r.memory_size,
		.userspace_addr = r.userspace_addr,
	};
	return ioctl(d->vm.vm_fd, KVM_SET_USER_MEMORY_REGION, &r1) ? neg_errno() : 0;
}

int dvm_open(struct dvm *d, enum dvm_backing backing, uint64_t ipa)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->backing = backing;
	d->ipa = ipa;
	d->data = MAP_FAILED;
	d->gmem_fd = -1;
	d->size = backing == DVM_HUGETLB || backing == DVM_THP ? DVM_HUGE_SIZE :
		  DVM_ANON_SIZE;
	ret = e2e_vm_open(&d->vm, false);
	if (ret)
		return ret;
	switch (backing) {
	case DVM_ANON:
		d->data = mmap(NULL, d->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ret = d->data == MAP_FAILED ? neg_errno() : 0;
		break;
	case DVM_THP:
		ret = map_thp(d);
		break;
	case DVM_HUGETLB:
		d->data = mmap(NULL, d->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		ret = d->data == MAP_FAILED ? neg_errno() : 0;
		break;
	case DVM_GMEM:
		ret = map_gmem(d);
		break;
	}
	if (!ret) {
		/* Every page written: backed by a page of its own (a page
		 * only read would be the shared zero page). */
		for (uint64_t off = 0; off < d->size; off += 8)
			*(uint64_t *)(void *)(d->data + off) = dvm_pattern(off);
		ret = add_slot(d);
	}
	if (ret)
		dvm_close(d);
	return ret;
}

void dvm_close(struct dvm *d)
{
	if (d->data != MAP_FAILED)
		munmap(d->data, d->size);
	if (d->gmem_fd >= 0)
		close(d->gmem_fd);
	d->data = MAP_FAILED;
	d->gmem_fd = -1;
	e2e_vm_close(&d->vm);
}

int dvm_start_load(const struct dvm *d, struct e2e_vcpu *c, uint64_t off)
{
	struct e2e_start s = {
		.pc = e2e_guest_ipa(e2e_guest_load),
		.pstate = 0x3c5,
		.x1 = d->ipa + off,
	};

	return e2e_vcpu_start(c, &s);
}

/* guest.S stores the loaded value at report + 56. */
#define REPORT_LOADED (E2E_REPORT_IPA + 56)

int dvm_touch(struct e2e_vcpu *c, struct dvm_touch *t)
{
	const struct kvm_run *run = c->run;

	memset(t, 0, sizeof(*t));
	for (int i = 0; i < 16; i++) {
		t->ret = e2e_vcpu_run_once(c);
		t->exit_reason = run->exit_reason;
		if (t->ret) {
			memcpy(&t->fault, &run->mmio, sizeof(t->fault));
			return e2e_get_reg(c, E2E_REG_PC, &t->pc);
		}
		if (run->exit_reason != KVM_EXIT_MMIO)
			return -EPROTO;
		if (run->mmio.is_write && run->mmio.phys_addr == REPORT_LOADED) {
			memcpy(&t->value, run->mmio.data, sizeof(t->value));
			t->loaded = true;
			return 0;
		}
		/* Anything else on the report page is a vector's report:
		 * the guest took an exception, which no touch expects. */
		if (run->mmio.phys_addr >= E2E_REPORT_IPA &&
		    run->mmio.phys_addr < E2E_REPORT_IPA + 0x1000)
			return -EPROTO;
	}
	return -ETIMEDOUT;
}
