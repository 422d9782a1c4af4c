import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exists } from '../../../engine/base/exists.ts';

describe('exists', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'framesmith-exists-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('tells files and folders from missing paths', async () => {
    await writeFile(path.join(dir, 'a.txt'), 'a');
    expect(await exists(path.join(dir, 'a.txt'))).toBe(true);
    expect(await exists(dir)).toBe(true);
    expect(await exists(path.join(dir, 'missing.txt'))).toBe(false);
    expect(await exists(path.join(dir, 'a.txt', 'below-a-file'))).toBe(false);
  });

  it('counts a dangling link as present only when asked not to follow links', async () => {
    const link = path.join(dir, 'link.mp4');
    await symlink(path.join(dir, 'gone.mp4'), link);
    expect(await exists(link)).toBe(false);
    expect(await exists(link, { followLinks: false })).toBe(true);
  });
});
