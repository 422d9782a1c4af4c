// A durable job is lost only by an explicit cancel, with real CLI processes:
// SIGTERM, SIGHUP and Ctrl-C (SIGINT) on `framesmith run` / `resume` stop the
// job between frames and keep it, with its finished segments (exit 128 + the
// signal's number and a message naming `framesmith resume ID`); a resume
// that fails because the input is gone or another file took the output's
// place keeps the job, its reason and its segments, and works once the
// cause is gone; an unreadable job record is named by `queue list` and
// moved aside with its work folder kept. The finished output equals an
// uninterrupted run frame for frame (ffv1).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, parseJsonLines, runCli, type CliJsonEvent, type CliResult } from '../../helpers/cli-runner.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { frameHashes, jobEnv } from './jobs-helpers.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const STEP = 'upscale:model=realesr-animevideo-xs-x2';
const FRAMES = 40;

interface ListedJob {
  id: string;
  state: string;
  items: { state: string; error: { code: string } | null }[];
}

function framesDone(event: CliJsonEvent): number {
  return event.type === 'progress' ? (event.progress as { framesDone: number }).framesDone : -1;
}

describe.skipIf(!model)('durable jobs and signals through the CLI', () => {
  let temp: TempDir;
  let clip: string;
  let expected: string[];

  beforeAll(async () => {
    temp = await makeTempDir();
    clip = await makeClip(temp.path, { frames: FRAMES, width: 48, height: 32, container: 'mkv' });
    const result = await runCli(['run', clip, '--step', STEP, '--codec', 'ffv1', '-o', temp.file('base.mkv'), '--json'], { env: jobEnv(temp.file('data-base'), temp.file('cache')) });
    expect(result.code, describeRun(result)).toBe(0);
    expected = await frameHashes(temp.file('base.mkv'));
    expect(expected).toHaveLength(FRAMES);
  }, 120_000);
  afterAll(async () => temp?.dispose());

  /** Runs the CLI and sends `signal` once progress passes `after` frames (past the first 8-frame segment). */
  async function signalled(args: string[], env: Record<string, string>, signal: NodeJS.Signals, after: number): Promise<CliResult> {
    let sent = false;
    const result = await runCli([...args, '--json'], {
      env,
      onLine: (line, child) => {
        if (sent || !line.startsWith('{')) return;
        const done = framesDone(JSON.parse(line) as CliJsonEvent);
        if (done >= after && done < FRAMES - 2) {
          sent = true;
          child.kill(signal);
        }
      },
    });
    expect(sent, describeRun(result)).toBe(true);
    return result;
  }

  async function listed(env: Record<string, string>): Promise<ListedJob[]> {
    const result = await runCli(['queue', '--json'], { env });
    expect(result.code, describeRun(result)).toBe(0);
    return JSON.parse(result.stdout) as ListedJob[];
  }

  async function segmentsOf(env: Record<string, string>, id: string): Promise<string[]> {
    return fs.readdir(path.join(env.FRAMESMITH_DATA as string, 'work', id, 'item-0')).catch(() => []);
  }

  function expectKept(result: CliResult, code: number, id?: string): string {
    expect(result.code, describeRun(result)).toBe(code);
    const last = parseJsonLines(result.stdout).at(-1);
    expect(last, describeRun(result)).toMatchObject({ type: 'interrupted' });
    const job = String(last?.job);
    if (id) expect(job).toBe(id);
    expect(String(last?.message)).toContain(`framesmith resume ${job}`);
    return job;
  }

  it('keeps the job on SIGTERM, SIGHUP and Ctrl-C, and resumes it to the same frames', async () => {
    const env = jobEnv(temp.file('data-signals'), temp.file('cache'));
    const output = temp.file('signals.mkv');
    const id = expectKept(await signalled(['run', clip, '--step', STEP, '--codec', 'ffv1', '-o', output], env, 'SIGTERM', 10), 143);
    expect((await listed(env)).map((job) => [job.id, job.state])).toEqual([[id, 'interrupted']]);
    expect(await segmentsOf(env, id)).toContain('manifest.json');
    await expect(fs.stat(output)).rejects.toThrow();

    expectKept(await signalled(['resume', id], env, 'SIGHUP', 18), 129, id);
    expect((await listed(env)).map((job) => job.state)).toEqual(['interrupted']);
    expectKept(await signalled(['resume', id], env, 'SIGINT', 26), 130, id);
    expect((await listed(env)).map((job) => job.state)).toEqual(['interrupted']);

    const finished = await runCli(['resume', id, '--json'], { env });
    expect(finished.code, describeRun(finished)).toBe(0);
    expect(await frameHashes(output)).toEqual(expected);
    expect(await listed(env)).toEqual([]);
    expect(await fs.readdir(path.join(env.FRAMESMITH_DATA as string, 'work'))).toEqual([]);
  }, 240_000);

  it('keeps a job whose resume fails (input gone, output taken) and resumes it once the cause is gone', async () => {
    const env = jobEnv(temp.file('data-failed'), temp.file('cache'));
    const input = temp.file('movable.mkv');
    await fs.copyFile(clip, input);
    const output = temp.file('failed-resume.mkv');
    const id = expectKept(await signalled(['run', input, '--step', STEP, '--codec', 'ffv1', '-o', output], env, 'SIGTERM', 10), 143);
    const segments = await segmentsOf(env, id);
    expect(segments.length).toBeGreaterThan(1);

    await fs.rename(input, temp.file('moved-away.mkv'));
    const missing = await runCli(['resume', id, '--json'], { env });
    expect(missing.code, describeRun(missing)).toBe(1);
    expect(missing.stdout).toContain(`framesmith resume ${id}`);
    let jobs = await listed(env);
    expect(jobs.map((job) => [job.id, job.state, job.items[0]?.error?.code])).toEqual([[id, 'failed', 'INPUT_NOT_FOUND']]);
    expect(await segmentsOf(env, id)).toEqual(segments);

    await fs.rename(temp.file('moved-away.mkv'), input);
    await fs.writeFile(output, 'not the job\'s output');
    const taken = await runCli(['resume', id, '--json'], { env });
    expect(taken.code, describeRun(taken)).toBe(1);
    jobs = await listed(env);
    expect(jobs.map((job) => [job.id, job.state, job.items[0]?.error?.code])).toEqual([[id, 'failed', 'OUTPUT_EXISTS']]);
    expect(await segmentsOf(env, id)).toEqual(segments);
    expect(await fs.readFile(output, 'utf8')).toBe('not the job\'s output');

    await fs.rm(output);
    const resumed = await runCli(['resume', id, '--json'], { env });
    expect(resumed.code, describeRun(resumed)).toBe(0);
    expect(parseJsonLines(resumed.stdout).some((event) => event.type === 'notice' && String(event.message).startsWith('Resuming after'))).toBe(true);
    expect(await frameHashes(output)).toEqual(expected);
    expect(await listed(env)).toEqual([]);
  }, 240_000);

  it('names an unreadable job record, moves it aside and keeps its work folder', async () => {
    const env = jobEnv(temp.file('data-unreadable'), temp.file('cache'));
    const data = env.FRAMESMITH_DATA as string;
    await fs.mkdir(path.join(data, 'jobs'), { recursive: true });
    await fs.mkdir(path.join(data, 'work', 'broken-1', 'item-0'), { recursive: true });
    await fs.writeFile(path.join(data, 'work', 'broken-1', 'item-0', 'part-0001.mkv'), 'segment');
    await fs.writeFile(path.join(data, 'jobs', 'broken-1.json'), '{"version": 1, "id": "broken-1", "state": ');
    const result = await runCli(['queue', 'list'], { env });
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toContain('The queue is empty.');
    const aside = path.join(data, 'jobs', 'unreadable', 'broken-1.json');
    expect(result.stderr).toContain(aside);
    expect(result.stderr).toContain(path.join(data, 'work', 'broken-1'));
    expect(await fs.readFile(aside, 'utf8')).toContain('"broken-1"');
    expect(await fs.readdir(path.join(data, 'work', 'broken-1', 'item-0'))).toEqual(['part-0001.mkv']);
    // Named again on the next look, still kept.
    const again = await runCli(['queue', 'list', '--json'], { env });
    expect(JSON.parse(again.stdout)).toEqual([]);
    expect(again.stderr).toContain(aside);
  }, 60_000);
});
