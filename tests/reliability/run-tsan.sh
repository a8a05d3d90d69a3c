#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The threaded tests under ThreadSanitizer, full size (docs/reliability.md):
# 64 vCPU threads x 1e5 SEAs each on one shared context, then the storm's
# many-vCPU phase, then the guest memory map's lookups (threads and signal
# handlers) racing its writer (docs/memory.md). Configures its own build
# directory with clang and -Db_sanitize=thread, and builds only these
# programs (a clang TSan runtime lives in executables only, so the shared
# library is not built).
#
#     tests/reliability/run-tsan.sh
#
# Environment: KVMSEA_TSAN_BUILD (default build-tsan in the repository root),
# KVMSEA_THREADS / KVMSEA_THREAD_SEAS / KVMSEA_STORM_SEAS /
# KVMSEA_RACE_SETS / KVMSEA_RACE_READERS to change sizes.
# Exits non-zero on any race report or failed check.
set -euo pipefail

cd "$(dirname "$0")/../.."
build=${KVMSEA_TSAN_BUILD:-build-tsan}

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# -Dwerror=true as in every build of scripts/test.sh
CC=clang meson_configure "$build" -Db_sanitize=thread -Db_lundef=false \
	-Dwerror=true >/dev/null
meson compile -C "$build" tests/reliability/test-threads tests/reliability/storm \
	tests/memory/test-memmap-race tests/reliability/test-signals

# Any report fails the run (exit code 66), with both stacks of a race.
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:history_size=4"
export KVMSEA_THREADS=${KVMSEA_THREADS:-64}
export KVMSEA_THREAD_SEAS=${KVMSEA_THREAD_SEAS:-100000}
export KVMSEA_STORM_SEAS=${KVMSEA_STORM_SEAS:-200000}
export KVMSEA_RACE_SETS=${KVMSEA_RACE_SETS:-100000}

echo "run-tsan: $KVMSEA_THREADS threads x $KVMSEA_THREAD_SEAS SEAs"
"$build/tests/reliability/test-threads"
echo "run-tsan: storm, $KVMSEA_STORM_SEAS SEAs on 1 then ${KVMSEA_STORM_THREADS:-8} vCPUs"
"$build/tests/reliability/storm" test
echo "run-tsan: memory map, $KVMSEA_RACE_SETS writer calls racing ${KVMSEA_RACE_READERS:-3} reader threads and signal handlers"
"$build/tests/memory/test-memmap-race"
echo "run-tsan: signals into kvmsea_sigbus() on 6 threads, a drain and a map writer"
"$build/tests/reliability/test-signals"
echo "run-tsan: no data race reported"
