// An IpvsBackend that drives the kernel through ipvsadm, for the director's
// VM tests: it cross-checks what the director programs with the tool
// operators use, and runs before (and beside) the native netlink backend.
// Not for production: one process per operation, errors mapped from text.

import { execFile } from 'node:child_process';
import type {
  DestKey,
  IpvsBackend,
  IpvsDest,
  IpvsDestState,
  IpvsInfo,
  IpvsService,
  IpvsServiceState,
  IpvsTimeouts,
  ServiceKey,
  SyncDaemon,
} from '../../src/ipvs/types';

function run(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ipvsadm', [...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err === null) return resolve(stdout);
      const text = `${stderr}${stdout}`.trim();
      const code = /already exists/i.test(text)
        ? 'EEXIST'
        : /no such destination/i.test(text)
          ? 'ENOENT'
          : /no such service|service not defined/i.test(text)
            ? 'ESRCH'
            : /permission denied/i.test(text)
              ? 'EPERM'
              : 'EIO';
      reject(Object.assign(new Error(`ipvsadm ${args.join(' ')}: ${text}`), { code }));
    });
  });
}

const host = (a: string) => (a.includes(':') ? `[${a}]` : a);

function serviceArgs(k: ServiceKey): string[] {
  if (k.fwmark !== undefined) return ['-f', String(k.fwmark), ...(k.af === 'inet6' ? ['-6'] : [])];
  const flag = k.protocol === 'tcp' ? '-t' : k.protocol === 'udp' ? '-u' : '--sctp-service';
  return [flag, `${host(k.address)}:${k.port}`];
}

function settingsArgs(s: IpvsService): string[] {
  const out = ['-s', s.scheduler];
  if (s.persistentTimeout) out.push('-p', String(s.persistentTimeout));
  if (s.persistentTimeout && s.netmask !== undefined) out.push('-M', String(s.netmask));
  const f = s.flags ?? {};
  const sched = [f.sched1 ? 'flag-1' : '', f.sched2 ? 'flag-2' : '', f.sched3 ? 'flag-3' : ''].filter((x) => x !== '');
  if (sched.length > 0) out.push('-b', sched.join(','));
  if (f.onePacket) out.push('-o');
  return out;
}

function destArgs(d: IpvsDest): string[] {
  const fwd = d.forward === 'masq' ? '-m' : d.forward === 'tunnel' ? '-i' : '-g';
  return ['-r', `${host(d.address)}:${d.port}`, fwd, '-w', String(d.weight), '-x', String(d.upperThreshold ?? 0), '-y', String(d.lowerThreshold ?? 0)];
}

const SERVICE_LINE = /^(TCP|UDP|SCTP|FWM)\s+(\S+)\s+(?:(IPv6)\s+)?([a-z]+)(?:\s+\(([^)]*)\))?(.*)$/;
const DEST_LINE = /^\s+->\s+(\S+)\s+(\S+)\s+(\S+)/;

function splitAddr(text: string): { address: string; port: number } {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(text);
  return { address: m?.[1] ?? text, port: Number(m?.[2] ?? 0) };
}

interface Listing {
  service: IpvsServiceState;
  dests: { text: string; cols: [string, string] }[];
}

function parseListing(out: string): Listing[] {
  const result: Listing[] = [];
  for (const line of out.split('\n')) {
    const s = SERVICE_LINE.exec(line);
    if (s !== null) {
      const [, proto = '', where = '', v6, scheduler = '', flagText = '', rest = ''] = s;
      const flags = flagText.split(',');
      const persistent = /persistent (\d+)/.exec(rest);
      const mask = /mask (\S+)/.exec(rest);
      let key: ServiceKey;
      if (proto === 'FWM') key = { af: v6 !== undefined ? 'inet6' : 'inet', fwmark: Number(where) };
      else {
        const { address, port } = splitAddr(where);
        key = { af: address.includes(':') ? 'inet6' : 'inet', protocol: proto.toLowerCase() as 'tcp', address, port };
      }
      result.push({
        service: {
          key,
          scheduler,
          persistentTimeout: persistent === null ? undefined : Number(persistent[1]),
          netmask: mask === null ? undefined : /^\d+$/.test(mask[1] ?? '') ? Number(mask[1]) : mask[1],
          flags: {
            onePacket: /\bops\b/.test(rest),
            sched1: flags.some((f) => /fallback|flag-1/.test(f)),
            sched2: flags.some((f) => /-port|flag-2/.test(f)),
            sched3: flags.includes('flag-3'),
          },
        },
        dests: [],
      });
      continue;
    }
    const d = DEST_LINE.exec(line);
    const last = result.at(-1);
    if (d !== null && last !== undefined && d[1] !== 'RemoteAddress:Port') last.dests.push({ text: d[1] ?? '', cols: [d[2] ?? '', d[3] ?? ''] });
  }
  return result;
}

const keyText = (k: ServiceKey) => (k.fwmark !== undefined ? `fwm ${k.af} ${k.fwmark}` : `${k.protocol} ${k.address}:${k.port}`);

export class IpvsadmBackend implements IpvsBackend {
  /** Every mutating ipvsadm command, for tests that count operations. */
  readonly commands: string[] = [];

  private async mutate(args: string[]): Promise<void> {
    this.commands.push(args.join(' '));
    await run(args);
  }

  async info(): Promise<IpvsInfo> {
    const out = await run(['-Ln']);
    const m = /version (\S+) \(size=(\d+)\)/.exec(out);
    return { version: m?.[1] ?? '?', connTableSize: Number(m?.[2] ?? 0) };
  }

  async listServices(): Promise<IpvsServiceState[]> {
    return parseListing(await run(['-Ln'])).map((l) => l.service);
  }

  async listDests(service: ServiceKey): Promise<IpvsDestState[]> {
    const [weights, thresholds] = await Promise.all([run(['-Ln']), run(['-Ln', '--thresholds'])]);
    const mine = parseListing(weights).find((l) => keyText(l.service.key) === keyText(service));
    if (mine === undefined) throw Object.assign(new Error(`no service ${keyText(service)}`), { code: 'ESRCH' });
    const limits = parseListing(thresholds).find((l) => keyText(l.service.key) === keyText(service));
    return mine.dests.map((d) => {
      const { address, port } = splitAddr(d.text);
      const t = limits?.dests.find((x) => x.text === d.text);
      const fw = d.cols[0];
      return {
        af: address.includes(':') ? 'inet6' : 'inet',
        address,
        port,
        forward: fw === 'Masq' ? 'masq' : fw === 'Tunnel' ? 'tunnel' : fw === 'Local' ? 'local' : 'route',
        weight: Number(d.cols[1]),
        upperThreshold: Number(t?.cols[0] ?? 0),
        lowerThreshold: Number(t?.cols[1] ?? 0),
      };
    });
  }

  addService(s: IpvsService): Promise<void> {
    return this.mutate(['-A', ...serviceArgs(s), ...settingsArgs(s)]);
  }

  editService(s: IpvsService): Promise<void> {
    return this.mutate(['-E', ...serviceArgs(s), ...settingsArgs(s)]);
  }

  deleteService(k: ServiceKey): Promise<void> {
    return this.mutate(['-D', ...serviceArgs(k)]);
  }

  addDest(k: ServiceKey, d: IpvsDest): Promise<void> {
    return this.mutate(['-a', ...serviceArgs(k), ...destArgs(d)]);
  }

  editDest(k: ServiceKey, d: IpvsDest): Promise<void> {
    return this.mutate(['-e', ...serviceArgs(k), ...destArgs(d)]);
  }

  deleteDest(k: ServiceKey, d: DestKey): Promise<void> {
    return this.mutate(['-d', ...serviceArgs(k), '-r', `${host(d.address)}:${d.port}`]);
  }

  flush(): Promise<void> {
    return this.mutate(['-C']);
  }

  zero(k?: ServiceKey): Promise<void> {
    return this.mutate(['-Z', ...(k === undefined ? [] : serviceArgs(k))]);
  }

  async getTimeouts(): Promise<IpvsTimeouts> {
    const m = /(\d+)\s+(\d+)\s+(\d+)/.exec(await run(['-L', '--timeout']));
    return { tcp: Number(m?.[1] ?? 0), tcpFin: Number(m?.[2] ?? 0), udp: Number(m?.[3] ?? 0) };
  }

  setTimeouts(t: IpvsTimeouts): Promise<void> {
    return this.mutate(['--set', String(t.tcp), String(t.tcpFin), String(t.udp)]);
  }

  async listDaemons(): Promise<SyncDaemon[]> {
    return [];
  }

  async startDaemon(d: SyncDaemon): Promise<void> {
    await this.mutate(['--start-daemon', d.role, '--mcast-interface', d.mcastInterface, '--syncid', String(d.syncId)]);
  }

  async stopDaemon(role: 'master' | 'backup'): Promise<void> {
    await this.mutate(['--stop-daemon', role]);
  }

  close(): void {}
}
