// Sizes from the chain plan with the real engine: the estimate and the disk
// check honour an upscale's target width (they once used the model's scale
// and were 4000x too small here), and the estimate is within 2x of the real
// output for every codec on a generated clip.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputCodec } from '../../../common/job-spec.ts';
import { CostLedger, estimateJob } from '../../../engine/api/job-estimate.ts';
import { Engine } from '../../../engine/engine.ts';
import { estimateOutputBytes } from '../../../engine/jobs/disk-space.ts';
import { JobQueue } from '../../../engine/jobs/job-queue.ts';
import { spaceNeedsOf } from '../../../engine/jobs/space-needs.ts';
import { typicalVideoBytes } from '../../../engine/media/output-size.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const CODECS: readonly OutputCodec[] = ['h264', 'h265', 'vp9', 'av1', 'prores', 'ffv1', 'png'];

async function sizeOf(file: string): Promise<number> {
  const stat = await fs.stat(file);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const name of await fs.readdir(file)) total += await sizeOf(path.join(file, name));
  return total;
}

describe.skipIf(!model)('output size from the chain plan', () => {
  let temp: TempDir;
  let engine: Engine;
  let clip: string;
  beforeAll(async () => {
    temp = await makeTempDir();
    clip = await makeClip(temp.path, { frames: 10, width: 64, height: 48, container: 'mkv' });
    engine = await Engine.create({ cacheDir: temp.file('cache') });
  }, 60_000);
  afterAll(async () => {
    await engine?.dispose();
    await temp?.dispose();
  });

  it('counts an upscale\'s target width in the estimate and the disk check', async () => {
    const steps = [{ kind: 'upscale' as const, model: 'realesr-animevideo-xs-x2', width: 8000 }];
    const batch = await engine.planBatch({ inputs: [clip], output: temp.file('wide.mkv'), steps, outputSettings: { codec: 'h264' } });
    const estimate = await estimateJob(engine, batch, new CostLedger());
    expect(estimate.frames).toBe(10);
    expect(estimate.outputBytes).toBe(typicalVideoBytes({ width: 8000, height: 6000, frameCount: 10, codec: 'h264' }));
    expect(estimate.workBytes).toBe(estimate.outputBytes);
    const needs = await spaceNeedsOf(batch.items, { catalog: engine.catalog, ffprobe: engine.ffmpegTools().ffprobe.path, workDir: temp.file('work') });
    const video = estimateOutputBytes({ width: 8000, height: 6000, frameCount: 10, codec: 'h264', bitDepth: 8, carriedBytes: 0 });
    expect(needs).toEqual([
      { dir: temp.file('work'), bytes: video },
      { dir: temp.path, bytes: video + (await fs.stat(clip)).size },
    ]);
    // 100 MB is plenty for the model's own x2 (128x96) and too little for 8000x6000.
    const small = await JobQueue.open({ dataDir: temp.file('data'), executor: engine, freeSpace: async () => 100 * 1024 * 1024, autoStart: false });
    try {
      const wide = await small.add({ inputs: [clip], steps, outputPath: temp.file('wide.mkv'), outputSettings: { codec: 'h264' } });
      const refused = await small.run(wide.id);
      expect(refused.state).toBe('failed');
      expect(refused.error).toMatchObject({ code: 'DISK_FULL' });
      expect(await fs.readdir(temp.path)).not.toContain('wide.mkv');
    } finally {
      await small.dispose();
    }
  }, 120_000);

  it('estimates every codec\'s output within 2x of the real size', async () => {
    const source = await makeClip(temp.path, { frames: 12, width: 64, height: 48, container: 'mkv', name: 'pattern.mkv' });
    const ratios: Record<string, number> = {};
    for (const codec of CODECS) {
      const output = temp.file(codec === 'png' ? 'frames-png' : `sized-${codec}.${codec === 'prores' ? 'mov' : 'mkv'}`);
      const batch = await engine.planBatch({ inputs: [source], output, steps: [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }], outputSettings: { codec, overwrite: true } });
      const estimate = await estimateJob(engine, batch, new CostLedger());
      const item = batch.items[0];
      if (!item) throw new Error('planBatch planned no item');
      const result = await engine.processItem(item, { signal: new AbortController().signal });
      ratios[codec] = estimate.outputBytes / (await sizeOf(result.output));
    }
    for (const [codec, ratio] of Object.entries(ratios)) {
      expect(ratio, `${codec}: estimate over real size, all: ${JSON.stringify(ratios)}`).toBeGreaterThanOrEqual(0.5);
      expect(ratio, `${codec}: estimate over real size, all: ${JSON.stringify(ratios)}`).toBeLessThanOrEqual(2);
    }
  }, 300_000);
});
