// Development aid: one or more trials of one adapter/setting/mode, printed.
// Usage: node dist/bench/failover/try.js IMPL SETTING MODE [N]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { adapterByName } from './adapters';
import { createTopology } from './topology';
import { runTrial } from './trial';
import type { FailureMode } from './types';

async function main(): Promise<void> {
  const [impl = 'hbd', settingId = 'fastest', mode = 'kill', n = '1'] = process.argv.slice(2);
  const adapter = adapterByName(impl);
  const settings = adapter.settings() as unknown as Record<string, import('./types').Setting>;
  const setting = settings[settingId];
  if (!setting) throw new Error(`no setting ${settingId}`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hbd-try-'));
  const topo = createTopology(`hbdt-${process.pid % 1000}-`);
  try {
    for (let i = 0; i < Number(n); i++) {
      const r = await runTrial(adapter, topo, setting, mode as FailureMode, { trial: i, workDir: work });
      process.stdout.write(`${JSON.stringify(r)}\n`);
    }
  } finally {
    topo.destroy();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
