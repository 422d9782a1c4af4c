// The job queue every front-end drives: durable jobs (job-store.ts) moving
// through the state machine (job-state.ts), run through an executor (the
// Engine) one at a time by default, with pause between frames, cancel that
// leaves nothing, crash resume from the last finished segment, a disk check
// before a job starts, and one subscription for state, progress, preview and
// log events.
//
// Ownership across processes: a job being run records its process id. On
// open, a 'running' job whose process is gone becomes 'interrupted'; it goes
// back to the queue (and resumes from its segments) with resume(), or at
// once with autoResume. Jobs owned by another live process are left alone;
// pause, resume and cancel reach them through a control file that the owner
// polls (JobQueue.control).
//
// Concurrency holds across processes: before a job starts, the queue counts
// the jobs that live processes (this one included) are running or holding
// paused, under the queue lock, from their records; at the limit the job
// stays 'queued' and waits its turn, saying which job of which process it
// waits for. The records are the lock: a 'running' record whose process died
// holds nothing, so a crashed owner never blocks the queue.
//
// Cancel removes the job's work folder and temporary files; items already
// completed in a batch keep their outputs (they are whole), the rest leave
// nothing. Shutdown (dispose) stops running jobs as 'interrupted', keeping
// their segments.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import { InvalidArgumentError, isCancellation, serializeError, throwIfCancelled, type SerializedError } from '../../common/errors.ts';
import { describeIssues } from '../../common/zod-issues.ts';
import { jobId, type JobId, type PresetId } from '../../common/ids.ts';
import { jobSpecSchema, type JobEvent, type JobSnapshot, type JobSpecInput, type JobState, type LogLevel } from '../../common/jobs.ts';
import type { Step } from '../../common/job-spec.ts';
import type { Progress } from '../../common/progress.ts';
import type { BatchPlan, BatchRequest, ItemHandlers, ItemResult, PlannedItem } from './batch.ts';
import type { FfmpegTools } from '../media/ffmpeg-locator.ts';
import type { RgbFrame } from '../media/frame.ts';
import { listTemporarySiblings, removeQuietly } from '../media/output-path.ts';
import { probeMedia } from '../media/probe.ts';
import { assertSpaceFor, estimateOutputBytes, freeBytesOf, type FreeSpaceReader, type SpaceNeed } from './disk-space.ts';
import { assertTransition, REMOVABLE_STATES } from './job-state.ts';
import { isProcessAlive, JobStore, type ControlAction, type JobItemRecord, type JobRecord } from './job-store.ts';
import { PauseGate } from './pause-gate.ts';
import { previewImage } from './preview-image.ts';
import { exists } from '../base/exists.ts';
import { sleep } from '../base/sleep.ts';

/** What the queue needs of the engine (the Engine class provides it). */
export interface JobExecutor {
  planBatch(request: BatchRequest, options: { signal?: AbortSignal }): Promise<BatchPlan>;
  processItem(item: PlannedItem, handlers: ItemHandlers): Promise<ItemResult>;
  ffmpegTools(): FfmpegTools;
  readonly catalog: { has(id: string): boolean; get(id: string): { scale: number } };
}

export interface ResolvedPreset {
  id: string;
  name: string;
  steps: unknown[];
  outputSettings: Record<string, unknown>;
  processing: Record<string, unknown>;
}

export interface JobQueueOptions {
  /** The user's data folder: jobs/ (records) and work/ (segments) live here. */
  dataDir: string;
  executor: JobExecutor;
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

interface ActiveJob {
  controller: AbortController;
  gate: PauseGate;
  reason: 'cancel' | 'shutdown' | undefined;
  done: Promise<void>;
  lastPreviewAt: number;
  lastPersistAt: number;
}

const ACTIVE_STATES: readonly JobState[] = ['running', 'paused'];

function newJobId(): JobId {
  return jobId(`${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`);
}

export class JobQueue {
  private readonly records = new Map<string, JobRecord>();
  private order: string[] = [];
  private readonly active = new Map<string, ActiveJob>();
  private readonly progress = new Map<string, Progress>();
  private readonly listeners = new Set<JobListener>();
  private readonly writes = new Map<string, Promise<void>>();
  private controlTimer: NodeJS.Timeout | undefined;
  private disposed = false;

  private constructor(
    private readonly options: JobQueueOptions,
    private readonly store: JobStore,
  ) {}

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
      // Under the queue lock, so a process claiming this job meanwhile either sees the change or is asked.
      return await queue.store.withLock(async () => {
        const onDisk = await queue.store.get(id);
        if (onDisk) queue.records.set(id, onDisk);
        const record = queue.record(id);
        if (record.ownerPid !== null && record.ownerPid !== process.pid && ACTIVE_STATES.includes(record.state) && isProcessAlive(record.ownerPid)) {
          await queue.store.requestControl(id, action);
          return 'requested' as const;
        }
        if (action === 'pause') await queue.pause(id);
        else if (action === 'resume') await queue.resume(id);
        else await queue.cancel(id);
        return 'applied' as const;
      });
    } finally {
      await queue.dispose();
    }
  }

  private async reload(): Promise<void> {
    const { records, skipped } = await this.store.load();
    for (const name of skipped) this.log(null, 'warn', `Skipped ${name} in the job folder: it is not a job record this version understands.`);
    this.records.clear();
    for (const record of records) {
      const foreign = record.ownerPid !== null && record.ownerPid !== process.pid && isProcessAlive(record.ownerPid);
      if (ACTIVE_STATES.includes(record.state) && !foreign && !this.active.has(record.id)) {
        const next: JobRecord = { ...record, state: record.state === 'running' ? 'interrupted' : record.state, ownerPid: null };
        next.items = next.items.map((item) => (item.state === 'running' ? { ...item, state: 'interrupted' } : item));
        await this.store.put(next);
        this.records.set(next.id, next);
      } else {
        this.records.set(record.id, record);
      }
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
    const parsed = jobSpecSchema.safeParse(input);
    if (!parsed.success) throw new InvalidArgumentError(`Invalid job: ${describeIssues(parsed.error, { whole: 'job' })}`);
    const spec = parsed.data;
    let steps: unknown[] = spec.steps ?? [];
    let outputSettings: Record<string, unknown> = {};
    let processing: Record<string, unknown> = {};
    let presetName: string | undefined;
    if (spec.presetId !== undefined) {
      if (!this.options.resolvePreset) throw new InvalidArgumentError('This queue has no presets; give the steps of the chain instead.');
      const preset = await this.options.resolvePreset(spec.presetId);
      steps = preset.steps;
      outputSettings = preset.outputSettings;
      processing = preset.processing;
      presetName = preset.name;
    }
    const plan = await this.options.executor.planBatch(
      {
        inputs: spec.inputs,
        output: spec.outputPath ?? spec.outputFolder,
        outputIsFolder: spec.outputPath === undefined && spec.outputFolder !== undefined,
        recursive: spec.recursive,
        nameTemplate: spec.nameTemplate,
        steps,
        outputSettings: { ...outputSettings, ...stripUndefined(spec.outputSettings ?? {}) },
        processing: { ...processing, ...stripUndefined(spec.processing ?? {}) },
      },
      { signal: options.signal },
    );
    const first = plan.items[0];
    if (!first) throw new InvalidArgumentError('The job has no input files.');
    const id = newJobId();
    const workRoot = await this.options.workRoot?.();
    if (workRoot && !path.isAbsolute(workRoot)) throw new InvalidArgumentError(`The working folder must be an absolute path, got "${workRoot}".`);
    const record: JobRecord = {
      version: 1,
      id,
      state: 'queued',
      spec: spec as unknown as Record<string, unknown>,
      presetId: spec.presetId ?? null,
      label: presetName ?? first.steps.map((step) => step.kind).join('-'),
      steps: first.steps,
      outputSettings: first.outputSettings,
      processing: first.processing,
      items: plan.items.map((item) => ({
        input: item.input.path,
        kind: item.input.kind === 'image' ? 'image' : 'video',
        output: item.output,
        state: 'queued',
        framesDone: 0,
        framesTotal: null,
        error: null,
      })),
      error: null,
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      ownerPid: null,
      ...(workRoot ? { workDir: path.join(workRoot, id) } : {}),
    };
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
    if (!REMOVABLE_STATES.includes(record.state) || this.active.has(id)) {
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
    this.active.get(id)?.gate.pause();
    await this.update(id, { state: 'paused' });
    this.holdProcessWhilePaused();
  }

  /** Resumes a paused job in place, or queues a paused or interrupted one again. */
  async resume(id: string): Promise<void> {
    const record = this.record(id);
    const active = this.active.get(id);
    if (record.state === 'paused' && active) {
      active.gate.resume();
      await this.update(id, { state: 'running' });
      this.holdProcessWhilePaused();
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
    const active = this.active.get(id);
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
    const active = this.active.get(id);
    if (active) await active.done;
    else await this.start(id);
    return this.snapshot(id);
  }

  /** Resolves when no job of this process is running and none it could start is queued. */
  async whenIdle(): Promise<void> {
    for (;;) {
      const running = [...this.active.values()];
      if (running.length === 0) return;
      await Promise.all(running.map((job) => job.done));
    }
  }

  /** Stops running jobs as 'interrupted' (segments kept) and stops listening for controls. */
  async dispose(): Promise<void> {
    this.disposed = true;
    for (const job of this.active.values()) {
      job.reason ??= 'shutdown';
      job.controller.abort();
    }
    await Promise.allSettled([...this.active.values()].map((job) => job.done));
    await Promise.allSettled([...this.writes.values()]);
    if (this.controlTimer) clearInterval(this.controlTimer);
    this.controlTimer = undefined;
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
    return {
      id: jobId(record.id),
      state: record.state,
      spec: jobSpecSchema.parse(record.spec),
      presetId: (record.presetId ?? null) as PresetId | null,
      label: record.label,
      items: record.items.map((item) => ({
        input: item.input,
        output: item.output,
        state: item.state,
        framesDone: item.framesDone,
        framesTotal: item.framesTotal,
        error: item.error as SerializedError | null,
      })),
      progress: this.progress.get(id) ?? null,
      error: record.error as SerializedError | null,
      position: position >= 0 ? position : null,
      createdAt: record.createdAt,
      startedAt: record.startedAt,
      finishedAt: record.finishedAt,
    };
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

  private async cleanWork(record: JobRecord): Promise<void> {
    await removeQuietly(this.workDir(record.id));
    for (const item of record.items) {
      if (item.state === 'completed') continue;
      for (const temp of await listTemporarySiblings(item.output)) await removeQuietly(temp);
    }
  }

  private workDir(id: string): string {
    return this.records.get(id)?.workDir ?? path.join(this.options.dataDir, 'work', id);
  }

  private pump(): void {
    if (this.disposed || this.options.autoStart === false) return;
    const limit = Math.max(1, this.options.concurrency ?? 1);
    for (const id of this.order) {
      if (this.active.size >= limit) return;
      const record = this.records.get(id);
      if (record?.state === 'queued' && !this.active.has(id)) void this.start(id);
    }
  }

  private ensureControlPolling(): void {
    if (this.controlTimer) return;
    this.controlTimer = setInterval(() => {
      void this.pollControls();
    }, 250);
    this.controlTimer.unref();
  }

  /**
   * A paused job waits on a promise alone (its decoder is held by
   * backpressure), which does not keep Node running: while one is paused the
   * control poll keeps the process alive, so the job can be resumed.
   */
  private holdProcessWhilePaused(): void {
    if (!this.controlTimer) return;
    const paused = [...this.active.keys()].some((id) => this.records.get(id)?.state === 'paused');
    if (paused) this.controlTimer.ref();
    else this.controlTimer.unref();
  }

  private async pollControls(): Promise<void> {
    const ids = [...this.active.keys()];
    if (ids.length === 0) return;
    for (const { id, action } of await this.store.takeControls(ids).catch(() => [])) {
      try {
        if (action === 'pause') await this.pause(id);
        else if (action === 'resume') await this.resume(id);
        else await this.cancel(id);
      } catch (error) {
        this.log(id, 'warn', `Could not ${action} job ${id}: ${serializeError(error).userMessage}`);
      }
    }
  }

  private start(id: string): Promise<void> {
    const controller = new AbortController();
    let settle: () => void = () => undefined;
    const active: ActiveJob = {
      controller,
      gate: new PauseGate(),
      reason: undefined,
      done: new Promise<void>((resolve) => {
        settle = resolve;
      }),
      lastPreviewAt: -Infinity,
      lastPersistAt: 0,
    };
    this.active.set(id, active);
    this.ensureControlPolling();
    void this.execute(id, active).finally(() => {
      this.active.delete(id);
      settle();
      if (this.active.size === 0 && this.controlTimer) {
        clearInterval(this.controlTimer);
        this.controlTimer = undefined;
      }
      this.holdProcessWhilePaused();
      this.pump();
    });
    return active.done;
  }

  /**
   * Claims the job on disk: 'claimed', 'gone' (another process took it, or it
   * was paused, cancelled or removed meanwhile), or the job that holds the
   * last free turn when the concurrency limit is reached.
   */
  private async claim(id: string): Promise<'claimed' | 'gone' | { jobId: string; pid: number }> {
    return this.store.withLock(async () => {
      const onDisk = await this.store.get(id);
      if (!onDisk || onDisk.state !== 'queued') {
        if (onDisk) this.records.set(id, onDisk);
        return 'gone';
      }
      const { records } = await this.store.load();
      const holders = records.filter((record) => record.id !== id && ACTIVE_STATES.includes(record.state) && this.holdsTurn(record));
      const first = holders[0];
      if (first && holders.length >= Math.max(1, this.options.concurrency ?? 1)) return { jobId: first.id, pid: first.ownerPid ?? process.pid };
      await this.update(id, { state: 'running', ownerPid: process.pid, startedAt: onDisk.startedAt ?? new Date().toISOString(), error: null });
      return 'claimed';
    });
  }

  /** A running or paused record holds a turn while its process lives (ours: while we run it). */
  private holdsTurn(record: JobRecord): boolean {
    if (record.ownerPid === null) return false;
    if (record.ownerPid === process.pid) return this.active.has(record.id);
    return isProcessAlive(record.ownerPid);
  }

  /** Claims the job, waiting (state 'queued') while other jobs hold every turn; false when it is no longer to be run. */
  private async claimInTurn(id: string, signal: AbortSignal): Promise<boolean> {
    let waitingFor = '';
    for (;;) {
      const outcome = await this.claim(id);
      if (outcome === 'claimed') return true;
      if (outcome === 'gone') return false;
      const key = `${outcome.jobId}@${outcome.pid}`;
      if (key !== waitingFor) {
        waitingFor = key;
        this.log(id, 'info', `Waiting for job ${outcome.jobId} in process ${outcome.pid} to finish: ${this.options.concurrency ?? 1} GPU-heavy job${(this.options.concurrency ?? 1) === 1 ? '' : 's'} at a time.`);
      }
      await sleep(this.options.turnPollMs ?? 250, signal);
    }
  }

  private async execute(id: string, active: ActiveJob): Promise<void> {
    const signal = active.controller.signal;
    try {
      if (!(await this.claimInTurn(id, signal))) return;
      const record = this.record(id);
      const itemCount = record.items.length;
      const pending: { index: number; planned: PlannedItem }[] = [];
      for (const [index, item] of record.items.entries()) {
        if (item.state === 'completed') continue;
        for (const temp of await listTemporarySiblings(item.output)) await removeQuietly(temp);
        if (item.state === 'interrupted' && !record.outputSettings.overwrite && (await exists(item.output))) {
          // Killed after the output was renamed into place but before the record said so.
          await this.setItem(id, index, { state: 'completed' });
          continue;
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
          this.log(id, 'error', `${item.input}: ${serializeError(error).userMessage}`);
        }
      }
      await this.checkSpace(id, pending, signal);
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
      const final = this.record(id);
      const failed = final.items.find((item) => item.state === 'failed');
      await this.update(id, { state: failed ? 'failed' : 'completed', error: failed?.error ?? null, finishedAt: new Date().toISOString(), ownerPid: null });
      await removeQuietly(this.workDir(id));
    } catch (error) {
      await this.finishAfterError(id, active, error);
    }
  }

  private async finishAfterError(id: string, active: ActiveJob, error: unknown): Promise<void> {
    const record = this.records.get(id);
    if (!record) return;
    if (record.state === 'queued') {
      // Stopped while waiting for its turn: a cancel ends it, a shutdown leaves it queued.
      if (active.reason === 'cancel') await this.update(id, { state: 'cancelled', finishedAt: new Date().toISOString(), items: record.items.map((item) => (item.state === 'completed' ? item : { ...item, state: 'cancelled' })) });
      else if (!isCancellation(error) && !active.controller.signal.aborted) this.log(id, 'error', serializeError(error).userMessage);
      return;
    }
    if (isCancellation(error) || active.controller.signal.aborted) {
      if (active.reason === 'shutdown') {
        await this.update(id, {
          state: 'interrupted',
          ownerPid: null,
          items: record.items.map((item) => (item.state === 'running' ? { ...item, state: 'interrupted' } : item)),
        });
        return;
      }
      await this.cleanWork(record);
      await this.update(id, {
        state: 'cancelled',
        ownerPid: null,
        finishedAt: new Date().toISOString(),
        items: record.items.map((item) => (item.state === 'completed' ? item : { ...item, state: 'cancelled' })),
      });
      this.log(id, 'info', `Job ${id} was cancelled; nothing partial was left.`);
      return;
    }
    const serialized = serializeError(error);
    await this.cleanWork(record);
    await this.update(id, { state: 'failed', error: serialized, ownerPid: null, finishedAt: new Date().toISOString() });
    this.log(id, 'error', `${serialized.userMessage}${serialized.detail ? ` ${serialized.detail}` : ''}`);
  }

  private async setItem(id: string, index: number, patch: Partial<JobItemRecord>, options: { quiet?: boolean } = {}): Promise<void> {
    const record = this.record(id);
    const items = record.items.map((item, at) => (at === index ? { ...item, ...patch } : item));
    await this.update(id, { items }, options);
  }

  private async processOne(id: string, active: ActiveJob, index: number, itemCount: number, planned: PlannedItem): Promise<void> {
    const signal = active.controller.signal;
    await active.gate.wait(signal);
    throwIfCancelled(signal);
    await this.setItem(id, index, { state: 'running', error: null });
    const itemWork = path.join(this.workDir(id), `item-${index}`);
    try {
      const result = await this.options.executor.processItem(planned, {
        signal,
        itemIndex: index,
        itemCount,
        workDir: planned.input.kind === 'image' ? undefined : itemWork,
        segmentFrames: this.options.segmentFrames,
        pause: active.gate,
        onProgress: (progress) => this.onProgress(id, active, index, progress),
        onNotice: (message) => this.log(id, 'info', `${planned.input.path}: ${message}`),
        previewDue: () => this.listeners.size > 0 && performance.now() - active.lastPreviewAt >= (this.options.previewIntervalMs ?? 1000),
        onPreview: (before, after) => this.onPreview(id, active, index, before, after),
      });
      if (result.providers.length > 0) this.log(id, 'debug', `${planned.input.path}: ran on ${result.providers.join(', ')} in ${result.precisions.join(', ')}.`);
      await this.setItem(id, index, { state: 'completed', framesDone: result.framesWritten, framesTotal: this.record(id).items[index]?.framesTotal ?? result.framesWritten });
    } catch (error) {
      if (isCancellation(error) || signal.aborted) throw error;
      await removeQuietly(itemWork);
      const serialized = serializeError(error);
      await this.setItem(id, index, { state: 'failed', error: serialized });
      this.log(id, 'error', `${planned.input.path}: ${serialized.userMessage}`);
    }
  }

  private onProgress(id: string, active: ActiveJob, index: number, progress: Progress): void {
    this.progress.set(id, progress);
    this.emit({ type: 'progress', jobId: jobId(id), progress });
    const record = this.records.get(id);
    if (!record) return;
    const item = record.items[index];
    if (item) record.items[index] = { ...item, framesDone: progress.framesDone, framesTotal: progress.framesTotal };
    const now = performance.now();
    if (now - active.lastPersistAt >= 2000) {
      active.lastPersistAt = now;
      void this.persist(id).catch(() => undefined);
    }
  }

  private onPreview(id: string, active: ActiveJob, itemIndex: number, before: RgbFrame, after: RgbFrame): void {
    active.lastPreviewAt = performance.now();
    void Promise.all([previewImage(before), previewImage(after)])
      .then(([beforeImage, afterImage]) => {
        this.emit({ type: 'preview', jobId: jobId(id), itemIndex, frameIndex: after.index, before: beforeImage, after: afterImage });
      })
      .catch((error: unknown) => this.log(id, 'debug', `Preview failed: ${serializeError(error).userMessage}`));
  }

  /** Output size and working space of the pending items against the free space of their disks. */
  private async checkSpace(id: string, pending: readonly { planned: PlannedItem }[], signal: AbortSignal): Promise<void> {
    const needs: SpaceNeed[] = [];
    const workDir = this.workDir(id);
    for (const { planned } of pending) {
      const { steps, outputSettings } = planned;
      const outputDir = path.dirname(planned.output);
      if (planned.input.kind === 'image') {
        const meta = await sharp(planned.input.path).metadata().catch(() => undefined);
        const scale = chainScale(steps, this.options.executor.catalog);
        needs.push({ dir: outputDir, bytes: (meta?.width ?? 1024) * (meta?.height ?? 1024) * scale * scale * 4 });
        continue;
      }
      const info = await probeMedia(planned.input.path, { ffprobe: this.options.executor.ffmpegTools().ffprobe.path, signal });
      const scale = chainScale(steps, this.options.executor.catalog);
      const frames = Math.ceil(info.video.frameCount * chainFrameFactor(steps, info.video.frameRate.num / info.video.frameRate.den));
      const videoBytes = estimateOutputBytes({
        width: Math.ceil(info.video.width * scale),
        height: Math.ceil(info.video.height * scale),
        frameCount: frames,
        codec: outputSettings.codec,
        bitDepth: info.video.bitDepth > 8 ? 16 : 8,
        carriedBytes: 0,
      });
      const carried = outputSettings.audio === 'drop' ? 0 : info.sizeBytes;
      needs.push({ dir: workDir, bytes: videoBytes });
      needs.push({ dir: outputDir, bytes: videoBytes + carried });
    }
    if (needs.length > 0) await assertSpaceFor(needs, this.options.freeSpace ?? freeBytesOf);
  }
}

function stripUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));
}

/** Linear scale of the chain (upscale steps; the model's own scale when none is given). */
function chainScale(steps: readonly Step[], catalog: JobExecutor['catalog']): number {
  let scale = 1;
  for (const step of steps) {
    if (step.kind !== 'upscale') continue;
    scale *= step.scale ?? (catalog.has(step.model) ? catalog.get(step.model).scale : 4);
  }
  return scale;
}

/** Output frames per source frame (interpolation). */
function chainFrameFactor(steps: readonly Step[], sourceFps: number): number {
  let factor = 1;
  for (const step of steps) {
    if (step.kind !== 'interpolate') continue;
    if (step.multiply !== undefined) factor *= step.multiply;
    else if (step.slowmo !== undefined) factor *= step.slowmo;
    else if (step.fps !== undefined) {
      const [num, den] = step.fps.split('/').map(Number);
      factor *= Math.max(1, (num ?? sourceFps) / (den ?? 1) / Math.max(1e-6, sourceFps));
    }
  }
  return factor;
}
