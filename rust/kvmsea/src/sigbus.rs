//! The SIGBUS path from Rust (`kvmsea_sigbus(3)`): [`sigbus`], the entry
//! point a VMM's own `SA_SIGINFO` handler calls, and the registrations that
//! tell it which context, and on a vCPU's thread which vCPU, a signal
//! belongs to. The library never installs a signal handler. The
//! documentation of [`sigbus`] says why this is sound.

use crate::context::Context;
use crate::error::{Errno, Result};
use kvmsea_sys as sys;
use std::ffi::{c_int, c_void};
use std::ptr::null_mut;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// The `siginfo_t` fields of a SIGBUS that [`sigbus`] takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigbusInfo {
    /// `si_code`: [`BUS_MCEERR_AR`](Self::BUS_MCEERR_AR) or
    /// [`BUS_MCEERR_AO`](Self::BUS_MCEERR_AO) for a memory error.
    pub code: i32,
    /// `si_addr`: the host address of the poisoned memory.
    pub addr: u64,
    /// `si_addr_lsb`: the poisoned host page's shift (12 for 4 KiB, 21 for
    /// 2 MiB; outside 12..=42 the library takes 12).
    pub addr_lsb: u32,
}

impl SigbusInfo {
    /// `BUS_MCEERR_AR`: poisoned memory was used (action required).
    pub const BUS_MCEERR_AR: i32 = sys::siginfo::BUS_MCEERR_AR;
    /// `BUS_MCEERR_AO`: memory was poisoned, not used yet (action optional).
    pub const BUS_MCEERR_AO: i32 = sys::siginfo::BUS_MCEERR_AO;

    /// The fields of the `siginfo_t` an `SA_SIGINFO` handler was given
    /// (Linux's layout: `si_code` at byte 8, `si_addr` at 16,
    /// `si_addr_lsb` at 24; checked against `<signal.h>` by kvmsea-sys's
    /// tests). Async-signal-safe: three loads.
    ///
    /// # Safety
    /// `si` points to a Linux `siginfo_t` (128 bytes), readable.
    pub unsafe fn from_siginfo(si: *const c_void) -> SigbusInfo {
        let p = si.cast::<u8>();
        // SAFETY: the caller's promise: all three fields are inside the
        // siginfo_t, at these offsets and of these types.
        unsafe {
            let code = p
                .add(sys::siginfo::CODE_OFFSET)
                .cast::<i32>()
                .read_unaligned();
            let addr = p
                .add(sys::siginfo::ADDR_OFFSET)
                .cast::<usize>()
                .read_unaligned();
            let lsb = p
                .add(sys::siginfo::ADDR_LSB_OFFSET)
                .cast::<i16>()
                .read_unaligned();
            SigbusInfo {
                code,
                addr: addr as u64,
                // As C's (unsigned int) of the short: the library takes
                // any value outside 12..=42 as 12.
                addr_lsb: i32::from(lsb) as u32,
            }
        }
    }
}

/// What [`sigbus`] did with a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SigbusResult {
    /// Not a memory error in guest memory (another `si_code`, an address
    /// outside every memslot, or no registration on this thread): the
    /// VMM's own, to chain to the previous disposition.
    NotMine,
    /// Recorded, to be delivered as an event: by the vCPU's next
    /// `handle_exit` (an AR during its `KVM_RUN`), or by
    /// [`Context::next_error`] (the rest).
    Recorded,
    /// A guest memory error, lost: the storage was full (counted in
    /// [`Stats::sigbus_dropped`](crate::Stats::sigbus_dropped)).
    Dropped,
}

/// A running vCPU's record: what a signal on its thread belongs to.
struct Target {
    ctx: *mut sys::kvmsea_ctx,
    vcpu: *mut sys::kvmsea_vcpu,
}

thread_local! {
    /// The vCPU whose KVM_RUN this thread is in, or null.
    static THREAD: AtomicPtr<Target> = const { AtomicPtr::new(null_mut()) };
}

/// The context for threads outside a vCPU's KVM_RUN, or null.
static PROCESS: AtomicPtr<sys::kvmsea_ctx> = AtomicPtr::new(null_mut());
/// Handlers between counting themselves in and out (see sigbus()).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// The entry point for a SIGBUS handler: records a memory error in guest
/// memory for the vCPU whose `KVM_RUN` this thread is in
/// ([`Vcpu::kvm_run`](crate::Vcpu::kvm_run), or kvm-ioctls'
/// `RunFd::run`), or else for the context of
/// [`Context::sigbus_register`]. Async-signal-safe: no allocation, no
/// lock, no panic; errno is left as it was.
///
/// ```no_run
/// use kvmsea::{SigbusInfo, SigbusResult};
///
/// extern "C" fn on_sigbus(_sig: i32, si: *mut libc::siginfo_t, _uc: *mut libc::c_void) {
///     // SAFETY: the kernel's siginfo for this SA_SIGINFO handler.
///     let info = unsafe { SigbusInfo::from_siginfo(si.cast()) };
///     if kvmsea::sigbus(&info) == SigbusResult::NotMine {
///         // Not a guest memory error: the VMM's own (chain, or die).
///     }
/// }
/// # fn f(ctx: &kvmsea::Context<'_>, vcpu: &mut kvmsea::Vcpu<'_>,
/// #      run: impl Fn() -> std::io::Result<()>) -> kvmsea::Result<()> {
/// ctx.sigbus_register()?; // the process's context, until it is dropped
/// let ret = vcpu.kvm_run(|| run()); // meanwhile this thread's SIGBUS is the vCPU's
/// vcpu.handle_exit(&ret)?;
/// # Ok(()) }
/// ```
///
/// # Why it is sound
///
/// A signal handler may run at any instruction of any thread, so what it
/// reads must be valid whenever it can see it. `sigbus` reads two
/// registrations:
///
/// - **The thread's vCPU**, a thread-local pointer to a record (the vCPU's
///   C handle and its context's) on the stack of
///   [`Vcpu::kvm_run`](crate::Vcpu::kvm_run) or kvm-ioctls' `RunFd::run`,
///   set for the `KVM_RUN` and no longer (`kvmsea_sigbus(3)`: the library
///   tells the VMM's own access on a vCPU thread from the guest's by how
///   the next `KVM_RUN` returns, so only an AR taken during one is the
///   vCPU's). `kvm_run` borrows the [`Vcpu`](crate::Vcpu) mutably for the
///   call, and `RunFd` exists only while its `KvmVcpu` is borrowed by
///   `split()`, which lends no `&mut Vcpu` that `mem::swap` could take
///   away: the handle, and the context it borrows, live until the pointer
///   is restored. It is restored when the run returns or unwinds (a drop
///   guard inside the library, which no caller can forget). A handler
///   reads only its own thread's pointer, and runs to its end before the
///   thread it interrupted goes on, so it never sees a record whose call
///   has ended. The pointer is one atomic word, written with release and
///   read with acquire ordering: a handler sees it set or not, never
///   half-way. A call, not a guard value the VMM keeps: a guard could be
///   `mem::forget`-ten, and a `Vcpu` is `Send`, so its drop may run on a
///   thread that cannot clear this one's pointer.
/// - **The process's context**, a global pointer set by
///   [`Context::sigbus_register`] and cleared by
///   [`Context::sigbus_unregister`] or the context's drop, for a thread
///   outside `KVM_RUN`. A handler counts itself in (a global atomic count)
///   before it loads the pointer and out after its call; clearing stores
///   null and then waits until the count is 0. Both sides use sequentially
///   consistent operations, so a handler that saw the old pointer was
///   counted before the store and is waited for: the C context is freed
///   only when no handler can use it. A context that is `mem::forget`-ten
///   is never freed, so its pointer stays valid; the signal path uses
///   neither the VM's file descriptor nor the handler closure, which the
///   forgotten context no longer keeps alive.
///
/// `sigbus` itself allocates nothing, takes no lock and cannot panic:
/// two atomic loads, a thread-local read, and `kvmsea_sigbus()`, which is
/// async-signal-safe. The thread-local is a `const`-initialised atomic
/// without drop glue, which std keeps in the platform's TLS directly, with
/// no lazy initialisation or destructor registration
/// (`library/std/src/sys/thread_local/native/mod.rs`); in an executable
/// that is a load relative to the thread pointer. (A Rust library loaded
/// with `dlopen()` reaches its TLS through `__tls_get_addr`, which glibc
/// may have to allocate for on a thread's first access: load the crate
/// with the program, as cargo does.) The crate's `tests/signal_safe.rs`
/// checks this: no allocation for any outcome, and in the release build's
/// machine code no call of a panicking, allocating or locking function
/// anywhere below this one, the C library's part included.
///
/// What a caller must still do: give `kvm_run` the ioctl and nothing else,
/// and not leave the handler while `sigbus` runs (a `siglongjmp` out of a
/// second signal that interrupted it would leave it counted in for ever,
/// and the context's drop would wait for ever).
pub fn sigbus(info: &SigbusInfo) -> SigbusResult {
    // usize and u64 are the same width on every target the library has.
    let addr = info.addr as usize as *mut c_void;
    let target = THREAD
        .try_with(|t| t.load(Ordering::Acquire))
        .unwrap_or(null_mut());
    let ret = if target.is_null() {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        let ctx = PROCESS.load(Ordering::SeqCst);
        let ret = if ctx.is_null() {
            sys::KVMSEA_SIGBUS_NOT_MINE as c_int
        } else {
            // SAFETY: counted in before the load: the context is not freed
            // before we count out (Context::sigbus_unregister waits).
            unsafe { sys::kvmsea_sigbus(ctx, null_mut(), info.code, addr, info.addr_lsb) }
        };
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
        ret
    } else {
        // SAFETY: this thread's on_this_thread() set the pointer and
        // restores it before its record, its vCPU or its context can go,
        // and this handler ends before the thread it interrupted goes on.
        unsafe {
            let t = &*target;
            sys::kvmsea_sigbus(t.ctx, t.vcpu, info.code, addr, info.addr_lsb)
        }
    };
    match ret {
        r if r == sys::KVMSEA_SIGBUS_RECORDED as c_int => SigbusResult::Recorded,
        r if r == sys::KVMSEA_SIGBUS_DROPPED as c_int => SigbusResult::Dropped,
        // NOT_MINE, and -EINVAL, which these pairs of a context and its
        // own vCPU cannot get.
        _ => SigbusResult::NotMine,
    }
}

/// Runs `f` with this thread's SIGBUS belonging to `vcpu` of `ctx`.
///
/// # Safety
/// `vcpu` is a live handle of the live context `ctx`, and both stay so
/// until this returns.
pub(crate) unsafe fn on_this_thread<R>(
    ctx: *mut sys::kvmsea_ctx,
    vcpu: *mut sys::kvmsea_vcpu,
    f: impl FnOnce() -> R,
) -> R {
    /// Restores the previous record, when `f` returns or unwinds.
    struct Restore(*mut Target);
    impl Drop for Restore {
        fn drop(&mut self) {
            THREAD.with(|t| t.store(self.0, Ordering::Release));
        }
    }
    let target = Target { ctx, vcpu };
    let ptr = (&target as *const Target).cast_mut();
    // Declared after `target`, dropped before it: the pointer goes first.
    let _restore = Restore(THREAD.with(|t| t.swap(ptr, Ordering::AcqRel)));
    f()
}

impl Context<'_> {
    /// Makes this the context [`sigbus`] serves on threads outside a
    /// vCPU's `KVM_RUN` ([`Vcpu::kvm_run`](crate::Vcpu::kvm_run)): the
    /// VMM's device threads, an early-kill thread's `BUS_MCEERR_AO`, a vCPU
    /// thread's own access to guest memory. Their records wait for
    /// [`next_error`](Context::next_error). One context per process:
    /// EBUSY while another one is registered; again for this one is a
    /// no-op. It lasts until [`sigbus_unregister`](Self::sigbus_unregister)
    /// or the context's drop.
    pub fn sigbus_register(&self) -> Result<()> {
        match PROCESS.compare_exchange(
            null_mut(),
            self.as_raw(),
            Ordering::SeqCst,
            Ordering::SeqCst,
        ) {
            Ok(_) => Ok(()),
            Err(current) if current == self.as_raw() => Ok(()),
            Err(_) => Err(Errno::EBUSY.into()),
        }
    }

    /// Ends [`sigbus_register`](Self::sigbus_register) for this context, if
    /// it holds it, and waits for the handlers still using it (a few
    /// instructions each). Not from a signal handler.
    pub fn sigbus_unregister(&self) {
        let mine = PROCESS
            .compare_exchange(
                self.as_raw(),
                null_mut(),
                Ordering::SeqCst,
                Ordering::SeqCst,
            )
            .is_ok();
        if mine {
            while IN_FLIGHT.load(Ordering::SeqCst) != 0 {
                std::thread::yield_now();
            }
        }
    }
}
