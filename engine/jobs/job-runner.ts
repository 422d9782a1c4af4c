// Runs one claimed job of the durable queue: plans each pending item again
// (inputs may have moved since the job was added), checks the disk before
// any work (space-needs.ts), runs videos one at a time and still images in
// a few lanes at once, and reports progress, previews and logs through the
// queue. How a run ends decides what is kept:
// - done: the job is completed (or failed, naming its first failed item);
//   the work folder goes;
// - cancel: the work folder and every temporary file go, items already
//   completed keep their outputs (they are whole), nothing partial remains;
// - shutdown or interrupt (dispose, a signal to the process): the job is
//   'interrupted' with its segments, to resume from the last finished one;
// - a failure that is not an item's own: failed, work folder removed;
// - an item that cannot start (its input gone, its output path taken by
//   another file): the item and the job fail with that reason and keep
//   their segments, so the job resumes once the cause is gone.
import path from 'node:path';
import { InvalidArgumentError, isCancellation, serializeError, throwIfCancelled } from '../../common/errors.ts';
import { jobId } from '../../common/ids.ts';
import { jobSpecSchema, type JobEvent, type JobSpec, type LogLevel } from '../../common/jobs.ts';
import type { Progress } from '../../common/progress.ts';
import type { FfmpegTools } from '../media/ffmpeg-locator.ts';
import type { RgbFrame } from '../media/frame.ts';
import { listTemporarySiblings, removeQuietly } from '../media/output-path.ts';
import { exists } from '../base/exists.ts';
import type { Catalog } from '../models/catalog.ts';
import { MANIFEST_FILE } from '../pipeline/segment-manifest.ts';
import { readJsonFile } from '../storage/durable-json.ts';
import type { BatchPlan, BatchRequest, ItemHandlers, ItemResult, PlannedItem } from './batch.ts';
import { assertSpaceFor, freeBytesOf, type FreeSpaceReader } from '../storage/free-space.ts';
import type { JobItemRecord, JobRecord } from './job-store.ts';
import { PauseGate } from './pause-gate.ts';
import { previewImage } from './preview-image.ts';
import { spaceNeedsOf } from './space-needs.ts';

/** What the queue needs of the engine (the Engine class provides it). */
export interface JobExecutor {
  planBatch(request: BatchRequest, options: { signal?: AbortSignal }): Promise<BatchPlan>;
  processItem(item: PlannedItem, handlers: ItemHandlers): Promise<ItemResult>;
  ffmpegTools(): FfmpegTools;
  readonly catalog: Catalog;
}

/** Why a running job was stopped: an explicit cancel, or a stop that keeps it (shutdown, a signal). */
export type StopReason = 'cancel' | 'shutdown';

export interface ActiveJob {
  controller: AbortController;
  gate: PauseGate;
  reason: StopReason | undefined;
  done: Promise<void>;
  lastPreviewAt: number;
  lastPersistAt: number;
}

/** The queue's side of a run: its records, events and work folders. */
export interface RunnerHost {
  record(id: string): JobRecord | undefined;
  update(id: string, patch: Partial<JobRecord>, options?: { quiet?: boolean }): Promise<void>;
  log(id: string | null, level: LogLevel, message: string): void;
  emit(event: JobEvent): void;
  listening(): boolean;
  /** Records an item's progress in memory, and on disk when `persist` (every 2 s). */
  progress(id: string, index: number, progress: Progress, persist: boolean): void;
  /** A job started running here (the first one starts the control poll). */
  started(): void;
  /** A job of this process stopped running (the next may start). */
  settled(): void;
  workDir(id: string): string;
  cleanWork(record: JobRecord): Promise<void>;
  claimInTurn(id: string, signal: AbortSignal): Promise<boolean>;
}

export interface RunnerOptions {
  executor: JobExecutor;
  /** The executor of a job whose spec asks for another (a farm job); undefined: `executor`. */
  executorFor?: (spec: JobSpec) => JobExecutor | undefined;
  /** Still images of one job processed at once: default 2. */
  imageParallelism?: number;
  /** Frames per video segment; default about 4 seconds. */
  segmentFrames?: number;
  freeSpace?: FreeSpaceReader;
  /** Milliseconds between preview pairs; default 1000. */
  previewIntervalMs?: number;
}

/** Whether the item's work folder lists all its frames as finished segments; undefined when it cannot tell. */
async function segmentsFinished(itemWork: string, framesTotal: number | null): Promise<boolean | undefined> {
  if (framesTotal === null) return undefined;
  const manifest = (await readJsonFile(path.join(itemWork, MANIFEST_FILE)).catch(() => undefined)) as { segments?: { frameCount?: unknown }[] } | undefined;
  if (!Array.isArray(manifest?.segments)) return undefined;
  const frames = manifest.segments.reduce((sum, segment) => sum + (typeof segment.frameCount === 'number' ? segment.frameCount : 0), 0);
  return frames >= framesTotal;
}

export class JobRunner {
  private readonly active = new Map<string, ActiveJob>();

  constructor(
    private readonly host: RunnerHost,
    private readonly options: RunnerOptions,
  ) {}

  /** The job while this process runs it. */
  job(id: string): ActiveJob | undefined {
    return this.active.get(id);
  }

  activeIds(): string[] {
    return [...this.active.keys()];
  }

  /** The jobs this process runs now (those of `ids` only, when given). */
  jobs(ids?: readonly string[]): ActiveJob[] {
    return (ids ?? this.activeIds()).map((id) => this.active.get(id)).filter((job) => job !== undefined);
  }

  /** Stops running jobs between frames for `reason` (a reason given earlier stands); resolves when they have ended. */
  async stop(reason: StopReason, ids?: readonly string[]): Promise<void> {
    const jobs = this.jobs(ids);
    for (const job of jobs) {
      job.reason ??= reason;
      job.controller.abort();
    }
    await Promise.allSettled(jobs.map((job) => job.done));
  }

  /** Starts running a queued job here; resolves when it has ended (however it ends). */
  start(id: string): Promise<void> {
    let settle: () => void = () => undefined;
    const active: ActiveJob = {
      controller: new AbortController(),
      gate: new PauseGate(),
      reason: undefined,
      done: new Promise<void>((resolve) => {
        settle = resolve;
      }),
      lastPreviewAt: -Infinity,
      lastPersistAt: 0,
    };
    this.active.set(id, active);
    this.host.started();
    void this.execute(id, active).finally(() => {
      this.active.delete(id);
      settle();
      this.host.settled();
    });
    return active.done;
  }

  private record(id: string): JobRecord {
    const record = this.host.record(id);
    if (!record) throw new InvalidArgumentError(`There is no job "${id}". List jobs with \`framesmith queue\`.`);
    return record;
  }

  private async setItem(id: string, index: number, patch: Partial<JobItemRecord>): Promise<void> {
    const items = this.record(id).items.map((item, at) => (at === index ? { ...item, ...patch } : item));
    await this.host.update(id, { items });
  }

  /** Runs the job to its end; never throws (the end is written to the record). */
  private async execute(id: string, active: ActiveJob): Promise<void> {
    const signal = active.controller.signal;
    try {
      if (!(await this.host.claimInTurn(id, signal))) return;
      const record = this.record(id);
      const itemCount = record.items.length;
      const pending: { index: number; planned: PlannedItem }[] = [];
      for (const [index, item] of record.items.entries()) {
        if (item.state === 'completed') continue;
        for (const temp of await listTemporarySiblings(item.output)) await removeQuietly(temp);
        if (!record.outputSettings.overwrite && (await exists(item.output))) {
          const finished = await segmentsFinished(path.join(this.host.workDir(id), `item-${index}`), item.framesTotal);
          if (finished === true || (finished === undefined && item.state === 'interrupted')) {
            // Killed after the output was renamed into place but before the record said so.
            await this.setItem(id, index, { state: 'completed' });
            continue;
          }
          // Otherwise another file took the output's place: planning says so, and the segments stay.
        }
        try {
          const plan = await this.options.executor.planBatch(
            { inputs: [item.input], output: item.output, steps: record.steps, outputSettings: record.outputSettings, processing: record.processing },
            { signal },
          );
          const planned = plan.items[0];
          if (!planned) throw new InvalidArgumentError(`The input ${item.input} is gone.`);
          pending.push({ index, planned });
        } catch (error) {
          if (isCancellation(error)) throw error;
          await this.setItem(id, index, { state: 'failed', error: serializeError(error) });
          this.host.log(id, 'error', `${item.input}: ${serializeError(error).userMessage}`);
        }
      }
      await this.checkSpace(id, pending.map((entry) => entry.planned), signal);
      const videos = pending.filter((entry) => entry.planned.input.kind !== 'image');
      const images = pending.filter((entry) => entry.planned.input.kind === 'image');
      for (const entry of videos) await this.processOne(id, active, entry.index, itemCount, entry.planned);
      const lanes = Math.max(1, this.options.imageParallelism ?? 2);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(lanes, images.length) }, async () => {
          while (next < images.length) {
            const entry = images[next] as { index: number; planned: PlannedItem };
            next += 1;
            await this.processOne(id, active, entry.index, itemCount, entry.planned);
          }
        }),
      );
      const failed = this.record(id).items.find((item) => item.state === 'failed');
      await this.host.update(id, { state: failed ? 'failed' : 'completed', error: failed?.error ?? null, finishedAt: new Date().toISOString(), ownerPid: null });
      // An item that failed before it ran (its input gone, its output taken) keeps its segments for a later resume.
      if (!failed) await removeQuietly(this.host.workDir(id));
    } catch (error) {
      await this.finishAfterError(id, active, error);
    }
  }

  private async finishAfterError(id: string, active: ActiveJob, error: unknown): Promise<void> {
    const record = this.host.record(id);
    if (!record) return;
    if (record.state === 'queued') {
      // Stopped while waiting for its turn: a cancel ends it, a shutdown leaves it queued.
      if (active.reason === 'cancel') await this.host.update(id, { state: 'cancelled', finishedAt: new Date().toISOString(), items: record.items.map((item) => (item.state === 'completed' ? item : { ...item, state: 'cancelled' })) });
      else if (!isCancellation(error) && !active.controller.signal.aborted) this.host.log(id, 'error', serializeError(error).userMessage);
      return;
    }
    if (isCancellation(error) || active.controller.signal.aborted) {
      if (active.reason === 'shutdown') {
        await this.host.update(id, {
          state: 'interrupted',
          ownerPid: null,
          items: record.items.map((item) => (item.state === 'running' ? { ...item, state: 'interrupted' } : item)),
        });
        return;
      }
      await this.host.cleanWork(record);
      await this.host.update(id, {
        state: 'cancelled',
        ownerPid: null,
        finishedAt: new Date().toISOString(),
        items: record.items.map((item) => (item.state === 'completed' ? item : { ...item, state: 'cancelled' })),
      });
      this.host.log(id, 'info', `Job ${id} was cancelled; nothing partial was left.`);
      return;
    }
    const serialized = serializeError(error);
    await this.host.cleanWork(record);
    await this.host.update(id, { state: 'failed', error: serialized, ownerPid: null, finishedAt: new Date().toISOString() });
    this.host.log(id, 'error', `${serialized.userMessage}${serialized.detail ? ` ${serialized.detail}` : ''}`);
  }

  private async processOne(id: string, active: ActiveJob, index: number, itemCount: number, planned: PlannedItem): Promise<void> {
    const signal = active.controller.signal;
    await active.gate.wait(signal);
    throwIfCancelled(signal);
    await this.setItem(id, index, { state: 'running', error: null });
    const itemWork = path.join(this.host.workDir(id), `item-${index}`);
    try {
      const result = await this.executorOf(id).processItem(planned, {
        signal,
        stopReason: () => active.reason,
        paused: () => active.gate.isPaused,
        itemIndex: index,
        itemCount,
        workDir: planned.input.kind === 'image' ? undefined : itemWork,
        segmentFrames: this.options.segmentFrames,
        pause: active.gate,
        onProgress: (progress) => {
          const now = performance.now();
          const persist = now - active.lastPersistAt >= 2000;
          if (persist) active.lastPersistAt = now;
          this.host.progress(id, index, progress, persist);
        },
        onNotice: (message) => this.host.log(id, 'info', `${planned.input.path}: ${message}`),
        previewDue: () => this.host.listening() && performance.now() - active.lastPreviewAt >= (this.options.previewIntervalMs ?? 1000),
        onPreview: (before, after) => this.onPreview(id, active, index, before, after),
      });
      if (result.providers.length > 0) this.host.log(id, 'debug', `${planned.input.path}: ran on ${result.providers.join(', ')} in ${result.precisions.join(', ')}.`);
      await this.setItem(id, index, { state: 'completed', framesDone: result.framesWritten, framesTotal: this.record(id).items[index]?.framesTotal ?? result.framesWritten });
    } catch (error) {
      if (isCancellation(error) || signal.aborted) throw error;
      await removeQuietly(itemWork);
      const serialized = serializeError(error);
      await this.setItem(id, index, { state: 'failed', error: serialized });
      this.host.log(id, 'error', `${planned.input.path}: ${serialized.userMessage}`);
    }
  }

  private executorOf(id: string): JobExecutor {
    const spec = jobSpecSchema.safeParse(this.record(id).spec);
    return (spec.success ? this.options.executorFor?.(spec.data) : undefined) ?? this.options.executor;
  }

  private onPreview(id: string, active: ActiveJob, itemIndex: number, before: RgbFrame, after: RgbFrame): void {
    active.lastPreviewAt = performance.now();
    void Promise.all([previewImage(before), previewImage(after)])
      .then(([beforeImage, afterImage]) => {
        this.host.emit({ type: 'preview', jobId: jobId(id), itemIndex, frameIndex: after.index, before: beforeImage, after: afterImage });
      })
      .catch((error: unknown) => this.host.log(id, 'debug', `Preview failed: ${serializeError(error).userMessage}`));
  }

  /** Output size and working space of the pending items (from their chain plans) against the free space of their disks. */
  private async checkSpace(id: string, pending: readonly PlannedItem[], signal: AbortSignal): Promise<void> {
    const needs = await spaceNeedsOf(pending, {
      catalog: this.options.executor.catalog,
      ffprobe: this.options.executor.ffmpegTools().ffprobe.path,
      workDir: this.host.workDir(id),
      signal,
    });
    if (needs.length > 0) await assertSpaceFor(needs, this.options.freeSpace ?? freeBytesOf);
  }
}
