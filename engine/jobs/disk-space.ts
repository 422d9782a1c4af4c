// What a job's output takes on disk: the typical size from the chain plan's
// output and the one bytes-per-pixel table (media/output-size.ts), times a
// headroom for content that encodes denser than typical. The check itself
// (free space per filesystem, with a margin) is storage/free-space.ts.
import type { OutputCodec } from '../../common/job-spec.ts';
import { typicalVideoBytes } from '../media/output-size.ts';

/** Detailed footage encodes up to about this much denser than the table's typical rate. */
export const DISK_HEADROOM = 1.5;

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

