import { copyFile, mkdir, mkdtemp, open, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FramesmithError } from '../../../common/errors.ts';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { Catalog } from '../../../engine/models/catalog.ts';
import { fileSha256 } from '../../../engine/models/file-sha256.ts';
import { ModelResolver } from '../../../engine/models/model-resolver.ts';
import { modelSearchPath } from '../../../engine/models/model-search-path.ts';
import { OnnxGraphReadError, readGraphIo } from '../../../engine/onnx/onnx-graph-io.ts';
import { VERIFICATION_CACHE_FILE } from '../../../engine/models/verification-cache.ts';
import { checkCatalogAgainstRoot } from '../../helpers/catalog-from-files.ts';
import { modelAsset, sharedModelsDir } from '../../helpers/shared-assets.ts';

const candyFile = modelAsset('onnx/style-fast/candy.onnx');
const sharedRoot = sharedModelsDir();

async function failure(promise: Promise<unknown>): Promise<FramesmithError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof FramesmithError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject with a FramesmithError');
}

/** Flips one byte in the middle of the file (inside the weights, so the graph still parses). */
async function flipMiddleByte(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, Math.floor(size / 2));
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, Math.floor(size / 2));
  } finally {
    await handle.close();
  }
}

describe.skipIf(!candyFile || !sharedRoot)('ModelResolver with real models', () => {
  let temp: string;
  let catalog: Catalog;

  beforeAll(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'framesmith-models-'));
    catalog = await Catalog.load();
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  /** A fresh root under the temp dir holding the given files at the catalog paths of the given ids. */
  async function rootWith(name: string, files: Record<string, string>): Promise<string> {
    const root = path.join(temp, name);
    for (const [id, source] of Object.entries(files)) {
      const target = path.join(root, catalog.get(id).file);
      await mkdir(path.dirname(target), { recursive: true });
      await copyFile(source, target);
    }
    return root;
  }

  function resolverFor(explicit: string[], options: { env?: Record<string, string>; shared?: boolean; cacheDir?: string } = {}): ModelResolver {
    const roots = modelSearchPath({ explicit, env: options.env ?? {}, includeShared: options.shared ?? false });
    return new ModelResolver({ catalog, roots, cacheDir: options.cacheDir });
  }

  it('the catalog agrees with every file in ../shared/models (hash, size, inputs, outputs)', async () => {
    expect(await checkCatalogAgainstRoot({ version: 1, models: [...catalog.models] }, sharedRoot!)).toEqual([]);
  });

  it('resolves every catalog model from ../shared/models', async () => {
    const resolver = resolverFor([], { shared: true });
    for (const id of catalog.ids()) {
      const resolved = await resolver.resolve(id);
      expect(resolved.path).toBe(path.join(sharedRoot!, catalog.get(id).file));
      expect(resolved.root.source).toBe('shared');
      expect(resolved.manifest.id).toBe(id);
    }
  });

  it('refuses a copy with one byte flipped: MODEL_INTEGRITY', async () => {
    const root = await rootWith('tampered', { 'style-candy': candyFile! });
    await flipMiddleByte(path.join(root, catalog.get('style-candy').file));
    const error = await failure(resolverFor([root]).resolve('style-candy'));
    expect(error.code).toBe('MODEL_INTEGRITY');
    expect(error.detail).toContain(catalog.get('style-candy').sha256);
  });

  it('refuses a truncated copy: MODEL_INTEGRITY', async () => {
    const root = await rootWith('truncated', { 'style-candy': candyFile! });
    const file = path.join(root, catalog.get('style-candy').file);
    await truncate(file, 1_000_000);
    expect((await failure(resolverFor([root]).resolve('style-candy'))).code).toBe('MODEL_INTEGRITY');
    await expect(readGraphIo(file)).rejects.toBeInstanceOf(OnnxGraphReadError);
  });

  it('refuses candy\'s file under another style id (same size and tensors): MODEL_INTEGRITY', async () => {
    const root = await rootWith('wrong-style', { 'style-mosaic': candyFile! });
    const error = await failure(resolverFor([root]).resolve('style-mosaic'));
    expect(error.code).toBe('MODEL_INTEGRITY');
  });

  it('refuses candy\'s file where RIFE is expected: MODEL_MANIFEST_MISMATCH naming the inputs', async () => {
    const root = await rootWith('wrong-task', { 'rife-v4.6': candyFile! });
    const error = await failure(resolverFor([root]).resolve('rife-v4.6'));
    expect(error.code).toBe('MODEL_MANIFEST_MISMATCH');
    expect(error.userMessage).toContain('input "img0" is missing from the file (its inputs: "input1")');
    expect(error.userMessage).toContain('output "output" is missing');
  });

  it('checks a hand-edited manifest: wrong input name, wrong dtype', async () => {
    const resolver = resolverFor([], { shared: true });
    const candy = catalog.get('style-candy');
    const renamed: ModelManifest = { ...candy, inputs: [{ ...candy.inputs[0]!, name: 'input' }] };
    const nameError = await failure(resolver.resolveManifest(renamed));
    expect(nameError.code).toBe('MODEL_MANIFEST_MISMATCH');
    expect(nameError.userMessage).toContain('input "input" is missing from the file (its inputs: "input1")');
    const retyped: ModelManifest = { ...candy, outputs: [{ ...candy.outputs[0]!, dtype: 'float16' }] };
    const dtypeError = await failure(resolver.resolveManifest(retyped));
    expect(dtypeError.code).toBe('MODEL_MANIFEST_MISMATCH');
    expect(dtypeError.userMessage).toContain('output "output1" dtype is float32 in the file, float16 in the manifest');
    const looser: ModelManifest = { ...candy, inputs: [{ ...candy.inputs[0]!, shape: ['batch', 3, 'height', 'width'] }] };
    expect((await failure(resolver.resolveManifest(looser))).userMessage).toContain('shape[0] is 1 in the file, free "batch" in the manifest');
  });

  it('a missing model is MODEL_NOT_FOUND listing every place searched', async () => {
    const empty = path.join(temp, 'empty');
    await mkdir(empty, { recursive: true });
    const absent = path.join(temp, 'absent');
    const error = await failure(resolverFor([empty], { env: { FRAMESMITH_MODELS: absent } }).resolve('microast'));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.userMessage).toContain(path.join(empty, 'onnx/style-arbitrary/microast.onnx'));
    expect(error.userMessage).toContain(`${path.join(absent, 'onnx/style-arbitrary/microast.onnx')} (folder missing)`);
  });

  it('FRAMESMITH_MODELS wins over ../shared, an explicit root over both, and a bad first copy is not skipped', async () => {
    const envRoot = await rootWith('env-root', { 'style-candy': candyFile! });
    const explicitRoot = await rootWith('explicit-root', { 'style-candy': candyFile! });
    const fromEnv = await resolverFor([], { env: { FRAMESMITH_MODELS: envRoot }, shared: true }).resolve('style-candy');
    expect(fromEnv.root).toMatchObject({ source: 'env', path: envRoot });
    expect(fromEnv.path).toBe(path.join(envRoot, 'onnx/style-fast/candy.onnx'));
    const fromExplicit = await resolverFor([explicitRoot], { env: { FRAMESMITH_MODELS: envRoot }, shared: true }).resolve('style-candy');
    expect(fromExplicit.root.source).toBe('explicit');
    await flipMiddleByte(path.join(envRoot, 'onnx/style-fast/candy.onnx'));
    const error = await failure(resolverFor([], { env: { FRAMESMITH_MODELS: envRoot }, shared: true }).resolve('style-candy'));
    expect(error.code).toBe('MODEL_INTEGRITY');
  });

  it('the verification cache spares a second hash and is invalidated by any change to the file', async () => {
    const root = await rootWith('cached', { 'style-candy': candyFile! });
    const cacheDir = path.join(temp, 'cache');
    const file = path.join(root, 'onnx/style-fast/candy.onnx');
    // A whole-second mtime, so that it can be put back exactly after a write.
    const fixedTime = new Date('2024-01-02T03:04:05Z');
    await utimes(file, fixedTime, fixedTime);
    expect((await resolverFor([root], { cacheDir }).resolve('style-candy')).verification).toBe('hashed');
    const cacheText = await readFile(path.join(cacheDir, VERIFICATION_CACHE_FILE), 'utf8');
    expect(cacheText).toContain(file);
    // A new resolver (a new run) reads the persisted cache.
    expect((await resolverFor([root], { cacheDir }).resolve('style-candy')).verification).toBe('cached');

    // Modify a byte and put the old mtime back: ctime still moves, so the hash is taken again.
    const before = await stat(file);
    await flipMiddleByte(file);
    await utimes(file, fixedTime, fixedTime);
    const after = await stat(file);
    expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
    expect((await failure(resolverFor([root], { cacheDir }).resolve('style-candy'))).code).toBe('MODEL_INTEGRITY');

    // Restored bytes (a fresh write): hashed once more, then cached again.
    await flipMiddleByte(file);
    expect((await resolverFor([root], { cacheDir }).resolve('style-candy')).verification).toBe('hashed');
    expect((await resolverFor([root], { cacheDir }).resolve('style-candy')).verification).toBe('cached');

    // A touch alone also invalidates the entry.
    const later = new Date(Date.now() + 5_000);
    await utimes(file, later, later);
    expect((await resolverFor([root], { cacheDir }).resolve('style-candy')).verification).toBe('hashed');
  });

  it('a corrupt cache file is ignored, not trusted', async () => {
    const root = await rootWith('bad-cache', { 'style-candy': candyFile! });
    const cacheDir = path.join(temp, 'bad-cache-dir');
    await mkdir(cacheDir, { recursive: true });
    await writeFile(path.join(cacheDir, VERIFICATION_CACHE_FILE), '{"version":1,"entries":');
    expect((await resolverFor([root], { cacheDir }).resolve('style-candy')).verification).toBe('hashed');
    expect((await resolverFor([root], { cacheDir }).resolve('style-candy')).verification).toBe('cached');
  });

  it('lists installed models with their state and shadowed copies', async () => {
    const root = await rootWith('listing', { 'style-candy': candyFile!, 'style-udnie': candyFile! });
    const mosaic = modelAsset('onnx/style-fast/mosaic.onnx');
    await mkdir(path.join(root, 'onnx/style-fast'), { recursive: true });
    await copyFile(mosaic!, path.join(root, 'onnx/style-fast/mosaic.onnx'));
    await truncate(path.join(root, 'onnx/style-fast/mosaic.onnx'), 100);
    const cacheDir = path.join(temp, 'listing-cache');
    const resolver = resolverFor([root], { cacheDir, shared: true });

    const quick = await resolver.listInstalled();
    expect(quick).toHaveLength(catalog.models.length);
    const byId = new Map(quick.map((entry) => [entry.id, entry]));
    expect(byId.get('style-candy')).toMatchObject({ state: 'unverified', root: { source: 'explicit' }, shadowedIn: [sharedRoot] });
    expect(byId.get('style-mosaic')).toMatchObject({ state: 'corrupt', sizeBytes: 100 });
    expect(byId.get('rife-v4.6')).toMatchObject({ root: { source: 'shared' }, shadowedIn: [] });

    const verified = new Map((await resolver.listInstalled({ verify: true })).map((entry) => [entry.id, entry.state]));
    expect(verified.get('style-candy')).toBe('verified');
    expect(verified.get('style-udnie')).toBe('corrupt');
    expect(verified.get('microast')).toBe('verified');
  });

  it('stops on an aborted signal with CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(resolverFor([], { shared: true }).resolve('style-candy', { signal: controller.signal }));
    expect(error.code).toBe('CANCELLED');
  });

  it('stops hashing when the signal fires mid-file', async () => {
    const controller = new AbortController();
    const hashing = fileSha256(path.join(sharedRoot!, catalog.get('rife-v4.6').file), { signal: controller.signal });
    setImmediate(() => controller.abort());
    expect((await failure(hashing)).code).toBe('CANCELLED');
  });
});
