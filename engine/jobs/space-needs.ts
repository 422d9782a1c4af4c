// What a job's pending items need on disk, from each item's chain plan: the
// encoded video in the work folder (segments), then the output beside its
// carried streams (audio and the rest, about the source's size unless
// dropped) under a temporary name before the rename. Stills need their
// output only; an input that cannot be read is left to fail as its own
// item. Sizes are the typical ones with the disk check's headroom.
import path from 'node:path';
import { isCancellation } from '../../common/errors.ts';
import type { Catalog } from '../models/catalog.ts';
import { typicalImageBytes } from '../media/output-size.ts';
import { planInput } from '../plan/plan-input.ts';
import { imageExtensionOf } from '../plan/plan-estimate.ts';
import type { PlannedItem } from './batch.ts';
import { DISK_HEADROOM, estimateOutputBytes } from './disk-space.ts';
import type { SpaceNeed } from '../storage/free-space.ts';

export interface SpaceNeedsOptions {
  catalog: Catalog;
  ffprobe: string;
  /** The job's work folder (segments of its video items). */
  workDir: string;
  signal?: AbortSignal;
}

export async function spaceNeedsOf(items: readonly PlannedItem[], options: SpaceNeedsOptions): Promise<SpaceNeed[]> {
  const needs: SpaceNeed[] = [];
  for (const item of items) {
    const outputDir = path.dirname(item.output);
    let planned: Awaited<ReturnType<typeof planInput>>;
    try {
      planned = await planInput(item.input, item.steps, options.catalog, { ffprobe: options.ffprobe, signal: options.signal });
    } catch (error) {
      // An input that cannot be read fails as its own item, with its own message.
      if (isCancellation(error)) throw error;
      continue;
    }
    const { plan, info } = planned;
    if (!info) {
      const bytes = typicalImageBytes(plan.output.width, plan.output.height, imageExtensionOf(item.output) ?? 'png');
      needs.push({ dir: outputDir, bytes: Math.ceil(bytes * DISK_HEADROOM) });
      continue;
    }
    const videoBytes = estimateOutputBytes({
      width: plan.output.width,
      height: plan.output.height,
      frameCount: plan.output.frameCount,
      codec: item.outputSettings.codec,
      bitDepth: info.video.bitDepth > 8 ? 16 : 8,
      carriedBytes: 0,
    });
    const carried = item.outputSettings.audio === 'drop' ? 0 : info.sizeBytes;
    needs.push({ dir: options.workDir, bytes: videoBytes });
    needs.push({ dir: outputDir, bytes: videoBytes + carried });
  }
  return needs;
}
