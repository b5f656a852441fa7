// checktype ping (and connect on UDP, as ldirectord): one ICMP echo through
// an injected Pinger. The native ICMP pinger lives in the core; until it is
// loaded, NoIcmpPinger makes every ping check fail with a clear reason.

import { CheckFailure } from './attempt';
import { errorCode } from '../errors';
import type { ServiceCheck } from './service-check';
import type { Pinger } from './types';

/** Thrown by pingers that cannot ping at all (no ICMP socket, no privilege). */
export class PingUnavailableError extends Error {
  readonly code = 'ENOICMP';
  constructor(reason: string) {
    super(reason);
    this.name = 'PingUnavailableError';
  }
}

/** The fallback Pinger: says why no ping can be sent, every time. */
export class NoIcmpPinger implements Pinger {
  constructor(private readonly reason = 'no ICMP pinger available (native core not loaded)') {}

  ping(): Promise<boolean> {
    return Promise.reject(new PingUnavailableError(this.reason));
  }
}

export function pingCheck(pinger: Pinger): ServiceCheck {
  return async (attempt, _spec, target) => {
    attempt.phase = 'waiting for echo reply';
    let alive: boolean;
    try {
      alive = await attempt.race(pinger.ping(target.address, attempt.timeoutMs));
    } catch (e) {
      if (e instanceof CheckFailure) throw e;
      const text = e instanceof Error ? e.message : String(e);
      throw new CheckFailure(errorCode(e) === 'ENOICMP' ? `ping unavailable: ${text}` : `ping failed: ${text}`);
    }
    if (!alive) throw new CheckFailure(`no echo reply within ${attempt.timeoutMs} ms`);
    return 'echo reply';
  };
}
