#!/usr/bin/env python3
"""Turns the pcaps of capture.sh into garp-captured.txt.

    pcap2vectors.py COMMANDS KERNEL LABEL.pcap... > garp-captured.txt

Output lines are "label kind t_ms hex": label = the pcap's name (the command
that caused the frames), kind = arp-request | arp-reply | na | other, t_ms =
milliseconds since the label's first ARP/NA frame (how the sender paces its
frames), hex = the whole Ethernet frame as captured.
"""
import os
import struct
import sys


def frames(path):
    data = open(path, "rb").read()
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
    if magic != 0xA1B2C3D4 or linktype != 1:  # LINKTYPE_ETHERNET, microseconds
        sys.exit("%s: not a little-endian Ethernet pcap" % path)
    off = 24
    while off < len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        yield sec * 1000.0 + usec / 1000.0, data[off + 16:off + 16 + incl]
        off += 16 + incl


def kind(frame):
    etype = struct.unpack(">H", frame[12:14])[0]
    if etype == 0x0806 and len(frame) >= 22:
        op = struct.unpack(">H", frame[20:22])[0]
        return {1: "arp-request", 2: "arp-reply"}.get(op, "other")
    if etype == 0x86DD and len(frame) > 54 and frame[20] == 58 and frame[54] == 136:
        return "na"
    return "other"


def main():
    commands, kernel, pcaps = sys.argv[1], sys.argv[2], sys.argv[3:]
    print("# Frames of Heartbeat's address agents, captured by native/test/vectors/garp/capture.sh")
    print("# (sender eth0 02:00:5e:10:00:01 in a namespace, tcpdump on its veth peer).")
    for line in open(kernel):
        print("# " + line.rstrip())
    print("# label kind(arp-request|arp-reply|na|other) t_ms(since the label's first ARP/NA) frame-hex")
    print("# The commands (label: command):")
    for line in open(commands):
        print("#   " + line.rstrip())
    for path in pcaps:
        label = os.path.basename(path)[:-len(".pcap")]
        t0 = None
        for t, frame in frames(path):
            k = kind(frame)
            if k != "other" and t0 is None:
                t0 = t
            rel = 0 if t0 is None or k == "other" else round(t - t0)
            print("%s %s %d %s" % (label, k, rel, frame.hex()))


if __name__ == "__main__":
    main()
