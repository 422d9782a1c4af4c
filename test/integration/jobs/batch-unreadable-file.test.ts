// A batch folder with one file that cannot be read (a clip cut short, or
// bytes that are no media at all) beside good ones: the estimate counts the
// good files and lists the bad one apart instead of refusing the batch; the
// queued job runs every readable file to its output and marks the bad one
// failed with its own reason. A batch none of whose files can be read is
// refused by the estimate with that file's reason. Real engine, real ffmpeg,
// a real model; the inputs are never modified.
import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobEstimate } from '../../../common/api/api-types.ts';
import type { JobSnapshot } from '../../../common/jobs.ts';
import { ApiDispatcher, AppService, Engine } from '../../../engine/index.ts';
import { makeClip, makeStillImage, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const STEPS = [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }];

describe.skipIf(!model)('a batch folder with an unreadable file', () => {
  let temp: TempDir;
  let engine: Engine;
  let service: AppService;
  let dispatcher: ApiDispatcher;
  const signal = new AbortController().signal;

  async function call<T>(channel: string, request: unknown): Promise<T> {
    const answer = await dispatcher.dispatch(channel as never, request as never, { signal });
    if (!answer.ok) throw new Error(`${channel}: ${JSON.stringify(answer.error)}`);
    return answer.value as T;
  }

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-batch-unreadable-');
    engine = await Engine.create({ cacheDir: temp.file('cache') });
    service = await AppService.open({ engine, dataDir: temp.file('data'), cacheDir: temp.file('cache'), host: { kind: 'browser', version: 'test' } });
    dispatcher = new ApiDispatcher(service.handlers());
  }, 120_000);

  afterAll(async () => {
    await service?.dispose();
    await engine?.dispose();
    await temp?.dispose();
  });

  it('runs both good clips and marks the truncated one failed with its reason', async () => {
    const folder = temp.file('clips');
    await mkdir(folder, { recursive: true });
    await makeClip(folder, { name: 'a.mp4', frames: 4, width: 64, height: 48 });
    await makeClip(folder, { name: 'b.mp4', frames: 4, width: 64, height: 48 });
    const whole = await readFile(path.join(folder, 'a.mp4'));
    // The first third of a real clip: its header promises data that is not there.
    await writeFile(path.join(folder, 'cut.mp4'), whole.subarray(0, Math.floor(whole.length / 3)));
    const before = await readFile(path.join(folder, 'cut.mp4'));
    const spec = { inputs: [folder], outputFolder: temp.file('clips-out'), steps: STEPS };

    const estimate = await call<JobEstimate>('jobs:estimate', spec);
    expect(estimate.items).toBe(3);
    expect(estimate.frames).toBe(8);
    expect(estimate.unreadable.map((entry) => path.basename(entry.input))).toEqual(['cut.mp4']);
    expect(estimate.unreadable[0]?.error.code).toBe('INPUT_NOT_MEDIA');

    const job = await call<JobSnapshot>('jobs:enqueue', spec);
    const finished = await waitForEnd(job.id);
    const byName = Object.fromEntries(finished.items.map((item) => [path.basename(item.input), item]));
    expect(byName['a.mp4']?.state).toBe('completed');
    expect(byName['b.mp4']?.state).toBe('completed');
    expect(byName['cut.mp4']?.state).toBe('failed');
    expect(byName['cut.mp4']?.error?.userMessage).toMatch(/cut\.mp4 is not a video or image file that ffmpeg can read/);
    expect((await readdir(temp.file('clips-out'))).sort()).toEqual(['a-upscaled-x2.mp4', 'b-upscaled-x2.mp4']);
    expect(await readFile(path.join(folder, 'cut.mp4'))).toEqual(before);
  }, 180_000);

  it('runs both good images and marks the garbage one failed; a batch of only garbage is refused', async () => {
    const folder = temp.file('images');
    await mkdir(folder, { recursive: true });
    const png = await makeStillImage(folder, 'png', { width: 40, height: 30 });
    const jpg = await makeStillImage(folder, 'jpg', { width: 40, height: 30 });
    await writeFile(path.join(folder, 'garbage.png'), 'these bytes are no image, only the name says so');
    const spec = { inputs: [folder], outputFolder: temp.file('images-out'), steps: STEPS };

    const estimate = await call<JobEstimate>('jobs:estimate', spec);
    expect(estimate.items).toBe(3);
    expect(estimate.unreadable.map((entry) => path.basename(entry.input))).toEqual(['garbage.png']);

    const finished = await waitForEnd((await call<JobSnapshot>('jobs:enqueue', spec)).id);
    const states = Object.fromEntries(finished.items.map((item) => [path.basename(item.input), item.state]));
    expect(states).toEqual({ [path.basename(png)]: 'completed', [path.basename(jpg)]: 'completed', 'garbage.png': 'failed' });
    expect(finished.items.find((item) => item.state === 'failed')?.error?.userMessage).toContain('garbage.png');
    expect(await readdir(temp.file('images-out'))).toHaveLength(2);

    const onlyGarbage = { inputs: [path.join(folder, 'garbage.png')], outputFolder: temp.file('none-out'), steps: STEPS };
    const refused = await dispatcher.dispatch('jobs:estimate', onlyGarbage as never, { signal });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.userMessage).toContain('garbage.png');
  }, 180_000);

  async function waitForEnd(id: string): Promise<JobSnapshot> {
    for (;;) {
      const job = (await call<JobSnapshot[]>('jobs:list', undefined)).find((candidate) => candidate.id === id);
      if (!job) throw new Error(`job ${id} is gone`);
      if (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') return job;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
});
