// haresources: one resource group per logical line,
//   <preferred-node> <resource> <resource> ...
// read like ResourceManager's ipres(): `#` comments removed, a line ending in
// `\` joined to the next (the backslash-newline is removed, nothing added),
// blanks collapsed, the node name lowercased. A token matching the glob
// [0-9]*.[0-9]*.[0-9]*.[0-9]* is the IPaddr shorthand; otherwise
// `name::arg1::arg2` gives the script and its arguments.
//
// One deliberate difference: Heartbeat's sed strips comments only from the
// first physical line of a group, so a `# ...` on a continued line becomes
// resources there. hbd strips it and warns, since both nodes may still run
// Heartbeat with the same file.

import type { DiagnosticSink, SourceRef } from './diagnostics';
import type { ResourceGroup, ResourceRef } from './model';
import { Code } from './codes';
import {
  isBuiltinResource,
  ldirectordConfigCandidates,
  parseIPv4AddressSpec,
  parseIPv6AddressSpec,
  parseLdirectordArgs,
  parseLvsSyncArgs,
  parseSendArpSpec,
  resolveLdirectordConfig,
  resolveResourceScript,
  type Parsed,
} from './resources';

export interface ResourceToken {
  readonly text: string;
  readonly at: SourceRef;
}

/** One group as written: the owner and its resource tokens, before any checking. */
export interface ResourceLine {
  readonly owner: string;
  readonly resources: readonly ResourceToken[];
  /** Where the group starts (the first physical line of a continued group). */
  readonly at: SourceRef;
}

/** Logical lines of a haresources file. */
export function lexHaresources(text: string, file: string, sink: DiagnosticSink): ResourceLine[] {
  const physical = text.split('\n');
  const lines: ResourceLine[] = [];
  let i = 0;
  while (i < physical.length) {
    const start = i;
    let joined = stripComment(physical[i] ?? '');
    i++;
    while (joined.endsWith('\\')) {
      joined = joined.slice(0, -1);
      if (i >= physical.length) {
        sink.warning({ file, line: start + 1 }, Code.HARES_TRAILING_BACKSLASH, 'the file ends with a `\\` continuation; the backslash is ignored');
        break;
      }
      const next = physical[i] ?? '';
      const stripped = stripComment(next);
      if (stripped !== next.replace(/\r$/, '')) {
        sink.warning(
          { file, line: start + 1 },
          Code.HARES_COMMENT_IN_CONTINUATION,
          `the comment on continued line ${i + 1} is ignored by hbd, but Heartbeat 3.0.6 reads its words as resources: move the comment to a line of its own`,
        );
      }
      joined += stripped;
      i++;
    }
    const tokens = joined.split(/[ \t\r\f\v]+/).filter((t) => t !== '');
    const [owner, ...rest] = tokens;
    if (owner === undefined) continue;
    const at = { file, line: start + 1 };
    lines.push({ owner, resources: rest.map((t) => ({ text: t, at })), at });
  }
  return lines;
}

function stripComment(line: string): string {
  const noCr = line.replace(/\r$/, '');
  const hash = noCr.indexOf('#');
  return hash < 0 ? noCr : noCr.slice(0, hash);
}

/** ResourceManager's isip(): the shell glob [0-9]*.[0-9]*.[0-9]*.[0-9]*. */
export function isIpShorthand(token: string): boolean {
  return /^[0-9].*\.[0-9].*\.[0-9].*\.[0-9].*$/.test(token);
}

export interface GroupContext {
  readonly sink: DiagnosticSink;
  /** Lowercased node names from ha.cf. */
  readonly nodes: readonly string[];
  /** Where resource.d/ and ldirectord configurations live. */
  readonly haDir: string;
  readonly initDir: string;
  readonly checkFilesystem: boolean;
  /** Words for messages: the resources file and the node list ("haresources", "a node in ha.cf"). */
  readonly resourcesName: string;
  readonly nodeListName: string;
}

/** Builds the groups, checking owners, keys and every resource. */
export function buildResourceGroups(lines: readonly ResourceLine[], ctx: GroupContext): ResourceGroup[] {
  const groups: ResourceGroup[] = [];
  const keys = new Map<string, SourceRef>();
  for (const line of lines) {
    const owner = line.owner.toLowerCase();
    if (!ctx.nodes.includes(owner)) {
      ctx.sink.error(line.at, Code.HARES_BAD_NODE, `bad node name \`${line.owner}\` in ${ctx.resourcesName}: not ${ctx.nodeListName}`);
    }
    const [first] = line.resources;
    if (first === undefined) {
      ctx.sink.error(line.at, Code.HARES_NO_RESOURCES, `the group of \`${owner}\` lists no resources: expected \`${owner} <resource> ...\``);
      continue;
    }
    const key = first.text;
    const previous = keys.get(key);
    if (previous !== undefined) {
      ctx.sink.error(
        first.at,
        Code.HARES_DUPLICATE_KEY,
        `\`${key}\` already starts the group at line ${previous.line}: the first resource of each group is its key and must be unique`,
      );
    } else {
      keys.set(key, first.at);
    }
    const resources = line.resources.map((t) => toResourceRef(t, ctx)).filter((r): r is ResourceRef => r !== null);
    groups.push({ owner, key, resources, at: line.at });
  }
  return groups;
}

function toResourceRef(token: ResourceToken, ctx: GroupContext): ResourceRef | null {
  const { text: raw, at } = token;
  // Only the YAML form can carry blanks inside a resource; haresources could not express it.
  if (/\s/.test(raw)) {
    ctx.sink.error(at, Code.HARES_BAD_RESOURCE_NAME, `\`${raw}\`: a resource and its arguments cannot contain blanks (arguments are separated by \`::\`)`);
    return null;
  }
  if (isIpShorthand(raw)) {
    const ref: ResourceRef = { raw, name: 'IPaddr', args: [raw], shorthand: true, at };
    checkBuiltin(ref, raw, ctx);
    return ref;
  }
  const sep = raw.indexOf('::');
  const name = sep < 0 ? raw : raw.slice(0, sep);
  const argText = sep < 0 ? null : raw.slice(sep + 2);
  if (name === '' || /[/:]/.test(name)) {
    ctx.sink.error(at, Code.HARES_BAD_RESOURCE_NAME, `\`${raw}\`: \`${name}\` is not a resource name (expected script[::arg1[::arg2...]])`);
    return null;
  }
  const pieces = argText === null ? [] : argText.split('::');
  // ResourceManager passes the arguments unquoted, so empty ones vanish.
  const args = pieces.filter((a) => a !== '');
  if (args.length !== pieces.length) {
    ctx.sink.warning(at, Code.HARES_EMPTY_ARGUMENT, `\`${raw}\` has an empty argument (\`::::\`), which is dropped`);
  }
  const ref: ResourceRef = { raw, name, args, shorthand: false, at };
  if (isBuiltinResource(name)) {
    checkBuiltin(ref, argText, ctx);
  } else if (ctx.checkFilesystem && resolveResourceScript(name, ctx.haDir, ctx.initDir) === null) {
    ctx.sink.error(
      at,
      Code.HARES_SCRIPT_NOT_FOUND,
      `resource script \`${name}\` not found in ${ctx.haDir.replace(/\/+$/, '')}/resource.d or ${ctx.initDir}: it must be an executable file`,
    );
  }
  return ref;
}

function report<T>(parsed: Parsed<T>, ref: ResourceRef, ctx: GroupContext): T | null {
  if (!parsed.ok) {
    ctx.sink.error(ref.at, Code.HARES_BAD_ARGUMENT, `${ref.name}: ${parsed.message}`);
    return null;
  }
  for (const w of parsed.warnings) ctx.sink.warning(ref.at, Code.HARES_LABEL_IGNORED, w);
  return parsed.value;
}

function oneArgument(ref: ResourceRef, ctx: GroupContext, form: string): string | null {
  const [arg] = ref.args;
  if (arg === undefined || ref.args.length > 1) {
    ctx.sink.error(ref.at, Code.HARES_ARG_COUNT, `\`${ref.raw}\`: ${ref.name} takes exactly one argument, not ${ref.args.length}: expected ${form}`);
    return null;
  }
  return arg;
}

/** Argument checks of the resources hbd implements natively (no script needed). */
function checkBuiltin(ref: ResourceRef, argText: string | null, ctx: GroupContext): void {
  switch (ref.name) {
    case 'IPaddr':
    case 'IPaddr2': {
      const arg = oneArgument(ref, ctx, `${ref.name}::ip[/bits[/interface]][/broadcast]`);
      if (arg !== null) report(parseIPv4AddressSpec(arg, ref.name), ref, ctx);
      return;
    }
    case 'IPv6addr': {
      if (ref.args.length > 1 && argText !== null && parseIPv6AddressSpec(argText).ok) {
        ctx.sink.error(
          ref.at,
          Code.HARES_IPV6_DOUBLE_COLON,
          `\`${ref.raw}\`: \`::\` separates arguments in ${ctx.resourcesName}, so an IPv6 address cannot contain \`::\`: write all eight groups (e.g. 2001:db8:0:0:0:0:0:1)`,
        );
        return;
      }
      const arg = oneArgument(ref, ctx, 'IPv6addr::ipv6[/bits[/interface]]');
      if (arg !== null) report(parseIPv6AddressSpec(arg), ref, ctx);
      return;
    }
    case 'SendArp': {
      const arg = oneArgument(ref, ctx, 'SendArp::ip/interface');
      if (arg !== null) report(parseSendArpSpec(arg), ref, ctx);
      return;
    }
    case 'LVSSyncDaemonSwap':
      report(parseLvsSyncArgs(ref.args), ref, ctx);
      return;
    case 'ldirectord': {
      const name = report(parseLdirectordArgs(ref.args), ref, ctx);
      if (name !== null && ctx.checkFilesystem && resolveLdirectordConfig(name, ctx.haDir) === null) {
        ctx.sink.error(
          ref.at,
          Code.HARES_LDIRECTORD_CONFIG_NOT_FOUND,
          `ldirectord configuration \`${name}\` not found: looked for ${ldirectordConfigCandidates(name, ctx.haDir).join(', ')}`,
        );
      }
      return;
    }
    default:
      return;
  }
}
