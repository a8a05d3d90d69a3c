//! Errors: libkvmsea reports a negative errno; this crate carries it typed.

use kvmsea_sys::errno as e;
use std::fmt;

/// An errno value (positive), as libkvmsea and the kernel report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Errno(i32);

impl Errno {
    /// No such register (or file).
    pub const ENOENT: Errno = Errno(e::ENOENT);
    /// Interrupted (a `KVM_RUN` a signal cut short).
    pub const EINTR: Errno = Errno(e::EINTR);
    /// Input/output error.
    pub const EIO: Errno = Errno(e::EIO);
    /// Too many: a CPER record of more than 1023 entries.
    pub const E2BIG: Errno = Errno(e::E2BIG);
    /// Not an open file descriptor.
    pub const EBADF: Errno = Errno(e::EBADF);
    /// Out of memory.
    pub const ENOMEM: Errno = Errno(e::ENOMEM);
    /// Busy: e.g. emulation right after `KVM_EXIT_MMIO`.
    pub const EBUSY: Errno = Errno(e::EBUSY);
    /// Exists: a memslot overlapping another one.
    pub const EEXIST: Errno = Errno(e::EEXIST);
    /// An invalid argument.
    pub const EINVAL: Errno = Errno(e::EINVAL);
    /// Not a KVM file descriptor.
    pub const ENOTTY: Errno = Errno(e::ENOTTY);
    /// No room: a full queue, or too many memslots.
    pub const ENOSPC: Errno = Errno(e::ENOSPC);
    /// Out of range: a buffer too small for a result
    /// ([`Error::TooSmall`]).
    pub const ERANGE: Errno = Errno(e::ERANGE);
    /// No data: an event without a guest physical address, a CPER block
    /// without a record.
    pub const ENODATA: Errno = Errno(e::ENODATA);
    /// Too long: a CPER block longer than its source allows.
    pub const EMSGSIZE: Errno = Errno(e::EMSGSIZE);
    /// Not supported by this host, VM or vCPU.
    pub const EOPNOTSUPP: Errno = Errno(e::EOPNOTSUPP);
    /// Already done: this `KVM_RUN` return was injected once.
    pub const EALREADY: Errno = Errno(e::EALREADY);
    /// Cancelled: what `handle_exit` reports when the handler panicked.
    pub const ECANCELED: Errno = Errno(e::ECANCELED);
    /// Memory poisoned: `KVM_RUN`'s error for a poisoned guest_memfd page.
    pub const EHWPOISON: Errno = Errno(e::EHWPOISON);

    /// An errno from its value; `None` unless it is in 1..=4095.
    pub fn new(value: i32) -> Option<Errno> {
        (1..=4095).contains(&value).then_some(Errno(value))
    }

    /// The value, positive.
    pub fn get(self) -> i32 {
        self.0
    }

    /// The errno of a libkvmsea return value below zero (`-errno`); any
    /// other negative value is a bug on the C side, reported as EINVAL.
    pub(crate) fn from_ret(ret: i32) -> Errno {
        ret.checked_neg()
            .and_then(Errno::new)
            .unwrap_or(Errno::EINVAL)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", std::io::Error::from_raw_os_error(self.0))
    }
}

impl std::error::Error for Errno {}

impl From<Errno> for std::io::Error {
    fn from(e: Errno) -> Self {
        std::io::Error::from_raw_os_error(e.0)
    }
}

/// What a libkvmsea call, or the handler behind it, reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// libkvmsea (or the kernel, through it) failed with this errno.
    Os(Errno),
    /// The handler panicked while `handle_exit` ran it, with this message
    /// (the panic's payload when it was a string). The panic stopped at
    /// the FFI boundary; the event got no action from the library.
    HandlerPanic(String),
    /// A builder's result needs `needed` bytes, more than the buffer has;
    /// nothing was written.
    TooSmall {
        /// The result's length.
        needed: usize,
    },
}

impl Error {
    /// The errno: the one libkvmsea reported, ECANCELED for a panic,
    /// ERANGE for a buffer too small.
    pub fn errno(&self) -> Errno {
        match self {
            Error::Os(e) => *e,
            Error::HandlerPanic(_) => Errno::ECANCELED,
            Error::TooSmall { .. } => Errno::ERANGE,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Os(e) => write!(f, "libkvmsea: {e}"),
            Error::HandlerPanic(msg) => write!(f, "libkvmsea: the handler panicked: {msg}"),
            Error::TooSmall { needed } => {
                write!(f, "libkvmsea: the result needs a buffer of {needed} bytes")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Os(e) => Some(e),
            Error::HandlerPanic(_) | Error::TooSmall { .. } => None,
        }
    }
}

impl From<Errno> for Error {
    fn from(e: Errno) -> Self {
        Error::Os(e)
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Os(errno) => errno.into(),
            Error::HandlerPanic(_) | Error::TooSmall { .. } => std::io::Error::other(e),
        }
    }
}

/// This crate's `Result`.
pub type Result<T> = std::result::Result<T, Error>;

/// A libkvmsea return value: `Ok` with the value when it is not negative.
pub(crate) fn check(ret: i32) -> Result<i32> {
    if ret < 0 {
        Err(Error::Os(Errno::from_ret(ret)))
    } else {
        Ok(ret)
    }
}
