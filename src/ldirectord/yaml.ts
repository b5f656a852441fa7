// The YAML form of an ldirectord configuration. It is translated into the
// same entries the ldirectord.cf lexer produces (with lines pointing into the
// YAML), so the same code validates both and gives the same messages.
//
//   checktimeout: 3              # any global directive, under its own name
//   quiescent: no
//   fallback: 127.0.0.1:80
//   directors:                   # the virtual services, in order
//     - virtual: 192.168.6.240:80        # or virtual6: "[2001:db8::5]:80", or a fwmark: 7
//       real:                            # a list gives the directive once per item
//         - 192.168.6.2:80 gate
//         - 192.168.6.3:80 gate 2 "/health", "ok"
//       service: http
//       request: /index.html             # quotes are optional in YAML
//       receive: Test Page
//
// Values use ldirectord's syntax (times may be `0.5` or `500ms`).

import { type Document, LineCounter, type Pair, type YAMLMap, isAlias, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { DiagnosticSink, SourceRef } from '../config/diagnostics';
import { LdCode } from './codes';
import type { LdEntry, LdLexed, LdVirtualSection } from './lexer';

class Reader {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    readonly file: string,
    readonly sink: DiagnosticSink,
  ) {}

  at(node: unknown): SourceRef {
    const target = isPair(node) ? node.key : node;
    const range = (target as { range?: [number, number, number] } | null)?.range;
    return { file: this.file, line: range === undefined ? 0 : this.lines.linePos(range[0]).line };
  }

  deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  keyText(pair: Pair): string {
    const key = this.deref(pair.key);
    return isScalar(key) ? String(key.value) : '';
  }

  /** The entries one key gives: one per scalar (a list gives several); null value = bare directive. */
  entries(pair: Pair): LdEntry[] {
    const name = this.keyText(pair);
    const value = this.deref(pair.value);
    const items = isSeq(value) ? value.items.map((i) => this.deref(i)) : [value];
    const out: LdEntry[] = [];
    for (const item of items) {
      const at = this.at(item ?? pair);
      if (item === null || item === undefined || (isScalar(item) && (item.value === null || item.value === undefined))) {
        out.push({ name, value: null, at: this.at(pair) });
        continue;
      }
      if (!isScalar(item)) {
        this.sink.error(at, LdCode.LDCF_YAML_BAD_TYPE, `\`${name}\` must be a value or a list of values`);
        continue;
      }
      out.push({ name, value: String(item.value).trim(), at });
    }
    return out;
  }
}

function readDirector(r: Reader, raw: unknown): LdVirtualSection | null {
  const node = r.deref(raw);
  if (!isMap(node)) {
    r.sink.error(r.at(node), LdCode.LDCF_YAML_BAD_TYPE, 'each item of `directors` must be a map with `virtual` (or `virtual6`) and the service\'s directives');
    return null;
  }
  const map = node as YAMLMap;
  let header: LdVirtualSection['header'] | null = null;
  let family: LdVirtualSection['family'] = 'inet';
  const entries: LdEntry[] = [];
  for (const pair of map.items) {
    const name = r.keyText(pair);
    if (name === 'virtual' || name === 'virtual6') {
      const [first] = r.entries(pair);
      if (header !== null) {
        r.sink.error(r.at(pair), LdCode.LDCF_YAML_BAD_TYPE, 'a director has one `virtual` or `virtual6` key');
        continue;
      }
      if (first === undefined || first.value === null) {
        r.sink.error(r.at(pair), LdCode.LDCF_YAML_BAD_TYPE, `\`${name}\` needs an address (IP:port, host:service, [IPv6]:port) or a firewall mark`);
        return null;
      }
      header = { name, value: first.value, at: first.at };
      family = name === 'virtual6' ? 'inet6' : 'inet';
      continue;
    }
    entries.push(...r.entries(pair));
  }
  if (header === null) {
    r.sink.error(r.at(map), LdCode.LDCF_YAML_MISSING_KEY, 'a director needs `virtual` (IPv4 or fwmark) or `virtual6` (IPv6)');
    return null;
  }
  return { header, family, entries };
}

/** Parses the YAML and translates it; null if the document itself cannot be read. */
export function lexLdirectordYaml(text: string, file: string, sink: DiagnosticSink): LdLexed | null {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      sink.error({ file, line: lines.linePos(e.pos[0]).line }, LdCode.LDCF_YAML_SYNTAX, `YAML syntax error: ${e.message.split('\n')[0] ?? e.message}`);
    }
    return null;
  }
  const r = new Reader(doc, lines, file, sink);
  const root = r.deref(doc.contents);
  if (root === null || (isScalar(root) && root.value === null)) return { globals: [], virtuals: [] };
  if (!isMap(root)) {
    sink.error(r.at(root), LdCode.LDCF_YAML_BAD_TYPE, 'the configuration must be a map: global directives and a `directors` list');
    return null;
  }
  const globals: LdEntry[] = [];
  const virtuals: LdVirtualSection[] = [];
  for (const pair of root.items) {
    const name = r.keyText(pair);
    if (name === 'directors') {
      const list = r.deref(pair.value);
      if (!isSeq(list)) {
        sink.error(r.at(pair), LdCode.LDCF_YAML_BAD_TYPE, '`directors` must be a list of virtual services');
        continue;
      }
      for (const item of list.items) {
        const section = readDirector(r, item);
        if (section !== null) virtuals.push(section);
      }
      continue;
    }
    if (name === 'virtual' || name === 'virtual6') {
      sink.error(r.at(pair), LdCode.LDCF_YAML_BAD_TYPE, `\`${name}\` belongs in an item of the \`directors\` list`);
      continue;
    }
    globals.push(...r.entries(pair));
  }
  return { globals, virtuals };
}
