// IPaddr and IPaddr2 (and the bare `10.0.0.1/24/eth0` shorthand, which is
// IPaddr), done over NetOps instead of ifconfig/ip and send_arp.
//
//   status  the address is on a non-loopback interface (the planned one)
//   start   plan (interface, prefix, broadcast), label, add, announce
//           (first round now, the rest paced), optional periodic refresh
//   stop    silence announcements, remove the address wherever it is held
//
// Flavours differ as the real agents do: IPaddr picks a free alias label
// `iface:N` and refuses an interface the routing table contradicts; IPaddr2
// uses a label only when asked (`iface:label`) and, as the v1 wrapper sets
// lvs_support=1, moves a VIP off the loopback while it holds it and puts it
// back on stop (docs/resources.md).

import type { ResourceRef } from '../../config/model';
import type { IPv4AddressSpec } from '../../config/resources';
import type { Logger } from '../../log';
import type { InterfaceAddress, NetOps } from '../../net/types';
import { errorText } from '../failure';
import { type NativeTakeoverStep, type ResourceAgent, type ResourceContext, ResourceError, type RscStatus } from '../types';
import { type AddressPlan, planIPv4 } from './address-plan';
import { addAddress, describe, removeAddress, specOf } from './address-ops';
import type { AliasLabels } from './alias-labels';
import { type AnnounceParams, Announcer, type RefreshParams } from './announcer';
import { findAddress, heldCopies, isLoopback } from './held-addresses';

export interface Ipv4AgentOptions {
  readonly flavour: 'IPaddr' | 'IPaddr2';
  readonly spec: IPv4AddressSpec;
  readonly net: NetOps;
  /** Shared by every IPaddr agent of the daemon. */
  readonly labels: AliasLabels;
  readonly announce: AnnounceParams;
  readonly refresh: RefreshParams;
  /** Move a loopback copy of the VIP away while held (IPaddr2's v1 wrapper: on). */
  readonly lvsSupport: boolean;
}

/** The alias label of an address (`eth0:0`), or null when it carries the interface's own name. */
function aliasOf(a: InterfaceAddress): string | null {
  return a.label !== undefined && a.label !== a.ifname ? a.label : null;
}

interface Held {
  readonly plan: AddressPlan;
  readonly label: string | null;
  readonly announcer: Announcer;
}

export class Ipv4AddressAgent implements ResourceAgent {
  private held: Held | null = null;
  /** Loopback copies removed at start, put back at stop (lvs_support). */
  private savedLoopback: InterfaceAddress[] = [];

  constructor(
    readonly ref: ResourceRef,
    readonly id: string,
    private readonly opts: Ipv4AgentOptions,
  ) {}

  private get spec(): IPv4AddressSpec {
    return this.opts.spec;
  }

  /** The interface the address belongs on, when it can be told without failing. */
  private async expectedIfname(): Promise<string | null> {
    if (this.held) return this.held.plan.ifname;
    if (this.spec.iface !== null) return this.spec.iface;
    return (await this.opts.net.findInterface(this.spec.ip).catch(() => null))?.ifname ?? null;
  }

  async status(_ctx: ResourceContext): Promise<RscStatus> {
    const copies = heldCopies(await findAddress(this.opts.net, 'inet', this.spec.ip), await this.expectedIfname());
    return copies.length > 0 ? 'running' : 'stopped';
  }

  /** IPaddr: a free alias; IPaddr2: `iface:label` if the argument has one. */
  private async chooseLabel(ifname: string): Promise<string | null> {
    if (this.opts.flavour === 'IPaddr2') return this.spec.label === null ? null : `${ifname}:${this.spec.label}`;
    const inUse = (await this.opts.net.listAddresses(ifname)).flatMap((a) => (a.label !== undefined ? [a.label] : []));
    const label = this.opts.labels.pick(ifname, inUse);
    if (label === null) throw new ResourceError('RSC_START_FAILED', `No free interface found for ${this.spec.ip}: all ${ifname}:0..511 aliases are in use`, this.id);
    return label;
  }

  async start(ctx: ResourceContext): Promise<void> {
    const log = ctx.logger;
    const net = this.opts.net;
    const plan = await planIPv4(this.spec, this.opts.flavour, net, this.id);
    const copies = await findAddress(net, 'inet', this.spec.ip);
    const present = heldCopies(copies, plan.ifname)[0];
    if (present !== undefined) {
      log.info({ resource: this.id }, `${this.spec.ip} is already on ${present.ifname}`);
      this.hold(plan, aliasOf(present), ctx.logger);
      return;
    }
    await this.warnIfDown(plan.ifname, log);
    if (this.opts.lvsSupport) await this.moveOffLoopback(copies, log);
    const label = await this.chooseLabel(plan.ifname);
    if (label !== null && this.opts.flavour === 'IPaddr') this.opts.labels.claim(label);
    const spec = { ...plan, ...(label !== null ? { label } : {}) };
    log.info({ resource: this.id }, `Adding ${describe(spec)}`);
    try {
      await addAddress(net, spec, this.id);
    } catch (e) {
      if (label !== null) this.opts.labels.release(label);
      await this.restoreLoopback(log);
      throw e;
    }
    const held = this.hold(plan, label, log);
    await held.announcer.announce(this.opts.announce, log);
  }

  /** Records the address as ours and starts the periodic re-announce, if configured. */
  private hold(plan: AddressPlan, label: string | null, log: Logger): Held {
    this.held?.announcer.cancel();
    if (label !== null && this.opts.flavour === 'IPaddr') this.opts.labels.claim(label);
    const announcer = new Announcer(this.opts.net, plan.ifname, plan.address, this.id);
    announcer.startRefresh(this.opts.refresh, this.opts.announce.mode, this.opts.announce.intervalMs, log);
    this.held = { plan, label, announcer };
    return this.held;
  }

  private async warnIfDown(ifname: string, log: Logger): Promise<void> {
    const link = await this.opts.net.linkInfo(ifname).catch(() => null);
    // IPaddr2 runs `ip link set up`; NetOps does not change link state, so say it.
    if (link !== null && !link.up) log.warn({ resource: this.id }, `${ifname} is down: ${this.spec.ip} is added but unreachable until the link is up`);
  }

  private async moveOffLoopback(copies: readonly InterfaceAddress[], log: Logger): Promise<void> {
    for (const c of copies.filter((a) => isLoopback(a.ifname))) {
      log.info({ resource: this.id }, `Removing conflicting loopback ${c.ifname} (${c.address}/${c.prefixLen}); it is put back on stop`);
      await removeAddress(this.opts.net, c, this.id);
      this.savedLoopback.push(c);
    }
  }

  private async restoreLoopback(log: Logger): Promise<void> {
    const saved = this.savedLoopback;
    this.savedLoopback = [];
    for (const c of saved) {
      log.info({ resource: this.id }, `Restoring loopback IP Address ${c.address}/${c.prefixLen} on ${c.ifname}`);
      // Like IPaddr2's restore_loopback: a failure here is logged, the stop still counts.
      await addAddress(this.opts.net, specOf(c), this.id).catch((e) => log.error({ resource: this.id }, errorText(e)));
    }
  }

  async stop(ctx: ResourceContext): Promise<void> {
    const held = this.held;
    held?.announcer.cancel();
    const copies = heldCopies(await findAddress(this.opts.net, 'inet', this.spec.ip), held?.plan.ifname ?? this.spec.iface);
    for (const c of copies) {
      ctx.logger.info({ resource: this.id }, `Removing ${c.address}/${c.prefixLen} from ${c.ifname}`);
      await removeAddress(this.opts.net, c, this.id);
    }
    if (this.opts.lvsSupport) await this.restoreLoopback(ctx.logger);
    if (held?.label != null && this.opts.flavour === 'IPaddr') this.opts.labels.release(held.label);
    this.held = null;
  }

  async nativeTakeover(): Promise<readonly NativeTakeoverStep[] | null> {
    let plan: AddressPlan;
    try {
      plan = await planIPv4(this.spec, this.opts.flavour, this.opts.net, this.id);
    } catch {
      return null; // the JS start reports why
    }
    const copies = await findAddress(this.opts.net, 'inet', this.spec.ip);
    // Moving a VIP off lo is more than the core's steps can express.
    if (this.opts.lvsSupport && copies.some((c) => isLoopback(c.ifname))) return null;
    let label: string | null;
    try {
      label = await this.chooseLabel(plan.ifname);
    } catch {
      return null;
    }
    const a = this.opts.announce;
    return [
      { kind: 'address', ...plan, ...(label !== null ? { label } : {}) },
      { kind: 'announce', ifname: plan.ifname, address: plan.address, count: a.count, intervalMs: a.intervalMs, mode: a.mode },
    ];
  }

  /** The core added and announced the address: keep it as ours (label claim, refresh timer). */
  async adoptNativeStart(ctx: ResourceContext): Promise<void> {
    const plan = await planIPv4(this.spec, this.opts.flavour, this.opts.net, this.id).catch(() => null);
    const copy = heldCopies(await findAddress(this.opts.net, 'inet', this.spec.ip), plan?.ifname ?? this.spec.iface)[0];
    if (copy === undefined) throw new ResourceError('RSC_START_FAILED', `${this.spec.ip} is not on any interface: nothing to adopt`, this.id);
    this.hold(plan ?? { ifname: copy.ifname, family: 'inet', address: copy.address, prefixLen: copy.prefixLen }, aliasOf(copy), ctx.logger);
  }

  /** For tests and status: the interface/label it holds, and whether it re-announces. */
  get holding(): { readonly ifname: string; readonly label: string | null; readonly refreshing: boolean } | null {
    return this.held === null ? null : { ifname: this.held.plan.ifname, label: this.held.label, refreshing: this.held.announcer.refreshing };
  }
}
