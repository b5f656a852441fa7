#!/usr/bin/env python3
"""Turns the strace log written by capture.sh into ip-captured.txt.

    strace2vectors.py TRACE COMMANDS KERNEL > ip-captured.txt

TRACE holds, for every command, a line "@@ label" followed by strace's output
for `ip` with -e write=all -e read=all: each sendmsg/sendto/recvmsg/recvfrom line is followed
by a hex dump (" | 00000  3c 00 ...  |") of the datagram.  Calls without a
dump (the MSG_PEEK|MSG_TRUNC size probes iproute2 makes before each read)
are skipped.  iproute2 hands sendto() its whole request struct, attribute
buffer included; a request is cut to its nlmsg_len (the kernel reads no
further).  Output lines are "label dir hex": dir is "req" (ip -> kernel)
or "rep" (kernel -> ip), hex is one whole netlink datagram.
"""
import re
import sys

HEX_LINE = re.compile(r"^ \| [0-9a-f]{5}  ")  # then 16 bytes in columns 10..58


def main():
    trace, commands, kernel = sys.argv[1:4]
    print("# What iproute2's `ip` sends over rtnetlink and what the kernel answers,")
    print("# recorded with strace by native/test/vectors/rtnl/capture.sh (see its topology).")
    for line in open(kernel):
        print("# " + line.rstrip())
    print("# label dir(req = ip -> kernel, rep = kernel -> ip) datagram-hex")
    print("# The commands (label ip args):")
    for line in open(commands):
        if line.strip() and not line.startswith("#"):
            print("#   " + " ".join(line.split()))
    label = None
    direction = None
    data = []

    def flush():
        if direction and data:
            hexdata = "".join(data)
            if direction == "req":
                nlmsg_len = int.from_bytes(bytes.fromhex(hexdata[:8]), "little")
                hexdata = hexdata[:2 * nlmsg_len]
            print("%s %s %s" % (label, direction, hexdata))

    for line in open(trace):
        if line.startswith("@@ "):
            flush()
            label, direction, data = line.split()[1], None, []
            continue
        if line.startswith(("sendmsg(", "sendto(", "recvmsg(", "recvfrom(")):
            flush()
            direction = "req" if line.startswith(("sendmsg(", "sendto(")) else "rep"
            data = []
            continue
        m = HEX_LINE.match(line)
        if m and direction:
            data.append("".join(line[10:59].split()))
    flush()


if __name__ == "__main__":
    main()
