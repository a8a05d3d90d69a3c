#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# esr-pure.sh SRCDIR [CC [CC-ARGS...]]
#
# The ESR decoder and formatter (lib/esr*.c) are pure: they compile with the
# project's own headers and the standard C headers below, and reach no KVM,
# Linux or other system header. The preprocessor's dependency list (-M) of
# each file, minus the project's headers, must be a subset of what the
# allowed C headers bring in by themselves (glibc's <errno.h> itself reaches
# <linux/errno.h>: that one is the C library's, not ours).
set -euo pipefail

src=${1:?usage: esr-pure.sh SRCDIR [CC [CC-ARGS...]]}
shift
if [[ $# -gt 0 ]]; then cc=("$@"); else cc=(cc); fi

allowed_headers=(errno.h limits.h stdbool.h stddef.h stdint.h string.h)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kvmsea-esr-pure.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# deps FILE OUT: the headers FILE includes, one absolute path a line.
deps() {
	"${cc[@]}" -std=c11 -M -MT x -I "$src/include" -I "$src/lib" "$1" \
		>"$tmp/deps.mk"
	tr -s ' \\\n' '\n' <"$tmp/deps.mk" | grep '\.h$' |
		xargs -r realpath -e | sort -u >"$2"
}

printf '#include <%s>\n' "${allowed_headers[@]}" >"$tmp/allowed.c"
deps "$tmp/allowed.c" "$tmp/allowed.list"

shopt -s nullglob
files=("$src"/lib/esr*.c)
[[ ${#files[@]} -gt 0 ]] || { echo "esr-pure: no lib/esr*.c in $src" >&2; exit 1; }
srcdir=$(realpath "$src")
failed=0
for f in "${files[@]}"; do
	deps "$f" "$tmp/file.list"
	grep -v -e "^$srcdir/lib/" -e "^$srcdir/include/" "$tmp/file.list" |
		comm -23 - "$tmp/allowed.list" >"$tmp/extra.list" || true
	if [[ -s $tmp/extra.list ]]; then
		echo "esr-pure: FAIL: ${f#"$src"/} reaches headers beyond" \
			"<${allowed_headers[*]}>:" >&2
		sed 's/^/  /' "$tmp/extra.list" >&2
		failed=1
	else
		echo "esr-pure: ${f#"$src"/}: $(wc -l <"$tmp/file.list") headers," \
			"none outside the project and the C library's"
	fi
done
[[ $failed -eq 0 ]] || exit 1
echo "esr-pure: PASS (${#files[@]} files)"
