// NetOps over the C core, in network namespaces: the shared contract (the
// same suite runs against FakeNet on any machine), then what only the real
// thing can show - the frames on the wire byte for byte against the
// independent TypeScript builders, the vectors captured from resource-agents
// (native/test/vectors/garp/) and what the real send_arp / send_ua emit in
// the same namespace, the pacing of rounds, and the addon's own extras.
//
// Topology per test (src/netns/lan.ts): host d (the director: eth0 on a
// flooding bridge, eth1 a direct link to o) and host o (the observer, which
// runs tcpdump on its eth0). Every test makes and removes its own.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadNative, type NativeBinding } from '../../src/native/binding';
import { openNativeNet, type NativeNet } from '../../src/net/native-net';
import { Lan } from '../../src/netns/lan';
import { netOpsContract, rejectsWith, type NetSubject, type Watch } from '../unit/net/contract';
import { arpFrame, decodeFrame, garpVectors, naFrame, readPcap, type ObservedFrame } from '../unit/net/frames';

const SEND_ARP = '/usr/libexec/heartbeat/send_arp';
const SEND_UA = '/usr/libexec/heartbeat/send_ua';
const FIXED_MAC = '02:00:5e:10:00:01'; // the MAC of the captured vectors
/** resource-agents (a dependency of heartbeat) provides the reference senders. */
const NO_RA = fs.existsSync(SEND_ARP) && fs.existsSync(SEND_UA) ? false : 'needs resource-agents (send_arp, send_ua)';

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  if (spawnSync('tcpdump', ['--version']).status !== 0) return 'needs tcpdump';
  try {
    loadNative();
  } catch (e) {
    return (e as Error).message;
  }
  return false;
}
const SKIP = skipReason();

/** tcpdump in one host's namespace, started and ready. */
async function watchOn(lan: Lan, host: string, ifname: string): Promise<Watch> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-net-')), 'cap.pcap');
  const child: ChildProcess = lan.spawn(host, 'tcpdump', ['-i', ifname, '--immediate-mode', '-U', '-n', '-w', file, 'arp or icmp6'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`tcpdump exited: ${err}`)));
  });
  return {
    stop: async () => {
      await new Promise((r) => setTimeout(r, 300)); // frames in flight reach the file
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await exited;
      const frames = readPcap(fs.readFileSync(file));
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      return frames.map((f) => decodeFrame(f.frame, f.tMs)).filter((f): f is ObservedFrame => f !== null);
    },
  };
}

/**
 * Until the bridge forwards: a new interface drops what it is given until
 * the kernel has seen its carrier (linkwatch, up to a second), so frames
 * sent at once would never reach the observer.
 */
async function lanReady(lan: Lan): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const r = spawnSync('ip', ['netns', 'exec', lan.ns('o'), 'ping', '-c', '1', '-W', '1', '10.61.0.1'], { stdio: 'ignore' });
    if (r.status === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('the test LAN does not forward');
}

interface World extends NetSubject {
  readonly lan: Lan;
  readonly net: NativeNet;
}

async function world(t: TestContext): Promise<World> {
  const lan = Lan.create(
    [
      { name: 'd', addresses: ['10.61.0.1/24', '2001:db8:61::1/64'] },
      { name: 'o', addresses: ['10.61.0.2/24', '2001:db8:61::2/64'] },
    ],
    { flood: true },
  );
  t.after(() => lan.destroy()); // also on failure
  lan.addDirectLink('d', 'o', 'eth1', '10.62.0.1/24', '10.62.0.2/24');
  await lanReady(lan);
  const net = await openNativeNet({ netns: lan.ns('d') });
  return {
    lan,
    net,
    watch: () => watchOn(lan, 'o', 'eth0'),
    setLinkUp: async (ifname, up) => lan.setInterface('d', ifname, up),
    dispose: async () => {
      net.close();
      lan.destroy();
    },
  };
}

netOpsContract('native (network namespaces)', world, { skip: SKIP, timeout: 60_000 });

/** A test with its own world, removed whatever happens. */
function wireTest(title: string, body: (w: World, t: TestContext) => Promise<void>, skip: string | false = SKIP): void {
  test(title, { skip, timeout: 60_000 }, async (t) => {
    const w = await world(t);
    try {
      await body(w, t);
    } finally {
      await w.dispose();
    }
  });
}

const hex = (frames: readonly { bytes: Buffer }[]): string[] => frames.map((f) => f.bytes.toString('hex'));

wireTest('GARP on the wire: the frames send_arp sends, byte for byte, request then reply per round', async (w) => {
  w.lan.exec('d', 'ip', ['link', 'set', 'eth0', 'address', FIXED_MAC]);
  assert.equal((await w.net.linkInfo('eth0')).mac, FIXED_MAC);
  const vip = '10.0.0.100'; // the vectors' address; it need not be configured to be announced
  const watch = await w.watch();
  await w.net.announce({ ifname: 'eth0', address: vip, count: 3, intervalMs: 200 });
  const ours = (await watch.stop()).filter((f) => f.address === vip);

  // 1. the independent TypeScript builder
  const expected = [1, 2, 1, 2, 1, 2].map((op) => arpFrame(op as 1 | 2, FIXED_MAC, vip));
  assert.deepEqual(hex(ours), hex(expected.map((bytes) => ({ bytes }))));
  // 2. the committed capture of send_arp -i 200 -r 3 (IPaddr2's form)
  const captured = garpVectors().filter((v) => v.label === 'send_arp-ipaddr2' && v.kind !== 'other');
  assert.deepEqual(hex(ours), hex(captured));
  // 3. the real send_arp, now, on the same interface
  const again = await w.watch();
  w.lan.exec('d', SEND_ARP, ['-i', '200', '-r', '3', '-p', `/tmp/send_arp-${w.lan.prefix}.pid`, 'eth0', vip, 'auto', 'not_used', 'not_used']);
  const theirs = (await again.stop()).filter((f) => f.address === vip);
  assert.deepEqual(hex(ours), hex(theirs));

  // pacing: rounds in order, never early (no upper bounds: machines are noisy)
  const t = ours.map((f) => f.tMs ?? 0);
  // (capture times carry the delivery's jitter: a wide margin)
  for (const k of [1, 2]) assert.ok((t[2 * k] ?? 0) - (t[2 * (k - 1)] ?? 0) >= 150, `round ${k} ${t[2 * k]! - t[2 * (k - 1)]!} ms after the one before`);
  // send_arp puts half the interval between a request and its reply; we send them together
  const s = theirs.map((f) => f.tMs ?? 0);
  assert.ok((s[1] ?? 0) - (s[0] ?? 0) >= 60);
}, SKIP || NO_RA);

wireTest('NA on the wire: what send_ua (IPaddr2, IPv6addr) sends, but for the flow label its kernel picks', async (w) => {
  w.lan.exec('d', 'ip', ['link', 'set', 'eth0', 'address', FIXED_MAC]);
  const vip = '2001:db8:61::100';
  await w.net.addAddress({ ifname: 'eth0', family: 'inet6', address: vip, prefixLen: 64, noDad: true }); // send_ua binds to it
  const watch = await w.watch();
  await w.net.announce({ ifname: 'eth0', address: vip, count: 2, intervalMs: 100 });
  w.lan.exec('d', SEND_UA, ['-i', '100', '-c', '2', vip, '64', 'eth0']);
  const frames = (await watch.stop()).filter((f) => f.address === vip && f.kind === 'na');
  assert.equal(frames.length, 4);
  const noFlow = (b: Buffer): string => {
    const c = Buffer.from(b);
    c[15] = (c[15] ?? 0) & 0xf0;
    c[16] = c[17] = 0;
    return c.toString('hex');
  };
  const [ours1, ours2, theirs1, theirs2] = frames.map((f) => f.bytes) as [Buffer, Buffer, Buffer, Buffer];
  assert.equal(ours1.toString('hex'), naFrame(FIXED_MAC, vip).toString('hex'), 'our NA, flow label 0');
  assert.equal(ours2.toString('hex'), ours1.toString('hex'));
  assert.equal(noFlow(theirs1), ours1.toString('hex'));
  assert.equal(noFlow(theirs2), ours1.toString('hex'));
  // and the committed captures of send_ua and the IPv6addr agent (their VIPs)
  for (const v of garpVectors().filter((x) => x.kind === 'na')) {
    const target = decodeFrame(v.bytes)?.address ?? '';
    assert.equal(noFlow(v.bytes), naFrame(FIXED_MAC, target).toString('hex'), v.label);
  }
}, SKIP || NO_RA);

wireTest('announcements to several addresses run side by side; a long one does not hold up address changes', async (w) => {
  const watch = await w.watch();
  const slow = w.net.announce({ ifname: 'eth0', address: '10.61.0.150', count: 4, intervalMs: 1000 });
  const fast = w.net.announce({ ifname: 'eth0', address: '10.61.0.151', count: 2, intervalMs: 10, mode: 'request' });
  const started = Date.now();
  await w.net.addAddress({ ifname: 'eth0', family: 'inet', address: '10.61.0.150', prefixLen: 24 });
  assert.ok(Date.now() - started < 2000, 'the address change did not wait for the 3 s announcement');
  await Promise.all([slow, fast]);
  const frames = await watch.stop();
  const of = (a: string): string[] => frames.filter((f) => f.address === a).map((f) => f.kind);
  assert.deepEqual(of('10.61.0.150'), Array(4).fill(['arp-request', 'arp-reply']).flat());
  assert.deepEqual(of('10.61.0.151'), ['arp-request', 'arp-request']);
});

wireTest('the addon: kernel messages, the kernel route lookup, labels in listings, closing', async (w) => {
  const binding: NativeBinding = loadNative();
  const h = await binding.netOpen(`/run/netns/${w.lan.ns('d')}`);
  try {
    const spec = { ifname: 'eth0', address: '10.61.0.100', prefixLen: 24, broadcast: '10.61.0.255', label: 'eth0:0' };
    await h.addressAdd(spec);
    await assert.rejects(h.addressAdd(spec), {
      code: 'EEXIST',
      errno: 17,
      message: 'adding 10.61.0.100/24 to eth0: File exists',
      kernelMessage: 'ipv4: Address already assigned',
    });
    const listed = (await h.addressList({ ifname: 'eth0', family: 'inet' })).find((a) => a.address === '10.61.0.100');
    assert.equal(listed?.label, 'eth0:0');
    assert.equal(listed?.secondary, true);
    assert.equal(listed?.scope, 0);
    assert.ok((await h.addressList({ family: 'inet6' })).every((a) => a.family === 'inet6'));
    // the kernel's own choice: the connected route, a gateway route, nothing
    const r = await h.routeLookup('10.61.0.77');
    assert.equal(r?.ifname, 'eth0');
    assert.equal(r?.dstLen, 24);
    assert.equal(r?.prefsrc, '10.61.0.1');
    assert.equal(await h.routeLookup('192.0.2.1'), null);
    w.lan.exec('d', 'ip', ['route', 'add', '192.0.2.0/24', 'via', '10.61.0.2']);
    assert.equal((await h.routeLookup('192.0.2.1'))?.gateway, '10.61.0.2');
    assert.equal(await h.findInterface('192.0.2.1'), null, 'findif ignores routes through a gateway');
    // link details the NetOps view leaves out
    const l = await h.linkInfo('eth0');
    assert.equal(l.type, 1);
    assert.equal(l.carrier, true);
    assert.throws(() => h.addressAdd({ ifname: 'eth0', address: '10.61.0.100', prefixLen: 33 }), RangeError);
    assert.throws(() => h.announce({ ifname: 'eth0', address: 'nonsense', count: 1, intervalMs: 0 }), { code: 'EINVAL' });
    // an announcement cancelled by hand reports how far it got
    const run = h.announce({ ifname: 'eth0', address: '10.61.0.100', count: 100, intervalMs: 300 });
    setTimeout(() => run.cancel(), 600);
    const done = await run.done;
    assert.equal(done.cancelled, true);
    assert.ok(done.rounds >= 1 && done.rounds < 100);
  } finally {
    h.close();
  }
  await rejectsWith(h.linkInfo('eth0'), 'EBADF', 'using a closed network handle: Bad file descriptor');
  h.close();
  await assert.rejects(binding.netOpen('/nonexistent/netns'), { code: 'ENOENT', message: 'opening a rtnetlink socket in /nonexistent/netns: No such file or directory' });
});

wireTest('takeover as the engine will do it: address first, the first announcement at once', async (w) => {
  const watch = await w.watch();
  const t0 = Date.now();
  await w.net.addAddress({ ifname: 'eth0', family: 'inet', address: '10.61.0.200', prefixLen: 24, broadcast: '10.61.0.255', label: 'eth0:0' });
  await w.net.announce({ ifname: 'eth0', address: '10.61.0.200', count: 1, intervalMs: 0 });
  const took = Date.now() - t0;
  const frames = (await watch.stop()).filter((f) => f.address === '10.61.0.200');
  assert.deepEqual(frames.map((f) => f.kind), ['arp-request', 'arp-reply']);
  // the observer now reaches the VIP at d's MAC
  execFileSync('ip', ['netns', 'exec', w.lan.ns('o'), 'ping', '-c', '1', '-W', '2', '10.61.0.200'], { stdio: 'ignore' });
  assert.ok(took < 5_000, `${took} ms`);
});
