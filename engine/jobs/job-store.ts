// Durable storage of the job queue in the user's data folder:
//   jobs/<id>.json      one record per job (spec, resolved chain, items, state)
//   jobs/order.json     the queue order (ids)
//   jobs/<id>.control   a request (pause, resume, cancel) from another process
//   jobs/queue.lock     held while one process edits the order
//   jobs/unreadable/    job files that could not be read, moved aside (never
//                       deleted); their work folders stay in work/
// Every file is replaced by write-to-temporary, fsync, rename, fsync folder
// (durable-json.ts), so a SIGKILL or power loss leaves each file whole, old or
// new. The order file is only a hint: a record missing from it is appended
// (by creation time), an id without a record is dropped; so adding writes the
// record first and removing deletes it first, and no job is lost or revived.
// node:sqlite is not available on Node 20, hence plain files.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { HINT_ACTIONS, HINT_FIELDS, InvalidArgumentError } from '../../common/errors.ts';
import { JOB_STATES } from '../../common/jobs.ts';
import { outputSettingsSchema, processingSettingsSchema, stepSchema } from '../../common/job-spec.ts';
import { isDurableTemporary, isProcessAlive, readJsonFile, removeDurably, sweepTemporaries, writeJsonDurably } from '../storage/durable-json.ts';
import { sleep } from '../base/sleep.ts';

const errorHintSchema = z.object({ field: z.enum(HINT_FIELDS), action: z.enum(HINT_ACTIONS) });
/** A hint this version does not know is dropped, not the record. */
const serializedErrorSchema = z.object({ code: z.string(), userMessage: z.string(), detail: z.string().optional(), hint: errorHintSchema.optional().catch(undefined) });

export const jobItemRecordSchema = z.object({
  input: z.string(),
  kind: z.enum(['video', 'image']),
  output: z.string(),
  state: z.enum(JOB_STATES),
  framesDone: z.number(),
  framesTotal: z.number().nullable(),
  error: serializedErrorSchema.nullable(),
});
export type JobItemRecord = z.infer<typeof jobItemRecordSchema>;

export const jobRecordSchema = z.object({
  version: z.literal(1),
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  state: z.enum(JOB_STATES),
  /** The JobSpec as given (validated by jobSpecSchema when added). */
  spec: z.record(z.string(), z.unknown()),
  presetId: z.string().nullable(),
  label: z.string(),
  /** The chain and settings resolved from the preset and overrides when the job was added. */
  steps: z.array(stepSchema),
  outputSettings: outputSettingsSchema,
  processing: processingSettingsSchema,
  items: z.array(jobItemRecordSchema),
  error: serializedErrorSchema.nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Process that runs (or ran) the job; a 'running' job whose owner is gone was interrupted. */
  ownerPid: z.number().int().nullable(),
  /** The job's work folder when it is not <dataDir>/work/<id> (the working folder set when it was added). */
  workDir: z.string().optional(),
});
export type JobRecord = z.infer<typeof jobRecordSchema>;

export const CONTROL_ACTIONS = ['pause', 'resume', 'cancel'] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

const ORDER_FILE = 'order.json';
const LOCK_FILE = 'queue.lock';
const CONTROL_SUFFIX = '.control';
const UNREADABLE_DIR = 'unreadable';
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function assertId(id: string): void {
  if (!ID_PATTERN.test(id)) throw new InvalidArgumentError(`"${id}" is not a job id (letters, digits, - and _ only).`);
}

export { isProcessAlive } from '../storage/durable-json.ts';

/** A job file that could not be read, moved aside; its job's work folder stays where it was. */
export interface UnreadableRecord {
  file: string;
  workDir: string;
}

export interface LoadedQueue {
  records: JobRecord[];
  /** Files that could not be read as a job (named, so the caller can log them). */
  skipped: string[];
}

export class JobStore {
  private constructor(readonly dir: string) {}

  static async open(dataDir: string): Promise<JobStore> {
    const dir = path.join(dataDir, 'jobs');
    await fs.mkdir(dir, { recursive: true });
    await sweepTemporaries(dir);
    return new JobStore(dir);
  }

  private recordPath(id: string): string {
    assertId(id);
    return path.join(this.dir, `${id}.json`);
  }

  /** Every job, in queue order. */
  async load(): Promise<LoadedQueue> {
    const names = await fs.readdir(this.dir);
    const records: JobRecord[] = [];
    const skipped: string[] = [];
    for (const name of names) {
      if (!name.endsWith('.json') || name === ORDER_FILE || isDurableTemporary(name)) continue;
      try {
        const parsed = jobRecordSchema.safeParse(await readJsonFile(path.join(this.dir, name)));
        if (parsed.success && `${parsed.data.id}.json` === name) records.push(parsed.data);
        else skipped.push(name);
      } catch {
        skipped.push(name);
      }
    }
    const orderValue = await readJsonFile(path.join(this.dir, ORDER_FILE)).catch(() => undefined);
    const order = Array.isArray(orderValue) ? orderValue.filter((id): id is string => typeof id === 'string') : [];
    const rank = new Map(order.map((id, index) => [id, index]));
    records.sort((a, b) => {
      const ra = rank.get(a.id) ?? Infinity;
      const rb = rank.get(b.id) ?? Infinity;
      if (ra !== rb) return ra - rb;
      return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id.localeCompare(b.id);
    });
    return { records, skipped };
  }

  async put(record: JobRecord): Promise<void> {
    await writeJsonDurably(this.recordPath(record.id), record);
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const parsed = jobRecordSchema.safeParse(await readJsonFile(this.recordPath(id)).catch(() => undefined));
    return parsed.success ? parsed.data : undefined;
  }

  async remove(id: string): Promise<void> {
    await removeDurably(this.recordPath(id));
    await removeDurably(path.join(this.dir, `${id}${CONTROL_SUFFIX}`));
  }

  /**
   * Moves an unreadable file of the job folder into jobs/unreadable/ (never
   * deleted: a newer version may understand it, a person may repair it);
   * the moved path, or undefined when another process moved it first.
   */
  async setAside(name: string): Promise<string | undefined> {
    const aside = path.join(this.dir, UNREADABLE_DIR);
    await fs.mkdir(aside, { recursive: true });
    let target = path.join(aside, name);
    for (let n = 1; await fs.stat(target).then(() => true, () => false); n += 1) target = path.join(aside, `${path.parse(name).name}.${n}.json`);
    try {
      await fs.rename(path.join(this.dir, name), target);
      return target;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Records moved aside so far, each with the work folder its job would have used (kept). */
  async listSetAside(dataDir: string): Promise<UnreadableRecord[]> {
    const names = await fs.readdir(path.join(this.dir, UNREADABLE_DIR)).catch(() => [] as string[]);
    return names.filter((name) => name.endsWith('.json')).sort().map((name) => ({
      file: path.join(this.dir, UNREADABLE_DIR, name),
      workDir: path.join(dataDir, 'work', name.replace(/(\.\d+)?\.json$/, '')),
    }));
  }

  async writeOrder(ids: readonly string[]): Promise<void> {
    await writeJsonDurably(path.join(this.dir, ORDER_FILE), ids);
  }

  /** Asks the process that owns job `id` to pause, resume or cancel it. */
  async requestControl(id: string, action: ControlAction): Promise<void> {
    assertId(id);
    await writeJsonDurably(path.join(this.dir, `${id}${CONTROL_SUFFIX}`), { action, at: new Date().toISOString() });
  }

  /** Pending control requests for the given jobs, removed as they are taken. */
  async takeControls(ids: readonly string[]): Promise<{ id: string; action: ControlAction }[]> {
    const taken: { id: string; action: ControlAction }[] = [];
    for (const id of ids) {
      const file = path.join(this.dir, `${id}${CONTROL_SUFFIX}`);
      const value = await readJsonFile(file).catch(() => undefined);
      if (value === undefined) continue;
      await removeDurably(file);
      const action = typeof value === 'object' && value !== null && 'action' in value ? (value as { action: unknown }).action : undefined;
      if ((CONTROL_ACTIONS as readonly unknown[]).includes(action)) taken.push({ id, action: action as ControlAction });
    }
    return taken;
  }

  /**
   * Runs `fn` holding the queue lock (an exclusive-create file naming the
   * owner's pid; a lock whose owner died is taken over).
   */
  async withLock<T>(fn: () => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    const file = path.join(this.dir, LOCK_FILE);
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      try {
        const handle = await fs.open(file, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number.parseInt(await fs.readFile(file, 'utf8').catch(() => ''), 10);
        const age = Date.now() - ((await fs.stat(file).catch(() => undefined))?.mtimeMs ?? Date.now());
        const ownerless = !(Number.isInteger(owner) && owner > 0) && age > 5000;
        if (ownerless || (Number.isInteger(owner) && owner > 0 && owner !== process.pid && !isProcessAlive(owner))) {
          await fs.rm(file, { force: true });
          continue;
        }
        if (Date.now() > deadline) throw new InvalidArgumentError(`The job queue in ${this.dir} is locked by process ${owner}. Try again in a moment.`);
        await sleep(20);
      }
    }
    try {
      return await fn();
    } finally {
      await fs.rm(file, { force: true });
    }
  }
}
