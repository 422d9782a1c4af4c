// How the farm splits each file of a batch: the one place that decides
// between a whole file and cuts.
//
// A file goes as one segment (whole) when
// - its chain cannot be cut ('restart': stabilised stylize), or
// - it is shorter than two shortest segments (cutting it buys overhead), or
// - the batch has at least two files per worker and the file is at most an
//   even share of the batch per two workers: whole files then keep every
//   worker busy, and none is long enough to hold the end.
// Otherwise it is cut with chooseCuts (segment-cuts.ts): lengths from the
// workers and the steps' context, borders moved to frames whose decode
// starts on a keyframe.
import type { ChainPlan } from '../plan/chain-plan.ts';
import { outputFrameDecodingFrom } from '../plan/chain-plan.ts';
import { chooseCuts, type SegmentBorders } from './segment-cuts.ts';

/** The shortest segment for a chain with no context: a segment's fixed costs (a seek, the encoder's start, a part file) stay small beside it. */
const MIN_SEGMENT_FRAMES = 8;
/** A segment is at least this many times the context frames it decodes and throws away. */
const CONTEXT_SHARE = 4;

export interface BatchShape {
  /** Files in the batch. */
  files: number;
  /** Output frames of the whole batch. */
  frames: number;
}

/** What segmentsOf needs of a file's segment plan (Engine.segmentPlan). */
export interface SplitInput {
  plan: ChainPlan;
  outputFrames: number;
  /** Keyframes of the source, as frame numbers; undefined when unknown. */
  keyframes: readonly number[] | undefined;
}

/** The shortest segment worth its overhead for this chain. */
export function minSegmentFrames(plan: ChainPlan): number {
  const context = plan.steps.reduce((sum, step) => sum + step.context.before + step.context.after, 0);
  return Math.max(MIN_SEGMENT_FRAMES, CONTEXT_SHARE * context);
}

/** Whether a file of `frames` output frames goes to one worker whole (see the header). */
export function sendsWhole(frames: number, plan: ChainPlan, workers: number, batch: BatchShape): boolean {
  if (plan.resume === 'restart') return true;
  if (frames < 2 * minSegmentFrames(plan)) return true;
  return batch.files >= 2 * workers && frames <= batch.frames / (2 * workers);
}

/** The segments of one file of a batch. `segmentFrames` asks for a fixed length where the file is cut. */
export function segmentsOf(input: SplitInput, options: { workers: number; batch: BatchShape; segmentFrames?: number }): SegmentBorders[] {
  const frames = input.outputFrames;
  if (sendsWhole(frames, input.plan, options.workers, options.batch) && (options.segmentFrames === undefined || input.plan.resume === 'restart')) {
    return [{ startFrame: 0, frameCount: frames }];
  }
  const preferred: number[] = [];
  for (const keyframe of input.keyframes ?? []) {
    const frame = outputFrameDecodingFrom(input.plan, keyframe);
    if (frame !== undefined) preferred.push(frame);
  }
  return chooseCuts({ frames, workers: options.workers, minFrames: minSegmentFrames(input.plan), segmentFrames: options.segmentFrames, preferred });
}
