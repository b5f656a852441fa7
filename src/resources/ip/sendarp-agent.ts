// SendArp::ip/iface: gratuitous ARP for an address held elsewhere on this
// node (another interface), without adding it. Like the OCF agent it is a
// pseudo resource: "running" means started and not stopped since.

import type { ResourceRef } from '../../config/model';
import type { SendArpSpec } from '../../config/resources';
import type { NetOps } from '../../net/types';
import { errorText } from '../failure';
import { type NativeTakeoverStep, type ResourceAgent, type ResourceContext, ResourceError, type RscStatus } from '../types';
import { type AnnounceParams, Announcer, type RefreshParams } from './announcer';

export interface SendArpAgentOptions {
  readonly spec: SendArpSpec;
  readonly net: NetOps;
  readonly announce: AnnounceParams;
  readonly refresh: RefreshParams;
}

export class SendArpAgent implements ResourceAgent {
  private announcer: Announcer | null = null;

  constructor(
    readonly ref: ResourceRef,
    readonly id: string,
    private readonly opts: SendArpAgentOptions,
  ) {}

  async status(_ctx: ResourceContext): Promise<RscStatus> {
    return this.announcer !== null ? 'running' : 'stopped';
  }

  private hold(ctx: ResourceContext): Announcer {
    this.announcer?.cancel();
    const { ip, iface } = this.opts.spec;
    this.announcer = new Announcer(this.opts.net, iface, ip, this.id);
    this.announcer.startRefresh(this.opts.refresh, this.opts.announce.mode, this.opts.announce.intervalMs, ctx.logger);
    return this.announcer;
  }

  async start(ctx: ResourceContext): Promise<void> {
    const { iface } = this.opts.spec;
    try {
      await this.opts.net.linkInfo(iface);
    } catch (e) {
      throw new ResourceError('RSC_NO_INTERFACE', `interface ${iface} named in ${this.id} does not exist: ${errorText(e)}`, this.id, { cause: e });
    }
    await this.hold(ctx).announce(this.opts.announce, ctx.logger);
  }

  async stop(_ctx: ResourceContext): Promise<void> {
    this.announcer?.cancel();
    this.announcer = null;
  }

  async nativeTakeover(): Promise<readonly NativeTakeoverStep[]> {
    const { ip, iface } = this.opts.spec;
    const a = this.opts.announce;
    return [{ kind: 'announce', ifname: iface, address: ip, count: a.count, intervalMs: a.intervalMs, mode: a.mode }];
  }

  async adoptNativeStart(ctx: ResourceContext): Promise<void> {
    this.hold(ctx);
  }
}
