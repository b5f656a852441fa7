// Merges the part files of bench/ipvs-apply.ts (VM) and
// bench/checks-throughput.ts (host) into bench/results/ipvs.json and prints
// the Markdown tables of bench/README.md. A part that is not given keeps the
// rows of that bench already in ipvs.json.
//
// Usage: node dist/bench/ipvs-report.js [--apply FILE] [--checks FILE]
//   [--host-notes TEXT] [--out bench/results/ipvs.json] [--markdown-only]

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BenchRow } from './stats';

const REPO = path.resolve(__dirname, '..', '..');

type Row = BenchRow;

interface Part {
  date: string;
  machine: Record<string, unknown>;
  rows: Row[];
  [k: string]: unknown;
}

interface Result {
  date: string;
  notes: string;
  apply?: Omit<Part, 'rows'>;
  checks?: Omit<Part, 'rows'>;
  hostNotes?: string;
  rows: Row[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const isApply = (r: Row) => r.bench.startsWith('ipvs-');
const isChecks = (r: Row) => r.bench.startsWith('checks-');

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function meta(p: Part): Omit<Part, 'rows'> {
  const { rows: _rows, ...rest } = p;
  return rest;
}

function fmt(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '–';
  if (unit === 'ms') return v >= 100 ? v.toFixed(0) : v.toFixed(1);
  return v >= 100 ? v.toFixed(0) : v.toFixed(v >= 10 ? 1 : 2);
}

function cell(r: Row | undefined): string {
  if (r === undefined) return '';
  if (r.n === 0) return `failed (${r.failed ?? '?'})`;
  const core = `${fmt(r.median, r.unit)} (${fmt(r.min, r.unit)}–${fmt(r.max, r.unit)})`;
  return r.failed ? `${core}, ${r.failed} failed` : core;
}

const SIZE_ORDER = ['10x1', '10x10', '100x10', '1000x10', '100x100'];

function sizeHeader(s: string): string {
  const [a, b] = s.split('x').map(Number);
  return `${a}×${b} (${(a ?? 0) * (b ?? 0)})`;
}

function ipvsTable(rows: Row[], bench: string): string {
  const rs = rows.filter((r) => r.bench === bench);
  const sizes = [...new Set(rs.map((r) => r.setting))].sort((a, b) => SIZE_ORDER.indexOf(a) - SIZE_ORDER.indexOf(b));
  const impls = [...new Set(rs.map((r) => r.impl))];
  const out = [`| implementation | ${sizes.map(sizeHeader).join(' | ')} |`, `|---|${sizes.map(() => '---').join('|')}|`];
  for (const impl of impls) out.push(`| ${impl} | ${sizes.map((s) => cell(rs.find((r) => r.impl === impl && r.setting === s))).join(' | ')} |`);
  return out.join('\n');
}

function checksTable(rows: Row[]): string {
  const rs = rows.filter(isChecks);
  const settings = [...new Set(rs.map((r) => r.setting))];
  const impls = [...new Set(rs.map((r) => r.impl))];
  const out = [
    '| real servers | implementation | checks/s (all) | checks/s (answering servers) | round: slowest server\'s interval, s | CPU, % of one core |',
    '|---|---|---|---|---|---|',
  ];
  for (const s of settings)
    for (const impl of impls) {
      const get = (b: string) => rs.find((r) => r.bench === b && r.impl === impl && r.setting === s);
      if (get('checks-rate') === undefined) continue;
      out.push(`| ${s} | ${impl} | ${cell(get('checks-rate'))} | ${cell(get('checks-rate-answering'))} | ${cell(get('checks-round'))} | ${cell(get('checks-cpu'))} |`);
    }
  return out.join('\n');
}

function main(): void {
  const outFile = arg('--out') ?? path.join(REPO, 'bench', 'results', 'ipvs.json');
  const prev: Result | null = fs.existsSync(outFile) ? readJson<Result>(outFile) : null;
  const applyFile = arg('--apply');
  const checksFile = arg('--checks');
  let result: Result;
  if (process.argv.includes('--markdown-only')) {
    if (prev === null) throw new Error(`${outFile} does not exist`);
    result = prev;
  } else {
    const apply = applyFile ? readJson<Part>(applyFile) : null;
    const checks = checksFile ? readJson<Part>(checksFile) : null;
    const rows = [
      ...(apply ? apply.rows : (prev?.rows.filter(isApply) ?? [])),
      ...(checks ? checks.rows : (prev?.rows.filter(isChecks) ?? [])),
    ];
    result = {
      date: new Date().toISOString(),
      notes:
        'Written by bench/run-ipvs-bench.sh (npm run bench:ipvs); see bench/README.md. Rows: n = runs that counted; min/median/max over them. ipvs-* rows come from the qemu VM (TCG), checks-* rows from the host.',
      ...(apply ? { apply: meta(apply) } : prev?.apply ? { apply: prev.apply } : {}),
      ...(checks ? { checks: meta(checks) } : prev?.checks ? { checks: prev.checks } : {}),
      ...(arg('--host-notes') ? { hostNotes: arg('--host-notes') } : prev?.hostNotes ? { hostNotes: prev.hostNotes } : {}),
      rows,
    };
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`wrote ${outFile} (${rows.length} rows)\n\n`);
  }
  const md: string[] = [];
  if (result.rows.some(isApply)) {
    md.push('Apply a table from empty (ms, median (min–max)):', '', ipvsTable(result.rows, 'ipvs-apply'), '');
    md.push('Reload: 1 % of the weights changed, at least one (ms):', '', ipvsTable(result.rows, 'ipvs-reload'), '');
    md.push('Reading the whole table back (ms):', '', ipvsTable(result.rows, 'ipvs-list'), '');
  }
  if (result.rows.some(isChecks)) md.push('Health checks, checkinterval 1 s, checktimeout 1 s:', '', checksTable(result.rows), '');
  process.stdout.write(`${md.join('\n')}\n`);
}

main();
