// The CLI's side of the job queue: open it over an engine in the user's data
// folder, and run jobs in the foreground with the same reporter events as a
// plain batch. Ctrl-C (or SIGTERM) cancels the job (nothing partial is left;
// a second one exits at once); a SIGKILL or a crash leaves the job
// 'running' on disk, so the next `framesmith resume` continues it from its
// last finished segment. A job run from the command line is removed from the
// queue when it ends, unless it was interrupted.
import { Engine, JobQueue, PresetStore, isCancellation, serializeError } from '../engine/index.ts';
import type { JobEvent, JobSnapshot } from '../common/jobs.ts';
import { userCacheDir, userDataDir, userGpuDir } from './app-paths.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK } from './exit-codes.ts';
import { onInterrupt } from './interrupt.ts';
import type { Reporter } from './reporter.ts';

export interface JobSession {
  engine: Engine;
  presets: PresetStore;
  queue: JobQueue;
  dispose(): Promise<void>;
}

function segmentFramesFromEnv(): number | undefined {
  const value = Number.parseInt(process.env.FRAMESMITH_SEGMENT_FRAMES ?? '', 10);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

export async function openJobSession(options: { autoStart?: boolean } = {}): Promise<JobSession> {
  const dataDir = userDataDir();
  const engine = await Engine.create({ cacheDir: userCacheDir(), gpuDir: userGpuDir() });
  const presets = await PresetStore.open(dataDir);
  const queue = await JobQueue.open({
    dataDir,
    executor: engine,
    resolvePreset: (id) => presets.resolve(id),
    autoStart: options.autoStart ?? false,
    segmentFrames: segmentFramesFromEnv(),
  });
  return {
    engine,
    presets,
    queue,
    dispose: async () => {
      await queue.dispose();
      await engine.dispose();
    },
  };
}

/** Turns queue events of the given jobs into reporter events (start, progress, notice, done, error). */
export function reportJobs(queue: JobQueue, reporter: Reporter, ids: () => ReadonlySet<string>): () => void {
  const seen = new Map<string, string[]>();
  const started = new Map<string, number>();
  return queue.subscribe((event: JobEvent) => {
    if (event.type === 'progress' && ids().has(event.jobId)) {
      const job = queue.get(event.jobId);
      const item = job.items[event.progress.itemIndex];
      if (item) reporter.event({ type: 'progress', item: item.input, progress: event.progress });
    } else if (event.type === 'log' && event.jobId !== null && ids().has(event.jobId) && event.level !== 'debug') {
      const job = queue.get(event.jobId);
      const item = job.items.find((entry) => event.message.startsWith(`${entry.input}: `));
      if (item && event.level === 'info') reporter.event({ type: 'notice', item: item.input, message: event.message.slice(item.input.length + 2) });
      // A job-level line while the job is queued says what it waits for (another process's job).
      else if (!item && event.level === 'info' && job.state === 'queued' && job.items[0]) reporter.event({ type: 'notice', item: job.items[0].input, message: event.message });
    } else if (event.type === 'state' && ids().has(event.job.id)) {
      const job = event.job;
      const before = seen.get(job.id) ?? [];
      job.items.forEach((item, index) => {
        if (before[index] === item.state) return;
        const key = `${job.id}:${index}`;
        if (item.state === 'running') {
          started.set(key, performance.now());
          reporter.event({ type: 'start', item: item.input, index, count: job.items.length });
        } else if (item.state === 'completed') {
          const seconds = (performance.now() - (started.get(key) ?? performance.now())) / 1000;
          reporter.event({ type: 'done', item: item.input, output: item.output, frames: item.framesDone, seconds });
        } else if (item.state === 'failed' && item.error) {
          reporter.event({ type: 'error', item: item.input, error: item.error });
        }
      });
      seen.set(job.id, job.items.map((item) => item.state));
    }
  });
}

/** Runs jobs one after another in the foreground; the exit code of the worst outcome. */
export async function runJobsInForeground(queue: JobQueue, reporter: Reporter, jobIds: readonly string[]): Promise<number> {
  const ids = new Set(jobIds);
  const unsubscribe = reportJobs(queue, reporter, () => ids);
  let current: string | undefined;
  let cancelling = false;
  const stopListening = onInterrupt(() => {
    cancelling = true;
    if (current) void queue.cancel(current).catch(() => undefined);
  });
  let code = EXIT_OK;
  try {
    for (const id of jobIds) {
      if (cancelling) break;
      current = id;
      let snapshot: JobSnapshot;
      try {
        snapshot = await queue.run(id);
      } catch (error) {
        if (isCancellation(error)) return EXIT_CANCELLED;
        reporter.event({ type: 'error', error: serializeError(error) });
        code = EXIT_FAILED;
        continue;
      }
      if (snapshot.state === 'cancelled') {
        reporter.event({ type: 'cancelled', item: snapshot.items.find((item) => item.state === 'cancelled')?.input });
        await queue.remove(id);
        return EXIT_CANCELLED;
      }
      if (snapshot.state === 'failed') {
        if (snapshot.error && !snapshot.items.some((item) => item.error)) reporter.event({ type: 'error', error: snapshot.error });
        code = EXIT_FAILED;
      }
      if (snapshot.state === 'completed' || snapshot.state === 'failed') await queue.remove(id);
    }
    return cancelling ? EXIT_CANCELLED : code;
  } finally {
    unsubscribe();
    stopListening();
  }
}
