#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_rtnl_reply and fuzz_garp_frame from the
captured vectors: every kernel reply datagram of rtnl/ip-captured.txt and
every frame of garp/garp-captured.txt, named by the SHA-1 of their content
(as libFuzzer names its finds).  Run after capture.sh of either directory.

    native/test/vectors/rtnl/seeds.py
"""
import hashlib
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..")
CORPUS = os.path.join(HERE, "..", "..", "..", "fuzz", "corpus")


def write(target, blobs):
    out = os.path.join(CORPUS, target)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for blob in blobs:
        with open(os.path.join(out, hashlib.sha1(blob).hexdigest()), "wb") as f:
            f.write(blob)
    print("%s: %d seeds" % (target, len(set(blobs))))


def lines(name):
    for line in open(os.path.join(VECTORS, name)):
        if line.strip() and not line.startswith("#"):
            yield line.split()


write("fuzz_rtnl_reply", [bytes.fromhex(f[2]) for f in lines("rtnl/ip-captured.txt") if f[1] == "rep"])
write("fuzz_garp_frame", [bytes.fromhex(f[3]) for f in lines("garp/garp-captured.txt")])
