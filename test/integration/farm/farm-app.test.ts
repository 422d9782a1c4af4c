// The farm from the app's side, through the typed API as the page uses it:
// a real AppService (durable queue, settings) over a real redis-server and
// two real `framesmith worker` processes. A video job queued with
// renderOn 'farm' runs through the farm executor and equals the same job
// rendered on this machine frame for frame (ffv1, lossless); progress events
// count the workers' frames; farm:status lists the workers and the job's
// segments while it runs; cancel stops it and leaves neither an output nor
// the farm job; farm:test names the reason when the farm cannot be used,
// and the Redis password never comes back in clear.
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmStatusView } from '../../../common/api/api-types.ts';
import { REDIS_PASSWORD_MASK, type ApiChannel, type RequestIn, type ResponseOf } from '../../../common/api/contract.ts';
import type { Result } from '../../../common/errors.ts';
import type { JobEvent, JobSnapshot } from '../../../common/jobs.ts';
import { ApiDispatcher, AppService, Engine } from '../../../engine/index.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { frameHashes } from '../jobs/jobs-helpers.ts';
import { redisServerPath, startWorker, TestRedis, type WorkerHandle } from './farm-helpers.ts';

const redisBinary = redisServerPath();
const model = modelAsset('onnx/style-fast/candy.onnx');
const slowModel = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const ready = redisBinary !== undefined && model !== undefined && slowModel !== undefined;
if (!ready) console.warn(`*** SKIPPED farm app tests: ${redisBinary ? '' : 'redis-server is not installed (apt-get install redis-server); '}${model && slowModel ? '' : 'missing the candy or realesr-animevideov3-x4 model'}`);

const STEPS = [{ kind: 'stylize' as const, style: 'candy', stabilize: false }];

describe.skipIf(!ready)('render farm from the app (API, queue, settings)', () => {
  let temp: TempDir;
  let shared: string;
  let clip: string;
  let redis: TestRedis;
  let workers: WorkerHandle[] = [];
  let engine: Engine;
  let service: AppService;
  let dispatcher: ApiDispatcher;
  const events: JobEvent[] = [];

  async function call<C extends ApiChannel>(channel: C, request?: RequestIn<C>): Promise<ResponseOf<C>> {
    const result = (await dispatcher.dispatch(channel, request, { signal: new AbortController().signal })) as Result<ResponseOf<C>>;
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.userMessage}`);
    return result.value;
  }

  async function until(job: JobSnapshot, states: readonly string[], timeoutMs = 240_000): Promise<JobSnapshot> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const now = service.queue.get(job.id);
      if (states.includes(now.state)) return now;
      if (Date.now() > end) throw new Error(`job ${job.id} still ${now.state}: ${JSON.stringify(now.error)}`);
      await delay(100);
    }
  }

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-farm-app-');
    shared = temp.file('shared');
    await fs.mkdir(shared);
    clip = await makeClip(shared, { name: 'clip.mkv', frames: 24, width: 160, height: 90, audio: true, container: 'mkv', rate: '24' });
    const env = { FRAMESMITH_DATA: temp.file('worker-data'), FRAMESMITH_CACHE: temp.file('cache') };
    redis = await TestRedis.start(temp.path);
    workers = await Promise.all(['app-w1', 'app-w2'].map((name) => startWorker({ name, redisUrl: redis.url, sharedRoot: shared, env })));
    engine = await Engine.create({ cacheDir: temp.file('cache') });
    service = await AppService.open({ engine, dataDir: temp.file('data'), cacheDir: temp.file('cache'), host: { kind: 'browser', version: 'test' }, farm: { segmentFrames: 8, pollMs: 200 } });
    service.subscribe('jobs', (event) => events.push(event));
    dispatcher = new ApiDispatcher(service.handlers());
  }, 120_000);

  afterAll(async () => {
    await service?.dispose();
    await engine?.dispose();
    await Promise.all(workers.map((worker) => worker.stop()));
    await redis?.stop();
    await temp?.dispose();
  });

  it('refuses a farm job while no farm is set, and farm:status says none is configured', async () => {
    const status = await call('farm:status');
    expect(status).toMatchObject({ configured: false, problem: 'not-configured', workers: [], jobs: [] });
    const refused = await dispatcher.dispatch('jobs:enqueue', { inputs: [clip], steps: STEPS, renderOn: 'farm' }, { signal: new AbortController().signal });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    if (!refused.ok) expect(refused.error.userMessage).toMatch(/no farm is set up/);
  });

  it('farm:test names why a farm cannot be used', async () => {
    const closedPort = `redis://127.0.0.1:${redis.port === 65535 ? 1 : redis.port + 1}`;
    expect(await call('farm:test', { redisUrl: closedPort, sharedRoot: shared })).toMatchObject({ ok: false, problem: 'unreachable' });
    expect(await call('farm:test', { redisUrl: redis.url, sharedRoot: temp.file('no-such-folder') })).toMatchObject({ ok: false, problem: 'shared-root-missing' });
    expect(await call('farm:test', { redisUrl: redis.url, sharedRoot: shared })).toEqual({ ok: true, problem: null, detail: null, workers: 2 });
  });

  it('renders a video job on the farm equal to this machine frame for frame, with progress and farm:status', async () => {
    await call('settings:set', { farm: { redisUrl: redis.url, sharedRoot: shared } });
    const farmJob = await call('jobs:enqueue', { inputs: [clip], steps: STEPS, outputPath: temp.file('farm-out.mkv'), outputSettings: { codec: 'ffv1' }, renderOn: 'farm' });
    expect(farmJob.spec.renderOn).toBe('farm');
    // The workers panel's view while it runs: both workers, the job's segments by state.
    let seen: FarmStatusView | undefined;
    for (let tries = 0; tries < 600 && !seen; tries += 1) {
      const status = await call('farm:status');
      if (status.jobs.length > 0) seen = status;
      else if (service.queue.get(farmJob.id).state === 'completed') break;
      else await delay(50);
    }
    expect(seen, 'farm:status listed the farm job while it ran').toBeDefined();
    expect(seen?.workers.map((worker) => worker.name)).toEqual(['app-w1', 'app-w2']);
    expect(seen?.workers.every((worker) => worker.host.length > 0 && worker.provider.length > 0)).toBe(true);
    expect(seen?.jobs[0]?.segments.length).toBe(3);
    expect(seen?.jobs[0]?.framesTotal).toBe(24);
    expect(seen?.jobs[0]?.input).toBe('clip.mkv');
    const done = await until(farmJob, ['completed', 'failed', 'cancelled']);
    expect(done.state, JSON.stringify(done.error)).toBe('completed');

    const localJob = await call('jobs:enqueue', { inputs: [clip], steps: STEPS, outputPath: temp.file('local-out.mkv'), outputSettings: { codec: 'ffv1' } });
    expect((await until(localJob, ['completed', 'failed'])).state).toBe('completed');
    const [farmFrames, localFrames] = await Promise.all([frameHashes(temp.file('farm-out.mkv')), frameHashes(temp.file('local-out.mkv'))]);
    expect(farmFrames.length).toBe(24);
    expect(farmFrames).toEqual(localFrames);

    const progress = events.filter((event) => event.type === 'progress' && event.jobId === farmJob.id).map((event) => (event.type === 'progress' ? event.progress : undefined));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((entry) => entry?.framesTotal === 24)).toBe(true);
    expect(progress.at(-1)?.framesDone).toBe(24);
    expect(progress.some((entry) => (entry?.framesDone ?? 0) > 0 && (entry?.framesDone ?? 0) < 24 && entry?.etaMs !== null)).toBe(true);
    // Both workers rendered segments; nothing is left on the shared storage or in the farm's list.
    for (const worker of workers) expect(worker.events.some((event) => event.type === 'segment-done'), worker.name).toBe(true);
    expect(await fs.readdir(path.join(shared, '.framesmith-farm'))).toEqual([]);
    expect((await call('farm:status')).jobs).toEqual([]);
  }, 300_000);

  it('images of a farm job render on this machine', async () => {
    const still = temp.file('still.png');
    spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=64x48', '-frames:v', '1', still]);
    const job = await call('jobs:enqueue', { inputs: [still], steps: STEPS, outputFolder: temp.file('stills'), renderOn: 'farm' });
    expect((await until(job, ['completed', 'failed'])).state).toBe('completed');
    expect((await fs.readdir(temp.file('stills'))).length).toBe(1);
  }, 120_000);

  it('cancel stops following, removes the farm job and leaves no output', async () => {
    const longer = await makeClip(shared, { name: 'longer.mkv', frames: 48, width: 160, height: 90, container: 'mkv', rate: '24' });
    const output = temp.file('cancelled.mkv');
    // A slow chain (x4 upscale), cancelled as soon as a worker starts a segment of it.
    const started = workers.map((worker) => worker.events.filter((event) => event.type === 'segment-start').length);
    const job = await call('jobs:enqueue', { inputs: [longer], steps: [{ kind: 'upscale', model: 'realesr-animevideov3-x4' }], outputPath: output, outputSettings: { codec: 'ffv1' }, renderOn: 'farm' });
    await expect.poll(() => workers.some((worker, index) => worker.events.filter((event) => event.type === 'segment-start').length > (started[index] ?? 0)), { timeout: 60_000, interval: 20 }).toBe(true);
    const cancelled = await call('jobs:cancel', { id: job.id });
    expect(cancelled.state).toBe('cancelled');
    await expect(fs.stat(output)).rejects.toThrow();
    // The sweep removes what a worker still held once it lets go.
    for (let tries = 0; tries < 600; tries += 1) {
      if ((await fs.readdir(path.join(shared, '.framesmith-farm'))).length === 0) break;
      await delay(100);
    }
    expect(await fs.readdir(path.join(shared, '.framesmith-farm'))).toEqual([]);
    expect((await call('farm:status')).jobs).toEqual([]);
    expect((await fs.readdir(temp.path)).filter((name) => name.startsWith('cancelled'))).toEqual([]);
  }, 180_000);

  it('pause holds the waiting segments, resume finishes; an interrupted job follows its farm job again', async () => {
    const clip48 = await makeClip(shared, { name: 'paused.mkv', frames: 48, width: 160, height: 90, container: 'mkv', rate: '24' });
    const output = temp.file('paused-out.mkv');
    const job = await call('jobs:enqueue', { inputs: [clip48], steps: STEPS, outputPath: output, outputSettings: { codec: 'ffv1' }, renderOn: 'farm' });
    await until(job, ['running']);
    for (let tries = 0; tries < 600; tries += 1) {
      if ((await call('farm:status')).jobs.length > 0) break;
      await delay(50);
    }
    await call('jobs:pause', { id: job.id });
    const logs = () => events.filter((event) => event.type === 'log' && event.jobId === job.id).map((event) => (event.type === 'log' ? event.message : ''));
    await expect.poll(() => logs().some((message) => message.includes('Paused:')), { timeout: 30_000 }).toBe(true);
    const held = await call('farm:status');
    expect(held.jobs[0]?.segments.some((segment) => segment.state === 'waiting')).toBe(false);
    await call('jobs:resume', { id: job.id });
    // Interrupted (as at shutdown): the farm job stays on the shared storage, and the resumed job follows it.
    await service.queue.interrupt(job.id);
    expect(service.queue.get(job.id).state).toBe('interrupted');
    expect((await call('farm:status')).jobs.map((entry) => entry.input)).toEqual(['paused.mkv']);
    await call('jobs:resume', { id: job.id });
    const done = await until(job, ['completed', 'failed', 'cancelled']);
    expect(done.state, JSON.stringify(done.error)).toBe('completed');
    expect(logs().some((message) => message.includes('again from the shared storage'))).toBe(true);
    expect((await frameHashes(output)).length).toBe(48);
    expect(await fs.readdir(path.join(shared, '.framesmith-farm'))).toEqual([]);
  }, 240_000);

  it('keeps the Redis password out of every answer, and a masked URL stands for the saved password', async () => {
    spawnSync('redis-cli', ['-p', String(redis.port), 'config', 'set', 'requirepass', 's3cret-pass']);
    try {
      const wrong = `redis://:wrong@127.0.0.1:${redis.port}`;
      expect(await call('farm:test', { redisUrl: wrong, sharedRoot: shared })).toMatchObject({ ok: false, problem: 'auth-failed' });
      const saved = await call('settings:set', { farm: { redisUrl: `redis://:s3cret-pass@127.0.0.1:${redis.port}` } });
      expect(JSON.stringify(saved)).not.toContain('s3cret-pass');
      const read = await call('settings:get');
      expect(read.farm.redisUrl).toBe(`redis://:${REDIS_PASSWORD_MASK}@127.0.0.1:${redis.port}`);
      expect(JSON.stringify(await call('farm:status'))).not.toContain('s3cret-pass');
      const masked = await call('farm:test', { redisUrl: read.farm.redisUrl ?? '', sharedRoot: shared });
      expect(masked.problem === null || masked.problem === 'no-workers').toBe(true);
      // Saving the form again with the mask keeps the password on disk.
      await call('settings:set', { farm: { redisUrl: read.farm.redisUrl } });
      expect(await fs.readFile(path.join(temp.file('data'), 'settings.json'), 'utf8')).toContain('s3cret-pass');
    } finally {
      spawnSync('redis-cli', ['-p', String(redis.port), '-a', 's3cret-pass', '--no-auth-warning', 'config', 'set', 'requirepass', '']);
    }
  });
});
