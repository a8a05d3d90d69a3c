#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The long fuzzing runs of docs/reliability.md: each libFuzzer target for a
# fixed number of executions, one process on one core.
#
#     tests/reliability/fuzz-long.sh                 # every target
#     tests/reliability/fuzz-long.sh entry exit      # some
#
# Environment:
#   KVMSEA_FUZZ_BUILD   build directory (default: build-fuzz in the repository
#                       root; configured with clang if it does not exist)
#   KVMSEA_FUZZ_RUNS    executions per target, overriding the defaults below
#   KVMSEA_FUZZ_TIME    seconds per target instead of a number of executions
#
# New inputs are kept in $KVMSEA_FUZZ_BUILD/fuzz-corpus/<target> (never in
# the source tree), crashes in $KVMSEA_FUZZ_BUILD/fuzz-artifacts/. Prints the
# executions each target reached and exits non-zero on any finding.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
build=${KVMSEA_FUZZ_BUILD:-build-fuzz}

# Default executions: the figures docs/reliability.md records.
declare -A default_runs=(
	[esr-decode]=100000000
	[esr-format]=10000000
	[entry]=10000000
	[exit]=10000000
)
# Inputs longer than a target reads are wasted work.
declare -A max_len=(
	[esr-decode]=16
	[esr-format]=32
	[entry]=256
	[exit]=4096
)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(esr-decode esr-format entry exit)

if [[ ! -f $build/build.ninja ]]; then
	CC=clang meson setup "$build" >/dev/null || exit 1
fi
meson configure "$build" -Dwerror=true || exit 1
for t in "${targets[@]}"; do
	[[ -n ${default_runs[$t]:-} ]] || { echo "fuzz-long: unknown target $t" >&2; exit 2; }
	meson compile -C "$build" "tests/reliability/fuzz-$t" >/dev/null || exit 1
	[[ -x $build/tests/reliability/fuzz-$t ]] || {
		echo "fuzz-long: $build has no libFuzzer targets (needs clang with -fsanitize=fuzzer)" >&2
		exit 1
	}
done

failed=0
summary=()
for t in "${targets[@]}"; do
	limit=("-runs=${KVMSEA_FUZZ_RUNS:-${default_runs[$t]}}")
	[[ -z ${KVMSEA_FUZZ_TIME:-} ]] || limit=("-max_total_time=$KVMSEA_FUZZ_TIME")
	log=$build/fuzz-$t.log
	echo "fuzz-long: $t ${limit[*]} (log: $log)"
	start=$SECONDS
	"$build/tests/reliability/fuzz-$t" "${limit[@]}" -max_len="${max_len[$t]}" \
		-print_final_stats=1 -create_missing_dirs=1 \
		-artifact_prefix="$build/fuzz-artifacts/$t-" \
		"$build/fuzz-corpus/$t" "tests/reliability/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log")
	rate=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log")
	if [[ $rc -eq 0 ]]; then verdict="no finding"; else verdict="FINDING (rc $rc)"; failed=1; fi
	summary+=("$(printf '%-11s %12s execs  %7s/s  %6ss  %s' "$t" "${execs:-?}" "${rate:-?}" "$((SECONDS - start))" "$verdict")")
	[[ $rc -eq 0 ]] || grep -E 'invariant|ERROR|SUMMARY|Test unit written' "$log"
done
printf 'fuzz-long: %s\n' "${summary[@]}"
exit $failed
