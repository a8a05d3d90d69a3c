#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The crates behind the `kvm-ioctls` feature, as a cargo directory source
# made from Debian's librust-*-dev packages (the way Debian builds Rust
# packages), so that cargo needs no crates.io:
#
#     bash rust/registry.sh CONFIG
#
# fetches the packages with scripts/debfetch (apt's own client; nothing is
# installed), unpacks their /usr/share/cargo/registry/<crate>-<version>/
# folders into ${XDG_CACHE_HOME:-~/.cache}/libkvmsea/cargo-registry/<key>/
# (key: the packages' names and versions; reused when present) and writes
# CONFIG, a cargo configuration that replaces crates.io with that folder:
# `cargo --config CONFIG ... --offline`. Nothing outside the cache and
# CONFIG is written; ~/.cargo is left alone.
#
# Exit 0, or 77 when a package cannot be had (as debfetch), 1 otherwise.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: registry.sh CONFIG" >&2; exit 2; }
config=$1
here=$(cd "$(dirname "$0")" && pwd)
debfetch=$here/../scripts/debfetch
cache=${XDG_CACHE_HOME:-$HOME/.cache}/libkvmsea

# kvm-ioctls and what its default features and kvm-bindings' fam-wrappers
# need: vmm-sys-util (bitflags 1, libc), bitflags 2, libc. The optional
# dependencies (serde, zerocopy, ...) stay out: no feature asks for them.
# sid has these versions; the lower bounds are the Cargo.toml ones.
packages=(
	'librust-kvm-ioctls-dev>=0.25'
	'librust-kvm-bindings-dev>=0.14'
	'librust-vmm-sys-util-dev>=0.14'
	'librust-bitflags-dev>=2.4'
	'librust-bitflags-1-dev'
	'librust-libc-dev>=0.2.127'
)

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# apt's progress goes to the log, shown only when the fetch fails.
rc=0
lines=$("$debfetch" binary sid "${packages[@]}" 2>"$log") || rc=$?
if [[ $rc -ne 0 ]]; then
	cat "$log" >&2
	echo "registry: the crate packages could not be had from sid" >&2
	exit "$rc"
fi

key=$(awk '{ print $1 "_" $2 }' <<<"$lines" | sha256sum | cut -c1-16)
registry=$cache/cargo-registry/$key
if [[ ! -f $registry/.complete ]]; then
	rm -rf "$registry.tmp" && mkdir -p "$registry.tmp"
	while read -r _ _ deb; do
		unpacked=$registry.tmp/deb
		rm -rf "$unpacked" && mkdir "$unpacked"
		dpkg-deb -x "$deb" "$unpacked"
		# Each crate folder holds Debian's .cargo-checksum.json, which a
		# directory source requires.
		mv "$unpacked"/usr/share/cargo/registry/* "$registry.tmp/"
		rm -rf "$unpacked"
	done <<<"$lines"
	touch "$registry.tmp/.complete"
	rm -rf "$registry" && mv "$registry.tmp" "$registry"
fi

mkdir -p "$(dirname "$config")"
cat >"$config" <<CONF
# Written by rust/registry.sh: crates.io replaced by Debian's crate packages.
[source.crates-io]
replace-with = "debian-packages"

[source.debian-packages]
directory = "$registry"
CONF
awk '{ printf "registry: %s %s\n", $1, $2 }' <<<"$lines"
echo "registry: $registry"
