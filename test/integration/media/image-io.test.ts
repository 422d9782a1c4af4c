// Images through sharp: every format round trips, ICC and EXIF survive a
// write, alpha is reattached, 16-bit stays 16-bit, and the output rules hold.
import { promises as fs } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputNotFoundError, InputNotMediaError, OutputExistsError, OutputIsInputError } from '../../../common/errors.ts';
import { readImage, writeImage, type ImageFormat } from '../../../engine/media/image-io.ts';
import { listTemporarySiblings } from '../../../engine/media/output-path.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

let dir: TempDir;
beforeAll(async () => {
  dir = await makeTempDir('framesmith-image-');
});
afterAll(async () => {
  await dir.dispose();
});

const W = 24;
const H = 16;

function gradient(channels: 3 | 4): Buffer {
  const data = Buffer.alloc(W * H * channels);
  for (let y = 0; y < H; y += 1) {
    for (let x = 0; x < W; x += 1) {
      const o = (y * W + x) * channels;
      data[o] = x * 10;
      data[o + 1] = y * 15;
      data[o + 2] = 128;
      if (channels === 4) data[o + 3] = (x * 11) & 255;
    }
  }
  return data;
}

/** A source image with a P3 profile, EXIF tags and (optionally) alpha, made by sharp. */
async function makeSource(name: string, format: ImageFormat, alpha: boolean): Promise<string> {
  const file = dir.file(name);
  const pipeline = sharp(gradient(alpha ? 4 : 3), { raw: { width: W, height: H, channels: alpha ? 4 : 3 } })
    .withIccProfile('p3')
    .withExif({ IFD0: { Copyright: 'Framesmith test', Artist: 'tester' } });
  // sharp's TIFF default here is JPEG compression (8-bit, no alpha): ask for LZW.
  await (format === 'tiff' ? pipeline.tiff({ compression: 'lzw' }) : pipeline.toFormat(format)).toFile(file);
  return file;
}

describe('image round trips', () => {
  it.each(['png', 'jpeg', 'webp', 'tiff', 'avif'] as const)('%s: reads, writes and reads back', async (format) => {
    const source = await makeSource(`src.${format}`, format, false);
    const image = await readImage(source);
    expect(image.frame.width).toBe(W);
    expect(image.frame.bitDepth).toBe(8);
    expect(image.alpha).toBeNull();
    expect(image.metadata.iccProfile).not.toBeNull();
    const out = dir.file(`out.${format}`);
    await writeImage(out, image.frame, image.alpha, image.metadata, { quality: 95 });
    const back = await readImage(out);
    // Lossless formats lose only the 8-bit rounding of sRGB -> P3 -> sRGB; lossy ones their codec.
    const lossless = format === 'png' || format === 'tiff';
    let total = 0;
    let worst = 0;
    for (let i = 0; i < back.frame.data.length; i += 1) {
      const difference = Math.abs(back.frame.data[i]! - image.frame.data[i]!);
      total += difference;
      worst = Math.max(worst, difference);
    }
    expect(total / back.frame.data.length).toBeLessThanOrEqual(lossless ? 1.5 : 6);
    expect(worst).toBeLessThanOrEqual(lossless ? 6 : 64);
    const meta = await sharp(out).metadata();
    expect(meta.icc?.equals(image.metadata.iccProfile!), 'ICC profile kept').toBe(true);
    if (format === 'png' || format === 'jpeg' || format === 'webp') {
      expect(meta.exif, 'EXIF kept').toBeDefined();
      expect(meta.exif!.toString('latin1')).toContain('Framesmith test');
    }
    expect(await listTemporarySiblings(out)).toEqual([]);
  });

  it.each(['png', 'webp', 'tiff'] as const)('%s keeps the alpha channel', async (format) => {
    const source = await makeSource(`alpha.${format}`, format, true);
    const image = await readImage(source);
    expect(image.alpha).not.toBeNull();
    const out = dir.file(`alpha-out.${format}`);
    await writeImage(out, image.frame, image.alpha, image.metadata, { format: format === 'webp' ? 'webp' : format });
    const back = await readImage(out);
    expect(back.alpha).not.toBeNull();
    let worst = 0;
    for (let i = 0; i < back.alpha!.length; i += 1) worst = Math.max(worst, Math.abs(back.alpha![i]! - image.alpha![i]!));
    expect(worst).toBeLessThanOrEqual(format === 'webp' ? 8 : 0);
  });

  it.each(['png', 'tiff'] as const)('16-bit %s stays 16-bit, exactly', async (format) => {
    const samples = new Uint16Array(W * H * 3);
    for (let i = 0; i < samples.length; i += 1) samples[i] = (i * 2459) & 0xffff;
    const source = dir.file(`deep.${format}`);
    const deep = sharp(samples, { raw: { width: W, height: H, channels: 3 } }).toColourspace('rgb16');
    await (format === 'tiff' ? deep.tiff({ compression: 'lzw' }) : deep.png()).toFile(source);
    const image = await readImage(source);
    expect(image.bitDepth).toBe(16);
    expect(Array.from(image.frame.data.subarray(0, 6))).toEqual(Array.from(samples.subarray(0, 6)));
    const out = dir.file(`deep-out.${format}`);
    await writeImage(out, image.frame, null, image.metadata);
    expect((await sharp(out).metadata()).depth).toBe('ushort');
    const back = await readImage(out);
    expect(Buffer.from(back.frame.data.buffer).equals(Buffer.from(samples.buffer))).toBe(true);
  });
});

describe('image errors and output rules', () => {
  it('missing file -> InputNotFoundError; not an image -> InputNotMediaError', async () => {
    await expect(readImage(dir.file('nope.png'))).rejects.toBeInstanceOf(InputNotFoundError);
    const text = dir.file('text.png');
    await fs.writeFile(text, 'not an image at all');
    await expect(readImage(text)).rejects.toBeInstanceOf(InputNotMediaError);
  });

  it('refuses an existing output unless overwrite, and never the input', async () => {
    const source = await makeSource('rules.png', 'png', false);
    const image = await readImage(source);
    const out = dir.file('rules-out.png');
    await fs.writeFile(out, 'old');
    await expect(writeImage(out, image.frame, null, image.metadata)).rejects.toBeInstanceOf(OutputExistsError);
    await writeImage(out, image.frame, null, image.metadata, { overwrite: true });
    expect((await sharp(out).metadata()).width).toBe(W);
    await expect(writeImage(source, image.frame, null, image.metadata, { overwrite: true, inputs: [source] })).rejects.toBeInstanceOf(OutputIsInputError);
  });
});
