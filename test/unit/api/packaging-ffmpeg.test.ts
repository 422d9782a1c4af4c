// The packaged app's ffmpeg, checked as far as this machine allows (no
// Electron binary): the npm packages' binaries are packed and unpacked from
// the asar, the afterPack hook sets their execute bits in each platform's
// layout, FFmpeg's GPL text and a pointer to the exact sources ship, and
// FRAMESMITH_FFMPEG_DIR still overrides with a build of one's choosing.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { repoRoot } from '../../helpers/shared-assets.ts';

interface PackageFfmpeg {
  prepareFfmpeg(options: { root: string; targetOs: string; arch: string; overrideDir?: string; ffmpegOut: string; licenceOut?: string }): { source: string };
  afterPack(context: { appOutDir: string; electronPlatformName: string; packager?: { appInfo: { productFilename: string } } }): Promise<void>;
  npmFfmpegPackages(targetOs: string, arch: string): { tool: string; name: string; binary?: string; build?: string }[];
}

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const config = yaml.load(readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as {
  files: string[]; asarUnpack: string[]; afterPack: string; extraResources: { from: string; to: string }[];
};
const script = (await import(path.join(repoRoot, 'scripts', 'package-ffmpeg.mjs'))) as PackageFfmpeg;
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

let dir: TempDir;

beforeAll(async () => {
  dir = await makeTempDir('framesmith-package-ffmpeg-');
});

afterAll(async () => {
  await dir?.dispose();
});

function fakeBinary(file: string, mode: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, mode);
}

describe('packaging the npm ffmpeg', () => {
  it('packs the platform packages and unpacks them from the asar, with the hook and the licence folder configured', () => {
    for (const file of ['node_modules/@ffmpeg-installer/linux-x64/ffmpeg', 'node_modules/@ffprobe-installer/win32-x64/ffprobe.exe', 'node_modules/@ffmpeg-installer/darwin-arm64/ffmpeg']) {
      expect(config.files.some((pattern) => path.matchesGlob(file, pattern)), file).toBe(true);
      expect(config.asarUnpack.some((pattern) => path.matchesGlob(file, pattern)), file).toBe(true);
    }
    expect(config.afterPack).toBe('scripts/package-ffmpeg.mjs');
    expect(existsSync(path.join(repoRoot, config.afterPack))).toBe(true);
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'build/licenses', to: 'licenses' }));
  });

  it.skipIf(!linuxX64)('finds this machine\'s npm binaries and writes the GPL text and where their sources are', () => {
    const packages = script.npmFfmpegPackages('linux', 'x64');
    expect(packages.map((entry) => entry.name)).toEqual(['@ffmpeg-installer/linux-x64', '@ffprobe-installer/linux-x64']);
    for (const entry of packages) expect(existsSync(entry.binary!), entry.name).toBe(true);
    const ffmpegOut = dir.file('npm/ffmpeg');
    const licenceOut = dir.file('npm/licenses/ffmpeg');
    expect(script.prepareFfmpeg({ root: repoRoot, targetOs: 'linux', arch: 'x64', ffmpegOut, licenceOut }).source).toBe('npm');
    expect(readdirSync(ffmpegOut)).toEqual([]);
    expect(readFileSync(path.join(licenceOut, 'GPL-3.0.txt'), 'utf8')).toMatch(/GNU GENERAL PUBLIC LICENSE\s+Version 3, 29 June 2007/);
    const source = readFileSync(path.join(licenceOut, 'SOURCE.txt'), 'utf8');
    for (const entry of packages) {
      expect(source).toContain(entry.name);
      expect(source).toContain(`resources/app.asar.unpacked/node_modules/${entry.name}/`);
    }
    expect(source).toMatch(/commit 0e8eb07980/);
  });

  it('copies FRAMESMITH_FFMPEG_DIR executable, and asks for it when the target\'s npm package is not installed', () => {
    const override = dir.file('override');
    fakeBinary(path.join(override, 'ffmpeg'), 0o644);
    fakeBinary(path.join(override, 'ffprobe'), 0o644);
    const ffmpegOut = dir.file('override-out/ffmpeg');
    expect(script.prepareFfmpeg({ root: repoRoot, targetOs: 'linux', arch: 'x64', overrideDir: override, ffmpegOut, licenceOut: dir.file('override-out/licenses') }).source).toBe('override');
    for (const tool of ['ffmpeg', 'ffprobe']) expect(statSync(path.join(ffmpegOut, tool)).mode & 0o111, tool).toBe(0o111);
    expect(readFileSync(dir.file('override-out/licenses/SOURCE.txt'), 'utf8')).toContain(override);
    const foreign = process.platform === 'win32' ? 'mac' : 'win';
    expect(() => script.prepareFfmpeg({ root: repoRoot, targetOs: foreign, arch: 'x64', ffmpegOut: dir.file('foreign/ffmpeg'), licenceOut: dir.file('foreign/licenses') }))
      .toThrow(/FRAMESMITH_FFMPEG_DIR/);
  });

  it.skipIf(process.platform === 'win32')('sets the execute bits after packing, in the Linux and macOS layouts', async () => {
    const linux = dir.file('linux-unpacked');
    const unpacked = path.join(linux, 'resources', 'app.asar.unpacked', 'node_modules');
    fakeBinary(path.join(unpacked, '@ffprobe-installer', 'linux-x64', 'ffprobe'), 0o644);
    fakeBinary(path.join(unpacked, '@ffmpeg-installer', 'linux-x64', 'ffmpeg'), 0o644);
    writeFileSync(path.join(unpacked, '@ffmpeg-installer', 'linux-x64', 'package.json'), '{}');
    await script.afterPack({ appOutDir: linux, electronPlatformName: 'linux' });
    expect(statSync(path.join(unpacked, '@ffprobe-installer', 'linux-x64', 'ffprobe')).mode & 0o111).toBe(0o111);
    expect(statSync(path.join(unpacked, '@ffmpeg-installer', 'linux-x64', 'ffmpeg')).mode & 0o111).toBe(0o111);
    expect(statSync(path.join(unpacked, '@ffmpeg-installer', 'linux-x64', 'package.json')).mode & 0o111).toBe(0);

    const mac = dir.file('mac');
    const macProbe = path.join(mac, 'Framesmith.app', 'Contents', 'Resources', 'app.asar.unpacked', 'node_modules', '@ffprobe-installer', 'darwin-arm64', 'ffprobe');
    fakeBinary(macProbe, 0o644);
    await script.afterPack({ appOutDir: mac, electronPlatformName: 'darwin', packager: { appInfo: { productFilename: 'Framesmith' } } });
    expect(statSync(macProbe).mode & 0o111).toBe(0o111);
  });
});
