// Runs the real CLI as a child process with --json and measures it: wall
// time, CPU time of its whole process tree (the children this process reaped,
// from /proc/self/stat, which counts the CLI's own reaped ffmpeg children
// too), steady-state frames per second from its progress events, and the
// peak resident memory of the tree (node, the inference worker and the
// ffmpeg children), sampled from /proc every 50 ms.
//
// Which CLI runs: by default the precompiled one an installed copy runs
// (dist/cli/framesmith.mjs, built by `npm run build:cli`; prepareCli()
// builds it fresh once per bench run, so it is never stale), because that is
// what a user times; BENCH_CLI=sources runs the checkout's TypeScript through
// tsx (bin/framesmith.js), which adds about 1.5 CPU-s of compiling per process.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../test/helpers/shared-assets.ts';

export interface CliRunResult {
  exitCode: number | null;
  wallSeconds: number;
  framesDone: number;
  /** Frames per second between the first and the last progress event. */
  steadyFps: number;
  /** User + system CPU seconds of the CLI's process tree (NaN where /proc is absent). */
  cpuSeconds: number;
  peakRssBytes: number;
  stderrTail: string;
}

function childPids(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children ? children.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

function treeRssBytes(root: number): number {
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      if (kb) total += Number(kb) * 1024;
    } catch {
      continue;
    }
    stack.push(...childPids(pid));
  }
  return total;
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds of this process's reaped children (cutime + cstime of
 * /proc/self/stat): a child's time lands here once it has exited and been
 * waited for, with the time of its own reaped children included.
 */
export function reapedChildrenCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command name, field 3 is the state; cutime and cstime are fields 16 and 17.
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

export function procAvailable(): boolean {
  try {
    return readdirSync('/proc/self').length > 0;
  } catch {
    return false;
  }
}

export type CliEntry = 'compiled' | 'sources';

/** The CLI this bench run measures (BENCH_CLI=sources for the TypeScript sources through tsx). */
export function benchCliEntry(): CliEntry {
  return process.env.BENCH_CLI === 'sources' ? 'sources' : 'compiled';
}

function entryFile(entry: CliEntry): string {
  return entry === 'compiled' ? path.join(repoRoot, 'dist', 'cli', 'framesmith.mjs') : path.join(repoRoot, 'bin', 'framesmith.js');
}

/** Builds the compiled CLI when the bench measures it; returns a line for the printed table saying which CLI ran. */
export function prepareCli(entry: CliEntry = benchCliEntry()): string {
  if (entry === 'sources') return 'Framesmith ran from the TypeScript sources through tsx (BENCH_CLI=sources): each process compiles on start.';
  const started = performance.now();
  const built = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build-cli.mjs')], { cwd: repoRoot, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build:cli failed (exit ${built.status}):\n${built.stderr}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return `Framesmith ran as an installed copy runs it: the precompiled CLI (dist/cli/framesmith.mjs, built by npm run build:cli at the start of this bench, ${seconds} s).`;
}

export async function runCli(args: readonly string[], env: NodeJS.ProcessEnv = process.env, entry: CliEntry = benchCliEntry()): Promise<CliRunResult> {
  const started = performance.now();
  const cpuBefore = reapedChildrenCpuSeconds();
  const child = spawn(process.execPath, [entryFile(entry), ...args, '--json'], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let peak = 0;
  const sampler = setInterval(() => {
    if (child.pid) peak = Math.max(peak, treeRssBytes(child.pid));
  }, 50);
  const progress: { at: number; frames: number }[] = [];
  let buffered = '';
  let framesDone = 0;
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      try {
        const event = JSON.parse(line) as { type: string; progress?: { framesDone: number }; frames?: number };
        if (event.type === 'progress' && event.progress) progress.push({ at: performance.now(), frames: event.progress.framesDone });
        if (event.type === 'done') framesDone += event.frames ?? 0;
      } catch {
        // Not an event line.
      }
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearInterval(sampler);
  const first = progress.find((event) => event.frames > 0);
  const last = progress.at(-1);
  const steadyFps = first && last && last.at > first.at ? (last.frames - first.frames) / ((last.at - first.at) / 1000) : Number.NaN;
  const cpuSeconds = reapedChildrenCpuSeconds() - cpuBefore;
  return { exitCode, wallSeconds: (performance.now() - started) / 1000, framesDone, steadyFps, cpuSeconds, peakRssBytes: peak, stderrTail: stderr };
}
