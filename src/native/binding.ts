// Typed view of the native addon (native/addon/addon.cc over the C core).
// Everything that talks to the kernel or sits on the hot path goes through
// this interface; tests of pure modules use the in-memory mock instead.

import * as path from 'node:path';
import { HbdError } from '../errors';

export interface NativeBinding {
  /** Version string of the C core. */
  readonly coreVersion: string;
  /** openlog(3); throws EINVAL for an unknown facility name. */
  syslogOpen(ident: string, facility: string): void;
  /** syslog(3) at the given priority (0..7). */
  syslogWrite(priority: number, message: string): void;
  // @@SECTION:ENGINE@@
  // @@SECTION:IPVS@@
}

// @@TYPES:ENGINE@@

// @@TYPES:IPVS@@

const ADDON_PATHS = [
  // dist/src/native/binding.js -> <root>/build/Release/hbd_native.node
  path.join(__dirname, '..', '..', '..', 'build', 'Release', 'hbd_native.node'),
  path.join(__dirname, '..', '..', '..', 'build', 'Debug', 'hbd_native.node'),
];

let cached: NativeBinding | null = null;

export function loadNative(): NativeBinding {
  if (cached) return cached;
  const errors: string[] = [];
  for (const p of ADDON_PATHS) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cached = require(p) as NativeBinding;
      return cached;
    } catch (e) {
      errors.push(`${p}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new HbdError(
    'NATIVE_UNAVAILABLE',
    `the native addon is not built (run \`npm run build\`); tried ${errors.join('; ')}`,
  );
}
