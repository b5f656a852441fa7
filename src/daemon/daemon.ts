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

export interface DaemonOptions {
  readonly config: HbdConfig;
  readonly nodeName: string;
  readonly stateDir: string;
  readonly log: LogHandle;
}

export class Daemon {
  readonly events = new EventStream();
  private identity: NodeIdentity | null = null;
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

  private resourceRequest(cmd: 'standby' | 'takeover', set: string): ControlReply {
    // Resource ownership is not managed by this daemon yet: say so plainly
    // instead of pretending the request was carried out.
    return {
      ok: false,
      code: 'NOT_SUPPORTED',
      message: `${cmd} ${set}: this hbd build does not manage resources yet`,
    };
  }

  statusReply(): ControlReply {
    const { config, nodeName } = this.opts;
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
      nodes: config.nodes.map((name) => ({ name, type: 'normal', self: name === nodeName })),
      resourceGroups: config.resourceGroups.map((g) => ({ key: g.key, owner: g.owner })),
    };
  }

  stop(reason: string): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      this.logger.info({ reason }, 'hbd stopping');
      this.events.emit('daemon stopping', { reason });
      await this.control?.close();
      fs.rmSync(pidFilePath(this.opts.stateDir), { force: true });
      this.logger.info('hbd stopped');
      this.opts.log.flush();
    })();
    return this.stopping;
  }
}
