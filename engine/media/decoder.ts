// Decodes a probed video (or image) to packed RGB frames over ffmpeg's
// stdout: no image files on disk. The iterator pulls: while the consumer
// holds a frame the stdout stream is not read, the pipe fills and ffmpeg
// blocks, so memory stays at a frame plus the pipe buffers whatever the
// consumer's speed. Failures are decided from the exit status and the frame
// count, never from stderr text (which only travels as `detail`).
import { endianness } from 'node:os';
import {
  BugError,
  CancelledError,
  CorruptStreamError,
  InvalidArgumentError,
  UnsupportedPixelFormatError,
} from '../../common/errors.ts';
import { expectNonNegativeInteger } from '../../common/validation.ts';
import { formatRational, type Rational } from '../../common/rational.ts';
import { startProcess } from './ffmpeg-process.ts';
import { frameByteLength, type BitDepth, type RgbFrame } from './frame.ts';
import type { MediaInfo } from './media-info.ts';
import { canConvertPixelFormat } from './pixel-formats.ts';

export interface DecodeOptions {
  /** Path of the ffmpeg executable (see ffmpeg-locator.ts). */
  ffmpeg: string;
  info: MediaInfo;
  /** Default: 16 when the source has more than 8 bits per component, else 8. */
  bitDepth?: BitDepth;
  /** First frame to deliver (default 0); frame k equals frame k of a full decode. */
  startFrame?: number;
  /** One past the last frame to deliver (default: the end). */
  endFrame?: number;
  /** Output rate; default the source's. Given (or for a VFR source) frames are resampled to it at constant rate. */
  frameRate?: Rational;
  signal?: AbortSignal;
}

interface DecodePlan {
  args: string[];
  bitDepth: BitDepth;
  /** Frames the decode must deliver, when known. */
  expectedFrames: number | undefined;
  startFrame: number;
}

/** The ffmpeg command line for a decode (exported for tests and logs). */
export function planDecode(options: Omit<DecodeOptions, 'signal'>): DecodePlan {
  const { info } = options;
  const video = info.video;
  if (options.startFrame !== undefined) expectNonNegativeInteger('startFrame', options.startFrame);
  if (options.endFrame !== undefined) expectNonNegativeInteger('endFrame', options.endFrame);
  const startFrame = options.startFrame ?? 0;
  const resample = options.frameRate !== undefined || video.variableFrameRate;
  const rate = options.frameRate ?? video.frameRate;
  const totalFrames = options.frameRate === undefined ? video.frameCount : undefined;
  const endFrame = options.endFrame ?? totalFrames;
  if (endFrame !== undefined && endFrame < startFrame) {
    throw new InvalidArgumentError(`Expected endFrame (${endFrame}) to be at least startFrame (${startFrame})`);
  }
  const clampedEnd = endFrame !== undefined && totalFrames !== undefined ? Math.min(endFrame, totalFrames) : endFrame;
  const bitDepth: BitDepth = options.bitDepth ?? (video.bitDepth > 8 ? 16 : 8);

  const input: string[] = [];
  const filters: string[] = [];
  if (resample) {
    // Constant-rate output on the exact rational grid; the fps filter keeps
    // frame k at time k / rate, so a range is selected after it by index.
    filters.push(`fps=fps=${formatRational(rate)}`);
    if (startFrame > 0) filters.push(`select=gte(n\\,${startFrame})`);
  } else if (startFrame > 0 && !video.isImage) {
    // Accurate seek: decode from the keyframe before, drop everything before
    // half a frame ahead of the wanted frame's timestamp.
    const seconds = video.startTimeSeconds + ((startFrame - 0.5) * rate.den) / rate.num;
    input.push('-ss', seconds.toFixed(6));
  }
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    ...input,
    '-i', info.path,
    '-map', `0:${video.index}`,
    '-an', '-sn', '-dn',
    ...(filters.length > 0 ? ['-vf', filters.join(',')] : []),
    '-fps_mode', 'passthrough',
    '-sws_flags', 'bicubic+accurate_rnd+full_chroma_int',
    ...(clampedEnd !== undefined ? ['-frames:v', String(clampedEnd - startFrame)] : []),
    '-f', 'rawvideo',
    '-pix_fmt', bitDepth === 16 ? 'rgb48le' : 'rgb24',
    'pipe:1',
  ];
  return { args, bitDepth, expectedFrames: clampedEnd !== undefined ? clampedEnd - startFrame : undefined, startFrame };
}

function wrapFrame(buffer: Uint8Array, width: number, height: number, bitDepth: BitDepth, index: number): RgbFrame {
  const data = bitDepth === 16 ? new Uint16Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 2) : buffer;
  if (bitDepth === 16 && endianness() !== 'LE') {
    for (let i = 0; i < data.length; i += 1) {
      const sample = data[i] ?? 0;
      data[i] = ((sample & 0xff) << 8) | (sample >> 8);
    }
  }
  return { width, height, bitDepth, data, index };
}

/**
 * Decodes `info`'s video stream to RGB frames (rotation applied, so
 * width/height are MediaInfo's). Throws CancelledError when the signal fires,
 * CorruptStreamError when ffmpeg fails or delivers fewer frames than
 * expected, UnsupportedPixelFormatError when it cannot convert the source's
 * pixel format. Breaking out of the loop ends ffmpeg.
 */
export async function* decodeFrames(options: DecodeOptions): AsyncGenerator<RgbFrame, void, undefined> {
  const { info, signal, ffmpeg } = options;
  const plan = planDecode(options);
  const { width, height } = info.video;
  const frameBytes = frameByteLength(width, height, plan.bitDepth);
  if (signal?.aborted) throw new CancelledError();
  const proc = startProcess(ffmpeg, plan.args, { signal });
  const stdout = proc.child.stdout;
  if (!stdout) throw new BugError('ffmpeg was started without a stdout pipe');

  let delivered = 0;
  let pending: Uint8Array = new Uint8Array(frameBytes);
  let filled = 0;
  try {
    for await (const chunk of stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const take = Math.min(frameBytes - filled, chunk.length - offset);
        pending.set(chunk.subarray(offset, offset + take), filled);
        filled += take;
        offset += take;
        if (filled === frameBytes) {
          if (signal?.aborted) throw new CancelledError();
          const frame = wrapFrame(pending, width, height, plan.bitDepth, plan.startFrame + delivered);
          pending = new Uint8Array(frameBytes);
          filled = 0;
          delivered += 1;
          yield frame;
        }
      }
    }
    const exit = await proc.exited;
    if (signal?.aborted) throw new CancelledError();
    const short = plan.expectedFrames !== undefined && delivered < plan.expectedFrames;
    if (exit.code === 0 && !short && filled === 0) return;
    const detail = [
      `ffmpeg ${plan.args.join(' ')}`,
      `exit ${exit.code ?? exit.signal}; ${delivered} of ${plan.expectedFrames ?? '?'} frames; ${filled} stray bytes`,
      exit.stderrTail,
    ].join('\n');
    if (delivered === 0 && exit.code !== 0 && !(await canConvertPixelFormat(ffmpeg, info.video.pixelFormat, { signal }))) {
      throw new UnsupportedPixelFormatError(info.path, info.video.pixelFormat, { detail });
    }
    throw new CorruptStreamError(info.path, { detail });
  } catch (error) {
    if (signal?.aborted) throw new CancelledError({ cause: error });
    throw error;
  } finally {
    proc.kill();
    await proc.exited;
  }
}
