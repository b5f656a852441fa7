// The 100 ms tick that drives the cluster state machines' deadlines, running
// only while one of them waits for a deadline: an idle daemon's event loop
// then sleeps instead of waking ten times a second (its main thread was a
// tenth of a director's CPU at a 10 ms keepalive).

export class Ticker {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly onTick: () => void,
  ) {}

  get running(): boolean {
    return this.timer !== null;
  }

  /** Runs the tick while `waiting` is true; call after every state change. */
  want(waiting: boolean): void {
    if (waiting && this.timer === null) {
      this.timer = setInterval(this.onTick, this.intervalMs);
      this.timer.unref();
    } else if (!waiting && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }

  stop(): void {
    this.want(false);
  }
}
