// Announcement frames in TypeScript, written independently of the C core so
// that the two can check each other: a pcap reader, a decoder for ARP and
// neighbour advertisements, builders of the frames send_arp / IPv6addr send,
// and the vectors captured from them (native/test/vectors/garp/).

import * as fs from 'node:fs';
import * as path from 'node:path';

export type FrameKind = 'arp-request' | 'arp-reply' | 'na';

export interface ObservedFrame {
  readonly kind: FrameKind;
  /** ARP sender IP / NA target. */
  readonly address: string;
  /** ARP sender MAC / NA target link-layer address. */
  readonly mac: string;
  /** Ethernet source and destination. */
  readonly ethSrc: string;
  readonly ethDst: string;
  /** ARP target hardware address. */
  readonly targetMac?: string;
  /** ARP: sender IP == target IP. */
  readonly gratuitous: boolean;
  /** NA flags byte (0x80 router, 0x40 solicited, 0x20 override). */
  readonly naFlags?: number;
  readonly bytes: Buffer;
  /** Capture time (pcap), ms. */
  readonly tMs?: number;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
export const GARP_VECTORS = path.join(REPO_ROOT, 'native', 'test', 'vectors', 'garp', 'garp-captured.txt');

export function macText(b: Buffer): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((x) => parseInt(x, 16)));
}

function ip4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map(Number));
}

export function ip6Bytes(ip: string): Buffer {
  const [head = '', tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), 2 * i));
  return out;
}

function ip6Text(b: Buffer): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(b.readUInt16BE(i).toString(16));
  let best = -1;
  let len = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > len) [best, len] = [i, j - i];
  }
  return best < 0 ? g.join(':') : `${g.slice(0, best).join(':')}::${g.slice(best + len).join(':')}`;
}

/** RFC 1071 sum over the IPv6 pseudo-header and the ICMPv6 message. */
function icmp6Checksum(src: Buffer, dst: Buffer, icmp: Buffer): number {
  const len = Buffer.alloc(8);
  len.writeUInt32BE(icmp.length, 0);
  len[7] = 58;
  const all = Buffer.concat([src, dst, len, icmp, Buffer.alloc(icmp.length % 2)]);
  let sum = 0;
  for (let i = 0; i < all.length; i += 2) sum += all.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The gratuitous ARP send_arp sends: broadcast, tha zero (request) or the MAC (reply). */
export function arpFrame(op: 1 | 2, mac: string, ip: string): Buffer {
  const m = macBytes(mac);
  const a = ip4Bytes(ip);
  return Buffer.concat([
    Buffer.alloc(6, 0xff), m, Buffer.from([0x08, 0x06]),
    Buffer.from([0, 1, 8, 0, 6, 4, 0, op]), m, a, op === 2 ? m : Buffer.alloc(6), a,
  ]);
}

/** The unsolicited NA of IPv6addr/keepalived (flow label 0). */
export function naFrame(mac: string, ip: string, router = false): Buffer {
  const m = macBytes(mac);
  const src = ip6Bytes(ip);
  const dst = ip6Bytes('ff02::1');
  const icmp = Buffer.concat([Buffer.from([136, 0, 0, 0, router ? 0xa0 : 0x20, 0, 0, 0]), src, Buffer.from([2, 1]), m]);
  icmp.writeUInt16BE(icmp6Checksum(src, dst, icmp), 2);
  const ip6 = Buffer.from([0x60, 0, 0, 0, 0, icmp.length, 58, 255]);
  return Buffer.concat([Buffer.from([0x33, 0x33, 0, 0, 0, 1]), m, Buffer.from([0x86, 0xdd]), ip6, src, dst, icmp]);
}

/** An ARP or NA frame decoded; null for anything else or anything damaged. */
export function decodeFrame(f: Buffer, tMs?: number): ObservedFrame | null {
  if (f.length < 14) return null;
  const type = f.readUInt16BE(12);
  const base = { ethDst: macText(f.subarray(0, 6)), ethSrc: macText(f.subarray(6, 12)), bytes: f, ...(tMs !== undefined ? { tMs } : {}) };
  if (type === 0x0806 && f.length >= 42 && f.readUInt16BE(14) === 1 && f.readUInt16BE(16) === 0x0800 && f[18] === 6 && f[19] === 4) {
    const op = f.readUInt16BE(20);
    if (op !== 1 && op !== 2) return null;
    const spa = [...f.subarray(28, 32)].join('.');
    const tpa = [...f.subarray(38, 42)].join('.');
    return { ...base, kind: op === 1 ? 'arp-request' : 'arp-reply', address: spa, mac: macText(f.subarray(22, 28)), targetMac: macText(f.subarray(32, 38)), gratuitous: spa === tpa };
  }
  if (type === 0x86dd && f.length >= 14 + 40 + 24 && f[20] === 58 && f[54] === 136 && f[21] === 255) {
    const plen = f.readUInt16BE(18);
    if (plen > f.length - 54) return null;
    const icmp = Buffer.from(f.subarray(54, 54 + plen));
    if (icmp6Checksum(f.subarray(22, 38), f.subarray(38, 54), icmp) !== 0) return null;
    let mac = '00:00:00:00:00:00';
    for (let off = 24; off + 8 <= plen && icmp[off + 1] !== 0; off += 8 * (icmp[off + 1] ?? 1)) {
      if (icmp[off] === 2) mac = macText(icmp.subarray(off + 2, off + 8));
    }
    const flags = icmp[4] ?? 0;
    const allNodes = ip6Text(Buffer.from(f.subarray(38, 54))) === 'ff02::1';
    return { ...base, kind: 'na', address: ip6Text(Buffer.from(icmp.subarray(8, 24))), mac, naFlags: flags, gratuitous: allNodes && (flags & 0x40) === 0 };
  }
  return null;
}

/** The frames of a classic little-endian Ethernet pcap (tcpdump -w). */
export function readPcap(data: Buffer): { tMs: number; frame: Buffer }[] {
  if (data.length < 24 || data.readUInt32LE(0) !== 0xa1b2c3d4 || data.readUInt32LE(20) !== 1) throw new Error('not a little-endian Ethernet pcap');
  const out: { tMs: number; frame: Buffer }[] = [];
  for (let off = 24; off + 16 <= data.length; ) {
    const incl = data.readUInt32LE(off + 8);
    out.push({ tMs: data.readUInt32LE(off) * 1000 + data.readUInt32LE(off + 4) / 1000, frame: Buffer.from(data.subarray(off + 16, off + 16 + incl)) });
    off += 16 + incl;
  }
  return out;
}

export interface GarpVector {
  readonly label: string;
  readonly kind: FrameKind | 'other';
  readonly tMs: number;
  readonly bytes: Buffer;
}

/** native/test/vectors/garp/garp-captured.txt: send_arp, send_ua and IPv6addr on the wire. */
export function garpVectors(): GarpVector[] {
  return fs
    .readFileSync(GARP_VECTORS, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [label = '', kind = '', t = '0', hex = ''] = l.split(' ');
      return { label, kind: kind as GarpVector['kind'], tMs: Number(t), bytes: Buffer.from(hex, 'hex') };
    });
}
