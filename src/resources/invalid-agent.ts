// A haresources item whose arguments do not parse, or whose built-in needs a
// facility the daemon did not provide. The configuration loader rejects bad
// arguments first; this only keeps a broken item from taking the whole group
// layer down: it never starts, is never running, and its stop is a no-op.

import type { ResourceRef } from '../config/model';
import { type ResourceAgent, type ResourceContext, ResourceError, type ResourceErrorCode, type RscStatus } from './types';

export class InvalidAgent implements ResourceAgent {
  constructor(
    readonly ref: ResourceRef,
    readonly id: string,
    private readonly code: ResourceErrorCode,
    private readonly reason: string,
  ) {}

  async start(_ctx: ResourceContext): Promise<void> {
    throw new ResourceError(this.code, `${this.id} cannot be started: ${this.reason}`, this.id);
  }

  async stop(_ctx: ResourceContext): Promise<void> {}

  async status(_ctx: ResourceContext): Promise<RscStatus> {
    return 'stopped';
  }

  async nativeTakeover(): Promise<null> {
    return null;
  }
}
