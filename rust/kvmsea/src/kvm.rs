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
//!     let (mut fd, mut sea) = vcpu.split();
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
use crate::event::{Event, Injected, Strategy};
use crate::vcpu::{Outcome, RunError, Vcpu};
use kvm_ioctls::{Kvm, VcpuExit, VcpuFd, VmFd};
use std::cell::Cell;
use std::ops::Deref;
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
///
/// Nor can the pair come apart: [`split`](Self::split) lends neither half
/// as a `&mut` that `mem::swap` or `mem::replace` could exchange.
///
/// ```compile_fail,E0596
/// # use kvmsea::{kvm::KvmVcpu, Context, VcpuFlags};
/// # fn f(mut vcpu: KvmVcpu<'_>, mut other: kvm_ioctls::VcpuFd) {
/// let (mut fd, _sea) = vcpu.split();
/// std::mem::swap(&mut *fd, &mut other); // the fd is only lent shared
/// # }
/// ```
pub struct KvmVcpu<'a> {
    // Declared first, dropped first: the handle goes before the mapping.
    sea: Vcpu<'a>,
    fd: VcpuFd,
    /// What RunFd::run saw of errno for an `Ok` exit (SeaVcpu's run_errno).
    run_errno: Cell<i32>,
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
        // `fd`; the KvmVcpu keeps `fd`, never lends it out to be replaced,
        // and drops the handle first. The fd stays open as long, likewise.
        let made =
            unsafe { Vcpu::from_raw_parts(ctx, BorrowedFd::borrow_raw(raw_fd), run, id, flags) };
        match made {
            Ok(sea) => Ok(KvmVcpu {
                sea,
                fd,
                run_errno: Cell::new(0),
            }),
            Err(e) => Err((e, fd)),
        }
    }

    /// Both halves at once, for the run loop: `fd.run()`, then
    /// `sea.handle_exit(&result)`.
    pub fn split(&mut self) -> (RunFd<'_>, SeaVcpu<'_, 'a>) {
        let (ctx, vcpu) = self.sea.sigbus_target();
        let run_errno = &self.run_errno;
        (
            RunFd {
                fd: &mut self.fd,
                run_errno,
                ctx,
                vcpu,
            },
            SeaVcpu {
                sea: &mut self.sea,
                run_errno,
            },
        )
    }

    /// The kvm-ioctls fd, for its `&self` ioctls (registers, events...).
    pub fn fd(&self) -> &VcpuFd {
        &self.fd
    }

    /// The libkvmsea handle.
    pub fn sea(&mut self) -> SeaVcpu<'_, 'a> {
        SeaVcpu {
            sea: &mut self.sea,
            run_errno: &self.run_errno,
        }
    }

    /// Frees the handle and gives the fd back.
    pub fn into_fd(self) -> VcpuFd {
        self.fd
    }
}

/// The fd half of a [`KvmVcpu`]: `run()` and the other `&mut self` calls a
/// run loop needs, and every `&self` method of [`VcpuFd`] through `Deref`.
pub struct RunFd<'s> {
    fd: &'s mut VcpuFd,
    run_errno: &'s Cell<i32>,
    // The handle's, for the SIGBUS path: the KvmVcpu they come from is
    // borrowed for 's and lends its handle to no one who could replace it.
    ctx: *mut kvmsea_sys::kvmsea_ctx,
    vcpu: *mut kvmsea_sys::kvmsea_vcpu,
}

impl RunFd<'_> {
    /// `KVM_RUN` ([`VcpuFd::run`]), with this thread's SIGBUS belonging to
    /// this vCPU while it runs ([`Vcpu::kvm_run`]): KVM's `BUS_MCEERR_AR`
    /// for poisoned guest memory becomes an event of the next
    /// [`SeaVcpu::handle_exit`]. kvm-ioctls returns `KVM_EXIT_MEMORY_FAULT`,
    /// which comes with `KVM_RUN` failing, as `Ok(VcpuExit::MemoryFault)`
    /// and drops the errno (`EHWPOISON` for a poisoned guest_memfd page,
    /// `EFAULT` for others); this reads it at once, while it is still the
    /// ioctl's, for that `handle_exit`.
    pub fn run(&mut self) -> std::result::Result<VcpuExit<'_>, kvm_ioctls::Error> {
        let fd = &mut *self.fd;
        // SAFETY: the handle and its context live for 's (see the fields).
        let ret = unsafe { crate::sigbus::on_this_thread(self.ctx, self.vcpu, || fd.run()) };
        let errno = match ret {
            Ok(VcpuExit::MemoryFault { .. }) => {
                std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
            }
            _ => 0,
        };
        self.run_errno.set(errno);
        ret
    }

    /// `kvm_run.immediate_exit` ([`VcpuFd::set_kvm_immediate_exit`]).
    pub fn set_kvm_immediate_exit(&mut self, value: u8) {
        self.fd.set_kvm_immediate_exit(value)
    }
}

impl Deref for RunFd<'_> {
    type Target = VcpuFd;
    fn deref(&self) -> &VcpuFd {
        self.fd
    }
}

/// The libkvmsea half of a [`KvmVcpu`]: the [`Vcpu`] methods that need
/// `&mut`, and the others through `Deref`, but no `&mut Vcpu` that
/// `mem::swap` could exchange for another handle.
pub struct SeaVcpu<'s, 'a> {
    sea: &'s mut Vcpu<'a>,
    run_errno: &'s Cell<i32>,
}

impl SeaVcpu<'_, '_> {
    /// [`Vcpu::handle_exit`], with `VcpuFd::run()`'s result. After
    /// [`RunFd::run`] it also knows the errno that kvm-ioctls keeps to
    /// itself when it returns `Ok(VcpuExit::MemoryFault)`.
    pub fn handle_exit<T, E: RunError>(
        &mut self,
        ret: &std::result::Result<T, E>,
    ) -> Result<Outcome> {
        match (ret, self.run_errno.replace(0)) {
            (Ok(_), errno) if errno > 0 => self.sea.handle_exit_raw(-errno),
            _ => self.sea.handle_exit(ret),
        }
    }

    /// [`Vcpu::handle_exit_raw`].
    pub fn handle_exit_raw(&mut self, run_ret: i32) -> Result<Outcome> {
        self.sea.handle_exit_raw(run_ret)
    }

    /// [`Vcpu::inject`].
    pub fn inject(&mut self, event: &Event, how: Strategy) -> Result<Injected> {
        self.sea.inject(event, how)
    }
}

impl<'a> Deref for SeaVcpu<'_, 'a> {
    type Target = Vcpu<'a>;
    fn deref(&self) -> &Vcpu<'a> {
        self.sea
    }
}
