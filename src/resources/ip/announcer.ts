// Gratuitous ARP / unsolicited NA for one address, paced here in rounds of
// one (each round = one request+reply pair, as send_arp sends) so that a stop
// silences it at once: after a handover the peer's announcements must be the
// last ones the LAN hears, and a send_arp still running for an address we
// just gave away would point clients back at us. (IPaddr/IPaddr2 kill their
// background send_arp on stop for the same reason.) Also the optional
// periodic re-announce while the address is held.

import type { Logger } from '../../log';
import type { GarpMode, NetOps } from '../../net/types';
import { errorText } from '../failure';

export interface AnnounceParams {
  /** Rounds (send_arp -r). */
  readonly count: number;
  /** Milliseconds between rounds (send_arp -i). */
  readonly intervalMs: number;
  readonly mode: GarpMode;
}

export interface RefreshParams {
  /** 0 = no periodic re-announce (Heartbeat v1 has none). */
  readonly intervalMs: number;
  /** Rounds per refresh. */
  readonly count: number;
}

export const NO_REFRESH: RefreshParams = { intervalMs: 0, count: 1 };

export class Announcer {
  private burst: NodeJS.Timeout | null = null;
  private refresh: NodeJS.Timeout | null = null;
  /** Rounds of the current burst not sent yet (0 = no burst in progress). */
  private pending = 0;
  private generation = 0;

  constructor(
    private readonly net: NetOps,
    private readonly ifname: string,
    private readonly address: string,
    private readonly who: string,
  ) {}

  private async round(mode: GarpMode, log: Logger): Promise<void> {
    try {
      await this.net.announce({ ifname: this.ifname, address: this.address, count: 1, intervalMs: 0, mode });
    } catch (e) {
      // IPaddr/IPaddr2 log a failed send_arp and carry on: the address is up.
      log.error({ resource: this.who, ifname: this.ifname }, `Could not announce ${this.address} on ${this.ifname}: ${errorText(e)}`);
    }
  }

  /** Sends the first round now (awaited), the others paced in the background. */
  async announce(p: AnnounceParams, log: Logger): Promise<void> {
    this.cancelBurst();
    if (p.count <= 0) return;
    // A new burst replaces one in flight (whose pending round sees a stale generation).
    const gen = ++this.generation;
    this.pending = p.count;
    log.info({ resource: this.who }, `announcing ${this.address} on ${this.ifname}: ${p.count} x ${p.intervalMs} ms (${p.mode})`);
    await this.next(gen, p, log);
  }

  private async next(gen: number, p: AnnounceParams, log: Logger): Promise<void> {
    if (gen !== this.generation || this.pending <= 0) return;
    await this.round(p.mode, log);
    if (gen !== this.generation) return;
    this.pending--;
    if (this.pending <= 0) return;
    this.burst = setTimeout(() => {
      this.burst = null;
      void this.next(gen, p, log);
    }, p.intervalMs);
    this.burst.unref();
  }

  startRefresh(r: RefreshParams, mode: GarpMode, intervalMs: number, log: Logger): void {
    this.stopRefresh();
    if (r.intervalMs <= 0 || r.count <= 0) return;
    this.refresh = setInterval(() => {
      // Never cut a burst short: a refresh only starts when none is going on.
      if (this.pending === 0) void this.announce({ count: r.count, intervalMs, mode }, log);
    }, r.intervalMs);
    this.refresh.unref();
  }

  get refreshing(): boolean {
    return this.refresh !== null;
  }

  private cancelBurst(): void {
    if (this.burst !== null) clearTimeout(this.burst);
    this.burst = null;
    this.pending = 0;
  }

  private stopRefresh(): void {
    if (this.refresh !== null) clearInterval(this.refresh);
    this.refresh = null;
  }

  /** Silences everything at once, including a round already scheduled. */
  cancel(): void {
    this.generation++;
    this.cancelBurst();
    this.stopRefresh();
  }
}
