// Still images through sharp. Reading colour-manages into sRGB (what the
// models expect) and splits off alpha; writing converts back into the
// source's ICC profile and attaches it, so colours survive the round trip.
// sharp can attach EXIF only from an input file or as string tags, so the
// original EXIF block is spliced into the encoded bytes here (JPEG APP1,
// PNG eXIf, WebP EXIF chunk); TIFF and AVIF keep the ICC profile only.
// Files are written under a temporary name and renamed into place.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { CancelledError, InputNotFoundError, InputNotMediaError, InvalidArgumentError } from '../../common/errors.ts';
import { expectIntegerInRange } from '../../common/validation.ts';
import { frameSampleCount, type BitDepth, type RgbFrame } from './frame.ts';
import { assertOutputAllowed, removeQuietly, writeFileAtomically } from './output-path.ts';
import { assertWithinPixelLimit, pixelLimit } from './pixel-limit.ts';

export const IMAGE_FORMATS = ['png', 'jpeg', 'webp', 'tiff', 'avif'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** One alpha sample per pixel, at the image's bit depth. */
export type AlphaPlane = Uint8Array | Uint16Array;

export interface ImageMetadata {
  /** ICC profile of the source (its pixels were converted from it to sRGB on read). */
  iccProfile: Buffer | null;
  /** Raw EXIF block as sharp reports it ("Exif\0\0" + TIFF data). */
  exif: Buffer | null;
  /** EXIF orientation 1..8 (pixels are kept as stored; the tag stays meaningful). */
  orientation: number | null;
  density: number | null;
}

export interface ReadImageResult {
  frame: RgbFrame;
  alpha: AlphaPlane | null;
  bitDepth: BitDepth;
  format: string;
  metadata: ImageMetadata;
}

export interface WriteImageOptions {
  format?: ImageFormat;
  /** 1..100 for jpeg, webp, avif (ignored for png and tiff). */
  quality?: number;
  overwrite?: boolean;
  /** Files the output must not be (the input image). */
  inputs?: readonly string[];
  signal?: AbortSignal;
}

const EXTENSION_FORMATS: Readonly<Record<string, ImageFormat>> = {
  '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp', '.tif': 'tiff', '.tiff': 'tiff', '.avif': 'avif',
};

export function imageFormatFromPath(file: string): ImageFormat | undefined {
  return EXTENSION_FORMATS[path.extname(file).toLowerCase()];
}

export interface ReadImageOptions {
  signal?: AbortSignal;
  /** Refuse images above this many megapixels before decoding; default DEFAULT_MAX_MEGAPIXELS. */
  maxMegapixels?: number;
}

/**
 * A still image's header, no pixels decoded (sharp's own pixel limit is off
 * here: it would refuse with an untyped message; callers check the size).
 * A file sharp cannot read is an InputNotMediaError naming it.
 */
export async function readImageHeader(file: string): Promise<Metadata> {
  try {
    return await sharp(file, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new InputNotMediaError(file, { detail: error instanceof Error ? error.message : String(error), cause: error });
  }
}

/**
 * Reads an image into an sRGB RgbFrame (16-bit for 16-bit sources) plus its
 * alpha plane and metadata. The size is checked from the header first, and
 * sharp is told the same limit, so a small file declaring huge dimensions is
 * refused without decoding.
 */
export async function readImage(file: string, options: ReadImageOptions = {}): Promise<ReadImageResult> {
  try {
    const info = await fs.stat(file);
    if (!info.isFile()) throw new InputNotMediaError(file);
  } catch (error) {
    if (error instanceof InputNotMediaError) throw error;
    throw new InputNotFoundError(file, { cause: error });
  }
  const limitInputPixels = pixelLimit(options.maxMegapixels);
  const meta = await readImageHeader(file);
  assertWithinPixelLimit(file, meta.width ?? 0, meta.height ?? 0, options.maxMegapixels);
  if (options.signal?.aborted) throw new CancelledError();
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short' || meta.depth === 'uint' || meta.depth === 'float';
  const bitDepth: BitDepth = sixteen ? 16 : 8;
  let raw: { data: Buffer; info: OutputInfo };
  try {
    const pipeline = sharp(file, { limitInputPixels }).toColourspace(sixteen ? 'rgb16' : 'srgb');
    if (!meta.hasAlpha) pipeline.removeAlpha();
    raw = await pipeline.raw(sixteen ? { depth: 'ushort' } : {}).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new InputNotMediaError(file, { detail: error instanceof Error ? error.message : String(error), cause: error });
  }
  const { width, height, channels } = raw.info;
  const pixels = width * height;
  const source = sixteen
    ? new Uint16Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength / 2)
    : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
  let rgb: Uint8Array | Uint16Array = source;
  let alpha: AlphaPlane | null = null;
  if (channels === 4) {
    rgb = sixteen ? new Uint16Array(pixels * 3) : new Uint8Array(pixels * 3);
    alpha = sixteen ? new Uint16Array(pixels) : new Uint8Array(pixels);
    for (let p = 0; p < pixels; p += 1) {
      rgb[p * 3] = source[p * 4]!;
      rgb[p * 3 + 1] = source[p * 4 + 1]!;
      rgb[p * 3 + 2] = source[p * 4 + 2]!;
      alpha[p] = source[p * 4 + 3]!;
    }
  } else if (channels !== 3) {
    throw new InputNotMediaError(file, { detail: `sharp delivered ${channels} channels` });
  } else if (sixteen) {
    rgb = new Uint16Array(source);
  }
  return {
    frame: { width, height, bitDepth, data: rgb, index: 0 },
    alpha,
    bitDepth,
    format: meta.format ?? 'unknown',
    metadata: {
      iccProfile: meta.icc ?? null,
      exif: meta.exif ?? null,
      orientation: meta.orientation ?? null,
      density: meta.density ?? null,
    },
  };
}

function interleave(frame: RgbFrame, alpha: AlphaPlane | null): Uint8Array | Uint16Array {
  if (!alpha) return frame.data;
  const pixels = frame.width * frame.height;
  if (alpha.length !== pixels) {
    throw new InvalidArgumentError(`Expected an alpha plane of ${pixels} samples but received ${alpha.length}.`);
  }
  const out = frame.bitDepth === 16 ? new Uint16Array(pixels * 4) : new Uint8Array(pixels * 4);
  const scale = frame.bitDepth === 16 && alpha instanceof Uint8Array ? 257 : 1;
  const shrink = frame.bitDepth === 8 && alpha instanceof Uint16Array;
  for (let p = 0; p < pixels; p += 1) {
    out[p * 4] = frame.data[p * 3]!;
    out[p * 4 + 1] = frame.data[p * 3 + 1]!;
    out[p * 4 + 2] = frame.data[p * 3 + 2]!;
    out[p * 4 + 3] = shrink ? Math.round(alpha[p]! / 257) : alpha[p]! * scale;
  }
  return out;
}

function tiffData(exif: Buffer): Buffer {
  const header = Buffer.from('Exif\0\0', 'latin1');
  return exif.subarray(0, 6).equals(header) ? exif.subarray(6) : exif;
}

function insertJpegExif(jpeg: Buffer, exif: Buffer): Buffer {
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiffData(exif)]);
  if (payload.length + 2 > 0xffff) return jpeg;
  const segment = Buffer.alloc(4);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(payload.length + 2, 2);
  // After SOI, and after a JFIF APP0 when present (EXIF readers accept either).
  let offset = 2;
  if (jpeg.readUInt16BE(2) === 0xffe0) offset = 4 + jpeg.readUInt16BE(4);
  return Buffer.concat([jpeg.subarray(0, offset), segment, payload, jpeg.subarray(offset)]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function insertPngExif(png: Buffer, exif: Buffer): Buffer {
  // eXIf must come before the first IDAT.
  let offset = 8;
  while (offset + 8 <= png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    if (type === 'IDAT') break;
    offset += 12 + length;
  }
  return Buffer.concat([png.subarray(0, offset), pngChunk('eXIf', tiffData(exif)), png.subarray(offset)]);
}

function riffChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(type, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function insertWebpExif(webp: Buffer, exif: Buffer, width: number, height: number, hasAlpha: boolean): Buffer {
  let body = webp.subarray(12);
  if (body.toString('latin1', 0, 4) !== 'VP8X') {
    // Simple format: add an extended-format header first.
    const vp8x = Buffer.alloc(10);
    vp8x[0] = hasAlpha ? 0x10 : 0;
    vp8x.writeUIntLE(width - 1, 4, 3);
    vp8x.writeUIntLE(height - 1, 7, 3);
    body = Buffer.concat([riffChunk('VP8X', vp8x), body]);
  } else {
    body = Buffer.from(body);
  }
  body[8] = body[8]! | 0x08;
  const content = Buffer.concat([body, riffChunk('EXIF', tiffData(exif))]);
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(content.length + 4, 4);
  header.write('WEBP', 8, 'latin1');
  return Buffer.concat([header, content]);
}

/**
 * Writes an RGB frame (8 or 16-bit) with an optional alpha plane, converting
 * back into the ICC profile of `meta` and attaching it and its EXIF. 16-bit
 * frames stay 16-bit in PNG and TIFF. Refuses to overwrite an input or an
 * existing file unless asked.
 */
export async function writeImage(
  file: string,
  frame: RgbFrame,
  alpha: AlphaPlane | null,
  meta: Partial<ImageMetadata> | null,
  options: WriteImageOptions = {},
): Promise<void> {
  const format = options.format ?? imageFormatFromPath(file);
  if (!format) throw new InvalidArgumentError(`Cannot tell the image format from ${file}. Use .png, .jpg, .webp, .tif or .avif, or pass a format.`);
  if (frame.data.length !== frameSampleCount(frame.width, frame.height)) {
    throw new InvalidArgumentError(`Expected ${frameSampleCount(frame.width, frame.height)} samples for a ${frame.width}x${frame.height} frame but received ${frame.data.length}.`);
  }
  const quality = options.quality;
  if (quality !== undefined) expectIntegerInRange('quality', quality, 1, 100);
  const finalPath = path.resolve(file);
  const overwrite = options.overwrite ?? false;
  await assertOutputAllowed(finalPath, { inputs: options.inputs ?? [], overwrite });
  if (options.signal?.aborted) throw new CancelledError();

  const sixteen = frame.bitDepth === 16;
  const pixels = interleave(frame, alpha);
  const channels = alpha ? 4 : 3;
  let iccFile: string | undefined;
  try {
    // Our own pixels, already within the input limit times the scale: no sharp pixel limit here.
    const pipeline = sharp(pixels, { raw: { width: frame.width, height: frame.height, channels }, limitInputPixels: false });
    if (sixteen) pipeline.toColourspace('rgb16');
    if (meta?.iccProfile) {
      iccFile = path.join(os.tmpdir(), `framesmith-icc-${randomBytes(6).toString('hex')}.icc`);
      await fs.writeFile(iccFile, meta.iccProfile);
      pipeline.withIccProfile(iccFile);
    }
    if (meta?.density) pipeline.withMetadata({ density: meta.density });
    switch (format) {
      case 'png': pipeline.png({ compressionLevel: 6 }); break;
      case 'jpeg': pipeline.jpeg({ quality: quality ?? 92 }); break;
      case 'webp': pipeline.webp({ quality: quality ?? 92 }); break;
      case 'tiff': pipeline.tiff({ compression: 'lzw' }); break;
      case 'avif': pipeline.avif({ quality: quality ?? 80 }); break;
    }
    let encoded: Buffer = await pipeline.toBuffer();
    if (meta?.exif) {
      if (format === 'jpeg') encoded = insertJpegExif(encoded, meta.exif);
      else if (format === 'png') encoded = insertPngExif(encoded, meta.exif);
      else if (format === 'webp') encoded = insertWebpExif(encoded, meta.exif, frame.width, frame.height, alpha !== null);
    }
    if (options.signal?.aborted) throw new CancelledError();
    await writeFileAtomically(finalPath, encoded, overwrite);
  } finally {
    if (iccFile) await removeQuietly(iccFile);
  }
}
