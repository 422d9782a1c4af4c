// One inference runtime per process: the composition root makes one
// SessionPool and hands it to the Engine and (through it) the model store,
// so a job and a benchmark running at the same time in one process share one
// worker thread. Counted with Node's own 'worker' event on the process,
// through the same AppService and dispatcher that `framesmith serve` and the
// Electron engine host use, with real models and a real video job.
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../common/jobs.ts';
import { ApiDispatcher } from '../../../engine/api/api-dispatcher.ts';
import { AppService } from '../../../engine/api/app-service.ts';
import { Engine } from '../../../engine/engine.ts';
import { SessionPool } from '../../../engine/inference/session-pool.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const jobModel = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const benchModel = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');

describe.skipIf(!jobModel || !benchModel)('one inference runtime per process', () => {
  let temp: TempDir;
  let pool: SessionPool;
  let engine: Engine;
  let service: AppService;
  let dispatcher: ApiDispatcher;
  const alive = new Set<Worker>();
  let created = 0;
  let peak = 0;
  const onWorker = (worker: Worker): void => {
    created += 1;
    alive.add(worker);
    peak = Math.max(peak, alive.size);
    worker.once('exit', () => alive.delete(worker));
  };

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-one-runtime-');
    process.on('worker', onWorker);
    pool = SessionPool.create({ cacheDir: temp.file('cache/converted'), threads: 1 });
    engine = await Engine.create({ cacheDir: temp.file('cache'), inference: pool });
    service = await AppService.open({ engine, dataDir: temp.file('data'), cacheDir: temp.file('cache'), host: { kind: 'browser', version: 'test' } });
    dispatcher = new ApiDispatcher(service.handlers());
  });

  afterAll(async () => {
    await service?.dispose();
    await engine?.dispose();
    await pool?.dispose();
    process.off('worker', onWorker);
    await temp?.dispose();
  });

  it('runs a job and benchmarks a model at the same time on exactly one worker thread', async () => {
    const signal = new AbortController().signal;
    const clip = await makeClip(temp.path, { frames: 96, width: 64, height: 48 });
    let jobDone = false;
    const finished = new Promise<JobEvent>((resolve) => {
      const stop = service.subscribe('jobs', (event) => {
        if (event.type === 'state' && ['completed', 'failed', 'cancelled'].includes(event.job.state)) {
          stop();
          jobDone = true;
          resolve(event);
        }
      });
    });
    const running = new Promise<void>((resolve) => {
      const stop = service.subscribe('jobs', (event) => {
        if (event.type === 'progress') {
          stop();
          resolve();
        }
      });
    });
    const enqueued = await dispatcher.dispatch('jobs:enqueue', { inputs: [clip], steps: [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }], outputFolder: temp.file('out') }, { signal });
    expect(enqueued.ok, JSON.stringify(enqueued)).toBe(true);
    await running;
    const bench = await dispatcher.dispatch('models:bench', { id: 'realesr-animevideov3-x4', width: 32, height: 32, runs: 2 }, { signal });
    expect(bench.ok, JSON.stringify(bench)).toBe(true);
    // The benchmark ran while the job did (96 frames outlast a 32x32 benchmark many times over).
    expect(jobDone).toBe(false);
    const final = await finished;
    expect(final.type === 'state' && final.job.state, JSON.stringify(final)).toBe('completed');
    expect(created).toBe(1);
    expect(peak).toBe(1);
    // Both models were open on the one pool; the job gave its lease back, the sessions stay idle for reuse.
    expect(pool.openCount).toBeGreaterThanOrEqual(2);
  });

  it('shares one session between two leases of the same key and releases it only when the last lease ends and the idle limit is passed', async () => {
    const resolver = engine.models;
    const model = await resolver.resolve('realesr-animevideov3-x4');
    const small = new SessionPool(engine.inference, 0);
    const first = await small.open(model, { provider: 'cpu', threads: 1 });
    const second = await small.open(model, { provider: 'cpu', threads: 1 });
    const other = await small.open(model, { provider: 'cpu', threads: 1, freeDimensions: { height: 32, width: 32 } });
    expect(small.openCount).toBe(2);
    await first.release();
    expect(small.openCount).toBe(2);
    await second.release();
    expect(small.openCount).toBe(1);
    await expect(first.run({})).rejects.toMatchObject({ code: 'BUG' });
    await other.release();
    expect(small.openCount).toBe(0);
    expect(created).toBe(1);
  });
});
