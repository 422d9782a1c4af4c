// Exact resume of chains that start with interpolation. The clip has a held
// frame (a duplicate run) and a scene cut at each of the first segment
// boundaries, so a resume that rebuilt the planner from the resume point
// alone would plan other pairs. With the real CLI: `framesmith run` is
// SIGKILLed once the manifest lists a finished segment, `framesmith resume`
// finishes it, and every decoded frame equals an uninterrupted run's (ffv1).
// With the stage itself, on a session that counts the real model's runs: a
// resumed run makes exactly the runs for output frames at or after the
// resume point, and yields those frames unchanged.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Step } from '../../../common/job-spec.ts';
import { rational } from '../../../common/rational.ts';
import type { ModelSession } from '../../../engine/inference/inference-backend.ts';
import { isResumableChain } from '../../../engine/jobs/resume-policy.ts';
import { locateTool } from '../../../engine/media/ffmpeg-locator.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { createInterpolationStage } from '../../../engine/tasks/interpolation.ts';
import { DEFAULT_SCENE_THRESHOLD, frameFacts, frameSignature, type FrameSignature } from '../../../engine/tasks/interpolation-scene.ts';
import { InterpolationPlanner, type FrameFacts, type InterpolationAction } from '../../../engine/tasks/interpolation-timing.ts';
import { runCli } from '../../helpers/cli-runner.ts';
import { makeTempDir, runFfmpeg, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { openRife, type RifeHarness } from '../interpolation/rife-helpers.ts';
import { frameHashes, jobEnv } from './jobs-helpers.ts';

const model = modelAsset('onnx/interpolation/rife-v4.6.onnx');
const STEP = 'interpolate:multiply=2';
const WIDTH = 64;
const HEIGHT = 48;
const FRAME_BYTES = WIDTH * HEIGHT * 3;
const run = promisify(execFile);

/** Scene A, B and C pictures by index: A2 held four frames, B2 three, cuts before 8 and 16. */
const ORDER: [string, number][] = [
  ['a', 0], ['a', 1], ['a', 2], ['a', 2], ['a', 2], ['a', 2], ['a', 3], ['a', 4],
  ['b', 0], ['b', 1], ['b', 2], ['b', 2], ['b', 2], ['b', 3], ['b', 4], ['b', 5],
  ['c', 0], ['c', 1], ['c', 2], ['c', 3], ['c', 4], ['c', 5], ['c', 6], ['c', 7],
];

async function makeResumeClip(temp: TempDir): Promise<string> {
  const scenes: Record<string, string[]> = {
    a: ['-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=24`, '-vf', 'scroll=horizontal=0.03,format=rgb24'],
    b: ['-f', 'lavfi', '-i', `smptebars=size=${WIDTH}x${HEIGHT}:rate=24`, '-vf', 'scroll=horizontal=0.05,format=rgb24'],
    c: ['-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=24`, '-vf', 'negate,scroll=vertical=0.04,format=rgb24'],
  };
  const pictures: Record<string, Buffer> = {};
  for (const [name, input] of Object.entries(scenes)) {
    const file = temp.file(`${name}.rgb`);
    await runFfmpeg([...input, '-frames:v', '8', '-f', 'rawvideo', '-pix_fmt', 'rgb24', file]);
    pictures[name] = await fs.readFile(file);
  }
  const sequence = Buffer.concat(ORDER.map(([scene, index]) => (pictures[scene] as Buffer).subarray(index * FRAME_BYTES, (index + 1) * FRAME_BYTES)));
  await fs.writeFile(temp.file('sequence.rgb'), sequence);
  const clip = temp.file('held-and-cut.mkv');
  await runFfmpeg(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${WIDTH}x${HEIGHT}`, '-r', '24', '-i', temp.file('sequence.rgb'), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip]);
  return clip;
}

/** The clip's frames as the decoder gives them (rgb24). */
async function decodeClip(file: string): Promise<RgbFrame[]> {
  const { stdout } = await run(locateTool('ffmpeg').path, ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  const frames: RgbFrame[] = [];
  for (let index = 0; index * FRAME_BYTES < stdout.length; index += 1) {
    frames.push({ width: WIDTH, height: HEIGHT, bitDepth: 8, index, data: new Uint8Array(stdout.subarray(index * FRAME_BYTES, (index + 1) * FRAME_BYTES)) });
  }
  return frames;
}

function factsOf(frames: readonly RgbFrame[]): FrameFacts[] {
  let previous: FrameSignature | undefined;
  return frames.map((frame) => {
    const signature = frameSignature(frame);
    const facts = frameFacts(previous, signature, DEFAULT_SCENE_THRESHOLD);
    previous = signature;
    return facts;
  });
}

function planOf(facts: readonly FrameFacts[], outputCount: number): InterpolationAction[] {
  const planner = new InterpolationPlanner({ step: rational(1, 2), outputCount, dedup: true });
  for (const fact of facts) planner.push(fact);
  planner.end();
  const actions: InterpolationAction[] = [];
  for (let action = planner.next(); action; action = planner.next()) actions.push(action);
  return actions;
}

/** An action in whole-clip numbering, for comparing plans that start at different frames. */
function describeAction(action: InterpolationAction, sourceOffset: number, outputOffset: number): string {
  if (action.kind === 'copy') return `${action.output + outputOffset} copy ${action.source + sourceOffset}`;
  return `${action.output + outputOffset} blend ${action.from + sourceOffset}-${action.to + sourceOffset} at ${action.t.num}/${action.t.den}`;
}

async function findManifest(dir: string): Promise<string | undefined> {
  const entries = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  const found = entries.find((entry) => path.basename(entry) === 'manifest.json');
  return found === undefined ? undefined : path.join(dir, found);
}

async function finishedFrames(manifestPath: string): Promise<number> {
  const text = await fs.readFile(manifestPath, 'utf8').catch(() => '');
  if (!text) return 0;
  try {
    const manifest = JSON.parse(text) as { segments: { frameCount: number }[] };
    return manifest.segments.reduce((sum, segment) => sum + segment.frameCount, 0);
  } catch {
    return 0;
  }
}

describe('which chains resume mid-video', () => {
  it('interpolation resumes only as the first step', () => {
    const interpolate = { kind: 'interpolate', multiply: 2 } as unknown as Step;
    const upscale = { kind: 'upscale', model: 'realesr-animevideo-xs-x2' } as unknown as Step;
    expect(isResumableChain([interpolate])).toBe(true);
    expect(isResumableChain([interpolate, upscale])).toBe(true);
    expect(isResumableChain([upscale, interpolate])).toBe(false);
    expect(isResumableChain([interpolate, interpolate])).toBe(false);
  });
});

describe.skipIf(!model)('interpolation resume', () => {
  let temp: TempDir;
  let clip: string;
  let source: RgbFrame[];

  beforeAll(async () => {
    temp = await makeTempDir();
    clip = await makeResumeClip(temp);
    source = await decodeClip(clip);
  }, 120_000);
  afterAll(async () => temp?.dispose());

  it('the clip holds frames and cuts scenes at the first segment boundaries', () => {
    const facts = factsOf(source);
    expect(source).toHaveLength(24);
    expect(facts.flatMap((fact, index) => (fact.duplicate ? [index] : []))).toEqual([3, 4, 5, 11, 12]);
    expect(facts.flatMap((fact, index) => (fact.cut ? [index] : []))).toEqual([8, 16]);
    // Inside a held run, a planner that knew only the frames from the resume point on would plan other pairs.
    for (const resumeAt of [8, 24]) {
      const fresh = planOf(facts.slice(resumeAt / 2), 48 - resumeAt).map((action) => describeAction(action, resumeAt / 2, resumeAt));
      const whole = planOf(facts, 48).slice(resumeAt).map((action) => describeAction(action, 0, 0));
      expect(fresh.slice(0, 4)).not.toEqual(whole.slice(0, 4));
    }
  });

  it('resumes a SIGKILLed CLI run from its last segment to the same frames', async () => {
    const base = temp.file('base.mkv');
    const full = await runCli(['run', clip, '--step', STEP, '--codec', 'ffv1', '-o', base, '--json'], { env: jobEnv(temp.file('data-base'), temp.file('cache')) });
    expect(full.code, full.stderr + full.stdout).toBe(0);
    const expected = await frameHashes(base);
    expect(expected).toHaveLength(48);

    const env = jobEnv(temp.file('data-kill'), temp.file('cache'));
    const output = temp.file('out.mkv');
    const workRoot = path.join(env.FRAMESMITH_DATA, 'work');
    let watching = false;
    let killed = false;
    const first = await runCli(['run', clip, '--step', STEP, '--codec', 'ffv1', '-o', output, '--json'], {
      env,
      onLine: (_line, child) => {
        if (watching) return;
        watching = true;
        const watch = setInterval(() => {
          void (async () => {
            const manifest = await findManifest(workRoot);
            const done = manifest ? await finishedFrames(manifest) : 0;
            if (done > 0 && !killed) {
              killed = true;
              child.kill('SIGKILL');
            }
            if (killed || child.exitCode !== null || child.signalCode !== null) clearInterval(watch);
          })();
        }, 5);
      },
    });
    expect(first.signal, first.stderr + first.stdout).toBe('SIGKILL');
    const manifest = await findManifest(workRoot);
    expect(manifest).toBeDefined();
    const resumeAt = await finishedFrames(manifest as string);
    expect(resumeAt).toBeGreaterThanOrEqual(8);
    expect(resumeAt).toBeLessThan(48);
    expect(resumeAt % 8).toBe(0);

    const resumed = await runCli(['resume', '--json'], { env });
    expect(resumed.code, resumed.stderr + resumed.stdout).toBe(0);
    expect(resumed.stdout).toContain(`Resuming after ${resumeAt} of 48 frames`);
    expect(resumed.stdout).toContain('replay its per-frame analysis');
    expect(resumed.stdout).not.toContain('starting again from the first frame');
    expect(await frameHashes(output)).toEqual(expected);
    expect(await fs.readdir(workRoot)).toEqual([]);
    const after = await runCli(['queue', '--json'], { env });
    expect(JSON.parse(after.stdout)).toEqual([]);
  }, 240_000);

  describe('the stage', () => {
    let rife: RifeHarness;
    beforeAll(async () => {
      rife = await openRife(model as string);
    }, 120_000);
    afterAll(async () => rife?.dispose());

    /** Runs the stage over the clip on a session that counts the real model's runs. */
    async function runStage(resumeAt?: number): Promise<{ frames: RgbFrame[]; runs: number }> {
      let runs = 0;
      const counting: ModelSession = {
        modelId: rife.session.modelId,
        report: rife.session.report,
        run: (inputs, options) => {
          runs += 1;
          return rife.session.run(inputs, options);
        },
        release: async () => undefined,
      };
      const stage = createInterpolationStage({ session: counting, manifest: rife.manifest, mode: { kind: 'multiply', factor: rational(2) } });
      const geometry = stage.outputGeometry({ width: WIDTH, height: HEIGHT, frameRate: rational(24), frameCount: source.length });
      expect(geometry.frameCount).toBe(48);
      if (resumeAt !== undefined) stage.resumeAt?.(resumeAt);
      async function* frames(): AsyncGenerator<RgbFrame> {
        yield* source;
      }
      const out: RgbFrame[] = [];
      for await (const frame of stage.run(frames(), new AbortController().signal)) out.push(frame);
      await stage.dispose();
      return { frames: out, runs };
    }

    /** Model runs a full plan makes for output frames before `outputFrame`. */
    function blendsBefore(outputFrame: number): number {
      return planOf(factsOf(source), 48).filter((action) => action.kind === 'blend' && action.output < outputFrame).length;
    }

    it('runs the model only for frames from the resume point on, and yields them unchanged', async () => {
      const full = await runStage();
      expect(full.frames.map((frame) => frame.index)).toEqual(Array.from({ length: 48 }, (_, index) => index));
      for (const resumeAt of [8, 24]) {
        const resumed = await runStage(resumeAt);
        expect(resumed.frames.map((frame) => frame.index)).toEqual(full.frames.slice(resumeAt).map((frame) => frame.index));
        for (const [offset, frame] of resumed.frames.entries()) {
          expect(Buffer.from(frame.data).equals(Buffer.from((full.frames[resumeAt + offset] as RgbFrame).data)), `output frame ${frame.index}`).toBe(true);
        }
        const skipped = blendsBefore(resumeAt);
        expect(skipped).toBeGreaterThan(0);
        expect(resumed.runs).toBe(full.runs - skipped);
      }
    }, 120_000);
  });
});
