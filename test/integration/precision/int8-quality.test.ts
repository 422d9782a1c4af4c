// INT8 variants of real catalog models against their quality bounds, on the
// reference samples precision auto uses (pytoflow for RIFE: within 0.15 dB of
// fp32's PSNR against the true middle frame; Set5 crops of 64 px for
// super-resolution: at least 38 dB against fp32's output). The resolver's
// record is written once and read back; without a record and without being
// asked to measure, auto runs fp32. The CLI runs --precision int8 end to end,
// says why bf16 cannot run, and refuses an unknown precision.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import type { ResolvedModel } from '../../../engine/inference/inference-backend.ts';
import { OnnxWorkerBackend } from '../../../engine/inference/onnx-worker-backend.ts';
import { readModelFile } from '../../../engine/onnx/onnx-file.ts';
import { ensureInt8Model } from '../../../engine/precision/int8-model.ts';
import { psnr8 } from '../../../engine/precision/precision-measure.ts';
import { pickPrecision, qualityBoundFor } from '../../../engine/precision/precision-picker.ts';
import { PrecisionResolver } from '../../../engine/precision/precision-resolver.ts';
import { copyFeed, loadReferenceSamples } from '../../../engine/precision/reference-samples.ts';
import { tensorToFrame } from '../../../engine/tasks/image-tensor.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { parseJsonLines, runCli } from '../../helpers/cli-runner.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { repoRoot, sharedMediaDir, sharedModelsDir } from '../../helpers/shared-assets.ts';

const modelsDir = sharedModelsDir();
const mediaDir = sharedMediaDir();

async function catalogModel(id: string): Promise<ResolvedModel | undefined> {
  const catalog = JSON.parse(await readFile(path.join(repoRoot, 'models', 'catalog.json'), 'utf8')) as { models: ModelManifest[] };
  const manifest = catalog.models.find((entry) => entry.id === id);
  if (!manifest || !modelsDir) return undefined;
  return { manifest, path: path.join(modelsDir, manifest.file) };
}

describe.skipIf(!modelsDir || !mediaDir)('int8 variants of real models', () => {
  let dir: TempDir;
  let backend: OnnxWorkerBackend;

  beforeAll(async () => {
    dir = await makeTempDir('framesmith-int8-');
    backend = new OnnxWorkerBackend({ cacheDir: dir.path, threads: 2 });
  });

  afterAll(async () => {
    await backend?.dispose();
    await dir?.dispose();
  });

  /** fp32 and int8 outputs of the evaluation samples, as 8-bit frames. */
  async function outputs(model: ResolvedModel): Promise<{ fp32: RgbFrame[]; int8: RgbFrame[]; truth?: RgbFrame[]; created: boolean[] }> {
    const samples = await loadReferenceSamples(model.manifest, mediaDir as string);
    if (!samples) throw new Error('reference samples missing');
    const options = { model, calibration: samples.calibration, calibrationFiles: samples.files, backend, cacheDir: dir.path };
    const first = await ensureInt8Model(options);
    const again = await ensureInt8Model(options);
    expect(again.sha256).toBe(first.sha256);
    const graph = await readModelFile(first.model.path);
    expect((graph.graph?.node ?? []).filter((node) => node.opType === 'QuantizeLinear').length).toBeGreaterThan(10);
    const run = async (target: ResolvedModel): Promise<RgbFrame[]> => {
      const session = await backend.open(target, { provider: 'cpu' });
      try {
        const frames: RgbFrame[] = [];
        for (const feed of samples.evaluation) {
          const result = await session.run(copyFeed(feed));
          frames.push(tensorToFrame(result[model.manifest.outputs[0]!.name]!, model.manifest.valueRange, { bitDepth: 8, index: 0 }));
        }
        return frames;
      } finally {
        await session.release();
      }
    };
    return { fp32: await run(model), int8: await run(first.model), truth: samples.truth, created: [first.created, again.created] };
  }

  it('RIFE v4.6 in int8 stays within 0.15 dB of fp32 against the true middle frame of the pytoflow triplet', async () => {
    const model = await catalogModel('rife-v4.6');
    if (!model) return;
    const { fp32, int8, truth, created } = await outputs(model);
    expect(created).toEqual([true, false]);
    const fp32Db = psnr8(fp32, truth!);
    const int8Db = psnr8(int8, truth!);
    expect(fp32Db).toBeCloseTo(30.62, 1);
    expect(fp32Db - int8Db).toBeLessThanOrEqual(0.15);
    expect(psnr8(int8, fp32)).toBeLessThan(99);
  }, 300_000);

  it('realesr-animevideov3-x4 in int8 stays at >= 38 dB against fp32 on Set5 crops', async () => {
    const model = await catalogModel('realesr-animevideov3-x4');
    if (!model) return;
    const { fp32, int8 } = await outputs(model);
    const db = psnr8(int8, fp32);
    expect(db).toBeGreaterThanOrEqual(38);
    expect(db).toBeLessThan(99);
  }, 300_000);

  it('realesr-general-x4v3 (published in fp16) quantizes through its fp32 conversion, and auto takes int8 only at >= 38 dB', async () => {
    const model = await catalogModel('realesr-general-x4v3');
    if (!model) return;
    const { fp32, int8 } = await outputs(model);
    const db = psnr8(int8, fp32);
    expect(db).toBeGreaterThan(30);
    const choice = pickPrecision([{ precision: 'fp32', available: true, msPerRun: 100, psnrDb: 99 }, { precision: 'int8', available: true, msPerRun: 50, psnrDb: db }], qualityBoundFor('super-resolution'));
    expect(choice.precision).toBe(db >= 38 ? 'int8' : 'fp32');
  }, 300_000);

  it('auto measures once when asked, records the choice, reads it back, and without a record or the ask runs fp32', async () => {
    const model = await catalogModel('realesr-animevideov3-x4');
    if (!model) return;
    const resolver = new PrecisionResolver({ backend, cacheDir: path.join(dir.path, 'auto'), referenceDir: mediaDir as string, threads: 2 });
    expect(await resolver.resolve(model, 'auto')).toEqual({ model, sessionPrecision: 'auto', precision: 'fp32' });
    const measured = await resolver.resolve(model, 'auto', { measure: true });
    expect(measured.notice).toMatch(/^realesr-animevideov3-x4: precision auto picked (int8|fp32): .*measured now/);
    const [recordFile] = await readdir(path.join(dir.path, 'auto', 'precision'));
    const record = JSON.parse(await readFile(path.join(dir.path, 'auto', 'precision', recordFile!), 'utf8')) as { measurements: Parameters<typeof pickPrecision>[0]; choice: { precision: string } };
    expect(record.measurements.map((entry) => entry.precision).sort()).toEqual(['bf16', 'fp32', 'int8']);
    expect(pickPrecision(record.measurements, qualityBoundFor('super-resolution')).precision).toBe(record.choice.precision);
    expect(measured.precision).toBe(record.choice.precision);
    const recalled = await resolver.resolve(model, 'auto');
    expect(recalled.precision).toBe(measured.precision);
    expect(recalled.notice).toMatch(/\(measured \d{4}-\d\d-\d\d\)$/);
  }, 300_000);

  it('auto falls back to fp32 and says why when the variants cannot be measured', async () => {
    const rife = await catalogModel('rife-v4.6');
    const upscaler = await catalogModel('realesr-animevideov3-x4');
    if (!rife || !upscaler) return;
    // An upscaler's manifest over RIFE's file: the reference feeds do not fit the graph's inputs.
    const mismatched: ResolvedModel = { manifest: { ...upscaler.manifest, id: 'mismatched' }, path: rife.path };
    const resolver = new PrecisionResolver({ backend, cacheDir: path.join(dir.path, 'fallback'), referenceDir: mediaDir as string, threads: 2 });
    const result = await resolver.resolve(mismatched, 'auto', { measure: true });
    expect(result.precision).toBe('fp32');
    expect(result.model).toBe(mismatched);
    expect(result.notice).toMatch(/^mismatched: precision auto runs fp32: measuring its variants failed \(.+\)$/);
  }, 120_000);

  it('the CLI refuses an unknown precision with the list of choices (exit 2)', async () => {
    const result = await runCli(['upscale', 'nothing.png', '--precision', 'int4']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/int4.*auto, fp32, fp16, bf16, int8/s);
  });

  it('framesmith interpolate --precision int8 runs the int8 variant end to end; bf16 fails with the reason', async () => {
    const env = { FRAMESMITH_CACHE: path.join(dir.path, 'cli-cache') };
    const clip = await makeClip(dir.path, { name: 'clip.mkv', frames: 4, width: 64, height: 48, container: 'mkv' });
    const int8 = await runCli(['interpolate', clip, '--multiply', '2', '--precision', 'int8', '--codec', 'ffv1', '-o', path.join(dir.path, 'int8.mkv'), '--json'], { env, timeoutMs: 300_000 });
    expect(int8.code, int8.stderr).toBe(0);
    const done = parseJsonLines(int8.stdout).find((event) => event.type === 'done');
    expect(done?.frames).toBeGreaterThanOrEqual(7);
    expect((await readdir(env.FRAMESMITH_CACHE, { recursive: true })).some((name) => /rife-v4\.6\..*\.int8v\d+\..*\.onnx$/.test(String(name)))).toBe(true);
    const bf16 = await runCli(['interpolate', clip, '--multiply', '2', '--precision', 'bf16', '-o', path.join(dir.path, 'bf16.mkv'), '--json'], { env });
    expect(bf16.code).not.toBe(0);
    const failure = parseJsonLines(bf16.stdout).find((event) => event.type === 'error') as { error?: { userMessage?: string } } | undefined;
    expect(failure?.error?.userMessage).toMatch(/bf16 cannot run "rife-v4\.6" here: the CPU provider .* no bf16 convolution/);
    expect(existsSync(path.join(dir.path, 'bf16.mkv'))).toBe(false);
  }, 400_000);
});
