// The chain plan against real runs: random chains (fast-check, fixed seed,
// a few runs) on small generated clips go through the real engine (ffmpeg,
// onnxruntime, the shared models), and the output's size, decoded frame
// count and duration equal what the plan said before any frame moved.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Step } from '../../../common/job-spec.ts';
import { toNumber } from '../../../common/rational.ts';
import { Engine } from '../../../engine/engine.ts';
import { probeMedia } from '../../../engine/media/probe.ts';
import { planInput } from '../../../engine/plan/plan-input.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { frameHashes } from '../jobs/jobs-helpers.ts';

const models = [
  modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx'),
  modelAsset('onnx/interpolation/rife-v4.6.onnx'),
  modelAsset('onnx/style-fast/candy.onnx'),
];

const upscale = fc.oneof(
  fc.record({ kind: fc.constant('upscale' as const), model: fc.constant('realesr-animevideo-xs-x2'), scale: fc.option(fc.constantFrom(1.5, 2), { nil: undefined }) }),
  fc.record({ kind: fc.constant('upscale' as const), model: fc.constant('realesr-animevideo-xs-x2'), width: fc.integer({ min: 20, max: 90 }) }),
);
const interpolate = fc.oneof(
  fc.record({ kind: fc.constant('interpolate' as const), model: fc.constant('rife-v4.6'), multiply: fc.constantFrom(2, 2.5) }),
  fc.record({ kind: fc.constant('interpolate' as const), model: fc.constant('rife-v4.6'), fps: fc.constantFrom('60', '24000/1001') }),
  fc.record({ kind: fc.constant('interpolate' as const), model: fc.constant('rife-v4.6'), slowmo: fc.constant(2) }),
);
const stylize = fc.record({ kind: fc.constant('stylize' as const), style: fc.constant('candy'), stabilize: fc.boolean() });
const clip = fc.record({
  frames: fc.integer({ min: 3, max: 7 }),
  width: fc.integer({ min: 24, max: 48 }),
  height: fc.integer({ min: 16, max: 36 }),
  rate: fc.constantFrom('25', '30000/1001', '24'),
});

describe.skipIf(models.some((model) => !model))('chain plan against real runs', () => {
  let temp: TempDir;
  let engine: Engine;
  beforeAll(async () => {
    temp = await makeTempDir();
    engine = await Engine.create({ cacheDir: temp.file('cache') });
  }, 60_000);
  afterAll(async () => {
    await engine?.dispose();
    await temp?.dispose();
  });

  it('plans the geometry, frame count and duration a real run writes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(clip, fc.array(fc.oneof(upscale, interpolate, stylize), { minLength: 1, maxLength: 2 }), async (shape, steps) => {
        run += 1;
        const input = await makeClip(temp.path, { ...shape, name: `clip-${run}.mkv`, container: 'mkv' });
        const batch = await engine.planBatch({ inputs: [input], output: temp.file(`out-${run}.mkv`), steps, outputSettings: { codec: 'ffv1', overwrite: true } });
        const item = batch.items[0];
        if (!item) throw new Error('planBatch planned no item');
        const { plan } = await planInput(item.input, item.steps as Step[], engine.catalog, { ffprobe: engine.ffmpegTools().ffprobe.path });
        const result = await engine.processItem(item, { signal: new AbortController().signal });
        const written = await probeMedia(result.output, { ffprobe: engine.ffmpegTools().ffprobe.path });
        const label = `${JSON.stringify(shape)} ${JSON.stringify(steps)}`;
        expect({ width: written.video.width, height: written.video.height }, label).toEqual({ width: plan.output.width, height: plan.output.height });
        expect((await frameHashes(result.output)).length, label).toBe(plan.output.frameCount);
        expect(result.framesWritten, label).toBe(plan.output.frameCount);
        expect(toNumber(written.video.frameRate), label).toBeCloseTo(toNumber(plan.output.frameRate), 6);
        // Matroska keeps millisecond timestamps: within one millisecond.
        expect(Math.abs(written.durationSeconds - toNumber(plan.outputDuration)), label).toBeLessThanOrEqual(0.0015);
      }),
      { seed: 20261207, numRuns: 5 },
    );
  }, 300_000);
});
