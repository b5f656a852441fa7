// ha.cf `watchdog /dev/watchdog`: the kernel reboots the node unless we keep
// writing to the device. As in Heartbeat, the device is tickled only while
// this node still hears its own heartbeat (a node that cannot hear itself is
// cut off or stuck, and must not keep resources); a clean stop writes the
// magic close character `V` first, so softdog stops instead of firing.
// Heartbeat writes one NUL byte per tickle; so do we.

import * as fs from 'node:fs';
import type { Logger } from '../log';

export interface WatchdogOptions {
  readonly device: string;
  /** How often to tickle (Heartbeat: every keepalive). */
  readonly intervalMs: number;
  /** Does this node still hear its own heartbeat? (the native engine's view) */
  readonly selfHeard: () => boolean;
  readonly logger: Logger;
}

const TICKLE = Buffer.from([0]);
const MAGIC_CLOSE = Buffer.from('V');

export class Watchdog {
  private fd: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private withheld = false;
  private failing = false;
  private count = 0;

  constructor(private readonly opts: WatchdogOptions) {}

  /** Opens the device (throws with the errno if it cannot) and tickles once at once, as Heartbeat does. */
  start(): void {
    if (this.fd !== null) return;
    // No O_CREAT/O_TRUNC: a missing device is an error, not a new file.
    this.fd = fs.openSync(this.opts.device, fs.constants.O_WRONLY);
    this.opts.logger.info({ device: this.opts.device }, `Using watchdog device: ${this.opts.device}`);
    this.tick();
    this.timer = setInterval(() => this.tick(), this.opts.intervalMs);
  }

  private write(data: Buffer): boolean {
    if (this.fd === null) return false;
    try {
      return fs.writeSync(this.fd, data) === data.length;
    } catch (e) {
      if (!this.failing) this.opts.logger.fatal({ device: this.opts.device, err: (e as Error).message }, `Watchdog write failure: ${this.opts.device}`);
      this.failing = true;
      return false;
    }
  }

  private tick(): void {
    const log = this.opts.logger;
    if (!this.opts.selfHeard()) {
      if (!this.withheld) log.error({ device: this.opts.device }, 'not hearing our own heartbeat: no longer tickling the watchdog');
      this.withheld = true;
      return;
    }
    if (this.withheld) log.warn({ device: this.opts.device }, 'hearing our own heartbeat again: tickling the watchdog');
    this.withheld = false;
    if (this.write(TICKLE)) {
      this.count++;
      this.failing = false;
    }
  }

  /** Tickles written so far. */
  get tickles(): number {
    return this.count;
  }

  /**
   * Stops tickling and closes the device. clean (default): magic close `V`
   * first, so the timer is disarmed; clean=false leaves it armed, so the
   * node reboots when it runs out (an escalation can use that).
   */
  stop(clean = true): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.fd === null) return;
    if (clean && !this.write(MAGIC_CLOSE)) this.opts.logger.fatal({ device: this.opts.device }, `Watchdog write magic character failure: closing ${this.opts.device}!`);
    fs.closeSync(this.fd);
    this.fd = null;
  }
}
