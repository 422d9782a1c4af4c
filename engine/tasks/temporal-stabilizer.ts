// Temporal stabilisation of stylised video. Per-frame style transfer
// flickers: a static part of the scene gets a slightly different texture in
// every frame, because the networks amplify tiny input changes (codec noise).
//
// Per pixel, where the source frame barely changed from the previous source
// frame, the new stylised output is blended toward the previous stabilised
// output (a recursive average, so static regions settle); where the source
// changed, the new output is taken as is, so moving objects leave no trail.
// The motion measure is the absolute luma difference of the two source
// frames, dilated (so the edges of a moving object count as moving) and
// box-blurred (so the mask is soft), mapped through a smooth ramp between
// two thresholds. Everything is in planar float RGB 0..1.
//
// Defaults chosen on Big Buck Bunny 320x180 (bench/flicker.ts, frames 0-59
// and 150-209, candy and MicroAST): blend 0.8 cut flicker by 51-60%, 0.9 by
// 61-72%; raising the thresholds (5/16, 6/20) gained nothing and let the
// output drift further from the plain one where the source moved.
import { InvalidArgumentError } from '../../common/errors.ts';
import { expectNonNegativeInteger, expectNumberInRange } from '../../common/validation.ts';
import { lumaPlane } from './style-colour.ts';

export interface TemporalStabilizerOptions {
  /** Weight of the previous output where the source is static, 0..1 (0 turns stabilisation off). Default 0.9. */
  blend?: number;
  /** Luma change (0..1) at or below which a pixel counts as static. Default 3/255. */
  staticThreshold?: number;
  /** Luma change (0..1) at or above which a pixel counts as moving. Default 10/255. */
  motionThreshold?: number;
  /** Radius of the dilation of the change map, in pixels. Default 2. */
  dilateRadius?: number;
  /** Radius of the box blur of the change map, in pixels. Default 2. */
  blurRadius?: number;
}

export const DEFAULT_STABILIZER_BLEND = 0.9;
export const DEFAULT_STATIC_THRESHOLD = 3 / 255;
export const DEFAULT_MOTION_THRESHOLD = 10 / 255;

function maxFilter(values: Float32Array, width: number, height: number, radius: number, scratch: Float32Array): void {
  if (radius <= 0) return;
  for (let y = 0; y < height; y += 1) {
    const row = y * width;
    for (let x = 0; x < width; x += 1) {
      const from = Math.max(0, x - radius);
      const to = Math.min(width - 1, x + radius);
      let best = values[row + from];
      for (let k = from + 1; k <= to; k += 1) if (values[row + k] > best) best = values[row + k];
      scratch[row + x] = best;
    }
  }
  for (let y = 0; y < height; y += 1) {
    const from = Math.max(0, y - radius);
    const to = Math.min(height - 1, y + radius);
    for (let x = 0; x < width; x += 1) {
      let best = scratch[from * width + x];
      for (let k = from + 1; k <= to; k += 1) {
        const value = scratch[k * width + x];
        if (value > best) best = value;
      }
      values[y * width + x] = best;
    }
  }
}

function boxBlur(values: Float32Array, width: number, height: number, radius: number, scratch: Float32Array): void {
  if (radius <= 0) return;
  for (let y = 0; y < height; y += 1) {
    const row = y * width;
    for (let x = 0; x < width; x += 1) {
      const from = Math.max(0, x - radius);
      const to = Math.min(width - 1, x + radius);
      let sum = 0;
      for (let k = from; k <= to; k += 1) sum += values[row + k];
      scratch[row + x] = sum / (to - from + 1);
    }
  }
  for (let y = 0; y < height; y += 1) {
    const from = Math.max(0, y - radius);
    const to = Math.min(height - 1, y + radius);
    for (let x = 0; x < width; x += 1) {
      let sum = 0;
      for (let k = from; k <= to; k += 1) sum += scratch[k * width + x];
      values[y * width + x] = sum / (to - from + 1);
    }
  }
}

/** Holds the previous source luma and stabilised output of one stream; feed frames in order. */
export class TemporalStabilizer {
  private readonly blend: number;
  private readonly staticThreshold: number;
  private readonly motionThreshold: number;
  private readonly dilateRadius: number;
  private readonly blurRadius: number;
  private width = 0;
  private height = 0;
  private previousLuma: Float32Array | undefined;
  private previousOutput: Float32Array | undefined;

  constructor(options: TemporalStabilizerOptions = {}) {
    this.blend = options.blend ?? DEFAULT_STABILIZER_BLEND;
    this.staticThreshold = options.staticThreshold ?? DEFAULT_STATIC_THRESHOLD;
    this.motionThreshold = options.motionThreshold ?? DEFAULT_MOTION_THRESHOLD;
    this.dilateRadius = options.dilateRadius ?? 2;
    this.blurRadius = options.blurRadius ?? 2;
    expectNumberInRange('the stabiliser blend', this.blend, 0, 1);
    expectNumberInRange('the static threshold', this.staticThreshold, 0, 1);
    expectNumberInRange('the motion threshold', this.motionThreshold, 0, 1);
    if (this.motionThreshold <= this.staticThreshold) {
      throw new InvalidArgumentError(`The motion threshold (${this.motionThreshold}) must be above the static threshold (${this.staticThreshold}).`);
    }
    expectNonNegativeInteger('the dilate radius', this.dilateRadius);
    expectNonNegativeInteger('the blur radius', this.blurRadius);
  }

  /**
   * Per pixel 0..1: how much of the previous output a pixel keeps, given the
   * source luma of this frame and the last one (0 where the source moved).
   */
  private keepWeights(luma: Float32Array, previous: Float32Array): Float32Array {
    const plane = luma.length;
    const change = new Float32Array(plane);
    for (let i = 0; i < plane; i += 1) change[i] = Math.abs(luma[i] - previous[i]);
    const scratch = new Float32Array(plane);
    maxFilter(change, this.width, this.height, this.dilateRadius, scratch);
    boxBlur(change, this.width, this.height, this.blurRadius, scratch);
    const low = this.staticThreshold;
    const span = this.motionThreshold - this.staticThreshold;
    for (let i = 0; i < plane; i += 1) {
      const t = (change[i] - low) / span;
      const motion = t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
      change[i] = this.blend * (1 - motion);
    }
    return change;
  }

  /**
   * The stabilised output for this frame (a new array), given the source
   * frame and its stylisation, both planar RGB 0..1 of width x height. The
   * first frame, and a frame whose size differs from the last, pass through.
   * The result is kept as the next frame's reference: do not modify it.
   */
  apply(source: Float32Array, stylised: Float32Array, width: number, height: number): Float32Array {
    const plane = width * height;
    if (source.length !== 3 * plane || stylised.length !== 3 * plane) {
      throw new InvalidArgumentError(`Expected planar RGB of ${3 * plane} samples for ${width}x${height} but received ${source.length} and ${stylised.length}.`);
    }
    const luma = lumaPlane(source, plane);
    let output: Float32Array;
    if (!this.previousLuma || !this.previousOutput || width !== this.width || height !== this.height || this.blend === 0) {
      output = new Float32Array(stylised);
    } else {
      const keep = this.keepWeights(luma, this.previousLuma);
      const previous = this.previousOutput;
      output = new Float32Array(3 * plane);
      for (let c = 0; c < 3; c += 1) {
        const offset = c * plane;
        for (let i = 0; i < plane; i += 1) {
          const w = keep[i];
          output[offset + i] = stylised[offset + i] + w * (previous[offset + i] - stylised[offset + i]);
        }
      }
    }
    this.width = width;
    this.height = height;
    this.previousLuma = luma;
    this.previousOutput = output;
    return output;
  }

  /** Forgets the previous frame (after a seek or a new stream). */
  reset(): void {
    this.previousLuma = undefined;
    this.previousOutput = undefined;
  }
}
