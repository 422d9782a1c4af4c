// The disk check before a job starts: an estimate of the output's size and
// of the working space (segments in the work folder, then the muxed output
// under a temporary name before the rename), compared with the free space of
// each filesystem involved. The size comes from the chain plan's output and
// the one bytes-per-pixel table (media/output-size.ts), times a headroom for
// content that encodes denser than typical, plus a 10% and 64 MB margin:
// failing early beats failing at 90%. The free-space reading is injectable
// so tests can simulate a small disk.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DiskFullError } from '../../common/errors.ts';
import type { OutputCodec } from '../../common/job-spec.ts';
import { typicalVideoBytes } from '../media/output-size.ts';

/** Detailed footage encodes up to about this much denser than the table's typical rate. */
export const DISK_HEADROOM = 1.5;
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

export interface OutputEstimate {
  width: number;
  height: number;
  frameCount: number;
  codec: OutputCodec;
  /** Bytes of audio and other carried streams (about the source's size for a copy; 0 for stills). */
  carriedBytes: number;
  bitDepth?: 8 | 16;
}

/** Bytes to reserve for an output: the typical size with headroom, plus the carried streams. */
export function estimateOutputBytes(estimate: OutputEstimate): number {
  return Math.ceil(typicalVideoBytes(estimate) * DISK_HEADROOM + estimate.carriedBytes);
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
export async function assertSpaceFor(needs: readonly SpaceNeed[], readFree: FreeSpaceReader = freeBytesOf): Promise<void> {
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
        detail: `This job needs about ${megabytes(wanted)} there (output and working files) but only ${megabytes(free)} is free. Free some space, or choose an output folder on another disk.`,
      });
    }
  }
}
