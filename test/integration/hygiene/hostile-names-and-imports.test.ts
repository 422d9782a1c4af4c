// Hostile names and files through the real CLI: every refusal is a typed,
// documented code (never BUG), nothing half-made is left behind, and what
// was there before is untouched. Covers: a 244-byte input name and a
// 250-byte output name (temporary names are derived, short), an output name
// past the 255-byte limit, random bytes and a truncated model as .onnx, a
// 300-character model id, an import under a catalog id or an installed id,
// and presets whose values `run` would refuse later (fps 1e9, model
// "../../x", the Windows device name "con").
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, errorCodes, parseJsonLines, runCli } from '../../helpers/cli-runner.ts';
import { makeClip } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { ERROR_CODES } from '../../../common/errors.ts';
import { makeCliSandbox, type CliSandbox } from '../cli/media-checks.ts';

const srModel = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const styleModel = modelAsset('onnx/style-fast/candy.onnx');

describe.skipIf(!srModel || !styleModel)('hostile names and imports (real CLI)', () => {
  let box: CliSandbox;
  let env: Record<string, string>;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-hostile-');
    env = { ...box.env, FRAMESMITH_DATA: box.dir.file('data') };
  });

  afterAll(async () => {
    await box?.dir.dispose();
  });

  async function expectRefused(args: string[], code: string): Promise<string> {
    const result = await runCli([...args, '--json'], { env });
    expect(result.code, describeRun(result)).not.toBe(0);
    expect(result.signal, describeRun(result)).toBeNull();
    const codes = errorCodes(parseJsonLines(result.stdout));
    expect(codes, describeRun(result)).toEqual([code]);
    expect(ERROR_CODES).toContain(code);
    return result.stdout;
  }

  it('a 244-byte input name is processed, an output name of 250 bytes is written, one of 256 is refused first', async () => {
    const clip = await makeClip(box.dir.path, { frames: 4, width: 32, height: 24 });
    const input = path.join(box.dir.path, `${'a'.repeat(240)}.mp4`);
    await writeFile(input, await readFile(clip));
    const output = path.join(box.dir.path, `${'b'.repeat(246)}.mp4`);
    const ok = await runCli(['upscale', input, '-o', output, '--json'], { env });
    expect(ok.code, describeRun(ok)).toBe(0);
    expect(existsSync(output)).toBe(true);
    // The default name "<240 a>-upscaled-x4.mp4" is 256 bytes: refused before any frame.
    const stdout = await expectRefused(['upscale', input], 'INVALID_ARGUMENT');
    expect(stdout).toContain('255');
    const names = await readdir(box.dir.path);
    expect(names.filter((name) => name.includes('framesmith-tmp'))).toEqual([]);
  });

  it('random bytes and a truncated model as .onnx: INVALID_ARGUMENT, no folder in the store', async () => {
    const store = path.join(box.env.FRAMESMITH_CACHE as string, 'models', 'installed');
    const random = box.dir.file('random.onnx');
    await writeFile(random, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)));
    await expectRefused(['models', 'import', random], 'INVALID_ARGUMENT');
    const truncated = box.dir.file('truncated.onnx');
    await writeFile(truncated, (await readFile(styleModel as string)).subarray(0, 100_000));
    await expectRefused(['models', 'import', truncated], 'INVALID_ARGUMENT');
    expect(existsSync(path.join(store, 'random'))).toBe(false);
    expect(existsSync(path.join(store, 'truncated'))).toBe(false);
  });

  it('a 300-character id and a catalog id are refused; an installed id only with --replace', async () => {
    await expectRefused(['models', 'import', styleModel as string, '--id', 'm'.repeat(300)], 'INVALID_ARGUMENT');
    const taken = await expectRefused(['models', 'import', styleModel as string, '--id', 'realesr-animevideov3-x4'], 'INVALID_ARGUMENT');
    expect(taken).toContain('catalog model');
    const first = await runCli(['models', 'import', styleModel as string, '--id', 'my-candy', '--json'], { env });
    expect(first.code, describeRun(first)).toBe(0);
    await expectRefused(['models', 'import', styleModel as string, '--id', 'my-candy'], 'INVALID_ARGUMENT');
    const replaced = await runCli(['models', 'import', styleModel as string, '--id', 'my-candy', '--replace', '--json'], { env });
    expect(replaced.code, describeRun(replaced)).toBe(0);
    // The catalog model still upscales x4 (the refused import changed nothing).
    const info = await runCli(['models', 'info', 'realesr-animevideov3-x4', '--json'], { env });
    expect(info.code, describeRun(info)).toBe(0);
    expect(info.stdout).toContain('super-resolution');
  });

  it('presets that run would refuse later are refused at import', async () => {
    const base = { format: 'framesmith-preset', version: 2, name: 'Fine' };
    const cases: [string, unknown][] = [
      ['fps', { ...base, steps: [{ kind: 'interpolate', fps: '1000000000' }] }],
      ['model', { ...base, steps: [{ kind: 'upscale', model: '../../x' }] }],
      ['name', { ...base, name: 'con', steps: [{ kind: 'upscale' }] }],
      ['name', { ...base, name: 'NUL.txt', steps: [{ kind: 'upscale' }] }],
      ['model', { ...base, steps: [{ kind: 'upscale', model: 'x'.repeat(300) }] }],
    ];
    for (const [field, preset] of cases) {
      const file = box.dir.file(`preset-${field}.json`);
      await writeFile(file, JSON.stringify(preset));
      const result = await runCli(['presets', 'import', file], { env });
      expect(result.code, describeRun(result)).toBe(2);
      expect(result.stderr + result.stdout, describeRun(result)).toContain(field);
      expect(result.stderr + result.stdout).not.toContain('Internal error');
    }
    const list = await runCli(['presets', 'list'], { env });
    expect(list.code, describeRun(list)).toBe(0);
    expect(list.stdout).not.toMatch(/\bFine\b|\bcon\b/);
  });
});
