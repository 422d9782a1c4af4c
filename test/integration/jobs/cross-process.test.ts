// Two real `framesmith` processes sharing one data folder. A second `run`
// waits for the first one's job (one GPU-heavy job at a time across
// processes, told in a notice naming the job and the process), which the job
// records show as never running at once; a job left 'running' by a killed
// process blocks nobody. Then pause, resume and cancel from
// a third process: a paused job's frames stop advancing, the resumed job's
// output equals an uninterrupted run losslessly, and a cancelled waiting job
// ends its process with the cancelled exit code and writes nothing.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli, type CliJsonEvent, type CliResult } from '../../helpers/cli-runner.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { frameHashes, jobEnv } from './jobs-helpers.ts';

const LONG_FRAMES = 240;

const model = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const STEP = 'upscale:model=realesr-animevideo-xs-x2';

interface SeenRecord {
  id: string;
  state: string;
  ownerPid: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  items: { input: string; framesDone: number }[];
}

/** Reads every job record now (a record being replaced or removed meanwhile is skipped). */
async function readRecords(dataDir: string): Promise<SeenRecord[]> {
  const dir = path.join(dataDir, 'jobs');
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const records: SeenRecord[] = [];
  for (const name of names) {
    if (!name.endsWith('.json') || name === 'order.json' || name.includes('.tmp')) continue;
    const text = await fs.readFile(path.join(dir, name), 'utf8').catch(() => '');
    try {
      records.push(JSON.parse(text) as SeenRecord);
    } catch {
      // Replaced between readdir and read.
    }
  }
  return records;
}

/**
 * One job's record read by its path (jobs/<id>.json), not through a folder
 * listing that other processes' writes are changing; a few tries, since a
 * read may meet nothing only if the file is really gone.
 */
async function readRecord(dataDir: string, id: string): Promise<SeenRecord | undefined> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const text = await fs.readFile(path.join(dataDir, 'jobs', `${id}.json`), 'utf8').catch(() => '');
    try {
      return JSON.parse(text) as SeenRecord;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return undefined;
}

/** Samples the job records every few milliseconds until stopped. */
function watchRecords(dataDir: string): { samples: { at: number; records: SeenRecord[] }[]; stop(): Promise<void> } {
  const samples: { at: number; records: SeenRecord[] }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      samples.push({ at: Date.now(), records: await readRecords(dataDir) });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function framesDoneOf(events: readonly CliJsonEvent[]): number {
  return Math.max(0, ...events.filter((event) => event.type === 'progress').map((event) => (event.progress as { framesDone: number }).framesDone));
}

describe.skipIf(!model)('jobs across processes', () => {
  let temp: TempDir;
  let long: string;
  let short: string;
  let expected: string[];

  beforeAll(async () => {
    temp = await makeTempDir();
    // Long enough that a pause sent from another process (a CLI start, about
    // 1.5 s) lands while frames are still being processed, not during finalize.
    long = await makeClip(temp.path, { name: 'long.mkv', frames: LONG_FRAMES, width: 48, height: 32, container: 'mkv' });
    short = await makeClip(temp.path, { name: 'short.mkv', frames: 16, width: 48, height: 32, container: 'mkv' });
    const base = await runCli(['run', long, '--step', STEP, '--codec', 'ffv1', '-o', temp.file('base.mkv'), '--json'], { env: jobEnv(temp.file('data-base'), temp.file('cache')) });
    expect(base.code, describeRun(base)).toBe(0);
    expected = await frameHashes(temp.file('base.mkv'));
    expect(expected).toHaveLength(LONG_FRAMES);
  }, 120_000);
  afterAll(async () => temp?.dispose());

  it('a second run waits for the first one\'s job and never runs beside it', async () => {
    const env = jobEnv(temp.file('data-turns'), temp.file('cache'));
    const watch = watchRecords(env.FRAMESMITH_DATA);
    let second: Promise<CliResult> | undefined;
    let firstPid = 0;
    const first = runCli(['run', long, '--step', STEP, '--codec', 'ffv1', '-o', temp.file('turns-long.mkv'), '--json'], {
      env,
      onLine: (line, child) => {
        if (second || !line.includes('"progress"')) return;
        firstPid = child.pid ?? 0;
        second = runCli(['run', short, '--step', STEP, '--codec', 'ffv1', '-o', temp.file('turns-short.mkv'), '--json'], { env });
      },
    });
    const firstResult = await first;
    const secondResult = await until('the second run to start', () => second);
    const finished = await secondResult;
    await watch.stop();
    expect(firstResult.code, describeRun(firstResult)).toBe(0);
    expect(finished.code, describeRun(finished)).toBe(0);

    const records = watch.samples.flatMap((sample) => sample.records);
    const longJob = records.find((record) => record.items[0]?.input === long);
    const shortJob = records.find((record) => record.items[0]?.input === short);
    expect(longJob && shortJob).toBeTruthy();
    const waits = finished.stdout.split('\n').filter((line) => line.includes('"notice"') && line.includes('Waiting for job'));
    expect(waits[0]).toContain(`Waiting for job ${longJob?.id} in process ${firstPid} to finish`);
    // The records never show both running, and the short job was seen waiting while the long one ran.
    for (const sample of watch.samples) {
      expect(sample.records.filter((record) => record.state === 'running' || record.state === 'paused').length).toBeLessThanOrEqual(1);
    }
    expect(watch.samples.some((sample) => sample.records.some((r) => r.id === longJob?.id && r.state === 'running') && sample.records.some((r) => r.id === shortJob?.id && r.state === 'queued'))).toBe(true);
    // The short job started after the long one finished: after its finish time where the completed record was seen, and after every moment it was seen running.
    const shortStarted = Date.parse(records.filter((record) => record.id === shortJob?.id).find((record) => record.startedAt !== null)?.startedAt ?? '');
    const longFinished = records.find((record) => record.id === longJob?.id && record.finishedAt !== null)?.finishedAt;
    if (longFinished) expect(shortStarted).toBeGreaterThanOrEqual(Date.parse(longFinished));
    const longSeenRunning = watch.samples.filter((sample) => sample.records.some((r) => r.id === longJob?.id && r.state === 'running')).map((sample) => sample.at);
    expect(shortStarted).toBeGreaterThan(Math.max(...longSeenRunning));
    expect(await frameHashes(temp.file('turns-long.mkv'))).toEqual(expected);
    expect(await frameHashes(temp.file('turns-short.mkv'))).toHaveLength(16);
  }, 180_000);

  it('a job left running by a killed process holds no turn', async () => {
    const env = jobEnv(temp.file('data-stale'), temp.file('cache'));
    let killed = false;
    const first = await runCli(['run', long, '--step', STEP, '--codec', 'ffv1', '-o', temp.file('stale-long.mkv'), '--json'], {
      env,
      onLine: (line, child) => {
        if (killed || !line.startsWith('{')) return;
        const event = JSON.parse(line) as CliJsonEvent;
        if (event.type === 'progress' && (event.progress as { framesDone: number }).framesDone >= 10) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(first.signal, describeRun(first)).toBe('SIGKILL');
    expect((await readRecords(env.FRAMESMITH_DATA)).map((record) => record.state)).toEqual(['running']);
    const second = await runCli(['run', short, '--step', STEP, '--codec', 'ffv1', '-o', temp.file('stale-short.mkv'), '--json'], { env });
    expect(second.code, describeRun(second)).toBe(0);
    expect(second.stdout).not.toContain('Waiting for job');
    expect((await readRecords(env.FRAMESMITH_DATA)).map((record) => record.state)).toEqual(['interrupted']);
  }, 180_000);

  it('pauses, resumes and cancels jobs of other processes through `framesmith queue`', async () => {
    const env = jobEnv(temp.file('data-control'), temp.file('cache'));
    const longEvents: CliJsonEvent[] = [];
    const first = runCli(['run', long, '--step', STEP, '--codec', 'ffv1', '-o', temp.file('control-long.mkv'), '--json'], {
      env,
      onLine: (line) => {
        if (line.startsWith('{')) longEvents.push(JSON.parse(line) as CliJsonEvent);
      },
    });
    await until('ten frames of the long job', () => (framesDoneOf(longEvents) >= 10 ? true : undefined));
    const longJob = await until('the long job record', async () => (await readRecords(env.FRAMESMITH_DATA)).find((record) => record.items[0]?.input === long));
    const waiting = runCli(['run', short, '--step', STEP, '--codec', 'ffv1', '-o', temp.file('control-short.mkv'), '--json'], { env });
    const shortJob = await until('the short job record', async () => (await readRecords(env.FRAMESMITH_DATA)).find((record) => record.items[0]?.input === short));

    const paused = await runCli(['queue', 'pause', longJob.id], { env });
    expect(paused.code, describeRun(paused)).toBe(0);
    expect(paused.stdout).toContain('Asked the running framesmith to pause');
    const pausedRecord = await until('the long job to be paused', async () => (await readRecords(env.FRAMESMITH_DATA)).find((record) => record.id === longJob.id && record.state === 'paused'));
    const framesAtPause = framesDoneOf(longEvents);
    expect(framesAtPause, 'the pause must land before the last frame').toBeLessThan(LONG_FRAMES);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(framesDoneOf(longEvents)).toBe(framesAtPause);
    const stillPaused = await readRecord(env.FRAMESMITH_DATA, longJob.id);
    expect(stillPaused?.state, `records now: ${JSON.stringify(await fs.readdir(path.join(env.FRAMESMITH_DATA, 'jobs')))}; long job's last event: ${JSON.stringify(longEvents.at(-1))}`).toBe('paused');
    expect(stillPaused?.items[0]?.framesDone).toBe(pausedRecord.items[0]?.framesDone);

    // The short job still waits (a paused job keeps its turn); cancel it from here.
    expect((await readRecord(env.FRAMESMITH_DATA, shortJob.id))?.state).toBe('queued');
    const cancelled = await runCli(['queue', 'cancel', shortJob.id], { env });
    expect(cancelled.code, describeRun(cancelled)).toBe(0);
    const waitingResult = await waiting;
    expect(waitingResult.code, describeRun(waitingResult)).toBe(130);
    await expect(fs.stat(temp.file('control-short.mkv'))).rejects.toThrow();

    const resumed = await runCli(['queue', 'resume', longJob.id], { env });
    expect(resumed.code, describeRun(resumed)).toBe(0);
    const result = await first;
    expect(result.code, describeRun(result)).toBe(0);
    expect(framesDoneOf(longEvents)).toBe(LONG_FRAMES);
    expect(await frameHashes(temp.file('control-long.mkv'))).toEqual(expected);
    expect((await fs.readdir(temp.path)).filter((file) => file.includes('.framesmith-tmp-'))).toEqual([]);
    expect(await fs.readdir(path.join(env.FRAMESMITH_DATA, 'work'))).toEqual([]);
  }, 180_000);
});
