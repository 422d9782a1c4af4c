// The packaged app runs compiled JavaScript, not TypeScript through tsx:
// scripts/build-electron.mjs bundles main, the engine host and the inference
// worker. Checked here: the three bundles build, none of them loads tsx or
// esbuild at run time, each passes Node's syntax check, and the compiled
// inference worker starts in a plain worker thread through startWorker
// (which picks the .mjs sibling where the .ts source is not there).
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from '../../../engine/inference/worker-script.ts';
import { repoRoot } from '../../helpers/shared-assets.ts';

const run = promisify(execFile);
const BUNDLES = ['main.mjs', 'engine-host.mjs', 'onnx-worker.mjs'];

describe('compiled Electron runtime', () => {
  let outDir: string;

  beforeAll(async () => {
    // Inside the repository, so the bundles resolve node_modules as the package does.
    outDir = await mkdtemp(path.join(repoRoot, 'dist', 'test-runtime-'));
    const { bundleRuntime } = (await import(pathToFileURL(path.join(repoRoot, 'scripts', 'build-electron.mjs')).href)) as { bundleRuntime(dir: string): Promise<void> };
    await bundleRuntime(outDir);
  });

  afterAll(async () => {
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('builds main, the engine host and the worker without tsx', async () => {
    for (const name of BUNDLES) {
      const file = path.join(outDir, name);
      const text = await readFile(file, 'utf8');
      expect(text, name).not.toMatch(/from ["']tsx|import\(["']tsx|from ["']esbuild/);
      await run(process.execPath, ['--check', file]);
    }
  });

  it('the compiled worker starts where its .ts source is absent', async () => {
    const folder = await mkdtemp(path.join(outDir, 'worker-'));
    await copyFile(path.join(outDir, 'onnx-worker.mjs'), path.join(folder, 'onnx-worker.mjs'));
    const worker = startWorker(pathToFileURL(path.join(folder, 'onnx-worker.ts')), { workerData: { cacheDir: path.join(folder, 'cache') } });
    const outcome = await new Promise<string>((resolve) => {
      worker.once('error', (error) => resolve(`error: ${error.message}`));
      worker.once('exit', (code) => resolve(`exit ${code}`));
      worker.once('online', () => setTimeout(() => resolve('online'), 500));
    });
    await worker.terminate();
    expect(outcome).toBe('online');
  });
});
