#!/usr/bin/env python3
"""Turns the capture of test/vm/capture/capture.sh (ipvs.pcap + commands.txt,
taken on an nlmon device inside the IPVS VM) into the text vectors of the C
core's tests:

    pcap2vectors.py DIR [CORPUS] reads DIR/ipvs.pcap, DIR/commands.txt, DIR/kernel.txt
                                 writes DIR/ipvsadm-captured.txt, and every
                                 kernel reply as a seed file into CORPUS
                                 (native/fuzz/corpus/fuzz_ipvs_reply)

Output lines are "label dir hex": dir is "req" (ipvsadm -> kernel) or "rep"
(kernel -> ipvsadm), hex is one whole netlink datagram.  ipvsadm (libipvs)
opens a new netlink socket for every message; libnl's port ids keep the
process id in the low 22 bits, which is how datagrams are grouped into
ipvsadm runs.  Each run first resolves the family (CTRL_CMD_GETFAMILY) and
asks GET_INFO; those are kept once, under the labels "ctrl" and "info".
"""
import hashlib
import os
import shutil
import struct
import sys

NLM_F_REQUEST = 1
GENL_ID_CTRL = 16
IPVS_CMD_GET_INFO = 15


def datagrams(path):
    data = open(path, "rb").read()
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
    if magic != 0xA1B2C3D4 or linktype != 253:  # LINKTYPE_NETLINK
        sys.exit("%s: not a little-endian LINKTYPE_NETLINK pcap" % path)
    off = 24
    while off < len(data):
        _, _, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if struct.unpack(">H", pkt[14:16])[0] == 16:  # NETLINK_GENERIC only
            yield pkt[16:]


def header(dgram):
    length, mtype, flags, seq, pid = struct.unpack("<IHHII", dgram[:16])
    cmd = dgram[16] if len(dgram) > 16 else None
    return mtype, flags, pid, cmd


def write_corpus(corpus, lines):
    """every distinct kernel reply, named by its SHA-1 like libFuzzer's finds"""
    shutil.rmtree(corpus, ignore_errors=True)
    os.makedirs(corpus)
    seeds = {bytes.fromhex(line.split()[2]) for line in lines if line.split()[1] == "rep"}
    for data in seeds:
        with open(os.path.join(corpus, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print("%d seeds -> %s" % (len(seeds), corpus))


def main(directory, corpus=None):
    commands = [line.split()[0] for line in open(os.path.join(directory, "commands.txt"))]
    groups, order = {}, []
    for d in datagrams(os.path.join(directory, "ipvs.pcap")):
        proc = header(d)[2] & 0x3FFFFF
        if proc not in groups:
            groups[proc] = []
            order.append(proc)
        groups[proc].append(d)
    if len(order) != len(commands):
        sys.exit("%d ipvsadm processes in the capture, %d commands" % (len(order), len(commands)))

    out = []
    have_ctrl = have_info = False
    for label, proc in zip(commands, order):
        exchange = None  # what the current request was: ctrl / info / command
        for d in groups[proc]:
            mtype, flags, _, cmd = header(d)
            if flags & NLM_F_REQUEST:
                if mtype == GENL_ID_CTRL:
                    exchange = "ctrl"
                elif cmd == IPVS_CMD_GET_INFO:
                    exchange = "info"
                else:
                    exchange = label
            if exchange == "ctrl":
                if have_ctrl and flags & NLM_F_REQUEST:
                    exchange = "skip-ctrl"
                else:
                    have_ctrl = True
            if exchange == "info":
                if have_info and flags & NLM_F_REQUEST:
                    exchange = "skip-info"
                else:
                    have_info = True
            if exchange.startswith("skip"):
                continue
            direction = "req" if flags & NLM_F_REQUEST else "rep"
            out.append("%s %s %s" % (exchange, direction, d.hex()))

    kernel = open(os.path.join(directory, "kernel.txt")).read().split("\n")
    with open(os.path.join(directory, "ipvsadm-captured.txt"), "w") as f:
        f.write("# What ipvsadm sends over generic netlink and what the kernel answers,\n")
        f.write("# captured on nlmon inside the IPVS VM by test/vm/capture/capture.sh and\n")
        f.write("# converted by test/vm/capture/pcap2vectors.py.  Kernel %s, %s.\n"
                % (kernel[0].strip(), kernel[1].strip()))
        f.write("# label dir(req = ipvsadm -> kernel, rep = kernel -> ipvsadm) datagram-hex\n")
        f.write("# The commands (label ipvsadm args):\n")
        for line in open(os.path.join(directory, "commands.txt")):
            f.write("#   %s" % line)
        for line in out:
            f.write(line + "\n")
    print("%d datagrams from %d ipvsadm runs -> %s" %
          (len(out), len(commands), os.path.join(directory, "ipvsadm-captured.txt")))
    if corpus:
        write_corpus(corpus, out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".", sys.argv[2] if len(sys.argv) > 2 else None)
