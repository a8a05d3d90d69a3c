//! The simulated arm64 KVM of tests/sim (kvmsim.h), for the tests that run
//! the safe API against it: the C functions they use, and `Sim`, one VM
//! with one vCPU (more with `add_vcpu`), as tests/kvm/fixture.c has it.
//! kvmsea's build script links the simulator with -Wl,--wrap=ioctl.
#![allow(dead_code)]

use std::ffi::{c_int, c_uint, c_ulong, c_void};
use std::os::fd::BorrowedFd;
use std::ptr::NonNull;

pub const HOST_RAS: c_uint = 0;
pub const HOST_NO_RAS: c_uint = 1;
pub const HOST_OLD_KERNEL: c_uint = 2;

/// `struct kvmsim_sea`.
#[repr(C)]
#[derive(Default)]
pub struct SimSea {
    pub esr: u64,
    pub far: u64,
    pub ipa: u64,
    pub ipa_valid: bool,
    pub apei_claimed: bool,
    pub s1_walk_found: bool,
    pub s1_walk_level: c_int,
}

/// `struct kvmsim_vcpu_stats`.
#[repr(C)]
#[derive(Default, Debug)]
pub struct SimStats {
    pub runs: c_ulong,
    pub sea_exits: c_ulong,
    pub sea_serror: c_ulong,
    pub sea_apei: c_ulong,
    pub sea_hyp_retry: c_ulong,
    pub ext_dabt: c_ulong,
    pub ext_dabt_lost: c_ulong,
    pub serror: c_ulong,
    pub mmio_completed: c_ulong,
    pub idle_runs: c_ulong,
}

#[repr(C)]
pub struct Opaque {
    _p: [u8; 0],
}

extern "C" {
    fn kvmsim_host_new(profile: c_uint, flags: c_uint) -> *mut Opaque;
    fn kvmsim_host_free(host: *mut Opaque);
    fn kvmsim_open_system(host: *mut Opaque) -> c_int;
    fn kvmsim_create_vm(host: *mut Opaque, flags: c_uint) -> *mut Opaque;
    fn kvmsim_vm_fd(vm: *const Opaque) -> c_int;
    fn kvmsim_vm_sea_enabled(vm: *const Opaque) -> bool;
    fn kvmsim_create_vcpu(vm: *mut Opaque, features: c_uint) -> *mut Opaque;
    fn kvmsim_vcpu_fd(vcpu: *const Opaque) -> c_int;
    fn kvmsim_vcpu_run_area(vcpu: *mut Opaque) -> *mut c_void;
    fn kvmsim_reg_get(vcpu: *const Opaque, id: u64) -> u64;
    fn kvmsim_reg_set(vcpu: *mut Opaque, id: u64, val: u64);
    fn kvmsim_vcpu_get_stats(vcpu: *const Opaque, stats: *mut SimStats);
    fn kvmsim_vcpu_clear_serror(vcpu: *mut Opaque);
    fn kvmsim_queue_sea(vcpu: *mut Opaque, sea: *const SimSea) -> c_int;
    fn kvmsim_queue_mmio(vcpu: *mut Opaque, gpa: u64, far: u64, is_write: bool, len: u32) -> c_int;
    fn kvmsim_queue_eintr(vcpu: *mut Opaque, stale: bool) -> c_int;
    fn kvmsim_queue_error(vcpu: *mut Opaque, err: c_int) -> c_int;
    fn kvmsim_queue_poison(vcpu: *mut Opaque, hva: u64, lsb: c_uint) -> c_int;
    fn kvmsim_queue_memory_fault(vcpu: *mut Opaque, gpa: u64, size: u64, flags: u64) -> c_int;
    fn kvmsim_send_sigbus(tid: c_int, code: c_int, addr: u64, lsb: c_uint) -> c_int;
    fn kvmsim_gettid() -> c_int;
    fn ioctl(fd: c_int, request: c_ulong, ...) -> c_int;
}

/// ONE_REG ids, as lib/uapi-compat.h builds them (checked against it by
/// `reg_ids_match_the_c_headers`).
pub const REG_ARM64: u64 = 0x6000_0000_0000_0000;
pub const REG_SIZE_U64: u64 = 0x0030_0000_0000_0000;
pub const fn core_reg(off32: u64) -> u64 {
    REG_ARM64 | REG_SIZE_U64 | (0x0010 << 16) | off32
}
pub const fn sys_reg(op0: u64, op1: u64, crn: u64, crm: u64, op2: u64) -> u64 {
    REG_ARM64 | REG_SIZE_U64 | (0x0013 << 16) | op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2
}
pub const REG_PC: u64 = core_reg(0x40);
pub const REG_PSTATE: u64 = core_reg(0x42);
pub const REG_ELR_EL1: u64 = core_reg(0x46);
pub const REG_ESR_EL1: u64 = sys_reg(3, 0, 5, 2, 0);
pub const REG_FAR_EL1: u64 = sys_reg(3, 0, 6, 0, 0);
pub const REG_VBAR_EL1: u64 = sys_reg(3, 0, 12, 0, 0);

/// `_IO(KVMIO, 0x80)`.
const KVM_RUN: c_ulong = 0xae80;

/// Where `guest_at` puts the guest (tests/kvm/fixture.h's values).
pub const VBAR: u64 = 0x4008_0000;
pub const PC: u64 = 0x4000_1000;

/// A simulated host with one VM and its vCPUs; freed (fds closed) on drop.
pub struct Sim {
    host: *mut Opaque,
    vm: *mut Opaque,
    vcpus: Vec<*mut Opaque>,
}

// SAFETY: the simulator locks each vCPU (KVM's vcpu->mutex); tests drive
// each vCPU from one thread at a time.
unsafe impl Send for Sim {}
// SAFETY: as above; the shared calls only read fds.
unsafe impl Sync for Sim {}

impl Sim {
    pub fn new(profile: c_uint) -> Sim {
        Sim::with(profile, 0, 0)
    }

    pub fn with(profile: c_uint, vm_flags: c_uint, vcpu_features: c_uint) -> Sim {
        // SAFETY: plain calls into the fixture; NULL results are checked.
        unsafe {
            let host = kvmsim_host_new(profile, 0);
            assert!(!host.is_null());
            let vm = kvmsim_create_vm(host, vm_flags);
            assert!(!vm.is_null());
            let mut sim = Sim {
                host,
                vm,
                vcpus: Vec::new(),
            };
            sim.add_vcpu(vcpu_features);
            sim
        }
    }

    /// Adds a vCPU; returns its index.
    pub fn add_vcpu(&mut self, features: c_uint) -> usize {
        // SAFETY: a live VM of the fixture.
        let vcpu = unsafe { kvmsim_create_vcpu(self.vm, features) };
        assert!(!vcpu.is_null());
        self.vcpus.push(vcpu);
        self.vcpus.len() - 1
    }

    fn fd<'s>(&'s self, fd: c_int) -> BorrowedFd<'s> {
        assert!(fd >= 0);
        // SAFETY: the host keeps its fds open until it is freed in drop.
        unsafe { BorrowedFd::borrow_raw(fd) }
    }

    pub fn system_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: a live host.
        self.fd(unsafe { kvmsim_open_system(self.host) })
    }

    pub fn vm_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: a live VM.
        self.fd(unsafe { kvmsim_vm_fd(self.vm) })
    }

    pub fn vm_sea_enabled(&self) -> bool {
        // SAFETY: a live VM.
        unsafe { kvmsim_vm_sea_enabled(self.vm) }
    }

    pub fn vcpu_fd(&self, i: usize) -> BorrowedFd<'_> {
        // SAFETY: a live vCPU.
        self.fd(unsafe { kvmsim_vcpu_fd(self.vcpus[i]) })
    }

    /// vCPU `i`'s handle for `ctx`.
    pub fn vcpu<'a>(&'a self, ctx: &'a kvmsea::Context<'_>, i: usize) -> kvmsea::Vcpu<'a> {
        self.vcpu_flags(ctx, i, kvmsea::VcpuFlags::empty())
    }

    pub fn vcpu_flags<'a>(
        &'a self,
        ctx: &'a kvmsea::Context<'_>,
        i: usize,
        flags: kvmsea::VcpuFlags,
    ) -> kvmsea::Vcpu<'a> {
        // SAFETY: the simulated vCPU's run area lives until the host is
        // freed, after every handle (they borrow `self`).
        let run = NonNull::new(unsafe { kvmsim_vcpu_run_area(self.vcpus[i]) }).unwrap();
        // SAFETY: `run` is this vCPU's kvm_run area, as above.
        unsafe { kvmsea::Vcpu::from_raw_parts(ctx, self.vcpu_fd(i), run, i as u32, flags) }.unwrap()
    }

    pub fn reg(&self, i: usize, id: u64) -> u64 {
        // SAFETY: a live vCPU and a register the simulator holds.
        unsafe { kvmsim_reg_get(self.vcpus[i], id) }
    }

    pub fn set_reg(&self, i: usize, id: u64, value: u64) {
        // SAFETY: as for reg().
        unsafe { kvmsim_reg_set(self.vcpus[i], id, value) }
    }

    /// The guest at `pstate`, PC `PC`, VBAR_EL1 `VBAR`: a booted kernel.
    pub fn guest_at(&self, i: usize, pstate: u64) {
        self.set_reg(i, REG_PSTATE, pstate);
        self.set_reg(i, REG_PC, PC);
        self.set_reg(i, REG_VBAR_EL1, VBAR);
    }

    pub fn stats(&self, i: usize) -> SimStats {
        let mut s = SimStats::default();
        // SAFETY: a live vCPU and a writable struct.
        unsafe { kvmsim_vcpu_get_stats(self.vcpus[i], &mut s) };
        s
    }

    pub fn clear_serror(&self, i: usize) {
        // SAFETY: a live vCPU.
        unsafe { kvmsim_vcpu_clear_serror(self.vcpus[i]) }
    }

    /// Queues an SEA taken at `far` (IPA `ipa` when `ipa_valid`).
    pub fn queue_sea(&self, i: usize, esr: u64, far: u64, ipa: u64, ipa_valid: bool) {
        let sea = SimSea {
            esr,
            far,
            ipa,
            ipa_valid,
            ..SimSea::default()
        };
        // SAFETY: a live vCPU and a valid struct.
        assert_eq!(unsafe { kvmsim_queue_sea(self.vcpus[i], &sea) }, 0);
    }

    pub fn queue_mmio(&self, i: usize, gpa: u64) {
        // SAFETY: a live vCPU.
        let ret = unsafe { kvmsim_queue_mmio(self.vcpus[i], gpa, gpa, true, 4) };
        assert_eq!(ret, 0);
    }

    pub fn queue_eintr(&self, i: usize, stale: bool) {
        // SAFETY: a live vCPU.
        assert_eq!(unsafe { kvmsim_queue_eintr(self.vcpus[i], stale) }, 0);
    }

    pub fn queue_error(&self, i: usize, err: c_int) {
        // SAFETY: a live vCPU.
        assert_eq!(unsafe { kvmsim_queue_error(self.vcpus[i], err) }, 0);
    }

    /// The guest touches poisoned host memory at `hva`: the next KVM_RUN
    /// sends this thread SIGBUS BUS_MCEERR_AR (calling its SA_SIGINFO
    /// handler directly, as tests/sim does) and returns -EINTR.
    pub fn queue_poison(&self, i: usize, hva: u64, lsb: u32) {
        // SAFETY: a live vCPU.
        assert_eq!(unsafe { kvmsim_queue_poison(self.vcpus[i], hva, lsb) }, 0);
    }

    /// A poisoned guest_memfd page: KVM_RUN fails with EHWPOISON and
    /// KVM_EXIT_MEMORY_FAULT.
    pub fn queue_memory_fault(&self, i: usize, gpa: u64, size: u64, flags: u64) {
        // SAFETY: a live vCPU.
        let ret = unsafe { kvmsim_queue_memory_fault(self.vcpus[i], gpa, size, flags) };
        assert_eq!(ret, 0);
    }

    /// KVM_RUN on vCPU `i`, as a VMM's loop has it.
    pub fn run(&self, i: usize) -> std::io::Result<()> {
        // SAFETY: a simulated vCPU fd; KVM_RUN takes no argument.
        let ret = unsafe { ioctl(kvmsim_vcpu_fd(self.vcpus[i]), KVM_RUN, 0) };
        if ret < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(())
        }
    }
}

/// The kernel's SIGBUS for this thread (memory_failure()'s fields), handed
/// to its SA_SIGINFO handler directly.
pub fn send_sigbus(code: c_int, addr: u64, lsb: u32) {
    // SAFETY: plain calls; the simulator checks the handler is installed.
    let ret = unsafe { kvmsim_send_sigbus(kvmsim_gettid(), code, addr, lsb) };
    assert_eq!(ret, 0);
}

impl Drop for Sim {
    fn drop(&mut self) {
        // SAFETY: every handle borrowing the fixture is gone.
        unsafe { kvmsim_host_free(self.host) }
    }
}
