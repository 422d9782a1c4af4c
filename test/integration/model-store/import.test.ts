// Import from a path: ncnn (.param + .bin beside it) and .onnx, with task and
// scale measured by a trial run; then the imported id works in the CLI.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importModel } from '../../../engine/models/model-import.ts';
import { ModelStore } from '../../../engine/models/model-store.ts';
import { loadCatalogWithStore } from '../../../engine/models/user-catalog.ts';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const param = modelAsset('ncnn/realesrgan/realesr-animevideov3-x2.param');
const bin = modelAsset('ncnn/realesrgan/realesr-animevideov3-x2.bin');
const onnxFile = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');

let cacheDir: string;
let store: ModelStore;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'fs-import-'));
  store = await ModelStore.open({ storeDir: path.join(cacheDir, 'models') });
});

afterAll(async () => {
  await store.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('importModel', () => {
  it.skipIf(!param || !bin)('imports an ncnn .param with its .bin, measuring scale 2', async () => {
    const folder = await mkdtemp(path.join(cacheDir, 'src-'));
    await copyFile(param!, path.join(folder, 'My Anime x2.param'));
    await copyFile(bin!, path.join(folder, 'My Anime x2.bin'));
    const model = await importModel(store, path.join(folder, 'My Anime x2.param'));
    expect(model.manifest.id).toBe('my-anime-x2');
    expect(model.manifest.task).toBe('super-resolution');
    expect(model.manifest.scale).toBe(2);
    expect(model.manifest.format).toBe('ncnn');
    expect(model.manifest.origin?.kind).toBe('import');
    const catalog = await loadCatalogWithStore(path.join(cacheDir, 'models'));
    expect(catalog.get('my-anime-x2').file).toBe('installed/my-anime-x2/my-anime-x2.onnx');
  });

  it.skipIf(!onnxFile)('imports an .onnx under a chosen id and refuses a wrong --scale', async () => {
    const wrong = await importModel(store, onnxFile!, { id: 'wrong-scale', scale: 2 }).catch((caught: unknown) => caught);
    expect((wrong as { code?: string }).code).toBe('MODEL_MANIFEST_MISMATCH');
    expect((await store.list()).some((entry) => entry.id === 'wrong-scale')).toBe(false);
    const model = await importModel(store, onnxFile!, { id: 'my-onnx-x4' });
    expect(model.manifest.scale).toBe(4);
    expect((await store.list()).find((entry) => entry.id === 'my-onnx-x4')?.state).toBe('imported');
  });

  it('refuses an unknown file type with a typed error', async () => {
    const error = await importModel(store, path.join(cacheDir, 'nothing.txt')).catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe('INPUT_NOT_FOUND');
  });

  it.skipIf(!param || !bin)('the imported id runs through framesmith upscale --model', async () => {
    const input = path.join(cacheDir, 'still.png');
    const make = await runCli(['models', 'list', '--json'], { env: { FRAMESMITH_CACHE: cacheDir } });
    expect(make.code, describeRun(make)).toBe(0);
    expect(make.stdout).toContain('my-anime-x2');
    const sharp = (await import('sharp')).default;
    await sharp({ create: { width: 24, height: 16, channels: 3, background: { r: 200, g: 60, b: 30 } } }).png().toFile(input);
    const output = path.join(cacheDir, 'still-x2.png');
    const result = await runCli(['upscale', input, '--model', 'my-anime-x2', '-o', output, '--json'], { env: { FRAMESMITH_CACHE: cacheDir } });
    expect(result.code, describeRun(result)).toBe(0);
    const meta = await sharp(output).metadata();
    expect([meta.width, meta.height]).toEqual([48, 32]);
  });
});
