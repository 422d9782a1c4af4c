// A model's speed measured on this machine is still known after a restart:
// a second engine and AppService over the same cache folder list the same ms
// per megapixel for the model with no benchmark of their own, whether the app
// (models:bench) or the CLI (`models bench`) measured it; a ledger for another
// machine over the same file knows none of it. Real model, through the same
// AppService and dispatcher `framesmith serve` uses.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBenchmark, ModelListing } from '../../../common/api/api-types.ts';
import { ApiDispatcher } from '../../../engine/api/api-dispatcher.ts';
import { AppService } from '../../../engine/api/app-service.ts';
import { Engine } from '../../../engine/engine.ts';
import { CostLedger } from '../../../engine/plan/cost-ledger.ts';
import { machineDescription } from '../../../engine/precision/precision-records.ts';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const MODEL_ID = 'realesr-animevideo-xs-x2';

describe.skipIf(!model)('model speed persists per model and machine', () => {
  let temp: TempDir;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-model-speed-');
  });

  afterAll(async () => {
    await temp?.dispose();
  });

  /** A fresh engine and service over the one cache folder, as after a restart; returns the model's listed ms per megapixel. */
  async function withService<T>(body: (dispatcher: ApiDispatcher, listedSpeed: () => Promise<number | undefined>) => Promise<T>): Promise<T> {
    const engine = await Engine.create({ cacheDir: temp.file('cache') });
    const service = await AppService.open({ engine, dataDir: temp.file('data'), cacheDir: temp.file('cache'), host: { kind: 'browser', version: 'test' }, autoStart: false });
    const dispatcher = new ApiDispatcher(service.handlers());
    const listedSpeed = async (): Promise<number | undefined> => {
      const list = await dispatcher.dispatch('models:list', undefined, { signal });
      if (!list.ok) throw new Error(JSON.stringify(list.error));
      return (list.value as ModelListing[]).find((entry) => entry.id === MODEL_ID)?.msPerMegapixel;
    };
    try {
      return await body(dispatcher, listedSpeed);
    } finally {
      await service.dispose();
      await engine.dispose();
    }
  }

  it('lists the speed the app measured again after a restart, and not on another machine', async () => {
    const { measured, provider } = await withService(async (dispatcher, listedSpeed) => {
      expect(await listedSpeed()).toBeUndefined();
      const bench = await dispatcher.dispatch('models:bench', { id: MODEL_ID, width: 32, height: 32, runs: 2 }, { signal });
      if (!bench.ok) throw new Error(JSON.stringify(bench.error));
      const result = bench.value as ModelBenchmark;
      const rate = result.meanMs / ((32 * 32) / 1e6);
      expect(await listedSpeed()).toBeCloseTo(rate, 6);
      return { measured: rate, provider: result.provider };
    });
    expect(await withService(async (_dispatcher, listedSpeed) => listedSpeed())).toBeCloseTo(measured, 6);

    const file = temp.file('cache/model-speed.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as { version: number; entries: Record<string, { msPerMegapixel: number; provider: string }> };
    expect(Object.values(stored.entries)).toEqual([expect.objectContaining({ msPerMegapixel: measured, provider })]);
    const here = await CostLedger.open({ file, machine: await machineDescription(0) });
    expect(here.millisecondsFor(MODEL_ID, 1000, 1000)).toBeCloseTo(measured, 6);
    const elsewhere = await CostLedger.open({ file, machine: 'another CPU; arm64; 4 cores; flags unknown; onnxruntime 1.30.0; 0 threads' });
    expect(elsewhere.millisecondsFor(MODEL_ID, 1000, 1000)).toBeUndefined();
  });

  it('lists the speed `framesmith models bench` measured, the newest figure winning', async () => {
    const result = await runCli(['models', 'bench', MODEL_ID, '--size', '48x32', '--runs', '1', '--provider', 'cpu', '--json'], { env: { FRAMESMITH_CACHE: temp.file('cache') } });
    expect(result.code, describeRun(result)).toBe(0);
    const bench = JSON.parse(result.stdout) as ModelBenchmark;
    expect(await withService(async (_dispatcher, listedSpeed) => listedSpeed())).toBeCloseTo(bench.meanMs / ((48 * 32) / 1e6), 6);
  });
});
