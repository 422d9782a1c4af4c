// The job's precision reaches sessions on derived models: RIFE rewritten for
// a reduced flow scale runs in int8 when the job asks for int8 (its own int8
// variant, calibrated and cached like the published model's), and in fp32
// when it asks for fp32.
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../engine/engine.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { mediaAsset, modelAsset, sharedMediaDir } from '../../helpers/shared-assets.ts';

const rife = modelAsset('onnx/interpolation/rife-v4.6.onnx');
const triplet = mediaAsset('interpolation/pytoflow/im1.png');
if (!rife || !triplet) process.stderr.write('SKIPPED derived-int8: rife-v4.6 or the pytoflow triplet is missing from ../shared\n');

describe.skipIf(!rife || !triplet)('int8 on derived sessions', () => {
  let temp: TempDir;
  let engine: Engine;
  let clip: string;
  beforeAll(async () => {
    temp = await makeTempDir('framesmith-derived-int8-');
    clip = await makeClip(temp.path, { frames: 3, width: 64, height: 64, container: 'mkv' });
    engine = await Engine.create({ cacheDir: temp.file('cache'), referenceMediaDir: sharedMediaDir() });
  }, 60_000);
  afterAll(async () => {
    await engine?.dispose();
    await temp?.dispose();
  });

  async function run(precision: 'fp32' | 'int8'): Promise<string[]> {
    const batch = await engine.planBatch({
      inputs: [clip],
      output: temp.file(`out-${precision}.mkv`),
      steps: [{ kind: 'interpolate', model: 'rife-v4.6', multiply: 2, flowScale: 0.5 }],
      outputSettings: { codec: 'ffv1', overwrite: true },
      processing: { provider: 'cpu', precision },
    });
    const item = batch.items[0];
    if (!item) throw new Error('planBatch planned no item');
    const result = await engine.processItem(item, { signal: new AbortController().signal });
    expect(result.framesWritten).toBe(6);
    return result.precisions;
  }

  it('runs the flow-scaled RIFE in int8 when the job asks for int8, and in fp32 otherwise', async () => {
    expect(await run('int8')).toEqual(['int8']);
    const cached = (await readdir(temp.file('cache'), { recursive: true })).map(String);
    expect(cached.some((name) => /rife-v4\.6\..*\.flow0\.5\..*\.int8v\d+\..*\.onnx$/.test(name)), cached.join(', ')).toBe(true);
    expect(await run('fp32')).toEqual(['fp32']);
  }, 300_000);
});
