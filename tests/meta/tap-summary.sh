#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test infrastructure tested: make check is only as honest as
# tests/lib/tap-summary's counting and tests/lib/run-suites' reporting, so
# feed them crashes, timeouts, skips, silent suites and lost VMs and check
# the final line of each.
. "$(dirname "$0")/../lib/tap.sh"

lib=$PWD/tests/lib
tmp=$(mktemp -d)
on_exit rm -rf "$tmp"

# expect NAME WANT-LINE WANT-STATUS STREAM[=STATUS]...: the last line of
# tap-summary over the streams is WANT-LINE and its exit status WANT-STATUS.
expect() {
	local name=$1 want=$2 want_status=$3 out status

	shift 3
	out=$("$lib/tap-summary" "$@" 2>&1) && status=0 || status=$?
	if [ "$(tail -n1 <<<"$out")" = "$want" ] && [ "$status" = "$want_status" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "want: $want (exit $want_status), got exit $status:" "$out"
	fi
}

# stream NAME: a run-suites stream from stdin, the marker lines added
# around the suite output; "@exit N" lines end a suite with status N.
stream() {
	awk -v name="$1" '
		/^@suites / { sub(/^@suites /, ""); print "# ---- suites: " $0 " ----"; next }
		/^@start / { print "# ---- suite " $2 " start (timeout 300s) ----"; s = $2; next }
		/^@exit / { print "# ---- suite " s " exit " $2 " (1.0s) ----"; next }
		{ print }' >"$tmp/$1"
	echo "$tmp/$1"
}

s=$(stream kselftest <<'EOF2'
@suites a
@start a
TAP version 13
1..4
# Starting 4 tests from 1 test cases.
#  RUN           global.one ...
#            OK  global.one
ok 1 global.one
ok 2 global.two # SKIP no device
not ok 3 global.three
#  OK  global.four
ok 4 global.four
# FAILED: 2 / 4 tests passed.
@exit 1
EOF2
)
expect "kselftest output: pass, skip, fail" "2 passed, 1 failed, 1 skipped" 1 "$s=1"

s=$(stream crash <<'EOF2'
@start a
1..3
ok 1 first
@exit 139
EOF2
)
expect "a suite killed before its results counts as a failure" \
	"1 passed, 1 failed, 0 skipped" 1 "$s=1"

s=$(stream timeout <<'EOF2'
@start a
ok 1 first
not ok 2 second
# a: killed after 300s (timeout)
@exit 124
EOF2
)
expect "a suite cut short by its timeout fails once more than it reported" \
	"1 passed, 2 failed, 0 skipped" 1 "$s=1"

s=$(stream silent <<'EOF2'
@start a
just chatter, no results
@exit 0
EOF2
)
expect "a suite with no results does not pass" "0 passed, 1 failed, 0 skipped" 1 "$s"

s=$(stream short <<'EOF2'
@start a
1..3
ok 1 first
ok 2 second
@exit 0
EOF2
)
expect "fewer results than planned is a failure" "2 passed, 1 failed, 0 skipped" 1 "$s"

s=$(stream skipall <<'EOF2'
@start a
1..0 # SKIP no 6.1 kernel installed
@exit 0
@start b
ok 1 x # XFAIL known bug
ok 2 y # XPASS
not ok 3 z # TODO later
@exit 0
EOF2
)
expect "whole-suite skip, XFAIL and TODO are skips, XPASS passes" \
	"1 passed, 0 failed, 3 skipped" 0 "$s"

s=$(stream nested <<'EOF2'
@start a
    not ok 1 subtest detail
    ok 2 subtest detail
ok 1 parent
1..1
@exit 0
EOF2
)
expect "indented subtest lines are not counted" "1 passed, 0 failed, 0 skipped" 0 "$s"

s=$(stream lost <<'EOF2'
@suites a b c
@start a
ok 1 first
@exit 0
@start b
ok 1 half way
[   42.000000] Kernel panic - not syncing: oops
EOF2
)
expect "a VM dying mid-run fails the suite cut short and those never run" \
	"2 passed, 2 failed, 0 skipped" 1 "$s=125"

s=$(stream noboot <<'EOF2'
vm-run: the VM did not boot
EOF2
)
expect "a runner that failed before any suite is a failure" \
	"0 passed, 1 failed, 0 skipped" 1 "$s=125"

s=$(stream ok <<'EOF2'
@start a
ok 1 x
1..1
@exit 0
EOF2
)
expect "results of several streams are summed" "3 passed, 1 failed, 1 skipped" 1 \
	"$s" "$tmp/kselftest=1"

# run-suites end to end, with suites that pass, crash, hang and are absent.
cat >"$tmp/pass.sh" <<EOF2
#!/bin/bash
. $lib/tap.sh
tap_ok one
tap_skip two "not here"
tap_done
EOF2
cat >"$tmp/segv.sh" <<'EOF2'
#!/bin/bash
echo "ok 1 before the crash"
kill -SEGV $$
EOF2
cat >"$tmp/hang.sh" <<'EOF2'
#!/bin/bash
echo "ok 1 before the hang"
sleep 60
EOF2
chmod +x "$tmp"/*.sh
"$lib/run-suites" "$tmp/pass.sh" "$tmp/segv.sh" "$tmp/hang.sh:1" "$tmp/absent" \
	>"$tmp/run.log" 2>&1
status=$?
tap_result "run-suites exits 1 when a suite failed" $((status != 1)) "exit $status"
mkdir "$tmp/logs"
expect "run-suites: crash, timeout and missing binary each fail once" \
	"3 passed, 3 failed, 1 skipped" 1 --logs "$tmp/logs" "$tmp/run.log=$status"
tap_check "run-suites reports the timeout" grep -qx '# .*hang: killed after 1s (timeout)' "$tmp/run.log"
tap_check "each suite's output is kept in its own log" \
	grep -qx 'ok 1 before the crash' "$tmp"/logs/*-segv.tap

# tap.sh: numbering, plan at the end, exit status, clean-up on exit.
cat >"$tmp/lib.sh" <<EOF2
#!/bin/bash
. $lib/tap.sh
on_exit rm -f "$tmp/flag"
touch "$tmp/flag"
tap_check "true" true
tap_check_fails "false fails" false
tap_check "false" false
tap_done
EOF2
out=$(bash "$tmp/lib.sh") && status=0 || status=$?
want=$'ok 1 true\nok 2 false fails\nnot ok 3 false\n1..3'
got=$(grep -v '^#' <<<"$out")
[ "$got" = "$want" ]
tap_result "tap.sh numbers results and plans last" $? "want:" "$want" "got:" "$got"
tap_result "tap.sh exits 1 after a failed check" $((status != 1)) "exit $status"
tap_check_fails "tap.sh runs on_exit clean-ups" test -e "$tmp/flag"
tap_done
