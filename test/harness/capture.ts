// tcpdump in a namespace, started before the interesting moment and read back
// as frames afterwards (for byte-by-byte checks of what went on the wire).
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readPcap } from '../unit/net/frames';

export class Capture {
  private constructor(
    private readonly child: ChildProcess,
    readonly file: string,
  ) {}

  static async start(netns: string, dir: string, filter: string, ifname = 'eth0'): Promise<Capture> {
    const file = path.join(dir, `capture-${Date.now()}-${Math.floor(Math.random() * 1e6)}.pcap`);
    const child = spawn('ip', ['netns', 'exec', netns, 'tcpdump', '-i', ifname, '--immediate-mode', '-U', '-n', '-w', file, ...filter.split(' ')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      const timer = setTimeout(() => reject(new Error(`tcpdump did not start: ${err}`)), 10_000);
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('listening on')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`tcpdump exited: ${err}`)));
    });
    return new Capture(child, file);
  }

  async stop(): Promise<{ tMs: number; frame: Buffer }[]> {
    await new Promise((r) => setTimeout(r, 200));
    const done = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGINT');
    await done;
    return fs.existsSync(this.file) ? readPcap(fs.readFileSync(this.file)) : [];
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
