// `hbd demo`: two LVS directors and a client in network namespaces on this
// machine, both directors running hbd from the embedded default
// configuration (plain Heartbeat ha.d files). It shows the client reaching
// the VIP, kills director1 with SIGKILL, prints the failover timeline as seen
// from the client's segment, restarts director1 and shows the failback.
// Everything it creates is removed at the end, also on Ctrl-C.

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { request } from '../control/client';
import { controlSocketPath } from '../control/protocol';
import { isSocketAlive } from '../control/server';
import { DEMO_CLIENT, DEMO_DIRECTORS, DEMO_VIP, demoConfigFiles } from '../demo/default-config';
import { Lan, removeNamespacesWithPrefix } from '../netns/lan';

export const DEMO_PREFIX = 'hbd-demo-';

export interface DemoOptions {
  readonly keep?: boolean;
  readonly cleanup?: boolean;
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const hbdScript = path.resolve(__dirname, '..', '..', '..', 'bin', 'hbd');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, test: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test()) return;
    await sleep(stepMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Lines of a long-running command, each with the wall-clock ms it arrived. */
class LineTap {
  readonly lines: { t: number; line: string }[] = [];
  constructor(readonly proc: ChildProcess) {
    if (proc.stdout) readline.createInterface({ input: proc.stdout }).on('line', (line) => this.lines.push({ t: Date.now(), line }));
  }
}

/** Epoch ms from tcpdump -tt / ping -D timestamps ("1795331875.123456" or "[...]"). */
function stamp(line: string): number {
  const m = /^\[?(\d+\.\d+)\]?/.exec(line);
  return m?.[1] ? Number(m[1]) * 1000 : NaN;
}

export async function demo(opts: DemoOptions): Promise<number> {
  if (opts.cleanup) {
    const removed = removeNamespacesWithPrefix(DEMO_PREFIX);
    say(removed.length ? `removed ${removed.join(' ')}` : 'nothing to clean up');
    return 0;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('hbd demo: needs root (it creates network namespaces)\n');
    return 1;
  }
  removeNamespacesWithPrefix(DEMO_PREFIX);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-demo-'));
  const lan = Lan.create(
    [...DEMO_DIRECTORS, DEMO_CLIENT].map((h) => ({ name: h.name, addresses: [h.address] })),
    { prefix: DEMO_PREFIX, flood: true },
  );
  const children = new Set<ChildProcess>();
  const cleanup = () => {
    if (opts.keep) {
      lan.release();
      return;
    }
    for (const c of children) c.kill('SIGKILL');
    lan.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  };
  const onSignal = () => {
    say('\ninterrupted: cleaning up');
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const stateDir = (name: string) => path.join(work, name, 'state');
  const startDirector = (name: string): ChildProcess => {
    const confDir = path.join(work, name, 'ha.d');
    const child = lan.spawn(
      name,
      process.execPath,
      [hbdScript, 'run', '--foreground', '--config-dir', confDir, '--state-dir', stateDir(name), '--node-name', name, '--log-level', 'warn', '--on-stop-failure', 'none'],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    children.add(child);
    return child;
  };
  const holds = async (name: string) => {
    const out = await runIn(lan, name, 'ip', ['-o', 'addr', 'show', 'dev', 'eth0']);
    return out.includes(` ${DEMO_VIP}/`);
  };

  try {
    const [d1, d2] = DEMO_DIRECTORS as [(typeof DEMO_DIRECTORS)[number], (typeof DEMO_DIRECTORS)[number]];
    say('hbd demo: two LVS directors and a client in network namespaces on this machine');
    say(`  ${d1.name} ${d1.address} (preferred owner of VIP ${DEMO_VIP}), ${d2.name} ${d2.address}, client ${DEMO_CLIENT.address}`);
    say('  embedded configuration: plain Heartbeat ha.d files, bcast, sha1, keepalive 50ms, deadtime 200ms, auto_failback on');
    const files = demoConfigFiles();
    for (const d of DEMO_DIRECTORS) {
      const confDir = path.join(work, d.name, 'ha.d');
      fs.mkdirSync(confDir, { recursive: true });
      for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(confDir, name), text, { mode: name === 'authkeys' ? 0o600 : 0o644 });
    }
    say();
    const t0 = Date.now();
    const p1 = startDirector(d1.name);
    startDirector(d2.name);
    for (const d of DEMO_DIRECTORS) await waitFor(`${d.name}'s control socket`, () => isSocketAlive(controlSocketPath(stateDir(d.name))), 20_000);
    await waitFor('the VIP on director1', () => holds(d1.name), 20_000);
    say(`[${fmt(Date.now() - t0)}] both directors running; VIP ${DEMO_VIP} up on ${d1.name}`);

    // The client's view: kernel-timestamped capture of heartbeats and ARP,
    // and a probe of the VIP every 2 ms.
    const capture = new LineTap(lan.spawn(DEMO_CLIENT.name, 'tcpdump', ['-i', 'eth0', '-tt', '-n', '-l', '-e', 'udp port 694 or arp'], { stdio: ['ignore', 'pipe', 'ignore'] }));
    children.add(capture.proc);
    const probe = new LineTap(lan.spawn(DEMO_CLIENT.name, 'ping', ['-D', '-n', '-i', '0.002', '-W', '1', DEMO_VIP], { stdio: ['ignore', 'pipe', 'ignore'] }));
    children.add(probe.proc);
    await waitFor('the client reaching the VIP', () => probe.lines.some((l) => l.line.includes('bytes from')), 10_000);
    say(`[${fmt(Date.now() - t0)}] the client reaches the VIP (ping every 2 ms)`);
    await sleep(5500); // past the directors' first 5 s (they advertise deadtime + 2 s then)

    const events: { time: number; type: string; [k: string]: unknown }[] = [];
    // Engine-side time when there is one (the heartbeat thread's own clock).
    const follower = spawn(process.execPath, [hbdScript, 'status', '--follow', '--json', '--state-dir', stateDir(d2.name)], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.add(follower);
    readline.createInterface({ input: follower.stdout }).on('line', (l) => {
      try {
        const e = JSON.parse(l) as { time: string; type: string; engineTime?: number };
        events.push({ ...e, time: e.engineTime ?? Date.parse(e.time) });
      } catch {
        /* ignore */
      }
    });
    await sleep(300);

    say(`[${fmt(Date.now() - t0)}] killing ${d1.name} with SIGKILL`);
    const pid1 = Number(fs.readFileSync(path.join(stateDir(d1.name), 'hbd.pid'), 'utf8'));
    const killAt = Date.now();
    process.kill(pid1, 'SIGKILL');
    // A crashed box goes silent all at once: its link goes with it.
    lan.setLink(d1.name, false);
    p1.kill('SIGKILL');
    await waitFor('the VIP on director2', () => holds(d2.name), 10_000, 5);
    await waitFor('the VIP answering again', () => probe.lines.some((l) => stamp(l.line) > killAt && l.line.includes('bytes from')), 10_000, 5);
    await sleep(800);

    const d1ip = d1.address.split('/')[0] ?? '';
    const lastBeat = capture.lines.filter((l) => l.line.includes(`${d1ip}.`) && l.line.includes('.694:')).map((l) => stamp(l.line)).filter((t) => t <= killAt + 100).pop();
    const firstGarp = capture.lines.find((l) => stamp(l.line) > killAt && /ARP/.test(l.line) && l.line.includes(DEMO_VIP) && !l.line.includes('Request who-has 10.99.0.100 tell 10.99.0.9'));
    // The first reply after the outage: after the longest silence following the kill.
    const replies = probe.lines.filter((l) => l.line.includes('bytes from')).map((l) => stamp(l.line)).filter((t) => t > killAt - 100);
    let answeredAt: number | undefined;
    let longest = 0;
    for (let i = 1; i < replies.length; i++) {
      const gap = (replies[i] ?? 0) - (replies[i - 1] ?? 0);
      if (gap > longest) {
        longest = gap;
        answeredAt = replies[i];
      }
    }
    const dead = events.find((e) => e.type === 'node dead' && e.node === d1.name);
    const native = events.find((e) => e.type === 'native takeover');
    const rel = (t: number | undefined) => (t === undefined || Number.isNaN(t) ? '     ?' : `${t - killAt >= 0 ? '+' : ''}${(t - killAt).toFixed(0).padStart(5)}`);
    say();
    say(`failover timeline, ms after the SIGKILL (wall clock; packets timestamped by the kernel on the client's segment):`);
    say(`  ${rel(killAt)} ms  kill -9 ${d1.name}`);
    say(`  ${rel(lastBeat)} ms  last heartbeat from ${d1.name} on the wire`);
    say(`  ${rel(native?.time)} ms  ${d2.name} declares ${d1.name} dead and adds the VIP on its heartbeat thread (native takeover)`);
    say(`  ${rel(dead?.time)} ms  ... and tells its JS side, which finishes the group (the VIP is already up)`);
    say(`  ${rel(firstGarp ? stamp(firstGarp.line) : undefined)} ms  first gratuitous ARP for ${DEMO_VIP} from ${d2.name}`);
    say(`  ${rel(answeredAt)} ms  the VIP answers the client again (its probe every 2 ms)`);
    say();

    say(`[${fmt(Date.now() - t0)}] restarting ${d1.name} (auto_failback on)`);
    // The box comes back without its old address, as after a reboot.
    await runIn(lan, d1.name, 'ip', ['addr', 'del', `${DEMO_VIP}/24`, 'dev', 'eth0']).catch(() => '');
    lan.setLink(d1.name, true);
    const restartAt = Date.now();
    startDirector(d1.name);
    await waitFor('the VIP back on director1', async () => (await holds(d1.name)) && !(await holds(d2.name)), 30_000, 10);
    say(`[${fmt(Date.now() - t0)}] VIP back on ${d1.name} ${Date.now() - restartAt} ms after its restart (standby protocol: ask_resources me/other/done)`);
    await waitFor('director1 stable', async () => {
      const r = await request(stateDir(d1.name), { cmd: 'status' });
      return r.ok && r.rscstatus === 'local';
    }, 15_000);
    const st = await request(stateDir(d1.name), { cmd: 'status' });
    if (st.ok) say(`  ${d1.name}: rscstatus ${String(st.rscstatus)}; ${(st.nodes as { name: string; status: string }[]).map((n) => `${n.name} ${n.status}`).join(', ')}`);
    await waitFor('the client reaching the VIP', () => probe.lines.some((l) => stamp(l.line) > restartAt && l.line.includes('bytes from')), 10_000);
    say('  the client reaches the VIP on director1 again');
    if (opts.keep) say(`left running; remove with: hbd demo --cleanup (work dir ${work})`);
    else say('cleaning up: namespaces and daemons removed');
    return 0;
  } catch (e) {
    process.stderr.write(`hbd demo: ${(e as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}

function fmt(ms: number): string {
  return `${(ms / 1000).toFixed(1).padStart(5)} s`;
}

function runIn(lan: Lan, host: string, cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = lan.spawn(host, cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}`))));
  });
}
