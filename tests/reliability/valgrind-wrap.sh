#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The exe_wrapper of the 'valgrind' test setup (tests/reliability/meson.build):
#
#   valgrind-wrap.sh BUILD-ROOT VALGRIND [VALGRIND-OPTION...] PROGRAM [ARG...]
#
# Runs PROGRAM under VALGRIND when it is an executable (ELF) file of the
# build, and as it is otherwise: a test run through a script would only
# have valgrind check the shell, and a shell's own leaks would fail it.
set -euo pipefail

root=$(realpath "$1")
valgrind=("$2")
shift 2
while [[ $# -gt 0 && $1 == -* ]]; do
	valgrind+=("$1")
	shift
done
[[ $# -gt 0 ]] || { echo "usage: valgrind-wrap.sh BUILD-ROOT VALGRIND [OPTION...] PROGRAM [ARG...]" >&2; exit 2; }

prog=$(realpath "$(command -v "$1")")
if [[ $prog == "$root"/* ]] && [[ $(head -c 4 "$prog" | od -An -c | tr -d ' ') == '177ELF' ]]; then
	exec "${valgrind[@]}" "$@"
fi
exec "$@"
