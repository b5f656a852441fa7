// Shared by the resource-layer tests (not a test file itself): a logger that
// keeps what it was told, haresources items from text, and a copy of the
// fixture scripts in a temporary directory.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import pino = require('pino');
import type { ResourceGroup, ResourceRef } from '../../../src/config/model';
import { isIpShorthand } from '../../../src/config/haresources';
import type { Logger } from '../../../src/log';
import type { ResourceContext } from '../../../src/resources/types';
import { FIXTURES, tempDir } from '../../helpers/tmp';

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly fields: Record<string, unknown>;
}

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: LogLine[];
  /** Messages only, optionally of one level. */
  messages(level?: string): string[];
}

export function captureLogger(): CapturedLog {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'trace', base: null, timestamp: false, formatters: { level: (label) => ({ level: label }) } },
    {
      write(s: string) {
        const { level, msg, ...fields } = JSON.parse(s) as { level: string; msg: string } & Record<string, unknown>;
        lines.push({ level, msg, fields });
      },
    },
  );
  return { logger, lines, messages: (level) => lines.filter((l) => level === undefined || l.level === level).map((l) => l.msg) };
}

const AT = { file: 'haresources', line: 1 };

/** `IPaddr2::10.0.0.1/24::x` or a bare `10.0.0.1/24`, as the haresources parser makes it. */
export function ref(text: string): ResourceRef {
  if (isIpShorthand(text)) return { raw: text, name: 'IPaddr', args: [text], shorthand: true, at: AT };
  const [name = '', ...args] = text.split('::');
  return { raw: text, name, args, shorthand: false, at: AT };
}

export function group(owner: string, ...items: string[]): ResourceGroup {
  return { owner, key: items[0] ?? '', resources: items.map(ref), at: AT };
}

export function context(log: CapturedLog, env: Record<string, string> = {}, signal?: AbortSignal): ResourceContext {
  return { logger: log.logger, env, ...(signal ? { signal } : {}) };
}

export interface ScriptRig {
  readonly haDir: string;
  readonly initDir: string;
  /** TEST_STATE: where the fixture scripts keep their state and trace. */
  readonly state: string;
  /** Lines the scripts appended to the trace, in order. */
  trace(): string[];
  isOn(name: string): boolean;
}

/** The fixture ha.d and init.d copied to a temporary directory, scripts executable except `notexec` in resource.d. */
export function scriptRig(t: TestContext): ScriptRig {
  const root = tempDir(t, 'hbd-rsc-');
  const haDir = path.join(root, 'ha.d');
  const initDir = path.join(root, 'init.d');
  const state = path.join(root, 'state');
  fs.cpSync(path.join(FIXTURES, 'resources', 'ha.d'), haDir, { recursive: true });
  fs.cpSync(path.join(FIXTURES, 'resources', 'init.d'), initDir, { recursive: true });
  fs.mkdirSync(state);
  for (const dir of [path.join(haDir, 'resource.d'), initDir]) {
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o755);
  }
  fs.chmodSync(path.join(haDir, 'resource.d', 'notexec'), 0o644);
  const traceFile = path.join(state, 'trace');
  return {
    haDir,
    initDir,
    state,
    trace: () => (fs.existsSync(traceFile) ? fs.readFileSync(traceFile, 'utf8').split('\n').filter(Boolean) : []),
    isOn: (name) => fs.existsSync(path.join(state, `${name}.on`)),
  };
}

/** Is a process alive? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
