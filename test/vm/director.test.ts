// The director against a real IPVS kernel (run inside the IPVS VM:
//   test/vm/run-in-vm.sh -t 900 'node --test dist/test/vm/director.test.js').
// Real servers are network namespaces serving HTTP; traffic goes through the
// VIP from this process. Runs once per available backend: ipvsadm (always),
// and the native netlink backend once it is built.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createCheckRunner } from '../../src/checks';
import type { IpvsBackend } from '../../src/ipvs/types';
import { openIpvsBackend } from '../../src/ldirectord/backend-factory';
import { Director } from '../../src/ldirectord/director';
import type { DirectorEvent } from '../../src/ldirectord/events';
import { IpvsadmBackend } from './director-ipvsadm-backend';
import { type Topology, VIP, buildTopology } from './director-topology';

const inVm = process.env.IPVS_VM === '1';
const skip = inVm ? false : 'needs the IPVS VM (test/vm/run-in-vm.sh)';

function config(t: Topology, opts: { quiescent?: boolean; weight2?: number; scheduler?: string } = {}): string {
  return [
    'checktimeout=2',
    'checkinterval=0.3',
    `quiescent=${opts.quiescent === true ? 'yes' : 'no'}`,
    'cleanstop=yes',
    `logfile="${path.join(t.dir, 'ldirectord.log')}"`,
    `virtual=${VIP}:80`,
    `\treal=${t.rs1.address}:80 masq 1`,
    `\treal=${t.rs2.address}:80 masq ${opts.weight2 ?? 1}`,
    '\tservice=http',
    '\trequest="health.html"',
    '\treceive="ok"',
    `\tscheduler=${opts.scheduler ?? 'rr'}`,
    `\tfallback=${t.sorry.address}:80 masq`,
    `virtual=${VIP}:9000`,
    `\treal=${t.rs1.address}:9000 masq`,
    `\treal=${t.rs2.address}:9000 masq ${opts.weight2 ?? 1}`,
    '\tchecktype=connect',
    '\tscheduler=rr',
    '',
  ].join('\n');
}

/** `ipvsadm -Ln` reduced to `SERVICE -> DEST WEIGHT` lines. */
function table(): string[] {
  const out = execFileSync('ipvsadm', ['-Ln'], { encoding: 'utf8' });
  const lines: string[] = [];
  let svc = '';
  for (const l of out.split('\n')) {
    const s = /^(TCP|UDP)\s+(\S+)/.exec(l);
    if (s) svc = `${s[1] ?? ''} ${s[2] ?? ''}`;
    const d = /^\s+->\s+(\d\S+)\s+\S+\s+(\d+)/.exec(l);
    if (d) lines.push(`${svc} -> ${d[1] ?? ''} w${d[2] ?? ''}`);
  }
  return lines.sort();
}

function get(pathname = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: VIP, port: 80, path: pathname, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Who answers `n` fresh connections through the VIP. */
async function answers(n = 6): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(await get());
  return [...seen].sort();
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; table: ${table().join('; ')}`);
}

/** A line-echo connection through the VIP (port 9000). */
function echoConnection(): Promise<{ say(text: string): Promise<string>; close(): void }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: VIP, port: 9000 }, () => {
      resolve({
        say: (text) =>
          new Promise((res, rej) => {
            sock.once('data', (d: Buffer) => res(d.toString().trim()));
            sock.once('error', rej);
            sock.write(`${text}\n`);
          }),
        close: () => sock.destroy(),
      });
    });
    sock.once('error', reject);
  });
}

async function backends(): Promise<{ name: string; make: () => Promise<IpvsBackend> }[]> {
  const list = [{ name: 'ipvsadm', make: async (): Promise<IpvsBackend> => new IpvsadmBackend() }];
  try {
    (await openIpvsBackend('native')).close();
    list.push({ name: 'native', make: () => openIpvsBackend('native') });
  } catch {
    // not built yet: the ipvsadm backend still exercises the kernel
  }
  return list;
}

const S80 = `TCP ${VIP}:80`;
const S9000 = `TCP ${VIP}:9000`;

describe('director on a real IPVS kernel', { skip }, async () => {
  let topo: Topology;
  before(() => {
    topo = buildTopology();
  });
  after(() => topo?.teardown());

  for (const backend of inVm ? await backends() : []) {
    describe(`backend: ${backend.name}`, () => {
      let director: Director;
      let file: string;
      const events: DirectorEvent[] = [];
      before(async () => {
        file = path.join(topo.dir, `ldirectord-${backend.name}.cf`);
        fs.writeFileSync(file, config(topo));
        director = new Director({ config: file, backend: await backend.make(), checks: createCheckRunner(), onEvent: (e) => events.push(e) });
        await director.start();
      });
      after(async () => {
        await director.stop();
        topo.setHealthy(topo.rs1, true);
        topo.setHealthy(topo.rs2, true);
      });

      test('traffic through the VIP reaches every healthy server', async () => {
        await waitFor('all servers in IPVS', () => table().length === 4);
        assert.deepEqual(table(), [
          `${S80} -> ${topo.rs1.address}:80 w1`,
          `${S80} -> ${topo.rs2.address}:80 w1`,
          `${S9000} -> ${topo.rs1.address}:9000 w1`,
          `${S9000} -> ${topo.rs2.address}:9000 w1`,
        ]);
        assert.deepEqual(await answers(), ['rs1', 'rs2']);
      });

      test('a failing check removes the server; it comes back when it recovers', async () => {
        topo.setHealthy(topo.rs2, false);
        await waitFor('rs2 removed', () => !table().includes(`${S80} -> ${topo.rs2.address}:80 w1`));
        assert.deepEqual(await answers(), ['rs1']);
        topo.setHealthy(topo.rs2, true);
        await waitFor('rs2 back', () => table().includes(`${S80} -> ${topo.rs2.address}:80 w1`));
        assert.deepEqual(await answers(), ['rs1', 'rs2']);
        assert.ok(events.some((e) => e.type === 'real-down' && e.real === `${topo.rs2.address}:80`));
      });

      test('all servers down: the fallback serves; the first one back replaces it', async () => {
        topo.setHealthy(topo.rs1, false);
        topo.setHealthy(topo.rs2, false);
        await waitFor('fallback in IPVS', () => table().filter((l) => l.startsWith(S80)).join() === `${S80} -> ${topo.sorry.address}:80 w1`);
        assert.deepEqual(await answers(3), ['sorry']);
        topo.setHealthy(topo.rs1, true);
        await waitFor('rs1 back, fallback gone', () => table().filter((l) => l.startsWith(S80)).join() === `${S80} -> ${topo.rs1.address}:80 w1`);
        assert.deepEqual(await answers(3), ['rs1']);
        topo.setHealthy(topo.rs2, true);
        await waitFor('rs2 back', () => table().filter((l) => l.startsWith(S80)).length === 2);
      });

      test('quiescent: a failed server stays with weight 0', async () => {
        fs.writeFileSync(file, config(topo, { quiescent: true }));
        assert.equal((await director.reload()).ok, true);
        topo.setHealthy(topo.rs2, false);
        await waitFor('rs2 quiesced', () => table().includes(`${S80} -> ${topo.rs2.address}:80 w0`));
        assert.deepEqual(await answers(), ['rs1']);
        topo.setHealthy(topo.rs2, true);
        await waitFor('rs2 weight back', () => table().includes(`${S80} -> ${topo.rs2.address}:80 w1`));
        fs.writeFileSync(file, config(topo));
        assert.equal((await director.reload()).ok, true);
      });

      test('a reload applies only the difference: an established connection survives it', async () => {
        const conn = await echoConnection();
        assert.equal(await conn.say('before'), 'before');
        fs.writeFileSync(file, config(topo, { weight2: 3, scheduler: 'wrr' }));
        assert.equal((await director.reload()).ok, true);
        await waitFor('new weights', () => table().includes(`${S9000} -> ${topo.rs2.address}:9000 w3`));
        assert.equal(await conn.say('after'), 'after', 'the connection made before the reload still works');
        conn.close();
        fs.writeFileSync(file, config(topo, { weight2: 3, scheduler: 'wrr' }).replace('checkinterval=0.3', 'checkinterval=0.3\nfrobnicate=1'));
        assert.equal((await director.reload()).ok, false, 'a broken file is refused');
        assert.ok(table().includes(`${S9000} -> ${topo.rs2.address}:9000 w3`), 'and the running table stays');
      });
    });
  }
});
