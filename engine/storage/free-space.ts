// Free space on the filesystems a piece of work writes to, checked before it
// starts: each folder's need is summed per filesystem and compared with what
// an unprivileged user may still write there, with a 10% and 64 MB margin
// (failing early beats failing at 90%). Used by the job queue's disk check and
// the model store's downloads. The reading is injectable so tests can
// simulate a small disk.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DiskFullError } from '../../common/errors.ts';

const MARGIN_BYTES = 64 * 1024 * 1024;

export type FreeSpaceReader = (dir: string) => Promise<number>;

/** Free bytes for an unprivileged user on the filesystem holding `dir` (its nearest existing ancestor). */
export async function freeBytesOf(dir: string): Promise<number> {
  let current = path.resolve(dir);
  for (;;) {
    try {
      const stats = await fs.statfs(current);
      return stats.bavail * stats.bsize;
    } catch (error) {
      const parent = path.dirname(current);
      if (parent === current || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      current = parent;
    }
  }
}

export interface SpaceNeed {
  /** A folder on the filesystem that must hold `bytes`. */
  dir: string;
  bytes: number;
}

async function deviceOf(dir: string): Promise<string> {
  let current = path.resolve(dir);
  for (;;) {
    const stat = await fs.stat(current).catch(() => undefined);
    if (stat) return String(stat.dev);
    const parent = path.dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

function megabytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.ceil(bytes / 1024 ** 2)} MB`;
}

/**
 * Throws DiskFullError (before any work) when a filesystem lacks the summed
 * needs of the folders it holds, naming the folder, the need and what is free.
 */
export async function assertSpaceFor(
  needs: readonly SpaceNeed[],
  readFree: FreeSpaceReader = freeBytesOf,
  wording: { subject: string; contents: string; remedy: string } = { subject: 'This job', contents: 'output and working files', remedy: 'choose an output folder on another disk' },
): Promise<void> {
  const byDevice = new Map<string, { dir: string; bytes: number }>();
  for (const need of needs) {
    const device = await deviceOf(need.dir);
    const entry = byDevice.get(device);
    if (entry) entry.bytes += need.bytes;
    else byDevice.set(device, { dir: need.dir, bytes: need.bytes });
  }
  for (const { dir, bytes } of byDevice.values()) {
    const wanted = Math.ceil(bytes * 1.1) + MARGIN_BYTES;
    const free = await readFree(dir);
    if (free < wanted) {
      throw new DiskFullError(dir, {
        detail: `${wording.subject} needs about ${megabytes(wanted)} there (${wording.contents}) but only ${megabytes(free)} is free. Free some space, or ${wording.remedy}.`,
      });
    }
  }
}
