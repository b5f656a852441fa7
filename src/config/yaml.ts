// hbd's YAML configuration: one file that says what ha.cf, authkeys and
// haresources say. It is translated into the very same directive entries,
// authkeys entries and haresources lines (with SourceRefs pointing into the
// YAML), then validated by the same code, so every check and message is the
// same. Schema (every key optional unless noted):
//
//   haDir: /etc/ha.d          where resource.d/ and ldirectord configs are
//                             (default: the directory of this file; relative
//                             paths are relative to it)
//   nodes: [node1, node2]     required; ha.cf `node`
//   media:                    required; one single-key map per medium, in order
//     - bcast: eth0                    (or a list of interfaces)
//     - ucast: { iface: eth0, peer: 10.0.0.2 }
//     - ucast6: { iface: eth0, peer: "fe80::2" }
//     - mcast: { iface: eth0, group: 239.0.0.43, port: 694, ttl: 1, loop: 0 }
//     - mcast6: { iface: eth0, group: "ff12::694", port: 694, hops: 1, loop: 0 }
//     - serial: /dev/ttyS0             (or a list of ports)
//   ping_nodes:               ha.cf ping / ping6 / ping_group, in order
//     - ping: 10.0.0.254               (or a list)
//     - ping6: "2001:db8::fe"          (or a list)
//     - ping_group: { name: group1, hosts: [10.0.0.253, 10.0.0.254] }
//   respawn:                  ha.cf respawn / failfast
//     - { user: hacluster, path: /usr/lib/heartbeat/ipfail, args: [], failfast: false }
//   apiauth: { ipfail: { uid: [hacluster] }, default: { gid: [haclient] } }
//   env: { NAME: value }      ha.cf `env NAME=value`
//   stonith:                  ha.cf stonith / stonith_host
//     - { type: baytech, config: /etc/ha.d/conf/stonith.baytech }
//     - { host: "*", type: rps10, params: [/dev/ttyS1, kathy, 0] }
//   auth:                     required; authkeys
//     use: 1
//     keys: { 1: { method: sha1, key: "s3cret" }, 2: { method: crc } }
//   resources:                haresources, one item per group
//     - owner: node1
//       resources: [ "IPaddr2::10.0.0.100/24/eth0", "ldirectord::ldirectord.cf" ]
//   <directive>: value        any other ha.cf directive under its own name and
//                             with its own value syntax (keepalive: 50ms,
//                             auto_failback: on, udpport: 694, debug: 1, ...);
//                             a list gives the directive once per item.
//
// Keys are read in a fixed order (plain directives first), so unlike ha.cf,
// `udpport` and `baud` apply to the media wherever they are written.

import * as path from 'node:path';
import {
  Document,
  LineCounter,
  Pair,
  YAMLMap,
  YAMLSeq,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
} from 'yaml';
import type { AuthkeysEntry } from './authkeys';
import type { DiagnosticSink, SourceRef } from './diagnostics';
import type { DirectiveEntry } from './hacf';
import type { ResourceLine, ResourceToken } from './haresources';
import type { HbdConfig } from './model';
import { Code } from './codes';
import { isKnownDirective } from './directives';
import { DEFAULTS } from './settings';
import { formatHeartbeatTime } from './time';

export interface YamlTranslation {
  readonly directives: readonly DirectiveEntry[];
  /** null when there is no `auth` section (already reported). */
  readonly authkeys: readonly AuthkeysEntry[] | null;
  readonly resources: readonly ResourceLine[];
  /** The `haDir` value as written, or null. */
  readonly haDir: string | null;
}

/** ha.cf directives YAML writes under a structured key instead, and where. */
const STRUCTURED: Readonly<Record<string, string>> = {
  node: '`nodes: [node1, node2]`',
  bcast: '`media: [ { bcast: eth0 } ]`',
  udp: '`media: [ { bcast: eth0 } ]`',
  ucast: '`media: [ { ucast: { iface: eth0, peer: 10.0.0.2 } } ]`',
  ucast6: '`media: [ { ucast6: { iface: eth0, peer: "fe80::2" } } ]`',
  mcast: '`media: [ { mcast: { iface: eth0, group: 239.0.0.1, port: 694, ttl: 1, loop: 0 } } ]`',
  mcast6: '`media: [ { mcast6: { iface: eth0, group: "ff12::1", port: 694, hops: 1, loop: 0 } } ]`',
  serial: '`media: [ { serial: /dev/ttyS0 } ]`',
  ping: '`ping_nodes: [ { ping: 10.0.0.254 } ]`',
  ping6: '`ping_nodes: [ { ping6: "2001:db8::fe" } ]`',
  ping_group: '`ping_nodes: [ { ping_group: { name: g1, hosts: [10.0.0.1] } } ]`',
  respawn: '`respawn: [ { user: hacluster, path: /usr/lib/heartbeat/ipfail } ]`',
  failfast: '`respawn: [ { user: root, path: /usr/bin/x, failfast: true } ]`',
  apiauth: '`apiauth: { client: { uid: [user] } }`',
  env: '`env: { NAME: value }`',
  stonith: '`stonith: [ { type: baytech, config: /etc/ha.d/conf/stonith.baytech } ]`',
  stonith_host: '`stonith: [ { host: "*", type: rps10, params: [...] } ]`',
};

const SECTION_KEYS = ['haDir', 'nodes', 'media', 'ping_nodes', 'respawn', 'apiauth', 'env', 'stonith', 'auth', 'resources'];

class YamlReader {
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

  typeError(node: unknown, what: string, expected: string): void {
    this.sink.error(this.at(node), Code.YAML_BAD_TYPE, `${what} must be ${expected}`);
  }

  /** A single string, number or boolean, as text. */
  scalar(raw: unknown, what: string, where: unknown = raw): string | null {
    const node = this.deref(raw);
    if (!isScalar(node) || node.value === null || node.value === undefined) {
      this.typeError(node ?? where, what, isScalar(node) || node === null || node === undefined ? 'given a value' : 'a single value');
      return null;
    }
    const v: unknown = node.value;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    this.typeError(node, what, 'a single value');
    return null;
  }

  /** A scalar or a list of scalars, each with its own line. */
  scalars(raw: unknown, what: string, where: unknown = raw): { text: string; at: SourceRef }[] {
    const node = this.deref(raw);
    if (isSeq(node)) {
      return node.items.flatMap((item) => {
        const text = this.scalar(item, `each item of ${what}`);
        return text === null ? [] : [{ text, at: this.at(item) }];
      });
    }
    const text = this.scalar(node, what, where);
    return text === null ? [] : [{ text, at: this.at(node ?? where) }];
  }

  seq(raw: unknown, what: string, where: unknown = raw): YAMLSeq | null {
    const node = this.deref(raw);
    if (isSeq(node)) return node;
    this.typeError(node ?? where, what, 'a list');
    return null;
  }

  map(raw: unknown, what: string, where: unknown = raw): YAMLMap | null {
    const node = this.deref(raw);
    if (isMap(node)) return node;
    this.typeError(node ?? where, what, 'a map');
    return null;
  }

  keyText(pair: Pair): string {
    const key = this.deref(pair.key);
    return isScalar(key) ? String(key.value) : '';
  }

  /** The fields of a map, refusing keys not in `allowed` and reporting missing `required` ones. */
  fields(map: YAMLMap, what: string, allowed: readonly string[], required: readonly string[]): Map<string, Pair> {
    const found = new Map<string, Pair>();
    for (const item of map.items) {
      const key = this.keyText(item);
      if (!allowed.includes(key)) {
        this.sink.error(this.at(item), Code.YAML_UNKNOWN_KEY, `unknown key \`${key}\` in ${what}: expected ${allowed.join(', ')}`);
        continue;
      }
      found.set(key, item);
    }
    for (const key of required) {
      if (!found.has(key)) this.sink.error(this.at(map), Code.YAML_MISSING_KEY, `${what} needs \`${key}\``);
    }
    return found;
  }

  /** The single key of a `- kind: value` list item. */
  singleKey(raw: unknown, what: string, kinds: readonly string[]): { kind: string; pair: Pair } | null {
    const map = this.map(raw, `each item of ${what}`);
    if (map === null) return null;
    const [pair] = map.items;
    if (pair === undefined || map.items.length !== 1) {
      this.sink.error(this.at(map), Code.YAML_BAD_TYPE, `each item of ${what} must have exactly one key, one of ${kinds.join(', ')}`);
      return null;
    }
    const kind = this.keyText(pair);
    if (!kinds.includes(kind)) {
      this.sink.error(this.at(pair), Code.YAML_UNKNOWN_KEY, `unknown key \`${kind}\` in ${what}: expected one of ${kinds.join(', ')}`);
      return null;
    }
    return { kind, pair };
  }
}

/** Parses the YAML text and translates it; null if the document itself cannot be read. */
export function translateYaml(text: string, file: string, sink: DiagnosticSink): YamlTranslation | null {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      sink.error({ file, line: lines.linePos(e.pos[0]).line }, Code.YAML_SYNTAX, `YAML syntax error: ${e.message.split('\n')[0] ?? e.message}`);
    }
    return null;
  }
  const r = new YamlReader(doc, lines, file, sink);
  const root = r.deref(doc.contents);
  if (!isMap(root)) {
    sink.error({ file, line: isScalar(root) || isSeq(root) ? r.at(root).line : 0 }, Code.YAML_BAD_TYPE, 'the configuration must be a map of keys (nodes, media, auth, ...)');
    return null;
  }

  const sections = new Map<string, Pair>();
  const plain: DirectiveEntry[] = [];
  for (const pair of root.items) {
    const key = r.keyText(pair);
    if (SECTION_KEYS.includes(key)) {
      sections.set(key, pair);
    } else if (key in STRUCTURED) {
      sink.error(r.at(pair), Code.YAML_USE_STRUCTURED_KEY, `\`${key}\` is written differently in YAML: ${STRUCTURED[key] ?? ''}`);
    } else if (isKnownDirective(key)) {
      for (const v of r.scalars(pair.value, `\`${key}\``, pair)) plain.push({ directive: key, tokens: [v.text], at: v.at });
    } else {
      sink.error(r.at(pair), Code.YAML_UNKNOWN_KEY, `unknown key \`${key}\``);
    }
  }
  const section = (key: string): Pair | undefined => sections.get(key);
  const directives = [
    ...plain,
    ...readNodes(r, section('nodes')),
    ...readMedia(r, section('media')),
    ...readPingNodes(r, section('ping_nodes')),
    ...readRespawn(r, section('respawn')),
    ...readApiAuth(r, section('apiauth')),
    ...readEnv(r, section('env')),
    ...readStonith(r, section('stonith')),
  ];
  const haDirPair = section('haDir');
  return {
    directives,
    authkeys: readAuth(r, section('auth')),
    resources: readResources(r, section('resources')),
    haDir: haDirPair === undefined ? null : r.scalar(haDirPair.value, '`haDir`', haDirPair),
  };
}

function entry(directive: string, tokens: readonly string[], at: SourceRef): DirectiveEntry {
  return { directive, tokens, at };
}

function readNodes(r: YamlReader, pair: Pair | undefined): DirectiveEntry[] {
  if (pair === undefined) return [];
  return r.scalars(pair.value, '`nodes`', pair).map((v) => entry('node', [v.text], v.at));
}

const MEDIA_KINDS = ['bcast', 'ucast', 'ucast6', 'mcast', 'mcast6', 'serial'];

function readMedia(r: YamlReader, pair: Pair | undefined): DirectiveEntry[] {
  if (pair === undefined) return [];
  const list = r.seq(pair.value, '`media`', pair);
  if (list === null) return [];
  const out: DirectiveEntry[] = [];
  for (const item of list.items) {
    const found = r.singleKey(item, '`media`', MEDIA_KINDS);
    if (found === null) continue;
    const { kind, pair: medium } = found;
    const what = `\`${kind}\` in \`media\``;
    if (kind === 'bcast' || kind === 'serial') {
      for (const v of r.scalars(medium.value, what, medium)) out.push(entry(kind, [v.text], v.at));
      continue;
    }
    const names =
      kind === 'ucast' || kind === 'ucast6'
        ? ['iface', 'peer']
        : ['iface', 'group', 'port', kind === 'mcast' ? 'ttl' : 'hops', 'loop'];
    const map = r.map(medium.value, what, medium);
    if (map === null) continue;
    const fields = r.fields(map, what, names, names);
    const tokens = names.map((n) => {
      const f = fields.get(n);
      return f === undefined ? null : r.scalar(f.value, `\`${n}\` of ${what}`, f);
    });
    if (tokens.every((t): t is string => t !== null)) out.push(entry(kind, tokens, r.at(medium)));
  }
  return out;
}

function readPingNodes(r: YamlReader, pair: Pair | undefined): DirectiveEntry[] {
  if (pair === undefined) return [];
  const list = r.seq(pair.value, '`ping_nodes`', pair);
  if (list === null) return [];
  const out: DirectiveEntry[] = [];
  for (const item of list.items) {
    const found = r.singleKey(item, '`ping_nodes`', ['ping', 'ping6', 'ping_group']);
    if (found === null) continue;
    const { kind, pair: node } = found;
    if (kind !== 'ping_group') {
      for (const v of r.scalars(node.value, `\`${kind}\``, node)) out.push(entry(kind, [v.text], v.at));
      continue;
    }
    const map = r.map(node.value, '`ping_group`', node);
    if (map === null) continue;
    const fields = r.fields(map, '`ping_group`', ['name', 'hosts'], ['name', 'hosts']);
    const namePair = fields.get('name');
    const hostsPair = fields.get('hosts');
    if (namePair === undefined || hostsPair === undefined) continue;
    const name = r.scalar(namePair.value, '`name` of `ping_group`', namePair);
    const hosts = r.scalars(hostsPair.value, '`hosts` of `ping_group`', hostsPair).map((h) => h.text);
    if (name !== null) out.push(entry('ping_group', [name, ...hosts], r.at(node)));
  }
  return out;
}

function readRespawn(r: YamlReader, pair: Pair | undefined): DirectiveEntry[] {
  if (pair === undefined) return [];
  const list = r.seq(pair.value, '`respawn`', pair);
  if (list === null) return [];
  const out: DirectiveEntry[] = [];
  for (const item of list.items) {
    const map = r.map(item, 'each item of `respawn`');
    if (map === null) continue;
    const fields = r.fields(map, '`respawn`', ['user', 'path', 'args', 'failfast'], ['user', 'path']);
    const userPair = fields.get('user');
    const pathPair = fields.get('path');
    if (userPair === undefined || pathPair === undefined) continue;
    const user = r.scalar(userPair.value, '`user` of `respawn`', userPair);
    const command = r.scalar(pathPair.value, '`path` of `respawn`', pathPair);
    const argsPair = fields.get('args');
    const args = argsPair === undefined ? [] : r.scalars(argsPair.value, '`args` of `respawn`', argsPair).map((a) => a.text);
    const failfastPair = fields.get('failfast');
    let failfast = false;
    if (failfastPair !== undefined) {
      const node = r.deref(failfastPair.value);
      if (isScalar(node) && typeof node.value === 'boolean') failfast = node.value;
      else r.typeError(node ?? failfastPair, '`failfast` of `respawn`', 'true or false');
    }
    if (user !== null && command !== null) out.push(entry(failfast ? 'failfast' : 'respawn', [user, command, ...args], r.at(map)));
  }
  return out;
}

function readApiAuth(r: YamlReader, pair: Pair | undefined): DirectiveEntry[] {
  if (pair === undefined) return [];
  const map = r.map(pair.value, '`apiauth`', pair);
  if (map === null) return [];
  const out: DirectiveEntry[] = [];
  for (const clientPair of map.items) {
    const client = r.keyText(clientPair);
    const what = `\`apiauth\` for \`${client}\``;
    const lists = r.map(clientPair.value, what, clientPair);
    if (lists === null) continue;
    const fields = r.fields(lists, what, ['uid', 'gid'], []);
    const tokens = [client];
    for (const kind of ['uid', 'gid']) {
      const f = fields.get(kind);
      if (f !== undefined) tokens.push(`${kind}=${r.scalars(f.value, `\`${kind}\` of ${what}`, f).map((v) => v.text).join(',')}`);
    }
    out.push(entry('apiauth', tokens, r.at(clientPair)));
  }
  return out;
}

function readEnv(r: YamlReader, pair: Pair | undefined): DirectiveEntry[] {
  if (pair === undefined) return [];
  const map = r.map(pair.value, '`env`', pair);
  if (map === null) return [];
  return map.items.flatMap((item) => {
    const value = r.scalar(item.value, `\`env\` \`${r.keyText(item)}\``, item);
    return value === null ? [] : [entry('env', [`${r.keyText(item)}=${value}`], r.at(item))];
  });
}

function readStonith(r: YamlReader, pair: Pair | undefined): DirectiveEntry[] {
  if (pair === undefined) return [];
  const list = r.seq(pair.value, '`stonith`', pair);
  if (list === null) return [];
  const out: DirectiveEntry[] = [];
  for (const item of list.items) {
    const map = r.map(item, 'each item of `stonith`');
    if (map === null) continue;
    const hasHost = map.items.some((p) => r.keyText(p) === 'host');
    const names = hasHost ? ['host', 'type', 'params'] : ['type', 'config'];
    const fields = r.fields(map, '`stonith`', names, hasHost ? ['host', 'type'] : ['type', 'config']);
    const text = (key: string): string | null => {
      const f = fields.get(key);
      return f === undefined ? null : r.scalar(f.value, `\`${key}\` of \`stonith\``, f);
    };
    const type = text('type');
    if (hasHost) {
      const host = text('host');
      const paramsPair = fields.get('params');
      const params = paramsPair === undefined ? [] : r.scalars(paramsPair.value, '`params` of `stonith`', paramsPair).map((p) => p.text);
      if (host !== null && type !== null) out.push(entry('stonith_host', [host, type, ...params], r.at(map)));
    } else {
      const config = text('config');
      if (type !== null && config !== null) out.push(entry('stonith', [type, config], r.at(map)));
    }
  }
  return out;
}

function readAuth(r: YamlReader, pair: Pair | undefined): AuthkeysEntry[] | null {
  if (pair === undefined) {
    r.sink.error({ file: r.file, line: 0 }, Code.YAML_MISSING_KEY, 'the configuration needs `auth` (authkeys): e.g. `auth: { use: 1, keys: { 1: { method: sha1, key: "secret" } } }`');
    return null;
  }
  const map = r.map(pair.value, '`auth`', pair);
  if (map === null) return null;
  const fields = r.fields(map, '`auth`', ['use', 'keys'], ['use', 'keys']);
  const out: AuthkeysEntry[] = [];
  // An unusable `use` still yields an auth entry (index null), so the
  // authkeys checks do not add "missing auth line" to the YAML error.
  const usePair = fields.get('use');
  const use = usePair === undefined ? null : r.scalar(usePair.value, '`use` of `auth`', usePair);
  if (usePair !== undefined && use !== null && !/^\d+$/.test(use)) r.typeError(usePair.value, '`use` of `auth`', 'an entry number 0..15');
  const index = use !== null && /^\d+$/.test(use) ? Number(use) : null;
  out.push({ kind: 'auth', index, at: usePair === undefined ? r.at(map) : r.at(usePair) });
  const keysPair = fields.get('keys');
  const keys = keysPair === undefined ? null : r.map(keysPair.value, '`keys` of `auth`', keysPair);
  for (const keyPair of keys?.items ?? []) {
    const indexText = r.keyText(keyPair);
    const what = `key ${indexText} of \`auth\``;
    if (!/^\d+$/.test(indexText)) {
      r.sink.error(r.at(keyPair), Code.YAML_BAD_TYPE, `${what}: the entry number must be 0..15`);
      continue;
    }
    const spec = r.map(keyPair.value, what, keyPair);
    if (spec === null) continue;
    const f = r.fields(spec, what, ['method', 'key'], ['method']);
    const methodPair = f.get('method');
    const keyValuePair = f.get('key');
    const method = methodPair === undefined ? null : r.scalar(methodPair.value, `\`method\` of ${what}`, methodPair);
    const secret = keyValuePair === undefined ? '' : r.scalar(keyValuePair.value, `\`key\` of ${what}`, keyValuePair);
    if (method !== null && secret !== null) out.push({ kind: 'key', index: Number(indexText), method, key: secret, at: r.at(keyPair) });
  }
  return out;
}

function readResources(r: YamlReader, pair: Pair | undefined): ResourceLine[] {
  if (pair === undefined) return [];
  const list = r.seq(pair.value, '`resources`', pair);
  if (list === null) return [];
  const out: ResourceLine[] = [];
  for (const item of list.items) {
    const map = r.map(item, 'each item of `resources`');
    if (map === null) continue;
    const fields = r.fields(map, '`resources` group', ['owner', 'resources'], ['owner', 'resources']);
    const ownerPair = fields.get('owner');
    const resPair = fields.get('resources');
    if (ownerPair === undefined || resPair === undefined) continue;
    const owner = r.scalar(ownerPair.value, '`owner`', ownerPair);
    const seq = r.seq(resPair.value, '`resources` of a group', resPair);
    if (owner === null || seq === null) continue;
    const resources: ResourceToken[] = seq.items.flatMap((res) => {
      const text = r.scalar(res, 'each resource');
      return text === null ? [] : [{ text, at: r.at(res) }];
    });
    out.push({ owner, resources, at: r.at(map) });
  }
  return out;
}

/** The haDir a YAML file means: its `haDir` (relative to the file) or the file's directory. */
export function yamlHaDir(file: string, haDir: string | null): string {
  const base = path.dirname(file);
  return haDir === null ? base : path.isAbsolute(haDir) ? haDir : path.join(base, haDir);
}

// ---------------------------------------------------------------- printing

const IGNORED_COMMENT = ' below: ha.cf directives accepted for compatibility and ignored by hbd';

/**
 * The YAML form of a model (for migration: `hbd check-config --print-yaml`).
 * Loading the output gives an equal model (apart from source positions).
 */
export function configToYaml(config: HbdConfig): string {
  const out: Record<string, unknown> = {};
  out.haDir = path.resolve(config.origin.haDir);
  if (config.clusterName !== DEFAULTS.clusterName) out.cluster = config.clusterName;
  out.nodes = [...config.nodes];
  out.keepalive = time(config.keepaliveMs);
  if (config.standbyKeepaliveMs !== null) out.standby_keepalive = time(config.standbyKeepaliveMs);
  if (config.standbyDeadtimeMs !== null) out.standby_deadtime = time(config.standbyDeadtimeMs);
  out.deadtime = time(config.deadtimeMs);
  out.warntime = time(config.warntimeMs);
  out.initdead = time(config.initdeadMs);
  if (config.deadpingMs !== config.deadtimeMs) out.deadping = time(config.deadpingMs);
  if (config.udpPort !== DEFAULTS.udpPort) out.udpport = config.udpPort;
  if (config.baud !== DEFAULTS.baud) out.baud = config.baud;
  if (config.hopfudge !== DEFAULTS.hopfudge) out.hopfudge = config.hopfudge;
  out.auto_failback = config.autoFailback;
  if (config.realtime !== DEFAULTS.realtime) out.realtime = config.realtime;
  if (config.rtprio !== null) out.rtprio = config.rtprio;
  const log = config.logging;
  if (log.debugLevel !== DEFAULTS.debugLevel) out.debug = log.debugLevel;
  if (log.facility !== null) out.logfacility = log.facility;
  if (log.logfile !== null) out.logfile = log.logfile;
  if (log.debugfile !== null) out.debugfile = log.debugfile;
  if (log.logBadPackets !== DEFAULTS.logBadPackets) out.log_badpack = log.logBadPackets;
  if (log.syslogFormat !== DEFAULTS.syslogFormat) out.syslogmsgfmt = log.syslogFormat;
  if (config.generationMethod !== DEFAULTS.generationMethod) out.hbgenmethod = config.generationMethod;
  if (config.uuidFrom !== DEFAULTS.uuidFrom) out.uuidfrom = config.uuidFrom;
  if (config.msgfmt !== DEFAULTS.msgfmt) out.msgfmt = config.msgfmt;
  if (config.compression !== DEFAULTS.compression) out.compression = config.compression;
  if (config.compressionThresholdKb !== DEFAULTS.compressionThresholdKb) out.compression_threshold = config.compressionThresholdKb;
  if (config.maxRexmitDelayMs !== DEFAULTS.maxRexmitDelayMs) out.max_rexmit_delay = config.maxRexmitDelayMs;
  if (config.watchdogDevice !== null) out.watchdog = config.watchdogDevice;

  out.media = config.media.map((m) => {
    switch (m.kind) {
      case 'bcast':
        return { bcast: m.iface };
      case 'serial':
        return { serial: m.device };
      case 'ucast':
      case 'ucast6':
        return { [m.kind]: { iface: m.iface, peer: m.peer } };
      case 'mcast':
        return { mcast: { iface: m.iface, group: m.group, port: m.port, ttl: m.ttl, loop: m.loop } };
      case 'mcast6':
        return { mcast6: { iface: m.iface, group: m.group, port: m.port, hops: m.hops, loop: m.loop } };
    }
  });
  if (config.pingNodes.length > 0) {
    out.ping_nodes = config.pingNodes.map((p) =>
      p.kind === 'ping_group' ? { ping_group: { name: p.name, hosts: [...p.addresses] } } : { [p.kind]: p.addresses[0] ?? p.name },
    );
  }
  if (config.respawn.length > 0) {
    out.respawn = config.respawn.map((c) => ({
      user: c.user,
      path: c.path,
      ...(c.args.length > 0 ? { args: [...c.args] } : {}),
      ...(c.rebootIfItDies ? { failfast: true } : {}),
    }));
  }
  const explicitApiAuth = config.apiauth.filter((a) => a.at.line > 0);
  if (explicitApiAuth.length > 0) {
    out.apiauth = Object.fromEntries(
      explicitApiAuth.map((a) => [
        a.client,
        { ...(a.uids.length > 0 ? { uid: [...a.uids] } : {}), ...(a.gids.length > 0 ? { gid: [...a.gids] } : {}) },
      ]),
    );
  }
  if (Object.keys(config.env).length > 0) out.env = { ...config.env };
  if (config.stonith.length > 0) {
    out.stonith = config.stonith.map((s) =>
      s.host === null ? { type: s.type, config: s.params.join(' ') } : { host: s.host, type: s.type, params: [...s.params] },
    );
  }
  const ignored = new Map<string, string[]>();
  for (const i of config.ignored) {
    ignored.set(i.directive, [...(ignored.get(i.directive) ?? []), i.value]);
  }
  for (const [directive, values] of ignored) out[directive] = values.length === 1 ? values[0] : values;

  out.auth = {
    use: config.auth.signIndex,
    // A Map keeps the entry numbers as YAML integers (`1:`, not `"1":`).
    keys: new Map(
      config.auth.keys.map((k) => [k.index, k.method === 'crc' ? { method: k.method } : { method: k.method, key: k.secret }]),
    ),
  };
  if (config.resourceGroups.length > 0) {
    out.resources = config.resourceGroups.map((g) => ({ owner: g.owner, resources: g.resources.map((res) => res.raw) }));
  }

  const doc = new Document(out);
  doc.commentBefore =
    config.origin.kind === 'ha.d'
      ? ` hbd configuration converted from the Heartbeat files in ${config.origin.path}`
      : ` hbd configuration (printed from ${config.origin.path})`;
  const firstIgnored = isMap(doc.contents)
    ? doc.contents.items.find((item) => isScalar(item.key) && ignored.has(String(item.key.value)))
    : undefined;
  if (firstIgnored !== undefined && isScalar(firstIgnored.key)) firstIgnored.key.commentBefore = IGNORED_COMMENT;
  return doc.toString({ lineWidth: 0 });
}

function time(ms: number): number | string {
  const text = formatHeartbeatTime(ms);
  return /^\d+$/.test(text) ? Number(text) : text;
}
