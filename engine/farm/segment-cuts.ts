// Where a farm job's video is cut. Two aims, neither needed for exactness
// (any border gives the frames of one machine, see video-segment.ts):
//
// - The slowest worker must not hold the end. Segments follow "factoring"
//   (Hummel, Schonberg and Flynn, 1992): rounds of one segment per worker,
//   each round's segments half of what is left divided by the workers, so
//   the last ones are short (a worker that takes the last segment finishes
//   soon after the others). The first rounds are capped at a quarter of an
//   even share per worker, so a killed worker's segment costs little to
//   redo and progress moves in steps.
//   No segment is shorter than `minFrames`, which the caller derives from
//   what a segment costs beyond its frames (the steps' context frames).
//   The chain plan's cost per output frame is the same along a chain, so
//   sizing by frames is sizing by estimated cost.
// - A worker's accurate seek decodes from the keyframe before its first
//   frame: a border whose decode starts on a keyframe (or a scene cut, where
//   encoders put keyframes) decodes nothing it throws away. Each border
//   moves to the nearest `preferred` output frame within `tolerance` of the
//   shorter segment beside it, keeping the order and no segment empty.
import { InvalidArgumentError } from '../../common/errors.ts';

export interface SegmentBorders {
  startFrame: number;
  frameCount: number;
}

export interface CutOptions {
  /** Output frames of the item. */
  frames: number;
  /** Workers the segments are spread over (at least 1). */
  workers: number;
  /** Shortest segment worth its overhead (default 8). */
  minFrames?: number;
  /** A fixed segment length instead of factoring (the last segment takes the remainder). */
  segmentFrames?: number;
  /** Output frames where a segment is cheapest to start (ascending or not; duplicates allowed). */
  preferred?: readonly number[];
  /** How far a border may move towards a preferred frame, as a fraction of the shorter segment beside it (default 0.25). */
  tolerance?: number;
}

const DEFAULT_MIN_FRAMES = 8;
const DEFAULT_TOLERANCE = 0.25;

function expectPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`Expected a positive integer for ${name} but received ${String(value)}.`);
}

/** Segment lengths before snapping: fixed, or factoring rounds down to minFrames. */
export function segmentLengths(frames: number, workers: number, minFrames: number, segmentFrames?: number): number[] {
  if (segmentFrames !== undefined) {
    const count = Math.max(1, Math.round(frames / segmentFrames));
    return Array.from({ length: count }, (_, index) => Math.floor(((index + 1) * frames) / count) - Math.floor((index * frames) / count));
  }
  const lengths: number[] = [];
  const longest = Math.max(minFrames, Math.ceil(frames / (4 * workers)));
  let remaining = frames;
  while (remaining > 0) {
    const size = Math.max(minFrames, Math.min(longest, Math.ceil(remaining / (2 * workers))));
    for (let worker = 0; worker < workers && remaining > 0; worker += 1) {
      const length = Math.min(size, remaining);
      lengths.push(length);
      remaining -= length;
    }
  }
  // A tail shorter than minFrames joins the segment before it.
  const last = lengths.at(-1) ?? 0;
  if (lengths.length > 1 && last < minFrames) {
    lengths.pop();
    lengths[lengths.length - 1] = (lengths.at(-1) ?? 0) + last;
  }
  return lengths;
}

/** The nearest value of sorted `values` to `target` within [low, high]; undefined when none lies there. */
function nearestWithin(values: readonly number[], target: number, low: number, high: number): number | undefined {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as number) < target) lo = mid + 1;
    else hi = mid;
  }
  const candidates = [values[lo - 1], values[lo]].filter((value): value is number => value !== undefined && value >= low && value <= high);
  candidates.sort((a, b) => Math.abs(a - target) - Math.abs(b - target) || a - b);
  return candidates[0];
}

/** The segments of an item: consecutive, covering [0, frames) once, none empty. */
export function chooseCuts(options: CutOptions): SegmentBorders[] {
  const { frames, workers } = options;
  expectPositiveInteger('the frame count', frames);
  expectPositiveInteger('the worker count', workers);
  const minFrames = options.minFrames ?? DEFAULT_MIN_FRAMES;
  expectPositiveInteger('the shortest segment', minFrames);
  if (options.segmentFrames !== undefined) expectPositiveInteger('the segment length', options.segmentFrames);
  const tolerance = options.tolerance ?? DEFAULT_TOLERANCE;
  if (!(tolerance >= 0 && tolerance < 0.5)) throw new InvalidArgumentError(`Expected a border tolerance from 0 to under 0.5 but received ${String(tolerance)}.`);
  const lengths = segmentLengths(frames, workers, minFrames, options.segmentFrames);
  const ideal: number[] = [0];
  for (const length of lengths) ideal.push((ideal.at(-1) as number) + length);
  const preferred = [...new Set(options.preferred ?? [])].filter((frame) => Number.isInteger(frame) && frame > 0 && frame < frames).sort((a, b) => a - b);
  const borders = [...ideal];
  for (let index = 1; index < borders.length - 1; index += 1) {
    const target = ideal[index] as number;
    const reach = Math.floor(tolerance * Math.min(target - (ideal[index - 1] as number), (ideal[index + 1] as number) - target));
    // Strictly after the border before (as moved) and before the next ideal border: order kept, nothing empty.
    const low = Math.max((borders[index - 1] as number) + 1, target - reach);
    const high = Math.min((ideal[index + 1] as number) - 1, target + reach);
    borders[index] = nearestWithin(preferred, target, low, high) ?? target;
  }
  const segments: SegmentBorders[] = [];
  for (let index = 0; index + 1 < borders.length; index += 1) {
    segments.push({ startFrame: borders[index] as number, frameCount: (borders[index + 1] as number) - (borders[index] as number) });
  }
  return segments;
}
