// Where the standalone director gets its IPVS backend: the native netlink
// backend (src/ipvs/native-backend.ts; the addon is loaded when it is
// opened, not imported), or with HBD_IPVS_BACKEND=memory the in-memory one
// (tests and dry runs on machines without IPVS).

import { HbdError } from '../errors';
import { MemoryIpvsBackend } from '../ipvs/memory-backend';
import { openNativeIpvs } from '../ipvs/native-backend';
import type { IpvsBackend } from '../ipvs/types';

export type BackendKind = 'native' | 'memory';

export function backendKindFromEnv(env: NodeJS.ProcessEnv = process.env): BackendKind {
  return env.HBD_IPVS_BACKEND === 'memory' ? 'memory' : 'native';
}

export async function openIpvsBackend(kind: BackendKind = backendKindFromEnv()): Promise<IpvsBackend> {
  if (kind === 'memory') return new MemoryIpvsBackend();
  try {
    return await openNativeIpvs();
  } catch (e) {
    if (e instanceof HbdError) throw e;
    const code = (e as { code?: unknown }).code;
    throw new HbdError('NATIVE_UNAVAILABLE', `cannot open IPVS${typeof code === 'string' ? ` (${code})` : ''}: ${(e as Error).message}`, { cause: e });
  }
}
