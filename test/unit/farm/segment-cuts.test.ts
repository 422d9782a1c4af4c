// The farm's cut chooser (engine/farm/segment-cuts.ts) and its batch rule
// (batch-split.ts): random frame counts, worker counts and keyframe sets
// (fast-check, fixed seed). The borders cover the frames exactly once, in
// order, none empty; a border moves only onto a preferred frame and only
// within its tolerance; segments shrink towards the end; and the chain
// plan's decode start agrees with its inverse.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Step } from '../../../common/job-spec.ts';
import { parseRational } from '../../../common/rational.ts';
import { minSegmentFrames, segmentsOf, sendsWhole } from '../../../engine/farm/batch-split.ts';
import { chooseCuts, segmentLengths } from '../../../engine/farm/segment-cuts.ts';
import { Catalog } from '../../../engine/models/catalog.ts';
import { outputFrameDecodingFrom, planChain, segmentDecodeStart, sourceFramesOf, type ChainPlan } from '../../../engine/plan/chain-plan.ts';

const SEED = 15_2026;

/** Where the segments fail to cover [0, frames) once, in order, none empty ('' when they do). */
function coverFault(segments: readonly { startFrame: number; frameCount: number }[], frames: number): string {
  let next = 0;
  for (const [index, segment] of segments.entries()) {
    if (segment.startFrame !== next) return `segment ${index} starts at ${segment.startFrame}, not ${next}`;
    if (!(Number.isInteger(segment.frameCount) && segment.frameCount > 0)) return `segment ${index} has ${segment.frameCount} frames`;
    next += segment.frameCount;
  }
  return next === frames ? '' : `the segments end at ${next}, not ${frames}`;
}

function expectCover(segments: readonly { startFrame: number; frameCount: number }[], frames: number): void {
  expect(coverFault(segments, frames)).toBe('');
}

describe('chooseCuts', () => {
  const options = fc.record({
    frames: fc.integer({ min: 1, max: 5000 }),
    workers: fc.integer({ min: 1, max: 40 }),
    minFrames: fc.integer({ min: 1, max: 64 }),
    segmentFrames: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
    preferred: fc.array(fc.integer({ min: -5, max: 5005 }), { maxLength: 200 }),
    tolerance: fc.constantFrom(0, 0.1, 0.25, 0.49),
  });

  it('covers the frames exactly once, in order, with no empty segment', () => {
    fc.assert(fc.property(options, (input) => {
      expectCover(chooseCuts(input), input.frames);
    }), { seed: SEED, numRuns: 2000 });
  });

  it('moves a border only onto a preferred frame, within its tolerance of the shorter segment beside it', () => {
    fc.assert(fc.property(options, (input) => {
      const lengths = segmentLengths(input.frames, input.workers, input.minFrames, input.segmentFrames);
      const ideal = [0];
      for (const length of lengths) ideal.push((ideal.at(-1) as number) + length);
      const cuts = chooseCuts(input);
      expect(cuts.length).toBe(lengths.length);
      for (const [index, cut] of cuts.entries()) {
        const target = ideal[index] as number;
        if (cut.startFrame === target) continue;
        const shorter = Math.min(target - (ideal[index - 1] as number), (ideal[index + 1] as number) - target);
        if (!input.preferred.includes(cut.startFrame) || Math.abs(cut.startFrame - target) > input.tolerance * shorter) {
          expect.fail(`border ${index} moved from ${target} to ${cut.startFrame} (preferred: ${input.preferred.includes(cut.startFrame)}, reach ${input.tolerance * shorter})`);
        }
      }
    }), { seed: SEED, numRuns: 2000 });
  });

  it('takes a preferred frame within reach rather than the computed border', () => {
    // 1000 frames, 2 workers: segments of 125 (the cap) until half is left, then 63, 31, ...:
    // borders 125, 250, 375, 500, 625, 750, 813; keyframes at 240, 400 and 610 are within reach, 300 is not.
    const starts = chooseCuts({ frames: 1000, workers: 2, minFrames: 8, preferred: [240, 300, 400, 610] }).map((cut) => cut.startFrame);
    expect(starts.slice(0, 8)).toEqual([0, 125, 240, 400, 500, 610, 750, 813]);
  });

  it('shrinks segments towards the end and keeps none under the shortest', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 64 }), (frames, workers, minFrames) => {
      const lengths = segmentLengths(frames, workers, minFrames);
      expect(lengths.reduce((sum, length) => sum + length, 0)).toBe(frames);
      // Non-increasing except the last, which may have taken a short tail.
      expect(lengths.slice(1, -1).every((length, index) => length <= (lengths[index] as number))).toBe(true);
      if (lengths.length > 1) expect(Math.min(...lengths)).toBeGreaterThanOrEqual(minFrames);
    }), { seed: SEED, numRuns: 500 });
    const film = segmentLengths(172_800, 8, 8);
    expect(film[0]).toBe(5400);
    expect(film.length).toBeLessThan(200);
    expect((film.at(-1) as number) * 100).toBeLessThan(film[0] as number);
  });

  it('refuses what is not a frame count, worker count or tolerance', () => {
    expect(() => chooseCuts({ frames: 0, workers: 1 })).toThrow(/frame count/);
    expect(() => chooseCuts({ frames: 10, workers: 0 })).toThrow(/worker count/);
    expect(() => chooseCuts({ frames: 10, workers: 1, tolerance: 0.5 })).toThrow(/tolerance/);
  });
});

describe('batch split and decode starts', () => {
  let catalog: Catalog;
  beforeAll(async () => {
    catalog = await Catalog.load();
  });
  const source = (frameCount: number) => ({ width: 64, height: 36, frameRate: parseRational('24'), frameCount, isImage: false });
  const interpolate: Step = { kind: 'interpolate', model: 'rife-v4.6', multiply: 2.5 } as Step;
  const upscale: Step = { kind: 'upscale', model: 'realesr-animevideov3-x4' } as Step;
  const stabilised: Step = { kind: 'stylize', style: 'candy' } as Step;

  it('a segment decodes from the frame under its start less the first step\'s context, and the inverse finds that start', () => {
    const plans: ChainPlan[] = [planChain([interpolate], source(400), catalog), planChain([upscale], source(400), catalog), planChain([{ ...interpolate, dedup: false } as Step, upscale], source(400), catalog)];
    for (const plan of plans) {
      const before = plan.resume === 'replay-first-step' ? (plan.steps[0] as ChainPlan['steps'][number]).context.before : 0;
      for (let output = 1; output < plan.output.frameCount; output += 1) {
        const start = segmentDecodeStart(plan, output);
        expect(start).toBe(Math.max(0, (sourceFramesOf(plan, output)[0] as number) - before));
        const found = outputFrameDecodingFrom(plan, start);
        expect(found).toBeDefined();
        expect(segmentDecodeStart(plan, found as number)).toBe(start);
        expect(found as number).toBeLessThanOrEqual(output);
      }
    }
    expect(segmentDecodeStart(planChain([stabilised], source(400), catalog), 300)).toBe(0);
  });

  it('cuts a long file at keyframes, sends short files of a large batch whole, and never cuts a stabilised stylize', () => {
    const plan = planChain([upscale], source(2400), catalog);
    const alone = segmentsOf({ plan, outputFrames: 2400, keyframes: [0, 250, 500, 750, 1000, 1250, 1500, 1750, 2000, 2250] }, { workers: 4, batch: { files: 1, frames: 2400 } });
    expectCover(alone, 2400);
    expect(alone.length).toBeGreaterThan(4);
    expect(alone.filter((cut) => cut.startFrame % 250 === 0).length).toBeGreaterThan(1);
    // Forty files of 2400 frames on 4 workers: each file whole.
    expect(sendsWhole(2400, plan, 4, { files: 40, frames: 96_000 })).toBe(true);
    expect(segmentsOf({ plan, outputFrames: 2400, keyframes: undefined }, { workers: 4, batch: { files: 40, frames: 96_000 } })).toEqual([{ startFrame: 0, frameCount: 2400 }]);
    // One long file among short ones is still cut.
    expect(sendsWhole(2400, plan, 4, { files: 8, frames: 2400 + 7 * 100 })).toBe(false);
    // A file shorter than two shortest segments goes whole.
    const short = planChain([interpolate], source(10), catalog);
    expect(minSegmentFrames(short)).toBe(24);
    expect(sendsWhole(short.output.frameCount, short, 4, { files: 1, frames: short.output.frameCount })).toBe(true);
    const stable = planChain([stabilised], source(2400), catalog);
    expect(segmentsOf({ plan: stable, outputFrames: 2400, keyframes: undefined }, { workers: 4, batch: { files: 1, frames: 2400 }, segmentFrames: 8 })).toEqual([{ startFrame: 0, frameCount: 2400 }]);
  });
});
