// Builds the daemon's resource side from the configuration: the resource
// layer (scripts and built-ins), the directors for ldirectord:: resources, the
// resource manager (ownership protocol + ipfail), respawned children and the
// watchdog. Kept apart from daemon.ts so that file stays about lifecycle.

import { execFile } from 'node:child_process';
import type { HbdConfig } from '../config/model';
import { type Heartbeat } from '../cluster/heartbeat';
import { ResourceManager, wantsIpfail } from '../cluster/resource-manager';
import type { IpvsBackend } from '../ipvs/types';
import { Director, openIpvsBackend } from '../ldirectord';
import { createDirectorCheckRunner } from '../ldirectord/command-pinger';
import type { Logger } from '../log';
import type { NetOps } from '../net/types';
import { DirectorPool } from '../resources/director-pool';
import { createResourceGroups } from '../resources/layer';
import type { NativeTakeoverStep } from '../resources/types';
import { RespawnSupervisor, Watchdog } from '../supervise';
import type { EventStream } from './events';

/** What hbd does when a resource cannot be stopped and still runs (Heartbeat reboots). */
export type EscalationPolicy = 'reboot' | 'exit' | 'none';

export interface ResourceWiringOptions {
  readonly config: HbdConfig;
  readonly nodeName: string;
  readonly heartbeat: Heartbeat;
  readonly logger: Logger;
  readonly events: EventStream;
  readonly net: NetOps | null;
  readonly escalation: EscalationPolicy;
  /** Called when escalation is `exit`. */
  readonly exit: (code: number) => void;
}

/**
 * IPVS is opened on first use only: a cluster with no ldirectord or
 * LVSSyncDaemonSwap resource never needs it (and may run where there is none).
 */
export function lazyIpvs(open: () => Promise<IpvsBackend> = () => openIpvsBackend()): IpvsBackend {
  let backend: Promise<IpvsBackend> | null = null;
  const get = () => (backend ??= open().catch((e: unknown) => {
    backend = null;
    throw e;
  }));
  return new Proxy({} as IpvsBackend, {
    get(_t, prop: keyof IpvsBackend) {
      if (prop === 'close') return () => void backend?.then((b) => b.close()).catch(() => undefined);
      return async (...args: unknown[]) => {
        const b = await get();
        return (b[prop] as (...a: unknown[]) => unknown).apply(b, args);
      };
    },
  });
}

export class ResourceWiring {
  readonly manager: ResourceManager;
  readonly directors: DirectorPool;
  private readonly respawn: RespawnSupervisor;
  private readonly watchdog: Watchdog | null;
  private readonly ipvs: IpvsBackend;

  constructor(private readonly opts: ResourceWiringOptions) {
    const { config, nodeName, logger, events } = opts;
    this.ipvs = lazyIpvs();
    const checks = createDirectorCheckRunner();
    this.directors = new DirectorPool(
      (configFile) =>
        new Director({
          config: configFile,
          load: { haDir: config.origin.haDir },
          backend: this.ipvs,
          checks,
          logger,
          onEvent: (e) => {
            const { type, ...fields } = e;
            events.emit(`ldirectord ${type}`, { ...fields });
          },
        }),
    );
    const escalate = (reason: string) => this.escalate(reason);
    const groups = createResourceGroups(config, nodeName, {
      ...(opts.net ? { net: opts.net } : {}),
      ipvs: this.ipvs,
      directors: this.directors,
      escalate,
    });
    this.manager = new ResourceManager({
      config,
      nodeName,
      heartbeat: opts.heartbeat,
      groups,
      logger,
      events,
      // VIPs need the native NetOps; then the engine can bring them up itself.
      ...(opts.net ? { net: opts.net, armTakeover: (peer: string, steps: readonly NativeTakeoverStep[]) => opts.heartbeat.armTakeover(peer, steps) } : {}),
      ipfail: wantsIpfail(config),
    });
    this.respawn = new RespawnSupervisor({ specs: config.respawn, env: config.env, logger, escalate });
    this.respawn.start();
    this.watchdog = config.watchdogDevice
      ? new Watchdog({
          device: config.watchdogDevice,
          intervalMs: config.keepaliveMs,
          logger,
          // Tickle only while the heartbeat thread is alive and sending.
          selfHeard: () => {
            const self = opts.heartbeat.view().nodes.find((n) => n.self);
            return self !== undefined && self.lastHeardMs >= 0 && opts.heartbeat.view().nowMs - self.lastHeardMs < config.deadtimeMs;
          },
        })
      : null;
    this.watchdog?.start();
  }

  private escalate(reason: string): void {
    const log = this.opts.logger;
    log.fatal({ reason, policy: this.opts.escalation }, `CRIT: ${reason}: Reboot required!`);
    this.opts.events.emit('escalation', { reason, policy: this.opts.escalation });
    switch (this.opts.escalation) {
      case 'reboot':
        // What Heartbeat's ResourceManager does after a failed stop.
        execFile('/sbin/reboot', ['-f'], () => undefined);
        break;
      case 'exit':
        this.opts.exit(2);
        break;
      case 'none':
        break;
    }
  }

  status(): Record<string, unknown> {
    return {
      ...this.manager.status(),
      respawn: this.respawn.status(),
      directors: this.directors.active().map(([file, d]) => ({ file, ...d.status() })),
    };
  }

  /** Releases every resource (shutdone), then stops children and directors. */
  async shutdown(timeoutMs: number): Promise<void> {
    await this.manager.shutdown(timeoutMs);
    await this.close(true);
  }

  async close(clean: boolean): Promise<void> {
    this.manager.close();
    await this.respawn.stop();
    this.watchdog?.stop(clean);
    for (const [, d] of this.directors.active()) await d.stop().catch(() => undefined);
    this.ipvs.close();
  }
}
