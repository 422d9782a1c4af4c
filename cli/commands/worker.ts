// `framesmith worker --redis URL --shared-root PATH`: joins a render farm
// and renders segments until stopped. SIGTERM or Ctrl-C finishes the
// segments in hand and leaves; a second one exits at once (the segment goes
// to another worker when its lock expires). `--local N` starts N workers on
// this machine, each with its share of the CPU threads. `--device N` puts a
// worker's models on GPU N (CUDA, TensorRT, DirectML): one worker per GPU;
// `--local N --devices 0,1` spreads the N workers over those GPUs in turn.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import { DEVICE_PROVIDERS, Engine, FarmWorker, SharedRoot, PROVIDER_PREFERENCES, redactRedisUrl, serializeError } from '../../engine/index.ts';
import { userCacheDir, userGpuDir } from '../app-paths.ts';
import { parseIntegerOption, parsePositiveIntegerOption } from '../option-parsers.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../exit-codes.ts';
import { printError } from '../reporter.ts';

interface WorkerFlags {
  redis: string;
  sharedRoot: string;
  provider?: (typeof PROVIDER_PREFERENCES)[number];
  threads?: number;
  concurrency: number;
  name?: string;
  local?: number;
  device?: number;
  devices?: number[];
  lockSeconds?: number;
  json: boolean;
}

function providerOption(text: string): (typeof PROVIDER_PREFERENCES)[number] {
  const found = PROVIDER_PREFERENCES.find((name) => name === text);
  if (!found) throw new InvalidArgumentError(`Unsupported provider "${text}". Should be one of: ${PROVIDER_PREFERENCES.join(', ')}.`);
  return found;
}

/** Highest GPU number accepted (a sanity bound: no machine has more). */
const MAX_DEVICE = 63;

function deviceOption(option: string): (text: string) => number {
  const integer = parseIntegerOption(option);
  return (text) => {
    const device = integer(text);
    if (device > MAX_DEVICE) throw new InvalidArgumentError(`Expected a GPU number from 0 to ${MAX_DEVICE} for ${option} but received "${text}".`);
    return device;
  };
}

/** `--devices 0,1`: GPU numbers, comma-separated (one may repeat to run two workers on it). */
export function parseDeviceList(text: string): number[] {
  const device = deviceOption('--devices');
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw new InvalidArgumentError(`Expected GPU numbers separated by commas for --devices (e.g. 0,1) but received "${text}".`);
  return parts.map(device);
}

/** The GPU of local worker `index` (0-based): --devices in turn, else --device, else none. */
export function localWorkerDevice(index: number, flags: Pick<WorkerFlags, 'device' | 'devices'>): number | undefined {
  if (flags.devices && flags.devices.length > 0) return flags.devices[index % flags.devices.length];
  return flags.device;
}

/** Starts `count` worker processes of this command on this machine and waits for them. */
async function runLocalWorkers(count: number, flags: WorkerFlags): Promise<number> {
  const entry = fileURLToPath(new URL('../../bin/framesmith.js', import.meta.url));
  const threads = flags.threads ?? Math.max(1, Math.floor(os.availableParallelism() / count));
  const base = flags.name ?? `${os.hostname()}-${process.pid}`;
  const children = Array.from({ length: count }, (_, index) => spawn(process.execPath, [
    entry, 'worker', '--redis', flags.redis, '--shared-root', flags.sharedRoot, '--threads', String(threads), '--name', `${base}-${index + 1}`,
    ...(flags.provider ? ['--provider', flags.provider] : []),
    ...(localWorkerDevice(index, flags) === undefined ? [] : ['--device', String(localWorkerDevice(index, flags))]),
    ...(flags.lockSeconds ? ['--lock-seconds', String(flags.lockSeconds)] : []),
    ...(flags.json ? ['--json'] : []),
  ], { stdio: 'inherit' }));
  const stop = (): void => { for (const child of children) child.kill('SIGTERM'); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const codes = await Promise.all(children.map((child) => new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? EXIT_FAILED)))));
  return codes.every((code) => code === EXIT_OK) ? EXIT_OK : EXIT_FAILED;
}

export function registerWorkerCommand(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('worker')
    .description('Join a render farm: take video segments from Redis and render them until stopped')
    .requiredOption('--redis <url>', 'the farm\'s Redis, redis://[user:password@]host:port[/db] or rediss:// for TLS')
    .requiredOption('--shared-root <path>', 'the shared folder (same contents on every machine) that holds sources and segments')
    .option('--provider <name>', `execution provider: ${PROVIDER_PREFERENCES.join('|')}`, providerOption)
    .option('--threads <n>', 'CPU threads for inference', parsePositiveIntegerOption('--threads'))
    .option('--concurrency <n>', 'segments rendered at once by this worker', parsePositiveIntegerOption('--concurrency'), 1)
    .option('--name <name>', 'how this worker appears in "framesmith farm status" (default host-pid)')
    .option('--local <n>', 'start N workers on this machine, sharing its CPU threads', parsePositiveIntegerOption('--local'))
    .option('--device <n>', 'the GPU this worker runs on (0 first; CUDA, TensorRT and DirectML): one worker per GPU', deviceOption('--device'))
    .option('--devices <list>', 'with --local: spread the workers over these GPUs in turn, e.g. 0,1', parseDeviceList)
    .option('--lock-seconds <s>', 'how long a silent worker keeps its segment before another takes it (default 30)', parsePositiveIntegerOption('--lock-seconds'))
    .option('--json', 'print one JSON event a line', false)
    .action(async (flags: WorkerFlags) => {
      if (flags.devices !== undefined && flags.device !== undefined) {
        printError({ code: 'INVALID_ARGUMENT', userMessage: 'Give either --device (one GPU) or --devices (a list for --local), not both.' }, flags.json);
        setExitCode(EXIT_USAGE);
        return;
      }
      if (flags.devices !== undefined || flags.local !== undefined) {
        setExitCode(await runLocalWorkers(flags.local ?? (flags.devices as number[]).length, flags));
        return;
      }
      const say = (event: Record<string, unknown>, text: string): void => {
        if (flags.json) process.stdout.write(`${JSON.stringify(event)}\n`);
        else process.stderr.write(`${text}\n`);
      };
      let engine: Engine | undefined;
      let worker: FarmWorker | undefined;
      try {
        engine = await Engine.create({ cacheDir: userCacheDir(), gpuDir: userGpuDir(), deviceId: flags.device });
        if (flags.device !== undefined) {
          const runsOn = flags.provider ?? 'auto';
          const likely = runsOn === 'auto' ? (await engine.inference.availableProviders()).find((attempt) => !attempt.skippedBecause)?.provider : runsOn;
          if (likely === undefined || !(DEVICE_PROVIDERS as readonly string[]).includes(likely)) {
            say({ type: 'notice', message: `--device ${flags.device} has no effect on ${likely ?? 'this machine'}` }, `notice: --device ${flags.device} has no effect: this worker runs on the ${likely ?? 'CPU'} provider, which has no device choice (only ${DEVICE_PROVIDERS.join(', ')} take one).`);
          }
        }
        const sharedRoot = await SharedRoot.open(flags.sharedRoot);
        worker = new FarmWorker({
          engine,
          redisUrl: flags.redis,
          sharedRoot,
          name: flags.name,
          concurrency: flags.concurrency,
          provider: flags.provider,
          threads: flags.threads,
          lockMs: flags.lockSeconds ? flags.lockSeconds * 1000 : undefined,
          onEvent: (event) => {
            const text = event.type === 'segment-start' ? `${event.farmJobId} segment ${event.segment}: ${event.frames} frames`
              : event.type === 'segment-done' ? `${event.farmJobId} segment ${event.segment}: done, ${event.frames} frames in ${event.seconds.toFixed(1)} s`
                : event.type === 'segment-failed' ? `${event.farmJobId} segment ${event.segment}: failed: ${event.message}`
                  : `error: ${event.message}`;
            say(event, text);
          },
        });
        await worker.start();
        say({ type: 'ready', name: worker.name }, `worker ${worker.name} joined the farm at ${redactRedisUrl(flags.redis)} (shared root ${sharedRoot.root}); Ctrl-C to leave`);
        const stopping = await new Promise<'stop'>((resolve) => {
          const handler = (): void => {
            process.on('SIGINT', () => process.exit(EXIT_CANCELLED));
            process.on('SIGTERM', () => process.exit(EXIT_CANCELLED));
            resolve('stop');
          };
          process.once('SIGINT', handler);
          process.once('SIGTERM', handler);
        });
        say({ type: 'leaving', name: worker.name }, `worker ${worker.name}: finishing the segments in hand, then leaving (${stopping})`);
        await worker.close();
        worker = undefined;
        setExitCode(EXIT_OK);
      } catch (error) {
        printError(serializeError(error), flags.json);
        setExitCode(EXIT_FAILED);
      } finally {
        await worker?.close().catch(() => undefined);
        await engine?.dispose();
      }
    });
}
