// What a batch will cost before it runs, from each item's chain plan: output
// frames, the typical encoded size (one table, media/output-size.ts), the
// working space (segments are encoded like the output and kept until the
// final mux), and model time from this machine's own measurements. A file of
// a batch that cannot be read is listed apart, not counted: the queue runs
// the others and marks it failed, so the estimate must not refuse the whole
// batch for it (only a batch with no readable file at all is refused).
import type { JobEstimate } from '../../common/api/api-types.ts';
import { isCancellation, serializeError } from '../../common/errors.ts';
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
  const unreadable: JobEstimate['unreadable'] = [];
  let firstFailure: unknown;
  for (const item of items) {
    let planned: Awaited<ReturnType<typeof planInput>>;
    try {
      planned = await planInput(item.input, item.steps, options.catalog, { ffprobe: options.ffprobe, signal: options.signal });
    } catch (error) {
      if (isCancellation(error)) throw error;
      firstFailure ??= error;
      unreadable.push({ input: item.input.path, error: serializeError(error) });
      continue;
    }
    const { plan, info } = planned;
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
  // Nothing would run: the first file's own error says why (and marks the inputs in the UI).
  if (items.length > 0 && unreadable.length === items.length) throw firstFailure;
  return { items: items.length, frames, outputBytes, workBytes, seconds: milliseconds === null ? null : Math.round(milliseconds / 100) / 10, unreadable };
}
