// The chain plan of one input file: probes a video (ffprobe) or reads a
// still image's header (sharp, upright as it will be read), then plans the
// chain on it. The estimate and the disk check both start here, so they see
// the same source the stages will see.
import type { Step } from '../../common/job-spec.ts';
import { rational } from '../../common/rational.ts';
import { readImageHeader } from '../media/image-io.ts';
import type { MediaInfo } from '../media/media-info.ts';
import { probeMedia } from '../media/probe.ts';
import type { Catalog } from '../models/catalog.ts';
import { planChain, type ChainPlan } from './chain-plan.ts';

export interface PlanInputOptions {
  ffprobe: string;
  signal?: AbortSignal;
}

export interface PlannedInput {
  plan: ChainPlan;
  /** The probe of a video input; undefined for a still image. */
  info: MediaInfo | undefined;
}

/** Plans `steps` on one input; `kind` is the planned item's ('image' for stills, else a video). */
export async function planInput(
  input: { path: string; kind: string },
  steps: readonly Step[],
  catalog: Catalog,
  options: PlanInputOptions,
): Promise<PlannedInput> {
  if (input.kind !== 'image') {
    const info = await probeMedia(input.path, { ffprobe: options.ffprobe, signal: options.signal });
    if (!info.video.isImage) {
      const { width, height, frameRate, frameCount } = info.video;
      return { plan: planChain(steps, { width, height, frameRate, frameCount, isImage: false }, catalog), info };
    }
  }
  const meta = await readImageHeader(input.path);
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  return { plan: planChain(steps, { width, height, frameRate: rational(0), frameCount: 1, isImage: true }, catalog), info: undefined };
}
