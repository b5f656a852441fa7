// One built-in director per ldirectord configuration file for the daemon's
// lifetime, so that start, status and stop of `ldirectord::NAME` (and a
// reloaded haresources naming the same file) all reach the same instance.
// The daemon supplies the factory (new Director({ config, backend, checks,
// logger ... }) from src/ldirectord); tests supply fakes.

/** What the resource layer needs of src/ldirectord's Director. */
export interface DirectorHandle {
  start(): Promise<void>;
  stop(): Promise<unknown>;
  status(): { readonly phase: string };
}

export type DirectorFactory = (configFile: string) => DirectorHandle;

export class DirectorPool {
  private readonly directors = new Map<string, DirectorHandle>();

  constructor(private readonly create: DirectorFactory) {}

  /** The director for an absolute configuration path, created on first use. */
  get(configFile: string): DirectorHandle {
    let d = this.directors.get(configFile);
    if (d === undefined) {
      d = this.create(configFile);
      this.directors.set(configFile, d);
    }
    return d;
  }

  /** Already created (status/stop must not create one just to ask). */
  peek(configFile: string): DirectorHandle | undefined {
    return this.directors.get(configFile);
  }

  /** Every director that is not stopped (for shutdown and `hbd status`). */
  active(): [string, DirectorHandle][] {
    return [...this.directors].filter(([, d]) => d.status().phase !== 'stopped');
  }
}
