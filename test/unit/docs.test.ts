// docs/config.md must list every directive the parser knows, with the status
// that matches its class (M/S supported, H hbd's own, P ignored, X rejected).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { directiveClasses } from '../../src/config/directives';
import { REPO_ROOT } from '../helpers/tmp';

const STATUS = { M: 'supported', S: 'supported', H: 'hbd only', P: 'ignored', X: 'rejected' } as const;

test('docs/config.md lists every ha.cf directive with the right status', () => {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'config.md'), 'utf8');
  const rows = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `([a-z0-9_]+)` \| (supported|hbd only|ignored|rejected) \|/gm)) rows.set(m[1] ?? '', m[2] ?? '');
  for (const [name, cls] of directiveClasses()) {
    assert.equal(rows.get(name), STATUS[cls], `docs/config.md row for \`${name}\``);
  }
  for (const name of rows.keys()) assert.ok(directiveClasses().has(name), `docs/config.md documents unknown \`${name}\``);
});
