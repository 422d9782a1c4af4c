// `stylize` pulls on use like `upscale` and `interpolate`: a style whose
// model is not installed is offered for download on a terminal (the answer
// "no" ends with exit 1 and nothing downloaded) and, without a terminal, the
// command says to run again with --pull. Searched without ../shared/models so
// the style is really missing; its download is the catalog's.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_FAILED } from '../../../cli/exit-codes.ts';
import { pullOnUse } from '../../../cli/model-pull.ts';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

let cacheDir: string;
const previousCache = process.env.FRAMESMITH_CACHE;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'fs-stylize-pull-'));
  process.env.FRAMESMITH_CACHE = cacheDir;
});

afterAll(async () => {
  if (previousCache === undefined) delete process.env.FRAMESMITH_CACHE;
  else process.env.FRAMESMITH_CACHE = previousCache;
  await rm(cacheDir, { recursive: true, force: true });
});

async function storedFiles(): Promise<string[]> {
  const models = path.join(cacheDir, 'models');
  return existsSync(models) ? readdir(models, { recursive: true }) : [];
}

describe('stylize pulls its model on use', () => {
  it('asks on a terminal for a style whose model is not installed; "no" downloads nothing and exits 1', async () => {
    const questions: string[] = [];
    const ask = async (question: string): Promise<string> => {
      questions.push(question);
      return 'n';
    };
    const code = await pullOnUse({ kind: 'stylize', style: 'candy' }, { pull: false, json: true, interactive: true, ask, includeSharedModels: false });
    // --json never asks: a script gets the message to use --pull instead.
    expect(code).toBe(EXIT_FAILED);
    expect(questions).toEqual([]);
    const asked = await pullOnUse({ kind: 'stylize', style: 'Candy' }, { pull: false, json: false, interactive: true, ask, includeSharedModels: false });
    expect(asked).toBe(EXIT_FAILED);
    expect(questions).toEqual([expect.stringMatching(/^Model style-candy is not installed\. Download it now \(3\.2 MiB\)\? \[y\/N\] $/)]);
    expect(await storedFiles()).toEqual([]);
  });

  it('asks about the arbitrary-style model for a style image, and nothing for a style the catalog does not know', async () => {
    const questions: string[] = [];
    const ask = async (question: string): Promise<string> => {
      questions.push(question);
      return '';
    };
    expect(await pullOnUse({ kind: 'stylize' }, { pull: false, json: false, interactive: true, ask, includeSharedModels: false })).toBe(EXIT_FAILED);
    expect(questions).toEqual([expect.stringMatching(/^Model microast is not installed\./)]);
    // An unknown style is the command's own usage error (exit 2, from planning), not a download question.
    expect(await pullOnUse({ kind: 'stylize', style: 'no-such-style' }, { pull: false, json: false, interactive: true, ask, includeSharedModels: false })).toBeUndefined();
    expect(questions).toHaveLength(1);
  });

  const candy = modelAsset('onnx/style-fast/candy.onnx');
  it.skipIf(!candy)('goes on without asking when the style model is installed (here: from ../shared/models)', async () => {
    const ask = async (): Promise<string> => {
      throw new Error('asked about an installed model');
    };
    expect(await pullOnUse({ kind: 'stylize', style: 'candy' }, { pull: false, json: false, interactive: true, ask })).toBeUndefined();
  });

  it('stylize --help offers --pull', async () => {
    const result = await runCli(['stylize', '--help'], { env: { FRAMESMITH_CACHE: cacheDir } });
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toMatch(/--pull +download the model first when it is not installed/);
  });
});
