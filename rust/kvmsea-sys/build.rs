//! Where libkvmsea comes from, in this order:
//!
//! - `KVMSEA_BUILD_DIR`: a meson build directory of the libkvmsea
//!   repository this crate lives in. Its static archive is linked
//!   (`lib/libkvmsea.a` when the build has one, `-Ddefault_library=static`
//!   or `both`; otherwise `lib/libkvmsea-internal.a`, which every build
//!   makes), with the headers of the source tree.
//! - pkg-config: `pkg-config --libs libkvmsea` (at least 1.0), run as a
//!   program (`PKG_CONFIG` names another one, e.g. a cross wrapper).
//!
//! Dependents' build scripts get `DEP_KVMSEA_CFLAGS` (the C flags that find
//! the headers), `DEP_KVMSEA_LDFLAGS` (the C flags that link the same
//! library) and, with a build directory, `DEP_KVMSEA_BUILD_DIR`. This
//! crate's tests get the first two as `KVMSEA_SYS_CFLAGS` and
//! `KVMSEA_SYS_LDFLAGS`.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=KVMSEA_BUILD_DIR");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_LIBDIR");
    let (cflags, ldflags) = match env::var_os("KVMSEA_BUILD_DIR") {
        Some(dir) => link_build_dir(Path::new(&dir)),
        None => link_pkg_config(),
    };
    println!("cargo:cflags={cflags}");
    println!("cargo:ldflags={ldflags}");
    println!("cargo:rustc-env=KVMSEA_SYS_CFLAGS={cflags}");
    println!("cargo:rustc-env=KVMSEA_SYS_LDFLAGS={ldflags}");
}

/// Links the static archive of a meson build of this repository; returns
/// the C flags of its headers and the archive.
fn link_build_dir(dir: &Path) -> (String, String) {
    let dir = dir
        .canonicalize()
        .unwrap_or_else(|e| fail(&format!("KVMSEA_BUILD_DIR={}: {e}", dir.display())));
    let lib_dir = dir.join("lib");
    let name = ["kvmsea", "kvmsea-internal"]
        .into_iter()
        .find(|n| lib_dir.join(format!("lib{n}.a")).is_file())
        .unwrap_or_else(|| {
            fail(&format!(
                "KVMSEA_BUILD_DIR={}: no lib/libkvmsea.a or lib/libkvmsea-internal.a \
                 (run `meson compile -C {}` first)",
                dir.display(),
                dir.display()
            ))
        });
    let archive = lib_dir.join(format!("lib{name}.a"));
    println!("cargo:rerun-if-changed={}", archive.display());
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    println!("cargo:rustc-link-lib=static={name}");
    println!("cargo:build_dir={}", dir.display());
    let include = source_root().join("include");
    (
        format!("-I{}", include.display()),
        archive.display().to_string(),
    )
}

/// The repository root: this crate is rust/kvmsea-sys in it.
fn source_root() -> PathBuf {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest.join("../..");
    if !root.join("include/libkvmsea/sea.h").is_file() {
        fail("KVMSEA_BUILD_DIR is for the crate inside the libkvmsea repository; use pkg-config");
    }
    root.canonicalize().expect("an existing folder")
}

/// Links what pkg-config says; returns its C and linker flags.
fn link_pkg_config() -> (String, String) {
    if env::var_os("DOCS_RS").is_some() {
        return (String::new(), String::new()); // documentation only
    }
    let libs = pkg_config(&["--libs", "libkvmsea"]);
    for flag in libs.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            println!("cargo:rustc-link-search=native={dir}");
        } else if let Some(lib) = flag.strip_prefix("-l") {
            println!("cargo:rustc-link-lib={lib}");
        }
    }
    (pkg_config(&["--cflags", "libkvmsea"]), libs)
}

fn pkg_config(args: &[&str]) -> String {
    let program = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into());
    let version = Command::new(&program)
        .args(["--atleast-version=1.0", "libkvmsea"])
        .status();
    match version {
        Ok(s) if s.success() => {}
        Ok(_) => fail(
            "pkg-config found no libkvmsea >= 1.0: install it, set PKG_CONFIG_PATH, \
             or set KVMSEA_BUILD_DIR to a meson build directory of the repository",
        ),
        Err(e) => fail(&format!("cannot run {program}: {e}")),
    }
    let out = Command::new(&program)
        .args(args)
        .output()
        .unwrap_or_else(|e| fail(&format!("cannot run {program}: {e}")));
    if !out.status.success() {
        fail(&format!("{program} {} failed", args.join(" ")));
    }
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn fail(msg: &str) -> ! {
    eprintln!("kvmsea-sys: {msg}");
    std::process::exit(1);
}
