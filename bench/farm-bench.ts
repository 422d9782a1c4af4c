// `npm run bench -- farm`: what splitting a job over workers costs and buys,
// on this machine (a benchmark, not a test). It starts its own redis-server,
// then renders one clip (fast style, 320x180) in alternating runs: on this
// machine alone, on a farm of one worker with 2 threads, and on a farm of
// two workers with 1 thread each. From the runs it derives the overhead of
// splitting and joining per segment, and models a 2-hour 1080p film on 1 to
// 32 workers from the measured per-frame cost and per-segment overhead.
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { segmentLengths } from '../engine/farm/segment-cuts.ts';
import { makeClip } from '../test/helpers/media-fixtures.ts';
import { cliEntry } from '../test/helpers/cli-runner.ts';
import { redisServerPath, startWorker, TestRedis, type WorkerHandle } from '../test/integration/farm/farm-helpers.ts';

const FRAMES = Number(process.env.BENCH_FARM_FRAMES ?? 96);
const SEGMENT_FRAMES = 12;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);

function timeCli(args: readonly string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [cliEntry, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.on('exit', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`framesmith ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))));
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function spread(values: readonly number[]): string {
  return values.length > 1 ? `${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)}` : '-';
}

export async function runFarmBench(): Promise<void> {
  if (!redisServerPath()) throw new Error('bench farm: redis-server is not installed (apt-get install redis-server)');
  const work = await mkdtemp(path.join(os.tmpdir(), 'framesmith-farm-bench-'));
  const shared = path.join(work, 'shared');
  await mkdir(shared);
  const env = { FRAMESMITH_DATA: path.join(work, 'data'), FRAMESMITH_CACHE: path.join(work, 'cache') };
  const redis = await TestRedis.start(work);
  const workers: WorkerHandle[] = [];
  try {
    const clip = await makeClip(shared, { name: 'bench.mkv', frames: FRAMES, width: 320, height: 180, rate: '24', container: 'mkv' });
    const step = ['--step', 'stylize:style=candy,stabilize=false', '--codec', 'ffv1', '--overwrite', '--json'];
    const out = (name: string): string[] => ['-o', path.join(work, `${name}.mkv`)];
    const farm = ['--farm', redis.url, '--shared-root', shared, '--segment-frames', String(SEGMENT_FRAMES)];
    const stopAll = async (): Promise<void> => {
      await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    };
    const times: Record<'local' | 'one' | 'two', number[]> = { local: [], one: [], two: [] };
    await timeCli(['run', clip, ...step, '--threads', '2', ...out('warm')], env);
    for (let repeat = 0; repeat < REPEATS; repeat += 1) {
      process.stderr.write(`bench farm: round ${repeat + 1} of ${REPEATS}\n`);
      times.local.push(await timeCli(['run', clip, ...step, '--threads', '2', ...out('local')], env));
      workers.push(await startWorker({ name: 'solo', redisUrl: redis.url, sharedRoot: shared, env, threads: 2 }));
      times.one.push(await timeCli(['run', clip, ...step, ...out('one'), ...farm], env));
      await stopAll();
      workers.push(...await Promise.all(['pair-1', 'pair-2'].map((name) => startWorker({ name, redisUrl: redis.url, sharedRoot: shared, env, threads: 1 }))));
      times.two.push(await timeCli(['run', clip, ...step, ...out('two'), ...farm], env));
      await stopAll();
    }
    const segments = Math.round(FRAMES / SEGMENT_FRAMES);
    const local = median(times.local);
    const one = median(times.one);
    const two = median(times.two);
    const perFrame = local / FRAMES;
    const overheadPerSegment = Math.max(0, (one - local) / segments);
    const lines = [
      `Framesmith farm bench, ${new Date().toISOString()}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}; candy 320x180, ${FRAMES} frames, ${segments} segments of ${SEGMENT_FRAMES}; median of ${REPEATS} alternating rounds, whole-process wall time`,
      '',
      '| run | wall s (median) | spread | vs local |',
      '|---|---|---|---|',
      `| this machine, 2 threads | ${local.toFixed(1)} | ${spread(times.local)} | 1.00 |`,
      `| farm: 1 worker x 2 threads | ${one.toFixed(1)} | ${spread(times.one)} | ${(one / local).toFixed(2)} |`,
      `| farm: 2 workers x 1 thread | ${two.toFixed(1)} | ${spread(times.two)} | ${(two / local).toFixed(2)} |`,
      '',
      `Overhead of splitting and joining: ${overheadPerSegment.toFixed(2)} s per segment (farm with one worker minus local, over ${segments} segments: worker start of each segment, probe, model session reuse, part encode and join).`,
      '',
      model(perFrame * ((1920 * 1080) / (320 * 180)), overheadPerSegment),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await redis.stop();
    await rm(work, { recursive: true, force: true });
  }
}

/** Hours until the last of `workers` equal workers is done, each taking the next segment when free. */
function makespanHours(lengths: readonly number[], workers: number, secondsPerFrame: number, overheadPerSegment: number): number {
  const free = new Array<number>(workers).fill(0);
  for (const length of lengths) {
    const first = free.indexOf(Math.min(...free));
    free[first] = (free[first] as number) + length * secondsPerFrame + overheadPerSegment;
  }
  return Math.max(...free) / 3600;
}

/**
 * A 2-hour 24 fps film at 1080p on W workers: segments of ~10 s (240
 * frames), each worker's share rounded up to whole segments, plus the
 * per-segment overhead; joining is a stream copy (seconds, left out). The
 * last column cuts as the farm now does (segment-cuts.ts: rounds of one
 * segment per worker, each half of what is left per worker).
 */
function model(secondsPerFrame1080p: number, overheadPerSegment: number): string {
  const frames = 2 * 3600 * 24;
  const segmentFrames = 240;
  const segments = Math.ceil(frames / segmentFrames);
  const rows = ['| workers | hours | speed-up | efficiency | hours, farm cuts (segments) |', '|---|---|---|---|---|'];
  const single = segments * (segmentFrames * secondsPerFrame1080p + overheadPerSegment);
  for (const workers of [1, 2, 4, 8, 16, 32]) {
    const rounds = Math.ceil(segments / workers);
    const seconds = rounds * (segmentFrames * secondsPerFrame1080p + overheadPerSegment);
    const cuts = segmentLengths(frames, workers, 8);
    const cutHours = makespanHours(cuts, workers, secondsPerFrame1080p, overheadPerSegment);
    rows.push(`| ${workers} | ${(seconds / 3600).toFixed(1)} | ${(single / seconds).toFixed(1)}x | ${((single / seconds / workers) * 100).toFixed(0)}% | ${cutHours.toFixed(1)} (${cuts.length}) |`);
  }
  return [`Model: 2-hour 1080p film (${frames} frames, ${segments} segments of ${segmentFrames}), ${secondsPerFrame1080p.toFixed(2)} s per frame per worker (measured 320x180 cost scaled by pixels), ${overheadPerSegment.toFixed(2)} s overhead per segment:`, '', ...rows].join('\n');
}
