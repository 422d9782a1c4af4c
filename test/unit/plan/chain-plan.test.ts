// The chain plan's arithmetic, against independent counts: geometry after
// each step, model runs of an interpolation against a brute-force walk of
// its positions, frame mapping against each step's own positions, resume
// modes, and an upscale's target size. Random chains (fast-check, fixed
// seed) over random sources.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Step } from '../../../common/job-spec.ts';
import { parseRational, rational, toNumber, type Rational } from '../../../common/rational.ts';
import { Catalog } from '../../../engine/models/catalog.ts';
import { typicalVideoBytes, VIDEO_BYTES_PER_PIXEL } from '../../../engine/media/output-size.ts';
import { modelMilliseconds, planChain, resumeModeOf, sourceFramesOf, sourcePositionOf, stepContext, typicalOutputBytes, type PlanSource } from '../../../engine/plan/chain-plan.ts';
import { estimateOutputBytes } from '../../../engine/jobs/disk-space.ts';
import { sourcePosition } from '../../../engine/tasks/interpolation-timing.ts';

const RATES = ['25', '30000/1001', '24', '50'];

const upscale = fc.oneof(
  fc.record({ kind: fc.constant('upscale' as const), model: fc.constant('realesr-animevideo-xs-x2'), scale: fc.option(fc.constantFrom(1, 1.5, 2, 3), { nil: undefined }) }),
  fc.record({ kind: fc.constant('upscale' as const), model: fc.constant('realesr-animevideov3-x4'), width: fc.integer({ min: 8, max: 400 }) }),
  fc.record({ kind: fc.constant('upscale' as const), model: fc.constant('realesr-animevideov3-x4'), height: fc.integer({ min: 8, max: 400 }) }),
);
const interpolate = fc.oneof(
  fc.record({ kind: fc.constant('interpolate' as const), model: fc.constant('rife-v4.6'), multiply: fc.constantFrom(2, 2.5, 3, 4), dedup: fc.boolean(), quality: fc.boolean() }),
  fc.record({ kind: fc.constant('interpolate' as const), model: fc.constant('rife-v4.6'), fps: fc.constantFrom('60', '24000/1001', '48', '12'), dedup: fc.boolean(), quality: fc.boolean() }),
  fc.record({ kind: fc.constant('interpolate' as const), model: fc.constant('rife-v4.6'), slowmo: fc.constantFrom(2, 4), dedup: fc.boolean(), quality: fc.boolean() }),
);
const stylize = fc.record({ kind: fc.constant('stylize' as const), style: fc.constant('candy'), stabilize: fc.boolean() });
const chain = fc.array(fc.oneof(upscale, interpolate, stylize), { minLength: 1, maxLength: 4 });
const source = fc.record({
  width: fc.integer({ min: 1, max: 300 }),
  height: fc.integer({ min: 1, max: 300 }),
  frameRate: fc.constantFrom(...RATES).map(parseRational),
  frameCount: fc.integer({ min: 0, max: 400 }),
  isImage: fc.constant(false),
});

function less(a: Rational, b: Rational): boolean {
  return a.num * b.den < b.num * a.den;
}

describe('chain plan', () => {
  let catalog: Catalog;
  beforeAll(async () => {
    catalog = await Catalog.load();
  });

  it('counts an interpolation\'s model runs as a walk over its positions does', () => {
    fc.assert(
      fc.property(source, interpolate, (input: PlanSource, step) => {
        const plan = planChain([step as Step], input, catalog);
        const planned = plan.steps[0];
        if (!planned) throw new Error('no step planned');
        let between = 0;
        for (let output = 0; output < planned.output.frameCount; output += 1) {
          const { frame, num } = sourcePosition(output, planned.step);
          if (num !== 0 && frame < input.frameCount - 1) between += 1;
        }
        expect(planned.modelRuns).toBe(between * (step.quality ? 3 : 1));
        expect(toNumber(plan.outputDuration)).toBeCloseTo(planned.output.frameCount / toNumber(planned.output.frameRate), 9);
      }),
      { seed: 1207, numRuns: 200 },
    );
  });

  it('maps every output frame to a source position inside the source, moving forward', () => {
    fc.assert(
      fc.property(source.filter((input) => input.frameCount > 0), chain, (input: PlanSource, steps) => {
        const plan = planChain(steps as Step[], input, catalog);
        let previous = rational(0);
        const last = Math.min(plan.output.frameCount, 120);
        for (let output = 0; output < last; output += 1) {
          const position = sourcePositionOf(plan, output);
          expect(less(position, previous)).toBe(false);
          expect(toNumber(position)).toBeLessThanOrEqual(input.frameCount - 1);
          const frames = sourceFramesOf(plan, output);
          expect(frames[0]).toBe(Math.floor(toNumber(position)));
          previous = position;
        }
        // The chain's geometry is each step's output in turn.
        for (const [index, step] of plan.steps.entries()) {
          expect(step.input).toEqual(index === 0 ? { width: input.width, height: input.height, frameRate: input.frameRate, frameCount: input.frameCount } : plan.steps[index - 1]?.output);
        }
        expect(plan.output).toEqual(plan.steps.at(-1)?.output);
      }),
      { seed: 712, numRuns: 50 },
    );
  });

  it('gives an upscale\'s target width and height, not the model\'s scale', () => {
    const input: PlanSource = { width: 64, height: 48, frameRate: rational(25), frameCount: 10, isImage: false };
    const wide = planChain([{ kind: 'upscale', model: 'realesr-animevideo-xs-x2', width: 1000 } as Step], input, catalog);
    expect(wide.output).toMatchObject({ width: 1000, height: 750, frameCount: 10 });
    const tall = planChain([{ kind: 'upscale', model: 'realesr-animevideov3-x4', height: 96 } as Step], input, catalog);
    expect(tall.output).toMatchObject({ width: 128, height: 96 });
    const own = planChain([{ kind: 'upscale', model: 'realesr-animevideov3-x4' } as Step], input, catalog);
    expect(own.output).toMatchObject({ width: 256, height: 192 });
    const bytes = typicalOutputBytes(wide, { codec: 'h264' });
    expect(bytes).toBe(Math.ceil(1000 * 750 * 10 * VIDEO_BYTES_PER_PIXEL.h264));
    expect(estimateOutputBytes({ width: 1000, height: 750, frameCount: 10, codec: 'h264', carriedBytes: 0 })).toBeGreaterThan(bytes);
    expect(typicalVideoBytes({ width: 1000, height: 750, frameCount: 10, codec: 'h264', bitDepth: 16 })).toBeGreaterThan(bytes);
  });

  it('names each step\'s context at a cut and the resume mode it allows', () => {
    const up: Step = { kind: 'upscale', model: 'realesr-animevideo-xs-x2' } as Step;
    const inter = { kind: 'interpolate', model: 'rife-v4.6', multiply: 2, dedup: true, quality: false } as Step;
    const stable = { kind: 'stylize', style: 'candy' } as Step;
    const plain = { kind: 'stylize', style: 'candy', stabilize: false } as Step;
    expect(stepContext(up)).toMatchObject({ before: 0, after: 0, fromStart: false });
    expect(stepContext(inter)).toMatchObject({ before: 5, after: 1, afterSpansDuplicates: true, replaysFacts: true });
    expect(stepContext(stable)).toMatchObject({ fromStart: true });
    expect(stepContext(stable).before).toBeGreaterThan(0);
    expect(stepContext(stable, false)).toMatchObject({ before: 0, fromStart: false });
    expect(resumeModeOf([up, plain])).toBe('exact');
    expect(resumeModeOf([inter, up])).toBe('replay-first-step');
    expect(resumeModeOf([up, inter])).toBe('restart');
    expect(resumeModeOf([stable])).toBe('restart');
    expect(resumeModeOf([stable], false)).toBe('exact');
  });

  it('prices model time from per-run costs, and knows when a model was never measured', () => {
    const input: PlanSource = { width: 100, height: 50, frameRate: rational(25), frameCount: 9, isImage: false };
    const plan = planChain([{ kind: 'interpolate', model: 'rife-v4.6', multiply: 2, dedup: true, quality: false } as Step, { kind: 'stylize', style: 'candy', stabilize: false } as Step], input, catalog);
    expect(plan.steps.map((step) => step.modelRuns)).toEqual([8, 18]);
    expect(modelMilliseconds(plan, () => 10)).toBe(260);
    expect(modelMilliseconds(plan, (model) => (model === 'rife-v4.6' ? 10 : undefined))).toBeNull();
  });

  it('refuses a source it cannot plan, saying what it expected', () => {
    const bad: PlanSource = { width: 0, height: 48, frameRate: rational(25), frameCount: 10, isImage: false };
    expect(() => planChain([], bad, catalog)).toThrow(/Expected a positive integer size/);
  });
});
