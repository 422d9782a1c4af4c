// `framesmith upscale` on still images and batches: alpha carried at 4x,
// 16-bit PNG kept 16-bit, JPEG EXIF and ICC kept; folders and globs, output
// names ({name}-{label}{ext}), OUTPUT_EXISTS on a second run and --overwrite.
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, errorCodes, parseJsonLines, runCli } from '../../helpers/cli-runner.ts';
import { makeStillImage } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { makeCliSandbox, sha256Of, type CliSandbox } from './media-checks.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');

/** A 40x28 RGBA png: colour gradient, alpha rising from left (0) to right (255). */
async function makeAlphaPng(file: string): Promise<void> {
  const width = 40;
  const height = 28;
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const o = (y * width + x) * 4;
      data[o] = x * 6;
      data[o + 1] = y * 9;
      data[o + 2] = 128;
      data[o + 3] = Math.round((x / (width - 1)) * 255);
    }
  }
  await sharp(data, { raw: { width, height, channels: 4 } }).png().toFile(file);
}

describe.skipIf(!model)('framesmith upscale (images and batches)', () => {
  let box: CliSandbox;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-cli-images-');
  });

  afterAll(async () => {
    await box?.dir.dispose();
  });

  it('carries a PNG alpha channel through at 4x', async () => {
    const input = box.dir.file('alpha.png');
    await makeAlphaPng(input);
    const output = box.dir.file('alpha-out.png');
    const result = await runCli(['upscale', input, '-o', output], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
    const meta = await sharp(output).metadata();
    expect([meta.width, meta.height, meta.channels, meta.hasAlpha]).toEqual([160, 112, 4, true]);
    const { data } = await sharp(output).raw().toBuffer({ resolveWithObject: true });
    const alphaAt = (x: number, y: number): number => data[(y * 160 + x) * 4 + 3] as number;
    expect(alphaAt(1, 50)).toBeLessThan(16);
    expect(alphaAt(158, 50)).toBeGreaterThan(240);
    expect(Math.abs(alphaAt(80, 50) - 128)).toBeLessThan(16);
  });

  it('keeps a 16-bit PNG 16-bit', async () => {
    const input = await makeStillImage(box.dir.path, 'png', { width: 40, height: 28, pixelFormat: 'rgb48be' });
    expect((await sharp(input).metadata()).depth).toBe('ushort');
    const output = box.dir.file('deep-out.png');
    const result = await runCli(['upscale', input, '-o', output], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
    const meta = await sharp(output).metadata();
    expect([meta.width, meta.height, meta.depth]).toEqual([160, 112, 'ushort']);
  });

  it('keeps the EXIF and ICC profile of a JPEG', async () => {
    const input = box.dir.file('photo.jpg');
    const base = await makeStillImage(box.dir.path, 'png', { width: 40, height: 28 });
    await sharp(base).withIccProfile('p3').withExif({ IFD0: { Copyright: 'Framesmith test', Artist: 'CLI' } }).jpeg({ quality: 95 }).toFile(input);
    const source = await sharp(input).metadata();
    expect(source.icc).toBeDefined();
    const output = box.dir.file('photo-out.jpg');
    const result = await runCli(['upscale', input, '-o', output], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
    const meta = await sharp(output).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([160, 112, 'jpeg']);
    expect(meta.icc?.equals(source.icc as Buffer)).toBe(true);
    expect(meta.exif?.toString('latin1')).toContain('Framesmith test');
  });

  it('names batch outputs {name}-upscaled-x4{ext} in the -o folder, refuses to replace them, and replaces them with --overwrite', async () => {
    const folder = box.dir.file('batch-in');
    await mkdir(folder);
    await makeStillImage(folder, 'png', { width: 32, height: 24 });
    await makeStillImage(folder, 'jpg', { width: 36, height: 20 });
    const globbed = box.dir.file('extra');
    await mkdir(globbed);
    await makeStillImage(globbed, 'webp', { width: 24, height: 24 });
    const out = box.dir.file('batch-out');
    const pattern = `${path.relative(box.dir.path, globbed)}/*.webp`;
    const args = ['upscale', folder, pattern, '-o', out, '--json'];

    const first = await runCli(args, { env: box.env, cwd: box.dir.path });
    expect(first.code, describeRun(first)).toBe(0);
    const names = (await readdir(out)).sort();
    expect(names).toEqual(['still-24x24-upscaled-x4.webp', 'still-32x24-upscaled-x4.png', 'still-36x20-upscaled-x4.jpg']);
    expect((await sharp(path.join(out, 'still-36x20-upscaled-x4.jpg')).metadata()).width).toBe(144);
    expect(parseJsonLines(first.stdout).filter((event) => event.type === 'done')).toHaveLength(3);
    const hashes = await Promise.all(names.map((name) => sha256Of(path.join(out, name))));
    const times = await Promise.all(names.map(async (name) => (await stat(path.join(out, name))).mtimeMs));

    const second = await runCli(args, { env: box.env, cwd: box.dir.path });
    expect(second.code, describeRun(second)).toBe(1);
    const events = parseJsonLines(second.stdout);
    expect(errorCodes(events)).toContain('OUTPUT_EXISTS');
    const error = events.find((event) => event.type === 'error')?.error as { userMessage: string };
    expect(error.userMessage).toMatch(/--overwrite|overwrite/i);
    expect(await Promise.all(names.map((name) => sha256Of(path.join(out, name))))).toEqual(hashes);
    expect(await Promise.all(names.map(async (name) => (await stat(path.join(out, name))).mtimeMs))).toEqual(times);

    const third = await runCli([...args, '--overwrite'], { env: box.env, cwd: box.dir.path });
    expect(third.code, describeRun(third)).toBe(0);
    expect(parseJsonLines(third.stdout).filter((event) => event.type === 'done')).toHaveLength(3);
    expect((await readdir(out)).sort()).toEqual(names);
  });

  it('goes on after an item fails, reports it, and exits 1; progress rises over the whole batch', async () => {
    const folder = box.dir.file('mixed');
    await mkdir(folder);
    await makeStillImage(folder, 'png', { width: 24, height: 16 });
    await writeFile(path.join(folder, 'broken.png'), 'not an image');
    await makeStillImage(folder, 'jpg', { width: 16, height: 24 });
    const out = box.dir.file('mixed-out');
    const result = await runCli(['upscale', folder, '-o', out, '--json'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(1);
    const events = parseJsonLines(result.stdout);
    expect(events.filter((event) => event.type === 'start').map((event) => path.basename(String(event.item))))
      .toEqual(['broken.png', 'still-16x24.jpg', 'still-24x16.png']);
    expect(errorCodes(events)).toEqual(['INPUT_NOT_MEDIA']);
    expect(events.filter((event) => event.type === 'done')).toHaveLength(2);
    expect((await readdir(out)).sort()).toEqual(['still-16x24-upscaled-x4.jpg', 'still-24x16-upscaled-x4.png']);
    const order = ['probe', 'process', 'finalize'];
    let fraction = 0;
    let previous: { item: string; stage: number } | undefined;
    for (const event of events.filter((candidate) => candidate.type === 'progress')) {
      const progress = event.progress as { stage: string; fraction: number };
      expect(progress.fraction).toBeGreaterThanOrEqual(fraction);
      fraction = progress.fraction;
      const stage = order.indexOf(progress.stage);
      if (previous && previous.item === event.item) expect(stage, JSON.stringify(event)).toBeGreaterThanOrEqual(previous.stage);
      previous = { item: String(event.item), stage };
    }
    expect(fraction).toBe(1);
  });
});
