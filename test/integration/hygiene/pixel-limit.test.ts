// Untrusted image sizes through the real CLI: a 0.75 MB PNG declaring
// 16000x16000 pixels is refused from its header with INVALID_ARGUMENT naming
// the limit and --max-megapixels, while the other image of the same batch is
// still upscaled (nothing lost) and the process ends normally. The setting
// works both ways: a limit below an image's size refuses it too.
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, errorCodes, parseJsonLines, runCli } from '../../helpers/cli-runner.ts';
import { makeStillImage } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { makeCliSandbox, type CliSandbox } from '../cli/media-checks.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');

describe.skipIf(!model)('pixel limit (real CLI)', () => {
  let box: CliSandbox;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-pixel-limit-');
  });

  afterAll(async () => {
    await box?.dir.dispose();
  });

  it('refuses a 256-megapixel PNG from its header and still processes the rest of the batch', async () => {
    const folder = box.dir.file('batch');
    const huge = box.dir.file('batch/huge.png');
    await mkdir(folder, { recursive: true });
    await sharp({ create: { width: 16000, height: 16000, channels: 3, background: { r: 10, g: 20, b: 30 } }, limitInputPixels: false })
      .png({ compressionLevel: 9 })
      .toFile(huge);
    expect((await stat(huge)).size).toBeLessThan(1024 * 1024);
    await makeStillImage(folder, 'png', { width: 24, height: 16 });
    const out = box.dir.file('out');
    const result = await runCli(['upscale', folder, '-o', out, '--json'], { env: { ...box.env, FRAMESMITH_DATA: box.dir.file('data') } });
    expect(result.signal, describeRun(result)).toBeNull();
    expect(result.code, describeRun(result)).toBe(1);
    const events = parseJsonLines(result.stdout);
    expect(errorCodes(events)).toEqual(['INVALID_ARGUMENT']);
    const error = events.find((event) => event.type === 'error')?.error as { userMessage: string; hint?: unknown };
    expect(error.userMessage).toContain('16000x16000');
    expect(error.userMessage).toContain('100 megapixels');
    // The setting that raises it travels as a hint (the CLI's text names --max-megapixels, the app its control).
    expect(error.userMessage).toContain('pixel limit');
    expect(error.hint).toEqual({ field: 'processing.maxMegapixels', action: 'raise-pixel-limit' });
    expect(events.filter((event) => event.type === 'done')).toHaveLength(1);
    expect(existsSync(box.dir.file('out/huge-upscaled-x4.png'))).toBe(false);
  });

  it('through the job queue (run): the huge image fails with its reason, the small one is written, the process ends normally', async () => {
    const folder = box.dir.file('batch');
    const out = box.dir.file('queued-out');
    const result = await runCli(['run', folder, '--step', 'upscale', '-o', out, '--json'], { env: { ...box.env, FRAMESMITH_DATA: box.dir.file('data-run') } });
    expect(result.signal, describeRun(result)).toBeNull();
    expect(result.code, describeRun(result)).toBe(1);
    const events = parseJsonLines(result.stdout);
    expect(errorCodes(events)).toEqual(['INVALID_ARGUMENT']);
    expect(events.filter((event) => event.type === 'done')).toHaveLength(1);
    expect((await readdir(out)).filter((name) => name.endsWith('-upscaled-x4.png'))).toHaveLength(1);
  });

  it('--max-megapixels lowers the limit (and is checked as an option)', async () => {
    const input = await makeStillImage(box.dir.path, 'png', { width: 40, height: 30 });
    const refused = await runCli(['upscale', input, '-o', box.dir.file('small-out.png'), '--max-megapixels', '0.001', '--json'], { env: box.env });
    expect(refused.code, describeRun(refused)).toBe(1);
    expect(errorCodes(parseJsonLines(refused.stdout))).toEqual(['INVALID_ARGUMENT']);
    const bad = await runCli(['upscale', input, '--max-megapixels', '-3'], { env: box.env });
    expect(bad.code, describeRun(bad)).toBe(2);
    const ok = await runCli(['upscale', input, '-o', box.dir.file('small-ok.png'), '--max-megapixels', '0.002', '--json'], { env: box.env });
    expect(ok.code, describeRun(ok)).toBe(0);
  });
});
