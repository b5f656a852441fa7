// The node's persistent identity: UUID and generation number, kept in the
// state directory in Heartbeat's own file formats (hb_uuid: 16 raw bytes;
// hb_generation: 15-character right-aligned decimal + '\n'), so a node that
// replaces a real Heartbeat node can carry its identity over. The generation
// must rise on every start: peers drop a lower one as a replay (wire §6.4).

import { randomBytes, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HbdError } from '../errors';

export const DEFAULT_STATE_DIR = '/var/lib/hbd';
export const HEARTBEAT_STATE_DIR = '/var/lib/heartbeat';
const UUID_FILE = 'hb_uuid';
const GENERATION_FILE = 'hb_generation';
const GENERATION_WIDTH = 15;

export interface NodeIdentity {
  readonly uuid: Buffer;
  readonly generation: number;
  /** Where the identity came from, for the start-up log line. */
  readonly notes: readonly string[];
}

export interface IdentityOptions {
  readonly stateDir: string;
  readonly nodeName: string;
  readonly generationMethod: 'file' | 'time';
  readonly uuidFrom: 'file' | 'nodename';
  /** A Heartbeat state dir to adopt uuid/generation from when ours has none. */
  readonly adoptFrom?: string | null;
  /** Injected clock (seconds) for tests. */
  readonly nowSeconds?: () => number;
}

export function ensureStateDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new HbdError('STATE_DIR', `state directory ${dir} is not usable: ${(e as Error).message}`, { cause: e });
  }
}

/** Write a small file durably: temp file, fsync, rename, fsync the directory. */
function writeDurably(file: string, data: Buffer | string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  const dirFd = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

function readUuidFile(file: string): Buffer | null {
  try {
    const data = fs.readFileSync(file);
    return data.length === 16 ? data : null;
  } catch {
    return null;
  }
}

/** Parses Heartbeat's generation file; null when absent or broken. */
export function parseGenerationFile(text: string): number | null {
  const m = /^\s*(\d+)/.exec(text);
  if (!m?.[1]) return null;
  const value = Number(m[1]);
  return Number.isSafeInteger(value) ? value : null;
}

export function formatGenerationFile(generation: number): string {
  return `${String(generation).padStart(GENERATION_WIDTH, ' ')}\n`;
}

function readGenerationFile(file: string): number | null {
  try {
    return parseGenerationFile(fs.readFileSync(file, 'latin1'));
  } catch {
    return null;
  }
}

/**
 * `uuidfrom nodename`: a UUID derived from the node name, stable across
 * re-installs (for read-only media). Heartbeat derives it from its C library's
 * rand(); hbd uses a name-based hash — only the stability matters to peers.
 */
function uuidFromName(nodeName: string): Buffer {
  return createHash('sha1').update(`hbd-node:${nodeName}`).digest().subarray(0, 16);
}

/** Load (or create) the UUID and take the next generation number. */
export function takeNodeIdentity(opts: IdentityOptions): NodeIdentity {
  const now = opts.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const notes: string[] = [];
  ensureStateDir(opts.stateDir);
  const uuidPath = path.join(opts.stateDir, UUID_FILE);
  const genPath = path.join(opts.stateDir, GENERATION_FILE);

  if (opts.adoptFrom && !fs.existsSync(uuidPath)) {
    const theirUuid = readUuidFile(path.join(opts.adoptFrom, UUID_FILE));
    if (theirUuid) {
      writeDurably(uuidPath, theirUuid, 0o644);
      notes.push(`adopted uuid from ${opts.adoptFrom}`);
      const theirGen = readGenerationFile(path.join(opts.adoptFrom, GENERATION_FILE));
      if (theirGen !== null && readGenerationFile(genPath) === null) {
        writeDurably(genPath, formatGenerationFile(theirGen), 0o644);
        notes.push(`adopted generation ${theirGen} from ${opts.adoptFrom}`);
      }
    }
  }

  let uuid: Buffer;
  if (opts.uuidFrom === 'nodename') {
    uuid = uuidFromName(opts.nodeName);
  } else {
    const existing = readUuidFile(uuidPath);
    if (existing) {
      uuid = existing;
    } else {
      uuid = randomBytes(16);
      writeDurably(uuidPath, uuid, 0o644);
      notes.push('generated a new uuid');
    }
  }

  let generation: number;
  if (opts.generationMethod === 'time') {
    generation = now();
  } else {
    const previous = readGenerationFile(genPath);
    if (previous === null) {
      // First start: time-based, as Heartbeat seeds it, so it exceeds anything
      // a previous installation of this node may have used.
      generation = now() + 1;
      notes.push(`no previous generation, starting at ${generation}`);
    } else {
      generation = previous + 1;
    }
    writeDurably(genPath, formatGenerationFile(generation), 0o644);
  }
  return { uuid, generation, notes };
}
