// SPDX-License-Identifier: MIT
/* The simulator's fds, capability answers, KVM_ENABLE_CAP and counters. */
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "test-sim.h"

#define CAP_UNKNOWN 9999

static void test_caps_ras_host(void **state)
{
	struct kvmsim_host *host = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	struct kvmsim_vm *vm = kvmsim_create_vm(host, 0);
	int fds[2] = { kvmsim_open_system(host), kvmsim_vm_fd(vm) };

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(check_ext(fds[i], 245), 1);
		assert_int_equal(check_ext(fds[i], 178), 1);
		assert_int_equal(check_ext(fds[i], 177), 1);
		assert_int_equal(check_ext(fds[i], 41), 1);
		assert_int_equal(check_ext(fds[i], 158), 1);
		assert_int_equal(check_ext(fds[i], 240), 0); /* no NV host */
		assert_int_equal(check_ext(fds[i], CAP_UNKNOWN), 0);
	}
	kvmsim_host_free(host);

	host = kvmsim_host_new(KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2);
	assert_int_equal(check_ext(kvmsim_open_system(host), 240), 1);
	kvmsim_host_free(host);
}

/* Gotcha 1: the cap answers 1 even where no exit can ever happen. */
static void test_caps_no_ras_host(void **state)
{
	struct kvmsim_host *host = kvmsim_host_new(KVMSIM_HOST_NO_RAS, 0);
	struct kvmsim_vm *vm = kvmsim_create_vm(host, 0);
	int fds[2] = { kvmsim_open_system(host), kvmsim_vm_fd(vm) };

	(void)state;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(check_ext(fds[i], 245), 1);
		assert_int_equal(check_ext(fds[i], 178), 1);
		assert_int_equal(check_ext(fds[i], 41), 1);
		assert_int_equal(check_ext(fds[i], 158), 0);
	}
	assert_int_equal(enable_cap(fds[1], 245, 0), 0);
	assert_true(kvmsim_vm_sea_enabled(vm));
	kvmsim_host_free(host);
}

static void test_caps_old_kernel(void **state)
{
	struct kvmsim_host *host = kvmsim_host_new(KVMSIM_HOST_OLD_KERNEL,
						   KVMSIM_HOST_ARM_EL2);
	struct kvmsim_vm *vm = kvmsim_create_vm(host, 0);
	int sys = kvmsim_open_system(host), vm_fd = kvmsim_vm_fd(vm);

	(void)state;
	assert_int_equal(check_ext(sys, 245), 0);
	assert_int_equal(check_ext(sys, 178), 0);
	assert_int_equal(check_ext(sys, 177), 0);
	assert_int_equal(check_ext(sys, 240), 0); /* NV is newer still */
	assert_int_equal(check_ext(vm_fd, 41), 1);
	assert_int_equal(check_ext(vm_fd, 158), 1);
	/* An unknown cap: -EINVAL, and nothing was enabled. */
	assert_int_equal(enable_cap(vm_fd, 245, 0), -EINVAL);
	assert_false(kvmsim_vm_sea_enabled(vm));
	/* No nested vCPU can be made on such a host. */
	assert_null(kvmsim_create_vcpu(vm, KVMSIM_VCPU_HAS_EL2));
	kvmsim_host_free(host);
}

/* pKVM: the VM fd answers 0 and refuses, the system fd still says 1. */
static void test_caps_protected_vm(void **state)
{
	struct kvmsim_host *host = kvmsim_host_new(KVMSIM_HOST_RAS, 0);
	struct kvmsim_vm *vm = kvmsim_create_vm(host, KVMSIM_VM_PROTECTED);
	int sys = kvmsim_open_system(host), vm_fd = kvmsim_vm_fd(vm);

	(void)state;
	assert_int_equal(check_ext(sys, 245), 1);
	assert_int_equal(check_ext(vm_fd, 245), 0);
	assert_int_equal(check_ext(vm_fd, 178), 0);
	assert_int_equal(check_ext(vm_fd, 41), 0);
	assert_int_equal(check_ext(vm_fd, KVM_CAP_ONE_REG), 1);
	assert_int_equal(enable_cap(vm_fd, 245, 0), -EINVAL);
	assert_false(kvmsim_vm_sea_enabled(vm));
	kvmsim_host_free(host);
}

static void test_enable_cap_rules(void **state)
{
	struct fix f;
	struct kvm_enable_cap ec;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0); /* the vCPU exists already */
	assert_int_equal(enable_cap(f.vm_fd, 245, 1), -EINVAL);
	assert_false(kvmsim_vm_sea_enabled(f.vm));
	assert_int_equal(enable_cap(f.vm_fd, CAP_UNKNOWN, 0), -EINVAL);
	assert_int_equal(ret_errno(ioctl(f.vm_fd, KVM_ENABLE_CAP, NULL)), -EFAULT);

	/* args are never read */
	memset(&ec, 0, sizeof(ec));
	ec.cap = 245;
	ec.args[0] = ec.args[3] = ~0ULL;
	assert_int_equal(ret_errno(ioctl(f.vm_fd, KVM_ENABLE_CAP, &ec)), 0);
	assert_true(kvmsim_vm_sea_enabled(f.vm));
	/* idempotent, and flags != 0 later does not undo it */
	assert_int_equal(enable_cap(f.vm_fd, 245, 0), 0);
	assert_int_equal(enable_cap(f.vm_fd, 245, 1), -EINVAL);
	assert_true(kvmsim_vm_sea_enabled(f.vm));
	/* even while running: no timing rule */
	assert_int_equal(run_vcpu(f.fd), -EINTR);
	assert_int_equal(enable_cap(f.vm_fd, 245, 0), 0);
	fix_fini(&f);
}

static void test_fds_are_real_and_unique(void **state)
{
	struct fix f;
	int sys;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	sys = kvmsim_open_system(f.host);
	assert_true(sys >= 0 && f.vm_fd >= 0 && f.fd >= 0);
	assert_true(sys != f.vm_fd && sys != f.fd && f.vm_fd != f.fd);
	assert_true(fcntl(sys, F_GETFD) >= 0);
	assert_true(fcntl(f.fd, F_GETFD) >= 0);
	fix_fini(&f);
	/* kvmsim_host_free() closed them */
	assert_int_equal(fcntl(sys, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
}

/* What the real ioctl() says: @want, or ENOSYS under qemu-user, which
 * refuses ioctl numbers it cannot translate before looking at the fd. */
static bool is_real_error(int got, int want)
{
	return got == want || got == -ENOSYS;
}

static void test_foreign_and_closed_fds(void **state)
{
	struct fix f;
	unsigned long before;
	int null_fd, vcpu_fd;
	uint64_t val;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	before = kvmsim_passthrough_count();

	/* A real non-KVM fd gets the real ioctl(): ENOTTY. */
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(null_fd >= 0);
	assert_true(is_real_error(check_ext(null_fd, 245), -ENOTTY));
	close(null_fd);
	/* Now closed: EBADF. */
	assert_true(is_real_error(check_ext(null_fd, 245), -EBADF));
	assert_int_equal(kvmsim_passthrough_count(), before + 2);

	/* A closed simulated fd is forgotten: EBADF from the real ioctl. */
	vcpu_fd = f.fd;
	assert_int_equal(kvmsim_close(vcpu_fd), 0);
	assert_true(is_real_error(get_reg(vcpu_fd, KVMSEA_REG_PC, &val), -EBADF));
	assert_int_equal(kvmsim_close(vcpu_fd), -EBADF);
	assert_int_equal(kvmsim_passthrough_count(), before + 3);
	fix_fini(&f);
}

/* arm64 answers EINVAL to ioctls of another fd kind (kvm_arch_*_ioctl
 * default), and to non-KVM ioctls on a vCPU fd. */
static void test_wrong_fd_kind(void **state)
{
	struct fix f;
	struct kvmsea_uapi_vcpu_events ev;
	uint64_t val;
	struct termios tio;
	int sys;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	sys = kvmsim_open_system(f.host);
	memset(&ev, 0, sizeof(ev));

	assert_int_equal(run_vcpu(f.vm_fd), -EINVAL);
	assert_int_equal(get_reg(f.vm_fd, KVMSEA_REG_PC, &val), -EINVAL);
	assert_int_equal(set_events(f.vm_fd, &ev), -EINVAL);
	assert_int_equal(set_events(sys, &ev), -EINVAL);
	assert_int_equal(run_vcpu(sys), -EINVAL);
	assert_int_equal(check_ext(f.fd, 245), -EINVAL);
	assert_int_equal(enable_cap(f.fd, 245, 0), -EINVAL);
	assert_int_equal(enable_cap(sys, 245, 0), -EINVAL);
	assert_int_equal(ret_errno(ioctl(f.fd, TCGETS, &tio)), -EINVAL);
	assert_false(kvmsim_vm_sea_enabled(f.vm));
	fix_fini(&f);
}

static void test_system_fd_misc(void **state)
{
	struct fix f;
	int sys;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	sys = kvmsim_open_system(f.host);
	assert_int_equal(ret_errno(ioctl(sys, KVM_GET_API_VERSION, 0)), 12);
	assert_int_equal(ret_errno(ioctl(sys, KVM_GET_API_VERSION, 1)), -EINVAL);
	assert_int_equal(ret_errno(ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0)),
			 (int)kvmsim_vcpu_run_size(f.vcpu));
	assert_int_equal(kvmsim_vcpu_run_size(f.vcpu),
			 2 * (size_t)sysconf(_SC_PAGESIZE));
	/* real but not modelled */
	assert_int_equal(ret_errno(ioctl(sys, KVM_CREATE_VM, 0)), -ENOSYS);
	fix_fini(&f);
}

static void test_counters(void **state)
{
	struct fix f;
	uint64_t val;
	int sys;

	(void)state;
	fix_init(&f, KVMSIM_HOST_RAS, 0, 0, 0);
	sys = kvmsim_open_system(f.host);

	check_ext(sys, 245);
	check_ext(f.vm_fd, 245);
	check_ext(f.vm_fd, 178);
	enable_cap(f.vm_fd, 245, 1);              /* fails, still counted */
	get_reg(f.fd, KVMSEA_REG_PC, &val);
	get_reg(f.fd, KVMSEA_SYSREG(3, 0, 4, 0, 1), &val); /* -ENOENT */
	set_reg(f.fd, KVMSEA_REG_X(0), 1);
	ext_dabt(f.fd);
	run_vcpu(f.fd);
	ioctl(f.fd, TCGETS, NULL);

	assert_int_equal(kvmsim_ioctl_count(sys, KVMSIM_IOCTL_CHECK_EXTENSION), 1);
	assert_int_equal(kvmsim_ioctl_count(f.vm_fd, KVMSIM_IOCTL_CHECK_EXTENSION), 2);
	assert_int_equal(kvmsim_ioctl_count(f.vm_fd, KVMSIM_IOCTL_ENABLE_CAP), 1);
	assert_int_equal(kvmsim_ioctl_count(f.vm_fd, KVMSIM_IOCTL_ALL), 3);
	assert_int_equal(kvmsim_ioctl_count(f.fd, KVMSIM_IOCTL_GET_ONE_REG), 2);
	assert_int_equal(kvmsim_ioctl_count(f.fd, KVMSIM_IOCTL_SET_ONE_REG), 1);
	assert_int_equal(kvmsim_ioctl_count(f.fd, KVMSIM_IOCTL_SET_VCPU_EVENTS), 1);
	assert_int_equal(kvmsim_ioctl_count(f.fd, KVMSIM_IOCTL_GET_VCPU_EVENTS), 0);
	assert_int_equal(kvmsim_ioctl_count(f.fd, KVMSIM_IOCTL_RUN), 1);
	assert_int_equal(kvmsim_ioctl_count(f.fd, KVMSIM_IOCTL_OTHER), 1);
	assert_int_equal(kvmsim_ioctl_count(f.fd, KVMSIM_IOCTL_ALL), 6);
	assert_int_equal(kvmsim_host_ioctl_count(f.host, KVMSIM_IOCTL_ALL), 10);
	assert_int_equal(kvmsim_host_ioctl_count(f.host,
						 KVMSIM_IOCTL_CHECK_EXTENSION), 3);
	/* an unknown fd has no counts */
	assert_int_equal(kvmsim_ioctl_count(-1, KVMSIM_IOCTL_ALL), 0);

	kvmsim_ioctl_reset(f.fd);
	assert_int_equal(kvmsim_ioctl_count(f.fd, KVMSIM_IOCTL_ALL), 0);
	assert_int_equal(kvmsim_host_ioctl_count(f.host, KVMSIM_IOCTL_ALL), 4);
	kvmsim_host_ioctl_reset(f.host);
	assert_int_equal(kvmsim_host_ioctl_count(f.host, KVMSIM_IOCTL_ALL), 0);
	fix_fini(&f);
}

static void test_bad_fixture_arguments(void **state)
{
	struct kvmsim_host *host;
	struct kvmsim_vm *vm;

	(void)state;
	assert_null(kvmsim_host_new((enum kvmsim_profile)42, 0));
	assert_null(kvmsim_host_new(KVMSIM_HOST_RAS, 0x80));
	host = kvmsim_host_new(KVMSIM_HOST_RAS, KVMSIM_HOST_ARM_EL2);
	assert_null(kvmsim_create_vm(host, 0x80));
	vm = kvmsim_create_vm(host, 0);
	/* KVM_ARM_VCPU_INIT refuses AArch32 EL1 with NV */
	assert_null(kvmsim_create_vcpu(vm, KVMSIM_VCPU_EL1_32BIT |
					   KVMSIM_VCPU_HAS_EL2));
	assert_null(kvmsim_create_vcpu(vm, 0x100));
	kvmsim_host_free(host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps_ras_host),
		cmocka_unit_test(test_caps_no_ras_host),
		cmocka_unit_test(test_caps_old_kernel),
		cmocka_unit_test(test_caps_protected_vm),
		cmocka_unit_test(test_enable_cap_rules),
		cmocka_unit_test(test_fds_are_real_and_unique),
		cmocka_unit_test(test_foreign_and_closed_fds),
		cmocka_unit_test(test_wrong_fd_kind),
		cmocka_unit_test(test_system_fd_misc),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_bad_fixture_arguments),
	};

	return cmocka_run_group_tests_name("sim-ioctl", tests, NULL, NULL);
}
