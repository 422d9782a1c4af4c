// An installed `framesmith` runs compiled JavaScript: the package (package.json
// "files") carries bin/, the bundles of scripts/build-cli.mjs and the catalog,
// no TypeScript. Laid out here as npm installs it (with the checkout's
// node_modules), the command prints its version and upscales an image
// through the compiled inference worker, and tsx never runs (no tsx cache
// folder appears in its temp folder). In the checkout itself the sources win.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun } from '../../helpers/cli-runner.ts';
import { makeStillImage } from '../../helpers/media-fixtures.ts';
import { modelAsset, repoRoot, sharedModelsDir } from '../../helpers/shared-assets.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');

function runInstalled(entry: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, timedOut: false }));
    // (timedOut is part of describeRun's shape; these runs have the test's own timeout.)
  });
}

describe.skipIf(!model)('installed CLI (compiled)', () => {
  let work: string;
  let installed: string;

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'framesmith-installed-'));
    installed = path.join(work, 'node_modules', 'framesmith');
    await mkdir(path.join(installed, 'bin'), { recursive: true });
    await mkdir(path.join(installed, 'models'), { recursive: true });
    const { buildCli } = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'build-cli.mjs')).href)) as { buildCli(dir: string): Promise<void> };
    await buildCli(path.join(installed, 'dist', 'cli'));
    for (const file of ['bin/framesmith.js', 'package.json', 'models/catalog.json']) await copyFile(path.join(repoRoot, file), path.join(installed, file));
    await symlink(path.join(repoRoot, 'node_modules'), path.join(installed, 'node_modules'));
  });

  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('prints its version and upscales without tsx', async () => {
    const tmp = path.join(work, 'tmp');
    await mkdir(tmp);
    const env = { TMPDIR: tmp, FRAMESMITH_CACHE: path.join(work, 'cache'), FRAMESMITH_DATA: path.join(work, 'data'), FRAMESMITH_MODELS: sharedModelsDir() ?? '' };
    const entry = path.join(installed, 'bin', 'framesmith.js');
    expect(existsSync(path.join(installed, 'cli'))).toBe(false);
    const version = await runInstalled(entry, ['--version'], env);
    expect(version.code, describeRun(version)).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const input = await makeStillImage(work, 'png', { width: 24, height: 16 });
    const output = path.join(work, 'out.png');
    const upscale = await runInstalled(entry, ['upscale', input, '-o', output, '--json'], env);
    expect(upscale.code, describeRun(upscale)).toBe(0);
    expect((await sharp(output).metadata()).width).toBe(96);
    expect((await readdir(tmp)).filter((name) => name.startsWith('tsx'))).toEqual([]);
  });
});
