//! The vCPU handle: the run-loop hook and injection.

use crate::context::Context;
use crate::error::{check, Errno, Error, Result};
use crate::event::{Event, Injected, Lost, Strategy, VcpuFlags};
use kvmsea_sys as sys;
use std::cell::Cell;
use std::ffi::{c_int, c_void};
use std::marker::PhantomData;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr::NonNull;

/// What [`Vcpu::handle_exit`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// A memory error was dealt with: `KVM_RUN` again.
    Handled,
    /// Not a memory error: handle the exit as before.
    NotSea,
    /// The policy says: stop this VM.
    Stop,
}

/// The error of a failed `KVM_RUN`, as a run loop holds it: its errno.
pub trait RunError {
    /// The errno (positive) the ioctl failed with.
    fn run_errno(&self) -> i32;
}

impl RunError for std::io::Error {
    fn run_errno(&self) -> i32 {
        self.raw_os_error().unwrap_or(Errno::EINVAL.get())
    }
}

impl RunError for Errno {
    fn run_errno(&self) -> i32 {
        self.get()
    }
}

impl RunError for Error {
    fn run_errno(&self) -> i32 {
        self.errno().get()
    }
}

/// Per-handle state the C handle points to (its user data).
pub(crate) struct VcpuState {
    panic: Cell<Option<String>>,
}

impl VcpuState {
    /// The state of a handle a Rust [`Vcpu`] made; `None` for a handle
    /// made through the raw API without one.
    ///
    /// # Safety
    /// `vcpu` is a live handle whose user data is NULL or a Rust [`Vcpu`]'s
    /// state, which nothing else uses now.
    pub(crate) unsafe fn of<'s>(vcpu: *const sys::kvmsea_vcpu) -> Option<&'s VcpuState> {
        // SAFETY: the caller's promise; Vcpu::from_raw_parts set the data.
        unsafe { sys::kvmsea_vcpu_get_data(vcpu).cast::<VcpuState>().as_ref() }
    }

    pub(crate) fn record_panic(&self, msg: String) {
        self.panic.set(Some(msg));
    }
}

/// A vCPU's libkvmsea handle (`struct kvmsea_vcpu`): call
/// [`handle_exit`](Self::handle_exit) after every `KVM_RUN`.
///
/// It borrows its [`Context`], so it cannot outlive it:
///
/// ```compile_fail,E0597
/// # use kvmsea::{Context, Vcpu, VcpuFlags};
/// # fn f(vm: std::os::fd::BorrowedFd<'_>, fd: std::os::fd::BorrowedFd<'_>,
/// #      run: std::ptr::NonNull<std::ffi::c_void>) -> kvmsea::Result<()> {
/// let vcpu;
/// {
///     let ctx = Context::new(vm)?;
///     vcpu = unsafe { Vcpu::from_raw_parts(&ctx, fd, run, 0, VcpuFlags::empty())? };
/// } // refused: `ctx` dropped here while still borrowed
/// drop(vcpu);
/// # Ok(()) }
/// ```
///
/// It may move to another thread (`Send`), the one that runs the vCPU,
/// but not be shared between threads (not `Sync`), as KVM's rule for
/// vCPU ioctls says:
///
/// ```
/// fn send<T: Send>() {}
/// send::<kvmsea::Vcpu<'static>>();
/// ```
///
/// ```compile_fail,E0277
/// fn sync<T: Sync>() {}
/// sync::<kvmsea::Vcpu<'static>>();
/// ```
pub struct Vcpu<'a> {
    raw: NonNull<sys::kvmsea_vcpu>,
    state: NonNull<VcpuState>,
    _ctx: PhantomData<&'a Context<'a>>,
    _not_sync: PhantomData<Cell<()>>,
}

// SAFETY: a C vCPU handle has no thread affinity; only one thread may use
// it at a time, which !Sync and &mut self give.
unsafe impl Send for Vcpu<'_> {}

impl<'a> Vcpu<'a> {
    /// A handle for the vCPU `fd` whose `kvm_run` mapping is `run`, with
    /// the vCPU `id` events will carry and the `flags` the VMM gave
    /// `KVM_ARM_VCPU_INIT` (`kvmsea_vcpu_new(3)`).
    ///
    /// With kvm-ioctls, [`KvmVcpu`](crate::kvm::KvmVcpu) does this safely.
    ///
    /// # Safety
    /// `run` is `fd`'s `kvm_run` mapping (`mmap` of the vCPU fd, at least
    /// `sizeof(struct kvm_run)` bytes) and stays mapped for as long as the
    /// handle lives.
    pub unsafe fn from_raw_parts(
        ctx: &'a Context<'_>,
        fd: BorrowedFd<'a>,
        run: NonNull<c_void>,
        id: u32,
        flags: VcpuFlags,
    ) -> Result<Vcpu<'a>> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: a live context; the fd is open for 'a, and the caller
        // vouches for the mapping.
        check(unsafe {
            sys::kvmsea_vcpu_new(
                ctx.as_raw(),
                fd.as_raw_fd(),
                run.as_ptr(),
                id,
                flags.bits(),
                &mut raw,
            )
        })?;
        let raw = NonNull::new(raw).ok_or(Error::Os(Errno::ENOMEM))?;
        let state = NonNull::from(Box::leak(Box::new(VcpuState {
            panic: Cell::new(None),
        })));
        // SAFETY: a live handle; the state lives until drop() frees both.
        unsafe { sys::kvmsea_vcpu_set_data(raw.as_ptr(), state.as_ptr().cast()) };
        Ok(Vcpu {
            raw,
            state,
            _ctx: PhantomData,
            _not_sync: PhantomData,
        })
    }

    /// The hook: call it after every `KVM_RUN`, with what the run
    /// returned (`Ok` for a return of 0). An SEA exit becomes an event for
    /// the handler (or the default policy), which decides; any other exit
    /// is [`Outcome::NotSea`], at the cost of two loads and a compare.
    ///
    /// ```no_run
    /// # fn f(vcpu: &mut kvmsea::Vcpu<'_>, run: impl Fn() -> std::io::Result<()>)
    /// #   -> kvmsea::Result<()> {
    /// loop {
    ///     let ret = run(); // KVM_RUN
    ///     match vcpu.handle_exit(&ret)? {
    ///         kvmsea::Outcome::Handled => continue,
    ///         kvmsea::Outcome::Stop => break,
    ///         kvmsea::Outcome::NotSea => { /* the VMM's own exits */ }
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn handle_exit<T, E: RunError>(
        &mut self,
        ret: &std::result::Result<T, E>,
    ) -> Result<Outcome> {
        let run_ret = match ret {
            Ok(_) => 0,
            Err(e) => -e.run_errno().max(1),
        };
        self.handle_exit_raw(run_ret)
    }

    /// [`handle_exit`](Self::handle_exit) with `KVM_RUN`'s C return value
    /// (0, or `-errno`).
    pub fn handle_exit_raw(&mut self, run_ret: i32) -> Result<Outcome> {
        // SAFETY: a live handle, used by this thread only (&mut self).
        let ret = unsafe { sys::kvmsea_vcpu_handle_exit(self.raw.as_ptr(), run_ret) };
        // SAFETY: the state lives with the handle; the handler is done.
        let panic = unsafe { self.state.as_ref() }.panic.take();
        if let Some(msg) = panic {
            return Err(Error::HandlerPanic(msg));
        }
        match check(ret)? as u32 {
            sys::KVMSEA_EXIT_HANDLED => Ok(Outcome::Handled),
            sys::KVMSEA_EXIT_STOP => Ok(Outcome::Stop),
            _ => Ok(Outcome::NotSea),
        }
    }

    /// The last event of this vCPU, with the action taken and what was
    /// injected; valid until the next `handle_exit`.
    pub fn last_event(&self) -> Option<&Event> {
        // SAFETY: a live handle; the event lives in it and changes only in
        // handle_exit/inject, which need &mut self.
        let ev = unsafe { sys::kvmsea_vcpu_last_event(self.raw.as_ptr()) };
        // SAFETY: non-NULL, it is the handle's event, unchanged while
        // `self` is borrowed.
        (!ev.is_null()).then(|| unsafe { Event::from_ptr(ev) })
    }

    /// Injects `event` into the guest with strategy `how`
    /// (`kvmsea_vcpu_inject(3)`): outside the handler, e.g. after
    /// [`Outcome::Stop`]. One injection per `KVM_RUN` return (EALREADY).
    pub fn inject(&mut self, event: &Event, how: Strategy) -> Result<Injected> {
        inject(self.raw, event, how)
    }

    /// An SError is pending on the vCPU (`KVM_GET_VCPU_EVENTS`).
    pub fn serror_pending(&self) -> Result<bool> {
        serror_pending(self.raw)
    }

    /// The id given at creation.
    pub fn id(&self) -> u32 {
        // SAFETY: a live handle.
        unsafe { sys::kvmsea_vcpu_get_id(self.raw.as_ptr()) }
    }

    /// The C handle, for [`kvmsea_sys`] calls. Its user data
    /// (`kvmsea_vcpu_set_data`) belongs to this crate: leave it alone.
    pub fn as_raw(&self) -> *mut sys::kvmsea_vcpu {
        self.raw.as_ptr()
    }

    /// Runs `run`, the VMM's `KVM_RUN` ioctl, with this thread's SIGBUS
    /// belonging to this vCPU: a `BUS_MCEERR_AR` that
    /// [`sigbus`](crate::sigbus) records meanwhile (KVM's, for guest memory
    /// the guest touched) is delivered by the next `handle_exit`, an event
    /// of source [`SigbusAr`](crate::Source::SigbusAr), through the handler,
    /// injected by default. Outside it, this thread's ARs are the VMM's own
    /// (`kvmsea_sigbus(3)` asks to pass the vCPU only while its thread is
    /// in `KVM_RUN`). `run` should be the ioctl and nothing else; with
    /// kvm-ioctls, [`RunFd::run`](crate::kvm::RunFd::run) does this itself.
    /// See [`crate::sigbus`] for why it is sound.
    ///
    /// ```no_run
    /// # fn f(vcpu: &mut kvmsea::Vcpu<'_>, run: impl Fn() -> std::io::Result<()>)
    /// #   -> kvmsea::Result<()> {
    /// loop {
    ///     let ret = vcpu.kvm_run(|| run()); // -EINTR after KVM's SIGBUS
    ///     if vcpu.handle_exit(&ret)? == kvmsea::Outcome::Stop {
    ///         return Ok(());
    ///     }
    /// }
    /// # }
    /// ```
    ///
    /// The handle cannot go while `run` runs:
    ///
    /// ```compile_fail,E0505
    /// # fn f(mut vcpu: kvmsea::Vcpu<'_>) {
    /// vcpu.kvm_run(|| drop(vcpu)); // kvm_run borrows it
    /// # }
    /// ```
    pub fn kvm_run<T>(&mut self, run: impl FnOnce() -> T) -> T {
        let (ctx, vcpu) = self.sigbus_target();
        // SAFETY: the handle, and the context it borrows, live until this
        // returns: `self` is borrowed mutably for the call.
        unsafe { crate::sigbus::on_this_thread(ctx, vcpu, run) }
    }

    /// What a SIGBUS on this vCPU's thread belongs to: its context and
    /// the handle (crate::sigbus).
    pub(crate) fn sigbus_target(&self) -> (*mut sys::kvmsea_ctx, *mut sys::kvmsea_vcpu) {
        let vcpu = self.raw.as_ptr();
        // SAFETY: a live handle.
        (unsafe { sys::kvmsea_vcpu_get_ctx(vcpu) }, vcpu)
    }
}

impl Drop for Vcpu<'_> {
    fn drop(&mut self) {
        // SAFETY: the handle is not in its handler (that needs &mut self),
        // so the C library frees it; then nothing refers to the state.
        unsafe {
            sys::kvmsea_vcpu_free(self.raw.as_ptr());
            drop(Box::from_raw(self.state.as_ptr()));
        }
    }
}

/// The vCPU as the handler sees it, on the vCPU's own thread during
/// `handle_exit`: it can inject, but not free the handle or run the hook.
pub struct HandlerVcpu<'h> {
    raw: NonNull<sys::kvmsea_vcpu>,
    _call: PhantomData<&'h mut ()>,
}

impl HandlerVcpu<'_> {
    pub(crate) fn new(raw: *mut sys::kvmsea_vcpu) -> Self {
        HandlerVcpu {
            raw: NonNull::new(raw).expect("the library passes its vCPU"),
            _call: PhantomData,
        }
    }

    /// Injects `event` (this one, or a copy of it) with strategy `how`;
    /// return [`Action::Handled`](crate::Action::Handled) after it.
    pub fn inject(&mut self, event: &Event, how: Strategy) -> Result<Injected> {
        inject(self.raw, event, how)
    }

    /// An SError is pending on the vCPU.
    pub fn serror_pending(&self) -> Result<bool> {
        serror_pending(self.raw)
    }

    /// The vCPU's id.
    pub fn id(&self) -> u32 {
        // SAFETY: the library's live handle, for this call.
        unsafe { sys::kvmsea_vcpu_get_id(self.raw.as_ptr()) }
    }
}

fn inject(vcpu: NonNull<sys::kvmsea_vcpu>, event: &Event, how: Strategy) -> Result<Injected> {
    let mut lost = 0u32;
    // SAFETY: a live handle on its own thread; a valid event; `lost` is
    // writable.
    let ret =
        unsafe { sys::kvmsea_vcpu_inject(vcpu.as_ptr(), event.as_raw(), how.raw(), &mut lost) };
    let strategy = check(ret)?;
    Ok(Injected {
        strategy: Strategy::from_raw(strategy as sys::kvmsea_strategy),
        lost: Lost::from_bits(lost),
    })
}

fn serror_pending(vcpu: NonNull<sys::kvmsea_vcpu>) -> Result<bool> {
    // SAFETY: a live handle; the call only reads the vCPU's events.
    let ret: c_int = unsafe { sys::kvmsea_vcpu_serror_pending(vcpu.as_ptr()) };
    Ok(check(ret)? != 0)
}
