// Probes a media file with ffprobe into MediaInfo. Frame counts are exact:
// taken from the mp4/mov sample table, counted packet by packet where the
// container does not store them (Matroska/WebM, AVI...), and for a variable
// frame rate source the number of frames the decoder's constant-rate
// output will hold. Failures are decided from ffprobe's exit status and
// JSON, never from its stderr text (which only travels as `detail`).
import { stat } from 'node:fs/promises';
import {
  CancelledError,
  InputNotFoundError,
  InputNotMediaError,
  NoVideoStreamError,
} from '../../common/errors.ts';
import { parseRational, rational, toNumber, type Rational } from '../../common/rational.ts';
import { startProcess } from './ffmpeg-process.ts';
import type {
  AttachmentStreamInfo,
  AudioStreamInfo,
  ChapterInfo,
  ColourInfo,
  MediaInfo,
  SubtitleStreamInfo,
  VideoStreamInfo,
} from './media-info.ts';
import { pixelFormatFacts, type ProbedPixelFormat } from './pixel-formats.ts';

export interface ProbeOptions {
  /** Path of the ffprobe executable (see ffmpeg-locator.ts). */
  ffprobe: string;
  signal?: AbortSignal;
}

interface ProbedStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  bits_per_raw_sample?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  time_base?: string;
  start_time?: string;
  duration?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  field_order?: string;
  color_range?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
  channels?: number;
  sample_rate?: string;
  disposition?: Record<string, number>;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

interface ProbedChapter {
  start_time?: string;
  end_time?: string;
  tags?: Record<string, string>;
}

interface ProbedFormat {
  format_name?: string;
  duration?: string;
  size?: string;
  start_time?: string;
  tags?: Record<string, string>;
}

interface ProbeJson {
  streams?: ProbedStream[];
  format?: ProbedFormat;
  chapters?: ProbedChapter[];
  pixel_formats?: ProbedPixelFormat[];
}

/** Demuxers of single still images (the image2 family and its *_pipe readers). */
const IMAGE_FORMAT = /^(image2|[a-z0-9]+_pipe)$/;
/** Containers whose stored frame count is the sample table itself. */
const TRUSTED_COUNT_FORMAT = /(^|,)(mov|mp4)(,|$)/;
/** Two rates closer than this (relative) are the same rate written in different time bases. */
const RATE_TOLERANCE = 0.001;

function finiteNumber(text: string | undefined): number | undefined {
  if (text === undefined || text === 'N/A') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

function positiveRational(text: string | undefined): Rational | undefined {
  if (!text) return undefined;
  try {
    const value = parseRational(text);
    return value.num > 0 && value.den > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

function knownOrNull(value: string | undefined): string | null {
  return value === undefined || value === '' || value === 'unknown' || value === 'unspecified' ? null : value;
}

async function runFfprobe(ffprobe: string, args: string[], file: string, signal: AbortSignal | undefined): Promise<ProbeJson> {
  const proc = startProcess(ffprobe, ['-v', 'error', '-print_format', 'json', ...args, file], { signal });
  const chunks: Buffer[] = [];
  proc.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exit = await proc.exited;
  if (signal?.aborted) throw new CancelledError();
  const detail = `ffprobe exited with ${exit.code ?? exit.signal}\n${exit.stderrTail}`;
  if (exit.code !== 0) throw new InputNotMediaError(file, { detail });
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ProbeJson;
  } catch (error) {
    throw new InputNotMediaError(file, { detail, cause: error });
  }
}

/** Clockwise degrees a player turns the picture, from the display matrix or the legacy rotate tag. */
export function clockwiseRotation(stream: Pick<ProbedStream, 'side_data_list' | 'tags'>): 0 | 90 | 180 | 270 {
  const matrix = stream.side_data_list?.find((entry) => typeof entry.rotation === 'number');
  // The display matrix angle is counter-clockwise (ffmpeg's autorotate negates it);
  // the old `rotate` tag was already clockwise.
  const degrees = matrix?.rotation !== undefined ? -matrix.rotation : finiteNumber(stream.tags?.rotate) ?? 0;
  const quarter = ((Math.round(degrees / 90) % 4) + 4) % 4;
  return ([0, 90, 180, 270] as const)[quarter] ?? 0;
}

/** Variable frame rate: the average rate differs from the base rate (beyond time-base rounding). */
export function isVariableFrameRate(average: Rational | undefined, base: Rational | undefined, fieldOrder?: string): boolean {
  if (!average || !base) return false;
  const a = toNumber(average);
  const b = toNumber(base);
  if (Math.abs(a - b) <= RATE_TOLERANCE * b) return false;
  // Interlaced streams report the field rate as the base rate.
  const interlaced = fieldOrder !== undefined && fieldOrder !== 'progressive' && fieldOrder !== 'unknown';
  return !(interlaced && Math.abs(2 * a - b) <= RATE_TOLERANCE * b);
}

function pickVideoStream(streams: ProbedStream[]): ProbedStream | undefined {
  const videos = streams.filter((stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1);
  return videos.find((stream) => stream.disposition?.default === 1) ?? videos[0];
}

interface PacketTimeline {
  count: number;
  /** Presentation timestamps in time-base ticks, sorted. */
  pts: number[];
  /** Duration of the last frame in ticks, when the container stores it. */
  lastDuration: number | undefined;
}

/** Every packet's timestamp for one stream (a demux-only pass; csv keeps it small). */
async function readPacketTimeline(ffprobe: string, file: string, streamIndex: number, signal: AbortSignal | undefined): Promise<PacketTimeline> {
  const args = ['-v', 'error', '-select_streams', String(streamIndex), '-show_entries', 'packet=pts,duration', '-of', 'csv=p=0', file];
  const proc = startProcess(ffprobe, args, { signal });
  const chunks: Buffer[] = [];
  proc.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exit = await proc.exited;
  if (signal?.aborted) throw new CancelledError();
  if (exit.code !== 0) throw new InputNotMediaError(file, { detail: `ffprobe exited with ${exit.code ?? exit.signal}\n${exit.stderrTail}` });
  const rows = Buffer.concat(chunks).toString('utf8').split('\n').filter((line) => line.trim() !== '');
  const timed = rows
    .map((row) => row.split(','))
    .map(([pts, duration]) => ({ pts: finiteNumber(pts), duration: finiteNumber(duration) }))
    .filter((row): row is { pts: number; duration: number | undefined } => row.pts !== undefined)
    .sort((a, b) => a.pts - b.pts);
  return { count: rows.length, pts: timed.map((row) => row.pts), lastDuration: timed.at(-1)?.duration };
}

/**
 * True when the timestamps stray from the constant-rate grid by more than a
 * third of a frame (time-base rounding, e.g. 33/34 ms steps, stays within it).
 */
export function stampsAreVariable(pts: readonly number[], frameTicks: number): boolean {
  const first = pts[0];
  if (first === undefined || !(frameTicks > 0)) return false;
  return pts.some((value, i) => Math.abs(value - (first + i * frameTicks)) > Math.max(1, frameTicks / 3));
}

function colourOf(stream: ProbedStream): ColourInfo {
  const range = stream.color_range === 'tv' || stream.color_range === 'pc' ? stream.color_range : null;
  return {
    primaries: knownOrNull(stream.color_primaries),
    transfer: knownOrNull(stream.color_transfer),
    matrix: knownOrNull(stream.color_space),
    range,
  };
}

function language(stream: ProbedStream): string | null {
  return knownOrNull(stream.tags?.language ?? stream.tags?.LANGUAGE);
}

/**
 * Probes `file`. Throws InputNotFoundError when it does not exist,
 * InputNotMediaError when ffprobe cannot read it, NoVideoStreamError when
 * it holds no video or image, CancelledError when the signal fires.
 */
export async function probeMedia(file: string, options: ProbeOptions): Promise<MediaInfo> {
  const { ffprobe, signal } = options;
  const fileStat = await stat(file).catch((error: unknown) => {
    throw new InputNotFoundError(file, { cause: error });
  });
  if (!fileStat.isFile()) throw new InputNotMediaError(file, { detail: 'not a regular file' });
  if (signal?.aborted) throw new CancelledError();

  const json = await runFfprobe(ffprobe, ['-show_format', '-show_streams', '-show_chapters', '-show_pixel_formats'], file, signal);
  const streams = json.streams ?? [];
  const format = json.format ?? {};
  if (streams.length === 0) throw new InputNotMediaError(file, { detail: 'ffprobe found no streams' });
  const video = pickVideoStream(streams);
  if (!video) throw new NoVideoStreamError(file, { detail: `streams: ${streams.map((s) => s.codec_type ?? '?').join(', ')}` });

  const formatName = format.format_name ?? '';
  const isImage = IMAGE_FORMAT.test(formatName);
  const average = positiveRational(video.avg_frame_rate);
  const base = positiveRational(video.r_frame_rate);

  const timeBase = positiveRational(video.time_base) ?? rational(1, 1000);
  let frameRate = average ?? base ?? rational(25);
  let variableFrameRate = false;
  let frameCount = 1;
  const stored = TRUSTED_COUNT_FORMAT.test(formatName) ? finiteNumber(video.nb_frames) : undefined;
  if (isImage) {
    frameCount = 1;
  } else if (stored !== undefined && stored > 0) {
    // mp4/mov: the sample table gives the count, and ffprobe's average rate comes from it.
    frameCount = stored;
    variableFrameRate = isVariableFrameRate(average, base, video.field_order);
  } else {
    // Matroska & co. store neither a count nor a trustworthy average: read the timestamps.
    const timeline = await readPacketTimeline(ffprobe, file, video.index, signal);
    frameCount = timeline.count;
    const frameTicks = (timeBase.den * frameRate.den) / (timeBase.num * frameRate.num);
    variableFrameRate = stampsAreVariable(timeline.pts, frameTicks) || isVariableFrameRate(average, base, video.field_order);
    const first = timeline.pts[0];
    const last = timeline.pts.at(-1);
    if (variableFrameRate && first !== undefined && last !== undefined && last > first) {
      // Average rate over the span the constant-rate output covers, as an exact fraction.
      const spanTicks = last - first + (timeline.lastDuration ?? 0);
      frameRate = rational(timeline.pts.length * timeBase.den, spanTicks * timeBase.num);
      frameCount = timeline.pts.length;
    }
  }

  const pixelFormat = video.pix_fmt ?? 'unknown';
  const facts = pixelFormatFacts(json.pixel_formats ?? [], pixelFormat);
  const rawBits = finiteNumber(video.bits_per_raw_sample);
  const rotation = clockwiseRotation(video);
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  const quarterTurn = rotation === 90 || rotation === 270;

  const videoInfo: VideoStreamInfo = {
    index: video.index,
    codec: video.codec_name ?? 'unknown',
    codedWidth,
    codedHeight,
    width: quarterTurn ? codedHeight : codedWidth,
    height: quarterTurn ? codedWidth : codedHeight,
    pixelFormat,
    bitDepth: rawBits !== undefined && rawBits > 0 ? rawBits : facts?.bitDepth ?? 8,
    hasAlpha: facts?.hasAlpha ?? false,
    frameRate,
    variableFrameRate,
    frameCount,
    rotation,
    colour: colourOf(video),
    timeBase,
    startTimeSeconds: finiteNumber(video.start_time) ?? 0,
    isImage,
  };

  const audio: AudioStreamInfo[] = streams
    .filter((stream) => stream.codec_type === 'audio')
    .map((stream) => ({
      index: stream.index,
      codec: stream.codec_name ?? 'unknown',
      channels: stream.channels ?? 0,
      sampleRate: finiteNumber(stream.sample_rate) ?? 0,
      language: language(stream),
    }));
  const subtitles: SubtitleStreamInfo[] = streams
    .filter((stream) => stream.codec_type === 'subtitle')
    .map((stream) => ({ index: stream.index, codec: stream.codec_name ?? 'unknown', language: language(stream) }));
  const attachments: AttachmentStreamInfo[] = streams
    .filter((stream) => stream.codec_type === 'attachment')
    .map((stream) => ({ index: stream.index, codec: stream.codec_name ?? 'unknown', filename: stream.tags?.filename ?? null }));
  const chapters: ChapterInfo[] = (json.chapters ?? []).map((chapter) => ({
    startSeconds: finiteNumber(chapter.start_time) ?? 0,
    endSeconds: finiteNumber(chapter.end_time) ?? 0,
    title: chapter.tags?.title ?? null,
  }));

  return {
    path: file,
    formatName,
    durationSeconds: finiteNumber(format.duration) ?? finiteNumber(video.duration) ?? 0,
    sizeBytes: finiteNumber(format.size) ?? fileStat.size,
    video: videoInfo,
    audio,
    subtitles,
    attachments,
    chapters,
    tags: { ...(format.tags ?? {}) },
  };
}
