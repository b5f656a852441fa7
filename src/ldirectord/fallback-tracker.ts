// What changes in the desired table mean for the fallback: `fallback-on` /
// `fallback-off` when the sorry server comes and goes, and `fallbackcommand
// start|stop VIP:PORT PROTOCOL` when a service loses its last real server or
// gets its first one back (run once per change, as ldirectord's
// do_fallback_command; also once when a service first settles).

import { serverText } from './addresses';
import type { DesiredService } from './desired';
import type { DirectorEvent, DirectorLogger } from './events';
import type { VirtualService } from './model';

export interface FallbackActions {
  emit(e: DirectorEvent): void;
  runFallbackCommand(command: string, args: readonly string[]): void;
}

export class FallbackTracker {
  private last = new Map<string, DesiredService>();
  private readonly commandState = new Map<string, 'start' | 'stop'>();

  constructor(
    private readonly log: DirectorLogger,
    private readonly actions: FallbackActions,
  ) {}

  desiredFor(virtualId: string): DesiredService | undefined {
    return this.last.get(virtualId);
  }

  commandStateOf(virtualId: string): 'start' | 'stop' | null {
    return this.commandState.get(virtualId) ?? null;
  }

  /** Forget services that left the configuration. */
  retain(virtualIds: ReadonlySet<string>): void {
    for (const id of [...this.commandState.keys()]) if (!virtualIds.has(id)) this.commandState.delete(id);
  }

  /** Called with every desired table the director applied. */
  update(virtuals: readonly VirtualService[], desired: readonly DesiredService[]): void {
    const previous = this.last;
    this.last = new Map(desired.map((d) => [d.virtualId, d]));
    for (const v of virtuals) {
      const now = this.last.get(v.id);
      if (now === undefined) continue;
      const before = previous.get(v.id);
      if (v.fallback !== null && now.fallbackActive !== (before?.fallbackActive ?? false)) {
        const fallback = serverText(v.fallback);
        if (now.fallbackActive) {
          this.log.warn({ virtual: v.id }, `no real server of ${v.id} is up: fallback server ${fallback} added`);
          this.actions.emit({ type: 'fallback-on', virtual: v.id, fallback });
        } else {
          this.log.info({ virtual: v.id }, `a real server of ${v.id} is up: fallback server ${fallback} removed`);
          this.actions.emit({ type: 'fallback-off', virtual: v.id, fallback });
        }
      }
      if (v.fallbackCommand !== null && now.settled && v.check.type !== 'off') {
        const want = now.upCount === 0 ? 'start' : 'stop';
        if (this.commandState.get(v.id) !== want) {
          this.commandState.set(v.id, want);
          const where = v.address !== null ? serverText({ address: v.address, port: v.port }) : String(v.fwmark);
          this.actions.runFallbackCommand(v.fallbackCommand, [want, where, v.protocol]);
        }
      }
    }
  }
}
