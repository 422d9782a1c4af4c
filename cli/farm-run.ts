// `framesmith run ... --farm URL --shared-root PATH` and `framesmith resume
// --farm URL`: the CLI's side of a farm job. Every item is split and queued
// first (the client decides per batch which files go whole), then followed and
// joined in order. Ctrl-C or SIGTERM stops following and leaves the job on
// the farm: the workers go on, and `framesmith resume --farm URL` joins it
// later, from this machine or any other that mounts the shared root.
import { FarmClient, SharedRoot, isCancellation, serializeError, type Engine, type FarmRecord, type PlannedItem } from '../engine/index.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK } from './exit-codes.ts';
import type { Reporter } from './reporter.ts';

export interface FarmFlags {
  farm: string;
  sharedRoot?: string;
  segmentFrames?: number;
}

async function openFarm(engine: Engine, flags: FarmFlags): Promise<FarmClient> {
  const root = await SharedRoot.open(flags.sharedRoot ?? process.cwd());
  return FarmClient.open({ engine, redisUrl: flags.farm, sharedRoot: root });
}

function interruptible(): { signal: AbortSignal; stop: () => void } {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) process.exit(EXIT_CANCELLED);
    controller.abort();
  };
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(name, handler);
  return { signal: controller.signal, stop: () => { for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(name, handler); } };
}

async function follow(client: FarmClient, jobs: { record: FarmRecord; item: PlannedItem }[], reporter: Reporter, signal: AbortSignal, retryFailed: boolean): Promise<number> {
  let exitCode = EXIT_OK;
  for (const [index, { record, item }] of jobs.entries()) {
    const started = Date.now();
    reporter.event({ type: 'start', item: item.input.path, index, count: jobs.length });
    reporter.event({ type: 'notice', item: item.input.path, message: `farm job ${record.id}: ${record.segments.length} segment(s) of ${record.outputFrames} frames` });
    try {
      const output = await client.finish(record, item, {
        signal,
        retryFailed,
        onNotice: (message) => reporter.event({ type: 'notice', item: item.input.path, message }),
        onProgress: (progress) => {
          const seconds = (Date.now() - started) / 1000;
          const fps = seconds > 0 ? progress.framesDone / seconds : 0;
          reporter.event({
            type: 'progress',
            item: item.input.path,
            progress: {
              stage: 'process',
              itemIndex: index,
              itemCount: jobs.length,
              framesDone: progress.framesDone,
              framesTotal: progress.framesTotal,
              fps,
              etaMs: fps > 0 ? ((progress.framesTotal - progress.framesDone) / fps) * 1000 : null,
              fraction: (index + progress.framesDone / progress.framesTotal) / jobs.length,
            },
          });
        },
      });
      reporter.event({ type: 'done', item: item.input.path, output, frames: record.outputFrames, seconds: (Date.now() - started) / 1000 });
    } catch (error) {
      if (isCancellation(error)) {
        reporter.event({ type: 'notice', item: item.input.path, message: `Stopped following; the farm goes on. Join the result later with: framesmith resume --farm URL --shared-root ${client.sharedRootPath} ${record.id}` });
        reporter.event({ type: 'cancelled', item: item.input.path });
        return EXIT_CANCELLED;
      }
      reporter.event({ type: 'error', item: item.input.path, error: serializeError(error) });
      exitCode = EXIT_FAILED;
    }
  }
  return exitCode;
}

/** Splits, queues and follows planned items on the farm; returns the exit code. */
export async function runOnFarm(engine: Engine, items: readonly PlannedItem[], flags: FarmFlags, reporter: Reporter): Promise<number> {
  const { signal, stop } = interruptible();
  const client = await openFarm(engine, flags);
  try {
    for (const item of items) {
      if (item.input.kind !== 'video') {
        reporter.event({ type: 'error', item: item.input.path, error: { code: 'NOT_SUPPORTED', userMessage: `${item.input.path} is an image: the farm renders videos. Run images on this machine (without --farm).` } });
        return EXIT_FAILED;
      }
    }
    // The client splits the batch as a whole: short files of a large batch go whole to one worker each.
    const records = await client.submitAll(items, { signal, segmentFrames: flags.segmentFrames });
    const jobs = records.map((record, index) => ({ record, item: items[index] as PlannedItem }));
    return await follow(client, jobs, reporter, signal, false);
  } catch (error) {
    if (isCancellation(error)) return EXIT_CANCELLED;
    reporter.event({ type: 'error', error: serializeError(error) });
    return EXIT_FAILED;
  } finally {
    stop();
    await client.close();
  }
}

/** Picks up farm jobs recorded on the shared storage (all, or the given ids), queues what is missing, joins them. */
export async function resumeOnFarm(engine: Engine, ids: readonly string[], flags: FarmFlags, reporter: Reporter): Promise<number> {
  const { signal, stop } = interruptible();
  const client = await openFarm(engine, flags);
  try {
    const records = ids.length > 0 ? await Promise.all(ids.map((id) => client.read(id))) : await client.pending();
    if (records.length === 0) {
      process.stderr.write('No farm jobs to resume on this shared root.\n');
      return EXIT_OK;
    }
    const jobs = await Promise.all(records.map(async (record) => ({ record, item: await client.itemOf(record) })));
    return await follow(client, jobs, reporter, signal, true);
  } catch (error) {
    reporter.event({ type: 'error', error: serializeError(error) });
    return EXIT_FAILED;
  } finally {
    stop();
    await client.close();
  }
}
