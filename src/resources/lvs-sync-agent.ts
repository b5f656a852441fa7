// LVSSyncDaemonSwap::master|backup[::iface], as Heartbeat 2.1.3's script did
// it (the script is not shipped with 3.0.x), through IpvsBackend instead of
// ipvsadm and `ps`:
//
//   start   stop the opposite sync daemon if it runs, start this role
//   stop    stop this role, start the opposite one (the node falls back)
//   status  this role's daemon is running
//
// Deliberate differences: the script's stop did nothing at all when the
// opposite role was already running, which left this role running too
// (possible since Linux 2.4.29); here stop always stops this role. And a
// fallback role that fails to start is logged, not a failed stop (which
// would be retried and then judged for a reboot).

import type { ResourceRef } from '../config/model';
import type { LvsSyncSpec } from '../config/resources';
import type { IpvsBackend, SyncDaemonRole } from '../ipvs/types';
import { errnoCode, errorText } from './failure';
import { type ResourceAgent, type ResourceContext, ResourceError, type RscStatus } from './types';

export interface LvsSyncAgentOptions {
  readonly spec: LvsSyncSpec;
  readonly ipvs: IpvsBackend;
  /** ipvsadm's default sync id when none is given. */
  readonly syncId?: number;
}

const opposite = (role: SyncDaemonRole): SyncDaemonRole => (role === 'master' ? 'backup' : 'master');

export class LvsSyncAgent implements ResourceAgent {
  constructor(
    readonly ref: ResourceRef,
    readonly id: string,
    private readonly opts: LvsSyncAgentOptions,
  ) {}

  private async running(): Promise<Set<SyncDaemonRole>> {
    try {
      return new Set((await this.opts.ipvs.listDaemons()).map((d) => d.role));
    } catch (e) {
      throw new ResourceError('RSC_NETLINK', `listing the IPVS sync daemons failed: ${errorText(e)}`, this.id, { cause: e });
    }
  }

  private async stopRole(role: SyncDaemonRole, ctx: ResourceContext, failCode: 'RSC_START_FAILED' | 'RSC_STOP_FAILED'): Promise<void> {
    try {
      await this.opts.ipvs.stopDaemon(role);
    } catch (e) {
      // Already stopped by someone else in the meantime: the goal is reached.
      if (errnoCode(e) === 'ESRCH') return;
      throw new ResourceError(failCode, `stopping the ${role} sync daemon failed: ${errorText(e)}`, this.id, { cause: e });
    }
    ctx.logger.info({ resource: this.id }, `ipvs_sync${role} down`);
  }

  private async startRole(role: SyncDaemonRole, ctx: ResourceContext, failCode: 'RSC_START_FAILED' | 'RSC_STOP_FAILED'): Promise<void> {
    const iface = this.opts.spec.iface;
    try {
      await this.opts.ipvs.startDaemon({ role, mcastInterface: iface, syncId: this.opts.syncId ?? 0 });
    } catch (e) {
      if (errnoCode(e) === 'EEXIST') return;
      throw new ResourceError(failCode, `starting the ${role} sync daemon on ${iface} failed: ${errorText(e)}`, this.id, { cause: e });
    }
    ctx.logger.info({ resource: this.id }, `ipvs_sync${role} up on ${iface}`);
  }

  async start(ctx: ResourceContext): Promise<void> {
    const role = this.opts.spec.role;
    const now = await this.running();
    if (now.has(opposite(role))) await this.stopRole(opposite(role), ctx, 'RSC_START_FAILED');
    if (!now.has(role)) await this.startRole(role, ctx, 'RSC_START_FAILED');
    ctx.logger.info({ resource: this.id }, `ipvs_sync${role} obtained`);
  }

  async stop(ctx: ResourceContext): Promise<void> {
    const role = this.opts.spec.role;
    const now = await this.running();
    if (now.has(role)) await this.stopRole(role, ctx, 'RSC_STOP_FAILED');
    if (!now.has(opposite(role))) {
      // This role is down, which is what the stop is for; the fallback role
      // failing to start must not turn into retries and a reboot verdict.
      await this.startRole(opposite(role), ctx, 'RSC_STOP_FAILED').catch((e) => ctx.logger.error({ resource: this.id }, errorText(e)));
    }
    ctx.logger.info({ resource: this.id }, `ipvs_sync${role} released`);
  }

  async status(_ctx: ResourceContext): Promise<RscStatus> {
    return (await this.running()).has(this.opts.spec.role) ? 'running' : 'stopped';
  }

  async nativeTakeover(): Promise<null> {
    return null;
  }
}
