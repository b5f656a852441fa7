// Resources as the ownership layer sees them: one agent per haresources item,
// groups started left to right and stopped right to left. Scripts and the
// built-in resources (VIPs, SendArp, ldirectord, LVSSyncDaemonSwap) all
// implement ResourceAgent. The ownership state machine decides WHAT to
// start or stop; this layer does it and reports exactly what happened.

import type { ResourceGroup, ResourceRef } from '../config/model';
import type { Logger } from '../log';

export type RscStatus = 'running' | 'stopped';

export interface ResourceContext {
  readonly logger: Logger;
  /** HA_* environment for scripts (HA_CURHOST, HA_DIR, fields of the triggering message ...). */
  readonly env: Readonly<Record<string, string>>;
  /** Cancels long operations on shutdown. */
  readonly signal?: AbortSignal;
}

/** Why a resource operation failed; `code` is stable. */
export type ResourceErrorCode =
  | 'RSC_SCRIPT_NOT_FOUND'
  | 'RSC_START_FAILED'
  | 'RSC_STOP_FAILED'
  | 'RSC_TIMEOUT'
  | 'RSC_BAD_ARGUMENT'
  | 'RSC_NO_INTERFACE'
  | 'RSC_NETLINK';

export class ResourceError extends Error {
  constructor(
    readonly code: ResourceErrorCode,
    message: string,
    readonly resource: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ResourceError';
  }
}

/**
 * A step the native heartbeat thread can perform itself the instant it
 * declares a peer dead (no JS involved): add an address, announce it.
 */
export type NativeTakeoverStep =
  | {
      readonly kind: 'address';
      readonly ifname: string;
      readonly family: 'inet' | 'inet6';
      readonly address: string;
      readonly prefixLen: number;
      readonly broadcast?: string;
      readonly label?: string;
      readonly noDad?: boolean;
    }
  | {
      readonly kind: 'announce';
      readonly ifname: string;
      readonly address: string;
      readonly count: number;
      readonly intervalMs: number;
      readonly mode: 'request' | 'reply' | 'both';
    };

export interface ResourceAgent {
  readonly ref: ResourceRef;
  /** The name shown in logs and events, e.g. `IPaddr2::10.0.0.100/24/eth0`. */
  readonly id: string;
  start(ctx: ResourceContext): Promise<void>;
  stop(ctx: ResourceContext): Promise<void>;
  status(ctx: ResourceContext): Promise<RscStatus>;
  /**
   * What the native core must do to start this resource, when it can do it
   * alone (VIPs, SendArp; null otherwise). Computed ahead of time (interfaces
   * resolved) so the core never waits on anything at takeover time.
   */
  nativeTakeover(): Promise<readonly NativeTakeoverStep[] | null>;
  /** Called after the core performed nativeTakeover() steps, to finish (e.g. periodic re-announce). */
  adoptNativeStart?(ctx: ResourceContext): Promise<void>;
}

export interface GroupOutcome {
  readonly ok: boolean;
  readonly group: string;
  /** Resource ids in the order they were acted on, with their result. */
  readonly steps: readonly { readonly id: string; readonly action: 'start' | 'stop' | 'skip'; readonly ok: boolean; readonly message?: string }[];
  /** For a failed start: the resources were stopped again (right to left). For a failed stop: still running. */
  readonly error?: ResourceError;
}

export interface ResourceGroups {
  /** Starts a group left to right; on a failure stops what it started, right to left. */
  start(group: ResourceGroup, ctx: ResourceContext): Promise<GroupOutcome>;
  /** Stops a group right to left, retrying a failing stop as Heartbeat does. */
  stop(group: ResourceGroup, ctx: ResourceContext): Promise<GroupOutcome>;
  /** Running if every resource says so (Heartbeat's `status` judgement). */
  status(group: ResourceGroup, ctx: ResourceContext): Promise<RscStatus>;
  /** The agents of a group (for native arming). */
  agents(group: ResourceGroup): readonly ResourceAgent[];
}
