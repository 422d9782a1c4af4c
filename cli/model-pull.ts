// Pull on use: a command whose step runs a model the catalog can download but
// that is not installed yet (`interpolate --model rife-v4.25`, `stylize
// --style candy`) gets it first, as `models pull` would: with --pull at once,
// on a terminal after asking, and otherwise not at all, with a message that
// says how. The engine reads the store's models when it is created, so
// callers create theirs after this.
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { Engine, isCancellation, serializeError, type StepModelChoice } from '../engine/index.ts';
import { userCacheDir } from './app-paths.ts';
import { EXIT_CANCELLED, EXIT_FAILED } from './exit-codes.ts';
import { ModelEventPrinter } from './commands/models.ts';
import { printError } from './reporter.ts';

export interface PullOnUseOptions {
  /** --pull: download without asking. */
  pull: boolean;
  json: boolean;
  /** Whether a person can answer a question (stdin and stderr are terminals); default from the process. */
  interactive?: boolean;
  /** Answers the question (tests); default reads a line from stdin. */
  ask?: (question: string) => Promise<string>;
  /** Whether models in ../shared/models count as installed (tests turn it off for a clean search path); default true. */
  includeSharedModels?: boolean;
}

/** The --pull flag, worded once for every command that runs a model. */
export function addPullOption(command: Command): Command {
  return command.option('--pull', 'download the model first when it is not installed (on a terminal you are asked otherwise)', false);
}

async function askOnTerminal(question: string): Promise<string> {
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await reader.question(question);
  } finally {
    reader.close();
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/**
 * Makes the model `step` runs usable when the catalog can download it.
 * Returns undefined to go on (installed, pulled now, or a step or id the
 * catalog's downloads do not know, which the command's own validation
 * reports), or the exit code to end with.
 */
export async function pullOnUse(step: StepModelChoice, options: PullOnUseOptions): Promise<number | undefined> {
  const engine = await Engine.create({ cacheDir: userCacheDir(), ...(options.includeSharedModels === false ? { includeSharedModels: false } : {}) });
  const modelId = engine.modelOfStep(step);
  if (modelId === undefined) {
    await engine.dispose();
    return undefined;
  }
  const store = await engine.openModelStore({ registry: process.env.npm_config_registry });
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const entry = store.download(modelId);
    if (!entry || (await store.list()).some((listing) => listing.id === modelId && listing.state !== 'available')) return undefined;
    const size = entry.files.every((file) => file.sizeBytes !== undefined) ? ` (${mib(entry.sizeBytes)})` : '';
    let pull = options.pull;
    const interactive = options.interactive ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
    if (!pull && interactive && !options.json) {
      const answer = await (options.ask ?? askOnTerminal)(`Model ${modelId} is not installed. Download it now${size}? [y/N] `);
      pull = /^y(es)?$/i.test(answer.trim());
    }
    if (!pull) {
      printError({
        code: 'MODEL_NOT_FOUND',
        userMessage: `Model ${modelId} is not installed. Run again with --pull to download it${size}, or run "framesmith models pull ${modelId}".`,
      }, options.json);
      return EXIT_FAILED;
    }
    const printer = new ModelEventPrinter(options.json);
    try {
      await store.ensure(modelId, { signal: controller.signal, onProgress: (event) => printer.event(event) });
    } finally {
      printer.stop();
    }
    if (!options.json) process.stderr.write(`${modelId}: installed\n`);
    return undefined;
  } catch (error) {
    if (isCancellation(error)) return EXIT_CANCELLED;
    printError(serializeError(error), options.json);
    return EXIT_FAILED;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await store.dispose();
    await engine.dispose();
  }
}
