#!/usr/bin/env python3
"""Regenerate the Heartbeat wire test vectors under native/test/vectors/.

The vectors are real datagrams captured between Heartbeat 3.0.6 nodes (the
reference captures of the hb-real harness).  This script reads the pcaps and
raw serial dumps, re-checks every datagram with an independent Python model
of the wire format (both digests, byte-identical re-encoding) and writes a
selection as text files that the C tests read.  The C tests never need the
captures themselves.

    gen_vectors.py [--captures DIR] [--out DIR] [--all FILE]

--all FILE additionally writes EVERY checked datagram (about 7,000) to FILE, in
the same format, for a one-off full run: out/test/test_captures FILE.

Vector line format (one datagram per line, fields separated by one space):

    <id> <keys> <ladder> <inner> <hex>

  id      where it came from, e.g. bcast-sha1#17 (pcap frame number) or
          serial-1to2#5 (message index in the dump)
  keys    the receiver's key table: entries "N:method:key" joined by ",";
          the first entry is the signing (`auth N`) entry; crc has an empty key
  ladder  expected hb_receive() result, a hb_drop_reason name without the
          HB_DROP_ prefix (NONE = accepted)
  inner   expected hb_verify_inner() result on the decoded message, or "-"
          when the message does not decode
  hex     the datagram / serial message bytes
"""
import argparse, base64, collections, hashlib, hmac, os, struct, sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CAPTURES = "/work/shared/reference/hb-real/captures"

# Which key each capture run used (from the run headers in captures/*.txt).
RUN_KEYS = {
    "afoff-crc": "1:crc:", "alone-crc": "1:crc:", "bcast-crc": "1:crc:",
    "legacy-crc": "1:crc:",
    "bcast-md5": "1:md5:s3cr3t-md5", "mcast-md5": "1:md5:mcastkey",
    "standby-md5": "1:md5:md5key",
    "bcast-sha1": "1:sha1:hwtestkey", "inject-sha1": "1:sha1:hwtestkey",
    "ucast-sha1": "1:sha1:hwtestkey",
}
SERIAL_KEYS = "1:sha1:hwtestkey"
FORGER_IP = "10.99.0.9"   # observer netns that sent the forged datagrams T1..T15

# Expected outcome of each forged datagram (captures/auth-and-malformed-udp-tests.txt),
# in the order they appear in inject-sha1.pcap.  T8 (unknown node) is rejected by
# membership, not by the wire ladder, so the ladder accepts it.
FORGED = [
    ("T1-valid-netstring", "NONE", "NONE"),
    ("T2-bad-outer", "BAD_AUTH", "NONE"),
    ("T3-bad-inner-good-outer", "NONE", "BAD_AUTH"),
    ("T4-classic-valid-inner", "NONE", "NONE"),
    ("T5-classic-bad-inner", "BAD_AUTH", "BAD_AUTH"),
    ("T6-netstring-no-trailer", "NO_AUTH", "NONE"),
    ("T7-garbage", "BAD_FRAMING", "-"),
    ("T8-unknown-node", "NONE", "NONE"),
    ("T9-authnum-2-not-configured", "UNKNOWN_AUTH_INDEX", "UNKNOWN_AUTH_INDEX"),
    ("T10-md5-digest-with-sha1-entry", "BAD_AUTH", "BAD_AUTH"),
    ("T11-missing-ts", "MISSING_FIELDS", "NONE"),
    ("T12-netstring-no-inner-auth", "NONE", "NO_AUTH"),
    ("T13-classic-wrong-key", "BAD_AUTH", "BAD_AUTH"),
    ("T14-netstring-truncated", "TRUNCATED", "-"),
    ("T15-classic-line-without-equals", "PARSE_ERROR", "-"),
]

# Serial robustness inputs of captures/serial-garbage-tests.txt that are whole
# messages (the line reader that skips garbage between messages is not tested here).
SERIAL_FORGED = [
    ("S5-line-lacking-equals", b">>>\nt=NS_rexmit\nbogus\n<<<\n", "PARSE_ERROR"),
    ("S6-unterminated", b">>>\nt=NS_rexmit\ndest=node1\n", "TRUNCATED"),
    # S8 as injected: its length says 8 but "(0)t=NS_x" is 9 bytes, so besides
    # lacking the trailer it is a malformed netstring (and ignored on serial anyway)
    ("S8-netstring-on-serial", b"###\n8:(0)t=NS_x,%%%\n", "PARSE_ERROR"),
    ("S8-fixed-netstring-without-trailer", b"###\n9:(0)t=NS_x,%%%\n", "NO_AUTH"),
]

# ---------------------------------------------------------------- digests
def crc_text(data: bytes) -> str:
    """POSIX cksum CRC without the length suffix, printed like %lx."""
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return format(crc ^ 0xFFFFFFFF, "x")

def digest_text(method: str, key: str, data: bytes) -> str:
    if method == "crc":
        return crc_text(data)
    algo = {"md5": hashlib.md5, "sha1": hashlib.sha1}[method]
    return hmac.new(key.encode(), data, algo).hexdigest()

def parse_keys(spec: str):
    table = {}
    for entry in spec.split(","):
        num, method, key = entry.split(":", 2)
        table[int(num)] = (method, key)
    return table

# ---------------------------------------------------------------- wire model
def decode_netstring(buf: bytes):
    """-> (fields, body_len) where fields = [(type, name, value)]."""
    assert buf.startswith(b"###\n")
    pos, fields = 4, []
    while buf[pos:pos + 4] != b"%%%\n":
        colon = buf.index(b":", pos)
        length = int(buf[pos:colon])
        body = buf[colon + 1:colon + 1 + length]
        assert len(body) == length and buf[colon + 1 + length:colon + 2 + length] == b","
        assert body[0:1] == b"(" and body[2:3] == b")"
        name, value = body[3:].split(b"=", 1)
        fields.append((body[1] - 48, name, value))
        pos = colon + 2 + length
    return fields, pos + 4

def encode_netstring(fields) -> bytes:
    out = [b"###\n"]
    for ftype, name, value in fields:
        body = b"(%d)" % ftype + name + b"=" + value
        out.append(b"%d:" % len(body) + body + b",")
    out.append(b"%%%\n")
    return b"".join(out)

def classic_line(ftype, name, value) -> bytes:
    if ftype == 0:
        return name + b"=" + value.replace(b"\n", b"\x13") + b"\n"
    return b"(1)" + name + b"=" + base64.b64encode(value) + b"\n"

def inner_text(fields) -> bytes:
    return b"".join(classic_line(*f) for f in fields if f[1] != b"auth")

def encode_classic(fields) -> bytes:
    return b">>>\n" + b"".join(classic_line(*f) for f in fields) + b"<<<\n"

def decode_classic(buf: bytes):
    assert buf.startswith(b">>>\n") and buf.endswith(b"<<<\n")
    fields = []
    for line in buf[4:-4].split(b"\n"):
        if not line:
            continue
        name, value = line.split(b"=", 1)
        if name.startswith(b"(1)"):
            fields.append((1, name[3:], base64.b64decode(value, validate=True)))
        else:
            fields.append((0, name, value.replace(b"\x13", b"\n")))
    return fields

def auth_field(fields):
    values = [v for (t, n, v) in fields if n == b"auth"]
    return values[-1].decode() if values else None

def check_real(buf: bytes, keys):
    """Asserts everything the C test will assert about a real datagram.
    -> (message type, whether a digest is shorter than 8 hex digits)"""
    method, key = keys[1]
    if buf.startswith(b"###\n"):
        fields, body_len = decode_netstring(buf)
        body, trailer = buf[:body_len], buf[body_len:]
        assert encode_netstring(fields) == body, "netstring re-encoding differs"
        colon = trailer.index(b":")
        token = trailer[colon + 1:-1].decode()
        assert trailer == b"%d:%s," % (len(token), token.encode()), "trailer"
        num, digest = token.split(" ")
        assert int(num) == 1 and digest_text(method, key, body) == digest, "outer digest"
        short = len(digest) < 8
    else:
        short = False
        fields = decode_classic(buf)
        assert encode_classic(fields) == buf, "classic re-encoding differs"
    num, digest = auth_field(fields).split(" ")
    assert int(num) == 1 and digest_text(method, key, inner_text(fields)) == digest, "inner digest"
    short = short or (method == "crc" and len(digest) < 8)
    return dict((n, v) for (t, n, v) in reversed(fields))[b"t"].decode(), short

# ---------------------------------------------------------------- inputs
def pcap_udp_payloads(path):
    """-> [(frame number, source ip, payload)] for UDP port 694 (Ethernet, IPv4)."""
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    assert magic == 0xA1B2C3D4, "little-endian microsecond pcap expected"
    assert struct.unpack("<I", data[20:24])[0] == 1, "Ethernet link type expected"
    off, frame, out = 24, 0, []
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        frame += 1
        if pkt[12:14] != b"\x08\x00":
            continue
        ip = pkt[14:]
        if ip[9] != 17 or struct.unpack(">H", ip[6:8])[0] & 0x3FFF:
            continue   # not UDP, or an IP fragment
        udp = ip[(ip[0] & 15) * 4:]
        sport, dport, ulen = struct.unpack(">HHH", udp[:6])
        if 694 in (sport, dport):
            out.append((frame, ".".join(map(str, ip[12:16])), udp[8:ulen]))
    return out

def serial_messages(path):
    data, out, pos = open(path, "rb").read(), [], 0
    while True:
        start = data.find(b">>>\n", pos)
        if start < 0:
            return out
        end = data.find(b"<<<\n", start)
        out.append(data[start:end + 4])
        pos = end + 4

# ---------------------------------------------------------------- main
def line(ident, keys, ladder, inner, payload):
    return "%s %s %s %s %s\n" % (ident, keys, ladder, inner, payload.hex())

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--captures", default=DEFAULT_CAPTURES)
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--per-type", type=int, default=3,
                    help="datagrams kept per (capture, sender, message type)")
    ap.add_argument("--all", metavar="FILE", help="also write every checked datagram here")
    args = ap.parse_args()
    pcap_dir = os.path.join(args.captures, "pcap")

    udp_lines, all_lines, forged_lines, serial_lines = [], [], [], []
    counts = collections.Counter()
    for run in sorted(RUN_KEYS):
        keys_spec = RUN_KEYS[run]
        keys = parse_keys(keys_spec)
        kept = collections.Counter()
        forged = 0
        for frame, src, payload in pcap_udp_payloads(os.path.join(pcap_dir, run + ".pcap")):
            ident = "%s#%d" % (run, frame)
            if src == FORGER_IP:
                name, ladder, inner = FORGED[forged]
                forged += 1
                forged_lines.append(line(name + "@" + ident, keys_spec, ladder, inner, payload))
                continue
            mtype, short_digest = check_real(payload, keys)
            counts[keys[1][0]] += 1
            all_lines.append(line(ident, keys_spec, "NONE", "NONE", payload))
            if kept[(src, mtype)] < args.per_type:
                kept[(src, mtype)] += 1
                udp_lines.append(all_lines[-1])
            elif short_digest and kept["short crc"] < 3:
                # crc digests print without leading zeros (%lx): keep a few
                kept["short crc"] += 1
                udp_lines.append(all_lines[-1])
        assert forged in (0, len(FORGED))
    for direction in ("1to2", "2to1"):
        path = os.path.join(pcap_dir, "serial-sha1-node%s-to-node%s.raw" % tuple(direction.split("to")))
        kept = collections.Counter()
        for index, msg in enumerate(serial_messages(path)):
            mtype, _ = check_real(msg, parse_keys(SERIAL_KEYS))
            counts["serial"] += 1
            ident = "serial-%s#%d" % (direction, index)
            all_lines.append(line(ident, SERIAL_KEYS, "NONE", "NONE", msg))
            if kept[mtype] < args.per_type * 2:
                kept[mtype] += 1
                serial_lines.append(all_lines[-1])
    for name, payload, ladder in SERIAL_FORGED:
        forged_lines.append(line(name, SERIAL_KEYS, ladder, "-", payload))

    header = "# generated by gen_vectors.py from the hb-real captures; format: see its docstring\n"
    for fname, rows in (("udp-captured.txt", udp_lines), ("serial-captured.txt", serial_lines),
                        ("forged.txt", forged_lines)):
        with open(os.path.join(args.out, fname), "w") as f:
            f.write(header + "".join(rows))
        print("%-20s %4d vectors" % (fname, len(rows)))
    if args.all:
        with open(args.all, "w") as f:
            f.write(header + "".join(all_lines))
        print("%-20s %4d vectors" % (args.all, len(all_lines)))
    print("checked in Python: crc %(crc)d, md5 %(md5)d, sha1 %(sha1)d UDP datagrams, "
          "%(serial)d serial messages: all digests and re-encodings match" % counts)

if __name__ == "__main__":
    sys.exit(main())
