// Time for the director: wall-clock readings and one-shot timers, injected so
// tests can drive hours of checks in milliseconds.

export interface Clock {
  /** Wall-clock milliseconds (Date.now()). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A director's timers must not keep a process alive on their own; its owner decides.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
