// `ldirectord[::NAME]` in haresources: the built-in director for that
// configuration instead of forking /usr/sbin/ldirectord. The name is looked
// up as ldirectord does (haDir/NAME, haDir/conf/NAME, NAME if absolute).
// status = the director is running (or reloading); stop removes the
// services it manages (cleanstop), as `ldirectord stop` does.

import type { ResourceRef } from '../config/model';
import { ldirectordConfigCandidates, resolveLdirectordConfig } from '../config/resources';
import type { DirectorPool } from './director-pool';
import { errorText } from './failure';
import { type ResourceAgent, type ResourceContext, ResourceError, type RscStatus } from './types';

const RUNNING_PHASES = new Set(['running', 'reloading']);

export interface LdirectordAgentOptions {
  /** The configuration name as written (default ldirectord.cf). */
  readonly name: string;
  readonly haDir: string;
  readonly directors: DirectorPool;
}

export class LdirectordAgent implements ResourceAgent {
  /** The file started last: stop and status still find its director if the file is renamed meanwhile. */
  private startedFile: string | null = null;

  constructor(
    readonly ref: ResourceRef,
    readonly id: string,
    private readonly opts: LdirectordAgentOptions,
  ) {}

  private configFile(): string | null {
    return this.startedFile ?? resolveLdirectordConfig(this.opts.name, this.opts.haDir);
  }

  async start(ctx: ResourceContext): Promise<void> {
    const file = resolveLdirectordConfig(this.opts.name, this.opts.haDir);
    if (file === null) {
      const looked = ldirectordConfigCandidates(this.opts.name, this.opts.haDir).join(', ');
      throw new ResourceError('RSC_BAD_ARGUMENT', `ldirectord configuration ${this.opts.name} not found (looked for ${looked})`, this.id);
    }
    this.startedFile = file;
    const director = this.opts.directors.get(file);
    if (RUNNING_PHASES.has(director.status().phase)) return;
    try {
      await director.start();
    } catch (e) {
      throw new ResourceError('RSC_START_FAILED', `ldirectord for ${file} did not start: ${errorText(e)}`, this.id, { cause: e });
    }
    ctx.logger.info({ resource: this.id }, `ldirectord for ${file} is running`);
  }

  async stop(ctx: ResourceContext): Promise<void> {
    const file = this.configFile();
    const director = file === null ? undefined : this.opts.directors.peek(file);
    if (director === undefined) return;
    try {
      await director.stop();
    } catch (e) {
      throw new ResourceError('RSC_STOP_FAILED', `ldirectord for ${file} did not stop: ${errorText(e)}`, this.id, { cause: e });
    }
    this.startedFile = null;
    ctx.logger.info({ resource: this.id }, `ldirectord for ${file} stopped`);
  }

  async status(_ctx: ResourceContext): Promise<RscStatus> {
    const file = this.configFile();
    const director = file === null ? undefined : this.opts.directors.peek(file);
    return director !== undefined && RUNNING_PHASES.has(director.status().phase) ? 'running' : 'stopped';
  }

  async nativeTakeover(): Promise<null> {
    return null;
  }
}
