#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Throughput side by side: packets per second through sliceguard's
# sg_uplink, nftables (linear rules and the best form it has) and
# xdp-filter, against no filter, on one veth pair with one traffic
# generator, in one run, for policies of 1 to 100000 rules.
#
#	bench/throughput.sh [--quick]		(root; SG_BENCH_QUICK=1 = --quick)
#
# Writes ${SG_BENCH_OUT:-build/bench/results}/throughput.json and prints
# the table. The machine is shared and noisy: only ratios within one run
# mean anything, and nothing here asserts a number.
#
# Needs (Debian): netsniff-ng (trafgen), nftables, xdp-tools, bpftool,
# iproute2, jq, util-linux (unshare, nsenter), coreutils (timeout), gawk or
# mawk; and build/tests/e2e/sg-e2e-dp.
set -euo pipefail
[ -n "${SG_BENCH_TRACE:-}" ] && set -x

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
DP_TOOL=$BUILD/tests/e2e/sg-e2e-dp
TRAFGEN=/usr/sbin/trafgen
NFT=/usr/sbin/nft
XDP_FILTER=/usr/sbin/xdp-filter
BPFTOOL=/usr/sbin/bpftool

QUICK=${SG_BENCH_QUICK:-0}
for arg in "$@"; do
	case $arg in
	--quick) QUICK=1 ;;
	*) echo "usage: $0 [--quick]" >&2; exit 2 ;;
	esac
done

# Resolved before anything changes directory or namespace.
OUT_DIR=$(realpath -m "${SG_BENCH_OUT:-$ROOT/build/bench/results}")

# xdp-filter keeps its maps and programs pinned in /sys/fs/bpf/xdp-filter,
# one set for the whole system, shared by every interface it is loaded on:
# another xdp-filter on this host (there was one while this was written)
# would share our allow-list. A private mount namespace with its own
# bpffs keeps them apart, and takes our pins (and the named network
# namespaces' mounts) with it whatever way the script ends.
if [ -z "${SG_BENCH_PRIVATE_MNT:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "throughput.sh: needs root" >&2; exit 1; }
	export SG_BENCH_PRIVATE_MNT=1 SG_BENCH_QUICK=$QUICK SG_BENCH_OUT=$OUT_DIR
	exec unshare --mount --propagation private "$0"
fi
mount -t bpf bpf /sys/fs/bpf

for tool in "$TRAFGEN" "$NFT" "$XDP_FILTER" "$BPFTOOL" "$DP_TOOL"; do
	[ -x "$tool" ] || { echo "throughput.sh: $tool missing" >&2; exit 1; }
done
command -v jq >/dev/null || { echo "throughput.sh: jq missing" >&2; exit 1; }

if [ "$QUICK" = 1 ]; then
	SIZES=(1 100) TRIALS=1 SECS=1
else
	SIZES=(1 100 1024 10000 100000) TRIALS=3 SECS=3
fi
SG_MAX_RULES=$(awk '$2 == "SG_MAX_RULES" { print $3 }' "$ROOT/bpf/sliceguard_dp.h")

NS_TX=sgtp-tx-$$
NS_RX=sgtp-rx-$$
WORK=$(mktemp -d "${TMPDIR:-/tmp}/sg-throughput.XXXXXX")
DP_PID=

cleanup() {
	[ -n "$DP_PID" ] && kill "$DP_PID" 2>/dev/null
	ip netns del "$NS_TX" 2>/dev/null
	ip netns del "$NS_RX" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

nsrx() { ip netns exec "$NS_RX" "$@"; }
# nsenter keeps this mount namespace's bpffs, which ip netns exec would
# hide behind a fresh /sys.
nsrx_bpffs() { nsenter --net="/run/netns/$NS_RX" "$@"; }

# ---- topology: a sender namespace, a receiver namespace, one veth ----

ip netns add "$NS_TX"
ip netns add "$NS_RX"
ip -n "$NS_TX" link add tx0 type veth peer name rx0 netns "$NS_RX"
for ns in "$NS_TX" "$NS_RX"; do
	# IPv6 off: router solicitations would be the only other traffic.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NS_TX" link set tx0 up
ip -n "$NS_RX" link set rx0 up

# ---- the policy, one generator for every system ----

# gen N FORMAT: the policy of N rules in FORMAT (sg, nft-linear, nft-best,
# ports). As in bench/dpbench.c build_policy(): min(64, N/16) slices, slice
# i with UE pool 10.(16+i).0.0/16 and VLAN 100+i; min(256, N/4) apps at
# 10.200.x.y; rule k from slice k%S to app (k/S)%A; rule 1 (k = 0) is
# slice 0 -> app 0 port 8080, the others ranges of 2 to 30 ports from
# 10000 + 37k. UDP instead of TCP (stateless frames). Past 1024 rules the
# slices and apps stay at 64 and 256 and only rules grow; 37k wraps
# modulo 55000 so that ports stay valid, and one slice-app pair's ranges
# never overlap (nft refuses overlapping intervals in a set).
gen() {
	awk -v n="$1" -v fmt="$2" -v dev=rx0 '
function clamp(v, lo, hi) { return v < lo ? lo : v > hi ? hi : v }
function ports(k) {
	if (k == 0) { pf = 8080; pl = 8080 }
	else { pf = 10000 + (37 * k) % 55000; pl = pf + 1 + k % 29 }
}
function pstr() { return pf == pl ? pf : pf "-" pl }
function app_addr(j) { return "10.200." int(j / 256) "." (j % 256) }
BEGIN {
	S = clamp(int(n / 16), 1, 64); A = clamp(int(n / 4), 1, 256)
	if (fmt == "sg") {
		for (i = 0; i < S; i++)
			printf "slice add s%d id %d sst 1 ue 10.%d.0.0/16 vlan %d teid 0x%x-0x%x mark 0x%x\n",
				i, i + 1, 16 + i, 100 + i, (i + 1) * 4096, (i + 1) * 4096 + 4095, 256 + i
		for (j = 0; j < A; j++)
			printf "app add a%d id %d slice s%d addr %s/32\n", j, j + 1, j % S, app_addr(j)
		for (k = 0; k < n; k++) {
			ports(k)
			printf "rule add id %d from slice s%d to app a%d proto udp port %s\n",
				k + 1, k % S, int(k / S) % A, pstr()
		}
		printf "uplink add dev %s mode ip unsliced drop\n", dev
	} else if (fmt == "nft-linear") {
		# One rule per sliceguard rule; VLAN and pool in each rule are
		# the slice binding (a UE source on another VLAN matches none).
		printf "table netdev sgbench {\n\tchain ingress {\n"
		printf "\t\ttype filter hook ingress device \"%s\" priority 0; policy drop;\n", dev
		for (k = 0; k < n; k++) {
			ports(k); i = k % S
			printf "\t\tvlan id %d ip saddr 10.%d.0.0/16 ip daddr %s udp dport %s accept\n",
				100 + i, 16 + i, app_addr(int(k / S) % A), pstr()
		}
		printf "\t}\n}\n"
	} else if (fmt == "nft-best") {
		# The VLAN picks the slice through a verdict map (hash); the
		# slice chain checks the UE pool, then one lookup of
		# address . port in the slice set (concatenated intervals).
		printf "table netdev sgbench {\n"
		for (i = 0; i < S; i++) {
			printf "\tset allow%d {\n\t\ttypeof ip daddr . udp dport\n\t\tflags interval\n\t\telements = {\n", i
			for (k = i; k < n; k += S) {
				ports(k)
				printf "\t\t\t%s . %s,\n", app_addr(int(k / S) % A), pstr()
			}
			printf "\t\t}\n\t}\n"
			printf "\tchain s%d {\n\t\tip saddr != 10.%d.0.0/16 drop\n", i, 16 + i
			printf "\t\tip daddr . udp dport @allow%d accept\n\t}\n", i
		}
		printf "\tchain ingress {\n"
		printf "\t\ttype filter hook ingress device \"%s\" priority 0; policy drop;\n", dev
		printf "\t\tvlan id vmap {"
		for (i = 0; i < S; i++)
			printf "%s %d : goto s%d", i ? "," : "", 100 + i, i
		printf " }\n\t}\n}\n"
	} else if (fmt == "ports") {
		for (k = 0; k < n; k++) {
			ports(k)
			for (p = pf; p <= pl; p++)
				print p
		}
	}
}' | if [ "$2" = ports ]; then sort -nu; else cat; fi
}

# ---- traffic ----

# Two frames, sent round robin: exactly half allowed, half denied. Both
# from UE 10.16.0.2 of slice 0 on its VLAN 100 (as on an uplink, UE ->
# app) to app 0, 10.200.0.0: udp/8080 is rule 1, udp/7 no rule allows.
# The destination MAC is not the receiver's: what a filter passes ends
# right after it in ip_rcv as "otherhost", the same cheap end for every
# system, and that drop counter tells exactly how many passed.
CPU=$(($(nproc) - 1))
cat >"$WORK/frames.cfg" <<EOF
cpu($CPU): { 0x02,0x00,0x00,0x00,0x00,0x02, 0x02,0x00,0x00,0x00,0x00,0x01,
  c16(0x8100), c16(100), c16(0x0800),
  0x45, 0x00, c16(46), c16(0x1234), c16(0x4000), 64, 17, csumip(18, 37),
  10,16,0,2, 10,200,0,0, c16(40000), c16(8080), c16(26), c16(0), fill(0x55, 18) }
cpu($CPU): { 0x02,0x00,0x00,0x00,0x00,0x02, 0x02,0x00,0x00,0x00,0x00,0x01,
  c16(0x8100), c16(100), c16(0x0800),
  0x45, 0x00, c16(46), c16(0x1234), c16(0x4000), 64, 17, csumip(18, 37),
  10,16,0,2, 10,200,0,0, c16(40000), c16(7), c16(26), c16(0), fill(0x55, 18) }
EOF
# -P with one worker per CPU but frames only for the last CPU: trafgen
# pins worker i to CPU i, so this is one sender pinned to the last CPU.
# -Q: leave IRQ affinity alone (shared host). timeout sends SIGINT to the
# process group: trafgen's workers stop with its parent.
TRAFGEN_CMD="$TRAFGEN -o tx0 -i frames.cfg -P $(nproc) -Q"
WARM=0.5

# counters: "rx_packets otherhost rx_dropped tx_dropped" of the veth pair.
counters() {
	local rx tx

	rx=$(ip -n "$NS_RX" -j -s -s link show rx0 |
		jq -r '.[0].stats64.rx | "\(.packets) \(.otherhost) \(.dropped)"')
	tx=$(ip -n "$NS_TX" -j -s link show tx0 | jq -r '.[0].stats64.tx.dropped')
	echo "$rx $tx"
}

# trial: one measurement; prints "PPS PASS_FRACTION LOST". The window
# starts after WARM seconds, so start-up and the first packets (which
# store sliceguard's flow) stay out of it.
trial() {
	local a ao ad at b bo bd bt s e pid

	(cd "$WORK" && exec timeout -s INT $((SECS + 3)) \
		ip netns exec "$NS_TX" $TRAFGEN_CMD >/dev/null 2>"$WORK/trafgen.err") &
	pid=$!
	sleep "$WARM"
	read -r a ao ad at < <(counters)
	s=$EPOCHREALTIME
	sleep "$SECS"
	read -r b bo bd bt < <(counters)
	e=$EPOCHREALTIME
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	awk -v n=$((b - a)) -v p=$((bo - ao)) -v l=$((bd - ad + bt - at)) \
		-v s="$s" -v e="$e" 'BEGIN {
		printf "%d %.3f %d\n", n / (e - s), n ? p / n : 0, l }'
}

# ---- the systems ----

# sg_up N: sg-e2e-dp applies the policy and attaches, as a coprocess
# ("counters" in, JSON out); fails with its message in $WORK/dp.err.
sg_up() {
	local line

	gen "$1" sg >"$WORK/policy.sg"
	coproc DP { exec ip netns exec "$NS_RX" "$DP_TOOL" "$WORK/policy.sg" 2>"$WORK/dp.err"; }
	if ! read -r -t 60 -u "${DP[0]}" line || [ "$line" != ready ]; then
		wait "$DP_PID" 2>/dev/null || true
		DP_PID=
		return 1
	fi
}
sg_reasons() {	# the reasons that moved, as JSON
	echo counters >&"${DP[1]}"
	read -r -t 10 -u "${DP[0]}" line
	jq -c '.reasons | with_entries(select(.value > 0))' <<<"$line"
}
sg_down() {
	exec {DP[1]}>&-
	wait "$DP_PID" 2>/dev/null || true
	DP_PID=
}

nft_up() {	# N FORMAT
	gen "$1" "$2" >"$WORK/rules.nft"
	nsrx "$NFT" -f "$WORK/rules.nft"
}
nft_down() { nsrx "$NFT" delete table netdev sgbench; }

# xdp-filter allow-list: its entries are ORed (a packet passes when its
# destination port, or its source port, or an address is listed), so the
# only part of a rule it can hold without passing more than the rule is
# udp destination ports. One bpftool process inserts them all (one
# xdp-filter call per port takes minutes at 100000 rules); the value is
# xdp-filter's flags MAP_FLAG_DST | MAP_FLAG_UDP (2 | 8), which bpftool
# copies to every CPU of the per-CPU map; the key is the port as the
# program reads it, the network-order 16 bits in a host-order u32.
XF_PORTS=0
xdp_filter_up() {	# N
	local map=/sys/fs/bpf/xdp-filter/filter_ports

	nsrx_bpffs "$XDP_FILTER" load -p deny -f udp -m native rx0
	gen "$1" ports >"$WORK/ports"
	XF_PORTS=$(wc -l <"$WORK/ports")
	awk -v map="$map" '{ printf "map update pinned %s key %d %d 0 0 value 10 0 0 0 0 0 0 0\n",
		map, int($1 / 256), $1 % 256 }' "$WORK/ports" >"$WORK/ports.batch"
	"$BPFTOOL" batch file "$WORK/ports.batch" >/dev/null
}
xdp_filter_down() { nsrx_bpffs "$XDP_FILTER" unload rx0; }

# ---- the run ----

median_spread() {	# values...: "MEDIAN SPREAD" (spread: half the range, % of median)
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%d %s\n", m, (NR > 1 && m ? sprintf("±%.0f%%", 50 * (v[NR] - v[1]) / m) : "n=1") }'
}

ROWS=$WORK/rows.jsonl
CHECKS_OK=1
NOTES=$WORK/notes.jsonl
: >"$ROWS"
: >"$NOTES"
note() { jq -nc --arg t "$*" '$t' >>"$NOTES"; }
row() {	# SYSTEM RULES PPS|null SPREAD RATIO|null
	jq -nc --arg s "$1" --argjson r "$2" --argjson p "$3" --arg sp "$4" \
		--argjson ra "$5" '[$s, $r, $p, $sp, $ra]' >>"$ROWS"
	if [ "$3" = null ]; then
		printf '%-22s %7s %10s  %s\n' "$1" "$2" - "$4"
	else
		printf '%-22s %7s %10s  %-8s %s\n' "$1" "$2" "$3" "$4" "$5"
	fi
}

# measure SYSTEM N BASE: TRIALS trials, a row; warns when the filter did
# not pass half or packets were lost between the ends of the veth.
measure() {
	local sys=$1 n=$2 base=$3 pps=() pass lost t p f l ms

	for ((t = 0; t < TRIALS; t++)); do
		read -r p f l < <(trial)
		pps+=("$p")
		pass=$f lost=$l
		if [ "$sys" != "no filter" ] && awk -v f="$f" 'BEGIN { exit !(f < 0.45 || f > 0.55) }'; then
			note "$sys, $n rules: passed $f of the packets, not half: its numbers measure something else than the policy."
			CHECKS_OK=0
		fi
		[ "$l" = 0 ] || CHECKS_OK=0
		[ "$l" = 0 ] || note "$sys, $n rules: $l packets dropped between the veth ends in one trial (not counted as processed)."
	done
	read -r ms spread < <(median_spread "${pps[@]}")
	LAST_MEDIAN=$ms
	if [ "$base" = 0 ]; then
		row "$sys" "$n" "$ms" "$spread" "$(awk -v a="$ms" 'BEGIN { print a ? 1 : "null" }')"
	else
		row "$sys" "$n" "$ms" "$spread" "$(awk -v a="$ms" -v b="$base" 'BEGIN { printf "%.3g", a / b }')"
	fi
}

START=$EPOCHREALTIME
printf '%-22s %7s %10s  %-8s %s\n' system rules "pps (med)" spread ratio
for n in "${SIZES[@]}"; do
	# No filter first for every size, so each ratio has a baseline taken
	# minutes, not the whole run, away from it.
	measure "no filter" "$n" 0
	base=$LAST_MEDIAN

	if sg_up "$n"; then
		measure sliceguard "$n" "$base"
		note "sliceguard, $n rules: reasons counted over the whole block: $(sg_reasons)"
		sg_down
	else
		reason=$(tail -n 1 "$WORK/dp.err")
		if [ "$n" -gt "$SG_MAX_RULES" ]; then
			why="not reachable: the data path is capped at compile time at $SG_MAX_RULES rules (bpf/sliceguard_dp.h SG_MAX_RULES); sg-e2e-dp said: $reason"
		else
			why="failed: $reason"
		fi
		row sliceguard "$n" null "$why" null
	fi

	nft_up "$n" nft-linear
	measure "nftables linear" "$n" "$base"
	nft_down
	nft_up "$n" nft-best
	measure "nftables vmap+sets" "$n" "$base"
	nft_down

	xdp_filter_up "$n"
	measure "xdp-filter (ports)" "$n" "$base"
	note "xdp-filter, $n rules: $XF_PORTS udp destination ports in its allow-list."
	xdp_filter_down
done
[ "$CHECKS_OK" = 0 ] || note "Checked in every trial: each filter passed half the frames (the otherhost counter), and no frame was dropped between the two ends of the veth."
ELAPSED=$(awk -v s="$START" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.0f", e - s }')
echo "measured in ${ELAPSED} s"

# ---- JSON ----

KERNEL=$(uname -r)
METHOD="Two network namespaces joined by one veth pair. trafgen (netsniff-ng) sends two 64-byte IPv4 UDP frames round robin from one process pinned to CPU $CPU, through the packet mmap ring with the qdisc bypassed: UE 10.16.0.2 of slice 0 on its VLAN 100 to app 0 at 10.200.0.0, udp/8080 (rule 1, allowed) and udp/7 (no rule, denied), so exactly half the frames are allowed. The filter under test sits on the receiving veth rx0: sliceguard's sg_uplink in native XDP (programmed by sg-e2e-dp from a slicectl batch file), nftables in a netdev ingress chain, xdp-filter in native XDP; 'no filter' has nothing attached.

The counter is rx_packets of rx0 over a window of $SECS s that starts $WARM s after trafgen does, divided by the window's length. A veth delivers on the sending CPU: veth_xmit hands the frame to the receiver's XDP (NAPI) or backlog, and the softirq that runs the filter runs when the sender's transmit call re-enables bottom halves, so the sender waits for the filter and no frame is dropped unseen in between (the run checks this: rx and tx drops of the pair; rx_packets of a veth counts XDP-dropped frames too). The rate is therefore that of the whole path on one CPU: trafgen filling its ring, the transmit, the veth, the filter, and for what passes the stack up to ip_rcv, which drops it as 'otherhost' (the frames are not addressed to the receiver). That last counter says how many frames each filter passed; the run checks that it is half. Packets per second of this path, not of the filter alone: the fixed part (generator, transmit, veth) is in every number, so the ratios understate the filters' differences, and a filter that drops in XDP saves the skb path for the denied half that no filter pays in full.

Every (system, size) is measured in $TRIALS trial(s); the table shows the median and the spread (half the range, in % of the median). Each size starts with its own no-filter measurement, and the ratios of that size are to it. Kernel $KERNEL, $(nproc) CPUs, shared with other work."

# Each system's line: its medians at the sizes it reached.
SERIES=$(jq -sc '
	. as $rows | reduce $rows[][0] as $s ([]; if index([$s]) then . else . + [$s] end) |
	map(. as $s | {name: $s,
		points: [$rows[] | select(.[0] == $s and .[2] != null) | [.[1], .[2]]]})' "$ROWS")

XF_NOTE="xdp-filter's model: an allow-list (load -p deny) of destination or source UDP/TCP ports, IPv4/IPv6 addresses (exact, at most 10000 per family) and MAC addresses, every entry matched on its own: a packet passes when any one field is listed. It cannot say 'this source to that address on that port': a rule is a conjunction, and listing the apps' addresses would pass every port to them. So it holds the only part of the policy it can hold without passing more than the policy: the udp destination ports of all rules (their union; the 'rules' column is the size of the policy they came from). It has no slices, no UE pools, no VLAN or TEID binding, no spoof checks, no flows, no rates, no prefixes or port ranges (each port of a range is one entry): on this traffic it passes and drops the same frames as the others, on other traffic it would pass what the policy denies. Its port map is an array of 65536 entries, so its cost does not depend on the number of ports."
NFT_NOTE="nftables runs in a netdev ingress chain (no conntrack there, so it is stateless where sliceguard keeps flows: sliceguard's allowed half is a flow-table hit after the first packet). 'linear': one rule per sliceguard rule, 'vlan id V ip saddr POOL ip daddr APP udp dport PORTS accept', policy drop; the allowed frames match the first rule, the denied ones walk them all. 'vmap+sets': a verdict map from VLAN to one chain per slice, which drops a source outside the slice's pool and accepts 'ip daddr . udp dport' found in the slice's set of concatenated intervals. A single set of 'vlan id . ip saddr . ip daddr . udp dport' intervals was tried first and was about 25 times slower at 100000 rules (its lookup is linear in the number of elements), hence this form. Both are loaded with one 'nft -f'."
SG_NOTE="sliceguard: the policy mirrors bench/dpbench.c build_policy() with UDP rules; sg-e2e-dp compiles and applies it, attaches sg_uplink in native XDP to rx0, with its TC companions (the ingress one that copies the verdict's mark into the skb of what passes, and the egress program, unused here). The data path is sized at compile time (bpf/sliceguard_dp.h: 64 slices, 256 apps, $SG_MAX_RULES rules): larger policies are refused when applied, and the table says so for those sizes rather than leaving them out. It does more per packet than the others: slice classification with the VLAN binding and the spoof checks, the host and app lookups, flows, counters per reason, slice, app and rule."
VETH_NOTE="veth's native XDP works on skbs: the AF_PACKET frame has less than XDP's 256 bytes of headroom, so veth copies it into a new buffer before the program runs. A NIC's XDP runs on the DMA buffer before any skb exists; on a NIC, the XDP systems (sliceguard, xdp-filter) would gain against nftables and against no filter. These numbers compare the systems with each other on this machine, they are not what any of them does on hardware."

mkdir -p "$OUT_DIR"
jq -n --arg method "$METHOD" \
	--arg cmd "ip netns exec $NS_TX $TRAFGEN_CMD   (under timeout -s INT)" \
	--arg frames "frames.cfg: $(tr -s ' \n\t' ' ' <"$WORK/frames.cfg")" \
	--arg sgcmd "ip netns exec $NS_RX $DP_TOOL policy.sg   (slicectl batch grammar, generated)" \
	--arg nftcmd "ip netns exec $NS_RX $NFT -f rules.nft" \
	--arg xfcmd "nsenter --net=/run/netns/$NS_RX $XDP_FILTER load -p deny -f udp -m native rx0; $BPFTOOL batch file ports.batch   (map update pinned /sys/fs/bpf/xdp-filter/filter_ports key P_HI P_LO 0 0 value 10 0 0 0 0 0 0 0)" \
	--arg cnt "ip -n $NS_RX -j -s -s link show rx0   (stats64.rx.packets, .otherhost)" \
	--arg quick "$QUICK" --arg elapsed "$ELAPSED" \
	--arg xfnote "$XF_NOTE" --arg nftnote "$NFT_NOTE" --arg sgnote "$SG_NOTE" \
	--arg vethnote "$VETH_NOTE" \
	--slurpfile rows "$ROWS" --slurpfile notes "$NOTES" --argjson series "$SERIES" '
{component: "throughput",
 title: "Throughput: sliceguard, nftables and xdp-filter on a veth, half allowed, half denied",
 method: $method,
 commands: [$cmd, $frames, $sgcmd, $nftcmd, $xfcmd, $cnt],
 tables: [{title: ("Packets per second through the receiving veth by policy size" +
		(if $quick == "1" then " (quick mode: 1 trial of 1 s)" else "" end)),
	   columns: ["system", "rules", "pps (median)", "spread", "ratio to no filter"],
	   rows: $rows}],
 series: {xlabel: "rules", ylabel: "packets per second", lines: $series},
 notes: ([$sgnote, $nftnote, $xfnote, $vethnote,
	  "The ratios compare systems measured minutes apart on a shared 2-CPU machine; differences of a few percent are noise. Measured in \($elapsed) s."]
	 + $notes)}' >"$OUT_DIR/throughput.json"
echo "wrote $OUT_DIR/throughput.json"
