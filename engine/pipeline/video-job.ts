// One video through a chain of stages: probe, decode to raw RGB, run the
// stages concurrently, encode to part files in the job's work folder, then
// mux the source's audio, subtitles and chapters into the output under a
// temporary name and rename it into place.
//
// Without a workDir the item uses a fresh temporary folder, one part, and
// removes it whatever happens (a failed or cancelled job leaves nothing).
// With a workDir (the job queue's, in the user's data folder) the output is
// encoded in segments of `segmentFrames` frames listed in a manifest as each
// one is finished and fsynced (segment-manifest.ts); a run that finds
// segments resumes at the first frame after them. That is exact for chains
// where output frame k comes from source frame k alone (`resumable`:
// upscale, stylize without temporal stabilisation): decoding from
// startFrame gives frame k of a full decode. A resumable chain may also
// start with a stage that carries state but can replay it (FrameStage
// resumeAt: interpolation): it is fed from the first frame and yields only
// frames k and later, so the stages after it never see the skipped frames.
// Other chains (stabilised stylize, interpolation after another step) start
// over with a notice. The caller removes a workDir once the job is done or
// cancelled.
import { mkdir, mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { CorruptStreamError } from '../../common/errors.ts';
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
import type { RgbFrame } from '../media/frame.ts';
import { fingerprintOf, framesInManifest, openManifest, recordSegment, syncSegment, type SegmentManifest } from './segment-manifest.ts';

export interface VideoEncodeSettings {
  codec: VideoCodec;
  quality?: number;
  preset?: SpeedPreset;
  pixelFormat?: OutputPixelFormat;
  /** 'transcode' re-encodes the source's audio to the container's usual codec (see finalizeOutput). */
  audio: 'copy' | 'transcode' | 'drop';
  subtitles?: 'copy' | 'drop';
  overwrite: boolean;
}

/** What the caller of one item (the engine, the job queue) hooks into. */
export interface ItemHooks {
  itemIndex?: number;
  itemCount?: number;
  onProgress?: (progress: Progress) => void;
  onNotice?: (message: string) => void;
  /** Persistent work folder of this item: segments and their manifest (see the header). */
  workDir?: string;
  /** Frames per segment with a workDir; default about 4 seconds of output. */
  segmentFrames?: number;
  /** Awaited before each frame is encoded (pause between frames). */
  pause?: { wait(signal: AbortSignal): Promise<void> };
  /** Offered a source frame and the output frame made from it; the callee throttles and must not modify them. */
  onPreview?: (before: RgbFrame, after: RgbFrame) => void;
  /** Wants a preview now (checked once per decoded frame). */
  previewDue?: () => boolean;
}

export interface VideoJobOptions extends ItemHooks {
  ffmpegPath: string;
  encoders: EncoderCatalog;
  source: MediaInfo;
  outputPath: string;
  stages: readonly FrameStage[];
  encode: VideoEncodeSettings;
  /** Parent folder for the job's work folder (part files). */
  workRoot: string;
  signal: AbortSignal;
  /**
   * The chain may resume mid-stream: output frame k depends on source frame
   * k only, or only the first stage carries state and replays it (resumeAt).
   */
  resumable?: boolean;
}

export interface VideoJobResult {
  outputPath: string;
  framesWritten: number;
}

/** 10-bit sources stay 10-bit unless the user picks a pixel format. */
export function defaultPixelFormat(codec: VideoCodec, sourceBitDepth: number): OutputPixelFormat | undefined {
  const spec = CODEC_SPECS[codec];
  if (sourceBitDepth > 8 && spec.defaultPixelFormat === 'yuv420p' && spec.pixelFormats.includes('yuv420p10le')) return 'yuv420p10le';
  return undefined;
}

export function partFileName(codec: VideoCodec, index = 1): string {
  const container = CODEC_SPECS[codec].partContainer;
  const stem = `part-${String(index).padStart(4, '0')}`;
  return container === 'image-sequence' ? stem : `${stem}.${container}`;
}

/** The chain's combined slow motion, if any stage stretches time (audio dropped if any stage drops it). */
export function timeStretchOf(stages: readonly FrameStage[]): TimeStretch | undefined {
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
  const persistent = options.workDir !== undefined;
  let workDir: string;
  if (options.workDir !== undefined) {
    workDir = options.workDir;
  } else {
    await mkdir(options.workRoot, { recursive: true });
    workDir = await mkdtemp(path.join(options.workRoot, 'job-'));
  }
  const pixelFormat = encode.pixelFormat ?? defaultPixelFormat(encode.codec, video.bitDepth);
  const segmentFrames = persistent
    ? Math.max(1, Math.floor(options.segmentFrames ?? Math.ceil(4 * toNumber(output.frameRate))))
    : Number.POSITIVE_INFINITY;
  const [replaying, ...following] = stages;
  const replayStage = replaying?.resumeAt && !following.some((stage) => stage.resumeAt) ? replaying : undefined;
  const resumable = (options.resumable ?? false) && !following.some((stage) => stage.resumeAt);
  let encoder: VideoEncoder | undefined;
  try {
    let manifest: SegmentManifest | undefined;
    let startFrame = 0;
    let decodeFrom = 0;
    if (persistent) {
      const fingerprint = fingerprintOf({
        source: { path: source.path, size: source.sizeBytes, frames: video.frameCount, width: video.width, height: video.height },
        output: { width: output.width, height: output.height, frames: output.frameCount, rate: output.frameRate },
        encode: { codec: encode.codec, quality: encode.quality ?? null, preset: encode.preset ?? null, pixelFormat: pixelFormat ?? null, bitDepth },
        stages: stages.map((stage) => stage.name),
        segmentFrames,
      });
      manifest = await openManifest(workDir, fingerprint, segmentFrames);
      const done = framesInManifest(manifest);
      if (done > 0 && !resumable) {
        options.onNotice?.(`This chain carries state from frame to frame (temporal stabilisation, or interpolation after another step), so it cannot resume mid-video: starting again from the first frame (${done} frames done before are redone).`);
        manifest = await openManifest(workDir, fingerprint, segmentFrames, { reset: true });
      } else if (done > 0) {
        startFrame = done;
        options.onNotice?.(`Resuming after ${done} of ${output.frameCount} frames (${manifest.segments.length} finished segments).`);
        if (replayStage && done < output.frameCount) {
          replayStage.resumeAt?.(done);
          options.onNotice?.(`The first step (${replayStage.name}) reads the video from its first frame again to replay its per-frame analysis; its model runs only for frames ${done} and later.`);
        } else {
          decodeFrom = done;
        }
        meter.frames(done);
      }
    }
    const parts: string[] = manifest ? manifest.segments.map((segment) => path.join(workDir, segment.file)) : [];
    let segmentIndex = parts.length + 1;
    let segmentStart = startFrame;
    let inSegment = 0;
    let framesWritten = startFrame;
    let codedSize: { width: number; height: number } | undefined;
    const openSegment = async (): Promise<VideoEncoder> =>
      VideoEncoder.start({
        ffmpegPath: options.ffmpegPath,
        catalog: options.encoders,
        outputPath: path.join(workDir, partFileName(encode.codec, segmentIndex)),
        width: output.width,
        height: output.height,
        bitDepth,
        frameRate: output.frameRate,
        codec: encode.codec,
        quality: encode.quality,
        preset: encode.preset,
        pixelFormat,
        colour: video.colour,
        overwrite: true,
        signal,
      });
    const closeSegment = async (): Promise<void> => {
      if (!encoder) return;
      const part = await encoder.finish();
      encoder = undefined;
      codedSize = { width: part.codedWidth, height: part.codedHeight };
      parts.push(part.path);
      if (manifest) {
        await syncSegment(part.path);
        manifest = await recordSegment(workDir, manifest, { file: path.basename(part.path), startFrame: segmentStart, frameCount: part.frameCount });
      }
      segmentIndex += 1;
      segmentStart += part.frameCount;
      inSegment = 0;
    };
    if (startFrame < output.frameCount || !persistent) {
      let previewSource: RgbFrame | undefined;
      const decoded = decodeFrames({ ffmpeg: options.ffmpegPath, info: source, bitDepth, signal, startFrame: decodeFrom > 0 ? decodeFrom : undefined });
      const tapped = options.onPreview ? tapForPreview(decoded, (frame) => {
        if (!previewSource && options.previewDue?.() !== false) previewSource = frame;
      }) : decoded;
      const shares = new ChainProgress(stages, geometries);
      const sourceOf = (outputIndex: number): number => Math.floor((outputIndex * video.frameCount) / Math.max(1, output.frameCount));
      for await (const frame of chainStages(tapped, stages, signal, (index) => shares.frame(index))) {
        await options.pause?.wait(signal);
        encoder ??= await openSegment();
        await encoder.write(frame);
        inSegment += 1;
        framesWritten += 1;
        meter.frames(1, shares.fraction);
        if (previewSource && sourceOf(frame.index) >= previewSource.index) {
          options.onPreview?.(previewSource, frame);
          previewSource = undefined;
        }
        if (inSegment >= segmentFrames) await closeSegment();
      }
      await closeSegment();
    }
    if (parts.length === 0) throw new CorruptStreamError(source.path, { detail: 'the chain produced no frames' });
    if (codedSize && (codedSize.width !== output.width || codedSize.height !== output.height)) {
      options.onNotice?.(
        `The output is ${codedSize.width}x${codedSize.height}, not ${output.width}x${output.height}: ${pixelFormat ?? 'the pixel format'} needs even sizes, so the last column or row is repeated. Choose the yuv444p pixel format or a lossless codec (ffv1, png) for the exact size.`,
      );
    }
    meter.stage('finalize');
    const finalized = await finalizeOutput({
      ffmpegPath: options.ffmpegPath,
      videoParts: parts,
      source,
      outputPath: options.outputPath,
      container: containerFromPath(options.outputPath),
      videoCodec: encode.codec,
      overwrite: encode.overwrite,
      audio: stretch?.audio === 'drop' ? 'drop' : encode.audio,
      subtitles: encode.subtitles,
      timeStretch: stretch ? toNumber(stretch.factor) : undefined,
      signal,
    });
    for (const notice of finalized.notices) options.onNotice?.(notice.message);
    if (persistent) await removeQuietly(workDir);
    return { outputPath: finalized.outputPath, framesWritten };
  } catch (error) {
    await encoder?.abort();
    throw error;
  } finally {
    if (!persistent) await removeQuietly(workDir);
  }
}

async function* tapForPreview(frames: AsyncIterable<RgbFrame>, onFrame: (frame: RgbFrame) => void): AsyncGenerator<RgbFrame> {
  for await (const frame of frames) {
    onFrame(frame);
    yield frame;
  }
}
