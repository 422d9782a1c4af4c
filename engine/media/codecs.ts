// The output codec table and how each codec's ffmpeg arguments are built.
// One codec may be served by several ffmpeg encoders (AV1: SVT-AV1, then
// libaom); which ones exist depends on the ffmpeg at hand, so an
// EncoderCatalog asks that ffmpeg once (`-encoders`, `-h encoder=X`) and
// caches the answer in the instance. FFV1 and PNG stay in RGB by default:
// an RGB -> YUV conversion would make "lossless" output lossy.
import { EncoderUnavailableError, InvalidArgumentError } from '../../common/errors.ts';
import type { BitDepth } from './frame.ts';
import { FfmpegCapabilities } from './ffmpeg-capabilities.ts';
import { askBinary } from './binary-answers.ts';
import type { ColourInfo } from './media-info.ts';

export const VIDEO_CODECS = ['h264', 'h265', 'vp9', 'av1', 'prores', 'ffv1', 'png'] as const;
export type VideoCodec = (typeof VIDEO_CODECS)[number];

export const VIDEO_CONTAINERS = ['mp4', 'mkv', 'mov', 'webm'] as const;
/** A container file, or a folder of numbered images (PNG sequence). */
export type OutputContainer = (typeof VIDEO_CONTAINERS)[number] | 'image-sequence';

/** 'rgb' keeps the frames in RGB (the codec's RGB format at the input bit depth). */
export const OUTPUT_PIXEL_FORMATS = ['yuv420p', 'yuv420p10le', 'yuv444p', 'yuv422p10le', 'yuv444p10le', 'rgb'] as const;
export type OutputPixelFormat = (typeof OUTPUT_PIXEL_FORMATS)[number];

/** One speed vocabulary (x264's) mapped to each encoder's own speed knob. */
export const SPEED_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;
export type SpeedPreset = (typeof SPEED_PRESETS)[number];

export interface QualityRange {
  /** The ffmpeg option that takes the value (CRF-like: lower is better). */
  flag: string;
  min: number;
  max: number;
  default: number;
}

export interface EncoderSpec {
  /** ffmpeg encoder name (`-c:v`). */
  name: string;
  quality: QualityRange | null;
  /** Arguments for the speed preset; empty where the encoder has no speed knob. */
  speedArgs(preset: SpeedPreset): string[];
  /** Arguments for quality and anything else the encoder needs (given the ffmpeg pix_fmt). */
  codecArgs(quality: number | undefined, pixelFormat: string): string[];
  /** Smallest frame the encoder accepts (SVT-AV1 needs 64x64). */
  minSize?: number;
}

export interface CodecSpec {
  codec: VideoCodec;
  /** Encoders to try, best first. */
  encoders: readonly EncoderSpec[];
  containers: readonly OutputContainer[];
  defaultContainer: OutputContainer;
  /** Container of the segment files the encoder writes (joined later by stream copy). */
  partContainer: OutputContainer;
  lossless: boolean;
  pixelFormats: readonly OutputPixelFormat[];
  defaultPixelFormat: OutputPixelFormat;
}

const SPEED_INDEX: Record<SpeedPreset, number> = {
  ultrafast: 0, superfast: 1, veryfast: 2, faster: 3, fast: 4, medium: 5, slow: 6, slower: 7, veryslow: 8,
};

function scaleSpeed(preset: SpeedPreset, fastest: number, slowest: number): number {
  const fraction = SPEED_INDEX[preset] / 8;
  return Math.round(fastest + (slowest - fastest) * fraction);
}

function crfArgs(flag: string, quality: number | undefined, fallback: number): string[] {
  return [flag, String(quality ?? fallback)];
}

const X264: EncoderSpec = {
  name: 'libx264',
  quality: { flag: '-crf', min: 0, max: 51, default: 18 },
  speedArgs: (preset) => ['-preset', preset],
  codecArgs: (quality) => crfArgs('-crf', quality, 18),
};

const X265: EncoderSpec = {
  name: 'libx265',
  quality: { flag: '-crf', min: 0, max: 51, default: 22 },
  speedArgs: (preset) => ['-preset', preset],
  codecArgs: (quality) => [...crfArgs('-crf', quality, 22), '-x265-params', 'log-level=error'],
};

const VPX_VP9: EncoderSpec = {
  name: 'libvpx-vp9',
  quality: { flag: '-crf', min: 0, max: 63, default: 28 },
  // -cpu-used 5 (fastest of the "good" deadline) .. 0 (slowest).
  speedArgs: (preset) => ['-deadline', 'good', '-cpu-used', String(scaleSpeed(preset, 5, 0))],
  codecArgs: (quality) => [...crfArgs('-crf', quality, 28), '-b:v', '0', '-row-mt', '1'],
};

const SVT_AV1: EncoderSpec = {
  name: 'libsvtav1',
  quality: { flag: '-crf', min: 0, max: 63, default: 30 },
  // SVT-AV1 presets run 0 (slowest) .. 13 (fastest); 12 .. 3 covers the useful range.
  speedArgs: (preset) => ['-preset', String(scaleSpeed(preset, 12, 3))],
  codecArgs: (quality) => crfArgs('-crf', quality, 30),
  minSize: 64,
};

const AOM_AV1: EncoderSpec = {
  name: 'libaom-av1',
  quality: { flag: '-crf', min: 0, max: 63, default: 30 },
  speedArgs: (preset) => ['-cpu-used', String(scaleSpeed(preset, 8, 1))],
  codecArgs: (quality) => [...crfArgs('-crf', quality, 30), '-b:v', '0', '-row-mt', '1'],
};

const PRORES_KS: EncoderSpec = {
  name: 'prores_ks',
  quality: null,
  speedArgs: () => [],
  // Profile follows the chroma format: 3 = 422 HQ, 4 = 4444.
  codecArgs: (_quality, pixelFormat) => ['-profile:v', pixelFormat.startsWith('yuv444') ? '4' : '3', '-vendor', 'apl0'],
};

const FFV1: EncoderSpec = {
  name: 'ffv1',
  quality: null,
  speedArgs: () => [],
  // Version 3, intra only (every frame a keyframe: segments cut anywhere), slice CRCs.
  codecArgs: () => ['-level', '3', '-g', '1', '-slicecrc', '1'],
};

const PNG: EncoderSpec = {
  name: 'png',
  quality: null,
  speedArgs: () => [],
  codecArgs: () => [],
};

export const CODEC_SPECS: Readonly<Record<VideoCodec, CodecSpec>> = {
  h264: {
    codec: 'h264', encoders: [X264], containers: ['mp4', 'mkv', 'mov'], defaultContainer: 'mp4', partContainer: 'mp4',
    lossless: false, pixelFormats: ['yuv420p', 'yuv420p10le', 'yuv444p'], defaultPixelFormat: 'yuv420p',
  },
  h265: {
    codec: 'h265', encoders: [X265], containers: ['mp4', 'mkv', 'mov'], defaultContainer: 'mp4', partContainer: 'mp4',
    lossless: false, pixelFormats: ['yuv420p', 'yuv420p10le', 'yuv444p', 'yuv444p10le'], defaultPixelFormat: 'yuv420p',
  },
  vp9: {
    codec: 'vp9', encoders: [VPX_VP9], containers: ['webm', 'mkv', 'mp4'], defaultContainer: 'webm', partContainer: 'mp4',
    lossless: false, pixelFormats: ['yuv420p', 'yuv420p10le', 'yuv444p', 'yuv444p10le'], defaultPixelFormat: 'yuv420p',
  },
  av1: {
    codec: 'av1', encoders: [SVT_AV1, AOM_AV1], containers: ['mp4', 'mkv', 'webm'], defaultContainer: 'mp4', partContainer: 'mp4',
    lossless: false, pixelFormats: ['yuv420p', 'yuv420p10le', 'yuv444p', 'yuv444p10le'], defaultPixelFormat: 'yuv420p',
  },
  prores: {
    codec: 'prores', encoders: [PRORES_KS], containers: ['mov', 'mkv'], defaultContainer: 'mov', partContainer: 'mov',
    lossless: false, pixelFormats: ['yuv422p10le', 'yuv444p10le'], defaultPixelFormat: 'yuv422p10le',
  },
  ffv1: {
    codec: 'ffv1', encoders: [FFV1], containers: ['mkv'], defaultContainer: 'mkv', partContainer: 'mkv',
    lossless: true, pixelFormats: ['rgb', 'yuv420p', 'yuv420p10le', 'yuv444p', 'yuv444p10le'], defaultPixelFormat: 'rgb',
  },
  png: {
    codec: 'png', encoders: [PNG], containers: ['image-sequence'], defaultContainer: 'image-sequence', partContainer: 'image-sequence',
    lossless: true, pixelFormats: ['rgb'], defaultPixelFormat: 'rgb',
  },
};

/** ffmpeg muxer name and file extension of each container. */
export const CONTAINER_FORMATS: Readonly<Record<(typeof VIDEO_CONTAINERS)[number], { muxer: string; extension: string }>> = {
  mp4: { muxer: 'mp4', extension: '.mp4' },
  mkv: { muxer: 'matroska', extension: '.mkv' },
  mov: { muxer: 'mov', extension: '.mov' },
  webm: { muxer: 'webm', extension: '.webm' },
};

const EXTENSION_CONTAINERS: Readonly<Record<string, OutputContainer>> = {
  '.mp4': 'mp4', '.m4v': 'mp4', '.mkv': 'mkv', '.mov': 'mov', '.webm': 'webm',
};

/** The container an output path's extension names; a path without extension is an image-sequence folder. */
export function containerFromPath(filePath: string): OutputContainer | undefined {
  const match = /(\.[^./\\]+)$/.exec(filePath);
  if (!match) return 'image-sequence';
  return EXTENSION_CONTAINERS[match[1]!.toLowerCase()];
}

export function isVideoCodec(value: string): value is VideoCodec {
  return (VIDEO_CODECS as readonly string[]).includes(value);
}

export function assertContainerFits(codec: VideoCodec, container: OutputContainer): void {
  const spec = CODEC_SPECS[codec];
  if (!spec.containers.includes(container)) {
    throw new InvalidArgumentError(`Codec ${codec} cannot be written to ${container}. Use one of: ${spec.containers.join(', ')}.`);
  }
}

/** Validates a quality value against the encoder's range (undefined = encoder default). */
export function assertQuality(encoder: EncoderSpec, codec: VideoCodec, quality: number | undefined): void {
  if (quality === undefined) return;
  if (!encoder.quality) {
    throw new InvalidArgumentError(`Codec ${codec} has no quality (CRF) setting; leave it out.`);
  }
  const { min, max } = encoder.quality;
  if (!Number.isInteger(quality) || quality < min || quality > max) {
    throw new InvalidArgumentError(`Expected an integer CRF from ${min} to ${max} for ${codec} (${encoder.name}) but received ${quality}.`);
  }
}

/**
 * The ffmpeg pix_fmt for an output format: 'rgb' becomes the codec's RGB
 * format at the input bit depth (FFV1 bgr0 / gbrp16le, PNG rgb24 / rgb48be).
 */
export function ffmpegPixelFormat(codec: VideoCodec, format: OutputPixelFormat, inputBitDepth: BitDepth): string {
  const spec = CODEC_SPECS[codec];
  if (!spec.pixelFormats.includes(format)) {
    throw new InvalidArgumentError(`Pixel format ${format} does not fit codec ${codec}. Use one of: ${spec.pixelFormats.join(', ')}.`);
  }
  if (format !== 'rgb') return format;
  if (codec === 'ffv1') return inputBitDepth === 16 ? 'gbrp16le' : 'bgr0';
  return inputBitDepth === 16 ? 'rgb48be' : 'rgb24';
}

export function isRgbPixelFormat(pixelFormat: string): boolean {
  return /^(rgb|bgr|gbr)/.test(pixelFormat);
}

/** Parses `ffmpeg -encoders` output into the set of video/audio/subtitle encoder names. */
export function parseEncoderList(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^\s*[VAS][F.][S.][X.][B.][D.]\s+(\S+)/.exec(line);
    if (match && match[1] !== '=') names.add(match[1]!);
  }
  return names;
}

/** Encoders `ffmpeg -encoders` flags experimental (fourth flag X): they run only with `-strict experimental`. */
export function parseExperimentalEncoders(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^\s*[VAS][F.][S.]X[B.][D.]\s+(\S+)/.exec(line);
    if (match) names.add(match[1]!);
  }
  return names;
}

/** Parses the "Supported pixel formats:" line of `ffmpeg -h encoder=X`; undefined when not stated. */
export function parseEncoderPixelFormats(text: string): Set<string> | undefined {
  const match = /Supported pixel formats:([^\n]*)/.exec(text);
  if (!match) return undefined;
  return new Set(match[1]!.trim().split(/\s+/).filter(Boolean));
}

export interface EncoderRequest {
  codec: VideoCodec;
  pixelFormat?: OutputPixelFormat;
  bitDepth: BitDepth;
  width: number;
  height: number;
}

export interface SelectedEncoder {
  codec: VideoCodec;
  spec: CodecSpec;
  encoder: EncoderSpec;
  /** ffmpeg pix_fmt to encode in. */
  pixelFormat: string;
  /** This ffmpeg marks the encoder experimental: the command must allow that. */
  experimental?: boolean;
}

/**
 * What one ffmpeg binary can encode. Queries run once per instance and are
 * cached; make one catalog per ffmpeg path.
 */
export class EncoderCatalog {
  readonly ffmpegPath: string;
  /** The same binary's version and options: commands built with this catalog follow them. */
  readonly capabilities: FfmpegCapabilities;
  private encoderListing: Promise<string> | undefined;
  private encoderNames: Promise<Set<string>> | undefined;
  private readonly pixelFormats = new Map<string, Promise<Set<string> | undefined>>();

  constructor(ffmpeg: string | FfmpegCapabilities) {
    this.capabilities = typeof ffmpeg === 'string' ? new FfmpegCapabilities(ffmpeg) : ffmpeg;
    this.ffmpegPath = this.capabilities.path;
  }

  /** Names of every encoder this ffmpeg has. */
  encoders(signal?: AbortSignal): Promise<Set<string>> {
    this.encoderNames ??= this.listing(signal).then(parseEncoderList);
    this.encoderNames.catch(() => {
      this.encoderNames = undefined;
    });
    return this.encoderNames;
  }

  /** Names of the encoders this ffmpeg marks experimental (libaom-av1 in 4.x). */
  async experimentalEncoders(signal?: AbortSignal): Promise<Set<string>> {
    return parseExperimentalEncoders(await this.listing(signal));
  }

  private listing(signal?: AbortSignal): Promise<string> {
    this.encoderListing ??= askBinary(this.ffmpegPath, ['-hide_banner', '-encoders'], 'listing encoders', { signal });
    this.encoderListing.catch(() => {
      this.encoderListing = undefined;
    });
    return this.encoderListing;
  }

  /** Pixel formats an encoder accepts (undefined when ffmpeg does not say). */
  encoderPixelFormats(name: string, signal?: AbortSignal): Promise<Set<string> | undefined> {
    let pending = this.pixelFormats.get(name);
    if (!pending) {
      pending = askBinary(this.ffmpegPath, ['-hide_banner', '-h', `encoder=${name}`], `describing encoder ${name}`, { signal })
        .then(parseEncoderPixelFormats);
      pending.catch(() => this.pixelFormats.delete(name));
      this.pixelFormats.set(name, pending);
    }
    return pending;
  }

  /** The codecs of VIDEO_CODECS that at least one available encoder can write. */
  async availableCodecs(signal?: AbortSignal): Promise<VideoCodec[]> {
    const names = await this.encoders(signal);
    return VIDEO_CODECS.filter((codec) => CODEC_SPECS[codec].encoders.some((encoder) => names.has(encoder.name)));
  }

  /**
   * The first encoder for the request that exists here, accepts the pixel
   * format (10-bit needs a 10-bit build) and the frame size.
   * EncoderUnavailableError lists the codecs this ffmpeg can write instead.
   */
  async select(request: EncoderRequest, signal?: AbortSignal): Promise<SelectedEncoder> {
    const { codec } = request;
    const spec = CODEC_SPECS[codec];
    if (!spec) throw new InvalidArgumentError(`Unknown codec "${String(codec)}". Should be one of: ${VIDEO_CODECS.join(', ')}.`);
    const pixelFormat = ffmpegPixelFormat(codec, request.pixelFormat ?? spec.defaultPixelFormat, request.bitDepth);
    const names = await this.encoders(signal);
    const tried: string[] = [];
    for (const encoder of spec.encoders) {
      if (!names.has(encoder.name)) continue;
      if (encoder.minSize !== undefined && Math.min(request.width, request.height) < encoder.minSize) {
        tried.push(`${encoder.name} (frames under ${encoder.minSize}x${encoder.minSize})`);
        continue;
      }
      const formats = await this.encoderPixelFormats(encoder.name, signal);
      if (formats && !formats.has(pixelFormat)) {
        tried.push(`${encoder.name} (no ${pixelFormat})`);
        continue;
      }
      const experimental = (await this.experimentalEncoders(signal)).has(encoder.name);
      return { codec, spec, encoder, pixelFormat, experimental };
    }
    const available = await this.availableCodecs(signal);
    const label = tried.length > 0 ? `${codec} in ${pixelFormat} (tried ${tried.join(', ')})` : `${codec} (${spec.encoders.map((e) => e.name).join(' or ')})`;
    throw new EncoderUnavailableError(label, available);
  }
}

const KNOWN_MATRICES = new Set(['bt709', 'smpte170m', 'bt470bg', 'bt2020nc', 'bt2020c', 'smpte240m', 'fcc', 'ycgco']);
const KNOWN_PRIMARIES = new Set(['bt709', 'bt470m', 'bt470bg', 'smpte170m', 'smpte240m', 'film', 'bt2020', 'smpte428', 'smpte431', 'smpte432', 'jedec-p22']);
const KNOWN_TRANSFERS = new Set([
  'bt709', 'gamma22', 'gamma28', 'smpte170m', 'smpte240m', 'linear', 'log100', 'log316', 'iec61966-2-4', 'bt1361e',
  'iec61966-2-1', 'bt2020-10', 'bt2020-12', 'smpte2084', 'smpte428', 'arib-std-b67',
]);

/** swscale's name (out_color_matrix) for a matrix as ffprobe reports it. */
const SWSCALE_MATRIX: Readonly<Record<string, string>> = {
  bt709: 'bt709', smpte170m: 'smpte170m', bt470bg: 'bt470', bt2020nc: 'bt2020', bt2020c: 'bt2020', smpte240m: 'smpte240m', fcc: 'fcc',
};

export interface ColourPlan {
  /** Filter chain that turns the rgb24/rgb48le input into the output pix_fmt. */
  filter: string;
  /** Output tagging options (-colorspace, -color_primaries, -color_trc, -color_range). */
  tagArgs: string[];
  matrix: string | null;
  range: 'tv' | 'pc';
}

/**
 * How RGB frames become the output pixel format and which colour tags the
 * output carries. YUV output uses the source's matrix (BT.709 for HD and
 * BT.601 for SD when the source does not say) and keeps its range (limited
 * unless the source was full-range YUV); RGB output is not converted at all.
 */
export function planColour(pixelFormat: string, source: Partial<ColourInfo> | undefined, height: number): ColourPlan {
  const hd = height >= 720;
  const sourceMatrix = source?.matrix && KNOWN_MATRICES.has(source.matrix) && SWSCALE_MATRIX[source.matrix] ? source.matrix : null;
  const fallback = hd ? 'bt709' : 'smpte170m';
  const primaries = source?.primaries && KNOWN_PRIMARIES.has(source.primaries) ? source.primaries : fallback;
  const transfer = source?.transfer && KNOWN_TRANSFERS.has(source.transfer) ? source.transfer : fallback;
  const tagArgs = ['-color_primaries', primaries, '-color_trc', transfer];
  if (isRgbPixelFormat(pixelFormat)) {
    tagArgs.push('-colorspace', 'rgb', '-color_range', 'pc');
    return { filter: `format=${pixelFormat}`, tagArgs, matrix: null, range: 'pc' };
  }
  const matrix = sourceMatrix ?? fallback;
  // An RGB source (matrix "gbr") is full range by nature; that says nothing about YUV range.
  const range = source?.range === 'pc' && source.matrix !== 'gbr' ? 'pc' : 'tv';
  tagArgs.push('-colorspace', matrix, '-color_range', range);
  const filter = `scale=out_color_matrix=${SWSCALE_MATRIX[matrix]}:out_range=${range === 'pc' ? 'full' : 'limited'}:flags=bicubic+accurate_rnd+full_chroma_int,format=${pixelFormat}`;
  return { filter, tagArgs, matrix, range };
}
