// A check that cannot run here, reported as a failure with its reason.

import { CheckFailure } from './attempt';
import type { ServiceCheck } from './service-check';

export function unsupportedCheck(reason: string): ServiceCheck {
  return () => Promise.reject(new CheckFailure(reason));
}
