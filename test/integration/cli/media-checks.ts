// What the CLI tests look at in an output, read with the real ffprobe/ffmpeg
// and sharp: stream facts, packet durations, subtitle text, decoded pixels.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { locateTool } from '../../../engine/media/ffmpeg-locator.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

const run = promisify(execFile);

export interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  color_range?: string;
  duration?: string;
  nb_read_frames?: string;
  tags?: Record<string, string>;
  side_data_list?: Record<string, unknown>[];
}

export interface ProbedFile {
  streams: ProbedStream[];
  format: { duration?: string; tags?: Record<string, string> };
  chapters: { start_time: string; end_time: string; tags?: Record<string, string> }[];
}

/** ffprobe's JSON for a file, with frames counted by decoding (exact). */
export async function ffprobe(file: string): Promise<ProbedFile> {
  const { stdout } = await run(
    locateTool('ffprobe').path,
    ['-v', 'error', '-count_frames', '-show_streams', '-show_format', '-show_chapters', '-of', 'json', file],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as ProbedFile;
}

export function streamsOf(probe: ProbedFile, type: string): ProbedStream[] {
  return probe.streams.filter((stream) => stream.codec_type === type);
}

/** Sum of packet durations of the first stream of a kind ('v' or 'a'), in seconds: what a player plays. */
export async function playedSeconds(file: string, selector: 'v:0' | 'a:0'): Promise<number> {
  const { stdout } = await run(
    locateTool('ffprobe').path,
    ['-v', 'error', '-select_streams', selector, '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  let first = Infinity;
  let last = -Infinity;
  for (const line of stdout.split('\n')) {
    const [pts, duration] = line.split(',').map(Number);
    if (pts === undefined || !Number.isFinite(pts)) continue;
    first = Math.min(first, pts);
    last = Math.max(last, pts + (Number.isFinite(duration) ? (duration as number) : 0));
  }
  return last - first;
}

/** The text of the first subtitle stream, as SRT. */
export async function subtitleText(file: string): Promise<string> {
  const { stdout } = await run(locateTool('ffmpeg').path, ['-v', 'error', '-i', file, '-map', '0:s:0', '-f', 'srt', '-']);
  return stdout;
}

export interface DecodedFrames {
  width: number;
  height: number;
  /** Packed samples of every frame, one after the other. */
  data: Buffer;
  frameBytes: number;
}

/** Every frame of a video (or an image sequence pattern) decoded to packed rgb24 or rgb48le by ffmpeg. */
export async function decodeRgb(file: string, width: number, height: number, pixelFormat: 'rgb24' | 'rgb48le' = 'rgb24', inputArgs: string[] = []): Promise<DecodedFrames> {
  const { stdout } = await run(
    locateTool('ffmpeg').path,
    ['-v', 'error', ...inputArgs, '-i', file, '-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', pixelFormat, '-'],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  const frameBytes = width * height * 3 * (pixelFormat === 'rgb48le' ? 2 : 1);
  return { width, height, data: stdout, frameBytes };
}

export function frameOf(decoded: DecodedFrames, index: number): Buffer {
  return decoded.data.subarray(index * decoded.frameBytes, (index + 1) * decoded.frameBytes);
}

export async function sha256Of(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/**
 * A temp folder for one test file with the CLI's caches and temp folder
 * inside it (FRAMESMITH_CACHE, TMPDIR), so work folders can be checked.
 */
export interface CliSandbox {
  dir: TempDir;
  env: Record<string, string>;
  /** Where the CLI's jobs create their work folders. */
  workRoot: string;
}

export async function makeCliSandbox(prefix: string): Promise<CliSandbox> {
  const dir = await makeTempDir(prefix);
  const tmp = path.join(dir.path, 'tmp');
  await mkdir(tmp, { recursive: true });
  const cache = path.join(dir.path, 'cache');
  return { dir, env: { FRAMESMITH_CACHE: cache, TMPDIR: tmp }, workRoot: path.join(tmp, 'framesmith-work') };
}
