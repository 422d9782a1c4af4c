// The style image of arbitrary style transfer: checked before any frame is
// decoded (synchronously, so step validation can refuse a missing or
// non-image file), then read once per job at `styleSize` on its longest side
// and kept as the model's style tensor (float32 [1,3,h,w], 0..1).
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { InvalidArgumentError } from '../../common/errors.ts';
import { readImage } from '../media/image-io.ts';
import type { TensorData } from '../inference/tensor.ts';
import { convertFrameBitDepth, frameToTensor } from './image-tensor.ts';
import { resizeFrame } from '../media/resize.ts';

/** Formats sharp decodes, recognised by their first bytes. */
const SIGNATURES: readonly { name: string; matches: (head: Buffer) => boolean }[] = [
  { name: 'PNG', matches: (head) => head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { name: 'JPEG', matches: (head) => head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff },
  { name: 'WebP', matches: (head) => head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP' },
  { name: 'GIF', matches: (head) => head.toString('latin1', 0, 4) === 'GIF8' },
  { name: 'TIFF', matches: (head) => ['II*\0', 'MM\0*'].includes(head.toString('latin1', 0, 4)) },
  { name: 'AVIF/HEIF', matches: (head) => head.toString('latin1', 4, 8) === 'ftyp' && /^(avi[fs]|hei[cx]|mif1|msf1)$/.test(head.toString('latin1', 8, 12)) },
];

export const STYLE_IMAGE_FORMATS = SIGNATURES.map((signature) => signature.name);

/** Why `file` cannot be a style image (missing, a folder, not an image), or undefined when it looks fine. */
export function styleImageProblem(file: string): string | undefined {
  let size: number;
  try {
    const info = statSync(file);
    if (!info.isFile()) return `the style image ${file} is not a file`;
    size = info.size;
  } catch {
    return `the style image ${file} does not exist`;
  }
  const head = Buffer.alloc(Math.min(16, size));
  let descriptor: number | undefined;
  try {
    descriptor = openSync(file, 'r');
    readSync(descriptor, head, 0, head.length, 0);
  } catch {
    return `the style image ${file} cannot be read`;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
  if (head.length < 12 || !SIGNATURES.some((signature) => signature.matches(head))) {
    return `the style image ${file} is not an image (expected ${STYLE_IMAGE_FORMATS.join(', ')})`;
  }
  return undefined;
}

/** Width and height with the longest side `styleSize`, each a multiple of `multiple` (at least one multiple). */
export function styleImageSize(width: number, height: number, styleSize: number, multiple = 4): { width: number; height: number } {
  if (!Number.isInteger(styleSize) || styleSize < multiple) {
    throw new InvalidArgumentError(`Expected an integer style size of at least ${multiple} but received ${String(styleSize)}.`);
  }
  const scale = styleSize / Math.max(width, height);
  const fit = (side: number): number => Math.max(multiple, Math.round((side * scale) / multiple) * multiple);
  return { width: fit(width), height: fit(height) };
}

/** The style image as float32 [1,3,h,w] in 0..1, resized (lanczos3) so its longest side is about styleSize. */
export async function loadStyleImage(file: string, options: { styleSize: number; multiple?: number; signal?: AbortSignal }): Promise<TensorData> {
  const image = await readImage(file, { signal: options.signal });
  const target = styleImageSize(image.frame.width, image.frame.height, options.styleSize, options.multiple);
  const wide = convertFrameBitDepth(image.frame, 16);
  const resized = await resizeFrame(wide, target.width, target.height);
  return frameToTensor(resized, [0, 1]);
}
