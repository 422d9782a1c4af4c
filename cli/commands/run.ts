// `framesmith run <inputs...> --step KIND:KEY=VALUE,... [--step ...]`: a
// chain of steps run in one pass over the frames, with no intermediate files.
import { InvalidArgumentError, type Command } from 'commander';
import { Engine } from '../../engine/index.ts';
import { parseStepText } from '../../common/step-text.ts';
import { userCacheDir } from '../app-paths.ts';
import { runBatch } from '../run-batch.ts';
import { addSharedOptions, batchRequest, type SharedFlags } from '../shared-options.ts';

interface RunFlags extends SharedFlags {
  step: Record<string, unknown>[];
}

function collectStep(text: string, previous: Record<string, unknown>[]): Record<string, unknown>[] {
  try {
    return [...previous, parseStepText(text)];
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}

export function registerRunCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('run')
    .description('Run a chain of steps in one pass, e.g. --step upscale:scale=2 --step interpolate:fps=60')
    .argument('<inputs...>', 'files, folders or glob patterns')
    .option(
      '--step <kind:key=value,...>',
      'a step of the chain (repeat, in order): upscale:model=ID,scale=N | interpolate:multiply=X|fps=F | stylize:style=NAME|style-image=FILE',
      collectStep,
      [],
    );
  addSharedOptions(command).action(async (inputs: string[], flags: RunFlags) => {
    if (flags.step.length === 0) {
      command.error('error: give at least one --step (for example --step upscale:scale=2)', { exitCode: 2 });
    }
    const engine = await Engine.create({ cacheDir: userCacheDir() });
    try {
      setExitCode(await runBatch(engine, batchRequest(inputs, flags, flags.step)));
    } finally {
      await engine.dispose();
    }
  });
}
