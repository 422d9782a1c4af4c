// One segment of a video's output, rendered on its own: output frames
// [startFrame, startFrame + frameCount) of the chain, exactly as an
// uninterrupted run makes them, encoded to one part file. The render farm's
// workers call this; the submitting machine joins the parts with the
// source's audio as a local job does (runVideoJob's finalize).
//
// Exactness comes from the same two facts crash resume relies on: in a
// chain of per-frame steps (upscale, stylize without stabilisation) output
// frame k is made from source frame k alone, so decoding source frames
// [start, end) is enough; a chain whose first step replays its state
// (interpolation, FrameStage.resumeAt) reads the source from
// `firstSourceFrame` (the chain plan's segmentDecodeStart: the frame under
// `start` less the step's context; 0 replays from the first frame) and
// yields only the frames from `start` on. Any other chain is rendered as one
// segment (the whole video), which is trivially exact. The part is written
// under a temporary name and renamed into place when complete, so a killed
// worker never leaves a part that looks finished.
import { BugError, CancelledError, CorruptStreamError } from '../../common/errors.ts';
import { decodeFrames } from '../media/decoder.ts';
import { VideoEncoder } from '../media/encoder.ts';
import type { EncoderCatalog } from '../media/codecs.ts';
import type { MediaInfo } from '../media/media-info.ts';
import type { FrameStage } from './frame-stage.ts';
import { chainGeometry, chainStages } from './stage-chain.ts';
import { defaultPixelFormat, type VideoEncodeSettings } from './video-job.ts';

export interface SegmentRange {
  startFrame: number;
  frameCount: number;
}

export interface VideoSegmentOptions {
  ffmpegPath: string;
  encoders: EncoderCatalog;
  source: MediaInfo;
  stages: readonly FrameStage[];
  encode: Pick<VideoEncodeSettings, 'codec' | 'quality' | 'preset' | 'pixelFormat'>;
  range: SegmentRange;
  /** How this chain may be cut (the chain plan's resume mode). */
  mode: SegmentMode;
  /** 'replay-first-step': the source frame the decode starts at (the chain plan's segmentDecodeStart); default 0. */
  firstSourceFrame?: number;
  /** The part file (or PNG folder) to write; replaced if it exists. */
  outputPath: string;
  signal: AbortSignal;
  /** Output frames of this segment written so far. */
  onFrames?: (done: number) => void;
}

/**
 * How a chain can be cut, from the chain plan's resume mode: by source range
 * ('exact'), by replay from frame 0 ('replay-first-step'), or not at all
 * ('restart': the whole video is one segment).
 */
export type SegmentMode = 'exact' | 'replay-first-step' | 'restart';

export async function renderVideoSegment(options: VideoSegmentOptions): Promise<{ path: string; frameCount: number }> {
  const { source, stages, range, signal } = options;
  const video = source.video;
  const geometries = chainGeometry({ width: video.width, height: video.height, frameRate: video.frameRate, frameCount: video.frameCount }, stages);
  const output = geometries.at(-1) ?? { width: video.width, height: video.height, frameRate: video.frameRate, frameCount: video.frameCount };
  const end = range.startFrame + range.frameCount;
  if (!Number.isInteger(range.startFrame) || range.startFrame < 0 || !Number.isInteger(range.frameCount) || range.frameCount < 1 || end > output.frameCount) {
    throw new BugError(`segment [${range.startFrame}, ${end}) lies outside the ${output.frameCount} output frames`);
  }
  const { mode } = options;
  if (mode === 'restart' && (range.startFrame !== 0 || end !== output.frameCount)) {
    throw new BugError('this chain carries state across frames and can only be rendered as one segment');
  }
  const firstSource = mode === 'replay-first-step' ? options.firstSourceFrame ?? 0 : 0;
  if (mode === 'replay-first-step' && range.startFrame > 0) stages[0]?.resumeAt?.(range.startFrame, firstSource);
  const decodeRange = mode === 'exact' ? { startFrame: range.startFrame || undefined, endFrame: end } : { startFrame: firstSource || undefined };
  const bitDepth = video.bitDepth > 8 ? 16 : 8;
  // The segment stops reading once it has its frames: a replaying stage would
  // otherwise decode and analyse the rest of the video for nothing.
  const local = new AbortController();
  const onOuterAbort = (): void => local.abort(signal.reason);
  signal.addEventListener('abort', onOuterAbort, { once: true });
  let encoder: VideoEncoder | undefined;
  let written = 0;
  try {
    encoder = await VideoEncoder.start({
      ffmpegPath: options.ffmpegPath,
      catalog: options.encoders,
      outputPath: options.outputPath,
      width: output.width,
      height: output.height,
      bitDepth,
      frameRate: output.frameRate,
      codec: options.encode.codec,
      quality: options.encode.quality,
      preset: options.encode.preset,
      pixelFormat: options.encode.pixelFormat ?? defaultPixelFormat(options.encode.codec, video.bitDepth),
      colour: video.colour,
      overwrite: true,
      signal,
    });
    const decoded = decodeFrames({ ffmpeg: options.ffmpegPath, capabilities: options.encoders.capabilities, info: source, bitDepth, signal: local.signal, ...decodeRange });
    try {
      for await (const frame of chainStages(decoded, stages, local.signal)) {
        await encoder.write(frame);
        written += 1;
        options.onFrames?.(written);
        if (written === range.frameCount) {
          local.abort();
          break;
        }
      }
    } catch (error) {
      // Our own stop after the last frame is not a failure; the caller's cancel is.
      if (!(written === range.frameCount && !signal.aborted && (error instanceof CancelledError || local.signal.aborted))) throw error;
    }
    if (signal.aborted) throw new CancelledError();
    if (written !== range.frameCount) {
      throw new CorruptStreamError(source.path, { detail: `segment [${range.startFrame}, ${end}) got ${written} frames` });
    }
    const part = await encoder.finish();
    encoder = undefined;
    return { path: part.path, frameCount: part.frameCount };
  } catch (error) {
    await encoder?.abort();
    throw error;
  } finally {
    signal.removeEventListener('abort', onOuterAbort);
  }
}
