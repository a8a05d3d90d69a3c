#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The Rust crates' checks (scripts/test.sh's `rust` build):
#
#     bash rust/check.sh [BUILD_DIR]      (default: build-rust)
#
#  1. meson: BUILD_DIR with only what the crates link: the library's static
#     archive and the simulated KVM (tests/sim, -Wl,--wrap=ioctl);
#  2. rust/registry.sh: kvm-ioctls and its dependencies from Debian's
#     packages, as a cargo directory source (no crates.io);
#  3. cargo, offline, in rust/: rustfmt --check, clippy -D warnings and
#     `cargo test` with and without the kvm-ioctls feature, the SIGBUS
#     entry point's machine code in the release build (kvmsea's
#     tests/signal_safe.rs: no panic, allocation or lock), then a crate
#     outside the workspace that uses kvmsea's default features, built with
#     no registry at all and linked through pkg-config (the build's
#     uninstalled libkvmsea.pc, the shared library).
# Cargo's output goes to BUILD_DIR/target. Prints the tests' totals last.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$root/build-rust}")
cd "$root"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
t0=$SECONDS
step() { echo "rust: [$((SECONDS - t0))s] $*"; }

command -v cargo >/dev/null || { echo "rust: cargo is not installed (the crates need Rust >= 1.85)" >&2; exit 1; }
step "$(cargo --version), $(rustc --version)"

step "meson: the libraries and the simulated KVM in $build"
meson_configure "$build" -Dtests=enabled -Dtools=disabled -Dexamples=disabled \
	-Ddocs=disabled >/dev/null
meson compile -C "$build" kvmsea-internal kvmsea kvmsim >/dev/null

step "registry: Debian's crate packages"
bash rust/registry.sh "$build/cargo-config.toml"

export KVMSEA_BUILD_DIR=$build CARGO_TARGET_DIR=$build/target
# After the subcommand: cargo clippy hands its own arguments to cargo check.
registry=(--config "$build/cargo-config.toml" --offline)
log=$build/cargo-test.log
: >"$log"
cd rust
step "rustfmt --check"
cargo fmt --all --check
for features in "" "--features=kvm-ioctls"; do
	step "clippy ${features:-(default features)}"
	cargo clippy "${registry[@]}" --workspace --all-targets $features -- -D warnings
	step "test ${features:-(default features)}"
	cargo test "${registry[@]}" --workspace $features 2>&1 | tee -a "$log"
done
# The code a VMM ships: a debug build keeps core's panicking branches.
step "test --release: the SIGBUS entry point's machine code"
cargo test "${registry[@]}" --release -p kvmsea --test signal_safe 2>&1 | tee -a "$log"

step "a consumer of the default features: an empty registry, pkg-config"
empty=$build/empty-registry
mkdir -p "$empty"
env -u KVMSEA_BUILD_DIR PKG_CONFIG_PATH="$build/meson-uninstalled" \
	LD_LIBRARY_PATH="$build/lib" CARGO_TARGET_DIR="$build/target-consumer" \
	cargo run --config "source.crates-io.replace-with='empty'" \
	--config "source.empty.directory='$empty'" --offline --quiet \
	--manifest-path consumer/Cargo.toml

read -r passed failed ignored < <(awk '/^test result:/ {
	for (i = 1; i <= NF; i++) {
		if ($(i) ~ /^passed/) p += $(i - 1)
		if ($(i) ~ /^failed/) f += $(i - 1)
		if ($(i) ~ /^ignored/) g += $(i - 1)
	} } END { print p + 0, f + 0, g + 0 }' "$log")
step "done"
echo "rust: $passed passed, $failed failed, $ignored ignored (the two feature sets and the release build's test)"
