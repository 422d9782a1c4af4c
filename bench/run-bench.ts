// `npm run bench`: throughput and memory of the engine on this machine (a
// benchmark, not a test: nothing here asserts a time). For each case it
// measures inference-only time per output frame on the clip's frame size
// (wall and CPU), the real CLI end to end on a clip of that size (steady-state
// frames per second from its progress, and CPU seconds of its process tree
// per output frame), and their ratios with the spread over the repeated runs;
// then peak memory of the CLI's process tree for a 2 s and a 10 s clip.
// Prints a Markdown table and writes bench/results/<time>.json.
//
//   npm run bench                 every case
//   npm run bench -- upscale      only cases whose name contains "upscale"
//   npm run bench -- 1080         only the 1920x1080 cases
//   npm run bench -- peer         Framesmith against rife-ncnn-vulkan -g -1 (bench/peer.ts)
//   npm run bench -- precision    time and quality of fp32, fp16 and int8 per model, and auto's pick (bench/precision-table.ts)
//   npm run bench -- farm         the render farm: split/join overhead, 1x2 vs 2x1 threads, a film on 1-32 workers
//   BENCH_REPEATS=5 npm run bench CLI runs per case (median; default 3)
//   BENCH_CLI=sources npm run bench  the CLI from the TypeScript sources through tsx
//                                    (default: the precompiled CLI, built at the start; see cli-run.ts)
//
// CPU time counts every core: on a machine shared with other work the wall
// figures move with the load and the CPU figures much less.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeClip } from '../test/helpers/media-fixtures.ts';
import { repoRoot, sharedModelsDir } from '../test/helpers/shared-assets.ts';
import { BENCH_CASES, type BenchCase } from './bench-cases.ts';
import { prepareCli, runCli } from './cli-run.ts';
import { createInferenceTimer } from './inference-timing.ts';
import { runFarmBench } from './farm-bench.ts';
import { runPeerBench } from './peer.ts';
import { runPrecisionTable } from './precision-table.ts';

interface CaseResult {
  name: string;
  size: string;
  inferenceFps: number;
  endToEndFps: number;
  /** End-to-end fps over inference-only fps (median), and its range over the runs. */
  ratio: number;
  ratioSpread: [number, number];
  /** Inference-only CPU seconds per output frame over the CLI's CPU seconds per output frame. */
  cpuRatio: number;
  cpuRatioSpread: [number, number];
  frames: number;
  wallSeconds: number;
}

interface MemoryResult {
  clipSeconds: number;
  frames: number;
  peakRssMiB: number;
}

function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Inference-only timing is taken before and after every CLI run and the
 * medians of both sides are compared, so a burst of load from elsewhere on
 * the machine lands on both sides of the ratio rather than on one.
 */
async function runCase(benchCase: BenchCase, work: string, timer: Awaited<ReturnType<typeof createInferenceTimer>>, repeats: number): Promise<CaseResult> {
  const { width, height, frames, rate } = benchCase.clip;
  const clip = await makeClip(work, { name: `${benchCase.name}.mkv`, frames, width, height, rate, container: 'mkv' });
  const output = path.join(work, `${benchCase.name}-out.mkv`);
  const timeInference = async (): Promise<{ wall: number; cpu: number }> => {
    const cost = await benchCase.inferenceCostPerOutputFrame(timer);
    return { wall: cost.wallSeconds, cpu: cost.cpuSeconds };
  };
  const inference = [await timeInference()];
  const endToEnd: number[] = [];
  const cpuPerFrame: number[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  let last: Awaited<ReturnType<typeof runCli>> | undefined;
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    last = await runCli([...benchCase.cliArgs(clip), '-o', output, '--codec', 'ffv1', '--overwrite']);
    if (last.exitCode !== 0) throw new Error(`${benchCase.name}: the CLI failed (exit ${last.exitCode}):\n${last.stderrTail}`);
    const after = await timeInference();
    const before = inference.at(-1) as { wall: number; cpu: number };
    inference.push(after);
    endToEnd.push(last.steadyFps);
    const cliCpu = last.cpuSeconds / Math.max(1, last.framesDone);
    cpuPerFrame.push(cliCpu);
    // Each run is compared with the inference timing on either side of it.
    ratios.push(last.steadyFps * ((before.wall + after.wall) / 2));
    cpuRatios.push(((before.cpu + after.cpu) / 2) / cliCpu);
  }
  const inferenceFps = 1 / median(inference.map((entry) => entry.wall));
  const endToEndFps = median(endToEnd);
  return {
    name: benchCase.name,
    size: `${width}x${height}`,
    inferenceFps,
    endToEndFps,
    ratio: median(ratios),
    ratioSpread: [Math.min(...ratios), Math.max(...ratios)],
    cpuRatio: median(cpuRatios),
    cpuRatioSpread: [Math.min(...cpuRatios), Math.max(...cpuRatios)],
    frames: last?.framesDone ?? 0,
    wallSeconds: last?.wallSeconds ?? Number.NaN,
  };
}

async function memoryRun(work: string, seconds: number): Promise<MemoryResult> {
  const clip = await makeClip(work, { name: `memory-${seconds}s.mkv`, frames: seconds * 25, width: 160, height: 90, rate: '25', container: 'mkv' });
  const run = await runCli(['upscale', clip, '--model', 'realesr-animevideo-xs-x2', '-o', path.join(work, `memory-${seconds}s-out.mp4`), '--overwrite']);
  if (run.exitCode !== 0) throw new Error(`memory run failed (exit ${run.exitCode}):\n${run.stderrTail}`);
  return { clipSeconds: seconds, frames: run.framesDone, peakRssMiB: run.peakRssBytes / 1024 ** 2 };
}

async function main(): Promise<void> {
  if (!sharedModelsDir()) {
    process.stderr.write('bench: no models found (set FRAMESMITH_MODELS or place ../shared beside the checkout).\n');
    process.exitCode = 1;
    return;
  }
  const filter = process.argv[2];
  if (filter === 'farm') {
    await runFarmBench();
    return;
  }
  if (filter === 'precision') {
    const work = await mkdtemp(path.join(os.tmpdir(), 'framesmith-bench-precision-'));
    try {
      process.stdout.write(`${await runPrecisionTable(work)}\n`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return;
  }
  const repeats = Number(process.env.BENCH_REPEATS ?? 3);
  const cliLine = prepareCli();
  if (filter === 'peer') {
    const work = await mkdtemp(path.join(os.tmpdir(), 'framesmith-bench-peer-'));
    try {
      process.stdout.write(`${await runPeerBench(work, Number(process.env.BENCH_REPEATS ?? 5))}\n\n${cliLine}\n`);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return;
  }
  const cases = BENCH_CASES.filter((benchCase) => !filter || benchCase.name.includes(filter));
  const work = await mkdtemp(path.join(os.tmpdir(), 'framesmith-bench-'));
  const timer = await createInferenceTimer(path.join(work, 'cache'));
  const results: CaseResult[] = [];
  const memory: MemoryResult[] = [];
  try {
    for (const benchCase of cases) {
      process.stderr.write(`bench: ${benchCase.name} ...\n`);
      results.push(await runCase(benchCase, work, timer, repeats));
    }
    if (!filter || 'memory'.includes(filter)) {
      for (const seconds of [2, 10]) {
        process.stderr.write(`bench: memory, ${seconds} s clip ...\n`);
        memory.push(await memoryRun(work, seconds));
      }
    }
  } finally {
    await timer.dispose();
    await rm(work, { recursive: true, force: true });
  }
  const lines = [
    `Framesmith bench, ${new Date().toISOString()}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.availableParallelism()}, Node ${process.version}`,
    '',
    `Load average at the end: ${os.loadavg().map((value) => value.toFixed(1)).join(' ')} (${os.availableParallelism()} cores)`,
    '',
    cliLine,
    '',
    '| case | size | inference-only fps (median) | end-to-end steady fps (median) | wall ratio (median, spread) | CPU ratio (median, spread) | frames | wall s (last run) |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map((r) => `| ${r.name} | ${r.size} | ${fixed(r.inferenceFps)} | ${fixed(r.endToEndFps)} | ${fixed(r.ratio * 100, 0)}% (${fixed(r.ratioSpread[0] * 100, 0)}-${fixed(r.ratioSpread[1] * 100, 0)}) | ${fixed(r.cpuRatio * 100, 0)}% (${fixed(r.cpuRatioSpread[0] * 100, 0)}-${fixed(r.cpuRatioSpread[1] * 100, 0)}) | ${r.frames} | ${fixed(r.wallSeconds, 1)} |`),
  ];
  if (memory.length > 0) {
    lines.push('', '| memory run (upscale xs-x2, 160x90 25 fps) | frames | peak RSS of the process tree |', '|---|---|---|');
    lines.push(...memory.map((m) => `| ${m.clipSeconds} s clip | ${m.frames} | ${fixed(m.peakRssMiB, 0)} MiB |`));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const resultsDir = path.join(repoRoot, 'bench', 'results');
  await mkdir(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify({ results, memory }, null, 2));
  process.stderr.write(`bench: results written to ${file}\n`);
}

await main();
