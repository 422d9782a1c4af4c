// The `framesmith` command line: a small composition root over the engine.
// Exit codes: 0 done, 1 failed, 2 bad usage, 130 cancelled.
import { Command, CommanderError } from 'commander';
import { EXIT_FAILED, EXIT_USAGE } from './exit-codes.ts';
import { registerDoctorCommand } from './commands/doctor.ts';
import { registerModelsCommand } from './commands/models.ts';
import { registerDemoCommand } from './commands/demo.ts';
import { registerInterpolateCommand } from './commands/interpolate.ts';
import { registerPresetsCommand } from './commands/presets.ts';
import { registerQueueCommand } from './commands/queue.ts';
import { registerResumeCommand } from './commands/resume.ts';
import { registerRunCommand } from './commands/run.ts';
import { registerServeCommand } from './commands/serve.ts';
import { registerStylizeCommand } from './commands/stylize.ts';
import { registerUpscaleCommand } from './commands/upscale.ts';
import { registerFarmCommand } from './commands/farm.ts';
import { registerWorkerCommand } from './commands/worker.ts';

function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('framesmith')
    .description('Upscale, interpolate and stylize video and images with AI models, on your own machine.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerUpscaleCommand(program, setExitCode);
  registerStylizeCommand(program, setExitCode);
  registerInterpolateCommand(program, setExitCode);
  registerRunCommand(program, setExitCode);
  registerDoctorCommand(program, setExitCode);
  registerPresetsCommand(program, setExitCode);
  registerQueueCommand(program, setExitCode);
  registerResumeCommand(program, setExitCode);
  registerModelsCommand(program, setExitCode);
  registerServeCommand(program, setExitCode);
  registerDemoCommand(program, setExitCode);
  registerWorkerCommand(program, setExitCode);
  registerFarmCommand(program, setExitCode);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; usage errors with 2.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    process.stderr.write(`framesmith: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
  return exitCode;
}

// `framesmith models list | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
