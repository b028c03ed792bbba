#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# slicectl's own front end on the host, where no module can load: help,
# option and syntax errors must be reported as such, before and without
# any netlink request, with exit status 1 ("Error: ..." on stderr).
set -u

. "$(dirname "$0")/../lib/tap.sh"

SLICECTL=${BIN:-$(cd "$(dirname "$0")/../.." && pwd)/build/bin}/slicectl
[ -x "$SLICECTL" ] || tap_skip_all "slicectl not built"

TMP=$(mktemp -d)
on_exit rm -rf "$TMP"

# check_error NAME MESSAGE ARG...: exit 1, nothing on stdout, exactly
# "Error: MESSAGE" on stderr.
check_error() {
	local name=$1 msg=$2 out err status=0

	shift 2
	out=$("$SLICECTL" "$@" 2>"$TMP/stderr") || status=$?
	err=$(cat "$TMP/stderr")
	if [ "$status" -eq 1 ] && [ -z "$out" ] && [ "$err" = "Error: $msg" ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "args: $*" "exit status: $status (want 1)" \
			"stderr: $err" "want:   Error: $msg" "stdout: $out"
	fi
}

out=$("$SLICECTL" help) && status=0 || status=$?
missing=
for o in slice app rule uplink policy monitor; do
	grep -qE "^ *slicectl $o( |\$)" <<<"$out" || missing+=" $o"
done
[ "$status" = 0 ] && [ -z "$missing" ] && status=0 || status=1
tap_result "help exits 0 and lists every object" "$status" "missing:$missing" "$out"
tap_check "-help is help" bash -c '"$0" -help | grep -q "^Usage: slicectl"' "$SLICECTL"
# The release the build says (user/user.mk), the same from both tools.
version=$(sed -n 's/^SG_VERSION := //p' "$(dirname "$0")/../../user/user.mk")
for opt in -V -Version --version; do
	tap_check "slicectl $opt prints the release" \
		bash -c '[ "$("$0" "$1")" = "slicectl (sliceguard) $2" ]' "$SLICECTL" "$opt" "$version"
done
tap_check "sliceguardd --version prints the release" \
	bash -c '[ "$("$0" --version)" = "sliceguardd (sliceguard) $1" ]' \
	"$(dirname "$SLICECTL")/sliceguardd" "$version"
tap_check "app help shows the endpoint grammar" \
	bash -c '"$0" app help | grep -q "addr PREFIX \[ proto PROTO \]"' "$SLICECTL"
tap_check_fails "no object is a usage error" "$SLICECTL"
check_error "unknown object" 'unknown argument "frob"' frob
check_error "unknown option" 'unknown argument "-x"' -x slice show
check_error "option without its value" 'missing value after "-n"' -n
check_error "unknown command" 'unknown argument "frob"' slice frob
check_error "ambiguous command (set or show)" 'ambiguous argument "s"' slice s
check_error "ambiguous keyword (ue-rate or ue-to-ue)" 'ambiguous argument "ue-"' \
	slice add iot id 3 sst 3 ue- 1
check_error "missing required keyword" 'missing "sst"' slice add iot id 3
check_error "value out of range" 'vlan "5000" out of range' slice add iot id 3 sst 3 vlan 5000
check_error "bad rate unit" 'invalid rate "5parsecs"' slice add iot id 3 sst 3 rate 5parsecs
check_error "rule del needs an id" 'invalid id "x"' rule del x
check_error "trailing word after a key" 'unknown argument "b"' uplink show a b
check_error "extra word after policy command" 'unknown argument "now"' policy flush now
check_error "batch file that does not exist" "/nonexistent.sg: No such file or directory" \
	-batch /nonexistent.sg
check_error "batch and a command at once" 'unknown argument "slice"' \
	-batch /nonexistent.sg slice show

tap_done
