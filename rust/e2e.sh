#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The example VMM (kvmsea/examples/sea-vmm.rs, on kvm-ioctls) on the real
# arm64 kernel of tests/e2e:
#
#     bash rust/e2e.sh [--build-only] [BUILD_DIR]   (default: build-rust-aarch64)
#
#  1. an aarch64 Rust toolchain from Debian's packages: bookworm's rustc-web
#     (x86_64) with its standard library for both x86_64 (build scripts)
#     and arm64 (libstd-rust-web-dev:arm64), fetched with scripts/debfetch
#     and unpacked into ${XDG_CACHE_HOME:-~/.cache}/libkvmsea/rust-toolchain/
#     (nothing installed; kept by version);
#  2. meson: the library's static archive for aarch64 in BUILD_DIR;
#  3. cargo (the machine's, with that rustc): the example, a static aarch64
#     executable, against Debian's crate packages (rust/registry.sh), put
#     with rust/e2e-run.sh in BUILD_DIR/e2e/ (every file there is a program
#     for tests/e2e/run.sh);
#  4. unless --build-only: tests/e2e/run.sh boots the arm64 kernel under
#     qemu-system-aarch64 (the QEMU the e2e suite builds and caches) and
#     runs them: the example once as it is (a failed MMIO read, injected by
#     the VMM) and, through rust/e2e-run.sh, with a real SEA (--devmem) per
#     strategy and with poisoned guest RAM (--poison, the SIGBUS path).
#     With --build-only the caller boots them (scripts/test.sh hands them
#     to the e2e build's own boot through KVMSEA_E2E_PROGRAMS).
#
# Exit 0, 1 on a failure, 77 when an asset could not be had.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_only=false
if [[ ${1:-} == --build-only ]]; then
	build_only=true
	shift
fi
build=$(realpath -m "${1:-$root/build-rust-aarch64}")
cd "$root"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea
t0=$SECONDS
step() { echo "rust-e2e: [$((SECONDS - t0))s] $*"; }
skip() { echo "rust-e2e: SKIP (exit 77): $*" >&2; exit 77; }

# --- 1. The toolchain ------------------------------------------------------
step "toolchain: bookworm's rustc-web and its arm64 standard library"
suite=bookworm
std=$(scripts/debfetch depends "$suite" libstd-rust-web-dev 2>/dev/null | grep '^libstd-rust-web-') ||
	skip "no libstd-rust-web-dev in $suite"
llvm=$(scripts/debfetch depends "$suite" "$std" 2>/dev/null | grep '^libllvm') ||
	skip "$std names no libllvm"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
lines=$(scripts/debfetch binary "$suite" rustc-web "$std" "$llvm" libstd-rust-web-dev \
	libstd-rust-web-dev:arm64 2>"$log") || { cat "$log" >&2; skip "the toolchain packages"; }
version=$(awk '$1 == "rustc-web" { print $2 }' <<<"$lines")
toolchain=$cache/rust-toolchain/rustc-web_$version
if [[ ! -x $toolchain/rustc ]]; then
	rm -rf "$toolchain.tmp" && mkdir -p "$toolchain.tmp"
	while read -r _ _ deb; do dpkg-deb -x "$deb" "$toolchain.tmp/root"; done <<<"$lines"
	# rustc finds its sysroot (usr/lib/rustlib) next to its binary; the
	# wrapper gives it its own shared libraries.
	cat >"$toolchain.tmp/rustc" <<WRAP
#!/bin/sh
LD_LIBRARY_PATH="$toolchain/root/usr/lib/x86_64-linux-gnu\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" \\
	exec "$toolchain/root/usr/bin/rustc" "\$@"
WRAP
	chmod +x "$toolchain.tmp/rustc"
	rm -rf "$toolchain" && mv "$toolchain.tmp" "$toolchain"
fi
step "toolchain: $("$toolchain/rustc" --version)"

# --- 2. The library for aarch64 --------------------------------------------
step "meson: libkvmsea for aarch64 in $build"
meson_configure "$build" --cross-file scripts/cross/aarch64-linux-gnu.ini \
	-Dtests=disabled -Dtools=disabled -Dexamples=disabled -Ddocs=disabled >/dev/null
meson compile -C "$build" kvmsea-internal >/dev/null

# --- 3. The example --------------------------------------------------------
bash rust/registry.sh "$build/cargo-config.toml" >/dev/null || exit $?
step "cargo: the example for aarch64-unknown-linux-gnu, static"
target=aarch64-unknown-linux-gnu
(
	cd rust
	export RUSTC=$toolchain/rustc KVMSEA_BUILD_DIR=$build CARGO_TARGET_DIR=$build/target
	export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
	export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C target-feature=+crt-static -D warnings"
	export CARGO_PROFILE_DEV_DEBUG=0
	cargo build --config "$build/cargo-config.toml" --offline --quiet \
		--target "$target" --features kvm-ioctls --example sea-vmm
)
# Named to run after the C scenarios in a shared boot: --poison leaves a
# page of that host poisoned for good.
rm -rf "$build/e2e" && mkdir -p "$build/e2e"
program=$build/e2e/e2e-30-rust-sea-vmm
runs=$build/e2e/e2e-31-rust-sea-vmm-runs
cp "$build/target/$target/debug/examples/sea-vmm" "$program"
cp rust/e2e-run.sh "$runs"
step "programs: $program $runs"
$build_only && exit 0

# --- 4. The real kernel ----------------------------------------------------
step "e2e: booting the arm64 kernel (tests/e2e/run.sh)"
bash tests/e2e/run.sh "$program" "$runs"
