//! Guest memory errors in arm64 Rust VMMs: a safe API over the C library
//! libkvmsea (through [`kvmsea_sys`]).
//!
//! When a guest touches memory with an uncorrectable error, Linux KVM stops
//! the vCPU with `KVM_EXIT_ARM_SEA` (exit 41, once the VMM enabled
//! `KVM_CAP_ARM_SEA_TO_USER`), or the kernel sends the VMM a SIGBUS.
//! libkvmsea turns either into one [`Event`], asks the VMM's handler what
//! to do, and delivers the abort to the guest with whichever strategy the
//! host and the vCPU support.
//!
//! - [`esr`]: the exception syndrome decoded into Rust values.
//! - [`probe`] and [`Caps`]: what KVM supports.
//! - [`Context`]: one per VM, with the handler; [`Vcpu`]: one per vCPU,
//!   whose [`handle_exit`](Vcpu::handle_exit) goes after every `KVM_RUN`.
//! - [`kvm`] (feature `kvm-ioctls`): the same from rust-vmm's `kvm-ioctls`.
//! - The SIGBUS path: the guest memory map ([`Context::set_memslot`]), the
//!   async-signal-safe entry point [`sigbus`] for the VMM's own signal
//!   handler, [`Vcpu::kvm_run`] and [`Context::sigbus_register`] to say
//!   whose a signal is, [`Context::next_error`]; the poison registry,
//!   the storm limit and the counters ([`Stats`]).
//! - [`cper`] and [`ghes`]: error records for the guest, as firmware hands
//!   them to an operating system, and the GHESv2 source that carries them.
//!
//! ```no_run
//! use kvmsea::{Action, Context, Strategy};
//! # fn f(vm_fd: std::os::fd::BorrowedFd<'_>) -> kvmsea::Result<()> {
//! let mut ctx = Context::new(vm_fd)?;
//! ctx.enable()?; // KVM_EXIT_ARM_SEA instead of an SError
//! ctx.set_handler(|vcpu, event| {
//!     eprintln!("vCPU {}: {event}", vcpu.id());
//!     let done = vcpu.inject(event, Strategy::Auto)?;
//!     eprintln!("injected with {}, lost {}", done.strategy, done.lost);
//!     Ok(Action::Handled)
//! });
//! # Ok(()) }
//! ```
//!
//! Errors are [`Error`]s carrying the errno; the library never closes the
//! caller's file descriptors, and the handler's panics stop at the FFI
//! boundary. The C library's manual pages (`libkvmsea(7)`) are the
//! contracts.
#![deny(missing_docs)]

mod bits;
mod buffer;
mod context;
pub mod cper;
mod error;
pub mod esr;
mod event;
pub mod ghes;
#[cfg(feature = "kvm-ioctls")]
pub mod kvm;
mod memory;
mod sigbus;
mod text;
mod vcpu;

pub use context::{probe, Caps, Context};
pub use error::{Errno, Error, Result};
pub use event::{
    Action, Event, ExitFields, Guest, Injected, Lost, MemoryFaultFields, Page, SigbusFields,
    Source, Strategy, VcpuFlags,
};
pub use memory::{Memslot, MemslotFlags, Poison, Stats};
pub use sigbus::{sigbus, SigbusInfo, SigbusResult};
pub use vcpu::{HandlerVcpu, Outcome, RunError, Vcpu};

/// The raw bindings this crate is built on.
pub use kvmsea_sys as sys;
