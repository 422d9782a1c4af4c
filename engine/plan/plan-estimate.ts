// What a batch will cost before it runs, from each item's chain plan: output
// frames, the typical encoded size (one table, media/output-size.ts), the
// working space (segments are encoded like the output and kept until the
// final mux), and model time from this machine's own measurements.
import type { JobEstimate } from '../../common/api/api-types.ts';
import type { OutputCodec, Step } from '../../common/job-spec.ts';
import { mediaKindOf } from '../../common/output-naming.ts';
import type { Catalog } from '../models/catalog.ts';
import { modelMilliseconds, typicalOutputBytes } from './chain-plan.ts';
import type { CostLedger } from './cost-ledger.ts';
import { planInput } from './plan-input.ts';

/** One planned item as the estimate needs it (a PlannedItem of jobs/batch.ts fits). */
export interface EstimateItem {
  input: { path: string; kind: string };
  output: string;
  steps: readonly Step[];
  outputSettings: { codec: OutputCodec };
}

export interface EstimateOptions {
  catalog: Catalog;
  ffprobe: string;
  ledger: CostLedger;
  signal?: AbortSignal;
}

/** The extension of an image output ("png"), or undefined for a video output. */
export function imageExtensionOf(output: string): string | undefined {
  return mediaKindOf(output) === 'image' ? output.split('.').pop()?.toLowerCase() ?? 'png' : undefined;
}

export async function estimateItems(items: readonly EstimateItem[], options: EstimateOptions): Promise<JobEstimate> {
  let frames = 0;
  let outputBytes = 0;
  let workBytes = 0;
  let milliseconds: number | null = 0;
  for (const item of items) {
    const { plan, info } = await planInput(item.input, item.steps, options.catalog, { ffprobe: options.ffprobe, signal: options.signal });
    frames += plan.output.frameCount;
    const bytes = typicalOutputBytes(plan, {
      codec: item.outputSettings.codec,
      imageExtension: imageExtensionOf(item.output),
      bitDepth: info && info.video.bitDepth > 8 ? 16 : 8,
    });
    outputBytes += bytes;
    if (!plan.source.isImage) workBytes = Math.max(workBytes, bytes);
    const itemMs = modelMilliseconds(plan, options.ledger.runCost);
    milliseconds = milliseconds === null || itemMs === null ? null : milliseconds + itemMs;
  }
  return { items: items.length, frames, outputBytes, workBytes, seconds: milliseconds === null ? null : Math.round(milliseconds / 100) / 10 };
}
