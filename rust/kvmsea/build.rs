//! Hands kvmsea-sys's C flags to this crate's tests, and links the
//! simulated KVM into them when the library came from a meson build
//! directory that has it (`KVMSEA_BUILD_DIR`, tests/sim/libkvmsim.a):
//! `-Wl,--wrap=ioctl` sends every ioctl() of the test program, the
//! library's included, to the simulator first, as in the C tests. The
//! tests that need it are under `cfg(kvmsea_sim)`.

use std::env;
use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(kvmsea_sim)");
    for key in ["CFLAGS", "LDFLAGS"] {
        let value = env::var(format!("DEP_KVMSEA_{key}")).unwrap_or_default();
        println!("cargo:rustc-env=KVMSEA_SYS_{key}={value}");
    }
    let Ok(dir) = env::var("DEP_KVMSEA_BUILD_DIR") else {
        return;
    };
    let sim = Path::new(&dir).join("tests/sim/libkvmsim.a");
    if !sim.is_file() {
        return;
    }
    println!("cargo:rerun-if-changed={}", sim.display());
    println!("cargo:rustc-cfg=kvmsea_sim");
    println!(
        "cargo:rustc-link-arg-tests=-Wl,--wrap=ioctl,--whole-archive,{},--no-whole-archive,-lpthread",
        sim.display()
    );
}
