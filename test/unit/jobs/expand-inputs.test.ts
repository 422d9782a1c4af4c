import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandInputs } from '../../../engine/jobs/expand-inputs.ts';

describe('expandInputs', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'fs-expand-'));
    await mkdir(path.join(root, 'shots', 'nested'), { recursive: true });
    for (const name of ['b.png', 'a.mp4', 'notes.txt', 'nested/c.webm']) await writeFile(path.join(root, 'shots', name), '');
    await writeFile(path.join(root, 'clip.raw'), '');
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));

  it('expands a folder to its media files in order, skipping others', async () => {
    const items = await expandInputs([path.join(root, 'shots')]);
    expect(items.map((item) => path.basename(item.path))).toEqual(['a.mp4', 'b.png']);
    expect(items.map((item) => item.kind)).toEqual(['video', 'image']);
  });

  it('descends into sub-folders when asked', async () => {
    const items = await expandInputs([path.join(root, 'shots')], { recursive: true });
    expect(items.map((item) => path.basename(item.path))).toEqual(['a.mp4', 'b.png', 'c.webm']);
  });

  it('expands globs relative to cwd and removes duplicates', async () => {
    const items = await expandInputs(['shots/*.png', 'shots/b.png', 'shots/**/*.webm'], { cwd: root });
    expect(items.map((item) => path.basename(item.path))).toEqual(['b.png', 'c.webm']);
  });

  it('keeps a named file with an unknown extension, to be probed', async () => {
    const items = await expandInputs([path.join(root, 'clip.raw')]);
    expect(items[0]?.kind).toBe('video');
  });

  it('says which input is missing', async () => {
    await expect(expandInputs([path.join(root, 'nope.mp4')])).rejects.toMatchObject({ code: 'INPUT_NOT_FOUND' });
    await expect(expandInputs(['*.nothing'], { cwd: root })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(expandInputs([])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
