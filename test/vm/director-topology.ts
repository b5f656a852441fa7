// The network the director's VM tests run in (inside the IPVS VM, as root):
//
//   root namespace (the director, and the test process as client)
//     lbvip (dummy)  10.77.0.100/32           the VIP
//     rs1h ─ veth ─  rs1    10.77.1.2  httpd :80 ("rs1"), echo :9000
//     rs2h ─ veth ─  rs2    10.77.2.2  httpd :80 ("rs2"), echo :9000
//     sryh ─ veth ─  sorry  10.77.3.2  httpd :80 ("sorry")
//
// Real servers route back through the director, so LVS-NAT (masq) works for
// the local client. A server's health check fails while its
// health.html is missing (busybox httpd answers 404).

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const VIP = '10.77.0.100';

export interface Backend {
  readonly name: string;
  readonly address: string;
  readonly docroot: string;
}

export interface Topology {
  readonly rs1: Backend;
  readonly rs2: Backend;
  readonly sorry: Backend;
  readonly dir: string;
  /** Make a server's HTTP health check pass or fail. */
  setHealthy(b: Backend, healthy: boolean): void;
  teardown(): void;
}

function sh(cmd: string, args: readonly string[]): void {
  execFileSync(cmd, [...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function addNamespace(name: string, hostIf: string, subnet: number): void {
  sh('ip', ['netns', 'add', name]);
  sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
  sh('ip', ['addr', 'add', `10.77.${subnet}.1/24`, 'dev', hostIf]);
  sh('ip', ['link', 'set', hostIf, 'up']);
  sh('ip', ['-n', name, 'addr', 'add', `10.77.${subnet}.2/24`, 'dev', 'eth0']);
  sh('ip', ['-n', name, 'link', 'set', 'eth0', 'up']);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  sh('ip', ['-n', name, 'route', 'add', 'default', 'via', `10.77.${subnet}.1`]);
}

export function buildTopology(): Topology {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-vm-director-'));
  const children: ChildProcess[] = [];
  sh('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  sh('ip', ['link', 'add', 'lbvip', 'type', 'dummy']);
  sh('ip', ['link', 'set', 'lbvip', 'up']);
  sh('ip', ['addr', 'add', `${VIP}/32`, 'dev', 'lbvip']);
  const make = (name: string, hostIf: string, subnet: number, echo: boolean): Backend => {
    addNamespace(name, hostIf, subnet);
    const docroot = path.join(dir, name);
    fs.mkdirSync(docroot);
    fs.writeFileSync(path.join(docroot, 'index.html'), `${name}\n`);
    fs.writeFileSync(path.join(docroot, 'health.html'), 'ok\n');
    children.push(spawn('ip', ['netns', 'exec', name, 'busybox', 'httpd', '-f', '-p', '80', '-h', docroot], { stdio: 'ignore' }));
    if (echo) children.push(spawn('ip', ['netns', 'exec', name, 'socat', 'TCP-LISTEN:9000,fork,reuseaddr', 'EXEC:cat'], { stdio: 'ignore' }));
    return { name, address: `10.77.${subnet}.2`, docroot };
  };
  const rs1 = make('rs1', 'rs1h', 1, true);
  const rs2 = make('rs2', 'rs2h', 2, true);
  const sorry = make('sorry', 'sryh', 3, false);
  return {
    rs1,
    rs2,
    sorry,
    dir,
    setHealthy(b, healthy) {
      const file = path.join(b.docroot, 'health.html');
      if (healthy) fs.writeFileSync(file, 'ok\n');
      else fs.rmSync(file, { force: true });
    },
    teardown() {
      for (const c of children) c.kill('SIGKILL');
      for (const ns of ['rs1', 'rs2', 'sorry']) {
        try {
          sh('ip', ['netns', 'del', ns]);
        } catch {
          // already gone
        }
      }
      try {
        sh('ip', ['link', 'del', 'lbvip']);
      } catch {
        // already gone
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
