#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send COUNT copies of one UDP/IPv4 frame with the given 802.1Q tags.

usage: rawframe.py IFACE DST_MAC SRC_IP DST_IP DPORT COUNT VID...

The frame is written as is on an AF_PACKET socket, so every tag is in the
frame itself (no VLAN offload in between): how QinQ is smuggled in.
"""
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    if len(sys.argv) < 8:
        sys.exit(__doc__)
    iface, dst_mac, src_ip, dst_ip = sys.argv[1:5]
    dport, count = int(sys.argv[5]), int(sys.argv[6])
    vids = [int(v) for v in sys.argv[7:]]
    payload = b"sg-rawframe"
    udp = struct.pack("!HHHH", 40000, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    src_mac = sock.getsockname()[4]
    frame = bytes.fromhex(dst_mac.replace(":", "")) + src_mac
    for vid in vids:
        frame += struct.pack("!HH", 0x8100, vid)
    frame += struct.pack("!H", 0x0800) + ip + udp
    for _ in range(count):
        sock.send(frame)


if __name__ == "__main__":
    main()
