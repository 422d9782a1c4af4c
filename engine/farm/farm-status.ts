// Who is in the farm and how its jobs stand. Workers beat a short-lived key
// in Redis every two seconds (gone ten seconds after a worker dies); a job's
// segments are read from BullMQ's states and the part files on the shared
// storage. `framesmith farm status` and the app's workers panel read this.
import type { Queue } from 'bullmq';
import { z } from 'zod';
import { FARM_QUEUE, farmJobIdSchema, segmentJobId, segmentProgressSchema, type FarmRecord } from './farm-job.ts';
import { redisConnection } from './redis-connection.ts';

const BEAT_PREFIX = 'framesmith:farm:worker:';
const BEAT_SECONDS = 10;

export const workerBeatSchema = z.object({
  name: z.string(),
  host: z.string(),
  pid: z.number().int(),
  provider: z.string(),
  /** Output frames per second (the segment in hand, else the finished ones); null until known. */
  fps: z.number().min(0).nullable(),
  segment: z.object({ farmJobId: farmJobIdSchema, index: z.number().int(), frames: z.number().int() }).nullable(),
  updatedAt: z.string(),
});
export type WorkerBeat = z.infer<typeof workerBeatSchema>;

export type SegmentState = 'done' | 'active' | 'waiting' | 'failed' | 'missing';

export interface SegmentStatus {
  index: number;
  state: SegmentState;
  frames: number;
  frameCount: number;
  worker?: string;
  attempts: number;
  reason?: string;
}

export class WorkerRegistry {
  private constructor(private readonly queue: Queue) {}

  static async open(redisUrl: string): Promise<WorkerRegistry> {
    // bullmq (with ioredis) loads on first use: every other command would pay ~0.2-0.4 CPU-s to load it.
    const { Queue } = await import('bullmq');
    const queue = new Queue(FARM_QUEUE, { connection: redisConnection(redisUrl) });
    await queue.waitUntilReady();
    return new WorkerRegistry(queue);
  }

  async beat(beat: WorkerBeat): Promise<void> {
    const client = await this.queue.client;
    await client.set(`${BEAT_PREFIX}${beat.name}`, JSON.stringify(beat), { EX: BEAT_SECONDS });
  }

  async leave(name: string): Promise<void> {
    const client = await this.queue.client;
    await client.del(`${BEAT_PREFIX}${name}`);
  }

  async workers(): Promise<WorkerBeat[]> {
    const client = await this.queue.client;
    const beats: WorkerBeat[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, { MATCH: `${BEAT_PREFIX}*`, COUNT: 100 });
      cursor = next;
      for (const key of keys) {
        const text = await client.get(key);
        const parsed = text ? workerBeatSchema.safeParse(JSON.parse(text)) : undefined;
        if (parsed?.success) beats.push(parsed.data);
      }
    } while (cursor !== '0');
    return beats.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Each segment's state: done when its part exists (`partDone`), else BullMQ's. */
  async segments(record: FarmRecord, partDone: (index: number) => Promise<boolean>): Promise<SegmentStatus[]> {
    const result: SegmentStatus[] = [];
    for (const segment of record.segments) {
      const base = { index: segment.index, frameCount: segment.frameCount };
      if (await partDone(segment.index)) {
        result.push({ ...base, state: 'done', frames: segment.frameCount, attempts: 0 });
        continue;
      }
      const job = await this.queue.getJob(segmentJobId(record.id, segment.index));
      if (!job) {
        result.push({ ...base, state: 'missing', frames: 0, attempts: 0 });
        continue;
      }
      const state = await job.getState();
      const progress = segmentProgressSchema.safeParse(job.progress);
      result.push({
        ...base,
        state: state === 'failed' ? 'failed' : state === 'active' ? 'active' : 'waiting',
        frames: state === 'active' && progress.success ? progress.data.frames : 0,
        worker: progress.success ? progress.data.worker : undefined,
        attempts: job.attemptsMade,
        reason: job.failedReason || undefined,
      });
    }
    return result;
  }

  get segmentQueue(): Queue {
    return this.queue;
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
