// Sends datagrams given as hex on the command line (run inside a namespace
// with `ip netns exec NS node udp-send.js HOST PORT HEX...`), one every 20 ms.
import * as dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';

export function sendFromNamespace(netns: string, host: string, port: number, datagrams: readonly Buffer[]): void {
  const r = spawnSync('ip', ['netns', 'exec', netns, process.execPath, __filename, host, String(port), ...datagrams.map((d) => d.toString('hex'))], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`udp-send failed: ${r.stderr}`);
}

async function main(argv: string[]): Promise<void> {
  const [host, port, ...hex] = argv;
  const sock = dgram.createSocket('udp4');
  for (const h of hex) {
    await new Promise<void>((resolve, reject) => sock.send(Buffer.from(h, 'hex'), Number(port), host, (e) => (e ? reject(e) : resolve())));
    await new Promise((r) => setTimeout(r, 20));
  }
  sock.close();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  });
}
