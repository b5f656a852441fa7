// The daemon process: owns the logger, the node identity, the control socket
// and (as later layers land) the heartbeat engine and the resource manager.
// It wires components together; policy lives in the components.

import * as fs from 'node:fs';
import * as os from 'node:os';
import type { HbdConfig } from '../config/model';
import { ControlServer } from '../control/server';
import { type ControlReply, controlSocketPath, pidFilePath } from '../control/protocol';
import type { LogHandle } from '../log';
import { EventStream } from './events';
import { type NodeIdentity, takeNodeIdentity, HEARTBEAT_STATE_DIR, DEFAULT_STATE_DIR } from './state-dir';
import { VERSION } from '../version';
import { Heartbeat } from '../cluster/heartbeat';
import type { NativeBinding } from '../native/binding';
import type { NetOps } from '../net/types';
import { type EscalationPolicy, ResourceWiring } from './resource-wiring';

export interface DaemonOptions {
  readonly config: HbdConfig;
  readonly nodeName: string;
  readonly stateDir: string;
  readonly log: LogHandle;
  readonly native: NativeBinding;
  /** Where serial lock files go (default /var/lock); tests use a temp dir. */
  readonly serialLockDir?: string;
  /** Addresses and announcements for VIP resources (native rtnetlink/AF_PACKET). */
  readonly net?: NetOps | null;
  /** A resource that cannot be stopped: reboot (Heartbeat), exit, or only log. */
  readonly escalation?: EscalationPolicy;
}

export class Daemon {
  readonly events = new EventStream();
  private identity: NodeIdentity | null = null;
  private heartbeat: Heartbeat | null = null;
  private resources: ResourceWiring | null = null;
  private control: ControlServer | null = null;
  private readonly startedAt = Date.now();
  private stopping: Promise<void> | null = null;

  constructor(private readonly opts: DaemonOptions) {}

  get logger() {
    return this.opts.log.logger;
  }

  async start(): Promise<void> {
    const { config, nodeName, stateDir } = this.opts;
    this.identity = takeNodeIdentity({
      stateDir,
      nodeName,
      generationMethod: config.generationMethod,
      uuidFrom: config.uuidFrom,
      // Replacing a Heartbeat node in place: keep its uuid and generation.
      adoptFrom: stateDir === DEFAULT_STATE_DIR ? HEARTBEAT_STATE_DIR : null,
    });
    for (const note of this.identity.notes) this.logger.info({ stateDir }, note);

    this.control = new ControlServer(controlSocketPath(stateDir), {
      handle: (req) => {
        switch (req.cmd) {
          case 'status':
            return this.statusReply();
          case 'shutdown':
            setImmediate(() => void this.stop('control request'));
            return { ok: true };
          case 'standby':
          case 'takeover':
            return this.resourceRequest(req.cmd, req.set);
        }
      },
      follow: (send) => this.events.subscribe((e) => send({ ...e }), 50),
    });
    await this.control.listen();
    fs.writeFileSync(pidFilePath(stateDir), `${process.pid}\n`);

    try {
      this.heartbeat = await Heartbeat.start({
        config,
        identity: { nodeName, uuid: this.identity.uuid, generation: this.identity.generation },
        native: this.opts.native,
        logger: this.logger,
        events: this.events,
        serialLockDir: this.opts.serialLockDir,
      });
      this.resources = new ResourceWiring({
        config,
        nodeName,
        heartbeat: this.heartbeat,
        logger: this.logger,
        events: this.events,
        net: this.opts.net ?? null,
        escalation: this.opts.escalation ?? 'reboot',
        exit: (code) => {
          process.exitCode = code;
          void this.stop('escalation');
        },
      });
    } catch (e) {
      // Leave nothing behind that claims a daemon is running.
      await this.control.close();
      fs.rmSync(pidFilePath(stateDir), { force: true });
      throw e;
    }

    this.logger.info(
      {
        node: nodeName,
        generation: this.identity.generation,
        uuid: this.identity.uuid.toString('hex'),
        config: config.origin.path,
        nodes: config.nodes,
        keepaliveMs: config.keepaliveMs,
        deadtimeMs: config.deadtimeMs,
      },
      `hbd ${VERSION} started`,
    );
    this.events.emit('daemon started', { node: nodeName, generation: this.identity.generation });
  }

  private resourceRequest(cmd: 'standby' | 'takeover', set: 'all' | 'local' | 'foreign' | 'failback'): ControlReply {
    const rm = this.resources?.manager;
    if (!rm?.peer) {
      return { ok: false, code: 'NOT_SUPPORTED', message: `${cmd} ${set}: there is no peer to move resources to or from` };
    }
    if (this.opts.config.autoFailback === 'legacy') {
      // As Heartbeat: the standby protocol needs nice_failback.
      return { ok: false, code: 'NOT_SUPPORTED', message: `${cmd} ${set}: standby mode is only implemented with auto_failback on or off (this cluster is legacy)` };
    }
    if (cmd === 'standby') rm.requestStandby(set);
    else rm.requestTakeover(set);
    return { ok: true, message: `${cmd} [${set}] requested; follow it with \`hbd status --follow\`` };
  }

  statusReply(): ControlReply {
    const { config, nodeName } = this.opts;
    const hb = this.heartbeat;
    const view = hb?.view();
    const ago = (t: number) => (view && t >= 0 ? view.nowMs - t : null);
    const nodes = view
      ? view.nodes.map((n) => ({
          name: n.name,
          type: n.type,
          self: n.self,
          status: n.status,
          lastHeardAgoMs: ago(n.lastHeardMs),
          deadtimeMs: n.deadtimeMs,
          ...(n.hbd !== undefined ? { hbd: n.hbd } : {}),
          generation: n.generation,
          lastSeq: n.lastSeq,
          uuid: n.uuid ?? null,
          links: n.links.map((l) => ({ name: l.name, status: l.status, lastHeardAgoMs: ago(l.lastHeardMs) })),
        }))
      : config.nodes.map((name) => ({ name, type: 'normal', self: name === nodeName, status: 'init', links: [] }));
    const counters = hb ? Object.fromEntries(Object.entries(hb.counters()).map(([k, v]) => [k, Number(v)])) : {};
    return {
      ok: true,
      node: nodeName,
      hostname: os.hostname(),
      pid: process.pid,
      version: VERSION,
      uptimeMs: Date.now() - this.startedAt,
      generation: this.identity?.generation ?? null,
      uuid: this.identity?.uuid.toString('hex') ?? null,
      config: {
        origin: config.origin,
        keepaliveMs: config.keepaliveMs,
        deadtimeMs: config.deadtimeMs,
        warntimeMs: config.warntimeMs,
        initdeadMs: config.initdeadMs,
        autoFailback: config.autoFailback,
      },
      ownStatus: view?.ownStatus ?? 'init',
      /** keepalive, or standby_keepalive while this node holds nothing. */
      sendIntervalMs: view?.sendIntervalMs ?? config.keepaliveMs,
      /** deadtime, or standby_deadtime as a quiet standby (every live peer is hbd). */
      advertisedDeadtimeMs: view?.advertisedDeadtimeMs ?? config.deadtimeMs,
      quietStandby: view?.quietStandby ?? false,
      rscstatus: this.resources?.manager.rscstatus ?? 'none',
      resources: this.resources?.status() ?? null,
      parameters: {
        keepalive: `${config.keepaliveMs}ms`,
        ...(config.standbyKeepaliveMs !== null ? { standby_keepalive: `${config.standbyKeepaliveMs}ms` } : {}),
        ...(config.standbyDeadtimeMs !== null ? { standby_deadtime: `${config.standbyDeadtimeMs}ms` } : {}),
        deadtime: `${config.deadtimeMs}ms`,
        warntime: `${config.warntimeMs}ms`,
        initdead: `${config.initdeadMs}ms`,
        deadping: `${config.deadpingMs}ms`,
        udpport: String(config.udpPort),
        baud: String(config.baud),
        hopfudge: String(config.hopfudge),
        auto_failback: config.autoFailback,
        cluster: config.clusterName,
        node: config.nodes.join(' '),
      },
      commUp: hb?.state.commUp ?? false,
      nodes,
      counters,
      resourceGroups: config.resourceGroups.map((g) => ({ key: g.key, owner: g.owner })),
    };
  }

  stop(reason: string): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      this.logger.info({ reason }, 'hbd stopping');
      this.events.emit('daemon stopping', { reason });
      if (this.resources) {
        // Hand everything over (resource ... shutdown, release, shutdone),
        // then keep heartbeating briefly so the peer surely hears shutdone.
        await this.resources.shutdown(10 * 60_000);
        await new Promise((r) => setTimeout(r, Math.min(3500, Math.max(1000, 4 * this.opts.config.keepaliveMs))));
      }
      this.heartbeat?.stop();
      await this.control?.close();
      fs.rmSync(pidFilePath(this.opts.stateDir), { force: true });
      this.logger.info('hbd stopped');
      this.opts.log.flush();
    })();
    return this.stopping;
  }
}
