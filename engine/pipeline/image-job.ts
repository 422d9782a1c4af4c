// One still image through a chain of stages. The colour channels go through
// the models; an alpha channel is resized with a high-quality resampler and
// reattached, and the ICC profile and EXIF are written back.
import { BugError } from '../../common/errors.ts';
import type { Progress } from '../../common/progress.ts';
import type { RgbFrame } from '../media/frame.ts';
import { readImage, writeImage, type ImageFormat } from '../media/image-io.ts';
import { resizePlane } from '../media/resize.ts';
import type { FrameStage } from './frame-stage.ts';
import { ProgressMeter } from './progress-meter.ts';
import { chainStages } from './stage-chain.ts';

export interface ImageJobOptions {
  inputPath: string;
  outputPath: string;
  stages: readonly FrameStage[];
  format?: ImageFormat;
  overwrite: boolean;
  /** Refuse inputs above this many megapixels; default DEFAULT_MAX_MEGAPIXELS. */
  maxMegapixels?: number;
  signal: AbortSignal;
  itemIndex?: number;
  itemCount?: number;
  onProgress?: (progress: Progress) => void;
}

export interface ImageJobResult {
  outputPath: string;
  width: number;
  height: number;
}

async function* single(frame: RgbFrame): AsyncGenerator<RgbFrame> {
  yield frame;
}

export async function runImageJob(options: ImageJobOptions): Promise<ImageJobResult> {
  const meter = new ProgressMeter({
    itemIndex: options.itemIndex ?? 0,
    itemCount: options.itemCount ?? 1,
    framesTotal: 1,
    onProgress: options.onProgress ?? (() => undefined),
  });
  meter.stage('probe');
  const image = await readImage(options.inputPath, { signal: options.signal, maxMegapixels: options.maxMegapixels });
  let result: RgbFrame | undefined;
  for await (const frame of chainStages(single(image.frame), options.stages, options.signal)) result = frame;
  if (!result) throw new BugError(`the stages produced no frame for ${options.inputPath}`);
  meter.frames();
  const alpha = image.alpha
    ? (await resizePlane({ width: image.frame.width, height: image.frame.height, bitDepth: image.bitDepth, data: image.alpha }, result.width, result.height)).data
    : null;
  meter.stage('finalize');
  await writeImage(options.outputPath, result, alpha, image.metadata, {
    format: options.format,
    overwrite: options.overwrite,
    inputs: [options.inputPath],
    signal: options.signal,
  });
  return { outputPath: options.outputPath, width: result.width, height: result.height };
}
