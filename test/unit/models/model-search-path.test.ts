import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelSearchPath, splitModelsEnv } from '../../../engine/models/model-search-path.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('modelSearchPath', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'framesmith-search-'));
    for (const name of ['explicit', 'env-a', 'env-b', 'cache']) await mkdir(path.join(temp, name));
  });
  afterAll(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('orders explicit, FRAMESMITH_MODELS (several), ../shared/models, then the user cache', () => {
    const env = { FRAMESMITH_MODELS: [path.join(temp, 'env-a'), '', path.join(temp, 'env-b')].join(path.delimiter) };
    const roots = modelSearchPath({ explicit: [path.join(temp, 'explicit')], env, userCacheDir: path.join(temp, 'cache') });
    expect(roots.map((root) => [root.source, root.path])).toEqual([
      ['explicit', path.join(temp, 'explicit')],
      ['env', path.join(temp, 'env-a')],
      ['env', path.join(temp, 'env-b')],
      ['shared', path.resolve(repoRoot, '..', 'shared', 'models')],
      ['user-cache', path.join(temp, 'cache')],
    ]);
    expect(roots.filter((root) => root.source !== 'shared').every((root) => root.exists)).toBe(true);
  });

  it('reports missing folders, keeps each folder once, and can leave out ../shared', () => {
    const missing = path.join(temp, 'not-there');
    const roots = modelSearchPath({ explicit: [missing, path.join(temp, 'cache')], env: { FRAMESMITH_MODELS: missing }, includeShared: false, userCacheDir: path.join(temp, 'cache') });
    expect(roots).toEqual([
      { path: missing, source: 'explicit', exists: false },
      { path: path.join(temp, 'cache'), source: 'explicit', exists: true },
    ]);
  });

  it('resolves relative paths and ignores an empty FRAMESMITH_MODELS', () => {
    expect(modelSearchPath({ explicit: ['rel'], env: { FRAMESMITH_MODELS: '' }, includeShared: false })[0]!.path).toBe(path.resolve('rel'));
    expect(splitModelsEnv(undefined)).toEqual([]);
    expect(splitModelsEnv(` a ${path.delimiter}${path.delimiter}b`)).toEqual(['a', 'b']);
  });
});
