// The client's view: a kernel-timestamped capture (tcpdump -tt -e) of ARP,
// the responders' answers and the daemons' heartbeats/adverts, plus the UDP
// prober sending to the VIP every millisecond.
import { type ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Topology } from './types';

const PROBER = path.join(__dirname, 'udp-prober.js');

export interface Packet {
  /** Kernel receive time, epoch ms (CLOCK_REALTIME, µs precision). */
  readonly t: number;
  readonly srcMac: string;
  readonly line: string;
}

/** Epoch ms with sub-ms precision, on the same clock as capture timestamps. */
export function nowEpochMs(): number {
  return performance.timeOrigin + performance.now();
}

export function parseLine(line: string): Packet | null {
  const m = /^(\d+\.\d+) ([0-9a-f:]{17}) > /.exec(line);
  if (!m?.[1] || !m[2]) return null;
  return { t: Number(m[1]) * 1000, srcMac: m[2], line };
}

const esc = (s: string) => s.replace(/\./g, '\\.');

/** A gratuitous ARP announcing `vip` (request "tell VIP" or reply "VIP is-at"). */
export function isGarpFor(p: Packet, vip: string): boolean {
  return p.line.includes('ARP') && new RegExp(`(tell ${esc(vip)},|Reply ${esc(vip)} is-at)`).test(p.line);
}

/** An answer from the responder on VIP:port. */
export function isAnswerFrom(p: Packet, vip: string, port: number): boolean {
  return p.line.includes(`: ${vip}.${port} > `);
}

/** A heartbeat (udp 694) or VRRP advert sent by `address`. */
export function isBeatFrom(p: Packet, address: string): boolean {
  return new RegExp(`: ${esc(address)}\\.\\d+ > [\\d.]+\\.694: `).test(p.line) || (p.line.includes(`: ${address} > 224.0.0.18`) && p.line.includes('VRRP'));
}

export class ClientView {
  readonly packets: Packet[] = [];
  private readonly tcpdump: ChildProcess;
  private prober: ChildProcess | null = null;
  private readonly exited: Promise<void>;

  constructor(private readonly topo: Topology) {
    const filter = `arp or (udp and src port ${topo.port}) or udp port 694 or ip proto 112`;
    this.tcpdump = spawn('ip', ['netns', 'exec', topo.clientNs, 'tcpdump', '-i', topo.iface, '-tt', '-e', '-n', '-l', '-B', '8192', filter], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.exited = new Promise((resolve) => this.tcpdump.once('exit', () => resolve()));
    readline.createInterface({ input: this.tcpdump.stdout! }).on('line', (line) => {
      const p = parseLine(line);
      if (p) this.packets.push(p);
    });
  }

  /** Starts probing and resolves once the VIP answers from A (capture and path are live). */
  async start(timeoutMs = 10_000): Promise<void> {
    this.prober = spawn('ip', ['netns', 'exec', this.topo.clientNs, process.execPath, PROBER, this.topo.vip, String(this.topo.port), '1'], { stdio: 'ignore' });
    await this.waitFor((p) => p.srcMac === this.topo.a.mac && isAnswerFrom(p, this.topo.vip, this.topo.port), 0, timeoutMs, 'the VIP answering from A');
  }

  /** Waits for a packet after `since` (epoch ms) matching `test`; returns it or throws. */
  async waitFor(test: (p: Packet) => boolean, since: number, timeoutMs: number, what: string): Promise<Packet> {
    const deadline = Date.now() + timeoutMs;
    let from = 0;
    for (;;) {
      for (; from < this.packets.length; from++) {
        const p = this.packets[from];
        if (p && p.t >= since && test(p)) return p;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  first(test: (p: Packet) => boolean, since: number): Packet | undefined {
    return this.packets.find((p) => p.t >= since && test(p));
  }

  last(test: (p: Packet) => boolean, before: number): Packet | undefined {
    let found: Packet | undefined;
    for (const p of this.packets) if (p.t <= before && test(p)) found = p;
    return found;
  }

  async stop(): Promise<void> {
    this.prober?.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
    this.tcpdump.kill('SIGINT');
    const timer = setTimeout(() => this.tcpdump.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }
}
