// The order ffmpeg is found in, with stand-in binaries (shell scripts that
// print a version) so every branch runs here: a setting and FFMPEG_PATH win,
// a new enough system ffmpeg beats the npm build, an old one is passed over
// (and used only when nothing else exists), an npm binary without its
// execute bit gets it, and each choice says why.
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegNotFoundError } from '../../../common/errors.ts';
import { ensureExecutable, locateTool, unpackedAsarPath } from '../../../engine/media/ffmpeg-locator.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

let dir: TempDir;

function fakeTool(folder: string, name: string, versionText: string, libavcodec: string, executable = true): string {
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name);
  writeFileSync(file, `#!/bin/sh\necho "${name} version ${versionText} Copyright (c) the FFmpeg developers"\necho "libavcodec     ${libavcodec} / ${libavcodec}"\n`);
  chmodSync(file, executable ? 0o755 : 0o644);
  return file;
}

beforeAll(async () => {
  dir = await makeTempDir('framesmith-locator-');
});

afterAll(async () => {
  await dir?.dispose();
});

describe.skipIf(process.platform === 'win32')('locateTool', () => {
  it('takes the setting, then FFMPEG_PATH, before anything on PATH', () => {
    const setting = fakeTool(dir.file('setting'), 'ffmpeg', '6.0', '60.  3.100');
    const fromEnv = fakeTool(dir.file('env'), 'ffmpeg', '6.1', '60. 31.100');
    const system = fakeTool(dir.file('system'), 'ffmpeg', '7.0', '61.  3.100');
    const env = { PATH: path.dirname(system), FFMPEG_PATH: fromEnv };
    expect(locateTool('ffmpeg', { ffmpegPath: setting, env, npmDirs: { ffmpeg: null } })).toMatchObject({ path: setting, source: 'setting' });
    expect(locateTool('ffmpeg', { env, npmDirs: { ffmpeg: null } })).toMatchObject({ path: fromEnv, source: 'environment', reason: 'FFMPEG_PATH is set' });
    const missing = locateTool('ffmpeg', { ffmpegPath: dir.file('nope'), env: { PATH: path.dirname(system) }, npmDirs: { ffmpeg: null } });
    expect(missing.source).toBe('path');
    expect(missing.skipped[0]).toMatch(/^setting .*nope: not an executable file$/);
  });

  it('prefers a system ffmpeg of 5.1 or newer to the npm build, and the npm build to an older one', () => {
    const npm = fakeTool(dir.file('npm-a'), 'ffmpeg', 'N-47683-g0e8eb07980-static', '58. 42.100');
    const fresh = fakeTool(dir.file('fresh'), 'ffmpeg', '5.1.9-0+deb12u1', '59. 37.100');
    const old = fakeTool(dir.file('old'), 'ffmpeg', '4.4.2', '58.134.100');
    const chosen = locateTool('ffmpeg', { env: { PATH: path.dirname(fresh) }, npmDirs: { ffmpeg: path.dirname(npm) } });
    expect(chosen).toMatchObject({ path: fresh, source: 'path' });
    expect(chosen.reason).toMatch(/release 5\.1/);
    const overOld = locateTool('ffmpeg', { env: { PATH: path.dirname(old) }, npmDirs: { ffmpeg: path.dirname(npm) } });
    expect(overOld).toMatchObject({ path: npm, source: 'npm' });
    expect(overOld.skipped).toEqual([`PATH ${old}: release 4.4, older than 5.1`]);
    // With no npm copy, the older system ffmpeg still serves (the engine builds commands for 4.1 and newer).
    expect(locateTool('ffmpeg', { env: { PATH: path.dirname(old) }, npmDirs: { ffmpeg: null } })).toMatchObject({ path: old, source: 'path' });
  });

  it('refuses an ffmpeg older than 4.1 and says what it looked at', () => {
    const ancient = fakeTool(dir.file('ancient'), 'ffmpeg', '3.4.8', '57.107.100');
    let caught: unknown;
    try {
      locateTool('ffmpeg', { env: { PATH: path.dirname(ancient) }, npmDirs: { ffmpeg: null } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FfmpegNotFoundError);
    expect((caught as FfmpegNotFoundError).userMessage).toMatch(/PATH, npm @ffmpeg-installer\//);
    expect((caught as FfmpegNotFoundError).detail).toMatch(/release 3\.4, older than 5\.1/);
  });

  it('sets the execute bit of an npm ffprobe that arrived without it', () => {
    const probe = fakeTool(dir.file('npm-b'), 'ffprobe', '6.0', '60.  3.100', false);
    expect(statSync(probe).mode & 0o111).toBe(0);
    const found = locateTool('ffprobe', { env: { PATH: '' }, npmDirs: { ffprobe: path.dirname(probe) }, executableCopyDir: dir.file('copies') });
    expect(found).toMatchObject({ path: probe, source: 'npm' });
    expect(found.reason).toMatch(/execute bit set/);
    expect(statSync(probe).mode & 0o111).not.toBe(0);
  });

  it('finds the real npm packages of this install and runs them', () => {
    const ffmpeg = locateTool('ffmpeg', { env: { PATH: '' }, executableCopyDir: dir.file('copies') });
    const ffprobe = locateTool('ffprobe', { env: { PATH: '' }, executableCopyDir: dir.file('copies') });
    expect(ffmpeg.source).toBe('npm');
    expect(ffprobe.source).toBe('npm');
    expect(ffmpeg.path).toMatch(/@ffmpeg-installer[\\/]/);
    expect(ensureExecutable(ffprobe.path, dir.file('copies'))?.path).toBe(ffprobe.path);
  });
});

describe('unpackedAsarPath', () => {
  it('moves a path inside app.asar to app.asar.unpacked and leaves others alone', () => {
    expect(unpackedAsarPath('/opt/Framesmith/resources/app.asar/node_modules/@ffmpeg-installer/linux-x64')).toBe('/opt/Framesmith/resources/app.asar.unpacked/node_modules/@ffmpeg-installer/linux-x64');
    expect(unpackedAsarPath('C:\\Framesmith\\resources\\app.asar\\node_modules\\x')).toBe('C:\\Framesmith\\resources\\app.asar.unpacked\\node_modules\\x');
    expect(unpackedAsarPath('/home/me/framesmith/node_modules/x')).toBe('/home/me/framesmith/node_modules/x');
  });
});
