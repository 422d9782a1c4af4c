// Whether a farm can take jobs, answered quickly and with a reason: the URL
// parses, Redis answers (one connection that does not retry, so an address
// nobody listens on fails in seconds instead of waiting for ever as BullMQ's
// own connections do), Redis accepts the credentials, and the shared root is
// a folder this machine can write. The Settings screen's "Test connection"
// and the farm executor (before it submits) ask this. Redis' refusal of the
// credentials is told by its error reply's code (NOAUTH, WRONGPASS), the
// protocol's own error code, never by reading the rest of the message.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { FarmProblem } from '../../common/api/api-types.ts';
import { serializeError } from '../../common/errors.ts';
import { FARM_QUEUE } from './farm-job.ts';
import { workerBeatSchema, type WorkerBeat } from './farm-status.ts';
import { redactRedisUrl, redisConnection } from './redis-connection.ts';
import { SharedRoot } from './shared-root.ts';

export interface FarmProbeResult {
  problem: FarmProblem | null;
  /** What went wrong, in the engine's words (no password in it). */
  detail: string | null;
  workers: WorkerBeat[];
}

const AUTH_REPLY_CODES = new Set(['NOAUTH', 'WRONGPASS', 'NOPERM']);
const BEAT_PATTERN = 'framesmith:farm:worker:*';

function replyCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'ReplyError') return undefined;
  return error.message.split(' ', 1)[0];
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Workers whose heartbeat is alive, read over a connection that fails fast. */
async function liveWorkers(redisUrl: string, timeoutMs: number): Promise<WorkerBeat[]> {
  // bullmq loads on first use (see farm-status.ts).
  const { Queue } = await import('bullmq');
  const queue = new Queue(FARM_QUEUE, {
    connection: { ...redisConnection(redisUrl), maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: timeoutMs } as unknown as ReturnType<typeof redisConnection>,
  });
  // Failures arrive as rejections below; the emitter's copies are not news.
  queue.on('error', () => undefined);
  try {
    return await withTimeout((async () => {
      await queue.waitUntilReady();
      const client = await queue.client;
      const beats: WorkerBeat[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, { MATCH: BEAT_PATTERN, COUNT: 100 });
        cursor = next;
        for (const key of keys) {
          const text = await client.get(key);
          const parsed = text ? workerBeatSchema.safeParse(JSON.parse(text)) : undefined;
          if (parsed?.success) beats.push(parsed.data);
        }
      } while (cursor !== '0');
      return beats.sort((a, b) => a.name.localeCompare(b.name));
    })(), timeoutMs + 1000, `Redis at ${redactRedisUrl(redisUrl)}`);
  } finally {
    await queue.close().catch(() => undefined);
  }
}

/** Whether this machine can create and remove a file in the shared root. */
async function writable(root: SharedRoot): Promise<string | null> {
  const probe = path.join(root.root, `.framesmith-write-test-${randomBytes(4).toString('hex')}`);
  try {
    await fs.writeFile(probe, 'framesmith');
    return null;
  } catch (error) {
    return `Cannot write in the shared root ${root.root}: ${(error as NodeJS.ErrnoException).code ?? serializeError(error).userMessage}.`;
  } finally {
    await fs.rm(probe, { force: true }).catch(() => undefined);
  }
}

/** Checks URL, Redis, credentials, shared root in that order; the first problem found is the answer. */
export async function probeFarm(options: { redisUrl: string; sharedRoot: string; timeoutMs?: number }): Promise<FarmProbeResult> {
  const timeoutMs = options.timeoutMs ?? 3000;
  try {
    redisConnection(options.redisUrl);
  } catch (error) {
    return { problem: 'invalid-url', detail: serializeError(error).userMessage, workers: [] };
  }
  let workers: WorkerBeat[];
  try {
    workers = await liveWorkers(options.redisUrl, timeoutMs);
  } catch (error) {
    const code = replyCode(error);
    const where = redactRedisUrl(options.redisUrl);
    if (code !== undefined && AUTH_REPLY_CODES.has(code)) {
      return { problem: 'auth-failed', detail: `Redis at ${where} refused the credentials (${code}).`, workers: [] };
    }
    const cause = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
    return { problem: 'unreachable', detail: `Redis at ${where} does not answer (${cause}).`, workers: [] };
  }
  let root: SharedRoot;
  try {
    root = await SharedRoot.open(options.sharedRoot);
  } catch (error) {
    return { problem: 'shared-root-missing', detail: serializeError(error).userMessage, workers };
  }
  const notWritable = await writable(root);
  if (notWritable !== null) return { problem: 'shared-root-not-writable', detail: notWritable, workers };
  if (workers.length === 0) return { problem: 'no-workers', detail: `No worker has joined the farm at ${redactRedisUrl(options.redisUrl)}.`, workers };
  return { problem: null, detail: null, workers };
}
