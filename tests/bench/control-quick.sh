#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The control-plane and memory benchmark still works (issue 9): run in the
# VM (with the module), bench/control.sh --quick measures, and its
# control.json and memory.json are of the shape bench/report.py renders.
# Nothing here looks at a time.
. "$(dirname "$0")/../lib/tap.sh"

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
[ -d /sys/module/sliceguard ] || tap_skip_all "the module is not loaded (run in the VM)"
out=$(mktemp -d)
on_exit rm -rf "$out"

tap_check "bench/control.sh --quick runs" \
	bash -c '"$0/bench/control.sh" --quick >"$1/control.log" 2>&1' "$repo" "$out"
for f in control memory; do
	awk -v b="-----BEGIN SG-BENCH $f.json-----" -v e="-----END SG-BENCH $f.json-----" '
		$0 == e { on = 0 }
		on { print }
		$0 == b { on = 1 }' "$out/control.log" >"$out/$f.json"
done
tap_check "it prints control.json and memory.json of the report's shape" \
	/usr/bin/python3 "$repo/bench/report.py" "$out" --check --require control,memory
[ "$TAP_FAILED" = 0 ] || tap_diag "$(tail -n 40 "$out/control.log")"
tap_done
