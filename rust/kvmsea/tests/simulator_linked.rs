//! With a meson build directory (`KVMSEA_BUILD_DIR`) the simulated-KVM
//! tests must run: one without tests/sim/libkvmsim.a fails here rather
//! than leaving them out silently (they are under `cfg(kvmsea_sim)`).

#[test]
#[allow(clippy::assertions_on_constants)] // decided when the test is built, on purpose
fn the_simulator_is_linked_with_a_build_directory() {
    assert!(
        cfg!(kvmsea_sim) || option_env!("KVMSEA_BUILD_DIR").is_none(),
        "KVMSEA_BUILD_DIR has no tests/sim/libkvmsim.a: `meson compile kvmsim` there \
         (the build needs -Dtests=enabled)"
    );
}
