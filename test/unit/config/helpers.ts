// Shared helpers for the configuration tests (not a test file itself).

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { type Diagnostic, DiagnosticSink } from '../../../src/config/diagnostics';
import { applyDirectives } from '../../../src/config/directives';
import { lexHaCf } from '../../../src/config/hacf';
import { type HaCfSettings, finishHaCf } from '../../../src/config/settings';
import { createHaCfState } from '../../../src/config/state';
import { FIXTURES, tempDir } from '../../helpers/tmp';

export const HACF_FIXTURES = path.join(FIXTURES, 'hacf');

export interface HaCfResult {
  readonly settings: HaCfSettings;
  readonly diags: readonly Diagnostic[];
}

/** ha.cf text through the lexer, the directive table and the final checks, without files. */
export function readHaCf(text: string, opts: { nodeName?: string; checkFilesystem?: boolean } = {}): HaCfResult {
  const sink = new DiagnosticSink();
  const state = createHaCfState(sink, 'ha.cf', opts.checkFilesystem ?? false);
  applyDirectives(state, lexHaCf(text, 'ha.cf'));
  const settings = finishHaCf(state, { nodeName: opts.nodeName, nodeListName: "ha.cf's node list" });
  return { settings, diags: sink.all };
}

/** The minimum that makes an ha.cf valid, appended after the lines under test so their numbers stay. */
export const BASE = '\nnode alpha beta\nbcast eth0\nauto_failback on\n';

/** readHaCf(lines + BASE). */
export function withBase(lines: string, opts: { nodeName?: string; checkFilesystem?: boolean } = {}): HaCfResult {
  return readHaCf(lines + BASE, opts);
}

/** [code, line] of every diagnostic, in order. */
export function codes(diags: readonly Diagnostic[]): [string, number][] {
  return diags.map((d) => [d.code, d.line]);
}

export function errors(diags: readonly Diagnostic[]): [string, number][] {
  return codes(diags.filter((d) => d.severity === 'error'));
}

export function only(diags: readonly Diagnostic[], code: string): Diagnostic[] {
  return diags.filter((d) => d.code === code);
}

/** Writes files into a fresh temp dir (authkeys gets mode 600 unless authMode says otherwise). */
export function writeDir(t: TestContext, files: Record<string, string>, authMode = 0o600): string {
  const dir = tempDir(t, 'hbd-config-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  if (files.authkeys !== undefined) fs.chmodSync(path.join(dir, 'authkeys'), authMode);
  return dir;
}

/** A copy of a fixture directory (git keeps no modes but the exec bit): authkeys chmod'ed to authMode. */
export function copyFixture(t: TestContext, name: string, authMode = 0o600): string {
  const dir = path.join(tempDir(t, 'hbd-fixture-'), name);
  fs.cpSync(path.join(HACF_FIXTURES, name), dir, { recursive: true });
  if (fs.existsSync(path.join(dir, 'authkeys'))) fs.chmodSync(path.join(dir, 'authkeys'), authMode);
  return dir;
}

/** A model without source positions and origin, for comparing models built from different files. */
export function stripSources(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSources);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'at' || k === 'origin' || k === 'file') continue;
      out[k] = stripSources(v);
    }
    return out;
  }
  return value;
}
