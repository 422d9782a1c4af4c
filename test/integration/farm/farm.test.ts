// The render farm on a real Redis with real worker processes: a video job
// split into segments, rendered by several `framesmith worker` processes and
// joined by `framesmith run --farm` equals a run on one machine frame for
// frame (ffv1, lossless), for each kind of chain; and the faults a farm
// meets lose nothing: a worker SIGKILLed mid-segment, Redis restarted empty
// mid-job, the submitter killed and the job resumed, a worker whose model
// differs refusing the job with a reason.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, parseJsonLines, runCli, type CliResult, type CliRunOptions } from '../../helpers/cli-runner.ts';
import { makeClip, makeTempDir, runFfmpeg, type TempDir } from '../../helpers/media-fixtures.ts';
import { mediaAsset, modelAsset } from '../../helpers/shared-assets.ts';
import { frameHashes } from '../jobs/jobs-helpers.ts';
import { redisServerPath, startWorker, TestRedis, type WorkerHandle } from './farm-helpers.ts';

const redisBinary = redisServerPath();
const models = ['onnx/interpolation/rife-v4.6.onnx', 'onnx/style-fast/candy.onnx', 'onnx/style-fast/mosaic.onnx', 'onnx/super-resolution/realesr-animevideov3-x4.onnx', 'onnx/style-arbitrary/microast.onnx'];
const missing = models.filter((file) => !modelAsset(file));
const styleImage = mediaAsset('images/style/style_picasso.jpg');
const ready = redisBinary !== undefined && missing.length === 0 && styleImage !== undefined;
if (!ready) {
  console.warn(`*** SKIPPED render farm tests: ${redisBinary ? '' : 'redis-server is not installed (apt-get install redis-server); '}${missing.length ? `missing models ${missing.join(', ')}; ` : ''}${styleImage ? '' : 'missing the style image'}`);
}

const WIDTH = 48;
const HEIGHT = 32;
const FRAME_BYTES = WIDTH * HEIGHT * 3;

/** Held frames and scene cuts near every 8-frame border: a split that ignored them would plan other pairs. */
async function makeHeldAndCutClip(temp: TempDir, shared: string): Promise<string> {
  const order: [string, number][] = [
    ['a', 0], ['a', 1], ['a', 2], ['a', 2], ['a', 2], ['a', 2], ['a', 3], ['a', 4],
    ['b', 0], ['b', 1], ['b', 2], ['b', 2], ['b', 2], ['b', 3], ['b', 4], ['b', 5],
    ['c', 0], ['c', 1], ['c', 2], ['c', 3],
  ];
  const sources: Record<string, string> = {
    a: `testsrc2=size=${WIDTH}x${HEIGHT}:rate=24,scroll=horizontal=0.03`,
    b: `smptebars=size=${WIDTH}x${HEIGHT}:rate=24,scroll=horizontal=0.05`,
    c: `testsrc2=size=${WIDTH}x${HEIGHT}:rate=24,negate,scroll=vertical=0.04`,
  };
  const pictures: Record<string, Buffer> = {};
  for (const [name, source] of Object.entries(sources)) {
    const file = temp.file(`${name}.rgb`);
    await runFfmpeg(['-f', 'lavfi', '-i', `${source},format=rgb24`, '-frames:v', '8', '-f', 'rawvideo', '-pix_fmt', 'rgb24', file]);
    pictures[name] = await fs.readFile(file);
  }
  await fs.writeFile(temp.file('sequence.rgb'), Buffer.concat(order.map(([scene, index]) => (pictures[scene] as Buffer).subarray(index * FRAME_BYTES, (index + 1) * FRAME_BYTES))));
  const clip = path.join(shared, 'held-and-cut.mkv');
  await runFfmpeg(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${WIDTH}x${HEIGHT}`, '-r', '24', '-i', temp.file('sequence.rgb'), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip]);
  return clip;
}

describe.skipIf(!ready)('render farm', () => {
  let temp: TempDir;
  let shared: string;
  let clip: string;
  let heldClip: string;
  let style: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-farm-');
    shared = temp.file('shared');
    await fs.mkdir(shared);
    clip = await makeClip(shared, { frames: 24, width: WIDTH, height: HEIGHT, audio: true, container: 'mkv', rate: '24' });
    heldClip = await makeHeldAndCutClip(temp, shared);
    style = path.join(shared, 'style.jpg');
    await fs.copyFile(styleImage as string, style);
    env = { FRAMESMITH_DATA: temp.file('data'), FRAMESMITH_CACHE: temp.file('cache') };
  });

  afterAll(async () => {
    await temp?.dispose();
  });

  function localRun(input: string, steps: readonly string[], output: string): Promise<CliResult> {
    return runCli(['run', input, ...steps.flatMap((step) => ['--step', step]), '-o', output, '--codec', 'ffv1', '--json'], { env, timeoutMs: 300_000 });
  }

  function farmRun(redisUrl: string, input: string, steps: readonly string[], output: string, options: { segmentFrames?: number; onLine?: CliRunOptions['onLine']; runEnv?: Record<string, string> } = {}): Promise<CliResult> {
    return runCli([
      'run', input, ...steps.flatMap((step) => ['--step', step]), '-o', output, '--codec', 'ffv1', '--json',
      '--farm', redisUrl, '--shared-root', shared, '--segment-frames', String(options.segmentFrames ?? 8),
    ], { env: options.runEnv ?? env, timeoutMs: 300_000, onLine: options.onLine });
  }

  describe('two workers', () => {
    let redis: TestRedis;
    let workers: WorkerHandle[] = [];

    beforeAll(async () => {
      redis = await TestRedis.start(temp.path);
      workers = await Promise.all(['w1', 'w2'].map((name) => startWorker({ name, redisUrl: redis.url, sharedRoot: shared, env })));
    });

    afterAll(async () => {
      await Promise.all(workers.map((worker) => worker.stop()));
      await redis?.stop();
    });

    const chains: { name: string; steps: () => string[]; input: () => string; segments: 'many' | 'one' }[] = [
      { name: 'upscale', steps: () => ['upscale:model=realesr-animevideov3-x4'], input: () => clip, segments: 'many' },
      { name: 'fast style', steps: () => ['stylize:style=candy,stabilize=false'], input: () => clip, segments: 'many' },
      { name: 'arbitrary style', steps: () => [`stylize:style-image=${style},stabilize=false`], input: () => clip, segments: 'many' },
      { name: 'interpolation across held frames and cuts at segment borders', steps: () => ['interpolate:multiply=2'], input: () => heldClip, segments: 'many' },
      { name: 'interpolate then upscale', steps: () => ['interpolate:multiply=2', 'upscale:model=realesr-animevideov3-x4,scale=2'], input: () => heldClip, segments: 'many' },
      { name: 'stabilised stylize (one segment: state carried across frames)', steps: () => ['stylize:style=candy'], input: () => clip, segments: 'one' },
    ];

    for (const chain of chains) {
      it(`${chain.name}: equals one machine frame for frame`, async () => {
        const stem = chain.name.replace(/[^a-z]+/g, '-').slice(0, 40);
        const farmOut = temp.file(`${stem}-farm.mkv`);
        const localOut = temp.file(`${stem}-local.mkv`);
        const farm = await farmRun(redis.url, chain.input(), chain.steps(), farmOut);
        expect(farm.code, describeRun(farm)).toBe(0);
        const local = await localRun(chain.input(), chain.steps(), localOut);
        expect(local.code, describeRun(local)).toBe(0);
        const [farmFrames, localFrames] = await Promise.all([frameHashes(farmOut), frameHashes(localOut)]);
        expect(farmFrames.length).toBeGreaterThan(0);
        expect(farmFrames).toEqual(localFrames);
        const note = parseJsonLines(farm.stdout).find((event) => event.type === 'notice' && String(event.message).startsWith('farm job'));
        const segments = Number(/(\d+) segment/.exec(String(note?.message))?.[1]);
        if (chain.segments === 'many') expect(segments).toBeGreaterThan(1);
        else expect(segments).toBe(1);
        // Joined with the source's audio, and nothing left on the shared storage.
        expect(await fs.readdir(path.join(shared, '.framesmith-farm'))).toEqual([]);
      });
    }

    it('spreads the segments over both workers', () => {
      for (const worker of workers) expect(worker.events.filter((event) => event.type === 'segment-done').length, worker.name).toBeGreaterThan(0);
    });
  });

  describe('faults', () => {
    let redis: TestRedis;
    const started: WorkerHandle[] = [];
    const steps = ['stylize:style=candy,stabilize=false'];
    let reference: string[];

    beforeAll(async () => {
      redis = await TestRedis.start(temp.path);
      const localOut = temp.file('fault-reference.mkv');
      const local = await localRun(clip, steps, localOut);
      expect(local.code, describeRun(local)).toBe(0);
      reference = await frameHashes(localOut);
    });

    afterAll(async () => {
      await Promise.all(started.map((worker) => worker.stop('SIGKILL')));
      await redis?.stop();
    });

    async function worker(name: string, extraEnv: Record<string, string> = {}): Promise<WorkerHandle> {
      const handle = await startWorker({ name, redisUrl: redis.url, sharedRoot: shared, env: { ...env, ...extraEnv } });
      started.push(handle);
      return handle;
    }

    it('a worker SIGKILLed mid-segment: another takes its segment over, nothing lost or doubled', async () => {
      const victim = await worker('victim');
      const output = temp.file('kill-worker.mkv');
      const running = farmRun(redis.url, clip, steps, output);
      await victim.waitFor((event) => event.type === 'segment-start');
      await victim.stop('SIGKILL');
      const rescuer = await worker('rescuer');
      const result = await running;
      expect(result.code, describeRun(result)).toBe(0);
      expect(await frameHashes(output)).toEqual(reference);
      expect(rescuer.events.filter((event) => event.type === 'segment-done').length).toBeGreaterThan(0);
      await rescuer.stop();
    });

    it('Redis restarted empty mid-job: the submitter queues the lost segments again and the job goes on', async () => {
      const only = await worker('through-restart');
      const output = temp.file('redis-restart.mkv');
      const running = farmRun(redis.url, clip, steps, output);
      await only.waitFor((event) => event.type === 'segment-done');
      await redis.stop();
      await delay(500);
      await redis.launch();
      const result = await running;
      expect(result.code, describeRun(result)).toBe(0);
      expect(await frameHashes(output)).toEqual(reference);
      await only.stop();
    });

    it('the submitter killed: `resume --farm` picks the job up from the shared storage and joins it', async () => {
      const only = await worker('for-resume');
      const output = temp.file('resumed.mkv');
      let jobId = '';
      const killed = await farmRun(redis.url, clip, steps, output, {
        onLine: (line, child) => {
          const match = /farm job (fj-[a-z0-9]+)/.exec(line);
          if (match && !jobId) {
            jobId = match[1] as string;
            child.kill('SIGKILL');
          }
        },
      });
      expect(killed.signal).toBe('SIGKILL');
      await expect(fs.stat(output)).rejects.toThrow();
      const resumed = await runCli(['resume', '--farm', redis.url, '--shared-root', shared, '--json', jobId], { env, timeoutMs: 300_000 });
      expect(resumed.code, describeRun(resumed)).toBe(0);
      expect(await frameHashes(output)).toEqual(reference);
      await only.stop();
    });

    it('a worker whose model file differs refuses the segments with the reason, which fails the job', async () => {
      // The same model id, imported from two different files on the two machines.
      const submitterCache = temp.file('cache-submitter');
      const workerCache = temp.file('cache-other-model');
      for (const [cache, file] of [[submitterCache, 'candy'], [workerCache, 'mosaic']] as const) {
        const imported = await runCli(['models', 'import', modelAsset(`onnx/style-fast/${file}.onnx`) as string, '--id', 'house-style', '--task', 'style-fast', '--json'], { env: { ...env, FRAMESMITH_CACHE: cache } });
        expect(imported.code, describeRun(imported)).toBe(0);
      }
      const other = await worker('other-model', { FRAMESMITH_CACHE: workerCache });
      const result = await farmRun(redis.url, clip, ['stylize:style=house-style,stabilize=false'], temp.file('mismatch.mkv'), { runEnv: { ...env, FRAMESMITH_CACHE: submitterCache } });
      expect(result.code, describeRun(result)).toBe(1);
      const error = parseJsonLines(result.stdout).find((event) => event.type === 'error')?.error as { code: string; userMessage: string };
      expect(error.code).toBe('FARM_SEGMENT_FAILED');
      expect(error.userMessage).toMatch(/FARM_MISMATCH.*other-model.*house-style/);
      expect(other.events.some((event) => event.type === 'segment-done')).toBe(false);
      await other.stop();
    });
  });
});
