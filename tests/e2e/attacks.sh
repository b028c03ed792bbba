#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Adversarial end-to-end suite: the identity binding of issue 7
# (Documentation/datapath.rst, "Source and destination", "Neighbour
# discovery", "Fragments", "Identity binding") attacked with real traffic.
#
# Same approach as dataplane.sh (tests/e2e/lib.sh): namespaces, the data
# path programmed by sg-e2e-dp from a slicectl batch policy, counters read
# as JSON. Every attack is checked twice, at the receiver (the frame does
# not reach the target's interface, its socket learns nothing) and by the
# reason counter, and each has a positive control: the same method, with
# the right identity, delivers. Test names carry the risk of
# ../shared/threat-model.md they cover: "T1" network slicing (cross-slice
# lateral movement, another slice's identity), "T2" edge computing
# (cross-app, an app's identity), "T3" shared infrastructure (the
# management side of the host), "T4" mMTC (flooding, rate policing).
#
# Topology: UE hosts of eMBB and mIoT behind the RAN bridge and uplink up0
# (XDP); apps video (serves eMBB) and telem (serves mIoT and V2X) behind
# vid0 and tel0 (TC); a management namespace behind mg0, an interface of
# the router that is neither uplink nor app. IPv6 is on where the ND cases
# need it (UEs, video, the router's up0 and vid0), off elsewhere.
#
# Crafted packets are built by one scapy process (its start-up is slow in
# the emulated VM) and sent by a small python sender from the namespace
# they come from; receivers are python sinks (AF_PACKET capture plus UDP
# sockets) and connected UDP sockets with IP_RECVERR, which see exactly
# the ICMP errors the kernel hands an application.
#
# Runs on the host kernel (no module needed) and in the VM.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/tap.sh"
. "$HERE/lib.sh"
e2e_require

netns_create R RAN UE_E UE_I APP_V APP_T MGMT

# The ND cases need IPv6 in the kernel; without it they are skipped.
V6=0
[ -d /proc/sys/net/ipv6/conf ] && V6=1

# v6_ns NS: IPv6 on, without DAD (addresses usable at once: no waiting,
# no tentative-address retries while counters are read).
v6_ns() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.default.disable_ipv6=0 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
}

setup() {
	local ns

	for ns in "$RAN" "$APP_T" "$MGMT"; do
		quiet_ns "$ns" || return
	done
	for ns in "$R" "$UE_E" "$UE_I" "$APP_V"; do
		[ "$V6" = 0 ] || v6_ns "$ns" || return
	done
	# The router forwards whatever its routes say: no reverse-path filter
	# (the management veth must be able to inject a UE source, which is
	# exactly what app egress has to catch), no redirects on hairpins.
	nsx "$R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.default.send_redirects=0 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 || return

	ip -n "$RAN" link add br0 type bridge || return
	ip -n "$RAN" link set br0 up || return
	ip -n "$R" link add up0 type veth peer name ran0 netns "$RAN" || return
	ip -n "$RAN" link set ran0 master br0 up || return
	ip -n "$R" link set up0 up || return
	ip -n "$R" addr add 10.10.0.1/16 dev up0 &&
	ip -n "$R" addr add 10.30.0.1/16 dev up0 || return
	ue "$UE_E" ue-e 10.10.0.2 10.10.0.1 || return
	ue "$UE_I" ue-i 10.30.0.2 10.30.0.1 || return
	app "$APP_V" vid0 1 || return
	app "$APP_T" tel0 3 || return

	# The management veth: neither uplink nor app in the policy.
	ip -n "$R" link add mg0 type veth peer name eth0 netns "$MGMT" || return
	ip -n "$R" addr add 10.98.0.1/24 dev mg0 &&
	ip -n "$R" link set mg0 up &&
	ip -n "$MGMT" addr add 10.98.0.2/24 dev eth0 &&
	ip -n "$MGMT" link set eth0 up &&
	ip -n "$MGMT" route add default via 10.98.0.1 || return
	[ "$V6" = 0 ] || setup_v6
}

setup_v6() {
	nsx "$R" sysctl -qw net.ipv6.conf.all.forwarding=1 \
		net.ipv6.conf.tel0.disable_ipv6=1 net.ipv6.conf.mg0.disable_ipv6=1 || return
	# The UEs' gateway is link-local only, as routers are; a global
	# gateway address inside a UE pool would be a UE of that slice, and
	# ND toward it would be decided by rules.
	ip -n "$R" addr add fe80::1/64 dev up0 &&
	ip -n "$R" route add fd00:10::/64 dev up0 &&
	ip -n "$R" route add fd00:30::/64 dev up0 || return
	# a link-local of its own, known now (the kernel's comes with the
	# carrier, up to a second later)
	ip -n "$UE_E" addr add fe80::e/64 dev eth0 &&
	ip -n "$UE_E" addr add fd00:10::2/64 dev eth0 &&
	ip -n "$UE_E" route add default via fe80::1 dev eth0 || return
	ip -n "$UE_I" addr add fd00:30::2/64 dev eth0 &&
	ip -n "$UE_I" route add default via fe80::1 dev eth0 || return
	ip -n "$R" addr add fd00:99:1::1/64 dev vid0 &&
	ip -n "$APP_V" addr add fd00:99:1::2/64 dev eth0 &&
	ip -n "$APP_V" route add default via fd00:99:1::1
}

cat >"$WORK/policy.sg" <<'EOF'
# eMBB and mIoT: untagged UEs bound by their pools (v4 and v6); V2X
# declares VLAN 400, used by crafted frames as "another slice's VLAN".
# Video has no ICMPv4 rule: an ICMP error reaches it only as RELATED.
# Rule 2 polices its flows, replies included, to 10 packets/s.
slice add embb id 1 sst 1 ue 10.10.0.0/16 ue fd00:10::/64 mark 0x10
slice add iot id 3 sst 3 sd 0x000010 ue 10.30.0.0/16 ue fd00:30::/64 mark 0x30
slice add v2x id 4 sst 4 ue 10.40.0.0/16 vlan 400 mark 0x40
app add video id 10 slice embb addr 10.99.1.2 proto udp port 9000-9009 addr 10.99.1.2 proto udp port 7000 addr 10.99.1.2 proto tcp port 8080 addr 10.99.1.2 proto icmp addr fd00:99:1::2 proto udp port 9000-9009 addr fd00:99:1::2 proto icmpv6 dev vid0
app add telem id 30 slice iot slice v2x addr 10.99.3.2 proto udp port 5683 dev tel0
rule add id 1 from slice embb to app video proto udp port 9000-9009
rule add id 2 from slice embb to app video proto udp port 7000 pps 10
rule add id 3 from slice embb to app video proto tcp port 8080
rule add id 4 from slice embb to app video proto icmpv6
rule add id 5 from slice iot to app telem proto udp port 5683
rule add id 6 from slice v2x to app telem proto udp port 5683
rule add id 7 from app video to slice embb proto udp port 6000-6009
rule add id 8 from slice embb to any proto udp port 5353
uplink add dev up0 mode ip unsliced drop
EOF
# The same, and the host's own service on udp/5353 (the router's addresses).
{
	cat "$WORK/policy.sg"
	echo "rule add id 9 from slice embb to host proto udp port 5353"
	echo "rule add id 10 from host to slice embb proto udp port 6001"
} >"$WORK/policy-host.sg"

if ! out=$(setup 2>&1); then
	tap_fail "topology: namespaces, bridge, veths" "$out"
	tap_done
fi
tap_ok "topology: eMBB and mIoT UEs behind up0, apps video and telem, management veth mg0"

mac() {	# NS DEV
	ip -n "$1" -j link show "$2" | jq -r '.[0].address'
}
UP0_MAC=$(mac "$R" up0)
VID0_MAC=$(mac "$R" vid0)
UEE_MAC=$(mac "$UE_E" eth0)
UEI_MAC=$(mac "$UE_I" eth0)
VIDEO_MAC=$(mac "$APP_V" eth0)
UEE_LL=fe80::e

# ---- Helpers (python, written once, run by path) ----

# sink OUT IFACE [PORT...]: every frame IFACE receives ("F pkttype srcmac
# summary hex") and every datagram the UDP PORTs get, v4 and v6, after
# reassembly ("U port src sport len hex"), one line each, as they come.
cat >"$WORK/sink.py" <<'PY'
import select, signal, socket, struct, sys

out = open(sys.argv[1], 'a', buffering=1)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
SO_RCVBUFFORCE = 33

def summary(d):
    et, off = struct.unpack('!H', d[12:14])[0], 14
    if et in (0x8100, 0x88a8):
        et, off = struct.unpack('!H', d[16:18])[0], 18
    sp = dp = ty = '-'
    if et == 0x0800 and len(d) >= off + 20:
        ihl = (d[off] & 15) * 4
        proto, frag = d[off + 9], struct.unpack('!H', d[off + 6:off + 8])[0] & 0x1fff
        l4 = d[off + ihl:]
        if frag == 0 and proto in (6, 17) and len(l4) >= 4:
            sp, dp = struct.unpack('!HH', l4[:4])
        if frag == 0 and proto == 1 and l4:
            ty = l4[0]
        return 'ip4 %s %s p%d %s %s t%s' % (
            socket.inet_ntoa(d[off + 12:off + 16]), socket.inet_ntoa(d[off + 16:off + 20]),
            proto, sp, dp, ty)
    if et == 0x86dd and len(d) >= off + 40:
        nh, hl = d[off + 6], d[off + 7]
        l4 = d[off + 40:]
        if nh in (6, 17) and len(l4) >= 4:
            sp, dp = struct.unpack('!HH', l4[:4])
        if nh == 58 and l4:
            ty = l4[0]
        return 'ip6 %s %s p%d %s %s t%s h%d' % (
            socket.inet_ntop(socket.AF_INET6, d[off + 8:off + 24]),
            socket.inet_ntop(socket.AF_INET6, d[off + 24:off + 40]), nh, sp, dp, ty, hl)
    return 'eth%04x' % et

socks = {}
pk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
pk.bind((sys.argv[2], 0))
pk.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
socks[pk.fileno()] = (pk, None)
for port in map(int, sys.argv[3:]):
    for fam, any_ in ((socket.AF_INET, '0.0.0.0'), (socket.AF_INET6, '::')):
        try:
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if fam == socket.AF_INET6:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
            s.bind((any_, port))
        except OSError:
            continue    # no IPv6 in this namespace
        socks[s.fileno()] = (s, port)
out.write('R ready\n')
while True:
    for fd in select.select(list(socks), [], [])[0]:
        s, port = socks[fd]
        if port is None:
            d, a = s.recvfrom(65535)
            if a[2] == socket.PACKET_OUTGOING:
                continue
            out.write('F %d %s %s %s\n' % (a[2], d[6:12].hex(':'), summary(d), d.hex()))
        else:
            d, a = s.recvfrom(65535)
            out.write('U %d %s %d %d %s\n' % (port, a[0], a[1], len(d), d.hex()))
PY

# errq OUT LADDR LPORT RADDR RPORT PAYLOAD: an application's connected UDP
# socket with IP_RECVERR; sends PAYLOAD once (opening the flow), then logs
# every ICMP error the kernel queues for it ("E errno origin type code info
# offender quoted-payload-hex") and what it receives ("D hex").
cat >"$WORK/errq.py" <<'PY'
import select, signal, socket, struct, sys

out = open(sys.argv[1], 'a', buffering=1)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
IP_RECVERR = 11
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[2], int(sys.argv[3])))
s.connect((sys.argv[4], int(sys.argv[5])))
s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
s.setblocking(False)
s.send(sys.argv[6].encode())
out.write('R ready\n')
while True:
    select.select([s], [], [s])
    while True:
        try:
            d, anc, _, _ = s.recvmsg(2048, 512, socket.MSG_ERRQUEUE)
        except (BlockingIOError, InterruptedError):
            break
        for level, ctype, c in anc:
            if level == socket.IPPROTO_IP and ctype == IP_RECVERR:
                err, origin, ty, code, _, info, _ = struct.unpack('=IBBBBII', c[:16])
                out.write('E %d %d %d %d %d %s %s\n' % (
                    err, origin, ty, code, info, socket.inet_ntoa(c[20:24]), d.hex()))
    try:
        out.write('D %s\n' % s.recv(2048).hex())
    except (BlockingIOError, ConnectionRefusedError, OSError):
        pass
PY

# inject PKTS IFACE NAME[*COUNT]...: send crafted packets in order: a frame
# ("l2") on IFACE, or an IPv4 packet ("l3") through a raw socket, routed.
cat >"$WORK/inject.py" <<'PY'
import json, socket, sys

pkts = json.load(open(sys.argv[1]))
l2 = l3 = None
for spec in sys.argv[3:]:
    name, _, n = spec.partition('*')
    kind, data = pkts[name]['kind'], bytes.fromhex(pkts[name]['hex'])
    for _ in range(int(n or 1)):
        if kind == 'l2':
            if not l2:
                l2 = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                l2.bind((sys.argv[2], 0))
            l2.send(data)
        else:
            if not l3:
                l3 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
            l3.sendto(data, (socket.inet_ntoa(data[16:20]), 0))
PY

# craft OUT: every crafted packet of this suite, built by scapy, as JSON
# {name: {kind, hex}}.
craft() {
	"$PY" - "$1" "$UP0_MAC" "$VID0_MAC" "$UEE_MAC" "$UEI_MAC" "$VIDEO_MAC" \
		"$UEE_LL" <<'PY'
import json, logging, struct, sys
logging.getLogger('scapy.runtime').setLevel(logging.ERROR)
from socket import AF_INET6, inet_ntop, inet_pton
from scapy.all import (Ether, Dot1Q, IP, UDP, TCP, ICMP, IPv6, Raw,
                       ICMPv6ND_NS, ICMPv6ND_NA, ICMPv6NDOptSrcLLAddr, in6_getnsma,
                       in6_getnsmac)

out, up0, vid0, uee, uei, video, uee_ll = sys.argv[1:]
RAN_MAC = '02:00:5e:00:00:01'   # the RAN side's crafted frames
UE_E, UE_I, VIDEO, TELEM = '10.10.0.2', '10.30.0.2', '10.99.1.2', '10.99.3.2'
pkts = {}

def l2(name, frame):
    pkts[name] = {'kind': 'l2', 'hex': bytes(frame).hex()}

def l3(name, packet):
    pkts[name] = {'kind': 'l3', 'hex': bytes(packet).hex()}

def pad(marker, n):
    return marker.encode().ljust(n, b'.')

ran = Ether(src=RAN_MAC, dst=up0)

# -- Management veth / another app with a UE source (same datagram as the
#    real UE's control, marker aside).
for name in ('MGMT-SPOOF', 'MGMT-CTL', 'APP-UE-SPOOF', 'APP-UE-CTL'):
    l3(name, IP(src=UE_E, dst=VIDEO) / UDP(sport=4001, dport=9000) / Raw(name.encode()))
# An mIoT UE's source from the management veth toward an eMBB UE.
l3('EGRESS-MGMT-UE', IP(src=UE_I, dst=UE_E) / UDP(sport=4001, dport=6001) /
   Raw(b'EGRESS-MGMT-UE'))
# The host's own address (mg0's) as the source of what mg0 routes to video.
l3('HOST-SPOOF', IP(src='10.98.0.1', dst=VIDEO) / UDP(sport=4001, dport=9000) /
   Raw(b'HOST-SPOOF'))

# -- ICMP errors. Flow A: video:6100 -> UE_E:6000 (rule 7); errors about
#    it go to video and quote a packet video sent.
def quote_a(marker, n):
    return bytes(IP(src=VIDEO, dst=UE_E, id=77) / UDP(sport=6100, dport=6000) /
                 Raw(pad(marker, n)))

def error(src, dst, code, quote, mtu=0):
    return IP(src=src, dst=dst) / ICMP(type=3, code=code, nexthopmtu=mtu) / Raw(quote)

l3('ATK-IOT-PU', error(UE_I, VIDEO, 3, quote_a('ATK-IOT-PU', 16)))
l3('ATK-IOT-FN', error(UE_I, VIDEO, 4, quote_a('ATK-IOT-FN', 16), 1200))
# whole IP packet 600 (over 576) and exactly 576 bytes: 20 + 8 + 20 + 8 + n
l3('BIG-PU', error(UE_E, VIDEO, 3, quote_a('BIG-PU', 600 - 56)))
l3('OK-PU', error(UE_E, VIDEO, 3, quote_a('OK-PU', 576 - 56)))
l3('OK-FN', error(UE_E, VIDEO, 4, quote_a('OK-FN', 16), 1200))
assert len(pkts['BIG-PU']['hex']) // 2 == 600 and len(pkts['OK-PU']['hex']) // 2 == 576

# Flow B: UE_E:6200 -> video:9001 (rule 1); errors go to UE_E.
def quote_b(marker):
    return bytes(IP(src=UE_E, dst=VIDEO, id=78) / UDP(sport=6200, dport=9001) /
                 Raw(pad(marker, 16)))

l3('ATK-TELEM-PU', error(TELEM, UE_E, 3, quote_b('ATK-TELEM-PU')))
l3('OK-VIDEO-PU', error(VIDEO, UE_E, 3, quote_b('OK-VIDEO-PU')))

# -- Fragments of UDP datagrams UE_E -> video:9000, sport = id, UDP
#    checksum 0 (none: a forged tail would show in the payload, not be
#    dropped by the checksum). Head: UDP header + 24 bytes; tail: 40 bytes
#    at offset 32.
def head(fid, dport=9000, src=UE_E):
    udp = struct.pack('!HHHH', fid, dport, 8 + 64, 0)
    return IP(src=src, dst=VIDEO, id=fid, flags='MF', frag=0, proto=17) / \
        Raw(udp + pad('HEAD-%x' % fid, 24))

def tail(fid, marker, src=UE_E):
    return IP(src=src, dst=VIDEO, id=fid, frag=4, proto=17) / Raw(pad(marker, 40))

# 0x5101: a genuine head, then tails of its identity (same src, dst, id,
# proto) on another VLAN: V2X's (another slice's identity: SPOOF) and one
# of no slice (not the head's VLAN: FRAG_NO_FIRST); then the genuine tail.
l2('F1-HEAD', ran / head(0x5101))
l2('F1-EVIL-400', ran / Dot1Q(vlan=400) / tail(0x5101, 'EVIL-5101-400'))
l2('F1-EVIL-999', ran / Dot1Q(vlan=999) / tail(0x5101, 'EVIL-5101-999'))
l2('F1-GOOD', ran / tail(0x5101, 'GOOD-5101'))
# 0x5102: dropped heads of the same key, before and between the genuine
# head and tail: on V2X's VLAN (SPOOF) and to a port outside video's
# endpoints (NO_ENDPOINT).
l2('F2-SPOOF-HEAD', ran / Dot1Q(vlan=400) / head(0x5102))
l2('F2-NOEP-HEAD', ran / head(0x5102, dport=9999))
l2('F2-HEAD', ran / head(0x5102))
l2('F2-GOOD', ran / tail(0x5102, 'GOOD-5102'))
# 0x5103: a genuine head through the uplink, forged tails with the UE's
# source from the management veth and from app telem, the genuine tail.
l2('F3-HEAD', ran / head(0x5103))
l3('F3-EVIL-MGMT', tail(0x5103, 'EVIL-5103-MGMT'))
l3('F3-EVIL-APP', tail(0x5103, 'EVIL-5103-APP'))
l2('F3-GOOD', ran / tail(0x5103, 'GOOD-5103'))
# 0x5104: TCP to video:8080 (rule 3); head = 20-byte TCP header + 20
# bytes; a tail at offset 16 rewrites the TCP header (FRAG_OVERLAP), one
# at 40 does not.
tcp = bytes(TCP(sport=0x5104, dport=8080, flags='S', seq=1))
l2('F4-HEAD', ran / IP(src=UE_E, dst=VIDEO, id=0x5104, flags='MF', proto=6) /
   Raw(tcp + pad('HEAD-5104', 20)))
l2('F4-OVERLAP', ran / IP(src=UE_E, dst=VIDEO, id=0x5104, flags='MF', frag=2, proto=6) /
   Raw(pad('OVERLAP-5104', 24)))
l2('F4-TAIL', ran / IP(src=UE_E, dst=VIDEO, id=0x5104, frag=5, proto=6) /
   Raw(pad('TAIL-5104', 8)))
# 0x5105: a first fragment with 8 of the 20 TCP header bytes
l2('F5-TINY', ran / IP(src=UE_E, dst=VIDEO, id=0x5105, flags='MF', proto=6) / Raw(tcp[:8]))

# -- Riding flow C, video:6101 -> UE_E:6001 (rule 7).
def c_fwd(marker):
    return IP(src=VIDEO, dst=UE_E) / UDP(sport=6101, dport=6001) / Raw(marker.encode())

def c_rev(marker):
    return IP(src=UE_E, dst=VIDEO) / UDP(sport=6001, dport=6101) / Raw(marker.encode())

l2('RIDE-UPLINK', ran / c_fwd('RIDE-UPLINK'))     # the app's address on the uplink
l3('RIDE-OK-APP', c_fwd('RIDE-OK-APP'))           # from video itself
l3('RIDE-TELEM', c_fwd('RIDE-TELEM'))             # from app telem
l2('RIDE-V2X', ran / Dot1Q(vlan=400) / c_rev('RIDE-V2X'))  # reply, V2X's VLAN
l2('RIDE-OK-UE', ran / c_rev('RIDE-OK-UE'))       # reply, the UE's identity
l3('RIDE-MGMT', c_rev('RIDE-MGMT'))               # reply, from mg0

# -- Neighbour discovery (hop limit 255) with a payload: a marker in an
#    option of unknown type 200, which receivers skip (RFC 4861 4.6).
def nd(src_mac, dst_mac, src, dst, target, marker, na=False):
    body = pad(marker, 22)
    opt = bytes([200, 3]) + body
    msg = ICMPv6ND_NA(tgt=target, R=0, S=0, O=0) if na else \
        ICMPv6ND_NS(tgt=target) / ICMPv6NDOptSrcLLAddr(lladdr=src_mac)
    return Ether(src=src_mac, dst=dst_mac) / IPv6(src=src, dst=dst, hlim=255) / msg / Raw(opt)

r_ll_ns = inet_ntop(AF_INET6, in6_getnsma(inet_pton(AF_INET6, 'fe80::1')))
l2('ND-MCAST', nd(uee, in6_getnsmac(inet_pton(AF_INET6, r_ll_ns)), 'fd00:10::2', r_ll_ns,
                  'fe80::1', 'ND-MCAST'))
l2('ND-LL', nd(uee, up0, uee_ll, 'fe80::1', 'fe80::1', 'ND-LL'))
l2('ND-XSLICE', nd(uee, up0, 'fd00:10::2', 'fd00:30::2', 'fd00:30::2', 'ND-XSLICE'))
l2('ND-LLSRC', nd(uee, up0, uee_ll, 'fd00:30::2', 'fd00:30::2', 'ND-LLSRC'))
l2('ND-IOT-APP', nd(uei, up0, 'fd00:30::2', 'fd00:99:1::2', 'fd00:99:1::2', 'ND-IOT-APP'))
l2('NA-IOT-APP', nd(uei, up0, 'fd00:30::2', 'fd00:99:1::2', 'fd00:30::2', 'NA-IOT-APP',
                    na=True))
l2('ND-EMBB-APP', nd(uee, up0, 'fd00:10::2', 'fd00:99:1::2', 'fd00:99:1::2', 'ND-EMBB-APP'))
gw_ns = inet_ntop(AF_INET6, in6_getnsma(inet_pton(AF_INET6, 'fd00:99:1::1')))
l2('ND-APP-MCAST', nd(video, in6_getnsmac(inet_pton(AF_INET6, gw_ns)), 'fd00:99:1::2',
                      gw_ns, 'fd00:99:1::1', 'ND-APP-MCAST'))
l2('ND-APP-UE', nd(video, vid0, 'fd00:99:1::2', 'fd00:10::2', 'fd00:10::2', 'ND-APP-UE'))

json.dump(pkts, open(out, 'w'))
PY
}

# inject NS IFACE NAME[*COUNT]...: a sender that fails is a failed test
# (else its attack would "not arrive" for the wrong reason).
inject() {
	nsx "$1" "$PY" "$WORK/inject.py" "$WORK/pkts.json" "${@:2}" \
		2>"$WORK/inject.err" ||
		tap_fail "send ${*:3}" "$(cat "$WORK/inject.err")"
}

# hexof STRING: how a marker appears in the receivers' hex.
hexof() {
	printf %s "$1" | od -An -tx1 | tr -d ' \n'
}

# rx FILE MARKER: the marker reached that receiver (frame, datagram or
# quoted payload of a queued ICMP error).
rx() {
	grep -q "$(hexof "$2")" "$1"
}

# rx_udp FILE PORT MARKER: a UDP socket on PORT got a datagram with MARKER.
rx_udp() {
	grep -q "^U $2 .*$(hexof "$3")" "$1"
}

# rx_err FILE TYPE CODE OFFENDER MARKER: the socket got that ICMP error.
rx_err() {
	grep -q "^E [0-9]* 2 $2 $3 [0-9]* $4 .*$(hexof "$5")" "$1"
}

# absent NAME FILE MARKER...: none of the markers reached the receiver.
absent() {
	local name=$1 file=$2 m seen=

	shift 2
	for m in "$@"; do
		rx "$file" "$m" && seen="$seen $m"
	done
	tap_result "$name" "$([ -z "$seen" ] && echo 0 || echo 1)" "arrived:$seen"
}

# absent_routed NAME FILE MARKER...: as absent, for a UE's receiver on the
# RAN bridge: only frames the router sent count (the bridge floods frames
# for a MAC it has not learnt yet to every port, router-bound ones too).
absent_routed() {
	local name=$1 file=$2 m seen=

	shift 2
	for m in "$@"; do
		grep -Eq "^(U|E|D|F [0-9] $UP0_MAC) .*$(hexof "$m")" "$file" &&
			seen="$seen $m"
	done
	tap_result "$name" "$([ -z "$seen" ] && echo 0 || echo 1)" "arrived:$seen"
}

# arrives NAME CMD...: CMD (an rx check) succeeds within 5 s.
arrives() {
	local name=$1

	shift
	tap_result "$name" "$(wait_for "$@" 5 && echo 0 || echo 1)" \
		"not seen: ${*@Q}"
}

# bg_py NS OUT SCRIPT ARG...: a receiver in NS, stopped on exit; waits
# until it is ready (its sockets bound).
bg_py() {
	local ns=$1 out=$2 script=$3

	shift 3
	: >"$out"
	ip netns exec "$ns" "$PY" "$WORK/$script" "$out" "$@" 2>>"$out.err" &
	on_exit kill "$!"
	wait_for grep -q '^R ready' "$out" 15
}

# settle: wait until the drop reasons stop moving (the first MLD reports
# and router solicitations of the IPv6 namespaces), so that the counter
# checks below see this suite's packets only.
settle() {
	local prev= i

	for i in $(seq 20); do
		counters || return
		cur=$(jq -c '[.reasons.SPOOF, .reasons.NO_SLICE, .reasons.NO_RULE, .reasons.ND]' \
			<<<"$COUNTERS")
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.5
	done
}

# ---- Start ----

dp_start "$WORK/policy.sg"

tap_check "scapy builds the crafted packets" craft "$WORK/pkts.json"
[ -s "$WORK/pkts.json" ] || tap_done

V_RX=$WORK/video.rx UE_RX=$WORK/uee.rx UI_RX=$WORK/uei.rx
bg_py "$APP_V" "$V_RX" sink.py eth0 9000 6101 &&
	bg_py "$UE_E" "$UE_RX" sink.py eth0 6001 7100 7101 &&
	bg_py "$UE_I" "$UI_RX" sink.py eth0
tap_result "receivers: video (udp 9000 6101), eMBB UE (udp 6001 7100 7101), mIoT UE" \
	$? "$(cat "$WORK"/*.err)"
settle

# ---- Baseline: the allowed paths the attacks below try to abuse ----

snap
udp_from "$UE_E" 4000 10.99.1.2 9000 BASE-V4
[ "$V6" = 0 ] || udp_from "$UE_E" 4000 fd00:99:1::2 9000 BASE-V6
# 3000 bytes: the UE's kernel fragments it (MTU 1500)
nsx "$UE_E" "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("", 4002))
s.sendto(b"BASE-FRAG".ljust(3000, b"."), ("10.99.1.2", 9000))'
arrives "eMBB UE -> video udp/9000 (IPv4) delivered" rx_udp "$V_RX" 9000 BASE-V4
if [ "$V6" = 1 ]; then
	arrives "eMBB UE -> video udp/9000 (IPv6, after ND both ways) delivered" \
		rx_udp "$V_RX" 9000 BASE-V6
	expect_reason "neighbour discovery of the IPv6 path (UE, router, video)" 2 ND
fi
arrives "eMBB UE -> video: a 3000-byte datagram in 3 fragments reassembled at video" \
	eval 'grep -q "^U 9000 10.10.0.2 4002 3000 $(hexof BASE-FRAG)" "$V_RX"'
expect_reason "baseline flows" $((2 + V6)) RULE
expect_no_reason "baseline fragments" FRAG_NO_FIRST FRAG_OVERLAP

# ---- Sources that entered the host where they do not live ----

snap
inject "$MGMT" eth0 'MGMT-SPOOF*3'
inject "$UE_E" eth0 MGMT-CTL
arrives "T1/T3 control: the UE's own datagram through the uplink arrives" \
	rx_udp "$V_RX" 9000 MGMT-CTL
expect_reason "T1/T3 UE source from the management veth (app egress)" 3 SPOOF
absent "T1/T3 management veth -> video with an eMBB UE source: not delivered" \
	"$V_RX" MGMT-SPOOF

snap
inject "$APP_T" eth0 'APP-UE-SPOOF*3'
inject "$UE_E" eth0 APP-UE-CTL
arrives "T2 control: the UE's own datagram arrives" rx_udp "$V_RX" 9000 APP-UE-CTL
expect_reason "T2 app sending with a UE source (app ingress)" 3 SPOOF
absent "T2 telem -> video with an eMBB UE source: not delivered" "$V_RX" APP-UE-SPOOF

# ---- ICMP errors about a flow: only from its far end ----

# Flow A: video opens video:6100 -> eMBB UE:6000 (rule 7); nothing listens
# on the UE, whose kernel answers port unreachable: the real far end.
EA=$WORK/video.errq
snap
bg_py "$APP_V" "$EA" errq.py 10.99.1.2 6100 10.10.0.2 6000 OPEN-A
tap_result "video opens a flow to the eMBB UE (udp 6100 -> 6000)" $? "$(cat "$EA.err")"
arrives "T1 control: the UE kernel's port unreachable (real) reaches video's socket" \
	rx_err "$EA" 3 3 10.10.0.2 OPEN-A
expect_reason "T1 control: the UE's real error about flow A" 1 RELATED

snap
inject "$UE_I" eth0 'ATK-IOT-PU*2' 'ATK-IOT-FN*2'
expect_reason "T1 mIoT UE's forged port unreachable / frag needed" 4 NO_RULE
expect_no_reason "T1 mIoT UE's forged errors about eMBB's flow" RELATED

snap
inject "$UE_E" eth0 'BIG-PU*2'
expect_reason "T1 600-byte error from the flow's far end (video has no ICMP rule)" 2 NO_RULE
expect_no_reason "T1 600-byte error from the flow's far end" RELATED

snap
inject "$UE_E" eth0 OK-PU OK-FN
arrives "T1 control: crafted 576-byte port unreachable from the far end reaches video" \
	rx_err "$EA" 3 3 10.10.0.2 OK-PU
arrives "T1 control: crafted frag needed (mtu 1200) from the far end reaches video" \
	rx_err "$EA" 3 4 10.10.0.2 OK-FN
expect_reason "T1 control: crafted errors from the far end" 2 RELATED
absent "T1 mIoT UE's port unreachable / frag needed quoting eMBB's flow: not at video" \
	"$EA" ATK-IOT-PU ATK-IOT-FN
absent "T1 ... nor on video's interface" "$V_RX" ATK-IOT-PU ATK-IOT-FN
absent "T1 600-byte error (over 576) from the far end: not at video" "$EA" BIG-PU
absent "T1 ... nor on video's interface" "$V_RX" BIG-PU

# Flow B: the eMBB UE opens UE:6200 -> video:9001 (rule 1); nothing
# listens on video, whose kernel answers: the app's own error.
EB=$WORK/uee.errq
snap
bg_py "$UE_E" "$EB" errq.py 10.10.0.2 6200 10.99.1.2 9001 OPEN-B
tap_result "eMBB UE opens a flow to video (udp 6200 -> 9001)" $? "$(cat "$EB.err")"
arrives "T2 control: video's own port unreachable (real) reaches the UE's socket" \
	rx_err "$EB" 3 3 10.99.1.2 OPEN-B
expect_reason "T2 control: video's real error about flow B" 1 RELATED

snap
inject "$APP_T" eth0 'ATK-TELEM-PU*3'
expect_reason "T2 telem's forged error (no rule telem -> eMBB)" 3 NO_RULE
expect_no_reason "T2 telem's forged error about video's flow" RELATED
snap
inject "$APP_V" eth0 OK-VIDEO-PU
arrives "T2 control: crafted port unreachable from video reaches the UE" \
	rx_err "$EB" 3 3 10.99.1.2 OK-VIDEO-PU
expect_reason "T2 control: crafted error from video" 1 RELATED
absent "T2 telem claiming to be video's end of the flow: its error not at the UE" \
	"$EB" ATK-TELEM-PU
absent_routed "T2 ... nor on the UE's interface" "$UE_RX" ATK-TELEM-PU

# ---- Fragments: bound to the head's identity, hook and interface ----

snap
inject "$RAN" ran0 F1-HEAD 'F1-EVIL-400*3'
expect_reason "T1 tail on another slice's VLAN (V2X's 400, eMBB source)" 3 SPOOF
snap
inject "$RAN" ran0 'F1-EVIL-999*2'
expect_reason "T1 tail on a VLAN of no slice: not the head's identity" 2 FRAG_NO_FIRST
inject "$RAN" ran0 F1-GOOD
arrives "T1 control: the genuine tail completes the datagram at video" \
	rx_udp "$V_RX" 9000 GOOD-5101
# (Tagged frames cannot reach video even if passed: the router has no VLAN
# device for them; the counters above are what shows these drops.)
absent "T1 tails with the head's key under other VLANs: not delivered" "$V_RX" \
	EVIL-5101-400 EVIL-5101-999

snap
inject "$RAN" ran0 'F2-SPOOF-HEAD*2' 'F2-NOEP-HEAD*2' F2-HEAD \
	'F2-SPOOF-HEAD*2' 'F2-NOEP-HEAD*2' F2-GOOD
arrives "T1 dropped heads (before and between head and tail) do not sink the genuine datagram" \
	rx_udp "$V_RX" 9000 GOOD-5102
expect_reason "T1 spoofed heads (V2X's VLAN)" 4 SPOOF
expect_reason "T1 heads to a port outside the endpoints" 4 NO_ENDPOINT
expect_no_reason "T1 control: the genuine tail after dropped heads" FRAG_NO_FIRST

snap
inject "$RAN" ran0 F3-HEAD
inject "$MGMT" eth0 'F3-EVIL-MGMT*2'
inject "$APP_T" eth0 'F3-EVIL-APP*3'
inject "$RAN" ran0 F3-GOOD
arrives "T1/T3 control: the genuine tail through the uplink completes the datagram" \
	rx_udp "$V_RX" 9000 GOOD-5103
expect_reason "T1/T3 forged tails from the management veth and from telem" 5 SPOOF
absent "T1/T3 tails with the UE's source from mg0 and from telem: not delivered" \
	"$V_RX" EVIL-5103-MGMT EVIL-5103-APP

snap
inject "$RAN" ran0 F4-HEAD 'F4-OVERLAP*2' F4-TAIL 'F5-TINY*3'
arrives "T1 control: a TCP tail after the header passes to video" rx "$V_RX" TAIL-5104
expect_reason "T1 tail overlapping the TCP header" 2 FRAG_OVERLAP
absent "T1 a tail rewriting the first fragment's TCP header: not delivered" \
	"$V_RX" OVERLAP-5104
expect_reason "T1 first fragment without the whole TCP header" 3 FRAG_TINY

# ---- Riding a stored flow with another identity ----

# Flow C: video:6101 -> eMBB UE:6001 (rule 7), received by the UE's sink.
snap
udp_from "$APP_V" 6101 10.10.0.2 6001 OPEN-C
arrives "flow C opened by video reaches the UE" rx_udp "$UE_RX" 6001 OPEN-C
inject "$RAN" ran0 'RIDE-UPLINK*3'
inject "$APP_T" eth0 'RIDE-TELEM*2'
inject "$APP_V" eth0 RIDE-OK-APP
arrives "T2 control: video's own packet of the flow reaches the UE" \
	rx_udp "$UE_RX" 6001 RIDE-OK-APP
expect_reason "T2 an app source on the uplink (3) and on telem's interface (2)" 5 SPOOF
absent_routed "T2 the flow's 5-tuple from the uplink (an app's source) or from telem: not at the UE" \
	"$UE_RX" RIDE-UPLINK RIDE-TELEM

snap
inject "$RAN" ran0 'RIDE-V2X*2'
inject "$MGMT" eth0 'RIDE-MGMT*3'
inject "$RAN" ran0 RIDE-OK-UE
arrives "T1 control: the UE's reply of the flow (crafted, untagged) reaches video" \
	rx_udp "$V_RX" 6101 RIDE-OK-UE
expect_reason "T1/T3 reply ridden from V2X's VLAN (2) and from mg0 (3)" 5 SPOOF
expect_reason "T1 control: the genuine reply" 1 REPLY
# (the tagged copy is shown by its counter only, as above)
absent "T1/T3 the reply's 5-tuple on V2X's VLAN or from mg0: not at video" \
	"$V_RX" RIDE-V2X RIDE-MGMT

# ---- Neighbour discovery with a payload: ND only toward the link ----

nd_cases() {
	mark=$(wc -l <"$UE_RX")
	snap
	inject "$UE_E" eth0 'ND-MCAST' 'ND-LL'
	expect_reason "T1 control: NS to the router's solicited-node group and to its link-local" 2 ND
	# the router answers both; its NA carries the target, not our option
	arrives "T1 control: the router answers the UE's NS (to multicast, to link-local)" \
		eval 'tail -n +$((mark + 1)) "$UE_RX" | grep -q "^F 0 $UP0_MAC ip6 fe80::1 .* t136 h255"'

	snap
	inject "$UE_E" eth0 'ND-XSLICE*3'
	inject "$UE_E" eth0 'ND-EMBB-APP'
	arrives "T1 control: the same NS to video, which a rule allows (icmpv6), is routed there" \
		rx "$V_RX" ND-EMBB-APP
	expect_reason "T1 NS to another slice's UE (not ND: rules)" 3 NO_RULE
	absent_routed "T1 NS with a payload from an eMBB UE to a mIoT UE: not forwarded" "$UI_RX" \
		ND-XSLICE
	snap
	inject "$UE_I" eth0 'ND-IOT-APP*2' 'NA-IOT-APP*2'
	inject "$UE_E" eth0 'ND-LLSRC*2'
	inject "$UE_E" eth0 'ND-EMBB-APP'
	expect_reason "T1 NS / NA to an app of another slice (not ND: rules)" 4 NO_RULE
	expect_reason "T1 NS from a link-local source off the link (no slice)" 2 NO_SLICE
	wait_for eval '[ "$(grep -c "$(hexof ND-EMBB-APP)" "$V_RX")" -ge 2 ]' 5
	absent "T1 NS / NA with a payload from a mIoT UE to video: not delivered" \
		"$V_RX" ND-IOT-APP NA-IOT-APP
	# (a router forwards even a link-local source back out of the link it
	# came in on, so this one would reach the mIoT UE)
	absent_routed "T1 NS from a link-local source to a mIoT UE: not forwarded" "$UI_RX" \
		ND-LLSRC

	mark=$(wc -l <"$V_RX")
	snap
	inject "$APP_V" eth0 'ND-APP-UE*3' 'ND-APP-MCAST'
	arrives "T2 control: the router answers video's NS to its solicited-node group" \
		eval 'tail -n +$((mark + 1)) "$V_RX" | grep -q "^F 0 $VID0_MAC ip6 fd00:99:1::1 fd00:99:1::2 p58 - - t136 h255"'
	expect_reason "T2 video's NS to a UE (not ND: rules)" 3 NO_RULE
	expect_reason "T2 control: video's NS to the router" 1 ND
	absent_routed "T2 NS with a payload from video to an eMBB UE: not forwarded" "$UE_RX" \
		ND-APP-UE
}

if [ "$V6" = 1 ]; then
	nd_cases
else
	tap_skip "neighbour discovery cases" "no IPv6 in this kernel"
fi

# ---- Replies are policed ----

# Rule 2 (eMBB -> video udp/7000) allows 10 packets/s; video answers the
# UE's one datagram with a flood of replies. Control: the same flood under
# rule 1, which has no rate.
replies() {	# SPORT UEPORT: frames of video:SPORT -> UE:UEPORT at the UE
	grep -c "^F 0 $UP0_MAC ip4 10.99.1.2 10.10.0.2 p17 $1 $2 " "$UE_RX"
}
N=300
snap
udp_from "$UE_E" 7100 10.99.1.2 7000 OPEN-RATE
t0=${EPOCHREALTIME/./}
flood "$APP_V" 10.10.0.2 7100 "$N" 7000
t1=${EPOCHREALTIME/./}
sleep 0.5
got=$(replies 7000 7100)
# GCRA, 10/s with a tau of 1 s: at most about 10 * (1 + flood time), less
# the token the UE's opening datagram took.
max=$((10 * (1000000 + t1 - t0) / 1000000 + 2))
tap_result "T4 $N replies under rule 2 (10 pps): policed where video sends them" \
	"$([ "$got" -ge 1 ] && [ "$got" -le "$max" ] && echo 0 || echo 1)" \
	"received $got, allowed 1..$max (flood took $(((t1 - t0) / 1000)) ms)"
expect_reason "T4 replies over the rule's rate" $((N - max)) RATE_RULE
snap
udp_from "$UE_E" 7101 10.99.1.2 9002 OPEN-NORATE
flood "$APP_V" 10.10.0.2 7101 "$N" 9002
wait_for eval '[ "$(replies 9002 7101)" -ge "$N" ]' 5
got=$(replies 9002 7101)
tap_result "T4 control: the same flood under rule 1 (no rate) arrives" \
	"$([ "$got" -ge $((N * 95 / 100)) ] && echo 0 || echo 1)" "received $got of $N"
expect_reason "T4 control: unpoliced replies" $((N * 95 / 100)) REPLY

# ---- The host: its own addresses are not "any" ----
# Rule 8 lets eMBB reach udp/5353 anywhere outside: the management
# namespace behind mg0 is outside. The router's own addresses (on mg0, and
# 10.10.0.1, its gateway address inside eMBB's pool) are the host's: rule 8
# does not reach them; rule 9, naming the host, does.
H_RX=$WORK/host.rx M_RX=$WORK/mgmt.rx
bg_py "$R" "$H_RX" sink.py mg0 5353 && bg_py "$MGMT" "$M_RX" sink.py eth0 5353
tap_result "receivers: the router's own udp/5353, the management namespace's" $? \
	"$(cat "$H_RX.err" "$M_RX.err")"
snap
udp_from "$UE_E" 4100 10.98.0.2 5353 HOST-CTL-ANY
arrives "T3 control: eMBB UE -> udp/5353 outside the host (rule to any) delivered" \
	rx_udp "$M_RX" 5353 HOST-CTL-ANY
udp_from "$UE_E" 4101 10.98.0.1 5353 HOST-MG0
udp_from "$UE_E" 4102 10.10.0.1 5353 HOST-GW
expect_reason "T3 eMBB UE -> the router's own addresses under a rule to any" 2 NO_RULE
absent "T3 a rule to any does not reach the host's services (mg0 address, gateway in the UE pool)" \
	"$H_RX" HOST-MG0 HOST-GW
tap_check "apply the policy with a rule to the host" dp_apply "$WORK/policy-host.sg"
snap
udp_from "$UE_E" 4103 10.98.0.1 5353 HOST-OK-MG0
udp_from "$UE_E" 4104 10.10.0.1 5353 HOST-OK-GW
arrives "T3 control: with a rule naming the host, its mg0 address is reached" \
	rx_udp "$H_RX" 5353 HOST-OK-MG0
arrives "T3 control: ... and its gateway address inside eMBB's pool" \
	rx_udp "$H_RX" 5353 HOST-OK-GW
expect_reason "T3 control: UE -> host under the host rule" 2 RULE
# The kernel drops a local source arriving from outside as a martian unless
# accept_local is set: with it set, app egress still refuses it.
nsx "$R" sysctl -qw net.ipv4.conf.mg0.accept_local=1
inject "$MGMT" eth0 'HOST-SPOOF*2'
expect_reason "T3 the host's address as source from the management veth (app egress)" 2 SPOOF
absent "T3 ... not delivered to video" "$V_RX" HOST-SPOOF

# ---- The way out toward UEs: the uplink's egress ----
# mg0's namespace is no app: it opens nothing toward UEs, and neither does
# the host until a rule names it (rule 10, in force since the apply
# above, lets the host reach eMBB's udp/6001). The UE's sink listens on 6001.
snap
udp_from "$MGMT" 4200 10.10.0.2 6001 EGRESS-MGMT
inject "$MGMT" eth0 'EGRESS-MGMT-UE*2'
udp_from "$R" 4201 10.10.0.2 6001 EGRESS-HOST
arrives "T1/T3 control: the host's datagram to the eMBB UE under a rule from the host" \
	rx_udp "$UE_RX" 6001 EGRESS-HOST
expect_reason "T1/T3 the management namespace -> eMBB UE (uplink egress)" 1 NO_RULE
expect_reason "T1/T3 an mIoT UE's source from the management veth toward an eMBB UE" 2 SPOOF
absent_routed "T1/T3 nothing from mg0 reaches the UE" "$UE_RX" EGRESS-MGMT EGRESS-MGMT-UE
tap_check "apply the policy without the host rules" dp_apply "$WORK/policy.sg"
snap
udp_from "$R" 4202 10.10.0.2 6001 EGRESS-HOST-NORULE
expect_reason "T1/T3 the host -> eMBB UE without a rule naming the host" 1 NO_RULE
absent_routed "T1/T3 ... not at the UE" "$UE_RX" EGRESS-HOST-NORULE

tap_done
