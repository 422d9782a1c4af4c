// Cancelling a farm job from the app: its queued segments leave the queue at
// once and its folder goes (as `framesmith farm cancel` does), but a segment
// a worker holds cannot be removed while its lock is held; that worker's try
// then fails (its folder is gone) and BullMQ would hand the segment out again.
// So the sweep goes on removing the job's segments from the queue as each
// is released, and the folder once more at the end, until none is left or
// `giveUpMs` has passed.
import { promises as fs } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import type { FarmClient } from './farm-client.ts';
import { segmentJobId, type FarmRecord } from './farm-job.ts';
import { SharedRoot } from './shared-root.ts';

/** Removes what can go now (queued segments, the folder); the returned `rest` sweeps what workers still hold. */
export async function cancelFarmJob(client: FarmClient, record: FarmRecord, options: { giveUpMs?: number; pollMs?: number; signal?: AbortSignal } = {}): Promise<{ rest: Promise<void> }> {
  await client.remove(record);
  return { rest: sweep(client, record, options) };
}

async function sweep(client: FarmClient, record: FarmRecord, options: { giveUpMs?: number; pollMs?: number; signal?: AbortSignal }): Promise<void> {
  const queue = client.workers.segmentQueue;
  const until = Date.now() + (options.giveUpMs ?? 120_000);
  let left = record.segments.map((segment) => segmentJobId(record.id, segment.index));
  while (left.length > 0 && Date.now() < until && !options.signal?.aborted) {
    const still: string[] = [];
    for (const id of left) {
      const job = await queue.getJob(id);
      if (!job) continue;
      const removed = await job.remove().then(() => true, () => false);
      if (!removed) still.push(id);
    }
    left = still;
    if (left.length > 0) await delay(options.pollMs ?? 500, undefined, { signal: options.signal }).catch(() => undefined);
  }
  const root = await SharedRoot.open(client.sharedRootPath);
  await fs.rm(await root.resolve(root.jobFolder(record.id)), { recursive: true, force: true });
}
