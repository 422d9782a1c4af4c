// High-quality resampling with sharp (libvips, lanczos3) for output sizes the
// model does not produce itself (x2 from an x4 model, a target width), and
// for alpha planes, which are upscaled apart from the colour and reattached.
// Raw samples go in and out untouched by colour management: 16-bit data is
// declared rgb16/grey16 so libvips neither narrows it to 8 bits nor
// converts colourspace. sharp works on the libuv pool, off this thread.
import sharp from 'sharp';
import { InvalidArgumentError } from '../../common/errors.ts';
import { expectPositiveInteger } from '../../common/validation.ts';
import type { BitDepth, RgbFrame } from './frame.ts';

/** One channel of samples (an alpha channel), row-major. */
export interface Plane {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: BitDepth;
  readonly data: Uint8Array | Uint16Array;
}

async function resizeSamples(
  data: Uint8Array | Uint16Array,
  bitDepth: BitDepth,
  channels: 1 | 3,
  width: number,
  height: number,
  targetWidth: number,
  targetHeight: number,
): Promise<Uint8Array | Uint16Array> {
  const expected = width * height * channels;
  const typeOk = bitDepth === 16 ? data instanceof Uint16Array : data instanceof Uint8Array;
  if (!typeOk || data.length !== expected) {
    throw new InvalidArgumentError(`Expected ${expected} ${bitDepth}-bit samples for ${width}x${height}x${channels} but received ${data.constructor.name} of ${data.length}.`);
  }
  expectPositiveInteger('the target width', targetWidth);
  expectPositiveInteger('the target height', targetHeight);
  const colourspace = channels === 3 ? (bitDepth === 16 ? 'rgb16' : 'srgb') : (bitDepth === 16 ? 'grey16' : 'b-w');
  const output = await sharp(data, { raw: { width, height, channels } })
    .resize(targetWidth, targetHeight, { kernel: 'lanczos3', fit: 'fill' })
    .toColourspace(colourspace)
    .raw({ depth: bitDepth === 16 ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const { info } = output;
  if (info.width !== targetWidth || info.height !== targetHeight || info.channels !== channels) {
    throw new InvalidArgumentError(`sharp returned ${info.width}x${info.height}x${info.channels}, expected ${targetWidth}x${targetHeight}x${channels}.`);
  }
  const bytes = output.data;
  if (bitDepth === 8) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  const copy = new Uint16Array(bytes.length / 2);
  new Uint8Array(copy.buffer).set(bytes);
  return copy;
}

/** The frame resampled to width x height (lanczos3), at the same bit depth and index. */
export async function resizeFrame(frame: RgbFrame, width: number, height: number): Promise<RgbFrame> {
  if (frame.width === width && frame.height === height) return frame;
  const data = await resizeSamples(frame.data, frame.bitDepth, 3, frame.width, frame.height, width, height);
  return { width, height, bitDepth: frame.bitDepth, data, index: frame.index };
}

/** A single-channel plane resampled to width x height (lanczos3), at the same bit depth. */
export async function resizePlane(plane: Plane, width: number, height: number): Promise<Plane> {
  if (plane.width === width && plane.height === height) return plane;
  const data = await resizeSamples(plane.data, plane.bitDepth, 1, plane.width, plane.height, width, height);
  return { width, height, bitDepth: plane.bitDepth, data };
}
