// One video through a chain of stages: probe, decode to raw RGB, run the
// stages concurrently, encode to a part file in the job's work folder, then
// mux the source's audio, subtitles and chapters into the output under a
// temporary name and rename it into place. A failed or cancelled job removes
// its work folder and leaves nothing at the output path.
import { mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { Progress } from '../../common/progress.ts';
import { CODEC_SPECS, containerFromPath, type EncoderCatalog, type OutputPixelFormat, type SpeedPreset, type VideoCodec } from '../media/codecs.ts';
import { decodeFrames } from '../media/decoder.ts';
import { VideoEncoder } from '../media/encoder.ts';
import type { MediaInfo } from '../media/media-info.ts';
import { finalizeOutput } from '../media/muxer.ts';
import { removeQuietly } from '../media/output-path.ts';
import { multiply, toNumber } from '../../common/rational.ts';
import type { FrameStage, TimeStretch } from './frame-stage.ts';
import { ProgressMeter } from './progress-meter.ts';
import { ChainProgress, chainGeometry, chainStages } from './stage-chain.ts';

export interface VideoEncodeSettings {
  codec: VideoCodec;
  quality?: number;
  preset?: SpeedPreset;
  pixelFormat?: OutputPixelFormat;
  audio: 'copy' | 'drop';
  overwrite: boolean;
}

export interface VideoJobOptions {
  ffmpegPath: string;
  encoders: EncoderCatalog;
  source: MediaInfo;
  outputPath: string;
  stages: readonly FrameStage[];
  encode: VideoEncodeSettings;
  /** Parent folder for the job's work folder (part files). */
  workRoot: string;
  signal: AbortSignal;
  itemIndex?: number;
  itemCount?: number;
  onProgress?: (progress: Progress) => void;
  onNotice?: (message: string) => void;
}

export interface VideoJobResult {
  outputPath: string;
  framesWritten: number;
}

/** 10-bit sources stay 10-bit unless the user picks a pixel format. */
function defaultPixelFormat(codec: VideoCodec, sourceBitDepth: number): OutputPixelFormat | undefined {
  const spec = CODEC_SPECS[codec];
  if (sourceBitDepth > 8 && spec.defaultPixelFormat === 'yuv420p' && spec.pixelFormats.includes('yuv420p10le')) return 'yuv420p10le';
  return undefined;
}

function partFileName(codec: VideoCodec): string {
  const container = CODEC_SPECS[codec].partContainer;
  return container === 'image-sequence' ? 'part-0001' : `part-0001.${container}`;
}

/** The chain's combined slow motion, if any stage stretches time (audio dropped if any stage drops it). */
function timeStretchOf(stages: readonly FrameStage[]): TimeStretch | undefined {
  let result: TimeStretch | undefined;
  for (const stage of stages) {
    if (!stage.timeStretch) continue;
    result = result
      ? { factor: multiply(result.factor, stage.timeStretch.factor), audio: result.audio === 'drop' ? 'drop' : stage.timeStretch.audio }
      : stage.timeStretch;
  }
  return result;
}

export async function runVideoJob(options: VideoJobOptions): Promise<VideoJobResult> {
  const { source, stages, encode, signal } = options;
  const video = source.video;
  const bitDepth = video.bitDepth > 8 ? 16 : 8;
  const geometries = chainGeometry(
    { width: video.width, height: video.height, frameRate: video.frameRate, frameCount: video.frameCount },
    stages,
  );
  const output = geometries.at(-1) ?? { width: video.width, height: video.height, frameRate: video.frameRate, frameCount: video.frameCount };
  const stretch = timeStretchOf(stages);
  const meter = new ProgressMeter({
    itemIndex: options.itemIndex ?? 0,
    itemCount: options.itemCount ?? 1,
    framesTotal: output.frameCount,
    onProgress: options.onProgress ?? (() => undefined),
  });
  await mkdir(options.workRoot, { recursive: true });
  const workDir = await mkdtemp(path.join(options.workRoot, 'job-'));
  let encoder: VideoEncoder | undefined;
  try {
    encoder = await VideoEncoder.start({
      ffmpegPath: options.ffmpegPath,
      catalog: options.encoders,
      outputPath: path.join(workDir, partFileName(encode.codec)),
      width: output.width,
      height: output.height,
      bitDepth,
      frameRate: output.frameRate,
      codec: encode.codec,
      quality: encode.quality,
      preset: encode.preset,
      pixelFormat: encode.pixelFormat ?? defaultPixelFormat(encode.codec, video.bitDepth),
      colour: video.colour,
      signal,
    });
    const decoded = decodeFrames({ ffmpeg: options.ffmpegPath, info: source, bitDepth, signal });
    const shares = new ChainProgress(stages, geometries);
    for await (const frame of chainStages(decoded, stages, signal, (index) => shares.frame(index))) {
      await encoder.write(frame);
      meter.frames(1, shares.fraction);
    }
    const part = await encoder.finish();
    if (part.codedWidth !== output.width || part.codedHeight !== output.height) {
      options.onNotice?.(
        `The output is ${part.codedWidth}x${part.codedHeight}, not ${output.width}x${output.height}: ${part.pixelFormat} needs even sizes, so the last column or row is repeated. Choose the yuv444p pixel format or a lossless codec (ffv1, png) for the exact size.`,
      );
    }
    meter.stage('finalize');
    const finalized = await finalizeOutput({
      ffmpegPath: options.ffmpegPath,
      videoParts: [part.path],
      source,
      outputPath: options.outputPath,
      container: containerFromPath(options.outputPath),
      videoCodec: encode.codec,
      overwrite: encode.overwrite,
      audio: stretch?.audio === 'drop' ? 'drop' : encode.audio,
      timeStretch: stretch ? toNumber(stretch.factor) : undefined,
      signal,
    });
    for (const notice of finalized.notices) options.onNotice?.(notice.message);
    return { outputPath: finalized.outputPath, framesWritten: part.frameCount };
  } catch (error) {
    await encoder?.abort();
    throw error;
  } finally {
    await removeQuietly(workDir);
  }
}
