#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# valgrind memcheck over the unit suite (docs/reliability.md): `meson test
# --setup valgrind` (tests/reliability/meson.build holds the valgrind
# options, which tests are left out, and the smaller sizes of the threaded
# and storm tests) in a gcc build of its own. Any memory error or definite
# or indirect leak fails it.
#
#     tests/reliability/run-valgrind.sh
#
# Environment: KVMSEA_VALGRIND_BUILD (default build-valgrind in the
# repository root; configured with gcc if it does not exist).
set -euo pipefail

cd "$(dirname "$0")/../.."
build=${KVMSEA_VALGRIND_BUILD:-build-valgrind}

if [[ ! -f $build/build.ninja ]]; then
	CC=gcc meson setup "$build" >/dev/null
fi
meson configure "$build" -Dwerror=true   # as every build of scripts/test.sh
meson compile -C "$build" >/dev/null

meson test -C "$build" --no-rebuild --print-errorlogs --setup valgrind
echo "run-valgrind: 0 errors, 0 definite or indirect leaks"
