#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end test of the sliceguard data path with real traffic.
#
# UE hosts of three slices (eMBB, URLLC, mIoT) sit behind a RAN bridge whose
# link into the MEC host ("router" namespace) is the uplink up0, where
# sg_uplink runs in XDP. Three MEC apps live in their own namespaces behind
# veths whose host ends carry sg_app. The router forwards between them.
# sg-e2e-dp programs the data path from policy.sg (slicectl batch grammar)
# and reports counters, so every blocked attack is checked twice: the
# traffic does not get through, and the reason counter says why.
#
# Runs on the host kernel (no module needed) and in the VM.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/tap.sh"
. "$HERE/lib.sh"
e2e_require

netns_create R RAN UE_E UE_U UE_I APP_V APP_C APP_T

setup() {
	local ns

	for ns in "$R" "$RAN" "$UE_E" "$UE_U" "$UE_I" "$APP_V" "$APP_C" "$APP_T"; do
		quiet_ns "$ns" || return
	done
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 || return
	ip netns exec "$R" sysctl -qw net.ipv4.conf.all.send_redirects=0 || return

	# RAN: a bridge joining the UEs to the uplink.
	ip -n "$RAN" link add br0 type bridge || return
	ip -n "$RAN" link set br0 up || return
	ip -n "$R" link add up0 type veth peer name ran0 netns "$RAN" || return
	ip -n "$RAN" link set ran0 master br0 up || return
	ip -n "$R" link set up0 up || return
	ip -n "$R" addr add 10.10.0.1/16 dev up0 &&
	ip -n "$R" addr add 10.20.0.1/16 dev up0 &&
	ip -n "$R" addr add 10.30.0.1/16 dev up0 || return

	ue "$UE_E" ue-e 10.10.0.2 10.10.0.1 || return
	ue "$UE_U" ue-u 10.20.0.2 10.20.0.1 || return
	ue "$UE_I" ue-i 10.30.0.2 10.30.0.1 || return

	app "$APP_V" vid0 1 || return
	app "$APP_C" ctl0 2 || return
	app "$APP_T" tel0 3 || return
}

cat >"$WORK/policy.sg" <<'EOF'
# Three slices of untagged UEs (the host kernel may have no 802.1Q, so the
# RAN cannot tag real traffic), bound by their pools; IoT is policed to 20
# packets/s as a whole, far below what any sender here reaches, even in the
# emulated VM. V2X declares VLAN 400: its UEs are accepted on that VLAN
# only, which crafted frames check.
slice add embb id 1 sst 1 ue 10.10.0.0/16 mark 0x10
slice add urllc id 2 sst 2 ue 10.20.0.0/16 mark 0x20
slice add iot id 3 sst 3 sd 0x000010 ue 10.30.0.0/16 pps 20 mark 0x30
slice add v2x id 4 sst 4 ue 10.40.0.0/16 vlan 400 mark 0x40
app add video id 10 slice embb addr 10.99.1.2 proto tcp port 8080 addr 10.99.1.2 proto udp port 9000 addr 10.99.1.2 proto icmp dev vid0
app add ctrl id 20 slice urllc addr 10.99.2.2 proto udp port 5000 addr 10.99.2.2 proto icmp dev ctl0
app add telem id 30 slice iot slice v2x addr 10.99.3.2 proto tcp port 1883 addr 10.99.3.2 proto udp port 5683 dev tel0
rule add id 1 from slice embb to app video proto tcp port 8080
rule add id 2 from slice embb to app video proto udp port 9000
rule add id 3 from slice embb to app video proto icmp
rule add id 4 from slice urllc to app ctrl proto udp port 5000
rule add id 5 from slice urllc to app ctrl proto icmp
rule add id 6 from slice iot to app telem proto tcp port 1883
rule add id 7 from slice iot to app telem proto udp port 5683
rule add id 8 from app ctrl to slice urllc proto udp port 6000
rule add id 9 from slice v2x to app telem proto udp port 5683
uplink add dev up0 mode ip unsliced drop
EOF

if ! out=$(setup 2>&1); then
	tap_fail "topology: namespaces, bridge, veths" "$out"
	tap_done
fi
tap_ok "topology: 3 UE hosts behind uplink up0, 3 MEC apps, router"

# The data path, driven through a coprocess: "counters" in, JSON out.
dp_start "$WORK/policy.sg"

# ---- Allowed flows ----

snap
tap_check "eMBB UE -> video tcp/8080 connects" tcp_exchange "$UE_E" "$APP_V" 10.99.1.2 8080
tap_check "eMBB UE -> video ping" nsx "$UE_E" ping -c 2 -W 2 -i 0.2 10.99.1.2
tap_check "URLLC UE -> ctrl udp/5000 delivers" udp_exchange "$UE_U" "$APP_C" 10.99.2.2 5000
tap_check "mIoT UE -> telem tcp/1883 connects" tcp_exchange "$UE_I" "$APP_T" 10.99.3.2 1883
tap_check "ctrl -> URLLC UE udp/6000 (served slice, rule) delivers" \
	udp_exchange "$APP_C" "$UE_U" 10.20.0.2 6000
expect_reason "allowed flows" 4 RULE
expect_reason "replies of allowed flows" 3 REPLY
expect_reason "flow continuation" 3 FLOW
counters
mark_slices=$(jq -r '[.slices.embb.pass_packets, .slices.urllc.pass_packets, .slices.iot.pass_packets] | map(. > 0) | all' <<<"$COUNTERS")
tap_result "per-slice pass counters moved for all three slices" \
	"$([ "$mark_slices" = true ] && echo 0 || echo 1)" "$COUNTERS"

# ---- Attacks ----

snap
tap_check_fails "mIoT UE -> video tcp/8080 (cross-slice UE->app) blocked" \
	tcp_exchange "$UE_I" "$APP_V" 10.99.1.2 8080
expect_reason "cross-slice UE->app" 1 NO_RULE

snap
tap_check_fails "mIoT UE -> eMBB UE ping (cross-slice UE->UE) blocked" \
	nsx "$UE_I" ping -c 2 -W 1 -i 0.2 10.10.0.2
expect_reason "cross-slice UE->UE" 2 NO_RULE

snap
tap_check_fails "URLLC UE -> ctrl udp/5001 (no such endpoint) blocked" \
	udp_exchange "$UE_U" "$APP_C" 10.99.2.2 5001
expect_reason "port outside the app's endpoints" 1 NO_ENDPOINT

# Crafted frames into the uplink from the RAN side, all from one scapy
# process (its start-up is slow in the emulated VM): each kind is sent a
# different number of times so that the counters tell them apart.
UP0_MAC=$(ip -n "$R" -j link show up0 | jq -r '.[0].address')
craft_uplink() {
	nsx "$RAN" "$PY" - "$UP0_MAC" <<'PY'
import sys
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import Ether, Dot1Q, Dot1AD, IP, UDP, TCP, sendp, conf
conf.verb = 0
eth = Ether(dst=sys.argv[1])
frames = [
    # eMBB source on the V2X VLAN 400: SPOOF
    (3, eth/Dot1Q(vlan=400)/IP(src='10.10.0.2', dst='10.99.3.2')/UDP(sport=4000, dport=5683)),
    # V2X source untagged, on VID 0 (a priority tag) and on VLAN 999 of
    # another network on the trunk: V2X only speaks on VLAN 400, SPOOF
    (2, eth/IP(src='10.40.0.2', dst='10.99.3.2')/UDP(sport=4000, dport=5683)),
    (1, eth/Dot1Q(vlan=0)/IP(src='10.40.0.2', dst='10.99.3.2')/UDP(sport=4000, dport=5683)),
    (1, eth/Dot1Q(vlan=999)/IP(src='10.40.0.2', dst='10.99.3.2')/UDP(sport=4000, dport=5683)),
    # QinQ: outer VLAN 400 hiding inner VLAN 300: VLAN_STACKED
    (5, eth/Dot1AD(vlan=400)/Dot1Q(vlan=300)/IP(src='10.30.0.2', dst='10.99.1.2')/TCP(dport=8080, flags='S')),
    # positive control: the same frame on V2X's own VLAN is allowed
    (6, eth/Dot1Q(vlan=400)/IP(src='10.40.0.2', dst='10.99.3.2')/UDP(sport=4001, dport=5683)),
]
for count, frame in frames:
    sendp(frame, iface='ran0', count=count)
PY
}

snap
tap_check "send crafted frames into the uplink (VLAN spoofs, QinQ, VID 0)" craft_uplink
expect_reason "eMBB source on V2X's VLAN; V2X source untagged, VID 0, VLAN 999" 7 SPOOF
expect_reason "QinQ hiding the outer VLAN" 5 VLAN_STACKED
expect_reason "V2X source on its own VLAN: allowed" 6 RULE FLOW

# A compromised app scans every other app and port, with plain sockets:
# non-blocking connects and connected UDP sockets (an ICMP port
# unreachable would show as ECONNREFUSED). Prints "PROBES ANSWERED".
scan() {	# NS TARGET...
	nsx "$1" "$PY" - "${@:2}" <<'PY'
import errno
import select
import socket
import sys
import time

targets = [(dst, 'tcp', p) for dst in sys.argv[1:]
           for p in list(range(1, 1101)) + [1883, 5683, 8080, 9000]]
targets += [(dst, 'udp', p) for dst in sys.argv[1:] for p in (53, 5000, 5683, 9000)]
answered = 0
for i in range(0, len(targets), 500):
    batch = []
    for dst, proto, port in targets[i:i + 500]:
        s = socket.socket(socket.AF_INET,
                          socket.SOCK_STREAM if proto == 'tcp' else socket.SOCK_DGRAM)
        s.setblocking(False)
        if proto == 'tcp':
            s.connect_ex((dst, port))
        else:
            s.connect((dst, port))
            s.send(b'probe')
        batch.append((proto, s))
    time.sleep(2)
    for proto, s in batch:
        if proto == 'tcp':
            # connected, or refused by a RST: either is an answer
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) in (0, errno.ECONNREFUSED) \
                    and select.select([], [s], [], 0)[1]:
                answered += 1
        else:
            try:
                s.recv(100)
                answered += 1
            except BlockingIOError:
                pass
            except ConnectionRefusedError:
                answered += 1
        s.close()
print(len(targets), answered)
PY
}

snap
# (no process substitution: the VM has no /dev/fd)
scan_out=$(scan "$APP_T" 10.99.1.2 10.99.2.2 2>&1)
read -r sent answers <<<"$scan_out"
tap_result "telem scanning video and ctrl (2216 probes): no answer" \
	"$([ "${sent:-}" = 2216 ] && [ "${answers:-}" = 0 ] && echo 0 || echo 1)" \
	"probes: ${sent:-none}, answered: ${answers:-none}" "$scan_out"
expect_reason "east-west scan" 2216 NO_RULE NO_ENDPOINT

# An app sending with another app's source address (raw IP socket).
spoof_from_app() {	# NS SRC DST
	nsx "$1" "$PY" - "$2" "$3" <<'PY'
import socket
import struct
import sys

src, dst = (socket.inet_aton(a) for a in sys.argv[1:3])
udp = struct.pack('!HHHH', 8080, 4000, 8 + 5, 0) + b'spoof'
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0x4000, 64, 17, 0,
                 src, dst)
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
for _ in range(3):
    s.sendto(ip + udp, (sys.argv[2], 0))
PY
}

snap
tap_check "send from telem with video's source address" \
	spoof_from_app "$APP_T" 10.99.1.2 10.30.0.2
expect_reason "app spoofing another app's address" 3 SPOOF

snap
tap_check_fails "telem -> eMBB UE udp/6000 (app -> UE of an unserved slice) blocked" \
	udp_exchange "$APP_T" "$UE_E" 10.10.0.2 6000
expect_reason "app -> UE of an unserved slice" 1 NO_RULE

snap
tap_check_fails "video -> eMBB UE tcp/7000 (responder opening a flow back) blocked" \
	tcp_exchange "$APP_V" "$UE_E" 10.10.0.2 7000
expect_reason "responder opening a flow back" 1 NO_RULE

# ---- Policy replaced live ----

# Without rule 3 (eMBB -> video ICMP). Explicit rule ids: an id is what a
# flow entry remembers of its rule.
sed '/^rule add id 3 /d' "$WORK/policy.sg" >"$WORK/policy-noicmp.sg"
counters
gen0=$(jq .generation <<<"$COUNTERS")
tap_check "apply a policy without eMBB's ICMP rule" dp_apply "$WORK/policy-noicmp.sg"
snap
tap_check_fails "eMBB ping to video now blocked (its flow ended with its rule)" \
	nsx "$UE_E" ping -c 2 -W 1 -i 0.2 10.99.1.2
expect_reason "ICMP after its rule was removed" 2 NO_RULE
tap_check "apply the first policy again" dp_apply "$WORK/policy.sg"
tap_check "eMBB ping to video passes again" nsx "$UE_E" ping -c 2 -W 2 -i 0.2 10.99.1.2
counters
tap_result "each apply is a new generation" \
	"$([ "$(jq .generation <<<"$COUNTERS")" = $((gen0 + 2)) ] && echo 0 || echo 1)" \
	"before: $gen0, after: $(jq .generation <<<"$COUNTERS")"

# The id of a removed rule, taken by another rule (the policy store hands
# out the lowest free id), must not revive the removed rule's flows.
sed 's/^rule add id 2 from slice embb to app video proto udp port 9000$/rule add id 2 from slice urllc to app ctrl proto tcp port 7/' \
	"$WORK/policy.sg" >"$WORK/policy-reuse.sg"

# Video counts what reaches it on udp/9000 until told to stop (SIGTERM);
# ip netns exec execs python, so $! is python's pid.
ip netns exec "$APP_V" "$PY" -c '
import signal, socket, sys
n = 0
def stop(*_):
    print(n, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.99.1.2", 9000))
while True:
    s.recv(100)
    n += 1
' >"$WORK/rx9000" &
rx_pid=$!
wait_for listening "$APP_V" u 9000 10
snap
udp_from "$UE_E" 4444 10.99.1.2 9000
expect_reason "eMBB udp/9000 flow opened by rule 2" 1 RULE
tap_check "apply a policy where rule 2 is another rule" dp_apply "$WORK/policy-reuse.sg"
snap
udp_from "$UE_E" 4444 10.99.1.2 9000
udp_from "$UE_E" 4444 10.99.1.2 9000
flow_delta=$(delta FLOW)
expect_reason "the old flow's packets" 2 NO_RULE
tap_result "the old flow's packets are not FLOW under the reused id" \
	"$([ "$flow_delta" = 0 ] && echo 0 || echo 1)" "FLOW moved by $flow_delta"
sleep 1
kill "$rx_pid"
wait "$rx_pid"
tap_result "video received only the datagram sent under the old rule" \
	"$([ "$(cat "$WORK/rx9000")" = 1 ] && echo 0 || echo 1)" \
	"received: $(cat "$WORK/rx9000")"
tap_check "apply the first policy again" dp_apply "$WORK/policy.sg"

# ---- Flood: IoT policed, eMBB keeps its rate ----

N=3000
counters
before=$COUNTERS
flood "$UE_I" 10.99.3.2 5683 "$N" &
p1=$!
flood "$UE_E" 10.99.1.2 9000 "$N" &
p2=$!
wait "$p1" "$p2"
sleep 0.5
counters
ratios=$(jq -n --argjson o "$before" --argjson n "$COUNTERS" '
	def pass(s): ($n.slices[s].pass_packets - $o.slices[s].pass_packets);
	def drop(s): ($n.slices[s].drop_packets - $o.slices[s].drop_packets);
	def frac(s): pass(s) / ([pass(s) + drop(s), 1] | max);
	{iot_pass: pass("iot"), iot_drop: drop("iot"),
	 embb_pass: pass("embb"), embb_drop: drop("embb"),
	 iot_frac: frac("iot"), embb_frac: frac("embb"),
	 rate_slice: ($n.reasons.RATE_SLICE - $o.reasons.RATE_SLICE)}')
tap_diag "flood of $N datagrams from each slice: $(jq -c . <<<"$ratios")"
# Ratios within this one run: the policed slice passes well under half of
# the share the unpoliced one does, and its drops are RATE_SLICE.
tap_result "mIoT flood policed while eMBB keeps its rate (pass fractions)" \
	"$(jq -e '.iot_frac * 2 < .embb_frac and .embb_frac >= 0.95' <<<"$ratios" \
		>/dev/null && echo 0 || echo 1)" "$ratios"
tap_result "mIoT flood drops counted as RATE_SLICE" \
	"$(jq -e ".rate_slice >= $N / 2" <<<"$ratios" >/dev/null && echo 0 || echo 1)" \
	"$ratios"

tap_done
