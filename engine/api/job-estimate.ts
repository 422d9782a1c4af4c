// What a job will cost before it runs: output size from the planned outputs'
// resolution, frame count and the codec's typical bits per pixel, working
// space from the encoded segments kept until the final mux, and time from
// this machine's own benchmark figures (models:bench, or jobs that ran),
// scaled by pixel count. With no figure for a model the time is null: an
// estimate from another machine would be a guess dressed as a measurement.
import sharp from 'sharp';
import type { JobEstimate } from '../../common/api/api-types.ts';
import type { OutputCodec, Step } from '../../common/job-spec.ts';
import { mediaKindOf } from '../../common/output-naming.ts';
import { toNumber, parseRational } from '../../common/rational.ts';
import type { Engine } from '../engine.ts';
import type { BatchPlan } from '../jobs/batch.ts';
import { probeMedia } from '../media/probe.ts';

/** Typical bits per output pixel per frame at the default quality. */
const BITS_PER_PIXEL: Record<OutputCodec, number> = {
  h264: 0.1,
  h265: 0.06,
  vp9: 0.07,
  av1: 0.05,
  prores: 1.8,
  ffv1: 10,
  png: 12,
};
const IMAGE_BITS_PER_PIXEL: Record<string, number> = { png: 12, jpeg: 2, jpg: 2, webp: 1.5, avif: 1, tif: 24, tiff: 24, bmp: 24 };

/** Per-model inference cost measured on this machine, in milliseconds per megapixel of input. */
export class CostLedger {
  private readonly msPerMegapixel = new Map<string, number>();

  record(modelId: string, width: number, height: number, meanMs: number): void {
    if (width > 0 && height > 0 && meanMs > 0) this.msPerMegapixel.set(modelId, meanMs / ((width * height) / 1e6));
  }

  millisecondsFor(modelId: string, width: number, height: number): number | undefined {
    const rate = this.msPerMegapixel.get(modelId);
    return rate === undefined ? undefined : rate * ((width * height) / 1e6);
  }
}

interface Geometry {
  width: number;
  height: number;
  frames: number;
  frameRate: number;
}

function stepModel(step: Step): string | undefined {
  if (step.kind === 'stylize') return step.model ?? (step.styleImage !== undefined ? 'microast' : step.style);
  return step.model;
}

export async function estimateJob(engine: Engine, plan: BatchPlan, ledger: CostLedger, signal?: AbortSignal): Promise<JobEstimate> {
  let frames = 0;
  let outputBytes = 0;
  let workBytes = 0;
  let seconds: number | null = 0;
  for (const item of plan.items) {
    const info = item.input.kind === 'video' ? await probeMedia(item.input.path, { ffprobe: engine.ffmpegTools().ffprobe.path, signal }) : undefined;
    let geometry: Geometry;
    if (info && !info.video.isImage) {
      geometry = { width: info.video.width, height: info.video.height, frames: info.video.frameCount, frameRate: toNumber(info.video.frameRate) };
    } else {
      const meta = await sharp(item.input.path).metadata();
      geometry = { width: meta.autoOrient?.width ?? meta.width ?? 0, height: meta.autoOrient?.height ?? meta.height ?? 0, frames: 1, frameRate: 0 };
    }
    for (const step of item.steps) {
      const model = stepModel(step);
      let runs = geometry.frames;
      const before = geometry;
      if (step.kind === 'upscale') {
        const scale = step.scale ?? engine.catalog.get(step.model).scale;
        const width = step.width ?? (step.height !== undefined ? Math.round((before.width * step.height) / before.height) : Math.round(before.width * scale));
        const height = step.height ?? (step.width !== undefined ? Math.round((before.height * step.width) / before.width) : Math.round(before.height * scale));
        geometry = { ...before, width, height };
      } else if (step.kind === 'interpolate') {
        const factor = step.multiply ?? step.slowmo ?? (step.fps !== undefined && before.frameRate > 0 ? toNumber(parseRational(step.fps)) / before.frameRate : 1);
        const outFrames = Math.round(before.frames * factor);
        runs = Math.max(0, outFrames - before.frames);
        geometry = { ...before, frames: outFrames, frameRate: step.slowmo !== undefined ? before.frameRate : before.frameRate * factor };
      }
      const perRun = model === undefined ? undefined : ledger.millisecondsFor(model, before.width, before.height);
      seconds = seconds === null || perRun === undefined ? null : seconds + (perRun * runs) / 1000;
    }
    frames += geometry.frames;
    const pixels = geometry.width * geometry.height * geometry.frames;
    const imageExt = mediaKindOf(item.output) === 'image' ? item.output.split('.').pop()?.toLowerCase() ?? 'png' : undefined;
    const bits = imageExt !== undefined ? IMAGE_BITS_PER_PIXEL[imageExt] ?? 12 : BITS_PER_PIXEL[item.outputSettings.codec];
    const bytes = Math.round((pixels * bits) / 8);
    outputBytes += bytes;
    // Segments are encoded like the output and kept until the mux copies them.
    workBytes = Math.max(workBytes, item.input.kind === 'video' ? bytes : 0);
  }
  return { items: plan.items.length, frames, outputBytes, workBytes, seconds: seconds === null ? null : Math.round(seconds * 10) / 10 };
}
