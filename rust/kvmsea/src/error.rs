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
    /// Not an open file descriptor.
    pub const EBADF: Errno = Errno(e::EBADF);
    /// Out of memory.
    pub const ENOMEM: Errno = Errno(e::ENOMEM);
    /// Busy: e.g. emulation right after `KVM_EXIT_MMIO`.
    pub const EBUSY: Errno = Errno(e::EBUSY);
    /// An invalid argument.
    pub const EINVAL: Errno = Errno(e::EINVAL);
    /// Not a KVM file descriptor.
    pub const ENOTTY: Errno = Errno(e::ENOTTY);
    /// Not supported by this host, VM or vCPU.
    pub const EOPNOTSUPP: Errno = Errno(e::EOPNOTSUPP);
    /// Already done: this `KVM_RUN` return was injected once.
    pub const EALREADY: Errno = Errno(e::EALREADY);
    /// Cancelled: what `handle_exit` reports when the handler panicked.
    pub const ECANCELED: Errno = Errno(e::ECANCELED);

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
}

impl Error {
    /// The errno: the one libkvmsea reported, or ECANCELED for a panic.
    pub fn errno(&self) -> Errno {
        match self {
            Error::Os(e) => *e,
            Error::HandlerPanic(_) => Errno::ECANCELED,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Os(e) => write!(f, "libkvmsea: {e}"),
            Error::HandlerPanic(msg) => write!(f, "libkvmsea: the handler panicked: {msg}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Os(e) => Some(e),
            Error::HandlerPanic(_) => None,
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
            Error::HandlerPanic(_) => std::io::Error::other(e),
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
