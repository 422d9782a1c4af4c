// `framesmith interpolate`: raise the frame rate of videos (--multiply or
// --fps), slow them down (--slowmo), or write the in-between frames of two
// stills (`a.png b.png --frames N -o DIR`). Video runs through runBatch, so
// output, progress, --json and exit codes are those of `upscale`.
import path from 'node:path';
import { InvalidArgumentError as UsageError, Option, type Command } from 'commander';
import { Engine, isCancellation, serializeError } from '../../engine/index.ts';
import { userCacheDir, userGpuDir } from '../app-paths.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { parseFraction, parseIntegerOption } from '../option-parsers.ts';
import { onInterrupt } from '../interrupt.ts';
import { JsonReporter, TextReporter } from '../reporter.ts';
import { runBatch } from '../run-batch.ts';
import { addPullOption, pullOnUse } from '../model-pull.ts';
import { addSharedOptions, batchRequest, type SharedFlags } from '../shared-options.ts';

interface InterpolateFlags extends SharedFlags {
  model: string;
  multiply?: number;
  fps?: string;
  slowmo?: number;
  slowmoAudio: 'drop' | 'stretch';
  sceneThreshold?: number;
  dedup: boolean;
  quality: boolean;
  flowScale?: 'auto' | '1' | '0.5';
  frames?: number;
  pull: boolean;
}

const STILL_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff', '.avif']);

function isStill(file: string): boolean {
  return STILL_EXTENSIONS.has(path.extname(file).toLowerCase());
}

function parseFpsOption(value: string): string {
  if (!/^\d+(\.\d+)?(\/\d+)?$/.test(value)) {
    throw new UsageError(`Expected a frame rate such as 60, 59.94 or 60000/1001 for --fps but received "${value}".`);
  }
  return value;
}

function parseFactor(option: string): (value: string) => number {
  const base = parseFraction(option);
  return (value) => {
    const parsed = base(value);
    if (parsed <= 1) throw new UsageError(`Expected a factor above 1 for ${option} but received "${value}".`);
    return parsed;
  };
}

async function runImagePair(engine: Engine, inputs: [string, string], flags: InterpolateFlags): Promise<number> {
  const reporter = flags.json ? new JsonReporter() : new TextReporter(Boolean(process.stderr.isTTY));
  const controller = new AbortController();
  const stopListening = onInterrupt(() => controller.abort());
  const [first, second] = inputs;
  const stem = path.parse(first).name;
  const outputDir = path.resolve(flags.output ?? path.join(path.dirname(first), `${stem}-${path.parse(second).name}-frames`));
  const frames = flags.frames ?? 1;
  const started = performance.now();
  try {
    reporter.event({ type: 'start', item: first, index: 0, count: 1 });
    const written = await engine.interpolateImagePair(
      { first, second, frames, outputDir, model: flags.model, quality: flags.quality, overwrite: flags.overwrite, processing: { provider: flags.provider, threads: flags.threads, precision: flags.precision, ...(flags.precision === 'auto' ? { measurePrecision: true } : {}) } },
      { signal: controller.signal },
    );
    reporter.event({ type: 'done', item: first, output: outputDir, frames: written.length, seconds: (performance.now() - started) / 1000 });
    return EXIT_OK;
  } catch (error) {
    if (isCancellation(error) || controller.signal.aborted) {
      reporter.event({ type: 'cancelled', item: first });
      return EXIT_CANCELLED;
    }
    const serialized = serializeError(error);
    reporter.event({ type: 'error', item: first, error: serialized });
    return serialized.code === 'INVALID_ARGUMENT' ? EXIT_USAGE : EXIT_FAILED;
  } finally {
    reporter.close();
    stopListening();
  }
}

export function registerInterpolateCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('interpolate')
    .description('Raise the frame rate of videos, slow them down, or make the frames between two images.')
    .argument('<inputs...>', 'videos (files, folders or glob patterns), or two images')
    .option('-m, --model <id>', 'interpolation model id', 'rife-v4.6')
    .option('-x, --multiply <n>', 'frame-rate multiplier (2, 3, 4 or any factor above 1)', parseFactor('--multiply'))
    .option('--fps <rate>', 'target frame rate, exact (60, 59.94, 60000/1001)', parseFpsOption)
    .option('--slowmo <n>', 'slow motion: keep the frame rate, play this many times longer', parseFactor('--slowmo'))
    .addOption(new Option('--slowmo-audio <policy>', 'audio in slow motion: drop, or time-stretch it').choices(['drop', 'stretch']).default('drop'))
    .option('--scene-threshold <t>', 'scene-cut threshold 0..1, higher detects fewer cuts (default 0.12)', parseFraction('--scene-threshold'))
    .option('--no-dedup', 'do not skip duplicate source frames')
    .option('--quality', 'test-time augmentation: about 3x slower, a little better', false)
    .addOption(new Option('--flow-scale <scale>', 'RIFE flow scale: 0.5 estimates flow at half size (faster, for 4K); auto uses 0.5 above 2560x1440').choices(['auto', '1', '0.5']))
    .option('--frames <n>', 'image pairs: in-between frames to write (default 1)', parseIntegerOption('--frames'));
  addSharedOptions(addPullOption(command)).action(async (inputs: string[], flags: InterpolateFlags) => {
    const modes = [flags.multiply, flags.fps, flags.slowmo].filter((value) => value !== undefined).length;
    const pair = inputs.length === 2 && inputs.every(isStill);
    const pulled = await pullOnUse({ kind: 'interpolate', model: flags.model }, { pull: flags.pull, json: flags.json });
    if (pulled !== undefined) {
      setExitCode(pulled);
      return;
    }
    if (pair && modes === 0) {
      const engine = await Engine.create({ cacheDir: userCacheDir(), gpuDir: userGpuDir() });
      try {
        setExitCode(await runImagePair(engine, inputs as [string, string], flags));
      } finally {
        await engine.dispose();
      }
      return;
    }
    if (flags.frames !== undefined) {
      command.error('--frames is for two images; for video give --multiply, --fps or --slowmo.', { exitCode: EXIT_USAGE, code: 'framesmith.usage' });
    }
    const step = {
      kind: 'interpolate',
      model: flags.model,
      multiply: flags.multiply,
      fps: flags.fps,
      slowmo: flags.slowmo,
      slowmoAudio: flags.slowmoAudio,
      sceneThreshold: flags.sceneThreshold,
      dedup: flags.dedup,
      quality: flags.quality,
      flowScale: flags.flowScale === undefined || flags.flowScale === 'auto' ? flags.flowScale : Number(flags.flowScale),
    };
    const engine = await Engine.create({ cacheDir: userCacheDir(), gpuDir: userGpuDir() });
    try {
      setExitCode(await runBatch(engine, batchRequest(inputs, flags, [step])));
    } finally {
      await engine.dispose();
    }
  });
}
