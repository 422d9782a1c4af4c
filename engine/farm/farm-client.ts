// The submitting side of the farm: splits a planned video item into
// segments (whole files where the chain cannot be cut), writes the job's
// record to the shared storage, queues one BullMQ job per segment, follows
// them, and joins the parts with the source's audio exactly as a local job
// does. The record and the part files on the shared storage are the truth:
// a segment whose BullMQ job vanished (Redis restarted without persistence)
// is queued again, and any machine can pick a job up with resume().
import { setTimeout as delay } from 'node:timers/promises';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Queue } from 'bullmq';
import { CancelledError, FarmSegmentFailedError, InvalidArgumentError } from '../../common/errors.ts';
import type { Engine } from '../engine.ts';
import type { PlannedItem } from '../jobs/batch.ts';
import { partFileName } from '../pipeline/video-job.ts';
import { readJsonFile, writeJsonDurably } from '../storage/durable-json.ts';
import { ENGINE_VERSION } from './farm-fingerprint.ts';
import {
  FARM_QUEUE,
  SEGMENT_ATTEMPTS,
  farmRecordSchema,
  newFarmJobId,
  segmentJobId,
  type FarmRecord,
  type SegmentPayload,
} from './farm-job.ts';
import { WorkerRegistry, type SegmentStatus } from './farm-status.ts';
import { segmentsOf } from './batch-split.ts';
import { sharedWork } from './farm-work.ts';
import { redisConnection } from './redis-connection.ts';
import { FARM_FOLDER, type SharedRoot } from './shared-root.ts';

export interface FarmProgress {
  farmJobId: string;
  framesDone: number;
  framesTotal: number;
  segments: SegmentStatus[];
}

export interface FarmClientOptions {
  engine: Engine;
  redisUrl: string;
  sharedRoot: SharedRoot;
  /** How often the job's state is read (default 500 ms). */
  pollMs?: number;
}

const RECORD_FILE = 'job.json';

export class FarmClient {
  private constructor(
    private readonly options: FarmClientOptions,
    private readonly queue: Queue,
    private readonly registry: WorkerRegistry,
  ) {}

  static async open(options: FarmClientOptions): Promise<FarmClient> {
    const registry = await WorkerRegistry.open(options.redisUrl);
    const { Queue } = await import('bullmq');
    const queue = new Queue(FARM_QUEUE, { connection: redisConnection(options.redisUrl) });
    await queue.waitUntilReady();
    return new FarmClient(options, queue, registry);
  }

  /** Splits one planned video item, records it on the shared storage and queues its segments. */
  async submit(item: PlannedItem, options: { signal: AbortSignal; segmentFrames?: number }): Promise<FarmRecord> {
    const [record] = await this.submitAll([item], options);
    return record as FarmRecord;
  }

  /**
   * Splits a batch of planned video items (see batch-split.ts: whole files
   * where that is cheaper, else cuts sized for the workers at keyframes),
   * records each on the shared storage and queues their segments, in order.
   */
  async submitAll(items: readonly PlannedItem[], options: { signal: AbortSignal; segmentFrames?: number }): Promise<FarmRecord[]> {
    const planned = [];
    for (const item of items) planned.push({ item, plan: await this.options.engine.segmentPlan(item, { signal: options.signal }) });
    const workers = Math.max(1, (await this.registry.workers()).length);
    const batch = { files: planned.length, frames: planned.reduce((sum, entry) => sum + entry.plan.outputFrames, 0) };
    const records: FarmRecord[] = [];
    for (const { item, plan } of planned) {
      const ranges = segmentsOf(plan, { workers, batch, segmentFrames: options.segmentFrames });
      records.push(await this.record(item, plan, ranges));
    }
    return records;
  }

  private async record(item: PlannedItem, plan: { outputFrames: number; models: Record<string, string> }, ranges: readonly { startFrame: number; frameCount: number }[]): Promise<FarmRecord> {
    const root = this.options.sharedRoot;
    const work = await sharedWork(item, root);
    const id = newFarmJobId();
    const folder = root.jobFolder(id);
    const record: FarmRecord = {
      version: 1,
      id,
      createdAt: new Date().toISOString(),
      fingerprint: { engineVersion: ENGINE_VERSION, models: plan.models },
      work,
      output: item.output,
      outputFrames: plan.outputFrames,
      segments: ranges.map((range, index) => ({ index, ...range, file: `${folder}/${partFileName(item.outputSettings.codec, index + 1)}` })),
    };
    await fs.mkdir(await root.resolve(folder), { recursive: true });
    await writeJsonDurably(await root.resolve(`${folder}/${RECORD_FILE}`), record);
    await this.enqueue(record, await this.statuses(record));
    return record;
  }

  /** Every farm job recorded on the shared storage that has not been joined yet. */
  async pending(): Promise<FarmRecord[]> {
    const base = await this.options.sharedRoot.resolve(FARM_FOLDER).catch(() => undefined);
    const names = base ? await fs.readdir(base).catch(() => [] as string[]) : [];
    const records: FarmRecord[] = [];
    for (const name of names.sort()) {
      const record = await this.read(name).catch(() => undefined);
      if (record) records.push(record);
    }
    return records;
  }

  async read(farmJobId: string): Promise<FarmRecord> {
    const file = await this.options.sharedRoot.resolve(`${this.options.sharedRoot.jobFolder(farmJobId)}/${RECORD_FILE}`);
    const parsed = farmRecordSchema.safeParse(await readJsonFile(file).catch(() => undefined));
    if (!parsed.success) throw new InvalidArgumentError(`No farm job "${farmJobId}" on the shared storage (or its record is unreadable).`);
    return parsed.data;
  }

  async statuses(record: FarmRecord): Promise<SegmentStatus[]> {
    return this.registry.segments(record, (index) => this.partDone(record, index));
  }

  /**
   * Follows a job until every segment is done, queueing again what the queue
   * lost and retrying failed segments once more on resume (`retryFailed`),
   * then joins the parts into the output and removes the job's folder.
   * Cancelling the signal stops following; the job stays for a later resume.
   */
  async finish(record: FarmRecord, item: PlannedItem, options: { signal: AbortSignal; onProgress?: (progress: FarmProgress) => void; onNotice?: (message: string) => void; retryFailed?: boolean }): Promise<string> {
    const pollMs = this.options.pollMs ?? 500;
    let retried = !options.retryFailed;
    let redisDown = false;
    for (;;) {
      if (options.signal.aborted) throw new CancelledError();
      let statuses: SegmentStatus[];
      try {
        statuses = await this.statuses(record);
        if (redisDown) options.onNotice?.('Redis answers again; following the farm job.');
        redisDown = false;
      } catch (error) {
        if (!redisDown) options.onNotice?.(`Redis does not answer (${error instanceof Error ? error.message : String(error)}); waiting for it.`);
        redisDown = true;
        await delay(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
        continue;
      }
      if (!retried) {
        retried = true;
        for (const status of statuses.filter((entry) => entry.state === 'failed')) {
          await (await this.queue.getJob(segmentJobId(record.id, status.index)))?.remove();
          status.state = 'missing';
        }
      }
      const failed = statuses.find((status) => status.state === 'failed');
      if (failed) throw new FarmSegmentFailedError(failed.index, failed.attempts, failed.reason ?? 'no reason given');
      const lost = statuses.filter((status) => status.state === 'missing');
      if (lost.length > 0) await this.enqueue(record, statuses);
      options.onProgress?.({
        farmJobId: record.id,
        framesDone: statuses.reduce((sum, status) => sum + status.frames, 0),
        framesTotal: record.outputFrames,
        segments: statuses,
      });
      if (statuses.every((status) => status.state === 'done')) break;
      await delay(pollMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
    const root = this.options.sharedRoot;
    const parts = await Promise.all(record.segments.map(async (segment) => ({ path: await root.resolve(segment.file), frameCount: segment.frameCount })));
    const output = await this.options.engine.joinSegments(item, parts, { signal: options.signal, onNotice: options.onNotice });
    await fs.rm(await root.resolve(root.jobFolder(record.id)), { recursive: true, force: true });
    return output;
  }

  /** The planned item a record describes, with paths resolved on this machine. */
  async itemOf(record: FarmRecord): Promise<PlannedItem> {
    const root = this.options.sharedRoot;
    const input = await root.resolve(record.work.input);
    const steps = await Promise.all(record.work.steps.map(async (step) =>
      step.kind === 'stylize' && step.styleImage !== undefined ? { ...step, styleImage: await root.resolve(step.styleImage) } : step));
    return { input: { path: input, kind: 'video', origin: path.dirname(input) }, output: record.output, steps, outputSettings: record.work.outputSettings, processing: record.work.processing };
  }

  /** Removes a job's queued segments and its folder (explicit cancel). */
  async remove(record: FarmRecord): Promise<void> {
    for (const segment of record.segments) await (await this.queue.getJob(segmentJobId(record.id, segment.index)))?.remove().catch(() => undefined);
    await fs.rm(await this.options.sharedRoot.resolve(this.options.sharedRoot.jobFolder(record.id)), { recursive: true, force: true });
  }

  get sharedRootPath(): string {
    return this.options.sharedRoot.root;
  }

  get workers(): WorkerRegistry {
    return this.registry;
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.registry.close();
  }

  private async partDone(record: FarmRecord, index: number): Promise<boolean> {
    const segment = record.segments[index];
    if (!segment) return false;
    return fs.stat(await this.options.sharedRoot.resolve(segment.file)).then(() => true, () => false);
  }

  private async enqueue(record: FarmRecord, statuses: readonly SegmentStatus[]): Promise<void> {
    for (const status of statuses) {
      if (status.state !== 'missing') continue;
      const segment = record.segments[status.index];
      // A segment can finish (and leave the queue) between the two reads of statuses().
      if (!segment || (await this.partDone(record, status.index))) continue;
      const payload: SegmentPayload = { farmJobId: record.id, segment, work: record.work, fingerprint: record.fingerprint };
      await this.queue.add('segment', payload, {
        jobId: segmentJobId(record.id, segment.index),
        attempts: SEGMENT_ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: false,
      });
    }
  }
}
