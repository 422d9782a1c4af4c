// A farm worker: takes segments from the BullMQ queue on Redis, renders each
// with the local engine from the source on the shared storage, and writes
// the part file back there (under a temporary name, renamed when whole).
// A killed worker holds its segment only until its lock expires; BullMQ's
// stalled-job check then gives it to another worker. close() (SIGTERM)
// finishes the segments in hand before it returns. While it runs, a
// heartbeat key in Redis says who it is and what it does (farm-status.ts):
// every two seconds, and at once when it takes or lets go of a segment.
import os from 'node:os';
import path from 'node:path';
import type { Job, Worker } from 'bullmq';
import { isFramesmithError, serializeError } from '../../common/errors.ts';
import type { ProviderPreference } from '../inference/inference-backend.ts';
import type { Engine } from '../engine.ts';
import type { PlannedItem } from '../jobs/batch.ts';
import { ENGINE_VERSION, assertSameFingerprint } from './farm-fingerprint.ts';
import { FARM_QUEUE, segmentPayloadSchema, type SegmentPayload, type SegmentProgress } from './farm-job.ts';
import { WorkerRegistry, type WorkerBeat } from './farm-status.ts';
import { redisConnection } from './redis-connection.ts';
import type { SharedRoot } from './shared-root.ts';
import { localWork } from './farm-work.ts';

export interface FarmWorkerOptions {
  engine: Engine;
  redisUrl: string;
  sharedRoot: SharedRoot;
  name?: string;
  concurrency?: number;
  provider?: ProviderPreference;
  threads?: number;
  /** How long a segment stays locked to a silent worker (default 30 s; tests use less). */
  lockMs?: number;
  onEvent?: (event: FarmWorkerEvent) => void;
}

export type FarmWorkerEvent =
  | { type: 'segment-start'; farmJobId: string; segment: number; frames: number }
  | { type: 'segment-done'; farmJobId: string; segment: number; frames: number; seconds: number }
  | { type: 'segment-failed'; farmJobId: string; segment: number; message: string }
  | { type: 'error'; message: string };

export class FarmWorker {
  private worker: Worker | undefined;
  private registry: WorkerRegistry | undefined;
  private beat: NodeJS.Timeout | undefined;
  private readonly current = new Map<string, { farmJobId: string; segment: number; frames: number; started: number }>();
  private framesDone = 0;
  private busySeconds = 0;
  readonly name: string;

  constructor(private readonly options: FarmWorkerOptions) {
    this.name = options.name ?? `${os.hostname()}-${process.pid}`;
  }

  async start(): Promise<void> {
    const connection = redisConnection(this.options.redisUrl);
    const lockDuration = this.options.lockMs ?? 30_000;
    const { Worker } = await import('bullmq');
    this.worker = new Worker(FARM_QUEUE, (job, _token, signal) => this.process(job, signal), {
      connection,
      concurrency: this.options.concurrency ?? 1,
      lockDuration,
      stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
      maxStalledCount: 2,
      autorun: false,
    });
    this.worker.on('error', (error) => this.options.onEvent?.({ type: 'error', message: error.message }));
    this.registry = await WorkerRegistry.open(this.options.redisUrl);
    await this.heartbeat();
    this.beat = setInterval(() => void this.heartbeat().catch(() => undefined), 2000);
    void this.worker.run();
  }

  /** Stops taking segments, finishes those in hand, leaves the farm. */
  async close(): Promise<void> {
    if (this.beat) clearInterval(this.beat);
    await this.worker?.close();
    await this.registry?.leave(this.name).catch(() => undefined);
    await this.registry?.close();
  }

  /** Beats now (a segment taken or let go), so the farm's view does not wait for the next tick. */
  private beatNow(): void {
    void this.heartbeat().catch(() => undefined);
  }

  /** Output frames per second: of the segment in hand once it has frames, else over the finished ones; null before either. */
  private fps(active: { frames: number; started: number } | undefined): number | null {
    const seconds = active ? (Date.now() - active.started) / 1000 : 0;
    if (active && active.frames > 0 && seconds > 0) return active.frames / seconds;
    return this.busySeconds > 0 ? this.framesDone / this.busySeconds : null;
  }

  private async heartbeat(): Promise<void> {
    const [active] = [...this.current.values()];
    const beat: WorkerBeat = {
      name: this.name,
      host: os.hostname(),
      pid: process.pid,
      provider: this.options.provider ?? 'auto',
      fps: this.fps(active),
      segment: active ? { farmJobId: active.farmJobId, index: active.segment, frames: active.frames } : null,
      updatedAt: new Date().toISOString(),
    };
    await this.registry?.beat(beat);
  }

  private async process(job: Job, signal: AbortSignal | undefined): Promise<{ frames: number; worker: string }> {
    const parsed = segmentPayloadSchema.safeParse(job.data);
    if (!parsed.success) throw new (await import('bullmq')).UnrecoverableError(`Refusing a malformed segment payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const payload: SegmentPayload = parsed.data;
    const { segment } = payload;
    const key = job.id ?? `${payload.farmJobId}-${segment.index}`;
    const started = Date.now();
    this.current.set(key, { farmJobId: payload.farmJobId, segment: segment.index, frames: 0, started });
    this.beatNow();
    this.options.onEvent?.({ type: 'segment-start', farmJobId: payload.farmJobId, segment: segment.index, frames: segment.frameCount });
    const abort = new AbortController();
    signal?.addEventListener('abort', () => abort.abort(), { once: true });
    try {
      const work = await localWork(payload.work, this.options.sharedRoot);
      const partPath = await this.options.sharedRoot.resolve(segment.file);
      const item: PlannedItem = {
        input: { path: work.input, kind: 'video', origin: path.dirname(work.input) },
        output: partPath,
        steps: work.steps,
        outputSettings: payload.work.outputSettings,
        processing: {
          ...payload.work.processing,
          ...(this.options.provider ? { provider: this.options.provider } : {}),
          ...(this.options.threads ? { threads: this.options.threads } : {}),
        },
      };
      let lastReport = 0;
      const result = await this.options.engine.renderSegment(item, segment, partPath, {
        signal: abort.signal,
        checkModels: (models) => assertSameFingerprint(this.name, payload.fingerprint, ENGINE_VERSION, models),
        onFrames: (done) => {
          const entry = this.current.get(key);
          if (entry) entry.frames = done;
          const now = Date.now();
          if (now - lastReport < 500 && done < segment.frameCount) return;
          lastReport = now;
          const progress: SegmentProgress = { frames: done, fps: done / Math.max(0.001, (now - started) / 1000), worker: this.name };
          void job.updateProgress(progress).catch(() => undefined);
        },
      });
      const seconds = (Date.now() - started) / 1000;
      this.framesDone += result.frameCount;
      this.busySeconds += seconds;
      this.options.onEvent?.({ type: 'segment-done', farmJobId: payload.farmJobId, segment: segment.index, frames: result.frameCount, seconds });
      return { frames: result.frameCount, worker: this.name };
    } catch (error) {
      const serialized = serializeError(error);
      this.options.onEvent?.({ type: 'segment-failed', farmJobId: payload.farmJobId, segment: segment.index, message: serialized.userMessage });
      // The reason travels to the submitter as the job's failedReason; expected errors keep their user message.
      throw new Error(isFramesmithError(error) ? `${serialized.code}: ${serialized.userMessage}` : serialized.userMessage);
    } finally {
      this.current.delete(key);
      this.beatNow();
    }
  }
}
