// Derived model files are trusted by their record, not their existence. The
// real CLI upscales with an fp16 model (converted to fp32 into the cache);
// the cached fp32 file's weights are then altered in place: the next run
// finds the record does not match, converts again, and writes the same
// pixels as the first run (and the cache holds the original bytes again).
// The same for a split graph: an altered prelude is split again.
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSplitModel } from '../../../engine/onnx/split-constant-branch.ts';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { makeStillImage } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const fp16Model = modelAsset('onnx/super-resolution/realesr-general-x4v3.fp16.onnx');
const microast = modelAsset('onnx/style-arbitrary/microast.onnx');

async function findFiles(root: string, suffix: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true }).catch(() => [] as string[]);
  return entries.map(String).filter((name) => name.endsWith(suffix)).map((name) => path.join(root, name));
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** Overwrites `length` bytes at 60% of the file (inside the weights) with 0x3f: still a loadable model, other weights. */
async function alterWeights(file: string, length = 4096): Promise<void> {
  const { size } = await stat(file);
  const handle = await open(file, 'r+');
  try {
    await handle.write(Buffer.alloc(length, 0x3f), 0, length, Math.floor(size * 0.6));
  } finally {
    await handle.close();
  }
}

describe('derived model integrity', () => {
  let work: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'framesmith-derived-'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it.skipIf(!fp16Model)('an altered fp32 conversion in the cache is rebuilt and the output is right', async () => {
    const env = { FRAMESMITH_CACHE: path.join(work, 'cache'), FRAMESMITH_DATA: path.join(work, 'data'), TMPDIR: work };
    const input = await makeStillImage(work, 'png', { width: 24, height: 16 });
    const first = path.join(work, 'first.png');
    const run1 = await runCli(['upscale', input, '-m', 'realesr-general-x4v3', '-o', first, '--json'], { env });
    expect(run1.code, describeRun(run1)).toBe(0);
    const cached = await findFiles(env.FRAMESMITH_CACHE, '.fp32.onnx');
    expect(cached).toHaveLength(1);
    const original = await sha256(cached[0] as string);
    await alterWeights(cached[0] as string);
    expect(await sha256(cached[0] as string)).not.toBe(original);

    const second = path.join(work, 'second.png');
    const run2 = await runCli(['upscale', input, '-m', 'realesr-general-x4v3', '-o', second, '--json'], { env });
    expect(run2.code, describeRun(run2)).toBe(0);
    expect(await sha256(cached[0] as string)).toBe(original);
    const [a, b] = await Promise.all([first, second].map((file) => sharp(file).raw().toBuffer()));
    expect(Buffer.compare(a as Buffer, b as Buffer)).toBe(0);
  });

  it.skipIf(!microast)('an altered split prelude is split again', async () => {
    const cacheDir = path.join(work, 'split-cache');
    const source = path.join(work, 'microast.onnx');
    await copyFile(microast as string, source);
    const made = await ensureSplitModel(source, ['style', 'alpha'], cacheDir);
    expect(made.created).toBe(true);
    const hit = await ensureSplitModel(source, ['style', 'alpha'], cacheDir);
    expect(hit.created).toBe(false);
    const original = await sha256(made.preludePath);
    await alterWeights(made.preludePath, 256);
    const again = await ensureSplitModel(source, ['style', 'alpha'], cacheDir);
    expect(again.created).toBe(true);
    expect(await sha256(again.preludePath)).toBe(original);
    expect(again.preludeSha256).toBe(original);
  });
});
