#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark still works (issue 9): `make bench-quick`'s host parts run
# in their quick modes and write results of the shape bench/report.py
# renders, and the report renders from them. Nothing here looks at a time:
# performance is judged by `make bench`, never by a test.
. "$(dirname "$0")/../lib/tap.sh"

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
out=$(mktemp -d "$repo/build/bench-quick.XXXXXX")
on_exit rm -rf "$out"

for tool in xdp-filter gnuplot trafgen nft; do
	command -v "$tool" >/dev/null || tap_skip_all "$tool missing (scripts/install-deps)"
done

tap_check "dpbench -q runs every packet class to its verdict" \
	"$repo/build/bench/dpbench" -q -o "$out/dp.json"
tap_check "throughput.sh --quick measures every system with half the frames passed" \
	env SG_BENCH_OUT="$out" TMPDIR="$out" "$repo/bench/throughput.sh" --quick
tap_check "both write results of the report's shape" \
	/usr/bin/python3 "$repo/bench/report.py" "$out" --check --require dataplane,throughput
tap_check "the report renders from them, with its plot" \
	/usr/bin/python3 "$repo/bench/report.py" "$out" --rst "$out/performance.rst" \
	--images "$out/images"
tap_check "the plot is a PNG" grep -q PNG "$out/images/perf-ns-per-packet.png"
tap_check "the report is valid reStructuredText" /usr/bin/python3 -c '
import sys, docutils.core
docutils.core.publish_string(open(sys.argv[1]).read(), writer_name="null",
                             settings_overrides={"report_level": 2, "halt_level": 2})
' "$out/performance.rst"
tap_done
