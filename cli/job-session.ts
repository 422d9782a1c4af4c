// The CLI's side of the job queue: open it over an engine in the user's data
// folder, and run jobs in the foreground with the same reporter events as a
// plain batch. A durable job is lost only on request (`framesmith queue cancel`
// or `queue remove`): Ctrl-C, SIGTERM and SIGHUP stop it between frames as
// 'interrupted', keeping its finished segments, and the process exits
// promptly (128 + the signal's number) saying how to resume; a second signal
// exits at once, and a SIGKILL or a crash leaves the job 'running' on disk,
// so the next start finds it interrupted all the same. A job run from the
// command line is removed from the queue when it completes, or when it fails
// with nothing to resume from; one that fails before its items could start
// (its input gone, its output path taken) stays with its reason and
// segments, and `framesmith resume ID` continues it once the cause is gone.
import { Engine, JobQueue, PresetStore, isCancellation, serializeError } from '../engine/index.ts';
import type { JobEvent, JobSnapshot } from '../common/jobs.ts';
import { userCacheDir, userDataDir } from './app-paths.ts';
import { EXIT_CANCELLED, EXIT_FAILED, EXIT_OK } from './exit-codes.ts';
import { exitCodeForSignal, onJobSignal, type KeepingSignal } from './interrupt.ts';
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
  const engine = await Engine.create({ cacheDir: userCacheDir() });
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

/** Seconds a stop signal waits for the job to reach a frame boundary before the process exits anyway (the job is kept either way). */
const STOP_GRACE_MS = 15_000;

function resumeHint(id: string): string {
  return `Job ${id} is kept with its finished segments: continue it with \`framesmith resume ${id}\`, or discard it with \`framesmith queue remove ${id}\`.`;
}

/** Runs jobs one after another in the foreground; the exit code of the worst outcome. */
export async function runJobsInForeground(queue: JobQueue, reporter: Reporter, jobIds: readonly string[]): Promise<number> {
  const ids = new Set(jobIds);
  const unsubscribe = reportJobs(queue, reporter, () => ids);
  let current: string | undefined;
  let stoppedBy: KeepingSignal | undefined;
  const stopListening = onJobSignal((signal) => {
    stoppedBy = signal;
    setTimeout(() => process.exit(exitCodeForSignal(signal)), STOP_GRACE_MS).unref();
    if (current) void queue.interrupt(current).catch(() => undefined);
  });
  let code = EXIT_OK;
  try {
    for (const id of jobIds) {
      if (stoppedBy) break;
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
      if (stoppedBy && (snapshot.state === 'interrupted' || snapshot.state === 'queued' || snapshot.state === 'paused')) {
        reporter.event({ type: 'interrupted', job: id, signal: stoppedBy, message: resumeHint(id) });
        return exitCodeForSignal(stoppedBy);
      }
      if (snapshot.state === 'cancelled') {
        reporter.event({ type: 'cancelled', item: snapshot.items.find((item) => item.state === 'cancelled')?.input });
        await queue.remove(id);
        return EXIT_CANCELLED;
      }
      if (snapshot.state === 'failed') {
        if (snapshot.error && !snapshot.items.some((item) => item.error)) reporter.event({ type: 'error', error: snapshot.error });
        code = EXIT_FAILED;
        if (await queue.keepsWork(id)) {
          const item = snapshot.items.find((entry) => entry.state === 'failed') ?? snapshot.items[0];
          if (item) reporter.event({ type: 'notice', item: item.input, message: `${resumeHint(id)} Fix what the error says first.` });
          continue;
        }
      }
      if (snapshot.state === 'completed' || snapshot.state === 'failed') await queue.remove(id);
    }
    return stoppedBy ? exitCodeForSignal(stoppedBy) : code;
  } finally {
    unsubscribe();
    stopListening();
  }
}
