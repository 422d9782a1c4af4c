// The flicker measure of stylised video (bench/flicker.ts and the tests).
//
// A pixel is static between source frames t-1 and t when every pixel of its
// (2r+1)x(2r+1) neighbourhood (r = 2 by default) changed by at most
// `threshold` levels (of 255) in every channel. Flicker is the mean absolute
// difference, in levels of 255 over all three channels, between output
// frames t-1 and t over the static pixels, averaged over every pair of
// consecutive frames (weighted by their static pixel counts). The
// neighbourhood keeps the edges of moving objects out of the static set.
import { InvalidArgumentError } from '../../common/errors.ts';
import type { RgbFrame } from '../media/frame.ts';

export interface StaticMaskOptions {
  /** Largest change, in levels of 255, of a static pixel. Default 3. */
  threshold?: number;
  /** Neighbourhood radius in pixels. Default 2. */
  radius?: number;
}

export interface FlickerMeasure {
  /** Mean absolute difference of consecutive outputs over static pixels, in levels of 255. */
  flicker: number;
  /** Static pixels over all pixels of the frame pairs, 0..1. */
  staticFraction: number;
  /** Frame pairs measured. */
  pairs: number;
}

function levelScale(frame: RgbFrame): number {
  return frame.bitDepth === 16 ? 255 / 65535 : 1;
}

function checkSameSize(a: RgbFrame, b: RgbFrame): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new InvalidArgumentError(`Expected frames of one size but received ${a.width}x${a.height} and ${b.width}x${b.height}.`);
  }
}

/** 1 where a pixel and its neighbourhood did not change from `previous` to `current` (see the header). */
export function staticMask(previous: RgbFrame, current: RgbFrame, options: StaticMaskOptions = {}): Uint8Array {
  checkSameSize(previous, current);
  const threshold = options.threshold ?? 3;
  const radius = options.radius ?? 2;
  const { width, height } = current;
  const scale = levelScale(current);
  const changed = new Uint8Array(width * height);
  for (let p = 0; p < width * height; p += 1) {
    const i = p * 3;
    const d = Math.max(
      Math.abs(current.data[i] - previous.data[i]),
      Math.abs(current.data[i + 1] - previous.data[i + 1]),
      Math.abs(current.data[i + 2] - previous.data[i + 2]),
    ) * scale;
    changed[p] = d > threshold ? 1 : 0;
  }
  const rows = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let any = 0;
      for (let k = Math.max(0, x - radius); k <= Math.min(width - 1, x + radius) && !any; k += 1) any = changed[y * width + k];
      rows[y * width + x] = any;
    }
  }
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      let any = 0;
      for (let k = Math.max(0, y - radius); k <= Math.min(height - 1, y + radius) && !any; k += 1) any = rows[k * width + x];
      mask[y * width + x] = any ? 0 : 1;
    }
  }
  return mask;
}

/** Sum of absolute differences (levels of 255, all channels) and pixel count over `mask` (all pixels without one). */
export function absoluteDifference(a: RgbFrame, b: RgbFrame, mask?: Uint8Array): { sum: number; pixels: number } {
  checkSameSize(a, b);
  const scale = levelScale(a);
  let sum = 0;
  let pixels = 0;
  for (let p = 0; p < a.width * a.height; p += 1) {
    if (mask && !mask[p]) continue;
    const i = p * 3;
    sum += (Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2])) * scale;
    pixels += 1;
  }
  return { sum, pixels };
}

/** Mean absolute difference per sample, in levels of 255, over `mask` (0 when the mask is empty). */
export function meanAbsoluteDifference(a: RgbFrame, b: RgbFrame, mask?: Uint8Array): number {
  const { sum, pixels } = absoluteDifference(a, b, mask);
  return pixels === 0 ? 0 : sum / (pixels * 3);
}

/** Flicker of `outputs` over the static regions of `sources` (same count and size). */
export function measureFlicker(sources: readonly RgbFrame[], outputs: readonly RgbFrame[], options: StaticMaskOptions = {}): FlickerMeasure {
  if (sources.length !== outputs.length || sources.length < 2) {
    throw new InvalidArgumentError(`Expected as many source as output frames, at least 2, but received ${sources.length} and ${outputs.length}.`);
  }
  let sum = 0;
  let pixels = 0;
  let total = 0;
  for (let t = 1; t < sources.length; t += 1) {
    const mask = staticMask(sources[t - 1], sources[t], options);
    const part = absoluteDifference(outputs[t - 1], outputs[t], mask);
    sum += part.sum;
    pixels += part.pixels;
    total += mask.length;
  }
  return { flicker: pixels === 0 ? 0 : sum / (pixels * 3), staticFraction: pixels / total, pairs: sources.length - 1 };
}
