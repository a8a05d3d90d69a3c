//! UEFI CPER error records, the way firmware tells an operating system
//! which memory is bad (`<libkvmsea/cper.h>`: `kvmsea_cper_build(3)`,
//! `kvmsea_cper_check(3)`). A VMM puts them in a GHESv2 error source
//! ([`crate::ghes`]); a Linux guest's GHES driver reads them and retires
//! the pages.
//!
//! Pure functions: no allocation in the C library, no system call. The
//! builders write into the caller's slice, all or nothing; multi-byte
//! fields are little endian whatever the host's byte order.
//!
//! ```
//! use kvmsea::cper::{self, MemError, MemErrorFlags};
//!
//! // A 64 KiB host page under a 4 KiB guest: 16 guest pages to retire.
//! let e = MemError {
//!     gpa: 0x4003_7128,
//!     page_size: 0x1_0000,
//!     flags: MemErrorFlags::CONSUMED,
//!     ..MemError::default()
//! };
//! assert_eq!(e.sections().unwrap(), 16);
//! let mut buf = [0u8; 1024];
//! let len = e.build(0, 6, &mut buf).unwrap(); // the first 6 (QEMU's 1 KiB block)
//! assert_eq!(len, cper::STATUS_SIZE + 6 * (cper::ENTRY_SIZE + cper::MEMORY_SIZE));
//! assert!(cper::check(&buf[..len], 1024).is_ok());
//! assert!(cper::format(&buf[..len]).contains("physical address: 0x0000000040037128"));
//! ```

use crate::bits::bit_set;
use crate::buffer::{build_into, build_vec};
use crate::error::{check as check_ret, Errno, Result};
use crate::event::Event;
use crate::text::formatted;
use kvmsea_sys as sys;

/// The Generic Error Status Block header's size, in bytes.
pub const STATUS_SIZE: usize = sys::KVMSEA_CPER_STATUS_SIZE as usize;
/// A Generic Error Data Entry's size (revision 3).
pub const ENTRY_SIZE: usize = sys::KVMSEA_CPER_ENTRY_SIZE as usize;
/// A Memory Error Section's size.
pub const MEMORY_SIZE: usize = sys::KVMSEA_CPER_MEMORY_SIZE as usize;
/// The ARM Processor Error Section's size, as built here.
pub const ARM_SIZE: usize = sys::KVMSEA_CPER_ARM_SIZE as usize;

/// An error's severity (CPER, and ACPI's Generic Error Severity).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Severity {
    /// Uncorrected, contained: Linux retires the page.
    #[default]
    Recoverable,
    /// Linux panics.
    Fatal,
    /// Linux logs it.
    Corrected,
    /// Linux logs it.
    Informational,
}

impl Severity {
    fn raw(self) -> u32 {
        match self {
            Severity::Recoverable => sys::KVMSEA_CPER_RECOVERABLE,
            Severity::Fatal => sys::KVMSEA_CPER_FATAL,
            Severity::Corrected => sys::KVMSEA_CPER_CORRECTED,
            Severity::Informational => sys::KVMSEA_CPER_INFORMATIONAL,
        }
    }

    fn from_raw(v: u32) -> Option<Severity> {
        match v {
            sys::KVMSEA_CPER_RECOVERABLE => Some(Severity::Recoverable),
            sys::KVMSEA_CPER_FATAL => Some(Severity::Fatal),
            sys::KVMSEA_CPER_CORRECTED => Some(Severity::Corrected),
            sys::KVMSEA_CPER_INFORMATIONAL => Some(Severity::Informational),
            _ => None,
        }
    }
}

bit_set! {
    /// What a [`MemError`] says besides its address (`KVMSEA_MEM_*`).
    MemErrorFlags {
        /// A vCPU consumed the data (an SEA, `BUS_MCEERR_AR`); without it
        /// the error is latent (`BUS_MCEERR_AO`).
        CONSUMED = sys::KVMSEA_MEM_CONSUMED => "consumed",
        /// Also an ARM processor error section, built from `esr` (needs
        /// CONSUMED and an `esr` that is a data or instruction abort).
        ARM = sys::KVMSEA_MEM_ARM => "arm",
        /// `va` holds the faulting virtual address (with ARM).
        VA_VALID = sys::KVMSEA_MEM_VA_VALID => "va-valid",
        /// `mpidr` is known (with ARM).
        MPIDR_VALID = sys::KVMSEA_MEM_MPIDR_VALID => "mpidr-valid",
    }
}

/// One memory error, as a VMM knows it (`struct kvmsea_mem_error`).
/// `MemError::default()` is all zero: set what you know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemError {
    /// A guest physical address in the bad memory (the faulting byte when
    /// known), below 2^52.
    pub gpa: u64,
    /// The granule the host poisoned around `gpa`: a power of two, 4 KiB
    /// to 16 GiB.
    pub page_size: u64,
    /// The guest's page size: 0 (4 KiB), 4, 16 or 64 KiB; the records name
    /// every guest page of the granule.
    pub guest_page_size: u64,
    /// The severity.
    pub severity: Severity,
    /// What else it says.
    pub flags: MemErrorFlags,
    /// When it was seen, in seconds since 1970 UTC; 0 for no timestamp.
    pub time: u64,
    /// ESR_EL2 of the abort (with [`MemErrorFlags::ARM`]).
    pub esr: u64,
    /// The faulting virtual address (with [`MemErrorFlags::VA_VALID`]).
    pub va: u64,
    /// The vCPU's MIDR_EL1 (with ARM).
    pub midr: u64,
    /// The vCPU's MPIDR_EL1 (with [`MemErrorFlags::MPIDR_VALID`]).
    pub mpidr: u64,
}

impl MemError {
    /// The error of an event (`kvmsea_mem_error_from_event`): `gpa` (the
    /// faulting byte, else the bad page), `page_size` (the event's, 4 KiB
    /// when unknown: a KVM exit names a 4 KiB page, so set the real size
    /// of larger host pages), CONSUMED unless it is a `BUS_MCEERR_AO`, the
    /// time, and for a `KVM_EXIT_ARM_SEA` the ARM section with KVM's ESR
    /// and the virtual address when known. `midr`, `mpidr` and
    /// `guest_page_size` are left for the caller. ENODATA when the event
    /// knows no guest physical address.
    pub fn from_event(event: &Event) -> Result<MemError> {
        let mut e = sys::kvmsea_mem_error::default();
        // SAFETY: a writable struct and a valid event.
        check_ret(unsafe { sys::kvmsea_mem_error_from_event(&mut e, event.as_raw()) })?;
        Ok(MemError {
            gpa: e.gpa,
            page_size: e.page_size,
            guest_page_size: e.guest_page_size,
            severity: Severity::from_raw(e.severity).ok_or(Errno::EINVAL)?,
            flags: MemErrorFlags::from_bits(e.flags),
            time: e.time,
            esr: e.esr,
            va: e.va,
            midr: e.midr,
            mpidr: e.mpidr,
        })
    }

    /// The C struct, reserved fields zero.
    pub fn to_sys(&self) -> sys::kvmsea_mem_error {
        sys::kvmsea_mem_error {
            gpa: self.gpa,
            page_size: self.page_size,
            guest_page_size: self.guest_page_size,
            severity: self.severity.raw(),
            flags: self.flags.bits(),
            time: self.time,
            esr: self.esr,
            va: self.va,
            midr: self.midr,
            mpidr: self.mpidr,
            reserved: [0; 4],
        }
    }

    /// The number of memory error sections the error needs: one per guest
    /// page of the poisoned granule (Linux retires only the page each
    /// section names). Section 0 holds `gpa`; the others follow, lowest
    /// first. EINVAL when the error is not valid (see
    /// [`build`](Self::build)).
    pub fn sections(&self) -> Result<u32> {
        let e = self.to_sys();
        // SAFETY: a valid struct; the function is pure.
        check_ret(unsafe { sys::kvmsea_cper_sections(&e) }).map(|n| n as u32)
    }

    /// Writes the Generic Error Status Block with memory sections `first`
    /// .. `first + count` (and, with [`MemErrorFlags::ARM`] and `first` 0,
    /// the ARM section after them) at the start of `buf`; returns its
    /// length: [`STATUS_SIZE`] + `count` × ([`ENTRY_SIZE`] +
    /// [`MEMORY_SIZE`]), plus [`ENTRY_SIZE`] + [`ARM_SIZE`] for the ARM
    /// section. [`Error::TooSmall`](crate::Error::TooSmall) when `buf` is
    /// shorter (nothing written); EINVAL for an invalid error (gpa at or
    /// above 2^52, a page size out of range, ARM without CONSUMED or
    /// without an abort's ESR, VA_VALID or MPIDR_VALID without ARM, a time
    /// after 9999, `count` 0, sections beyond [`sections`](Self::sections));
    /// E2BIG for more than 1023 entries.
    pub fn build(&self, first: u32, count: u32, buf: &mut [u8]) -> Result<usize> {
        let e = self.to_sys();
        build_into(buf, |ptr, len| {
            // SAFETY: `ptr` is NULL with `len` 0, or `len` writable bytes.
            unsafe { sys::kvmsea_cper_build(&e, first, count, ptr, len) }
        })
    }

    /// [`build`](Self::build) into a vector of the record's length.
    pub fn record(&self, first: u32, count: u32) -> Result<Vec<u8>> {
        let e = self.to_sys();
        build_vec(|ptr, len| {
            // SAFETY: as in build().
            unsafe { sys::kvmsea_cper_build(&e, first, count, ptr, len) }
        })
    }
}

/// Checks a Generic Error Status Block the way Linux's GHES driver reads
/// one (`kvmsea_cper_check`): `Ok` when a guest would accept it; ENODATA
/// when Block Status is 0 (no record); EMSGSIZE when it is longer than
/// `max_len` (the source's block length) or than `block`; EINVAL when it
/// is malformed. Reads nothing outside `block`: for records from anywhere,
/// a guest's memory included.
pub fn check(block: &[u8], max_len: usize) -> Result<()> {
    // SAFETY: `block` is readable for its length.
    check_ret(unsafe { sys::kvmsea_cper_check(block.as_ptr().cast(), block.len(), max_len) })
        .map(drop)
}

/// A block decoded as text, one field a line, with the names Linux's log
/// uses (`kvmsea_cper_format`); malformed input is decoded as far as it is
/// well formed, and a line says where it stops.
pub fn format(block: &[u8]) -> String {
    formatted(|buf, size| {
        // SAFETY: `block` is readable for its length; `buf` has room for
        // `size` bytes.
        unsafe { sys::kvmsea_cper_format(block.as_ptr().cast(), block.len(), buf, size) }
    })
}
