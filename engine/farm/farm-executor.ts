// The durable queue's executor for a job that renders on the farm
// (renderOn 'farm'): each video item is split and submitted through the
// farm of the settings (FarmAccess), followed, and joined here, so its
// progress, ETA (frames of all workers together) and completion reach the
// same queue, events and job cards as a local job. Still images run on this
// machine (the engine's own processItem): a farm renders videos.
//
// What each way of stopping means for a farm job:
// - pause: no new segment starts: the job's waiting segments leave the farm
//   queue; segments already on a worker finish. Resume queues the rest again.
// - cancel: stop following, remove the job's segments from the farm queue
//   and its folder from the shared storage (cancelFarmJob; a segment a worker
//   holds is swept in the background once released); no output.
// - shutdown or a killed app: the farm goes on; the item's work folder keeps
//   the farm job's id, and when the queue resumes the job it picks the farm
//   job up from the shared storage (parts already rendered are kept).
// - failure (a segment failed on every try): the farm job is removed like a
//   cancelled one; retrying the queue's job submits it again.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isCancellation } from '../../common/errors.ts';
import type { Progress } from '../../common/progress.ts';
import type { Engine } from '../engine.ts';
import type { BatchPlan, BatchRequest, ItemHandlers, ItemResult, PlannedItem } from '../jobs/batch.ts';
import type { JobExecutor } from '../jobs/job-runner.ts';
import type { FfmpegTools } from '../media/ffmpeg-locator.ts';
import type { Catalog } from '../models/catalog.ts';
import { readJsonFile, writeJsonDurably } from '../storage/durable-json.ts';
import type { FarmAccess } from './farm-access.ts';
import type { FarmClient, FarmProgress } from './farm-client.ts';
import { farmJobIdSchema, segmentJobId, type FarmRecord } from './farm-job.ts';

/** In the item's work folder: which farm job renders it, so a resumed queue job follows that one. */
export const FARM_MARK_FILE = 'farm-job.json';
const markSchema = z.object({ farmJobId: farmJobIdSchema });

export interface FarmExecutorOptions {
  /** Frames per farm segment; default FarmClient's choice by the number of workers. */
  segmentFrames?: number;
  /** Milliseconds between looks at whether the job was paused; default 500. */
  pollMs?: number;
}

export class FarmExecutor implements JobExecutor {
  constructor(
    private readonly engine: Engine,
    private readonly access: FarmAccess,
    private readonly options: FarmExecutorOptions = {},
  ) {}

  get catalog(): Catalog {
    return this.engine.catalog;
  }

  ffmpegTools(): FfmpegTools {
    return this.engine.ffmpegTools();
  }

  planBatch(request: BatchRequest, options: { signal?: AbortSignal }): Promise<BatchPlan> {
    return this.engine.planBatch(request, options);
  }

  async processItem(item: PlannedItem, handlers: ItemHandlers): Promise<ItemResult> {
    if (item.input.kind !== 'video') return this.engine.processItem(item, handlers);
    const client = await this.access.client();
    const { signal } = handlers;
    let record = await this.recorded(client, handlers.workDir);
    const resumed = record !== undefined;
    if (record) {
      handlers.onNotice?.(`Following farm job ${record.id} again from the shared storage.`);
    } else {
      record = await client.submit(item, { signal, segmentFrames: this.options.segmentFrames });
      if (handlers.workDir) {
        await fs.mkdir(handlers.workDir, { recursive: true });
        await writeJsonDurably(path.join(handlers.workDir, FARM_MARK_FILE), { farmJobId: record.id });
      }
      handlers.onNotice?.(`Farm job ${record.id}: ${record.segments.length} segment(s) of ${record.outputFrames} frames.`);
    }
    try {
      const output = await this.follow(client, record, item, handlers, resumed);
      return { output, framesWritten: record.outputFrames, providers: [], precisions: [] };
    } catch (error) {
      const keep = (isCancellation(error) || signal.aborted) && handlers.stopReason?.() !== 'cancel';
      if (!keep) {
        await this.access.cancel(client, record).catch((failure: unknown) => handlers.onNotice?.(`Could not remove farm job ${record.id}: ${failure instanceof Error ? failure.message : String(failure)}`));
      }
      throw error;
    }
  }

  /** The farm job named in the item's work folder, when it is still on the shared storage. */
  private async recorded(client: FarmClient, workDir: string | undefined): Promise<FarmRecord | undefined> {
    if (!workDir) return undefined;
    const mark = markSchema.safeParse(await readJsonFile(path.join(workDir, FARM_MARK_FILE)).catch(() => undefined));
    return mark.success ? client.read(mark.data.farmJobId).catch(() => undefined) : undefined;
  }

  /** Follows the job to its join; while the queue's job is paused, holds its waiting segments. */
  private async follow(client: FarmClient, record: FarmRecord, item: PlannedItem, handlers: ItemHandlers, resumed: boolean): Promise<string> {
    const { signal } = handlers;
    const meter = progressMeter(handlers);
    let retryFailed = resumed;
    for (;;) {
      const following = new AbortController();
      const relay = (): void => following.abort();
      // A stop that came while the job was being submitted counts too (an aborted signal fires no more events).
      if (signal.aborted) following.abort();
      else signal.addEventListener('abort', relay, { once: true });
      let pausedNow = false;
      const watch = setInterval(() => {
        if (handlers.paused?.()) {
          pausedNow = true;
          following.abort();
        }
      }, this.options.pollMs ?? 500);
      try {
        return await client.finish(record, item, { signal: following.signal, retryFailed, onProgress: meter, onNotice: handlers.onNotice });
      } catch (error) {
        if (!pausedNow || signal.aborted) throw error;
      } finally {
        clearInterval(watch);
        signal.removeEventListener('abort', relay);
      }
      retryFailed = false;
      const held = await holdWaitingSegments(client, record);
      handlers.onNotice?.(`Paused: ${held} waiting segment(s) of farm job ${record.id} taken off the farm queue; segments on a worker finish.`);
      await handlers.pause?.wait(signal);
      handlers.onNotice?.(`Resumed: farm job ${record.id} queues its remaining segments again.`);
    }
  }
}

/** Removes the job's segments that wait for a worker (finish() queues them again when followed). */
async function holdWaitingSegments(client: FarmClient, record: FarmRecord): Promise<number> {
  const queue = client.workers.segmentQueue;
  let held = 0;
  for (const segment of record.segments) {
    const job = await queue.getJob(segmentJobId(record.id, segment.index));
    const state = job ? await job.getState() : undefined;
    if (job && (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children')) {
      if (await job.remove().then(() => true, () => false)) held += 1;
    }
  }
  return held;
}

/** The queue's progress from the farm's: frames of all workers, speed since following began (a resumed job counts only new frames). */
function progressMeter(handlers: ItemHandlers): (progress: FarmProgress) => void {
  let first: { at: number; frames: number } | undefined;
  const itemIndex = handlers.itemIndex ?? 0;
  const itemCount = Math.max(1, handlers.itemCount ?? 1);
  return (farm) => {
    const now = performance.now();
    first ??= { at: now, frames: farm.framesDone };
    const seconds = (now - first.at) / 1000;
    const fps = seconds > 0 ? (farm.framesDone - first.frames) / seconds : 0;
    const progress: Progress = {
      stage: farm.framesDone >= farm.framesTotal ? 'finalize' : 'process',
      itemIndex,
      itemCount,
      framesDone: farm.framesDone,
      framesTotal: farm.framesTotal,
      fps,
      etaMs: fps > 0 ? ((farm.framesTotal - farm.framesDone) / fps) * 1000 : null,
      fraction: (itemIndex + Math.min(1, farm.framesDone / farm.framesTotal)) / itemCount,
    };
    handlers.onProgress?.(progress);
  };
}
