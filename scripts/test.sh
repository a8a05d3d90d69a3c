#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# THE test command (README.md; .ci/run runs exactly this):
#
#     bash scripts/test.sh            # every build below
#     bash scripts/test.sh gcc asan   # only the named builds (development)
#
# Runs scripts/setup.sh, then configures, builds and runs `meson test` in
# each build directory (under the repository root, ignored by git):
#   gcc      build-gcc       native, gcc
#   clang    build-clang     native, clang
#   aarch64  build-aarch64   cross, aarch64-linux-gnu-gcc, tests under qemu-user
#   asan     build-asan      native gcc, -Db_sanitize=address,undefined
#   tsan     build-tsan      clang, -Db_sanitize=thread: the threaded tests
#   valgrind build-valgrind  gcc, the unit suite under valgrind memcheck
#   e2e      build-e2e       aarch64 cross with -De2e=enabled: `meson test
#                            --suite e2e` (Debian's arm64 kernel and KVM under
#                            qemu-system-aarch64)
#   guest    build-guest     native gcc with -Dcper-guest=enabled: `meson
#                            test --suite cper-guest` (CPER records into a
#                            real arm64 Linux guest under QEMU 10.2, UEFI)
#   rust     build-rust      the Rust crates (rust/check.sh: rustfmt, clippy,
#                            cargo test --offline), then their example VMM on
#                            the real kernel (rust/e2e.sh, build-rust-aarch64):
#                            in the e2e build's boot when that build comes
#                            later in this run, else in a boot of its own
#                            (KVMSEA_RUST_E2E=0 leaves it out)
# Warnings are errors in every build (-Dwerror=true: the project's default is
# off, for distributions).
#
# A skipped test (exit 77: e.g. no network for the uapi check, an e2e asset
# that could not be had) is a failure when CI=true, a warning otherwise.
# KVMSEA_CI_ALLOWED_SKIPS may list "suite / name" entries exempt from that
# (space-separated, e.g. "libkvmsea:e2e / e2e").
#
# Prints one summary line per build and exits non-zero if any build failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

export DEBIAN_FRONTEND=noninteractive
# CI=true (as CI services set it; any value but "", false, 0 or no counts).
case ${CI:-} in "" | false | 0 | no) ci=false ;; *) ci=true ;; esac
cross_file=scripts/cross/aarch64-linux-gnu.ini
# rust before e2e: the e2e build's boot runs the Rust example too.
all_builds=(gcc clang aarch64 asan tsan valgrind rust e2e guest)

if ! bash scripts/setup.sh </dev/null; then
	echo "test.sh: scripts/setup.sh failed" >&2
	exit 1
fi

# --- The builds. Each function: configure, then `run_tests DIR [ARGS]`. ---
# (The configure step may use the environment; run_tests does the rest.)

build_gcc() {
	CC=gcc meson_configure build-gcc -Dwerror=true || return 1
	run_tests build-gcc
}

build_clang() {
	CC=clang meson_configure build-clang -Dwerror=true || return 1
	run_tests build-clang
}

build_aarch64() {
	meson_configure build-aarch64 --cross-file "$cross_file" -Dwerror=true || return 1
	run_tests build-aarch64
}

build_asan() {
	CC=gcc meson_configure build-asan -Dwerror=true \
		-Db_sanitize=address,undefined -Db_lundef=false || return 1
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:print_summary=1 \
		run_tests build-asan
}

# TSan: 64 vCPU threads x 1e5 simulated SEAs, the storm on 1 and 8 vCPUs,
# and the guest memory map's lookups (threads, signal handlers) racing its
# writer (tests/reliability/run-tsan.sh: clang, -Db_sanitize=thread,
# build-tsan).
build_tsan() {
	bash tests/reliability/run-tsan.sh || { result_detail="data race or failed check"; return 1; }
	result_detail="64 threads x 1e5 SEAs, storm, memory map race: no race"
}

# valgrind memcheck over the unit suite (tests/reliability/run-valgrind.sh).
build_valgrind() {
	bash tests/reliability/run-valgrind.sh || { result_detail="memcheck error, leak or test failure"; return 1; }
	result_detail="memcheck clean"
}

# ==== LEAD: the e2e hook ===================================================
# The real-kernel suite lives in tests/e2e (its own helper). It must be
# configured in an aarch64 build (its test programs run in the arm64 guest).
# Adjust the options, the suite selection or the environment here.
# KVMSEA_E2E_NESTED=1 adds the nested-virtualization boot (a second QEMU,
# sid's 10.2, built once and cached, shared with the guest build; see
# tests/e2e/README.md).
build_e2e() {
	meson_configure build-e2e --cross-file "$cross_file" -De2e=enabled -Dwerror=true || return 1
	KVMSEA_E2E_NESTED=${KVMSEA_E2E_NESTED:-1} run_tests build-e2e --suite e2e
}
# ===========================================================================

# The CPER guest test (tests/cper/README.md): native, since its host tool
# links the library; it uses the e2e nested stage's QEMU (10.2), built once
# and cached.
build_guest() {
	CC=gcc meson_configure build-guest -Dcper-guest=enabled -Dwerror=true || return 1
	run_tests build-guest --suite cper-guest
}

# The Rust crates, and their example VMM on the real kernel: built here and
# run in the e2e build's boot when that build is still to come in this run
# (KVMSEA_E2E_PROGRAMS), else booted here (the QEMU of tests/e2e, from the
# cache). The scripts' last line is "... N passed, N failed, N
# ignored|skipped".
build_rust() {
	local log rc=0 e2e_rc=0 ok bad skip status e2e_args=()
	log=$(mktemp)
	# pipefail: a failed pipeline's status is the script's (tee succeeds).
	bash rust/check.sh build-rust 2>&1 | tee "$log" || rc=$?
	[[ " ${builds_left[*]} " == *" e2e "* ]] && e2e_args=(--build-only)
	if [[ $rc -eq 0 && ${KVMSEA_RUST_E2E:-1} != 0 ]]; then
		bash rust/e2e.sh "${e2e_args[@]}" build-rust-aarch64 2>&1 | tee -a "$log" || e2e_rc=$?
		if [[ $e2e_rc -eq 0 && ${#e2e_args[@]} -gt 0 ]]; then
			KVMSEA_E2E_PROGRAMS=$(echo "$PWD"/build-rust-aarch64/e2e/*)
			export KVMSEA_E2E_PROGRAMS
		fi
	fi
	read -r ok bad skip < <(awk '/^(rust|e2e): [0-9]+ passed, [0-9]+ failed/ {
		p += $2; f += $4; s += $6 } END { print p + 0, f + 0, s + 0 }' "$log")
	rm -f "$log"
	total_ok=$((total_ok + ok))
	total_failed=$((total_failed + bad))
	total_skipped=$((total_skipped + skip))
	result_detail="$ok ok, $bad failed, $skip ignored or skipped"
	[[ -n ${KVMSEA_E2E_PROGRAMS:-} ]] && result_detail+="; the example runs in the e2e build"
	# 77: a package could not be had (the registry, the toolchain, an e2e
	# asset): a skip, which fails only in CI.
	for status in "$rc" "$e2e_rc"; do
		[[ $status -eq 0 || $status -eq 77 ]] || return 1
	done
	if [[ $rc -eq 77 || $e2e_rc -eq 77 ]]; then
		result_detail+="; SKIPPED (a package could not be had)"
		[[ $ci == true ]] && { result_detail+=" (skips fail in CI)"; return 1; }
	fi
	return 0
}

# run_tests DIR [MESON-TEST-ARGS...]: compile, test, and apply the skip rule.
run_tests() {
	local dir=$1
	shift
	meson compile -C "$dir" || { result_detail="compile failed"; return 1; }
	local rc=0
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --print-errorlogs "$@" || rc=$?
	result_detail=$(meson_test_counts "$dir")
	local ok bad skip
	read -r ok bad skip < <(meson_test_numbers "$dir")
	total_ok=$((total_ok + ok))
	total_failed=$((total_failed + bad))
	total_skipped=$((total_skipped + skip))
	[[ $rc -eq 0 ]] || return 1

	local skipped=() name
	while IFS= read -r name; do
		[[ -n $name ]] || continue
		if [[ " ${KVMSEA_CI_ALLOWED_SKIPS:-} " == *" $name "* ]]; then
			echo "test.sh: skip allowed by KVMSEA_CI_ALLOWED_SKIPS: $name"
		else
			skipped+=("$name")
		fi
	done < <(meson_skipped_tests "$dir")
	if [[ ${#skipped[@]} -gt 0 ]]; then
		printf 'test.sh: SKIPPED in %s: %s\n' "$dir" "${skipped[@]}"
		if [[ $ci == true ]]; then
			echo "test.sh: CI=true: a skipped test is a failure"
			result_detail+=" (skips fail in CI)"
			return 1
		fi
		echo "test.sh: WARNING: skipped tests would fail in CI (CI=true)"
	fi
	return 0
}

builds=("$@")
[[ ${#builds[@]} -gt 0 ]] || builds=("${all_builds[@]}")
for b in "${builds[@]}"; do
	if [[ " ${all_builds[*]} " != *" $b "* ]]; then
		echo "test.sh: unknown build '$b' (known: ${all_builds[*]})" >&2
		exit 2
	fi
done

summary=()
failed=0
total_ok=0
total_failed=0
total_skipped=0
total_start=$SECONDS
for i in "${!builds[@]}"; do
	b=${builds[i]}
	builds_left=("${builds[@]:i+1}")
	printf '\n==== test.sh: %s build ====\n' "$b"
	start=$SECONDS
	result_detail="configure failed"
	if "build_$b"; then verdict=PASS; else verdict=FAIL; failed=1; fi
	summary+=("$(printf '%-8s %-4s %5ss  %s' "$b" "$verdict" "$((SECONDS - start))" "$result_detail")")
done

printf '\n==== test.sh summary (CI=%s) ====\n' "$ci"
printf 'test.sh: %s\n' "${summary[@]}"
# The closing line CI reads: meson tests over every build. A failed run
# whose failure was no test's (a build error, a skip in CI, a sanitizer
# script) still shows at least one failure.
if [[ $failed -ne 0 && $total_failed -eq 0 ]]; then
	total_failed=1
fi
if [[ $failed -ne 0 ]]; then
	echo "test.sh: FAILED after $((SECONDS - total_start))s"
else
	echo "test.sh: ALL PASSED after $((SECONDS - total_start))s"
fi
printf 'tests: %d passed, %d failed, %d skipped\n' "$total_ok" "$total_failed" "$total_skipped"
exit "$failed"
