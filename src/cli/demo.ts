// `hbd demo`: two directors and a client in network namespaces on this
// machine, each director running hbd from the embedded default configuration
// (plain Heartbeat ha.d files). Everything it creates is removed at the end,
// also on Ctrl-C.

import { type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { request } from '../control/client';
import { isSocketAlive } from '../control/server';
import { controlSocketPath } from '../control/protocol';
import { DEMO_CLIENT, DEMO_DIRECTORS, demoConfigFiles } from '../demo/default-config';
import { Lan, removeNamespacesWithPrefix } from '../netns/lan';

export const DEMO_PREFIX = 'hbd-demo-';

export interface DemoOptions {
  readonly keep?: boolean;
  readonly cleanup?: boolean;
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const hbdScript = path.resolve(__dirname, '..', '..', '..', 'bin', 'hbd');

async function waitFor(what: string, test: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await test()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
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
  const children: ChildProcess[] = [];
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

  try {
    say(`network: ${DEMO_DIRECTORS.map((d) => `${d.name} ${d.address}`).join(', ')}, client ${DEMO_CLIENT.address} (namespaces ${DEMO_PREFIX}*)`);
    const files = demoConfigFiles();
    for (const d of DEMO_DIRECTORS) {
      const confDir = path.join(work, d.name, 'ha.d');
      const stateDir = path.join(work, d.name, 'state');
      fs.mkdirSync(confDir, { recursive: true });
      for (const [name, text] of Object.entries(files)) {
        fs.writeFileSync(path.join(confDir, name), text, { mode: name === 'authkeys' ? 0o600 : 0o644 });
      }
      const child = lan.spawn(
        d.name,
        process.execPath,
        [hbdScript, 'run', '--foreground', '--config-dir', confDir, '--state-dir', stateDir, '--node-name', d.name, '--log-level', 'warn'],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      children.push(child);
      await waitFor(`${d.name}'s control socket`, () => isSocketAlive(controlSocketPath(stateDir)), 15000);
      say(`${d.name}: hbd running (pid ${child.pid}), config ${confDir}`);
    }
    for (const d of DEMO_DIRECTORS) {
      const reply = await request(path.join(work, d.name, 'state'), { cmd: 'status' });
      if (!reply.ok) throw new Error(`${d.name}: ${reply.message}`);
      const nodes = (reply.nodes as { name: string; self: boolean }[]).map((n) => (n.self ? `${n.name}*` : n.name));
      say(`${d.name}: generation ${String(reply.generation)}, cluster nodes ${nodes.join(' ')}, groups ${JSON.stringify(reply.resourceGroups)}`);
    }
    if (opts.keep) say(`left running; remove with: hbd demo --cleanup (work dir ${work})`);
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
