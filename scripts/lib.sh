# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Shell helpers shared by scripts/test.sh and scripts/main.sh (sourced, not
# run). They expect the current directory to be the repository root.

# meson_configure DIR [MESON-SETUP-OPTIONS...]
# Configure build directory DIR from the repository root, or re-apply the
# options to an existing one; wipe and start over when that fails (e.g. a
# directory left by another meson version). The compiler comes from the
# environment (CC) on the first configure only, as meson keeps it.
meson_configure() {
	local dir=$1
	shift
	if [[ -f $dir/meson-private/coredata.dat ]]; then
		if meson setup --reconfigure "$dir" "$@"; then
			return 0
		fi
		echo "meson_configure: reconfiguring $dir failed; configuring it afresh" >&2
	fi
	rm -rf "$dir"
	meson setup "$dir" "$@"
}

# The tests meson skipped (exit 77) in the last `meson test` of DIR, one
# "suite / name" a line, from meson's machine-readable log.
meson_skipped_tests() {
	local log=$1/meson-logs/testlog.json
	[[ -f $log ]] || return 0
	python3 - "$log" <<'EOF'
import json, sys
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if line:
            t = json.loads(line)
            if t.get("result") == "SKIP":
                print(t["name"])
EOF
}

# "N ok, N failed, N skipped" for the last `meson test` of DIR.
meson_test_counts() {
	local ok bad skip
	read -r ok bad skip < <(meson_test_numbers "$1")
	echo "$ok ok, $bad failed, $skip skipped"
}

# "OK FAILED SKIPPED" (three numbers) for the last `meson test` of DIR.
meson_test_numbers() {
	local log=$1/meson-logs/testlog.json
	[[ -f $log ]] || { echo "0 0 0"; return 0; }
	python3 - "$log" <<'EOF'
import collections, json, sys
n = collections.Counter()
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if line:
            n[json.loads(line).get("result")] += 1
ok = n["OK"] + n["EXPECTEDFAIL"]
bad = sum(v for k, v in n.items() if k not in ("OK", "EXPECTEDFAIL", "SKIP"))
print(ok, bad, n["SKIP"])
EOF
}
