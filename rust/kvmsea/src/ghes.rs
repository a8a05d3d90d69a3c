//! The guest's error source: an ACPI GHESv2 structure in the VMM's HEST,
//! and the read-ack protocol that hands it [`cper`](crate::cper) records
//! (`<libkvmsea/cper.h>`: `kvmsea_ghes_build_hest(3)`, `kvmsea_ghes(3)`).
//!
//! ```
//! use kvmsea::cper::{MemError, MemErrorFlags};
//! use kvmsea::ghes::{self, ErrorSource, Layout, Notify, Status};
//!
//! // The source's memory: guest memory the VMM set aside (8-aligned).
//! #[repr(C, align(8))]
//! struct Mem([u8; 16 + 1024]);
//! let mut mem = Mem([0; 16 + 1024]);
//! const BASE: u64 = 0x47fd_0000; // its guest physical address
//!
//! let layout = Layout::new(0, Notify::Sea, BASE, 1024).unwrap();
//! let hest = ghes::hest(&[layout], None).unwrap(); // for the guest's ACPI tables
//! assert_eq!(&hest[..4], b"HEST");
//!
//! let mut source = ErrorSource::new(&layout, &mut mem.0, BASE, 4).unwrap();
//! let e = MemError {
//!     gpa: 0x5000_0128,
//!     page_size: 4096,
//!     flags: MemErrorFlags::CONSUMED,
//!     ..MemError::default()
//! };
//! assert_eq!(source.report(&e).unwrap(), Status::Posted); // now inject the SEA
//! assert_eq!(source.report(&e).unwrap(), Status::Queued); // not acknowledged yet
//! assert_eq!(source.poll(), Status::Busy);
//! ```

use crate::buffer::{build_into, build_vec};
use crate::cper::MemError;
use crate::error::{check, Errno, Error, Result};
use kvmsea_sys as sys;
use std::cell::Cell;
use std::ffi::{c_char, c_int};
use std::marker::PhantomData;
use std::ptr::NonNull;

/// A GHESv2 structure's size in the HEST, in bytes.
pub const SOURCE_SIZE: usize = sys::KVMSEA_GHES_SOURCE_SIZE as usize;
/// The size of a source's two 8-byte registers, before its block.
pub const REGS_SIZE: usize = sys::KVMSEA_GHES_REGS_SIZE as usize;

/// How the guest learns that a record is there (ACPI Hardware Error
/// Notification types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Notify {
    /// The guest polls every `poll_interval_ms`.
    Polled,
    /// An interrupt, the GSI in `vector`.
    External,
    /// An SCI.
    Sci,
    /// An ACPI event (GED, HED device).
    Gpio,
    /// A synchronous external abort: the VMM injects one
    /// ([`Vcpu::inject`](crate::Vcpu::inject)).
    Sea,
    /// An SError.
    Sei,
    /// An interrupt, the GSIV in `vector`.
    Gsiv,
    /// An SDEI event, its number in `vector`.
    Sdei,
    /// Another type (which the library refuses).
    Other(u8),
}

impl Notify {
    fn raw(self) -> u8 {
        let v = match self {
            Notify::Polled => sys::KVMSEA_GHES_POLLED,
            Notify::External => sys::KVMSEA_GHES_EXTERNAL,
            Notify::Sci => sys::KVMSEA_GHES_SCI,
            Notify::Gpio => sys::KVMSEA_GHES_GPIO,
            Notify::Sea => sys::KVMSEA_GHES_SEA,
            Notify::Sei => sys::KVMSEA_GHES_SEI,
            Notify::Gsiv => sys::KVMSEA_GHES_GSIV,
            Notify::Sdei => sys::KVMSEA_GHES_SDEI,
            Notify::Other(v) => return v,
        };
        v as u8 // the types are 0..=11
    }

    fn from_raw(v: u8) -> Notify {
        match sys::kvmsea_ghes_notify::from(v) {
            sys::KVMSEA_GHES_POLLED => Notify::Polled,
            sys::KVMSEA_GHES_EXTERNAL => Notify::External,
            sys::KVMSEA_GHES_SCI => Notify::Sci,
            sys::KVMSEA_GHES_GPIO => Notify::Gpio,
            sys::KVMSEA_GHES_SEA => Notify::Sea,
            sys::KVMSEA_GHES_SEI => Notify::Sei,
            sys::KVMSEA_GHES_GSIV => Notify::Gsiv,
            sys::KVMSEA_GHES_SDEI => Notify::Sdei,
            _ => Notify::Other(v),
        }
    }
}

/// One error source and where its memory is, in guest physical addresses
/// the VMM chose (`struct kvmsea_ghes_layout`). That memory must not be
/// guest RAM the guest may allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Unique among the HEST's sources.
    pub source_id: u16,
    /// How the guest is told.
    pub notify: Notify,
    /// [`Notify::Polled`]: the interval, > 0; otherwise 0.
    pub poll_interval_ms: u32,
    /// [`Notify::External`], [`Notify::Gsiv`]: the interrupt;
    /// [`Notify::Sdei`]: the event; otherwise 0.
    pub vector: u32,
    /// The block's size: 172 (one memory record) to 65536.
    pub block_length: u32,
    /// The 8-byte Error Status Address register (it holds
    /// `block_address`).
    pub status_address: u64,
    /// The 8-byte Read Ack register.
    pub read_ack_address: u64,
    /// The error status block.
    pub block_address: u64,
}

impl Layout {
    /// A source whose memory is one region at `base` (8-aligned): the
    /// status register, the read-ack register, then the block of
    /// `block_length` bytes ([`REGS_SIZE`] + `block_length` in all). A
    /// polled source gets 1000 ms. EINVAL as
    /// [`build_source`](Self::build_source) says.
    pub fn new(source_id: u16, notify: Notify, base: u64, block_length: u32) -> Result<Layout> {
        let mut l = sys::kvmsea_ghes_layout::default();
        // SAFETY: a writable struct.
        check(unsafe {
            sys::kvmsea_ghes_layout_init(&mut l, source_id, notify.raw().into(), base, block_length)
        })?;
        Ok(Layout::from_sys(&l))
    }

    fn from_sys(l: &sys::kvmsea_ghes_layout) -> Layout {
        Layout {
            source_id: l.source_id,
            notify: Notify::from_raw(l.notify),
            poll_interval_ms: l.poll_interval_ms,
            vector: l.vector,
            block_length: l.block_length,
            status_address: l.status_address,
            read_ack_address: l.read_ack_address,
            block_address: l.block_address,
        }
    }

    /// The C struct, reserved fields zero.
    pub fn to_sys(&self) -> sys::kvmsea_ghes_layout {
        sys::kvmsea_ghes_layout {
            source_id: self.source_id,
            notify: self.notify.raw(),
            reserved0: 0,
            poll_interval_ms: self.poll_interval_ms,
            vector: self.vector,
            block_length: self.block_length,
            status_address: self.status_address,
            read_ack_address: self.read_ack_address,
            block_address: self.block_address,
            reserved: [0; 4],
        }
    }

    /// Writes the GHESv2 structure ([`SOURCE_SIZE`] bytes) for the HEST
    /// at the start of `buf`. [`Error::TooSmall`] when `buf` is shorter;
    /// EINVAL for an unknown notification type, a polled source without
    /// an interval or another with one, a vector where the type has none,
    /// a block length out of range, addresses that are 0, not 8-aligned,
    /// at or above 2^52 or overlapping.
    pub fn build_source(&self, buf: &mut [u8]) -> Result<usize> {
        let l = self.to_sys();
        build_into(buf, |ptr, len| {
            // SAFETY: `ptr` is NULL with `len` 0, or `len` writable bytes.
            unsafe { sys::kvmsea_ghes_build_source(&l, ptr, len) }
        })
    }
}

/// The ACPI table header's identification fields (space-padded, not
/// NUL-terminated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcpiIds {
    /// OEM ID.
    pub oem_id: [u8; 6],
    /// OEM Table ID.
    pub oem_table_id: [u8; 8],
    /// OEM Revision.
    pub oem_revision: u32,
    /// Creator ID.
    pub creator_id: [u8; 4],
    /// Creator Revision.
    pub creator_revision: u32,
}

impl AcpiIds {
    fn to_sys(self) -> sys::kvmsea_acpi_ids {
        fn chars<const N: usize>(b: [u8; N]) -> [c_char; N] {
            b.map(|c| c as c_char)
        }
        sys::kvmsea_acpi_ids {
            oem_id: chars(self.oem_id),
            oem_table_id: chars(self.oem_table_id),
            oem_revision: self.oem_revision,
            creator_id: chars(self.creator_id),
            creator_revision: self.creator_revision,
        }
    }
}

/// Writes a whole HEST at the start of `buf`: the ACPI header (signature
/// "HEST", revision 1, the checksum; `ids`, or libkvmsea's own for `None`)
/// and a GHESv2 structure per source. [`Error::TooSmall`] when `buf` is
/// shorter; EINVAL for a bad source, none, or two with one id.
pub fn build_hest(sources: &[Layout], ids: Option<&AcpiIds>, buf: &mut [u8]) -> Result<usize> {
    let (raw, ids) = hest_args(sources, ids);
    build_into(buf, |ptr, len| hest_call(&raw, ids.as_ref(), ptr, len))
}

/// [`build_hest`] into a vector of the table's length.
pub fn hest(sources: &[Layout], ids: Option<&AcpiIds>) -> Result<Vec<u8>> {
    let (raw, ids) = hest_args(sources, ids);
    build_vec(|ptr, len| hest_call(&raw, ids.as_ref(), ptr, len))
}

fn hest_args(
    sources: &[Layout],
    ids: Option<&AcpiIds>,
) -> (Vec<sys::kvmsea_ghes_layout>, Option<sys::kvmsea_acpi_ids>) {
    let raw = sources.iter().map(Layout::to_sys).collect();
    (raw, ids.map(|i| i.to_sys()))
}

fn hest_call(
    raw: &[sys::kvmsea_ghes_layout],
    ids: Option<&sys::kvmsea_acpi_ids>,
    ptr: *mut std::ffi::c_void,
    len: usize,
) -> c_int {
    let ids = ids.map_or(std::ptr::null(), |i| i as *const _);
    // An empty slice's pointer is dangling: the C side gets NULL, 0.
    let sources = if raw.is_empty() {
        std::ptr::null()
    } else {
        raw.as_ptr()
    };
    // SAFETY: `raw.len()` sources, `ids` NULL or valid, and `ptr` NULL
    // with `len` 0 or `len` writable bytes.
    unsafe { sys::kvmsea_ghes_build_hest(sources, raw.len(), ids, ptr, len) }
}

/// What [`ErrorSource::report`] and [`ErrorSource::poll`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Nothing waits.
    Idle,
    /// A record was written: notify the guest now (for [`Notify::Sea`],
    /// inject the abort).
    Posted,
    /// The guest has not acknowledged the last record: the error waits;
    /// poll later.
    Queued,
    /// Still waiting for the guest's acknowledgement.
    Busy,
}

impl Status {
    fn from_ret(ret: c_int) -> Result<Status> {
        match check(ret)? {
            sys::KVMSEA_GHES_IDLE => Ok(Status::Idle),
            sys::KVMSEA_GHES_POSTED => Ok(Status::Posted),
            sys::KVMSEA_GHES_QUEUED => Ok(Status::Queued),
            sys::KVMSEA_GHES_BUSY => Ok(Status::Busy),
            _ => Err(Errno::EINVAL.into()),
        }
    }
}

/// An error source's counters, as of the last call on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// [`ErrorSource::report`] calls that were accepted.
    pub reported: u64,
    /// Records written.
    pub posted: u64,
    /// Records the guest acknowledged.
    pub acked: u64,
    /// Errors refused in a storm (ENOSPC), or dropped by a reset.
    pub dropped: u64,
    /// Errors (or parts) not written yet.
    pub waiting: u32,
    /// A written record is not acknowledged.
    pub unacked: bool,
}

/// One GHESv2 source's read-ack protocol (`struct kvmsea_ghes`): the VMM
/// writes a record into the block; the guest reads it, clears Block
/// Status and acknowledges through Read Ack; only then is the next one
/// written. It owns its handle and borrows the source's memory (the VMM's
/// mapping of the guest memory at `Layout::status_address`) for `'m`.
///
/// Nothing the guest writes there can make the library read or write
/// outside that memory; a guest that never acknowledges only fills the
/// queue. It may move to another thread (`Send`), but calls on one source
/// must not run at once (not `Sync`): one source per vCPU, or a lock.
///
/// ```compile_fail,E0277
/// fn sync<T: Sync>() {}
/// sync::<kvmsea::ghes::ErrorSource<'static>>();
/// ```
pub struct ErrorSource<'m> {
    raw: NonNull<sys::kvmsea_ghes>,
    mem: NonNull<u8>,
    len: usize,
    _mem: PhantomData<&'m mut [u8]>,
    _not_sync: PhantomData<Cell<()>>,
}

// SAFETY: the C handle has no thread affinity, and the memory it writes is
// borrowed mutably for 'm; !Sync keeps its calls on one thread at a time.
unsafe impl Send for ErrorSource<'_> {}

impl<'m> ErrorSource<'m> {
    /// Takes charge of the source `layout` whose memory is `mem` (8-aligned),
    /// the guest memory from guest physical address `mem_gpa`, which must
    /// hold both registers and the block. Writes the initial state there:
    /// the status register holds the block's address, Read Ack says
    /// acknowledged, the block is zero. Besides the record the guest has
    /// not acknowledged yet, `queue` + 1 errors can wait (one of them
    /// perhaps half written out, in parts). Allocates here (the handle, its
    /// queue and a block-sized buffer), never later. EINVAL for a
    /// bad layout, memory that does not hold it or is not 8-aligned, a
    /// `queue` of `u32::MAX`.
    pub fn new(
        layout: &Layout,
        mem: &'m mut [u8],
        mem_gpa: u64,
        queue: u32,
    ) -> Result<ErrorSource<'m>> {
        let l = layout.to_sys();
        let len = mem.len();
        let ptr = NonNull::from(mem).cast::<u8>();
        let mut raw = std::ptr::null_mut();
        // SAFETY: `ptr` is `len` writable bytes, borrowed for 'm, as long
        // as the handle; `raw` is writable.
        check(unsafe {
            sys::kvmsea_ghes_new(&l, ptr.as_ptr().cast(), mem_gpa, len, queue, &mut raw)
        })?;
        let raw = NonNull::new(raw).ok_or(Error::Os(Errno::ENOMEM))?;
        Ok(ErrorSource {
            raw,
            mem: ptr,
            len,
            _mem: PhantomData,
            _not_sync: PhantomData,
        })
    }

    /// Reports `e`: writes its record now when the guest has acknowledged
    /// the last one ([`Status::Posted`]: notify the guest), else queues it
    /// ([`Status::Queued`]). A record too large for the block goes out in
    /// parts, the faulting page first. Never overwrites a record the guest
    /// has not acknowledged. ENOSPC in an error storm (the queue is full:
    /// `e` is dropped and counted), EMSGSIZE when the block cannot hold
    /// even one section of `e`, EINVAL for an `e` that
    /// [`MemError::build`] refuses.
    pub fn report(&mut self, e: &MemError) -> Result<Status> {
        let e = e.to_sys();
        // SAFETY: a live handle, used by one thread (&mut self); its
        // memory is borrowed for as long.
        Status::from_ret(unsafe { sys::kvmsea_ghes_report(self.raw.as_ptr(), &e) })
    }

    /// Reads the guest's acknowledgement and, when the block is free and
    /// something waits, writes the next record: [`Status::Posted`]
    /// (notify the guest), [`Status::Busy`] or [`Status::Idle`]. Cheap:
    /// call it from the run loop or a timer.
    pub fn poll(&mut self) -> Status {
        // SAFETY: as in report(); only a NULL handle fails.
        Status::from_ret(unsafe { sys::kvmsea_ghes_poll(self.raw.as_ptr()) })
            .unwrap_or(Status::Idle)
    }

    /// VM reset: the initial state again; the waiting errors are dropped
    /// and counted.
    pub fn reset(&mut self) {
        // SAFETY: as in report().
        unsafe { sys::kvmsea_ghes_reset(self.raw.as_ptr()) }
    }

    /// The counters, as of the last call.
    pub fn stats(&self) -> Stats {
        let mut s = sys::kvmsea_ghes_stats::default();
        // SAFETY: a live handle and a writable struct; no other call on
        // the handle runs now (not Sync).
        unsafe { sys::kvmsea_ghes_get_stats(self.raw.as_ptr(), &mut s) };
        Stats {
            reported: s.reported,
            posted: s.posted,
            acked: s.acked,
            dropped: s.dropped,
            waiting: s.waiting,
            unacked: s.unacked != 0,
        }
    }

    /// The source's memory, as the guest sees it between calls.
    pub fn memory(&self) -> &[u8] {
        // SAFETY: the memory borrowed for 'm; the library writes it only
        // during calls that need &mut self.
        unsafe { std::slice::from_raw_parts(self.mem.as_ptr(), self.len) }
    }

    /// The source's memory, to write what the guest would (a test playing
    /// the guest, or a VMM that emulates the registers).
    pub fn memory_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in memory(), and &mut self: no other reference.
        unsafe { std::slice::from_raw_parts_mut(self.mem.as_ptr(), self.len) }
    }
}

impl Drop for ErrorSource<'_> {
    fn drop(&mut self) {
        // SAFETY: a live handle, freed once; the memory is left as it is.
        unsafe { sys::kvmsea_ghes_free(self.raw.as_ptr()) }
    }
}
