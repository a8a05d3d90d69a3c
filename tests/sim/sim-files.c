// SPDX-License-Identifier: MIT
/*
 * The table of simulated file descriptors and their ioctl counters.
 *
 * The fds are real (eventfds), so their numbers are unique in the process
 * and anything the simulator does not own still reaches the real ioctl().
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "sim-internal.h"

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sim_file **table;   /* indexed by fd */
static size_t table_size;
static atomic_ulong passthrough;

int sim_register(struct sim_file *file)
{
	size_t fd = (size_t)file->fd;
	int ret = 0;

	pthread_mutex_lock(&table_lock);
	if (fd >= table_size) {
		size_t size = table_size ? table_size : 64;
		struct sim_file **grown;

		while (size <= fd)
			size *= 2;
		grown = realloc(table, size * sizeof(*grown));
		if (!grown) {
			ret = -ENOMEM;
			goto out;
		}
		for (size_t i = table_size; i < size; i++)
			grown[i] = NULL;
		table = grown;
		table_size = size;
	}
	table[fd] = file;
out:
	pthread_mutex_unlock(&table_lock);
	return ret;
}

struct sim_file *sim_lookup(int fd)
{
	struct sim_file *file = NULL;

	if (fd < 0)
		return NULL;
	pthread_mutex_lock(&table_lock);
	if ((size_t)fd < table_size)
		file = table[fd];
	pthread_mutex_unlock(&table_lock);
	return file;
}

int sim_count(struct sim_file *file, enum kvmsim_ioctl kind)
{
	unsigned long n;

	atomic_fetch_add(&file->counts[kind], 1);
	if (!atomic_load(&file->fail_count) ||
	    (file->fail_kind != kind && file->fail_kind != KVMSIM_IOCTL_ALL))
		return 0;
	for (n = atomic_load(&file->fail_skip); n;)
		if (atomic_compare_exchange_weak(&file->fail_skip, &n, n - 1))
			return 0;
	for (n = atomic_load(&file->fail_count); n;)
		if (atomic_compare_exchange_weak(&file->fail_count, &n, n - 1))
			return file->fail_errno;
	return 0;
}

int kvmsim_fail_ioctl(int fd, enum kvmsim_ioctl kind, unsigned long nth,
		      unsigned long count, int err)
{
	struct sim_file *file = sim_lookup(fd);

	if (!file || kind > KVMSIM_IOCTL_ALL || err <= 0 || (count && !nth))
		return -EINVAL;
	atomic_store(&file->fail_count, 0);
	file->fail_kind = kind;
	file->fail_errno = err;
	atomic_store(&file->fail_skip, count ? nth - 1 : 0);
	atomic_store(&file->fail_count, count);
	return 0;
}

void sim_count_passthrough(void)
{
	atomic_fetch_add(&passthrough, 1);
}

int kvmsim_close(int fd)
{
	struct sim_file *file = NULL;

	pthread_mutex_lock(&table_lock);
	if (fd >= 0 && (size_t)fd < table_size) {
		file = table[fd];
		table[fd] = NULL;
	}
	pthread_mutex_unlock(&table_lock);
	if (!file)
		return -EBADF;
	file->fd = -1;
	close(fd);
	return 0;
}

static unsigned long file_count(const struct sim_file *file,
				enum kvmsim_ioctl kind)
{
	unsigned long sum = 0;

	if (kind != KVMSIM_IOCTL_ALL)
		return atomic_load(&file->counts[kind]);
	for (int k = 0; k < KVMSIM_IOCTL_ALL; k++)
		sum += atomic_load(&file->counts[k]);
	return sum;
}

unsigned long kvmsim_ioctl_count(int fd, enum kvmsim_ioctl kind)
{
	const struct sim_file *file = sim_lookup(fd);

	if (!file || kind < 0 || kind > KVMSIM_IOCTL_ALL)
		return 0;
	return file_count(file, kind);
}

unsigned long kvmsim_host_ioctl_count(const struct kvmsim_host *host,
				      enum kvmsim_ioctl kind)
{
	unsigned long sum = 0;

	if (!host || kind < 0 || kind > KVMSIM_IOCTL_ALL)
		return 0;
	for (const struct sim_file *f = host->files; f; f = f->next_in_host)
		sum += file_count(f, kind);
	return sum;
}

static void file_reset(struct sim_file *file)
{
	for (int k = 0; k < KVMSIM_IOCTL_ALL; k++)
		atomic_store(&file->counts[k], 0);
}

void kvmsim_ioctl_reset(int fd)
{
	struct sim_file *file = sim_lookup(fd);

	if (file)
		file_reset(file);
}

void kvmsim_host_ioctl_reset(struct kvmsim_host *host)
{
	if (!host)
		return;
	for (struct sim_file *f = host->files; f; f = f->next_in_host)
		file_reset(f);
}

unsigned long kvmsim_passthrough_count(void)
{
	return atomic_load(&passthrough);
}
