// Encodes raw RGB frames, fed on ffmpeg's stdin, into one video-only segment
// file (or one folder of PNGs). A job encodes in segments that finalize later
// joins by stream copy, so a resume restarts at the last finished segment; a
// segment appears at its path only once ffmpeg has finished it (temporary
// name, then rename). The input rate is given exactly (-r num/den on the
// rawvideo input) and frames pass through unchanged in number: N in, N out.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CancelledError, FfmpegFailedError, InvalidArgumentError, OutputExistsError } from '../../common/errors.ts';
import { formatRational, isPositive, type Rational } from '../../common/rational.ts';
import { expectOneOf, expectPositiveInteger } from '../../common/validation.ts';
import {
  CODEC_SPECS,
  CONTAINER_FORMATS,
  EncoderCatalog,
  assertQuality,
  planColour,
  type ColourPlan,
  type OutputPixelFormat,
  type SelectedEncoder,
  type SpeedPreset,
  type VideoCodec,
} from './codecs.ts';
import { startProcess, type FfmpegProcess, type ProcessExit } from './ffmpeg-process.ts';
import { frameByteLength, type BitDepth, type RgbFrame } from './frame.ts';
import type { ColourInfo } from './media-info.ts';
import { commitTemporary, diskFullErrorFor, mapWriteError, removeQuietly, temporarySibling } from './output-path.ts';

/** File names inside a PNG-sequence folder, numbered from 1. */
export const IMAGE_SEQUENCE_PATTERN = 'frame-%08d.png';

export interface VideoEncoderOptions {
  ffmpegPath: string;
  /** Reuse one per ffmpeg path; a fresh one is made when absent. */
  catalog?: EncoderCatalog;
  /** The segment file to write (a folder for codec 'png'). */
  outputPath: string;
  width: number;
  height: number;
  /** Bit depth of the frames that will be written (rgb24 or rgb48le). */
  bitDepth: BitDepth;
  /** Exact output frame rate (e.g. 24000/1001). */
  frameRate: Rational;
  codec: VideoCodec;
  /** CRF-like quality, in the encoder's range; default per encoder. */
  quality?: number;
  preset?: SpeedPreset;
  pixelFormat?: OutputPixelFormat;
  /** Colour description of the source (MediaInfo.video.colour). */
  colour?: Partial<ColourInfo>;
  /** Replace an existing segment at outputPath (a stale one from an interrupted run). */
  overwrite?: boolean;
  signal?: AbortSignal;
}

export interface EncodeResult {
  path: string;
  frameCount: number;
  encoder: string;
  pixelFormat: string;
  /** Coded size: the frame size, rounded up to even where the chroma format requires it. */
  codedWidth: number;
  codedHeight: number;
  colour: ColourPlan;
}

function chromaSubsampling(pixelFormat: string): { x: boolean; y: boolean } {
  if (pixelFormat.startsWith('yuv420')) return { x: true, y: true };
  if (pixelFormat.startsWith('yuv422')) return { x: true, y: false };
  return { x: false, y: false };
}

/** Arguments for one encode, from the selected encoder and the options. Exposed for tests and logs. */
export function buildEncodeArguments(options: VideoEncoderOptions, selected: SelectedEncoder, target: string): { args: string[]; colour: ColourPlan; codedWidth: number; codedHeight: number } {
  const { width, height, bitDepth, frameRate } = options;
  const colour = planColour(selected.pixelFormat, options.colour, height);
  const sub = chromaSubsampling(selected.pixelFormat);
  const codedWidth = sub.x ? width + (width % 2) : width;
  const codedHeight = sub.y ? height + (height % 2) : height;
  // Odd sizes in 4:2:0/4:2:2 are padded by one line (encoders refuse them
  // otherwise), which repeats the last column/row so no black edge shows.
  // Done in planar RGB: fillborders misreads some subsampled high-depth formats.
  const extraX = codedWidth - width;
  const extraY = codedHeight - height;
  const pad = extraX > 0 || extraY > 0
    ? `format=${bitDepth === 16 ? 'gbrp16le' : 'gbrp'},pad=${codedWidth}:${codedHeight}:0:0,fillborders=right=${extraX}:bottom=${extraY}:mode=smear,`
    : '';
  const encoder = selected.encoder;
  const args = [
    '-hide_banner', '-loglevel', 'error', '-nostats',
    '-f', 'rawvideo', '-pix_fmt', bitDepth === 16 ? 'rgb48le' : 'rgb24', '-s', `${width}x${height}`, '-r', formatRational(frameRate),
    '-i', 'pipe:0',
    '-map', '0:v:0', '-an', '-sn', '-dn', '-map_metadata', '-1',
    '-vf', `${pad}${colour.filter}`,
    '-fps_mode', 'passthrough',
    '-c:v', encoder.name,
    ...encoder.speedArgs(options.preset ?? 'medium'),
    ...encoder.codecArgs(options.quality, selected.pixelFormat),
    '-pix_fmt', selected.pixelFormat,
    ...colour.tagArgs,
  ];
  const container = selected.spec.partContainer;
  if (container === 'image-sequence') {
    args.push('-f', 'image2', '-start_number', '1', path.join(target, IMAGE_SEQUENCE_PATTERN));
  } else {
    // mov writes colour tags (colr atom) only when asked. The movie timescale
    // must hold the segment's duration exactly: the concat demuxer offsets the
    // next segment by it (the default, 1/1000 s, would shift 24000/1001 frames).
    if (container === 'mov' || container === 'mp4') {
      args.push('-movflags', '+write_colr', '-movie_timescale', String(frameRate.num * Math.ceil(1000 / frameRate.num)));
    }
    args.push('-f', CONTAINER_FORMATS[container].muxer, '-y', target);
  }
  return { args, colour, codedWidth, codedHeight };
}

/**
 * One running ffmpeg encode. Use `VideoEncoder.start`, then `write` every
 * frame (awaiting each: it waits while the pipe is full), then `finish`; or
 * `abort` to stop and remove what was written. Frames are queued without a
 * copy: do not modify a frame's data after writing it.
 */
export class VideoEncoder {
  readonly options: VideoEncoderOptions;
  readonly selected: SelectedEncoder;
  private readonly process: FfmpegProcess;
  private readonly tempPath: string;
  private readonly plan: ReturnType<typeof buildEncodeArguments>;
  private readonly frameBytes: number;
  private framesWritten = 0;
  private state: 'open' | 'finishing' | 'done' | 'aborted' | 'failed' = 'open';
  private exit: ProcessExit | undefined;

  private constructor(options: VideoEncoderOptions, selected: SelectedEncoder, tempPath: string, plan: ReturnType<typeof buildEncodeArguments>, proc: FfmpegProcess) {
    this.options = options;
    this.selected = selected;
    this.tempPath = tempPath;
    this.plan = plan;
    this.process = proc;
    this.frameBytes = frameByteLength(options.width, options.height, options.bitDepth);
    // EPIPE and friends surface through the exit status; without a listener they would crash the process.
    proc.child.stdin?.on('error', () => undefined);
    void proc.exited.then((exit) => {
      this.exit = exit;
    });
  }

  /** Validates the options, picks the encoder, starts ffmpeg. */
  static async start(options: VideoEncoderOptions): Promise<VideoEncoder> {
    if (options.signal?.aborted) throw new CancelledError();
    expectPositiveInteger('width', options.width);
    expectPositiveInteger('height', options.height);
    expectOneOf('bitDepth', options.bitDepth, [8, 16]);
    if (!isPositive(options.frameRate)) {
      throw new InvalidArgumentError(`Expected a positive frame rate but received ${formatRational(options.frameRate)}.`);
    }
    if (!CODEC_SPECS[options.codec]) {
      throw new InvalidArgumentError(`Unknown codec "${String(options.codec)}". Should be one of: ${Object.keys(CODEC_SPECS).join(', ')}.`);
    }
    const catalog = options.catalog ?? new EncoderCatalog(options.ffmpegPath);
    const selected = await catalog.select(options, options.signal);
    assertQuality(selected.encoder, options.codec, options.quality);
    const outputPath = path.resolve(options.outputPath);
    if (!options.overwrite) {
      const existing = await fs.lstat(outputPath).catch(() => undefined);
      if (existing) throw new OutputExistsError(outputPath);
    }
    const tempPath = temporarySibling(outputPath);
    try {
      await fs.mkdir(path.dirname(outputPath), { recursive: true });
      if (selected.spec.partContainer === 'image-sequence') await fs.mkdir(tempPath);
    } catch (error) {
      throw mapWriteError(error, outputPath);
    }
    const plan = buildEncodeArguments(options, selected, tempPath);
    const proc = startProcess(options.ffmpegPath, plan.args, { signal: options.signal, stdin: 'pipe', stdout: 'ignore' });
    return new VideoEncoder({ ...options, outputPath }, selected, tempPath, plan, proc);
  }

  /** ffmpeg's process id (for logs). */
  get pid(): number | undefined {
    return this.process.child.pid;
  }

  get frameCount(): number {
    return this.framesWritten;
  }

  /** Queues one frame; resolves when the pipe can take more. */
  async write(frame: RgbFrame): Promise<void> {
    if (this.state !== 'open') throw new InvalidArgumentError(`Cannot write a frame: the encoder is ${this.state}.`);
    if (frame.width !== this.options.width || frame.height !== this.options.height || frame.bitDepth !== this.options.bitDepth) {
      throw new InvalidArgumentError(
        `Expected a ${this.options.width}x${this.options.height} ${this.options.bitDepth}-bit frame but received ${frame.width}x${frame.height} ${frame.bitDepth}-bit.`,
      );
    }
    const data = frame.data;
    if (data.byteLength !== this.frameBytes) {
      throw new InvalidArgumentError(`Expected ${this.frameBytes} bytes of frame data but received ${data.byteLength}.`);
    }
    if (this.options.signal?.aborted) return this.failWith(new CancelledError());
    if (this.exit) return this.failWith(await this.exitError(this.exit));
    const stdin = this.process.child.stdin!;
    const accepted = stdin.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.framesWritten += 1;
    if (accepted) return;
    const outcome = await Promise.race([
      new Promise<'drain'>((resolve) => stdin.once('drain', () => resolve('drain'))),
      this.process.exited.then(() => 'exit' as const),
    ]);
    if (outcome === 'exit' || this.options.signal?.aborted) {
      const exit = await this.process.exited;
      return this.failWith(this.options.signal?.aborted ? new CancelledError() : await this.exitError(exit));
    }
  }

  /** Ends the input, waits for ffmpeg, moves the segment into place. */
  async finish(): Promise<EncodeResult> {
    if (this.state !== 'open') throw new InvalidArgumentError(`Cannot finish: the encoder is ${this.state}.`);
    this.state = 'finishing';
    this.process.child.stdin?.end();
    const exit = await this.process.exited;
    if (this.options.signal?.aborted) return this.failWith(new CancelledError());
    if (exit.code !== 0) return this.failWith(await this.exitError(exit));
    if (this.framesWritten === 0) return this.failWith(new InvalidArgumentError('No frames were written to the encoder.'));
    try {
      await commitTemporary(this.tempPath, this.options.outputPath, this.options.overwrite ?? false);
    } catch (error) {
      return this.failWith(error);
    }
    this.state = 'done';
    return {
      path: this.options.outputPath,
      frameCount: this.framesWritten,
      encoder: this.selected.encoder.name,
      pixelFormat: this.selected.pixelFormat,
      codedWidth: this.plan.codedWidth,
      codedHeight: this.plan.codedHeight,
      colour: this.plan.colour,
    };
  }

  /** Stops ffmpeg and removes the partial segment. Idempotent; never throws. */
  async abort(): Promise<void> {
    if (this.state === 'done') return;
    if (this.state !== 'failed') this.state = 'aborted';
    this.process.kill();
    await this.process.exited;
    await removeQuietly(this.tempPath);
  }

  private async failWith(error: unknown): Promise<never> {
    this.state = 'failed';
    await this.abort();
    throw error;
  }

  private async exitError(exit: ProcessExit): Promise<Error> {
    const detail = `${this.options.ffmpegPath} ${this.plan.args.join(' ')}\nexit ${exit.code ?? exit.signal}\n${exit.stderrTail}`;
    const full = await diskFullErrorFor(path.dirname(this.options.outputPath), this.options.outputPath, detail);
    return full ?? new FfmpegFailedError(`encoding video with ${this.selected.encoder.name}`, { detail });
  }
}
