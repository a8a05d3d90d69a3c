//! Compiling and running a small C program against libkvmsea's headers
//! (and, when asked, the library), with `$CC` (default `cc`) and the flags
//! kvmsea-sys's build script found. Shared by the tests of both crates
//! (each uses a part).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The folder of the public headers (`-I...` of the C flags).
pub fn header(name: &str) -> PathBuf {
    let cflags = env!("KVMSEA_SYS_CFLAGS");
    cflags
        .split_whitespace()
        .filter_map(|f| f.strip_prefix("-I"))
        .map(|dir| PathBuf::from(dir).join("libkvmsea").join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("no libkvmsea/{name} under the -I of '{cflags}'"))
}

/// Compiles `source` with the extra C flags `cflags` (linking the library
/// when `link`) and returns what the program printed; `args` are its
/// arguments.
pub fn run(name: &str, source: &str, cflags: &[&str], link: bool, args: &[&str]) -> String {
    // Tests run in parallel: each program gets its own files.
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "{name}-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    );
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let src = dir.join(format!("{name}.c"));
    let exe = dir.join(&name);
    std::fs::write(&src, source).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let mut cmd = Command::new(&cc);
    cmd.args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&exe)
        .arg(&src)
        .args(env!("KVMSEA_SYS_CFLAGS").split_whitespace())
        .args(cflags);
    if link {
        cmd.args(env!("KVMSEA_SYS_LDFLAGS").split_whitespace());
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cc}: {e}"));
    assert!(
        out.status.success(),
        "{cc} failed on {}:\n{}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(&exe).args(args).output().unwrap();
    assert!(out.status.success(), "{} failed", exe.display());
    String::from_utf8(out.stdout).unwrap()
}
