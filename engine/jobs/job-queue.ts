// The job queue every front-end drives: durable jobs (job-store.ts) moving
// through the state machine (job-state.ts), one at a time by default, with
// pause between frames, cancel that leaves nothing, crash resume from the
// last finished segment, and one subscription for state, progress, preview
// and log events. This file holds the records and their state changes;
// job-runner.ts runs a claimed job (items, image lanes, the disk check),
// queue-lease.ts claims jobs across processes and carries controls to the
// process that runs a job, job-request.ts maps a job spec to the engine's
// batch request.
//
// On open, a 'running' job whose process is gone becomes 'interrupted'; it
// goes back to the queue (and resumes from its segments) with resume(), or
// at once with autoResume. Cancel removes the job's work folder and
// temporary files; shutdown (dispose) and interrupt() stop running jobs as
// 'interrupted', keeping their segments.
import { promises as fs } from 'node:fs';
import { InvalidArgumentError } from '../../common/errors.ts';
import { jobId } from '../../common/ids.ts';
import { type JobEvent, type JobSnapshot, type JobSpec, type JobSpecInput, type LogLevel } from '../../common/jobs.ts';
import type { Progress } from '../../common/progress.ts';
import type { FreeSpaceReader } from '../storage/free-space.ts';
import { jobRecordOf, type ResolvedPreset } from './job-request.ts';
import { orphanRecovered, removeJobWork, snapshotOf, workDirOf } from './job-record.ts';
import { JobRunner, type JobExecutor } from './job-runner.ts';
import { assertTransition, REMOVABLE_STATES } from './job-state.ts';
import { JobStore, type ControlAction, type JobRecord, type UnreadableRecord } from './job-store.ts';
import { QueueLease } from './queue-lease.ts';

export type { JobExecutor } from './job-runner.ts';
export type { ResolvedPreset } from './job-request.ts';

export interface JobQueueOptions {
  /** The user's data folder: jobs/ (records) and work/ (segments) live here. */
  dataDir: string;
  executor: JobExecutor;
  /** The executor of a job whose spec asks for another (the app's farm executor for renderOn 'farm'); undefined: `executor`. */
  executorFor?: (spec: JobSpec) => JobExecutor | undefined;
  resolvePreset?: (id: string) => Promise<ResolvedPreset>;
  /** Jobs run at once (GPU-heavy work), by all processes sharing dataDir: default 1. */
  concurrency?: number;
  /** Milliseconds between looks at whether a job waiting for its turn may start; default 250. */
  turnPollMs?: number;
  /** Still images of one job processed at once: default 2. */
  imageParallelism?: number;
  /** Frames per video segment; default about 4 seconds. */
  segmentFrames?: number;
  /** Starts queued jobs as they come (default true); false for a view that only lists and edits. */
  autoStart?: boolean;
  /** Interrupted jobs found on open go back to the queue at once (default false). */
  autoResume?: boolean;
  /** Free bytes of the filesystem holding a folder (tests simulate a small disk). */
  freeSpace?: FreeSpaceReader;
  /** Milliseconds between preview pairs; default 1000. */
  previewIntervalMs?: number;
  /** Parent of the work folder of each job added from now on (the app's working-folder setting); none: <dataDir>/work. */
  workRoot?: () => Promise<string | null | undefined> | string | null | undefined;
}

export type JobListener = (event: JobEvent) => void;

export class JobQueue {
  private readonly records = new Map<string, JobRecord>();
  private order: string[] = [];
  private readonly progress = new Map<string, Progress>();
  private readonly listeners = new Set<JobListener>();
  private readonly writes = new Map<string, Promise<void>>();
  private disposed = false;
  private setAside: UnreadableRecord[] = [];
  private readonly lease: QueueLease;
  private readonly runner: JobRunner;

  private constructor(
    private readonly options: JobQueueOptions,
    private readonly store: JobStore,
  ) {
    this.lease = new QueueLease(store, options, {
      activeIds: () => this.runner.activeIds(),
      isActive: (id) => this.runner.job(id) !== undefined,
      isPaused: (id) => this.records.get(id)?.state === 'paused',
      refresh: (record) => this.records.set(record.id, record),
      markClaimed: (onDisk) => this.update(onDisk.id, { state: 'running', ownerPid: process.pid, startedAt: onDisk.startedAt ?? new Date().toISOString(), error: null }),
      apply: (id, action) => this.applyControl(id, action),
      log: (id, level, message) => this.log(id, level, message),
    });
    this.runner = new JobRunner(
      {
        record: (id) => this.records.get(id),
        update: (id, patch, options) => this.update(id, patch, options),
        log: (id, level, message) => this.log(id, level, message),
        emit: (event) => this.emit(event),
        listening: () => this.listeners.size > 0,
        progress: (id, index, progress, persist) => this.onProgress(id, index, progress, persist),
        started: () => this.lease.startPolling(),
        settled: () => {
          this.lease.stopPollingWhenIdle();
          this.pump();
        },
        workDir: (id) => this.workDir(id),
        cleanWork: (record) => this.cleanWork(record),
        claimInTurn: (id, signal) => this.lease.claimInTurn(id, signal),
      },
      options,
    );
  }

  /** Loads the queue, turning jobs whose process died into 'interrupted'. */
  static async open(options: JobQueueOptions): Promise<JobQueue> {
    const store = await JobStore.open(options.dataDir);
    const queue = new JobQueue(options, store);
    await queue.reload();
    if (options.autoResume) {
      for (const record of queue.records.values()) if (record.state === 'interrupted') await queue.resume(record.id);
    }
    queue.pump();
    return queue;
  }

  /**
   * Pause, resume or cancel a job from any process: applied here when no
   * other live process runs it, else sent to that process ('requested').
   */
  static async control(options: Omit<JobQueueOptions, 'autoStart' | 'autoResume'>, id: string, action: ControlAction): Promise<'applied' | 'requested'> {
    const queue = await JobQueue.open({ ...options, autoStart: false });
    try {
      return await queue.lease.route(
        id,
        action,
        (onDisk) => {
          if (onDisk) queue.records.set(id, onDisk);
          return queue.record(id);
        },
        () => queue.applyControl(id, action),
      );
    } finally {
      await queue.dispose();
    }
  }

  private applyControl(id: string, action: ControlAction): Promise<void> {
    if (action === 'pause') return this.pause(id);
    if (action === 'resume') return this.resume(id);
    return this.cancel(id);
  }

  private async reload(): Promise<void> {
    const { records, skipped } = await this.store.load();
    for (const name of skipped) {
      const moved = await this.store.setAside(name);
      if (moved) this.log(null, 'warn', `Moved ${name} aside to ${moved}: it is not a job record this version understands. Its work folder is kept.`);
    }
    this.setAside = await this.store.listSetAside(this.options.dataDir);
    this.records.clear();
    for (const record of records) {
      const orphan = this.runner.job(record.id) ? undefined : orphanRecovered(record);
      if (orphan) await this.store.put(orphan);
      this.records.set(record.id, orphan ?? record);
    }
    this.order = records.map((record) => record.id);
  }

  /** Every job in queue order. */
  list(): JobSnapshot[] {
    return this.order.map((id) => this.snapshot(id));
  }

  get(id: string): JobSnapshot {
    this.record(id);
    return this.snapshot(id);
  }

  /** Subscribes to every job's events; returns the unsubscribe function. */
  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Validates the spec, resolves its preset, plans items and outputs, and queues the job. */
  async add(input: JobSpecInput, options: { signal?: AbortSignal } = {}): Promise<JobSnapshot> {
    const { executor, resolvePreset, workRoot } = this.options;
    const record = await jobRecordOf(input, { planBatch: (request, plan) => executor.planBatch(request, plan), resolvePreset, workRoot, signal: options.signal });
    const id = record.id;
    await this.store.withLock(async () => {
      await this.store.put(record);
      const { records } = await this.store.load();
      this.order = records.map((entry) => entry.id);
      for (const entry of records) if (!this.records.has(entry.id)) this.records.set(entry.id, entry);
      this.records.set(id, record);
      await this.store.writeOrder(this.order);
    });
    this.emitState(id);
    this.pump();
    return this.snapshot(id);
  }

  /** Moves a job to `position` in the queue order (0 first). */
  async move(id: string, position: number): Promise<void> {
    const record = this.record(id);
    if (record.state !== 'queued') throw new InvalidArgumentError(`Job ${id} is ${record.state}; only queued jobs can be reordered.`);
    await this.store.withLock(async () => {
      const rest = this.order.filter((entry) => entry !== id);
      const clamped = Math.max(0, Math.min(rest.length, Math.floor(position)));
      rest.splice(clamped, 0, id);
      this.order = rest;
      await this.store.writeOrder(this.order);
    });
    for (const entry of this.order) if (this.records.get(entry)?.state === 'queued') this.emitState(entry);
  }

  /** Removes a job that is not running (its work folder too). */
  async remove(id: string): Promise<void> {
    const record = this.record(id);
    if (!REMOVABLE_STATES.includes(record.state) || this.runner.job(id)) {
      throw new InvalidArgumentError(`Job ${id} is ${record.state}; cancel it before removing it.`);
    }
    await this.store.withLock(async () => {
      await this.store.remove(id);
      this.order = this.order.filter((entry) => entry !== id);
      await this.store.writeOrder(this.order);
    });
    await this.cleanWork(record);
    this.records.delete(id);
    this.progress.delete(id);
    this.emit({ type: 'removed', jobId: jobId(id) });
  }

  /** A failed or cancelled job goes back to the queue; its completed items are kept. */
  async retry(id: string): Promise<void> {
    const record = this.record(id);
    assertTransition(record.state, 'queued', id);
    await this.update(id, {
      state: 'queued',
      error: null,
      finishedAt: null,
      items: record.items.map((item) => (item.state === 'completed' ? item : { ...item, state: 'queued', error: null, framesDone: 0 })),
    });
    this.pump();
  }

  /** Pauses a running job between frames, or holds a queued one. */
  async pause(id: string): Promise<void> {
    const record = this.record(id);
    if (record.state === 'paused') return;
    assertTransition(record.state, 'paused', id);
    this.runner.job(id)?.gate.pause();
    await this.update(id, { state: 'paused' });
    this.lease.holdProcessWhilePaused();
  }

  /** Resumes a paused job in place, or queues a paused or interrupted one again. */
  async resume(id: string): Promise<void> {
    const record = this.record(id);
    const active = this.runner.job(id);
    if (record.state === 'paused' && active) {
      active.gate.resume();
      await this.update(id, { state: 'running' });
      this.lease.holdProcessWhilePaused();
      return;
    }
    if (record.state !== 'paused' && record.state !== 'interrupted') {
      throw new InvalidArgumentError(`Job ${id} is ${record.state}; only paused or interrupted jobs can be resumed.`);
    }
    await this.update(id, {
      state: 'queued',
      items: record.items.map((item) => (item.state === 'completed' ? item : { ...item, state: 'queued' })),
    });
    this.pump();
  }

  /** Cancels a job: stops it, removes its work folder and every temporary file; nothing partial remains. */
  async cancel(id: string): Promise<void> {
    const record = this.record(id);
    const active = this.runner.job(id);
    if (active) {
      active.reason = 'cancel';
      active.controller.abort();
      await active.done;
      return;
    }
    assertTransition(record.state, 'cancelled', id);
    await this.cleanWork(record);
    await this.update(id, {
      state: 'cancelled',
      finishedAt: new Date().toISOString(),
      items: record.items.map((item) => (item.state === 'completed' ? item : { ...item, state: 'cancelled' })),
    });
  }

  /** Runs one queued (or interrupted) job now in this process, whatever autoStart says; resolves when it ends. */
  async run(id: string): Promise<JobSnapshot> {
    const record = this.record(id);
    if (record.state === 'interrupted') await this.resume(id);
    // A job that failed (say its input was missing) keeps its segments: running it again resumes from them.
    if (record.state === 'failed') await this.retry(id);
    const active = this.runner.job(id);
    if (active) await active.done;
    else await this.runner.start(id);
    return this.snapshot(id);
  }

  /** Resolves when no job of this process is running and none it could start is queued. */
  async whenIdle(): Promise<void> {
    for (let running = this.runner.jobs(); running.length > 0; running = this.runner.jobs()) await Promise.all(running.map((job) => job.done));
  }

  /**
   * Stops a running job (or every job of this process) between frames as
   * 'interrupted', keeping its segments for resume; a job still waiting for
   * its turn stays queued. Resolves when it has stopped.
   */
  async interrupt(id?: string): Promise<void> {
    await this.runner.stop('shutdown', id === undefined ? undefined : [id]);
  }

  /** Whether the job's work folder holds anything (segments a resume would continue from). */
  async keepsWork(id: string): Promise<boolean> {
    this.record(id);
    const names = await fs.readdir(this.workDir(id)).catch(() => []);
    return names.length > 0;
  }

  /** Records found unreadable (moved aside, their work folders kept), oldest first. */
  unreadable(): readonly UnreadableRecord[] {
    return this.setAside;
  }

  /** Stops running jobs as 'interrupted' (segments kept) and stops listening for controls. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.interrupt();
    await Promise.allSettled([...this.writes.values()]);
    this.lease.stopPolling();
    this.listeners.clear();
  }

  private record(id: string): JobRecord {
    const record = this.records.get(id);
    if (!record) throw new InvalidArgumentError(`There is no job "${id}". List jobs with \`framesmith queue\`.`);
    return record;
  }

  private snapshot(id: string): JobSnapshot {
    const record = this.record(id);
    const queued = this.order.filter((entry) => this.records.get(entry)?.state === 'queued');
    const position = record.state === 'queued' ? queued.indexOf(id) : -1;
    return snapshotOf(record, position >= 0 ? position : null, this.progress.get(id) ?? null);
  }

  private emit(event: JobEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not stop the job or the other listeners.
      }
    }
  }

  private emitState(id: string): void {
    if (this.records.has(id)) this.emit({ type: 'state', job: this.snapshot(id) });
  }

  private log(id: string | null, level: LogLevel, message: string): void {
    this.emit({ type: 'log', jobId: id === null ? null : jobId(id), level, message, at: new Date().toISOString() });
  }

  /** Writes of one job are chained, so the file always ends with the latest state. */
  private persist(id: string): Promise<void> {
    const record = this.records.get(id);
    if (!record) return Promise.resolve();
    const snapshot = structuredClone(record);
    const previous = this.writes.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.store.put(snapshot));
    this.writes.set(id, next);
    return next;
  }

  private async update(id: string, patch: Partial<JobRecord>, options: { quiet?: boolean } = {}): Promise<void> {
    const record = this.record(id);
    if (patch.state !== undefined && patch.state !== record.state) assertTransition(record.state, patch.state, id);
    this.records.set(id, { ...record, ...patch });
    await this.persist(id);
    if (!options.quiet) this.emitState(id);
  }

  private cleanWork(record: JobRecord): Promise<void> {
    return removeJobWork(record, this.workDir(record.id));
  }

  private workDir(id: string): string {
    return workDirOf(id, this.records.get(id), this.options.dataDir);
  }

  private pump(): void {
    if (this.disposed || this.options.autoStart === false) return;
    const limit = Math.max(1, this.options.concurrency ?? 1);
    for (const id of this.order) {
      if (this.runner.activeIds().length >= limit) return;
      const record = this.records.get(id);
      if (record?.state === 'queued' && !this.runner.job(id)) void this.runner.start(id);
    }
  }

  private onProgress(id: string, index: number, progress: Progress, persist: boolean): void {
    this.progress.set(id, progress);
    this.emit({ type: 'progress', jobId: jobId(id), progress });
    const record = this.records.get(id);
    const item = record?.items[index];
    if (record && item) record.items[index] = { ...item, framesDone: progress.framesDone, framesTotal: progress.framesTotal };
    if (persist) void this.persist(id).catch(() => undefined);
  }
}
