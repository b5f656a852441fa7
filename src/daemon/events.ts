// The ordered event stream (`hbd status --follow`): every event gets a
// monotonically increasing sequence number and is delivered to subscribers in
// that order. A bounded history lets a new follower see what just happened.

export interface HbdEvent {
  readonly seq: number;
  /** Wall-clock time, ISO 8601. */
  readonly time: string;
  readonly type: string;
  readonly [field: string]: unknown;
}

export class EventStream {
  private nextSeq = 1;
  private readonly history: HbdEvent[] = [];
  private readonly subscribers = new Set<(e: HbdEvent) => void>();

  constructor(private readonly historySize = 200) {}

  emit(type: string, fields: Record<string, unknown> = {}): HbdEvent {
    const event: HbdEvent = { ...fields, seq: this.nextSeq++, time: new Date().toISOString(), type };
    this.history.push(event);
    if (this.history.length > this.historySize) this.history.shift();
    for (const s of this.subscribers) s(event);
    return event;
  }

  /** Replays the last `replay` events, then delivers new ones. */
  subscribe(fn: (e: HbdEvent) => void, replay = 0): () => void {
    if (replay > 0) for (const e of this.history.slice(-replay)) fn(e);
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }

  recent(n: number): readonly HbdEvent[] {
    return this.history.slice(-n);
  }
}
