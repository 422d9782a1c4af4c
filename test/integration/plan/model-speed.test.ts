// A model's speed measured on this machine (models:bench) is still known
// after a restart: a second AppService over the same cache folder lists the
// same ms per megapixel for the model, with no benchmark of its own, and a
// ledger for another machine over the same file knows none of it. Real model
// through the same AppService and dispatcher `framesmith serve` uses.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBenchmark, ModelListing } from '../../../common/api/api-types.ts';
import { ApiDispatcher } from '../../../engine/api/api-dispatcher.ts';
import { AppService } from '../../../engine/api/app-service.ts';
import { Engine } from '../../../engine/engine.ts';
import { CostLedger } from '../../../engine/plan/cost-ledger.ts';
import { machineDescription } from '../../../engine/precision/precision-records.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const MODEL_ID = 'realesr-animevideo-xs-x2';

describe.skipIf(!model)('model speed persists per model and machine', () => {
  let temp: TempDir;
  let engine: Engine;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-model-speed-');
    engine = await Engine.create({ cacheDir: temp.file('cache') });
  });

  afterAll(async () => {
    await engine?.dispose();
    await temp?.dispose();
  });

  async function listed(service: AppService): Promise<ModelListing | undefined> {
    const list = await new ApiDispatcher(service.handlers()).dispatch('models:list', undefined, { signal });
    if (!list.ok) throw new Error(JSON.stringify(list.error));
    return (list.value as ModelListing[]).find((entry) => entry.id === MODEL_ID);
  }

  it('lists the benchmarked speed again after a restart, and not on another machine', async () => {
    const open = (): Promise<AppService> => AppService.open({ engine, dataDir: temp.file('data'), cacheDir: temp.file('cache'), host: { kind: 'browser', version: 'test' }, autoStart: false });
    const first = await open();
    let measured: number;
    let provider: string;
    try {
      expect((await listed(first))?.msPerMegapixel).toBeUndefined();
      const bench = await new ApiDispatcher(first.handlers()).dispatch('models:bench', { id: MODEL_ID, width: 32, height: 32, runs: 2 }, { signal });
      if (!bench.ok) throw new Error(JSON.stringify(bench.error));
      const result = bench.value as ModelBenchmark;
      measured = result.meanMs / ((32 * 32) / 1e6);
      provider = result.provider;
      expect((await listed(first))?.msPerMegapixel).toBeCloseTo(measured, 6);
    } finally {
      await first.dispose();
    }

    const second = await open();
    try {
      expect((await listed(second))?.msPerMegapixel).toBeCloseTo(measured, 6);
    } finally {
      await second.dispose();
    }

    const file = temp.file('cache/model-speed.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { version: number; entries: Record<string, { msPerMegapixel: number; provider: string }> };
    expect(Object.values(stored.entries)).toEqual([expect.objectContaining({ msPerMegapixel: measured, provider })]);
    const here = await CostLedger.open({ file, machine: await machineDescription(0) });
    expect(here.millisecondsFor(MODEL_ID, 1000, 1000)).toBeCloseTo(measured, 6);
    const elsewhere = await CostLedger.open({ file, machine: 'another CPU; arm64; 4 cores; flags unknown; onnxruntime 1.30.0; 0 threads' });
    expect(elsewhere.millisecondsFor(MODEL_ID, 1000, 1000)).toBeUndefined();
  });
});
