#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# valgrind memcheck over the unit suite (docs/reliability.md): every test
# whose program is one of this build's executables runs under
#   valgrind --error-exitcode=3 --leak-check=full
#            --errors-for-leak-kinds=definite,indirect
# so any memory error or definite/indirect leak fails it. Tests run through
# a script (the build and docs checks, the tool's shell tests) are left out:
# valgrind would check bash, not us. libFuzzer programs (suite 'fuzz') are
# left out too: they bring their own sanitizers.
#
#     tests/reliability/run-valgrind.sh
#
# Environment: KVMSEA_VALGRIND_BUILD (default build-valgrind in the
# repository root; configured with gcc if it does not exist). The threaded
# and storm tests run smaller here (valgrind runs threads one at a time).
set -euo pipefail

cd "$(dirname "$0")/../.."
build=${KVMSEA_VALGRIND_BUILD:-build-valgrind}

if [[ ! -f $build/build.ninja ]]; then
	CC=gcc meson setup "$build" >/dev/null
fi
meson compile -C "$build" >/dev/null

# The tests whose command is one of this build's executables (an ELF file
# under the build directory, not a script or bash), outside suite 'fuzz'.
mapfile -t tests < <(meson introspect --tests "$build" | python3 -c '
import json, os, sys
build = os.path.realpath(sys.argv[1])
for t in json.load(sys.stdin):
    prog = os.path.realpath(t["cmd"][0])
    if any(s.endswith("fuzz") for s in t["suite"]):
        continue
    if not prog.startswith(build + os.sep):
        continue
    with open(prog, "rb") as f:
        if f.read(4) != b"\x7fELF":
            continue
    print(t["name"])
' "$build" | sort -u)
echo "run-valgrind: ${#tests[@]} test programs: ${tests[*]}"

export KVMSEA_THREADS=${KVMSEA_THREADS:-64}
export KVMSEA_THREAD_SEAS=${KVMSEA_THREAD_SEAS:-200}
export KVMSEA_STORM_SEAS=${KVMSEA_STORM_SEAS:-20000}
export KVMSEA_FUZZ_REPLAY_RUNS=${KVMSEA_FUZZ_REPLAY_RUNS:-1000}

meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 20 \
	--wrap="valgrind --quiet --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --fair-sched=yes" \
	"${tests[@]}"
echo "run-valgrind: 0 errors, 0 definite or indirect leaks in ${#tests[@]} programs"
