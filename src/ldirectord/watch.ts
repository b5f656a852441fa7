// autoreload and callback: notices that the configuration file changed on
// disk, as ldirectord's check_cfgfile does: the modification time (and size)
// says when to look, the content hash says whether it really changed (a
// `touch` is not a change). Polling, because editors replace files by rename,
// which inotify-style watches lose.

import * as fs from 'node:fs';
import type { Clock } from './clock';
import { contentHash } from './load';

export interface FileProbe {
  stamp(file: string): Promise<string | null>;
  read(file: string): Promise<string | null>;
}

export const systemFileProbe: FileProbe = {
  async stamp(file) {
    try {
      const st = await fs.promises.stat(file);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      return null;
    }
  },
  async read(file) {
    try {
      return await fs.promises.readFile(file, 'utf8');
    } catch {
      return null;
    }
  },
};

export class ConfigWatcher {
  private timer: unknown = null;
  private stamp: string | null = null;
  private polling = false;

  constructor(
    private readonly file: string,
    private knownHash: string | null,
    private readonly intervalMs: number,
    private readonly clock: Clock,
    private readonly probe: FileProbe,
    private readonly onChange: (hash: string) => void,
  ) {}

  /** The content the director now runs (after a reload it did itself). */
  setBaseline(hash: string | null): void {
    this.knownHash = hash;
  }

  async start(): Promise<void> {
    this.stamp = await this.probe.stamp(this.file);
    this.arm();
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => {
      void this.poll().finally(() => {
        if (this.timer !== null) this.arm();
      });
    }, this.intervalMs);
  }

  /** One look at the file; calls onChange when its content differs from the baseline. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const stamp = await this.probe.stamp(this.file);
      if (stamp === null || stamp === this.stamp) return;
      this.stamp = stamp;
      const text = await this.probe.read(this.file);
      if (text === null) return;
      const hash = contentHash(text);
      if (hash === this.knownHash) return;
      this.knownHash = hash;
      this.onChange(hash);
    } finally {
      this.polling = false;
    }
  }
}
