#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from the
test vectors (test/vectors/*.txt): a few real datagrams of every message type
and auth method, plus the forged and malformed ones.  Files are named by the
SHA-1 of their content, as libFuzzer names its own finds.

    make_corpus.py            (run from anywhere; rewrites the three corpora)
"""
import hashlib, os, re, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "test", "vectors")

def vectors(name):
    for line in open(os.path.join(VECTORS, name)):
        if line.startswith("#") or not line.strip():
            continue
        ident, keys, ladder, inner, hexdata = line.split()
        yield ident, keys, bytes.fromhex(hexdata)

def message_type(data):
    m = re.search(rb"(?:^|[\n,])(?:\d+:\(0\))?t=([^,\n]*)", data)
    return m.group(1) if m else b"?"

def pick(rows, per_kind):
    """a few datagrams per (auth method, message type)"""
    seen, out = {}, []
    for ident, keys, data in rows:
        kind = (keys.split(":")[1], message_type(data))
        if seen.get(kind, 0) < per_kind:
            seen[kind] = seen.get(kind, 0) + 1
            out.append(data)
    return out

def write(target, items):
    d = os.path.join(HERE, "corpus", target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for data in items:
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print("%-16s %3d seeds" % (target, len(set(items))))

def main():
    udp = pick(vectors("udp-captured.txt"), 1)
    serial = pick(vectors("serial-captured.txt"), 2)
    forged = [data for _, _, data in vectors("forged.txt")]
    write("fuzz_netstring", udp + [d for d in forged if d.startswith(b"###")])
    write("fuzz_classic", serial + [d for d in forged if d.startswith(b">>>")])
    write("fuzz_recv", udp + serial[:8] + forged)

if __name__ == "__main__":
    main()
