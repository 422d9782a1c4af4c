// Pixel format facts from ffmpeg's own tables rather than a hand-kept list:
// ffprobe -show_pixel_formats gives bit depth and alpha (read with the probe),
// and `ffmpeg -pix_fmts` says which formats swscale can convert from (flag I),
// which tells an unsupported pixel format apart from a damaged stream.
import { askBinary } from './binary-answers.ts';

/** One entry of ffprobe's -show_pixel_formats JSON. */
export interface ProbedPixelFormat {
  name: string;
  nb_components?: number;
  flags?: Record<string, number>;
  components?: { index: number; bit_depth: number }[];
}

export interface PixelFormatFacts {
  bitDepth: number;
  hasAlpha: boolean;
}

/** Bit depth (the deepest component) and alpha of a format, from ffprobe's table. */
export function pixelFormatFacts(table: readonly ProbedPixelFormat[], name: string): PixelFormatFacts | undefined {
  const entry = table.find((format) => format.name === name);
  if (!entry) return undefined;
  const depths = (entry.components ?? []).map((component) => component.bit_depth).filter((depth) => depth > 0);
  return {
    bitDepth: depths.length > 0 ? Math.max(...depths) : 8,
    hasAlpha: entry.flags?.alpha === 1,
  };
}

/**
 * Names of the pixel formats swscale accepts as input, parsed from the table
 * `ffmpeg -pix_fmts` prints (flags column, then name, after a "-----" rule).
 */
export function parseConvertiblePixelFormats(listing: string): Set<string> {
  const result = new Set<string>();
  const lines = listing.split(/\r?\n/);
  const start = lines.findIndex((line) => line.startsWith('-----'));
  for (const line of lines.slice(start + 1)) {
    const match = /^([.A-Z]{5})\s+(\S+)/.exec(line);
    if (match && match[1]?.startsWith('I') && match[2]) result.add(match[2]);
  }
  return result;
}

/** True when this ffmpeg can convert frames of `pixelFormat` to RGB. */
export async function canConvertPixelFormat(ffmpeg: string, pixelFormat: string, options: { signal?: AbortSignal } = {}): Promise<boolean> {
  return parseConvertiblePixelFormats(await askBinary(ffmpeg, ['-hide_banner', '-pix_fmts'], 'listing pixel formats', options)).has(pixelFormat);
}
