// docs/ldirectord.md must list every directive the parser knows, with its
// status and scope, and every diagnostic code.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { LdCode } from '../../../src/ldirectord/codes';
import { DIRECTIVES } from '../../../src/ldirectord/directives';
import { REPO_ROOT } from '../../helpers/tmp';

const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'ldirectord.md'), 'utf8');

test('docs/ldirectord.md lists every directive with its status and scope', () => {
  const rows = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `([a-z0-9]+)` \| (supported|ignored|rejected|extension) \| (global|virtual|both) \|/gm)) {
    rows.set(m[1] ?? '', `${m[2] ?? ''} ${m[3] ?? ''}`);
  }
  for (const [name, info] of DIRECTIVES) assert.equal(rows.get(name), `${info.status} ${info.scope}`, `row for \`${name}\``);
  for (const name of rows.keys()) assert.ok(DIRECTIVES.has(name), `docs/ldirectord.md documents unknown \`${name}\``);
});

test('docs/ldirectord.md names every diagnostic code', () => {
  for (const code of Object.values(LdCode)) assert.ok(doc.includes(`\`${code}\``), code);
});
