//! rust-vmm's `kvm-ioctls` (feature `kvm-ioctls`): a context from a
//! [`VmFd`], a vCPU handle that owns its [`VcpuFd`], and `handle_exit`
//! taking `VcpuFd::run()`'s `Result` as it is.
//!
//! kvm-ioctls does not know exit 41: `run()` returns
//! `Ok(VcpuExit::Unsupported(41))` for it, which `handle_exit` turns into
//! an event. The loop (the example `sea-vmm` has a whole VMM):
//!
//! ```no_run
//! use kvm_ioctls::{Kvm, VcpuExit};
//! use kvmsea::kvm::KvmVcpu;
//! use kvmsea::{Context, Outcome, VcpuFlags};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let kvm = Kvm::new()?;
//! let vm = kvm.create_vm()?;
//! let ctx = Context::from_vm_fd(&vm)?;
//! ctx.enable()?;
//! let mut vcpu = KvmVcpu::new(&ctx, vm.create_vcpu(0)?, 0, VcpuFlags::empty())
//!     .map_err(|(e, _fd)| e)?;
//! // ... KVM_ARM_VCPU_INIT, registers, memory ...
//! loop {
//!     let (fd, sea) = vcpu.split();
//!     let exit = fd.run();
//!     match sea.handle_exit(&exit)? {
//!         Outcome::Handled => continue, // the guest got its abort
//!         Outcome::Stop => break,       // the policy says: stop the VM
//!         Outcome::NotSea => {}
//!     }
//!     match exit? {
//!         VcpuExit::MmioWrite(addr, data) => { /* devices */ }
//!         other => { /* ... */ }
//!     }
//! }
//! # Ok(()) }
//! ```

use crate::context::Context;
use crate::error::{Error, Result};
use crate::event::VcpuFlags;
use crate::vcpu::{RunError, Vcpu};
use kvm_ioctls::{Kvm, VcpuFd, VmFd};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr::NonNull;

impl RunError for kvm_ioctls::Error {
    fn run_errno(&self) -> i32 {
        self.errno()
    }
}

/// The fd a kvm-ioctls object owns, borrowed for as long as it is.
fn borrow<T: AsRawFd>(owner: &T) -> BorrowedFd<'_> {
    // SAFETY: `owner` owns the fd and keeps it open while it lives, which
    // the borrow outlasts not.
    unsafe { BorrowedFd::borrow_raw(owner.as_raw_fd()) }
}

/// [`probe`](crate::probe) of the system fd.
pub fn probe_kvm(kvm: &Kvm) -> Result<crate::Caps> {
    crate::probe(borrow(kvm))
}

impl<'a> Context<'a> {
    /// A context for `vm`, which it borrows.
    pub fn from_vm_fd(vm: &'a VmFd) -> Result<Context<'a>> {
        Context::new(borrow(vm))
    }
}

/// A vCPU's kvm-ioctls fd and its libkvmsea handle, kept together so the
/// handle can never outlive the fd's `kvm_run` mapping.
///
/// The handle cannot outlive the context:
///
/// ```compile_fail,E0597
/// # use kvmsea::{kvm::KvmVcpu, Context, VcpuFlags};
/// # fn f(vm: &kvm_ioctls::VmFd) -> Result<(), Box<dyn std::error::Error>> {
/// let vcpu;
/// {
///     let ctx = Context::from_vm_fd(vm)?;
///     vcpu = KvmVcpu::new(&ctx, vm.create_vcpu(0)?, 0, VcpuFlags::empty())
///         .map_err(|(e, _)| e)?;
/// }
/// drop(vcpu);
/// # Ok(()) }
/// ```
pub struct KvmVcpu<'a> {
    // Declared first, dropped first: the handle goes before the mapping.
    sea: Vcpu<'a>,
    fd: VcpuFd,
}

impl<'a> KvmVcpu<'a> {
    /// Takes `fd` and makes its handle (`id` for the events, `flags` as
    /// given to `KVM_ARM_VCPU_INIT`). On error the fd comes back.
    pub fn new(
        ctx: &'a Context<'_>,
        mut fd: VcpuFd,
        id: u32,
        flags: VcpuFlags,
    ) -> std::result::Result<KvmVcpu<'a>, (Error, VcpuFd)> {
        let run = NonNull::from(fd.get_kvm_run()).cast();
        let raw_fd = fd.as_raw_fd();
        // SAFETY: `run` is `fd`'s kvm_run mapping, which lives as long as
        // `fd`; the KvmVcpu keeps `fd` and drops the handle first. The fd
        // stays open for as long as the handle, for the same reason.
        let made =
            unsafe { Vcpu::from_raw_parts(ctx, BorrowedFd::borrow_raw(raw_fd), run, id, flags) };
        match made {
            Ok(sea) => Ok(KvmVcpu { sea, fd }),
            Err(e) => Err((e, fd)),
        }
    }

    /// The fd and the handle, both mutable: `fd.run()`, then
    /// `sea.handle_exit(&result)`.
    pub fn split(&mut self) -> (&mut VcpuFd, &mut Vcpu<'a>) {
        (&mut self.fd, &mut self.sea)
    }

    /// The kvm-ioctls fd.
    pub fn fd(&self) -> &VcpuFd {
        &self.fd
    }

    /// The libkvmsea handle.
    pub fn sea(&mut self) -> &mut Vcpu<'a> {
        &mut self.sea
    }

    /// Frees the handle and gives the fd back.
    pub fn into_fd(self) -> VcpuFd {
        self.fd
    }
}
