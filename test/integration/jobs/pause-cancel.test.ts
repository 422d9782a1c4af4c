// The queue API with the real engine: pause a running job between frames and
// resume it (the output equals an uninterrupted run, losslessly), and cancel
// one (no output, no temporary file, no work folder). Events arrive through
// one subscription that returns its unsubscribe function.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../../common/jobs.ts';
import { Engine } from '../../../engine/engine.ts';
import { JobQueue } from '../../../engine/jobs/job-queue.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { frameHashes } from './jobs-helpers.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const steps = [{ kind: 'upscale' as const, model: 'realesr-animevideo-xs-x2' }];

describe.skipIf(!model)('job queue: pause, resume, cancel', () => {
  let temp: TempDir;
  let engine: Engine;
  let queue: JobQueue;
  let clip: string;

  beforeAll(async () => {
    temp = await makeTempDir();
    clip = await makeClip(temp.path, { frames: 32, width: 48, height: 32, container: 'mkv' });
    engine = await Engine.create({ cacheDir: temp.file('cache') });
    queue = await JobQueue.open({ dataDir: temp.file('data'), executor: engine, segmentFrames: 8, previewIntervalMs: 0 });
  }, 60_000);
  afterAll(async () => {
    await queue?.dispose();
    await engine?.dispose();
    await temp?.dispose();
  });

  it('pauses between frames and resumes with no frame lost or repeated', async () => {
    const base = await queue.add({ inputs: [clip], steps, outputPath: temp.file('base.mkv'), outputSettings: { codec: 'ffv1' } });
    await queue.run(base.id);
    expect(queue.get(base.id).state).toBe('completed');
    const events: JobEvent[] = [];
    let pausedAt = -1;
    let job = { id: '' };
    const unsubscribe = queue.subscribe((event) => {
      events.push(event);
      if (event.type === 'progress' && event.jobId === job.id && pausedAt < 0 && event.progress.framesDone >= 5) {
        pausedAt = event.progress.framesDone;
        void queue.pause(job.id);
      }
    });
    job = await queue.add({ inputs: [clip], steps, outputPath: temp.file('paused.mkv'), outputSettings: { codec: 'ffv1' } });
    const finished = queue.run(job.id);
    while (queue.get(job.id).state !== 'paused') await new Promise((resolve) => setTimeout(resolve, 20));
    const framesAtPause = queue.get(job.id).items[0]?.framesDone ?? -1;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(queue.get(job.id).items[0]?.framesDone).toBe(framesAtPause);
    await queue.resume(job.id);
    await finished;
    unsubscribe();
    expect(queue.get(job.id).state).toBe('completed');
    expect(await frameHashes(temp.file('paused.mkv'))).toEqual(await frameHashes(temp.file('base.mkv')));
    const states = events.filter((event) => event.type === 'state' && event.job.id === job.id).map((event) => (event as { job: { state: string } }).job.state);
    expect(states).toEqual(expect.arrayContaining(['queued', 'running', 'paused', 'completed']));
    expect(events.some((event) => event.type === 'preview' && event.before.pngBase64.length > 0 && event.after.width === 96)).toBe(true);
    const countAfter = events.length;
    await queue.remove(job.id);
    expect(events.length).toBe(countAfter);
  }, 120_000);

  it('cancel leaves no output, no temporary file and no work folder', async () => {
    let job = { id: '' };
    const unsubscribe = queue.subscribe((event) => {
      if (event.type === 'progress' && event.jobId === job.id && event.progress.framesDone >= 12) void queue.cancel(job.id);
    });
    job = await queue.add({ inputs: [clip], steps, outputPath: temp.file('cancelled.mkv'), outputSettings: { codec: 'ffv1' } });
    await queue.run(job.id);
    unsubscribe();
    expect(queue.get(job.id).state).toBe('cancelled');
    const names = await fs.readdir(temp.path);
    expect(names.filter((name) => name.startsWith('cancelled') || name.includes('.framesmith-tmp-'))).toEqual([]);
    expect(await fs.readdir(path.join(temp.file('data'), 'work'))).toEqual([]);
  }, 120_000);

  it('refuses a job the disk cannot hold before any work', async () => {
    const small = await JobQueue.open({ dataDir: temp.file('data-small'), executor: engine, freeSpace: async () => 1024 * 1024 });
    try {
      const job = await small.add({ inputs: [clip], steps, outputPath: temp.file('small.mkv'), outputSettings: { codec: 'ffv1' } });
      const done = await small.run(job.id);
      expect(done.state).toBe('failed');
      expect(done.error).toMatchObject({ code: 'DISK_FULL' });
      expect(done.error?.detail).toMatch(/needs about .* only 1 MB is free/);
      expect(await fs.readdir(temp.path)).not.toContain('small.mkv');
    } finally {
      await small.dispose();
    }
  }, 60_000);
});
