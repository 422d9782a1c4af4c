// Finalize: join the encoded video segments (concat demuxer, stream copy) and
// carry audio, subtitles, attachments, chapters and global metadata over from
// the source by stream copy. A stream the output container cannot hold is
// transcoded (or dropped when nothing fits) and reported as a notice, so the
// CLI and UI can say so; audio policy 'transcode' re-encodes every audio
// stream on purpose (aac in mp4/mov, opus in webm, flac in mkv). The result is written under a temporary name in the
// output folder and renamed into place only on success.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CancelledError, FfmpegFailedError, InvalidArgumentError, isCancellation } from '../../common/errors.ts';
import type { Rational } from '../../common/rational.ts';
import { CONTAINER_FORMATS, containerFromPath, type OutputContainer, type VideoCodec } from './codecs.ts';
import { IMAGE_SEQUENCE_PATTERN } from './encoder.ts';
import { FfmpegCapabilities } from './ffmpeg-capabilities.ts';
import { runToCompletion } from './ffmpeg-process.ts';
import type { MediaInfo } from './media-info.ts';
import {
  assertOutputAllowed,
  commitTemporary,
  diskFullErrorFor,
  mapWriteError,
  removeQuietly,
  temporarySibling,
} from './output-path.ts';

export type StreamPolicy = 'copy' | 'drop';
/** Audio may also be re-encoded on purpose: aac (mp4, mov), opus (webm) or flac (mkv). */
export type AudioPolicy = StreamPolicy | 'transcode';

export interface FinalizeOptions {
  ffmpegPath: string;
  /** What that ffmpeg can do (the engine's, cached per binary); asked for this run when absent. */
  capabilities?: FfmpegCapabilities;
  /** Segment files (folders for PNG sequences) in playing order. */
  videoParts: readonly string[];
  /**
   * Frames in each part and their rate: the join then states each part's
   * exact duration, so the next part starts on the frame grid even where the
   * parts' own container duration is rounded (ffmpeg before 4.3 writes mp4
   * parts with a 1/1000 s movie duration).
   */
  partTiming?: { frameCounts: readonly number[]; frameRate: Rational };
  /** The probed source whose audio, subtitles, attachments, chapters and tags are carried; omit for video only. */
  source?: MediaInfo;
  outputPath: string;
  /** Default: from the output path's extension (no extension: PNG sequence folder). */
  container?: OutputContainer;
  /** The video codec of the parts (h265 gets the hvc1 tag in mp4/mov). */
  videoCodec?: VideoCodec;
  overwrite?: boolean;
  signal?: AbortSignal;
  audio?: AudioPolicy;
  subtitles?: StreamPolicy;
  attachments?: StreamPolicy;
  /** Chapters and global tags (title...). Default 'copy'. */
  metadata?: StreamPolicy;
  /** Where in the source the video starts, in seconds (a range job): audio and subtitles are cut to match. */
  timeOffsetSeconds?: number;
  /** Length of the range, in seconds. */
  durationSeconds?: number;
  /**
   * The video plays this many times longer than the source (slow motion):
   * audio is re-encoded through an atempo chain (pitch kept) to match;
   * subtitles and chapters, whose times would be wrong, are left out with a
   * notice. Default 1.
   */
  timeStretch?: number;
}

export interface MuxNotice {
  action: 'transcoded' | 'dropped';
  streamType: 'audio' | 'subtitle' | 'attachment';
  /** Stream index in the source. */
  sourceIndex: number;
  fromCodec: string;
  toCodec?: string;
  message: string;
}

export interface FinalizeResult {
  outputPath: string;
  container: OutputContainer;
  notices: MuxNotice[];
}

type StreamType = MuxNotice['streamType'];

interface StreamDecision {
  /** 'copy', an encoder name, or null to drop. */
  encoder: string | null;
  codecName?: string;
  extraArgs?: string[];
}

const PCM_PREFIX = 'pcm_';
const TEXT_SUBTITLES = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text', 'microdvd', 'subviewer', 'subviewer1', 'sami', 'realtext', 'jacosub', 'mpl2', 'pjs', 'vplayer', 'stl']);

const AUDIO_FITS: Readonly<Record<Exclude<OutputContainer, 'image-sequence'>, (codec: string) => boolean>> = {
  mp4: (codec) => ['aac', 'mp3', 'mp2', 'ac3', 'eac3', 'opus', 'alac'].includes(codec),
  mov: (codec) => ['aac', 'mp3', 'mp2', 'ac3', 'eac3', 'alac'].includes(codec) || codec.startsWith(PCM_PREFIX),
  mkv: (codec) => ['aac', 'mp3', 'mp2', 'ac3', 'eac3', 'dts', 'truehd', 'opus', 'vorbis', 'flac', 'alac', 'wavpack', 'tta'].includes(codec)
    || ['pcm_s16le', 'pcm_s24le', 'pcm_s32le', 'pcm_f32le', 'pcm_f64le', 'pcm_u8', 'pcm_s16be', 'pcm_s24be', 'pcm_s32be'].includes(codec),
  webm: (codec) => codec === 'opus' || codec === 'vorbis',
};

function audioDecision(container: Exclude<OutputContainer, 'image-sequence'>, codec: string): StreamDecision {
  if (AUDIO_FITS[container](codec)) return { encoder: 'copy' };
  if (container === 'webm') return { encoder: 'libopus', codecName: 'opus', extraArgs: ['-b', '192k'] };
  if (container === 'mkv') return { encoder: 'flac', codecName: 'flac' };
  return { encoder: 'aac', codecName: 'aac', extraArgs: ['-b', '256k'] };
}

function subtitleDecision(container: Exclude<OutputContainer, 'image-sequence'>, codec: string): StreamDecision {
  const text = TEXT_SUBTITLES.has(codec);
  if (container === 'mp4' || container === 'mov') {
    if (codec === 'mov_text') return { encoder: 'copy' };
    return text ? { encoder: 'mov_text', codecName: 'mov_text' } : { encoder: null };
  }
  if (container === 'webm') {
    if (codec === 'webvtt') return { encoder: 'copy' };
    return text ? { encoder: 'webvtt', codecName: 'webvtt' } : { encoder: null };
  }
  if (['subrip', 'ass', 'ssa', 'webvtt', 'dvd_subtitle', 'hdmv_pgs_subtitle', 'dvb_subtitle'].includes(codec)) return { encoder: 'copy' };
  return text ? { encoder: 'srt', codecName: 'subrip' } : { encoder: null };
}

const CONTAINER_LABEL: Readonly<Record<OutputContainer, string>> = {
  mp4: 'MP4', mov: 'MOV', mkv: 'MKV', webm: 'WebM', 'image-sequence': 'An image sequence',
};

function noticeFor(type: StreamType, index: number, codec: string, container: OutputContainer, decision: StreamDecision): MuxNotice | undefined {
  const label = `${type[0]!.toUpperCase()}${type.slice(1)} stream #${index} (${codec})`;
  const where = CONTAINER_LABEL[container];
  if (decision.encoder === null) {
    return { action: 'dropped', streamType: type, sourceIndex: index, fromCodec: codec, message: `${label} was left out: ${where} cannot hold it.` };
  }
  if (decision.encoder === 'copy') return undefined;
  const toCodec = decision.codecName ?? decision.encoder;
  return { action: 'transcoded', streamType: type, sourceIndex: index, fromCodec: codec, toCodec, message: `${label} was converted to ${toCodec}: ${where} cannot hold ${codec}.` };
}

/** atempo filters whose product is `tempo` (each stage of ffmpeg 5.1's atempo takes 0.5..100). */
export function atempoChain(tempo: number): string {
  if (!Number.isFinite(tempo) || tempo <= 0) throw new InvalidArgumentError(`Expected a positive audio tempo but received ${String(tempo)}.`);
  const stages: string[] = [];
  let rest = tempo;
  while (rest < 0.5) {
    stages.push('atempo=0.5');
    rest /= 0.5;
  }
  stages.push(`atempo=${rest.toFixed(6)}`);
  return stages.join(',');
}

/** The codec audio is re-encoded to: for slow motion (atempo) or on request ('transcode'). */
function reencodedAudioDecision(container: Exclude<OutputContainer, 'image-sequence'>): StreamDecision {
  if (container === 'webm') return { encoder: 'libopus', codecName: 'opus', extraArgs: ['-b', '192k'] };
  if (container === 'mkv') return { encoder: 'flac', codecName: 'flac' };
  return { encoder: 'aac', codecName: 'aac', extraArgs: ['-b', '256k'] };
}

function concatLine(file: string): string {
  return `file '${path.resolve(file).replace(/'/g, "'\\''")}'`;
}

/**
 * The concat script: one `file` line per part and, with timing, its duration
 * in microseconds (the demuxer's unit), taken between rounded cumulative
 * boundaries so the rounding never accumulates.
 */
export function concatScript(parts: readonly string[], timing: FinalizeOptions['partTiming']): string {
  if (timing && timing.frameCounts.length !== parts.length) {
    throw new InvalidArgumentError(`Expected a frame count for each of the ${parts.length} parts but received ${timing.frameCounts.length}.`);
  }
  const lines = ['ffconcat version 1.0'];
  let framesBefore = 0;
  for (const [index, part] of parts.entries()) {
    lines.push(concatLine(part));
    if (!timing) continue;
    const boundary = (frames: number): number => Math.round((frames * timing.frameRate.den * 1_000_000) / timing.frameRate.num);
    const frames = timing.frameCounts[index]!;
    const micros = boundary(framesBefore + frames) - boundary(framesBefore);
    framesBefore += frames;
    lines.push(`duration ${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The ffmpeg arguments and notices for a container output (exposed for tests and logs). */
export function planMux(options: FinalizeOptions, container: Exclude<OutputContainer, 'image-sequence'>, videoInput: string[], target: string): { args: string[]; notices: MuxNotice[] } {
  const notices: MuxNotice[] = [];
  const source = options.source;
  // A range of the source: input-side seeking of a stream copy is not reliable
  // (it lands on whatever the index allows), so the video is shifted to the
  // range's start and the output is cut on both sides by timestamp.
  const offset = source && options.timeOffsetSeconds !== undefined && options.timeOffsetSeconds > 0 ? options.timeOffsetSeconds : 0;
  const args = ['-hide_banner', '-loglevel', 'error', '-nostats', '-nostdin', ...(offset > 0 ? ['-itsoffset', offset.toFixed(6)] : []), ...videoInput];
  const maps = ['-map', '0:v:0'];
  const codecs = ['-c:v', 'copy'];
  if (options.videoCodec === 'h265' && (container === 'mp4' || container === 'mov')) codecs.push('-tag:v', 'hvc1');
  let outputIndex = 1;
  if (source) {
    args.push('-i', source.path);
    const stretch = options.timeStretch ?? 1;
    const stretched = stretch !== 1;
    const transcodeAudio = (options.audio ?? 'copy') === 'transcode';
    const add = (type: StreamType, index: number, codec: string, decision: StreamDecision): void => {
      const toCodec = decision.codecName ?? decision.encoder ?? codec;
      let notice: MuxNotice | undefined;
      if (stretched && type === 'audio') {
        notice = { action: 'transcoded', streamType: type, sourceIndex: index, fromCodec: codec, toCodec, message: `Audio stream #${index} (${codec}) was time-stretched ${stretch}x to follow the slow motion.` };
      } else if (transcodeAudio && type === 'audio') {
        notice = { action: 'transcoded', streamType: type, sourceIndex: index, fromCodec: codec, toCodec, message: `Audio stream #${index} (${codec}) was converted to ${toCodec}, as the output settings ask.` };
      } else {
        notice = noticeFor(type, index, codec, container, decision);
      }
      if (notice) notices.push(notice);
      if (decision.encoder === null) return;
      maps.push('-map', `1:${index}`);
      codecs.push(`-c:${outputIndex}`, decision.encoder);
      if (stretched && type === 'audio') codecs.push(`-filter:${outputIndex}`, atempoChain(1 / stretch));
      for (let i = 0; i < (decision.extraArgs?.length ?? 0); i += 2) {
        codecs.push(`${decision.extraArgs![i]}:${outputIndex}`, decision.extraArgs![i + 1]!);
      }
      outputIndex += 1;
    };
    if ((options.audio ?? 'copy') !== 'drop') {
      for (const stream of source.audio) {
        add('audio', stream.index, stream.codec, stretched || transcodeAudio ? reencodedAudioDecision(container) : audioDecision(container, stream.codec));
      }
    }
    if (stretched) {
      for (const stream of source.subtitles) {
        notices.push({ action: 'dropped', streamType: 'subtitle', sourceIndex: stream.index, fromCodec: stream.codec, message: `Subtitle stream #${stream.index} (${stream.codec}) was left out: its times do not follow the slow motion.` });
      }
    } else if ((options.subtitles ?? 'copy') === 'copy') {
      for (const stream of source.subtitles) add('subtitle', stream.index, stream.codec, subtitleDecision(container, stream.codec));
    }
    if ((options.attachments ?? 'copy') === 'copy') {
      for (const stream of source.attachments) {
        add('attachment', stream.index, stream.codec, container === 'mkv' ? { encoder: 'copy' } : { encoder: null });
      }
    }
  }
  const keepMetadata = source !== undefined && (options.metadata ?? 'copy') === 'copy';
  const keepChapters = keepMetadata && (options.timeStretch ?? 1) === 1;
  args.push(...maps, ...codecs);
  if (offset > 0) args.push('-ss', offset.toFixed(6));
  if (source && options.durationSeconds !== undefined) args.push('-t', options.durationSeconds.toFixed(6));
  args.push('-map_metadata', keepMetadata ? '1' : '-1', '-map_chapters', keepChapters ? '1' : '-1');
  if (container === 'mp4' || container === 'mov') args.push('-movflags', '+faststart+write_colr');
  args.push('-f', CONTAINER_FORMATS[container].muxer, '-y', target);
  return { args, notices };
}

function droppedForImages(source: MediaInfo | undefined): MuxNotice[] {
  if (!source) return [];
  const drop = (type: StreamType, index: number, codec: string): MuxNotice => ({
    action: 'dropped', streamType: type, sourceIndex: index, fromCodec: codec,
    message: `${type[0]!.toUpperCase()}${type.slice(1)} stream #${index} (${codec}) was left out: an image sequence holds only pictures.`,
  });
  return [
    ...source.audio.map((s) => drop('audio', s.index, s.codec)),
    ...source.subtitles.map((s) => drop('subtitle', s.index, s.codec)),
    ...source.attachments.map((s) => drop('attachment', s.index, s.codec)),
  ];
}

/** Fills `folder` with the parts' images numbered continuously from 1 (hard links where possible). */
async function joinImageParts(parts: readonly string[], folder: string, signal: AbortSignal | undefined): Promise<void> {
  let next = 1;
  const digits = /%0(\d+)d/.exec(IMAGE_SEQUENCE_PATTERN)![1]!;
  for (const part of parts) {
    const names = (await fs.readdir(part)).filter((name) => name.endsWith('.png')).sort();
    for (const name of names) {
      if (signal?.aborted) throw new CancelledError();
      const target = path.join(folder, IMAGE_SEQUENCE_PATTERN.replace(/%0\d+d/, String(next).padStart(Number(digits), '0')));
      await fs.link(path.join(part, name), target).catch(() => fs.copyFile(path.join(part, name), target));
      next += 1;
    }
  }
}

/**
 * Joins the parts and the source's other streams into `outputPath`. Refuses
 * an output that is the source or a part (OutputIsInputError), an existing
 * output without `overwrite` (OutputExistsError), an unwritable folder
 * (OutputNotWritableError); a full disk becomes DiskFullError; cancellation
 * CancelledError. Nothing is left at the output path or beside it on failure.
 */
export async function finalizeOutput(options: FinalizeOptions): Promise<FinalizeResult> {
  if (options.signal?.aborted) throw new CancelledError();
  if (options.videoParts.length === 0) throw new InvalidArgumentError('Expected at least one video part to finalize but received none.');
  const outputPath = path.resolve(options.outputPath);
  const container = options.container ?? containerFromPath(outputPath);
  if (!container) {
    throw new InvalidArgumentError(`Cannot tell the container from ${outputPath}. Use .mp4, .mkv, .mov or .webm (or no extension for a PNG sequence).`);
  }
  const overwrite = options.overwrite ?? false;
  await assertOutputAllowed(outputPath, { inputs: [...(options.source ? [options.source.path] : []), ...options.videoParts], overwrite });

  const temp = temporarySibling(outputPath);
  let listFile: string | undefined;
  try {
    if (container === 'image-sequence') {
      await fs.mkdir(temp);
      await joinImageParts(options.videoParts, temp, options.signal);
      await commitTemporary(temp, outputPath, overwrite);
      return { outputPath, container, notices: droppedForImages(options.source) };
    }
    let videoInput: string[];
    if (options.videoParts.length === 1) {
      videoInput = ['-i', path.resolve(options.videoParts[0]!)];
    } else {
      listFile = `${temporarySibling(path.resolve(options.videoParts[0]!))}.txt`;
      await fs.writeFile(listFile, concatScript(options.videoParts, options.partTiming));
      videoInput = ['-f', 'concat', '-safe', '0', '-i', listFile];
    }
    const { args, notices } = planMux(options, container, videoInput, temp);
    try {
      await runToCompletion(options.ffmpegPath, args, 'writing the output file', { signal: options.signal });
    } catch (error) {
      if (error instanceof FfmpegFailedError) {
        const capabilities = options.capabilities ?? new FfmpegCapabilities(options.ffmpegPath);
        throw (await diskFullErrorFor(path.dirname(outputPath), outputPath, error.detail))
          ?? (await capabilities.explainFailure(args, error.detail ?? '', options.signal))
          ?? error;
      }
      throw error;
    }
    if (options.signal?.aborted) throw new CancelledError();
    await commitTemporary(temp, outputPath, overwrite);
    return { outputPath, container, notices };
  } catch (error) {
    await removeQuietly(temp);
    if (options.signal?.aborted || isCancellation(error)) throw new CancelledError();
    throw mapWriteError(error, outputPath);
  } finally {
    if (listFile) await removeQuietly(listFile);
  }
}
