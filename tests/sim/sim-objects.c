// SPDX-License-Identifier: MIT
/*
 * Hosts, VMs and vCPUs: creation, the fixture's view of their state, and
 * the queue of what the next KVM_RUN does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim-internal.h"

/* ---- Creation and destruction ------------------------------------------ */

struct kvmsim_host *kvmsim_host_new(enum kvmsim_profile profile,
				    unsigned int flags)
{
	struct kvmsim_host *host;

	if (profile != KVMSIM_HOST_RAS && profile != KVMSIM_HOST_NO_RAS &&
	    profile != KVMSIM_HOST_OLD_KERNEL)
		return NULL;
	if (flags & ~KVMSIM_HOST_ARM_EL2)
		return NULL;
	host = calloc(1, sizeof(*host));
	if (!host)
		return NULL;
	host->profile = profile;
	host->ras = profile != KVMSIM_HOST_NO_RAS;
	host->modern = profile != KVMSIM_HOST_OLD_KERNEL;
	/* Nested virtualization came long after 5.5. */
	host->arm_el2 = (flags & KVMSIM_HOST_ARM_EL2) && host->modern;
	pthread_mutex_init(&host->lock, NULL);
	return host;
}

/* Give @file a real fd number and enter it in the table and the host. */
static int add_file(struct kvmsim_host *host, struct sim_file *file,
		    enum sim_kind kind)
{
	int fd = eventfd(0, EFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	file->kind = kind;
	file->fd = fd;
	file->host = host;
	if (sim_register(file)) {
		close(fd);
		return -ENOMEM;
	}
	pthread_mutex_lock(&host->lock);
	file->next_in_host = host->files;
	host->files = file;
	pthread_mutex_unlock(&host->lock);
	return 0;
}

static void free_file(struct sim_file *file)
{
	if (file->fd >= 0)
		kvmsim_close(file->fd);
	if (file->kind == SIM_VCPU) {
		struct kvmsim_vcpu *v = (struct kvmsim_vcpu *)file;

		munmap(v->run, v->run_size);
		pthread_mutex_destroy(&v->lock);
	}
	free(file); /* the sim_file is the first member of every object */
}

void kvmsim_host_free(struct kvmsim_host *host)
{
	struct sim_file *file, *next;

	if (!host)
		return;
	for (file = host->files; file; file = next) {
		next = file->next_in_host;
		free_file(file);
	}
	pthread_mutex_destroy(&host->lock);
	free(host);
}

int kvmsim_open_system(struct kvmsim_host *host)
{
	struct sim_file *file;

	if (!host)
		return -1;
	file = calloc(1, sizeof(*file));
	if (!file)
		return -1;
	if (add_file(host, file, SIM_SYSTEM)) {
		free(file);
		return -1;
	}
	return file->fd;
}

struct kvmsim_vm *kvmsim_create_vm(struct kvmsim_host *host,
				   unsigned int flags)
{
	struct kvmsim_vm *vm;

	if (!host || (flags & ~(KVMSIM_VM_PROTECTED | KVMSIM_VM_MTE |
				KVMSIM_VM_NO_RAS)))
		return NULL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return NULL;
	vm->flags = flags;
	if (add_file(host, &vm->file, SIM_VM)) {
		free(vm);
		return NULL;
	}
	return vm;
}

struct kvmsim_vcpu *kvmsim_create_vcpu(struct kvmsim_vm *vm,
				       unsigned int features)
{
	const unsigned int known = KVMSIM_VCPU_EL1_32BIT | KVMSIM_VCPU_HAS_EL2 |
				   KVMSIM_VCPU_SCTLR2 | KVMSIM_VCPU_UNINIT;
	struct kvmsim_vcpu *v;
	long page = sysconf(_SC_PAGESIZE);

	if (!vm || (features & ~known))
		return NULL;
	/* KVM_ARM_VCPU_INIT refuses these: no AArch32 EL1 with NV, no NV
	 * without the host capability. */
	if ((features & KVMSIM_VCPU_EL1_32BIT) && (features & KVMSIM_VCPU_HAS_EL2))
		return NULL;
	if ((features & KVMSIM_VCPU_HAS_EL2) && !vm->file.host->arm_el2)
		return NULL;

	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->vm = vm;
	v->features = features;
	v->initialised = !(features & KVMSIM_VCPU_UNINIT);
	/* KVM_GET_VCPU_MMAP_SIZE on arm64: kvm_run plus the coalesced MMIO
	 * ring page. */
	v->run_size = 2 * (page > 0 ? (size_t)page : 4096);
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->run == MAP_FAILED) {
		free(v);
		return NULL;
	}
	pthread_mutex_init(&v->lock, NULL);
	sim_reset_regs(v);
	if (add_file(vm->file.host, &v->file, SIM_VCPU)) {
		munmap(v->run, v->run_size);
		pthread_mutex_destroy(&v->lock);
		free(v);
		return NULL;
	}
	return v;
}

/* ---- Simple getters -------------------------------------------------------- */

int kvmsim_vm_fd(const struct kvmsim_vm *vm)
{
	return vm ? vm->file.fd : -1;
}

bool kvmsim_vm_sea_enabled(const struct kvmsim_vm *vm)
{
	return vm && atomic_load(&vm->exit_sea);
}

int kvmsim_vcpu_fd(const struct kvmsim_vcpu *vcpu)
{
	return vcpu ? vcpu->file.fd : -1;
}

void *kvmsim_vcpu_run_area(struct kvmsim_vcpu *vcpu)
{
	return vcpu ? vcpu->run : NULL;
}

size_t kvmsim_vcpu_run_size(const struct kvmsim_vcpu *vcpu)
{
	return vcpu ? vcpu->run_size : 0;
}

/* The vCPU lock also guards reads from the fixture: take it on a const
 * object too (the lock is not part of the observable state). */
static void lock(const struct kvmsim_vcpu *v)
{
	pthread_mutex_lock((pthread_mutex_t *)&v->lock);
}

static void unlock(const struct kvmsim_vcpu *v)
{
	pthread_mutex_unlock((pthread_mutex_t *)&v->lock);
}

void kvmsim_vcpu_set_initialised(struct kvmsim_vcpu *vcpu, bool initialised)
{
	lock(vcpu);
	vcpu->initialised = initialised;
	unlock(vcpu);
}

/* ---- Direct register access ------------------------------------------------ */

int kvmsim_reg_read(const struct kvmsim_vcpu *vcpu, uint64_t id, uint64_t *val)
{
	uint64_t *slot;
	unsigned int off;
	int ret;

	lock(vcpu);
	ret = sim_reg_raw(vcpu, id, &slot, &off);
	if (!ret)
		*val = slot ? *slot : sim_core(vcpu, off);
	unlock(vcpu);
	return ret;
}

int kvmsim_reg_write(struct kvmsim_vcpu *vcpu, uint64_t id, uint64_t val)
{
	uint64_t *slot;
	unsigned int off;
	int ret;

	lock(vcpu);
	ret = sim_reg_raw(vcpu, id, &slot, &off);
	if (!ret) {
		if (slot)
			*slot = val;
		else
			sim_core_set(vcpu, off, val);
	}
	unlock(vcpu);
	return ret;
}

uint64_t kvmsim_reg_get(const struct kvmsim_vcpu *vcpu, uint64_t id)
{
	uint64_t val = 0;

	if (kvmsim_reg_read(vcpu, id, &val)) {
		fprintf(stderr, "kvmsim: register id 0x%016llx is not simulated\n",
			(unsigned long long)id);
		abort();
	}
	return val;
}

void kvmsim_reg_set(struct kvmsim_vcpu *vcpu, uint64_t id, uint64_t val)
{
	if (kvmsim_reg_write(vcpu, id, val)) {
		fprintf(stderr, "kvmsim: register id 0x%016llx is not simulated\n",
			(unsigned long long)id);
		abort();
	}
}

/* ---- Kernel-private state ----------------------------------------------- */

void kvmsim_vcpu_get_fault(const struct kvmsim_vcpu *vcpu,
			   struct kvmsim_fault *fault)
{
	lock(vcpu);
	*fault = vcpu->fault;
	unlock(vcpu);
}

void kvmsim_vcpu_set_fault(struct kvmsim_vcpu *vcpu,
			   const struct kvmsim_fault *fault)
{
	lock(vcpu);
	vcpu->fault = *fault;
	unlock(vcpu);
}

void kvmsim_vcpu_get_serror(const struct kvmsim_vcpu *vcpu,
			    struct kvmsim_serror *serror)
{
	lock(vcpu);
	serror->vse = vcpu->vse;
	serror->nested_pending = vcpu->nested_serror_pending;
	serror->vsesr = vcpu->vsesr;
	unlock(vcpu);
}

void kvmsim_vcpu_clear_serror(struct kvmsim_vcpu *vcpu)
{
	lock(vcpu);
	vcpu->vse = false;
	vcpu->nested_serror_pending = false;
	vcpu->vsesr = 0;
	unlock(vcpu);
}

bool kvmsim_vcpu_mmio_needed(const struct kvmsim_vcpu *vcpu)
{
	bool needed;

	lock(vcpu);
	needed = vcpu->mmio_needed;
	unlock(vcpu);
	return needed;
}

void kvmsim_vcpu_get_stats(const struct kvmsim_vcpu *vcpu,
			   struct kvmsim_vcpu_stats *stats)
{
	lock(vcpu);
	*stats = vcpu->stats;
	unlock(vcpu);
}

/* ---- The run queue --------------------------------------------------------- */

static int enqueue(struct kvmsim_vcpu *v, const struct sim_item *item)
{
	unsigned int slot;

	lock(v);
	if (v->q_len == KVMSIM_QUEUE_MAX) {
		unlock(v);
		return -ENOSPC;
	}
	slot = (v->q_head + v->q_len) % KVMSIM_QUEUE_MAX;
	v->queue[slot] = *item;
	if (item->kind == ITEM_EXIT)
		v->queue[slot].exit.data = v->queue[slot].exit_data;
	v->q_len++;
	unlock(v);
	return 0;
}

/* kvm_vcpu_abt_issea(): the FSCs KVM treats as a synchronous external
 * abort (0x12, the FEAT_D128 level -2 walk, is not among them). */
static bool fsc_is_sea(uint64_t fsc)
{
	return fsc == FSC_EXTABT || (fsc >= 0x13 && fsc <= 0x17) ||
	       fsc == FSC_SECC || (fsc >= 0x1b && fsc <= 0x1f);
}

int kvmsim_queue_sea(struct kvmsim_vcpu *vcpu, const struct kvmsim_sea *sea)
{
	struct sim_item item = { .kind = ITEM_SEA };
	uint64_t ec = ESR_EC(sea->esr);

	/* Only these ECs reach kvm_handle_guest_sea() (handle_exit.c). */
	if (ec != EC_IABT_LOW && ec != EC_DABT_LOW && ec != EC_DABT_CUR)
		return -EINVAL;
	if (!fsc_is_sea(sea->esr & ESR_FSC_MASK))
		return -EINVAL;
	item.sea = *sea;
	return enqueue(vcpu, &item);
}

int kvmsim_queue_exit(struct kvmsim_vcpu *vcpu, const struct kvmsim_exit *exit)
{
	struct sim_item item = { .kind = ITEM_EXIT };

	if (exit->data_len > sizeof(item.exit_data) ||
	    (exit->data_len && !exit->data))
		return -EINVAL;
	item.exit = *exit;
	if (exit->data_len)
		memcpy(item.exit_data, exit->data, exit->data_len);
	return enqueue(vcpu, &item);
}

int kvmsim_queue_mmio(struct kvmsim_vcpu *vcpu, uint64_t gpa, uint64_t far,
		      bool is_write, uint32_t len)
{
	/* struct kvm_run's mmio member: phys_addr, data[8], len, is_write. */
	uint8_t mmio[24] = { 0 };
	uint64_t sas;
	struct kvmsim_exit exit = {
		.reason = KVM_EXIT_MMIO,
		.memory_fault = true,
		.far = far,
		.ipa = gpa,
		.ipa_valid = true, /* a stage-2 translation fault has HPFAR */
		.data = mmio,
		.data_len = sizeof(mmio),
	};

	switch (len) {
	case 1: sas = 0; break;
	case 2: sas = 1; break;
	case 4: sas = 2; break;
	case 8: sas = 3; break;
	default: return -EINVAL;
	}
	exit.esr = ((uint64_t)EC_DABT_LOW << ESR_EC_SHIFT) | ESR_IL | ESR_IDS |
		   (sas << 22) | (len == 8 ? BIT64(15) : 0) |
		   (is_write ? ESR_WNR : 0) | 0x07;
	memcpy(mmio, &gpa, sizeof(gpa));
	memcpy(mmio + 16, &len, sizeof(len));
	mmio[20] = is_write;
	return kvmsim_queue_exit(vcpu, &exit);
}

int kvmsim_queue_eintr(struct kvmsim_vcpu *vcpu, bool stale)
{
	struct sim_item item = { .kind = ITEM_EINTR, .stale = stale };

	return enqueue(vcpu, &item);
}

int kvmsim_queue_error(struct kvmsim_vcpu *vcpu, int err)
{
	struct sim_item item = { .kind = ITEM_ERROR, .err = err };

	if (err <= 0)
		return -EINVAL;
	return enqueue(vcpu, &item);
}

int kvmsim_queue_poison(struct kvmsim_vcpu *vcpu, uint64_t hva, unsigned int lsb)
{
	struct sim_item item = { .kind = ITEM_POISON };

	item.poison.hva = hva;
	item.poison.lsb = lsb;
	return enqueue(vcpu, &item);
}

int kvmsim_queue_memory_fault(struct kvmsim_vcpu *vcpu, uint64_t gpa,
			      uint64_t size, uint64_t flags)
{
	struct sim_item item = { .kind = ITEM_MEMORY_FAULT };

	item.memory_fault.gpa = gpa;
	item.memory_fault.size = size;
	item.memory_fault.flags = flags;
	return enqueue(vcpu, &item);
}

unsigned int kvmsim_queue_len(const struct kvmsim_vcpu *vcpu)
{
	unsigned int len;

	lock(vcpu);
	len = vcpu->q_len;
	unlock(vcpu);
	return len;
}
