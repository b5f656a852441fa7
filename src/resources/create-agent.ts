// Which agent runs a haresources item. The names hbd implements itself
// (config/resources.ts BUILTIN_RESOURCES) never fork: IPaddr (and the bare
// IP shorthand), IPaddr2, IPv6addr, SendArp, ldirectord, LVSSyncDaemonSwap.
// Everything else is a script found like ResourceManager finds it.

import type { ResourceRef } from '../config/model';
import {
  type Parsed,
  isBuiltinResource,
  parseIPv4AddressSpec,
  parseIPv6AddressSpec,
  parseLdirectordArgs,
  parseLvsSyncArgs,
  parseSendArpSpec,
} from '../config/resources';
import type { IpvsBackend } from '../ipvs/types';
import type { NetOps } from '../net/types';
import type { DirectorPool } from './director-pool';
import { InvalidAgent } from './invalid-agent';
import { AliasLabels } from './ip/alias-labels';
import { type AnnounceParams, NO_REFRESH, type RefreshParams } from './ip/announcer';
import { Ipv4AddressAgent } from './ip/ipv4-agent';
import { Ipv6AddressAgent } from './ip/ipv6-agent';
import { SendArpAgent } from './ip/sendarp-agent';
import { LdirectordAgent } from './ldirectord-agent';
import { LvsSyncAgent } from './lvs-sync-agent';
import { resourceId } from './resource-id';
import { ScriptAgent, type ScriptTimeouts } from './script-agent';
import type { ResourceAgent } from './types';

export type AnnouncingResource = 'IPaddr' | 'IPaddr2' | 'IPv6addr' | 'SendArp';

/**
 * The real agents' defaults: IPaddr send_arp -i 500 -r 10; IPaddr2
 * arp_interval 200 / arp_count 5 (its send_ua for IPv6 the same); SendArp
 * ARP_INTERVAL_MS 200 / ARP_REPEAT 5. send_arp sends a request and a reply
 * per round ("some systems ignore one or the other").
 */
export const DEFAULT_ANNOUNCE: Readonly<Record<AnnouncingResource, AnnounceParams>> = {
  IPaddr: { count: 10, intervalMs: 500, mode: 'both' },
  IPaddr2: { count: 5, intervalMs: 200, mode: 'both' },
  IPv6addr: { count: 5, intervalMs: 200, mode: 'both' },
  SendArp: { count: 5, intervalMs: 200, mode: 'both' },
};

export interface AgentDeps {
  /** Where resource.d/ and ldirectord configurations are (config.origin.haDir). */
  readonly haDir: string;
  /** Searched after resource.d (config.origin.initDir). */
  readonly initDir: string;
  /** heartbeatEnv(config, node): the HA_* every script gets. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Needed by IPaddr, IPaddr2, IPv6addr, SendArp. */
  readonly net?: NetOps;
  /** Needed by LVSSyncDaemonSwap. */
  readonly ipvs?: IpvsBackend;
  /** Needed by ldirectord. */
  readonly directors?: DirectorPool;
  /** IPaddr alias claims, shared by every IPaddr agent (made here when absent). */
  readonly labels?: AliasLabels;
  readonly scriptTimeouts?: Partial<ScriptTimeouts>;
  readonly killGraceMs?: number;
  /** Per-resource-type announcement overrides. */
  readonly announce?: Partial<Record<AnnouncingResource, Partial<AnnounceParams>>>;
  /** Periodic re-announce while an address is held (default off, as in Heartbeat v1). */
  readonly refresh?: Partial<RefreshParams>;
  /** IPaddr2's lvs_support (default true: the v1 wrapper sets OCF_RESKEY_lvs_support=1). */
  readonly ipaddr2LvsSupport?: boolean;
}

/** createAgent for many items: one AliasLabels for all of them. */
export function agentFactory(deps: AgentDeps): (ref: ResourceRef) => ResourceAgent {
  const shared: AgentDeps = deps.labels !== undefined ? deps : { ...deps, labels: new AliasLabels() };
  return (ref) => createAgent(ref, shared);
}

export function createAgent(ref: ResourceRef, deps: AgentDeps): ResourceAgent {
  const id = resourceId(ref);
  if (!isBuiltinResource(ref.name)) {
    return new ScriptAgent(ref, {
      haDir: deps.haDir,
      initDir: deps.initDir,
      baseEnv: deps.baseEnv,
      ...(deps.scriptTimeouts !== undefined ? { timeouts: deps.scriptTimeouts } : {}),
      ...(deps.killGraceMs !== undefined ? { killGraceMs: deps.killGraceMs } : {}),
    });
  }
  const invalid = (reason: string) => new InvalidAgent(ref, id, 'RSC_BAD_ARGUMENT', reason);
  const missing = (what: string) => new InvalidAgent(ref, id, 'RSC_BAD_ARGUMENT', `this daemon was started without ${what}`);
  const one = <T>(parse: (arg: string) => Parsed<T>): Parsed<T> =>
    ref.args.length === 1 ? parse(ref.args[0] ?? '') : { ok: false, message: `${ref.name} takes exactly one argument, not ${ref.args.length}` };
  const announce = (kind: AnnouncingResource): AnnounceParams => ({ ...DEFAULT_ANNOUNCE[kind], ...(deps.announce?.[kind] ?? {}) });
  const refresh: RefreshParams = { ...NO_REFRESH, ...(deps.refresh ?? {}) };

  switch (ref.name) {
    case 'IPaddr':
    case 'IPaddr2': {
      const flavour = ref.name;
      const spec = one((a) => parseIPv4AddressSpec(a, flavour));
      if (!spec.ok) return invalid(spec.message);
      if (deps.net === undefined) return missing('network access (NetOps)');
      return new Ipv4AddressAgent(ref, id, {
        flavour,
        spec: spec.value,
        net: deps.net,
        labels: deps.labels ?? new AliasLabels(),
        announce: announce(flavour),
        refresh,
        lvsSupport: flavour === 'IPaddr2' && (deps.ipaddr2LvsSupport ?? true),
      });
    }
    case 'IPv6addr': {
      const spec = one(parseIPv6AddressSpec);
      if (!spec.ok) return invalid(spec.message);
      if (deps.net === undefined) return missing('network access (NetOps)');
      return new Ipv6AddressAgent(ref, id, { spec: spec.value, net: deps.net, announce: announce('IPv6addr'), refresh });
    }
    case 'SendArp': {
      const spec = one(parseSendArpSpec);
      if (!spec.ok) return invalid(spec.message);
      if (deps.net === undefined) return missing('network access (NetOps)');
      return new SendArpAgent(ref, id, { spec: spec.value, net: deps.net, announce: announce('SendArp'), refresh });
    }
    case 'LVSSyncDaemonSwap': {
      const spec = parseLvsSyncArgs(ref.args);
      if (!spec.ok) return invalid(spec.message);
      if (deps.ipvs === undefined) return missing('IPVS access');
      return new LvsSyncAgent(ref, id, { spec: spec.value, ipvs: deps.ipvs });
    }
    case 'ldirectord': {
      const name = parseLdirectordArgs(ref.args);
      if (!name.ok) return invalid(name.message);
      if (deps.directors === undefined) return missing('the built-in director');
      return new LdirectordAgent(ref, id, { name: name.value, haDir: deps.haDir, directors: deps.directors });
    }
  }
}
