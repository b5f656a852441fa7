// IPv6addr over NetOps: the address is added without duplicate address
// detection (a VIP taken over must answer at once, and a tentative address
// cannot be used), then announced with unsolicited neighbour advertisements.
// status = the address is on a non-loopback interface and did not fail DAD.

import type { ResourceRef } from '../../config/model';
import type { IPv6AddressSpec } from '../../config/resources';
import type { NetOps } from '../../net/types';
import { type NativeTakeoverStep, type ResourceAgent, type ResourceContext, ResourceError, type RscStatus } from '../types';
import { type AddressPlan, planIPv6 } from './address-plan';
import { addAddress, describe, removeAddress } from './address-ops';
import { type AnnounceParams, Announcer, type RefreshParams } from './announcer';
import { findAddress, heldCopies } from './held-addresses';

export interface Ipv6AgentOptions {
  readonly spec: IPv6AddressSpec;
  readonly net: NetOps;
  readonly announce: AnnounceParams;
  readonly refresh: RefreshParams;
}

export class Ipv6AddressAgent implements ResourceAgent {
  private held: { plan: AddressPlan; announcer: Announcer } | null = null;

  constructor(
    readonly ref: ResourceRef,
    readonly id: string,
    private readonly opts: Ipv6AgentOptions,
  ) {}

  private async expectedIfname(): Promise<string | null> {
    if (this.held) return this.held.plan.ifname;
    if (this.opts.spec.iface !== null) return this.opts.spec.iface;
    return (await this.opts.net.findInterface(this.opts.spec.ip).catch(() => null))?.ifname ?? null;
  }

  private async copies(ifname: string | null) {
    return heldCopies(await findAddress(this.opts.net, 'inet6', this.opts.spec.ip), ifname);
  }

  async status(_ctx: ResourceContext): Promise<RscStatus> {
    return (await this.copies(await this.expectedIfname())).length > 0 ? 'running' : 'stopped';
  }

  private hold(plan: AddressPlan, ctx: ResourceContext): Announcer {
    this.held?.announcer.cancel();
    const announcer = new Announcer(this.opts.net, plan.ifname, plan.address, this.id);
    announcer.startRefresh(this.opts.refresh, this.opts.announce.mode, this.opts.announce.intervalMs, ctx.logger);
    this.held = { plan, announcer };
    return announcer;
  }

  async start(ctx: ResourceContext): Promise<void> {
    const plan = await planIPv6(this.opts.spec, this.opts.net, this.id);
    if ((await this.copies(plan.ifname)).length > 0) {
      ctx.logger.info({ resource: this.id }, `${plan.address} is already on ${plan.ifname}`);
      this.hold(plan, ctx);
      return;
    }
    const spec = { ...plan, noDad: true };
    ctx.logger.info({ resource: this.id }, `Adding ${describe(spec)} (nodad)`);
    await addAddress(this.opts.net, spec, this.id);
    await this.hold(plan, ctx).announce(this.opts.announce, ctx.logger);
  }

  async stop(ctx: ResourceContext): Promise<void> {
    const held = this.held;
    held?.announcer.cancel();
    for (const c of await this.copies(held?.plan.ifname ?? this.opts.spec.iface)) {
      ctx.logger.info({ resource: this.id }, `Removing ${c.address}/${c.prefixLen} from ${c.ifname}`);
      await removeAddress(this.opts.net, c, this.id);
    }
    this.held = null;
  }

  async nativeTakeover(): Promise<readonly NativeTakeoverStep[] | null> {
    const plan = await planIPv6(this.opts.spec, this.opts.net, this.id).catch(() => null);
    if (plan === null) return null;
    const a = this.opts.announce;
    return [
      { kind: 'address', ...plan, noDad: true },
      { kind: 'announce', ifname: plan.ifname, address: plan.address, count: a.count, intervalMs: a.intervalMs, mode: a.mode },
    ];
  }

  async adoptNativeStart(ctx: ResourceContext): Promise<void> {
    const plan = await planIPv6(this.opts.spec, this.opts.net, this.id).catch(() => null);
    const copy = (await this.copies(plan?.ifname ?? this.opts.spec.iface))[0];
    if (copy === undefined) throw new ResourceError('RSC_START_FAILED', `${this.opts.spec.ip} is not on any interface: nothing to adopt`, this.id);
    this.hold(plan ?? { ifname: copy.ifname, family: 'inet6', address: copy.address, prefixLen: copy.prefixLen }, ctx);
  }
}
