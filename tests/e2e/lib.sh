# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by the end-to-end suites (dataplane.sh, attacks.sh), so
# that both drive the data path and read its counters the same way.
# Source it after tests/lib/tap.sh:
#
#	. "$HERE/../lib/tap.sh"
#	. "$HERE/lib.sh"
#	e2e_require
#	netns_create R RAN ...
#
# The topology helpers (ue, app) use the suite's $R (the MEC host, where
# the data path runs) and $RAN (the bridge in front of the uplink).

E2E_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${BUILD:-$E2E_HERE/../../build}
DP_TOOL=$BUILD/tests/e2e/sg-e2e-dp

# Debian's python3, which python3-scapy installs into (a python3 earlier in
# PATH, e.g. pyenv's, would not see it).
PY=/usr/bin/python3

# e2e_require: skip the whole suite where it cannot run; make $WORK.
e2e_require() {
	[ -x "$DP_TOOL" ] || tap_skip_all "$DP_TOOL not built"
	"$PY" -c 'import scapy' 2>/dev/null ||
		tap_skip_all "python3-scapy missing (scripts/install-deps)"
	command -v jq >/dev/null || tap_skip_all "jq missing"
	modprobe -q veth 2>/dev/null
	modprobe -q bridge 2>/dev/null
	WORK=$(mktemp -d)
	on_exit rm -rf "$WORK"
}

nsx() {
	local ns=$1

	shift
	ip netns exec "$ns" "$@"
}

# quiet_ns NS: IPv6 off: router solicitations and MLD would only add noise
# to the counters the suites read.
quiet_ns() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
}

# ue NS PORT ADDR GW: a UE host on the RAN bridge br0.
ue() {
	ip -n "$RAN" link add "$2" type veth peer name eth0 netns "$1" || return
	ip -n "$RAN" link set "$2" master br0 up || return
	ip -n "$1" addr add "$3/16" dev eth0 || return
	ip -n "$1" link set eth0 up || return
	ip -n "$1" route add default via "$4"
}

# app NS HOSTIF N: a MEC app at 10.99.N.2 behind HOSTIF (10.99.N.1) of $R.
app() {
	ip -n "$R" link add "$2" type veth peer name eth0 netns "$1" || return
	ip -n "$R" addr add "10.99.$3.1/24" dev "$2" || return
	ip -n "$R" link set "$2" up || return
	ip -n "$1" addr add "10.99.$3.2/24" dev eth0 || return
	ip -n "$1" link set eth0 up || return
	ip -n "$1" route add default via "10.99.$3.1"
}

# dp_start POLICY: run sg-e2e-dp in $R as a coprocess ("counters" and
# "apply FILE" in, JSON and "ok" out); ends the suite if it does not come
# up.
dp_start() {
	coproc DP { exec ip netns exec "$R" "$DP_TOOL" "$1" 2>"$WORK/dp.err"; }
	DP_IN=${DP[1]}
	DP_OUT=${DP[0]}
	on_exit kill "$DP_PID"
	if ! read -r -t 30 -u "$DP_OUT" line || [ "$line" != ready ]; then
		tap_fail "sg-e2e-dp loads, applies $(basename "$1") and attaches" \
			"$(cat "$WORK/dp.err")"
		tap_done
	fi
	tap_ok "sg-e2e-dp loads, applies $(basename "$1") and attaches"
}

# dp_apply FILE: replace the policy; succeeds when sg-e2e-dp says ok.
dp_apply() {
	local reply

	echo "apply $1" >&"$DP_IN" && read -r -t 30 -u "$DP_OUT" reply &&
		[ "$reply" = ok ]
}

COUNTERS=
counters() {
	echo counters >&"$DP_IN" && read -r -t 10 -u "$DP_OUT" COUNTERS
}

# snap, then delta REASON...: sum of the named reasons' packet counters
# that moved since the snapshot.
SNAP=
snap() {
	counters && SNAP=$COUNTERS
}
delta() {
	local expr=0 r

	counters || return
	for r in "$@"; do
		expr="$expr + (\$new.reasons.$r - \$old.reasons.$r)"
	done
	jq -n --argjson old "$SNAP" --argjson new "$COUNTERS" "$expr"
}

# expect_reason NAME MIN REASON...: at least MIN packets ended in REASON(s)
# since the last snap. Polled for up to 3 s: packets sent just before may
# still be on their way (the emulated VM is slow).
expect_reason() {
	local name=$1 min=$2 d deadline=$((${EPOCHREALTIME/./} + 3000000))

	shift 2
	while d=$(delta "$@") && [ "$d" -lt "$min" ] &&
		[ "${EPOCHREALTIME/./}" -lt "$deadline" ]; do
		sleep 0.1
	done
	tap_result "$name: counted as $* (>= $min)" "$((d >= min ? 0 : 1))" \
		"counted $d"
}

# expect_no_reason NAME REASON...: none of REASON(s) moved since the last
# snap (e.g. an attack must not have been taken for RELATED). Check it
# after something showing that the packets in question were decided.
expect_no_reason() {
	local name=$1 d

	shift
	d=$(delta "$@")
	tap_result "$name: not counted as $*" "$((d == 0 ? 0 : 1))" \
		"counted $d"
}

# listening NS t|u PORT: a socket is bound there (ss exits 0 either way).
listening() {
	[ -n "$(nsx "$1" ss -Hln"$2" "sport = :$3")" ]
}

tcp_exchange() {	# CLIENT_NS SERVER_NS ADDR PORT
	rm -f "$WORK/rx"
	nsx "$2" timeout 5 nc -l "$3" "$4" >"$WORK/rx" &
	local srv=$!

	wait_for listening "$2" t "$4" 3 || return
	echo "hello $4" | nsx "$1" timeout 3 nc -N -w 2 "$3" "$4"
	local st=$?

	wait "$srv"
	[ "$st" -eq 0 ] && grep -q "hello $4" "$WORK/rx"
}

udp_exchange() {	# CLIENT_NS SERVER_NS ADDR PORT
	rm -f "$WORK/rx"
	nsx "$2" timeout 3 nc -u -l "$3" "$4" >"$WORK/rx" &
	local srv=$!

	wait_for listening "$2" u "$4" 3 || return
	echo "hello $4" | nsx "$1" timeout 2 nc -u -w 1 "$3" "$4"
	wait "$srv"
	grep -q "hello $4" "$WORK/rx"
}

# udp_from NS SPORT DST DPORT [PAYLOAD]: one datagram from a fixed source
# port (SO_REUSEADDR: a receiver of the same suite may hold that port).
udp_from() {
	nsx "$1" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[2] else socket.AF_INET,
                  socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sys.argv[1])))
s.sendto(sys.argv[4].encode(), (sys.argv[2], int(sys.argv[3])))
' "$2" "$3" "$4" "${5:-flow}"
}

# flood NS DST PORT COUNT [SPORT]: send COUNT UDP datagrams as fast as
# possible (from SPORT when given).
flood() {
	nsx "$1" "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if len(sys.argv) > 4:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", int(sys.argv[4])))
dst = (sys.argv[1], int(sys.argv[2]))
for i in range(int(sys.argv[3])):
    try:
        s.sendto(b"x" * 64, dst)
    except OSError:
        pass
' "$2" "$3" "$4" ${5:+"$5"}
}
