// Every implementation the failover bench knows.
import type { Adapter } from '../types';
import { hbdAdapter } from './hbd';
import { heartbeatAdapter } from './heartbeat';
import { keepalivedAdapter } from './keepalived';

export const ADAPTERS: readonly Adapter[] = [hbdAdapter, heartbeatAdapter, keepalivedAdapter];

export function adapterByName(name: string): Adapter {
  const a = ADAPTERS.find((x) => x.impl === name);
  if (!a) throw new Error(`unknown implementation ${name} (known: ${ADAPTERS.map((x) => x.impl).join(', ')})`);
  return a;
}
