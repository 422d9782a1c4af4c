// What a binary answered is asked once per binary, across processes: a
// stand-in executable counts how often it runs. A replaced binary (new size
// or date) is asked again; a failed answer is never kept; a folder that is
// not this user's plain directory is not trusted.
import { chmod, readFile, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { askBinary, askBinarySync, setBinaryAnswersDir } from '../../../engine/media/binary-answers.ts';
import { perUserTempDir } from '../../../engine/media/per-user-temp.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

describe.skipIf(process.platform === 'win32')('answers of a binary, remembered', () => {
  let temp: TempDir;
  let tool: string;
  let count: string;

  async function writeTool(answer: string, exitCode = 0): Promise<void> {
    await writeFile(tool, `#!/bin/sh\necho run >> "${count}"\necho "${answer} $*"\nexit ${exitCode}\n`);
    await chmod(tool, 0o755);
  }
  const runs = async (): Promise<number> => (await readFile(count, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-answers-');
    tool = temp.file('fake-ffmpeg');
    count = temp.file('runs.txt');
  });
  afterEach(async () => {
    await writeFile(count, '');
  });
  afterAll(async () => {
    setBinaryAnswersDir(perUserTempDir('framesmith-ffmpeg-answers'));
    await temp?.dispose();
  });

  it('asks once, then answers from memory and, in a new process, from disk', async () => {
    setBinaryAnswersDir(temp.file('answers'));
    await writeTool('version 1');
    expect(await askBinary(tool, ['-version'], 'reporting its version')).toBe('version 1 -version\n');
    expect(askBinarySync(tool, ['-version'])).toBe('version 1 -version\n');
    expect(await runs()).toBe(1);
    setBinaryAnswersDir(temp.file('answers')); // forgets memory, as a new process would
    expect(askBinarySync(tool, ['-version'])).toBe('version 1 -version\n');
    expect(await askBinary(tool, ['-encoders'], 'listing encoders')).toBe('version 1 -encoders\n');
    expect(await runs()).toBe(2);
  });

  it('asks a replaced binary again', async () => {
    setBinaryAnswersDir(temp.file('answers'));
    await writeTool('version 22');
    const later = new Date((await stat(tool)).mtimeMs + 5000);
    await utimes(tool, later, later);
    expect(await askBinary(tool, ['-version'], 'reporting its version')).toBe('version 22 -version\n');
    expect(await runs()).toBe(1);
  });

  it('keeps no failed answer', async () => {
    setBinaryAnswersDir(temp.file('answers'));
    await writeTool('broken', 3);
    await expect(askBinary(tool, ['-h', 'full'], 'listing its options')).rejects.toMatchObject({ code: 'FFMPEG_FAILED' });
    expect(askBinarySync(tool, ['-h', 'full'])).toBeUndefined();
    expect(await runs()).toBe(2);
  });

  it('does not read answers through a folder that is a link', async () => {
    setBinaryAnswersDir(temp.file('answers'));
    await writeTool('version 3');
    expect(await askBinary(tool, ['-version'], 'reporting its version')).toBe('version 3 -version\n');
    await symlink(temp.file('answers'), temp.file('linked'));
    setBinaryAnswersDir(temp.file('linked'));
    expect(await askBinary(tool, ['-version'], 'reporting its version')).toBe('version 3 -version\n');
    expect(await runs()).toBe(2);
  });
});
