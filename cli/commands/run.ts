// `framesmith run <inputs...> --step KIND:KEY=VALUE,... [--step ...]` or
// `--preset NAME`: a chain of steps run in one pass over the frames, with no
// intermediate files. The run is a durable job in the user's queue: killed
// mid-way, it continues with `framesmith resume` from its last finished
// segment. Flags given explicitly override the preset's settings.
import { InvalidArgumentError, type Command } from 'commander';
import { InvalidArgumentError as UsageError } from '../../common/errors.ts';
import { STYLE_IMAGE_PLACEHOLDER, isCancellation, serializeError } from '../../engine/index.ts';
import { parseStepText } from '../../common/step-text.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_USAGE } from '../exit-codes.ts';
import { openJobSession, runJobsInForeground } from '../job-session.ts';
import { runOnFarm } from '../farm-run.ts';
import { JsonReporter, TextReporter, type Reporter } from '../reporter.ts';
import { addSharedOptions, batchRequest, type SharedFlags } from '../shared-options.ts';

interface RunFlags extends SharedFlags {
  step: Record<string, unknown>[];
  farm?: string;
  sharedRoot?: string;
  segmentFrames?: number;
  preset?: string;
  styleImage?: string;
}

function collectStep(text: string, previous: Record<string, unknown>[]): Record<string, unknown>[] {
  try {
    return [...previous, parseStepText(text)];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

/** Only the flags the user typed (not commander's defaults), so a preset's settings stand otherwise. */
function explicit(command: Command, values: Record<string, unknown>, names: Record<string, string>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, flag] of Object.entries(names)) {
    const source = command.getOptionValueSource(flag);
    if (source !== undefined && source !== 'default' && values[key] !== undefined) result[key] = values[key];
  }
  return result;
}

export function registerRunCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('run')
    .description('Run a chain of steps in one pass, e.g. --step upscale:scale=2 --step interpolate:fps=60, or a saved preset: --preset NAME')
    .argument('<inputs...>', 'files, folders or glob patterns')
    .option(
      '--step <kind:key=value,...>',
      'a step of the chain (repeat, in order): upscale:model=ID,scale=N | interpolate:multiply=X|fps=F | stylize:style=NAME|style-image=FILE',
      collectStep,
      [],
    )
    .option('--preset <name>', 'a saved preset (see "framesmith presets list") instead of --step')
    .option('--style-image <file>', 'the style image for a stylize step that needs one (e.g. --preset any-style)')
    .option('--farm <redis-url>', 'render on a farm: split each video into segments for the workers on this Redis (see "framesmith worker")')
    .option('--shared-root <path>', 'with --farm: the shared folder every worker sees (default: the current folder)')
    .option('--segment-frames <n>', 'with --farm: output frames per segment (default: about four segments per worker)', (text) => {
      const value = Number(text);
      if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`Expected a positive whole number for --segment-frames but received "${text}".`);
      return value;
    });
  addSharedOptions(command).action(async (inputs: string[], flags: RunFlags) => {
    if (flags.step.length === 0 && flags.preset === undefined) {
      command.error('error: give at least one --step (for example --step upscale:scale=2) or a --preset', { exitCode: 2 });
    }
    if (flags.step.length > 0 && flags.preset !== undefined) {
      command.error('error: give either --preset or --step, not both', { exitCode: 2 });
    }
    const reporter: Reporter = flags.json ? new JsonReporter() : new TextReporter(Boolean(process.stderr.isTTY));
    const session = await openJobSession();
    try {
      const request = batchRequest(inputs, flags, flags.step);
      let steps: unknown[] | undefined = flags.preset === undefined ? request.steps.slice() : undefined;
      let outputSettings = request.outputSettings as Record<string, unknown>;
      let processing = request.processing as Record<string, unknown>;
      if (flags.preset !== undefined) {
        const preset = await session.presets.resolve(flags.preset);
        const values = flags as unknown as Record<string, unknown>;
        outputSettings = { ...preset.outputSettings, ...explicit(command, values, { codec: 'codec', crf: 'crf', pixelFormat: 'pixelFormat', audio: 'audio' }), overwrite: flags.overwrite };
        processing = { ...preset.processing, ...explicit(command, values, { provider: 'provider', tile: 'tile', threads: 'threads', maxMegapixels: 'maxMegapixels', precision: 'precision' }), ...(flags.precision === 'auto' ? { measurePrecision: true } : {}) };
        steps = preset.steps;
      }
      if (flags.styleImage !== undefined || steps?.some((step) => (step as { styleImage?: string }).styleImage === STYLE_IMAGE_PLACEHOLDER)) {
        if (flags.styleImage === undefined) throw new UsageError('This preset needs a style image: add --style-image FILE.');
        steps = steps?.map((step) => ((step as { kind?: string }).kind === 'stylize' ? { ...(step as object), styleImage: flags.styleImage, style: undefined } : step));
      }
      if (flags.farm !== undefined) {
        const plan = await session.engine.planBatch({ ...request, steps: steps ?? [], outputSettings, processing });
        setExitCode(await runOnFarm(session.engine, plan.items, { farm: flags.farm, sharedRoot: flags.sharedRoot, segmentFrames: flags.segmentFrames }, reporter));
        return;
      }
      const job = await session.queue.add({
        inputs,
        steps: steps as never,
        outputPath: flags.output,
        recursive: flags.recursive,
        outputSettings: outputSettings as never,
        processing: processing as never,
      });
      setExitCode(await runJobsInForeground(session.queue, reporter, [job.id]));
    } catch (error) {
      if (isCancellation(error)) {
        reporter.event({ type: 'cancelled' });
        setExitCode(EXIT_CANCELLED);
        return;
      }
      const serialized = serializeError(error);
      reporter.event({ type: 'error', error: serialized });
      setExitCode(serialized.code === 'INVALID_ARGUMENT' || serialized.code === 'MODEL_NOT_FOUND' ? EXIT_USAGE : EXIT_FAILED);
    } finally {
      reporter.close();
      await session.dispose();
    }
  });
}
