// Output path safety on the real filesystem: same-file detection, writability,
// atomic commit without overwrite, errno mapping (ENOSPC from /dev/full).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskFullError, OutputExistsError, OutputNotWritableError } from '../../../common/errors.ts';
import {
  assertWritableFolder,
  commitTemporary,
  isSameFile,
  isTemporaryName,
  listTemporarySiblings,
  mapWriteError,
  temporarySibling,
  writeFileAtomically,
} from '../../../engine/media/output-path.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

let dir: TempDir;
beforeAll(async () => {
  dir = await makeTempDir('framesmith-output-');
});
afterAll(async () => {
  await dir.dispose();
});

describe('output paths', () => {
  it('temporary siblings are hidden, recognisable, unique and in the same folder', () => {
    const a = temporarySibling('/x/y/movie.mp4');
    expect(path.dirname(a)).toBe('/x/y');
    expect(path.extname(a)).toBe('.mp4');
    expect(isTemporaryName(path.basename(a))).toBe(true);
    expect(isTemporaryName('movie.mp4')).toBe(false);
    expect(temporarySibling('/x/y/movie.mp4')).not.toBe(a);
  });

  it('detects the same file through a symlink, a hard link and another spelling', async () => {
    const file = dir.file('input.mkv');
    await fs.writeFile(file, 'x');
    await fs.symlink(file, dir.file('sym.mkv'));
    await fs.link(file, dir.file('hard.mkv'));
    expect(await isSameFile(file, dir.file('sym.mkv'))).toBe(true);
    expect(await isSameFile(file, dir.file('hard.mkv'))).toBe(true);
    expect(await isSameFile(file, path.join(dir.path, 'a', '..', 'input.mkv'))).toBe(true);
    expect(await isSameFile(file, dir.file('other.mkv'))).toBe(false);
  });

  it('commits without replacing an output that appeared meanwhile', async () => {
    const final = dir.file('race.txt');
    const temp = temporarySibling(final);
    await fs.writeFile(temp, 'new');
    await fs.writeFile(final, 'someone else');
    await expect(commitTemporary(temp, final, false)).rejects.toBeInstanceOf(OutputExistsError);
    expect(await fs.readFile(final, 'utf8')).toBe('someone else');
    await commitTemporary(temp, final, true);
    expect(await fs.readFile(final, 'utf8')).toBe('new');
    expect(await listTemporarySiblings(final)).toEqual([]);
  });

  it('writes atomically and leaves no temporary file', async () => {
    const final = dir.file('atomic.bin');
    await writeFileAtomically(final, new Uint8Array([1, 2, 3]), false);
    expect([...(await fs.readFile(final))]).toEqual([1, 2, 3]);
    await expect(writeFileAtomically(final, new Uint8Array([4]), false)).rejects.toBeInstanceOf(OutputExistsError);
    expect(await listTemporarySiblings(final)).toEqual([]);
  });

  it('a folder under a regular file is not writable', async () => {
    const blocker = dir.file('file');
    await fs.writeFile(blocker, 'x');
    await expect(assertWritableFolder(path.join(blocker, 'sub'))).rejects.toBeInstanceOf(OutputNotWritableError);
    await expect(assertWritableFolder(dir.file('new/nested'))).resolves.toBeUndefined();
  });

  // No small full filesystem can be made here without mounting; /dev/full gives
  // a real ENOSPC from the kernel, and the mapping is checked on that error.
  it('maps a real ENOSPC (writing /dev/full) to DiskFullError', async () => {
    const failure = await fs.writeFile('/dev/full', Buffer.alloc(4096)).then(() => undefined, (error: unknown) => error);
    expect((failure as { code?: string } | undefined)?.code).toBe('ENOSPC');
    expect(mapWriteError(failure, '/out/movie.mp4')).toBeInstanceOf(DiskFullError);
    expect(mapWriteError(Object.assign(new Error('denied'), { code: 'EACCES' }), '/x')).toBeInstanceOf(OutputNotWritableError);
  });
});
