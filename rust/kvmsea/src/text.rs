//! The C library's strings: its static names, and its snprintf-style
//! formatters.

use std::ffi::{c_char, c_int, CStr};

/// A name the C library returns: a static, NUL-terminated ASCII string.
pub(crate) fn static_str(ptr: *const c_char) -> &'static str {
    if ptr.is_null() {
        return "";
    }
    // SAFETY: every libkvmsea function that returns a `const char *` name
    // returns a string literal (or a static table entry), valid for the
    // whole program and never written.
    let s = unsafe { CStr::from_ptr(ptr) };
    s.to_str().unwrap_or("")
}

/// The text of a formatter with snprintf semantics: `write(buf, size)`
/// writes at most `size` bytes and returns the length the whole text
/// needs, or a negative errno.
pub(crate) fn formatted(write: impl Fn(*mut c_char, usize) -> c_int) -> String {
    let mut buf = vec![0u8; 512];
    loop {
        let need = write(buf.as_mut_ptr().cast(), buf.len());
        let Ok(need) = usize::try_from(need) else {
            return String::new(); // a style the library refused: no text
        };
        if need < buf.len() {
            buf.truncate(need);
            return String::from_utf8_lossy(&buf).into_owned();
        }
        buf.resize(need + 1, 0);
    }
}
