//! The snprintf contract of the C builders (`<libkvmsea/cper.h>`), on
//! Rust slices and vectors: a builder returns the length its whole result
//! needs and writes it only when the buffer holds it all.

use crate::error::{check, Error, Result};
use std::ffi::{c_int, c_void};

/// Runs `build(buf, len)` on `buf`: the length written, or
/// [`Error::TooSmall`] (nothing written) when `buf` is shorter.
pub(crate) fn build_into(
    buf: &mut [u8],
    build: impl FnOnce(*mut c_void, usize) -> c_int,
) -> Result<usize> {
    // An empty slice's pointer is dangling: the C side gets NULL, 0.
    let ptr = if buf.is_empty() {
        std::ptr::null_mut()
    } else {
        buf.as_mut_ptr().cast()
    };
    let needed = check(build(ptr, buf.len()))? as usize;
    if needed > buf.len() {
        return Err(Error::TooSmall { needed });
    }
    Ok(needed)
}

/// The whole result of `build` (a pure function) in a vector of its size.
pub(crate) fn build_vec(build: impl Fn(*mut c_void, usize) -> c_int) -> Result<Vec<u8>> {
    let needed = check(build(std::ptr::null_mut(), 0))? as usize;
    let mut buf = vec![0u8; needed];
    let len = build_into(&mut buf, build)?;
    buf.truncate(len);
    Ok(buf)
}
