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
// Duplicate: the thumbnails differ by under 1.5/255 on average and nowhere by
// more than 12/255 (so a small object moving over a still background is not a
// duplicate), which tolerates the noise of lossy re-encoding.
import type { RgbFrame } from '../media/frame.ts';
import type { FrameFacts } from './interpolation-timing.ts';

const THUMB_MAX_WIDTH = 64;
const HISTOGRAM_BINS = 32;
const DUPLICATE_MEAN = 1.5 / 255;
const DUPLICATE_MAX = 12 / 255;
export const DEFAULT_SCENE_THRESHOLD = 0.12;

export interface FrameSignature {
  width: number;
  height: number;
  /** Block-averaged luma, 0..1. */
  luma: Float32Array;
  /** Normalised luma histogram (sums to 1). */
  histogram: Float32Array;
}

export interface FrameComparison {
  meanDifference: number;
  maxDifference: number;
  histogramDistance: number;
  sceneScore: number;
}

export function frameSignature(frame: RgbFrame): FrameSignature {
  const block = Math.max(1, Math.ceil(frame.width / THUMB_MAX_WIDTH));
  const width = Math.max(1, Math.floor(frame.width / block));
  const height = Math.max(1, Math.floor(frame.height / block));
  const luma = new Float32Array(width * height);
  const histogram = new Float32Array(HISTOGRAM_BINS);
  const scale = 1 / (frame.bitDepth === 16 ? 65535 : 255);
  const data = frame.data;
  const stride = frame.width * 3;
  const perBlock = 1 / (block * block);
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
      const value = sum * perBlock * scale;
      luma[ty * width + tx] = value;
      histogram[Math.min(HISTOGRAM_BINS - 1, Math.floor(value * HISTOGRAM_BINS))] += 1;
    }
  }
  const count = width * height;
  for (let bin = 0; bin < HISTOGRAM_BINS; bin += 1) histogram[bin] /= count;
  return { width, height, luma, histogram };
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
export function frameFacts(previous: FrameSignature | undefined, current: FrameSignature, sceneThreshold: number): FrameFacts {
  if (!previous) return { duplicate: false, cut: false };
  const comparison = compareSignatures(previous, current);
  const duplicate = comparison.meanDifference < DUPLICATE_MEAN && comparison.maxDifference < DUPLICATE_MAX;
  return { duplicate, cut: !duplicate && comparison.sceneScore >= sceneThreshold };
}
