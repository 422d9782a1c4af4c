// Cheap per-frame facts for interpolation: is this frame a repeat of the
// previous one, and is there a scene cut before it. Both work on a small
// block-averaged luma thumbnail (at most 64 px wide), so they cost a fraction
// of a millisecond beside a RIFE run.
//
// Cut score, in 0..1: the mean of the luma histogram distance (total
// variation between 32-bin histograms: new content) and the mean absolute
// thumbnail difference (everything moved). Motion within a scene keeps the
// histogram and moves few pixels far; a cut changes both. A cut is a score at
// or above the threshold (default 0.12: on Big Buck Bunny consecutive frames
// score at most 0.015, while two shots of the same meadow seconds apart score
// 0.07 to 0.11, and a cut to different content 0.3 and more).
//
// Duplicate: compared on a finer luma image (at most 640 px wide), because a
// slow pan moves a thumbnail by a fraction of a pixel. What tells a lossy
// repeat from motion is how many pixels change visibly: measured on Big Buck
// Bunny, consecutive frames change 0.3 to 4.5% of their pixels by more than
// 8/255, while the repeats of the same clip drawn on twos and re-encoded
// (x264 crf 23) change at most 0.2% (with mean differences of 0.9 to 1.4/255,
// as large as slow motion's). A duplicate: under 0.25% of pixels changed by
// more than 8/255 and a mean difference under 2/255. (An object smaller than
// that moving over a still picture counts as a repeat.)
import type { RgbFrame } from '../media/frame.ts';
import type { FrameFacts } from './interpolation-timing.ts';

const THUMB_MAX_WIDTH = 64;
const HISTOGRAM_BINS = 32;
const DETAIL_MAX_WIDTH = 640;
const DUPLICATE_MEAN = 2;
const DUPLICATE_CHANGED_LEVEL = 8;
const DUPLICATE_CHANGED_FRACTION = 0.0025;
export const DEFAULT_SCENE_THRESHOLD = 0.12;

export interface FrameSignature {
  width: number;
  height: number;
  /** Block-averaged luma, 0..1. */
  luma: Float32Array;
  /** Normalised luma histogram (sums to 1). */
  histogram: Float32Array;
  /** Finer block-averaged luma, 0..255, for the duplicate test. */
  detail: Uint8Array;
}

function blockLuma(frame: RgbFrame, maxWidth: number): { width: number; height: number; values: Float32Array } {
  const block = Math.max(1, Math.ceil(frame.width / maxWidth));
  const width = Math.max(1, Math.floor(frame.width / block));
  const height = Math.max(1, Math.floor(frame.height / block));
  const values = new Float32Array(width * height);
  const scale = 1 / ((frame.bitDepth === 16 ? 65535 : 255) * block * block);
  const data = frame.data;
  const stride = frame.width * 3;
  for (let ty = 0; ty < height; ty += 1) {
    for (let tx = 0; tx < width; tx += 1) {
      let sum = 0;
      for (let y = ty * block; y < (ty + 1) * block; y += 1) {
        let s = y * stride + tx * block * 3;
        for (let x = 0; x < block; x += 1) {
          sum += 0.299 * data[s] + 0.587 * data[s + 1] + 0.114 * data[s + 2];
          s += 3;
        }
      }
      values[ty * width + tx] = sum * scale;
    }
  }
  return { width, height, values };
}

export interface FrameComparison {
  meanDifference: number;
  maxDifference: number;
  histogramDistance: number;
  sceneScore: number;
}

export function frameSignature(frame: RgbFrame): FrameSignature {
  const thumb = blockLuma(frame, THUMB_MAX_WIDTH);
  const histogram = new Float32Array(HISTOGRAM_BINS);
  for (const value of thumb.values) histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor(value * HISTOGRAM_BINS))] += 1;
  for (let bin = 0; bin < HISTOGRAM_BINS; bin += 1) histogram[bin] /= thumb.values.length;
  const fine = blockLuma(frame, DETAIL_MAX_WIDTH).values;
  const detail = new Uint8Array(fine.length);
  for (let i = 0; i < fine.length; i += 1) detail[i] = Math.round(fine[i] * 255);
  return { width: thumb.width, height: thumb.height, luma: thumb.values, histogram, detail };
}

export function compareSignatures(a: FrameSignature, b: FrameSignature): FrameComparison {
  if (a.width !== b.width || a.height !== b.height) {
    return { meanDifference: 1, maxDifference: 1, histogramDistance: 1, sceneScore: 1 };
  }
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.luma.length; i += 1) {
    const difference = Math.abs(a.luma[i] - b.luma[i]);
    sum += difference;
    if (difference > max) max = difference;
  }
  let histogramDistance = 0;
  for (let bin = 0; bin < HISTOGRAM_BINS; bin += 1) histogramDistance += Math.abs(a.histogram[bin] - b.histogram[bin]);
  histogramDistance /= 2;
  const meanDifference = sum / a.luma.length;
  return { meanDifference, maxDifference: max, histogramDistance, sceneScore: (histogramDistance + meanDifference) / 2 };
}

/** Facts about `current` given the frame before it (none for the first frame). */
/** Whether two frames show the same picture up to re-encoding noise. */
export function isDuplicate(a: FrameSignature, b: FrameSignature): boolean {
  if (a.detail.length !== b.detail.length) return false;
  let sum = 0;
  let changed = 0;
  for (let i = 0; i < a.detail.length; i += 1) {
    const difference = Math.abs(a.detail[i] - b.detail[i]);
    sum += difference;
    if (difference > DUPLICATE_CHANGED_LEVEL) changed += 1;
  }
  return sum / a.detail.length < DUPLICATE_MEAN && changed / a.detail.length < DUPLICATE_CHANGED_FRACTION;
}

export function frameFacts(previous: FrameSignature | undefined, current: FrameSignature, sceneThreshold: number): FrameFacts {
  if (!previous) return { duplicate: false, cut: false };
  const comparison = compareSignatures(previous, current);
  const duplicate = isDuplicate(previous, current);
  return { duplicate, cut: !duplicate && comparison.sceneScore >= sceneThreshold };
}
