// The C core's own IPVS test against the VM's kernel: native/test/
// test_ipvs_ops.c drives every hb_ipvs_* operation in a namespace of its own
// (on the build host it can only check the "no IPVS" path). Run plain and
// under ASan+UBSan; test/vm/run-ipvs-suite.sh builds both before booting.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { vmOnly } from './helpers';

const ROOT = path.resolve(__dirname, '..', '..', '..');

for (const [label, rel] of [
  ['plain', 'native/out/test/test_ipvs_ops'],
  ['ASan+UBSan', 'native/out/asan/test/test_ipvs_ops'],
] as const) {
  const bin = path.join(ROOT, rel);
  const skip = vmOnly || (existsSync(bin) ? false : `${rel} is not built (make -C native test asan)`);
  test(`C core: test_ipvs_ops against the kernel (${label})`, { skip }, () => {
    const r = spawnSync(bin, [], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=1', UBSAN_OPTIONS: 'print_stacktrace=1' },
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /test_ipvs_ops \(with IPVS\): \d+ checks, 0 failed/);
  });
}
