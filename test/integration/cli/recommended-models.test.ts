// The CLI's view of the catalog's recommendations and of models that are not
// installed: `models list` shows the recommended RIFE versions first with
// their reasons and folds the other versions below; `models info` of a model
// that is not installed describes the catalog entry (no download) and says
// when its weights are checked by git blob id only; `interpolate --model` of
// a model that is not installed, without --pull and without a terminal,
// says how to get it and exits 1 without downloading.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { mediaAsset } from '../../helpers/shared-assets.ts';

let cacheDir: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'fs-recommended-'));
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('recommended models and pull on use', () => {
  it('models list: recommended versions first with their reasons, the others folded below', async () => {
    const result = await runCli(['models', 'list'], { env: { FRAMESMITH_CACHE: cacheDir } });
    expect(result.code, describeRun(result)).toBe(0);
    const ids = result.stdout.split('\n').slice(1).filter((line) => /^[a-z]/.test(line)).map((line) => line.split(/\s+/)[0]);
    expect(ids.slice(0, 4)).toEqual(['rife-v4.6', 'rife-v4.22-lite', 'rife-v4.25', 'rife-v4.26']);
    expect(result.stdout).toMatch(/rife-v4\.25 .*\n +recommended: the version upstream \(Practical-RIFE\) recommends/);
    const folded = result.stdout.indexOf('other versions (interpolation)');
    expect(folded).toBeGreaterThan(0);
    expect(result.stdout.indexOf('\nrife-v4.25-lite ')).toBeGreaterThan(folded);
    expect(result.stdout.indexOf('\nrealesr-general-x4v3 ')).toBeLessThan(folded);
    const json = JSON.parse((await runCli(['models', 'list', '--json'], { env: { FRAMESMITH_CACHE: cacheDir } })).stdout) as { id: string; recommended?: string }[];
    expect(json.filter((entry) => entry.recommended).map((entry) => entry.id)).toEqual(['rife-v4.6', 'rife-v4.22-lite', 'rife-v4.25', 'rife-v4.26']);
  });

  it('models info of a model that is not installed: the catalog entry, git-blob-only integrity, typed facts', async () => {
    const result = await runCli(['models', 'info', 'rife-v4.25'], { env: { FRAMESMITH_CACHE: cacheDir } });
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toMatch(/not installed; "framesmith models pull rife-v4.25" downloads it/);
    expect(result.stdout).toMatch(/flownet\.bin will be checked by git blob id only/);
    expect(result.stdout).toMatch(/padding multiple 64/);
  });

  const first = mediaAsset('interpolation/pytoflow/im1.png');
  const third = mediaAsset('interpolation/pytoflow/im3.png');
  it.skipIf(!first || !third)('interpolate --model of a model that is not installed, without a terminal: says --pull, exits 1', async () => {
    const output = path.join(cacheDir, 'frames');
    const result = await runCli(['interpolate', first!, third!, '--model', 'rife-v4.25', '-o', output], { env: { FRAMESMITH_CACHE: cacheDir } });
    expect(result.code, describeRun(result)).toBe(1);
    expect(result.stderr).toMatch(/Model rife-v4\.25 is not installed\. Run again with --pull/);
    expect(result.stderr).not.toMatch(/flownet\.bin from/);
  });
});
