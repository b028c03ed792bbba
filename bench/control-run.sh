#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/control-run.sh [--quick]: run bench/control.sh in the test VM and
# store its control.json and memory.json in ${SG_BENCH_OUT:-build/bench/results}.
# The VM sees the repository read-only, so control.sh prints each file
# between marker lines; this extracts them. The whole output is kept in
# control.log beside them. Builds nothing: make kmod, user programs,
# build/bench/ctlbench and build/tests/sg-counters first.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
out=${SG_BENCH_OUT:-build/bench/results}
[[ $out = /* ]] || out=$repo/$out
mkdir -p "$out"
tmp=$(mktemp -d "$out/.control.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cd "$repo"
start=$SECONDS
# The VM's own SG_BENCH_OUT is not writable; it only prints.
set +e
# vm-run gives the command a clean environment: settings travel as arguments.
args=("$@")
[ "${SG_BENCH_QUICK:-0}" = 1 ] && args=(--quick "${args[@]}")
scripts/vm-run env SG_BENCH_BUDGET_S="${SG_BENCH_BUDGET_S:-600}" bench/control.sh "${args[@]}" |
	tee "$tmp/control.log"
rc=${PIPESTATUS[0]}
set -e
echo "control-run: VM run took $((SECONDS - start)) s, exit status $rc" >&2
[ "$rc" = 0 ] || exit "$rc"

for f in control memory; do
	awk -v b="-----BEGIN SG-BENCH $f.json-----" -v e="-----END SG-BENCH $f.json-----" '
		$0 == e { on = 0 }
		on { print }
		$0 == b { on = 1 }' "$tmp/control.log" >"$tmp/$f.json"
	jq -e .component "$tmp/$f.json" >/dev/null ||
		{ echo "control-run: no valid $f.json in the output" >&2; exit 1; }
done
mv "$tmp/control.json" "$tmp/memory.json" "$tmp/control.log" "$out/"
echo "control-run: wrote $out/control.json $out/memory.json $out/control.log" >&2
