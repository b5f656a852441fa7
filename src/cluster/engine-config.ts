// HbdConfig + this node's identity -> the native engine's configuration.
// Decisions that need the machine (which addresses are ours, what a peer's
// host name resolves to) are made here, before the engine starts, so the
// heartbeat thread never blocks on DNS.

import { lookup } from 'node:dns/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import type { HbdConfig, Medium } from '../config/model';
import type { NativeEngineConfig, NativeMediumConfig } from '../native/binding';

export interface EngineIdentity {
  readonly nodeName: string;
  readonly uuid: Buffer;
  readonly generation: number;
}

export interface EngineConfigResult {
  readonly config: NativeEngineConfig;
  /** Human-readable notes for the start-up log (e.g. skipped ucast lines). */
  readonly notes: readonly string[];
}

/** Every address configured on this machine (this network namespace). */
export function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) out.add(a.address.split('%')[0] ?? a.address);
  }
  return out;
}

async function numeric(host: string, family: 4 | 6): Promise<string> {
  const bare = host.split('%')[0] ?? host;
  if (net.isIP(bare)) return host;
  const r = await lookup(host, { family });
  return r.address;
}

async function mediumToNative(m: Medium, cfg: HbdConfig, ours: Set<string>, notes: string[]): Promise<NativeMediumConfig | null> {
  switch (m.kind) {
    case 'bcast':
      return { kind: 'bcast', iface: m.iface, port: cfg.udpPort };
    case 'ucast':
    case 'ucast6': {
      const address = await numeric(m.peer, m.kind === 'ucast' ? 4 : 6);
      // One ha.cf serves both nodes: a line naming our own address is ignored.
      if (ours.has(address.split('%')[0] ?? address)) {
        notes.push(`${m.kind} ${m.iface} ${m.peer}: ${address} is this node's own address, line ignored (${m.at.file}:${m.at.line})`);
        return null;
      }
      return { kind: m.kind, iface: m.iface, address, port: cfg.udpPort };
    }
    case 'mcast':
      return { kind: 'mcast', iface: m.iface, address: m.group, port: m.port, ttl: m.ttl, loop: m.loop };
    case 'mcast6':
      return { kind: 'mcast6', iface: m.iface, address: m.group, port: m.port, ttl: m.hops, loop: m.loop };
    case 'serial':
      return { kind: 'serial', device: m.device, baud: cfg.baud };
  }
}

export async function buildEngineConfig(
  cfg: HbdConfig,
  id: EngineIdentity,
  opts: { serialLockDir?: string; realtime?: boolean } = {},
): Promise<EngineConfigResult> {
  const notes: string[] = [];
  const ours = localAddresses();
  const media: NativeMediumConfig[] = [];
  for (const m of cfg.media) {
    const n = await mediumToNative(m, cfg, ours, notes);
    if (n) media.push(n);
  }
  const ping = [];
  for (const p of cfg.pingNodes) {
    const addresses = await Promise.all(p.addresses.map((a) => numeric(a, p.kind === 'ping6' ? 6 : 4)));
    ping.push({ name: p.name, addresses });
  }
  return {
    notes,
    config: {
      nodeName: id.nodeName,
      uuid: id.uuid,
      generation: id.generation,
      nodes: cfg.nodes,
      media,
      ping,
      keepaliveMs: cfg.keepaliveMs,
      standbyKeepaliveMs: cfg.standbyKeepaliveMs ?? 0,
      standbyDeadtimeMs: cfg.standbyDeadtimeMs ?? 0,
      deadtimeMs: cfg.deadtimeMs,
      warntimeMs: cfg.warntimeMs,
      initdeadMs: cfg.initdeadMs,
      deadpingMs: cfg.deadpingMs,
      maxRexmitDelayMs: cfg.maxRexmitDelayMs,
      ttl: cfg.nodes.length + cfg.hopfudge,
      omitInnerAuth: cfg.msgfmt === 'netstring',
      logBadPackets: cfg.logging.logBadPackets,
      realtime: opts.realtime ?? cfg.realtime,
      rtprio: cfg.rtprio ?? 0,
      serialLockDir: opts.serialLockDir,
      keys: {
        sign: cfg.auth.signIndex,
        entries: cfg.auth.keys.map((k) => ({ index: k.index, method: k.method, secret: k.secret })),
      },
    },
  };
}
