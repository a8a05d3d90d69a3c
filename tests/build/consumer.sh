#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# consumer.sh pkg-config SRCDIR BUILDDIR SANITIZE CROSSFILE CC [CC-ARGS...]
# consumer.sh subproject SRCDIR BUILDDIR SANITIZE CROSSFILE CC [CC-ARGS...]
#
# libkvmsea as a program outside the project sees it (tests/build/consumer/):
#   pkg-config: `meson install --destdir` of BUILDDIR into a temporary
#     directory; `pkg-config --cflags` must give only -I (none of the
#     project's own flags, such as -D_GNU_SOURCE) and `--libs` only -L and
#     -l; then consumer.c is compiled with CC and those flags, and run
#     against the installed shared library (under qemu-aarch64 for an arm64
#     CC on another host).
#   subproject: a temporary meson project with subprojects/libkvmsea linked
#     to SRCDIR gets dependency('libkvmsea') from the subproject's
#     meson.override_dependency(), builds consumer.c and runs `meson test`.
# SANITIZE is the build's b_sanitize ("none" or e.g. "address,undefined"):
# the consumer is built the same way, or it could not link the library.
# CROSSFILE is the meson cross file of a cross build, "" for a native one.
set -euo pipefail

usage="usage: consumer.sh pkg-config|subproject SRCDIR BUILDDIR SANITIZE CROSSFILE CC [CC-ARGS...]"
mode=${1:?$usage}
src=${2:?$usage}
build=${3:?$usage}
sanitize=${4:?$usage}
cross=${5?$usage}
shift 5
[[ $# -gt 0 ]] || { echo "$usage" >&2; exit 2; }
cc=("$@")

here=$src/tests/build/consumer
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmsea-consumer.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

san_flags=()
[[ $sanitize == none ]] || san_flags=(-fsanitize="$sanitize")

fail() { echo "consumer ($mode): FAIL: $*" >&2; exit 1; }

# Run an executable built by CC, through qemu-aarch64 when it is arm64 and
# this host is not. LD_LIBRARY_PATH is given to the program only.
run() {
	local libdir=$1 exe=$2
	if [[ $("${cc[@]}" -dumpmachine) == aarch64-* && $(uname -m) != aarch64 ]]; then
		qemu-aarch64 -L / -E LD_LIBRARY_PATH="$libdir" "$exe"
	else
		LD_LIBRARY_PATH=$libdir "$exe"
	fi
}

via_pkg_config() {
	local dest=$tmp/dest pc pcdir cflags libs libdir
	meson install -C "$build" --no-rebuild --destdir "$dest" >"$tmp/install.log" 2>&1 || {
		cat "$tmp/install.log" >&2
		fail "meson install --destdir failed"
	}
	pc=$(find "$dest" -name libkvmsea.pc -print -quit)
	[[ -n $pc ]] || fail "no libkvmsea.pc installed"
	pcdir=${pc%/*}
	# The .pc names the real prefix; the sysroot variable maps its paths
	# into the destdir. LIBDIR (not PATH): only our .pc is visible.
	export PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_SYSROOT_DIR=$dest
	unset PKG_CONFIG_PATH
	cflags=$(pkg-config --cflags libkvmsea) || fail "pkg-config --cflags libkvmsea"
	libs=$(pkg-config --libs libkvmsea) || fail "pkg-config --libs libkvmsea"
	echo "consumer: pkg-config: cflags '$cflags' libs '$libs'"
	local word
	for word in $cflags; do
		[[ $word == -I* ]] || fail "pkg-config --cflags gives a flag of the project's own: $word"
	done
	for word in $libs; do
		[[ $word == -L* || $word == -l* ]] || fail "pkg-config --libs gives more than -L and -l: $word"
	done
	libdir=$(find "$dest" -name 'libkvmsea.so*' -printf '%h\n' -quit)
	[[ -n $libdir ]] || fail "no libkvmsea.so installed"
	# shellcheck disable=SC2086 # pkg-config output is a list of words
	"${cc[@]}" -std=c11 -Wall -Wextra -Werror "${san_flags[@]}" \
		"$here/consumer.c" $cflags $libs -o "$tmp/consumer" ||
		fail "the consumer does not build with the installed headers and library"
	readelf -d "$tmp/consumer" | grep -q 'NEEDED.*\[libkvmsea\.so\.[0-9]' ||
		fail "the consumer does not link libkvmsea.so.<soversion>"
	run "$libdir" "$tmp/consumer" || fail "the consumer failed against the installed library"
}

via_subproject() {
	local proj=$tmp/project
	local opts=(--force-fallback-for=libkvmsea
		-Dlibkvmsea:tests=disabled -Dlibkvmsea:tools=disabled
		-Dlibkvmsea:examples=disabled -Dlibkvmsea:docs=disabled
		-Dlibkvmsea:werror=true
		-Db_sanitize="$sanitize")
	[[ $sanitize == none ]] || opts+=(-Db_lundef=false)
	mkdir -p "$proj/subprojects"
	cp "$here/meson.build" "$here/consumer.c" "$proj/"
	ln -s "$(cd "$src" && pwd)" "$proj/subprojects/libkvmsea"
	if [[ -n $cross ]]; then
		opts+=(--cross-file "$cross")
	else
		# The build's compiler, for the native build of the consumer.
		export CC="${cc[*]}"
	fi
	meson setup "${opts[@]}" "$proj/build" "$proj" >"$tmp/setup.log" 2>&1 || {
		cat "$tmp/setup.log" >&2
		fail "meson setup of a project using libkvmsea as a subproject failed"
	}
	if ! grep -q "^Executing subproject libkvmsea" "$tmp/setup.log" ||
		! grep -q "^Dependency libkvmsea found: YES .*(overridden)" "$tmp/setup.log"; then
		cat "$tmp/setup.log" >&2
		fail "dependency('libkvmsea') did not come from the subproject"
	fi
	meson compile -C "$proj/build" >"$tmp/compile.log" 2>&1 || {
		cat "$tmp/compile.log" >&2
		fail "the subproject consumer does not build"
	}
	meson test -C "$proj/build" --no-rebuild --print-errorlogs ||
		fail "the subproject consumer's test failed"
	echo "consumer: subproject: dependency('libkvmsea') came from the subproject's override_dependency()"
}

case $mode in
pkg-config) via_pkg_config ;;
subproject) via_subproject ;;
*) echo "$usage" >&2; exit 2 ;;
esac
echo "consumer ($mode): PASS"
