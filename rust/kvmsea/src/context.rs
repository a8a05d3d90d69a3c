//! Capabilities, and the per-VM context that holds them with the policy
//! and the handler.

use crate::error::{check, Errno, Error, Result};
use crate::event::{Action, Event};
use crate::vcpu::{HandlerVcpu, VcpuState};
use kvmsea_sys as sys;
use std::ffi::{c_int, c_void};
use std::marker::PhantomData;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;

/// What KVM says of guest memory errors (`kvmsea_probe(3)`): each
/// `KVM_CHECK_EXTENSION` answer, and what follows from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// `KVM_CAP_ARM_SEA_TO_USER`.
    pub sea_to_user: i32,
    /// `KVM_CAP_ARM_INJECT_EXT_DABT`.
    pub inject_ext_dabt: i32,
    /// `KVM_CAP_VCPU_EVENTS`.
    pub vcpu_events: i32,
    /// `KVM_CAP_ARM_INJECT_SERROR_ESR`: the host has FEAT_RAS.
    pub inject_serror_esr: i32,
    /// `KVM_CAP_ARM_EL2`: nested virtualization.
    pub arm_el2: i32,
    /// The cap and host RAS: exit 41 can happen.
    pub sea_exits_possible: bool,
    /// This context's [`Context::enable`] succeeded.
    pub sea_exits_enabled: bool,
}

impl Caps {
    fn from_sys(c: &sys::kvmsea_caps) -> Caps {
        Caps {
            sea_to_user: c.sea_to_user,
            inject_ext_dabt: c.inject_ext_dabt,
            vcpu_events: c.vcpu_events,
            inject_serror_esr: c.inject_serror_esr,
            arm_el2: c.arm_el2,
            sea_exits_possible: c.sea_exits_possible,
            sea_exits_enabled: c.sea_exits_enabled,
        }
    }
}

/// Probes the capabilities of a KVM system or VM file descriptor (a VM's
/// answers can differ: a protected VM's do). ENOTTY for a non-KVM fd.
pub fn probe(fd: BorrowedFd<'_>) -> Result<Caps> {
    let mut caps = sys::kvmsea_caps::default();
    // SAFETY: `caps` is writable; the fd is open (borrowed), and the
    // library only sends it KVM_CHECK_EXTENSION.
    check(unsafe { sys::kvmsea_probe(fd.as_raw_fd(), &mut caps) })?;
    Ok(Caps::from_sys(&caps))
}

/// The handler: called on the vCPU's thread inside
/// [`Vcpu::handle_exit`](crate::Vcpu::handle_exit), for each event.
pub(crate) type Handler<'a> =
    dyn Fn(&mut HandlerVcpu<'_>, &Event) -> Result<Action> + Send + Sync + 'a;

/// One VM's libkvmsea context (`struct kvmsea_ctx`): its capabilities,
/// policy and handler. It borrows the VM's file descriptor for `'a` and
/// never closes it; its [`Vcpu`](crate::Vcpu)s borrow it.
///
/// The policy (handler, limits) is set with `&mut self`, so only before any
/// vCPU handle exists or after they are gone, as the C library asks:
///
/// ```compile_fail,E0502
/// # use kvmsea::{Action, Context, Vcpu, VcpuFlags};
/// # fn f(vm: std::os::fd::BorrowedFd<'_>, fd: std::os::fd::BorrowedFd<'_>,
/// #      run: std::ptr::NonNull<std::ffi::c_void>) -> kvmsea::Result<()> {
/// let mut ctx = Context::new(vm)?;
/// let vcpu = unsafe { Vcpu::from_raw_parts(&ctx, fd, run, 0, VcpuFlags::empty())? };
/// ctx.set_livelock_limit(4); // refused: the vCPU borrows the context
/// drop(vcpu);
/// # Ok(()) }
/// ```
pub struct Context<'a> {
    raw: NonNull<sys::kvmsea_ctx>,
    handler: Option<Box<Box<Handler<'a>>>>,
    _vm_fd: PhantomData<BorrowedFd<'a>>,
}

// SAFETY: the C context is made for many vCPU threads: what they share is
// read-only once they run (the policy, set through &mut self) or atomic
// (enabled, counters); the handler is Send + Sync.
unsafe impl Send for Context<'_> {}
// SAFETY: as above; every &self method is thread-safe in the C library.
unsafe impl Sync for Context<'_> {}

impl<'a> Context<'a> {
    /// A context for the VM `vm_fd` (`kvmsea_ctx_new(3)`): probes the
    /// capabilities, enables nothing.
    pub fn new(vm_fd: BorrowedFd<'a>) -> Result<Context<'a>> {
        let mut raw = std::ptr::null_mut();
        // SAFETY: `raw` is writable; the fd is open for 'a, the context's
        // whole life (the PhantomData keeps the borrow).
        check(unsafe { sys::kvmsea_ctx_new(vm_fd.as_raw_fd(), &mut raw) })?;
        let raw = NonNull::new(raw).ok_or(Error::Os(Errno::ENOMEM))?;
        Ok(Context {
            raw,
            handler: None,
            _vm_fd: PhantomData,
        })
    }

    /// The capabilities, and whether [`enable`](Self::enable) succeeded.
    pub fn caps(&self) -> Caps {
        let mut caps = sys::kvmsea_caps::default();
        // SAFETY: a live context and a writable struct: it cannot fail.
        unsafe { sys::kvmsea_ctx_get_caps(self.raw.as_ptr(), &mut caps) };
        Caps::from_sys(&caps)
    }

    /// Asks KVM for `KVM_EXIT_ARM_SEA` exits (`KVM_ENABLE_CAP`, one-way).
    /// EOPNOTSUPP when the kernel lacks the capability. Any thread, any
    /// time, vCPUs running or not.
    pub fn enable(&self) -> Result<()> {
        // SAFETY: a live context; enabling is thread-safe (an ioctl and an
        // atomic store).
        check(unsafe { sys::kvmsea_ctx_enable(self.raw.as_ptr()) }).map(drop)
    }

    /// Sets the handler, replacing any previous one. It runs on the
    /// vCPU's own thread, inside `handle_exit`, for every event, and may
    /// run on many vCPU threads at once. It answers an [`Action`], or an
    /// error that `handle_exit` then returns. A panic in it stops at the
    /// FFI boundary and `handle_exit` returns
    /// [`Error::HandlerPanic`](crate::Error::HandlerPanic). It may borrow
    /// what was declared before the context (it lives as long as `'a`).
    pub fn set_handler<F>(&mut self, handler: F)
    where
        F: Fn(&mut HandlerVcpu<'_>, &Event) -> Result<Action> + Send + Sync + 'a,
    {
        let boxed: Box<Box<Handler<'a>>> = Box::new(Box::new(handler));
        let opaque = (&*boxed as *const Box<Handler<'a>>)
            .cast_mut()
            .cast::<c_void>();
        // SAFETY: a live context; `opaque` points into a box this context
        // keeps until the handler is replaced or the context dropped, both
        // of which need &mut self, so no vCPU can be running it then.
        unsafe { sys::kvmsea_ctx_set_handler(self.raw.as_ptr(), Some(trampoline), opaque) };
        self.handler = Some(boxed);
    }

    /// Removes the handler: the default policy applies (inject with the
    /// auto strategy; stop on a livelock or a storm).
    pub fn clear_handler(&mut self) {
        // SAFETY: a live context; no handler afterwards.
        unsafe { sys::kvmsea_ctx_set_handler(self.raw.as_ptr(), None, std::ptr::null_mut()) };
        self.handler = None;
    }

    /// The same SEA this many times in a row (nothing delivered between)
    /// is a livelock; 0 turns the guard off. The default is 8.
    pub fn set_livelock_limit(&mut self, limit: u32) {
        // SAFETY: a live context.
        unsafe { sys::kvmsea_ctx_set_livelock_limit(self.raw.as_ptr(), limit) };
    }

    /// The C handle, for [`kvmsea_sys`] calls.
    pub fn as_raw(&self) -> *mut sys::kvmsea_ctx {
        self.raw.as_ptr()
    }
}

impl Drop for Context<'_> {
    fn drop(&mut self) {
        // No signal handler may use it after this (crate::sigbus).
        self.sigbus_unregister();
        // SAFETY: no Vcpu borrows the context any more (the borrow checker
        // saw to it: no vCPU in KVM_RUN either), and no signal handler can
        // reach it, so the C library frees it. The handler box goes
        // after, when nothing can call it.
        unsafe { sys::kvmsea_ctx_free(self.raw.as_ptr()) };
    }
}

/// The C handler of every Rust context: runs the Rust closure, and stops
/// any panic here.
unsafe extern "C" fn trampoline(
    vcpu: *mut sys::kvmsea_vcpu,
    event: *const sys::kvmsea_event,
    opaque: *mut c_void,
) -> c_int {
    let run = || {
        // SAFETY: `opaque` is the box set_handler() gave, alive while any
        // vCPU can call the handler (see there).
        let handler = unsafe { &*opaque.cast::<Box<Handler<'_>>>() };
        // SAFETY: the library passes its event, valid for this call.
        let event = unsafe { Event::from_ptr(event) };
        let mut handle = HandlerVcpu::new(vcpu);
        handler(&mut handle, event)
    };
    match catch_unwind(AssertUnwindSafe(run)) {
        // The action values are 0..=3.
        Ok(Ok(action)) => action.raw() as c_int,
        Ok(Err(e)) => -e.errno().get(),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-string payload".into());
            // SAFETY: every Rust Vcpu sets its data to its VcpuState,
            // which lives as long as the handle; handle_exit, which called
            // us, reads it only after we return.
            if let Some(state) = unsafe { VcpuState::of(vcpu) } {
                state.record_panic(msg);
            }
            -Errno::ECANCELED.get()
        }
    }
}
