// Tiny test media generated with the real ffmpeg (testsrc2 video, sine audio)
// into a temp folder: every integration test makes exactly what it needs in
// well under a second instead of depending on committed binaries.
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatRational, parseRational, toNumber, type Rational } from '../../common/rational.ts';
import { FfmpegCapabilities } from '../../engine/media/ffmpeg-capabilities.ts';
import { locateTool } from '../../engine/media/ffmpeg-locator.ts';
import { runToCompletion } from '../../engine/media/ffmpeg-process.ts';

export interface TempDir {
  readonly path: string;
  /** Absolute path of a file name inside the folder. */
  file(name: string): string;
  /** Removes the folder and everything in it. */
  dispose(): Promise<void>;
}

export async function makeTempDir(prefix = 'framesmith-test-'): Promise<TempDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return {
    path: dir,
    file: (name: string) => path.join(dir, name),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

export type FixtureContainer = 'mp4' | 'mkv' | 'webm' | 'mov' | 'avi' | 'nut';

export interface ClipOptions {
  /** File name inside the folder; default derived from the options. */
  name?: string;
  frames: number;
  width?: number;
  height?: number;
  /** Exact rate such as "25" or "30000/1001". Default 25. */
  rate?: string;
  container?: FixtureContainer;
  /** ffmpeg encoder name; default per container (libx264, ffv1, libvpx-vp9). */
  videoCodec?: string;
  pixelFormat?: string;
  audio?: boolean;
  /** Two cues, as mov_text (mp4/mov), srt (mkv) or webvtt (webm). */
  subtitles?: boolean;
  /** Two chapters splitting the clip in half. */
  chapters?: boolean;
  title?: string;
  /** Moves the mp4/mov index to the front (so a truncated file still opens). */
  faststart?: boolean;
  /** Extra output arguments (placed before the output path). */
  extraArgs?: string[];
}

/**
 * Fixtures are made by the best ffmpeg of the machine (a new enough system
 * one, else the npm build), whatever FFMPEG_PATH says: a run with FFMPEG_PATH
 * pointing at another build then varies only the ffmpeg under test.
 */
function ffmpegPath(): string {
  return locateTool('ffmpeg', { env: { PATH: process.env.PATH } }).path;
}

export async function runFfmpeg(args: readonly string[]): Promise<void> {
  await runToCompletion(ffmpegPath(), ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], 'making a test fixture');
}

function defaultVideoCodec(container: FixtureContainer): string {
  if (container === 'mkv' || container === 'nut' || container === 'avi') return 'ffv1';
  if (container === 'webm') return 'libvpx-vp9';
  return 'libx264';
}

function codecSpeedArgs(codec: string): string[] {
  if (codec === 'libx264') return ['-preset', 'ultrafast'];
  if (codec === 'libx265') return ['-preset', 'ultrafast', '-x265-params', 'log-level=error'];
  if (codec === 'libvpx-vp9') return ['-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k'];
  return [];
}

function audioCodec(container: FixtureContainer): string {
  if (container === 'webm') return 'libopus';
  if (container === 'avi') return 'pcm_s16le';
  return 'aac';
}

function subtitleCodec(container: FixtureContainer): string {
  if (container === 'mp4' || container === 'mov') return 'mov_text';
  if (container === 'webm') return 'webvtt';
  return 'srt';
}

function srtTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)},${pad(ms % 1000, 3)}`;
}

/** A testsrc2 clip of exactly `frames` frames at an exact rate, with optional audio, subtitles, chapters and title. */
export async function makeClip(dir: string, options: ClipOptions): Promise<string> {
  const container = options.container ?? 'mp4';
  const width = options.width ?? 64;
  const height = options.height ?? 48;
  const rate: Rational = parseRational(options.rate ?? '25');
  const durationSeconds = options.frames / toNumber(rate);
  const codec = options.videoCodec ?? defaultVideoCodec(container);
  const name = options.name ?? `clip-${width}x${height}-${options.frames}f-${codec}.${container}`;
  const output = path.join(dir, name);
  // testsrc2 (yuv420p) rounds odd sizes down to even ones: draw it larger and crop in RGB.
  const source = `testsrc2=size=${width + (width % 2)}x${height + (height % 2)}:rate=${formatRational(rate)},format=rgb24,crop=${width}:${height}:0:0`;
  const inputs: string[] = ['-f', 'lavfi', '-i', source];
  const maps: string[] = ['-map', '0:v'];
  const codecs: string[] = ['-c:v', codec, ...codecSpeedArgs(codec), '-frames:v', String(options.frames)];
  if (options.pixelFormat) codecs.push('-pix_fmt', options.pixelFormat);
  else if (codec === 'libx264' || codec === 'libvpx-vp9') codecs.push('-pix_fmt', 'yuv420p');
  let inputIndex = 1;
  if (options.audio) {
    inputs.push('-f', 'lavfi', '-t', durationSeconds.toFixed(6), '-i', 'sine=frequency=440:sample_rate=48000');
    maps.push('-map', `${inputIndex}:a`);
    codecs.push('-c:a', audioCodec(container));
    inputIndex += 1;
  }
  if (options.subtitles) {
    const srt = path.join(dir, `${name}.srt`);
    const half = durationSeconds / 2;
    await writeFile(srt, `1\n${srtTime(0)} --> ${srtTime(half)}\nHello\n\n2\n${srtTime(half)} --> ${srtTime(durationSeconds)}\nWorld\n`);
    inputs.push('-i', srt);
    maps.push('-map', `${inputIndex}:s`);
    codecs.push('-c:s', subtitleCodec(container));
    inputIndex += 1;
  }
  if (options.chapters) {
    const meta = path.join(dir, `${name}.ffmeta`);
    const halfMs = Math.floor((durationSeconds * 1000) / 2);
    const endMs = Math.floor(durationSeconds * 1000);
    await writeFile(meta, `;FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=${halfMs}\ntitle=First\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=${halfMs}\nEND=${endMs}\ntitle=Second\n`);
    inputs.push('-i', meta);
    maps.push('-map_chapters', String(inputIndex));
    inputIndex += 1;
  }
  const tags: string[] = options.title ? ['-metadata', `title=${options.title}`] : [];
  const flags: string[] = options.faststart && (container === 'mp4' || container === 'mov') ? ['-movflags', '+faststart'] : [];
  await runFfmpeg([...inputs, ...maps, ...codecs, ...tags, ...flags, ...(options.extraArgs ?? []), output]);
  return output;
}

/** 10-bit 4:2:0 clip (ffv1 in mkv by default: fast and exact; libx265 in mp4 on request). */
export async function makeTenBitClip(dir: string, options: { frames?: number; codec?: 'ffv1' | 'libx265' } = {}): Promise<string> {
  const codec = options.codec ?? 'ffv1';
  return makeClip(dir, {
    name: `ten-bit-${codec}.${codec === 'ffv1' ? 'mkv' : 'mp4'}`,
    frames: options.frames ?? 8,
    container: codec === 'ffv1' ? 'mkv' : 'mp4',
    videoCodec: codec,
    pixelFormat: 'yuv420p10le',
  });
}

/** 321x179 clip (odd sizes need 4:4:4 or a codec without chroma alignment: ffv1 yuv444p in mkv). */
export async function makeOddSizeClip(dir: string, options: { frames?: number } = {}): Promise<string> {
  return makeClip(dir, {
    name: 'odd-321x179.mkv',
    frames: options.frames ?? 5,
    width: 321,
    height: 179,
    container: 'mkv',
    videoCodec: 'ffv1',
    pixelFormat: 'yuv444p',
  });
}

export interface VfrClip {
  path: string;
  /** Frames stored in the file (10 at 10 fps then 20 at 20 fps). */
  storedFrames: number;
  durationSeconds: number;
}

/**
 * Variable frame rate with audio: one second at 10 fps followed by one
 * second at 20 fps, concatenated with timestamps kept as they are (-fps_mode or -vsync passthrough).
 */
export async function makeVfrClip(dir: string, options: { container?: 'mp4' | 'mkv' } = {}): Promise<VfrClip> {
  const container = options.container ?? 'mp4';
  const output = path.join(dir, `vfr.${container}`);
  await runFfmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=10:duration=1',
    '-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=20:duration=1',
    '-f', 'lavfi', '-t', '2', '-i', 'sine=frequency=440:sample_rate=48000',
    '-filter_complex', '[0:v]settb=1/1000[a];[1:v]settb=1/1000[b];[a][b]concat=n=2:v=1:a=0[v]',
    '-map', '[v]', '-map', '2:a',
    ...(await new FfmpegCapabilities(ffmpegPath()).describe()).passthroughTimingArgs,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac',
    ...(container === 'mp4' ? ['-video_track_timescale', '1000'] : []),
    output,
  ]);
  return { path: output, storedFrames: 30, durationSeconds: 2 };
}

/**
 * A clip whose display matrix turns it 90 degrees clockwise on playback
 * (stored 64x48, shown 48x64). ffmpeg 5.1 has no -display_rotation, so the
 * legacy rotate tag is set on a stream copy; in 5.1 the tag's sign is the
 * display matrix's (counter-clockwise), hence 270.
 */
export async function makeRotatedClip(dir: string, options: { frames?: number } = {}): Promise<string> {
  const plain = await makeClip(dir, { name: 'unrotated.mp4', frames: options.frames ?? 6 });
  const output = path.join(dir, 'rotated.mp4');
  await runFfmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=270', output]);
  return output;
}

export async function makeAudioOnlyFile(dir: string): Promise<string> {
  const output = path.join(dir, 'audio-only.m4a');
  await runFfmpeg(['-f', 'lavfi', '-t', '0.5', '-i', 'sine=frequency=440:sample_rate=48000', '-c:a', 'aac', output]);
  return output;
}

/**
 * A real 30-frame mp4 (index at the front) with garbage written over the
 * middle of its media data and the last third cut off: it still probes
 * (30 frames) but decoding ends early.
 */
export async function makeCorruptClip(dir: string): Promise<string> {
  const output = await makeClip(dir, { name: 'corrupt.mp4', frames: 30, width: 64, height: 48, faststart: true, extraArgs: ['-g', '5'] });
  const { size } = await stat(output);
  const handle = await open(output, 'r+');
  try {
    const garbage = Buffer.alloc(Math.floor(size / 8), 0x5a);
    await handle.write(garbage, 0, garbage.length, Math.floor(size / 2));
    await handle.truncate(Math.floor((size * 2) / 3));
  } finally {
    await handle.close();
  }
  return output;
}

export async function makeNonMediaFile(dir: string): Promise<string> {
  const output = path.join(dir, 'notes.mp4');
  await writeFile(output, 'This is a text file with a video extension, not media.\n'.repeat(20));
  return output;
}

export type StillFormat = 'png' | 'jpg' | 'webp' | 'tiff';

/** One testsrc2 frame as a still image. */
export async function makeStillImage(dir: string, format: StillFormat, options: { width?: number; height?: number; pixelFormat?: string } = {}): Promise<string> {
  const width = options.width ?? 64;
  const height = options.height ?? 48;
  const output = path.join(dir, `still-${width}x${height}.${format}`);
  const pixelFormat = options.pixelFormat ? ['-pix_fmt', options.pixelFormat] : [];
  const source = `testsrc2=size=${width + (width % 2)}x${height + (height % 2)}:rate=1,format=rgb24,crop=${width}:${height}:0:0`;
  await runFfmpeg(['-f', 'lavfi', '-i', source, '-frames:v', '1', ...pixelFormat, '-update', '1', output]);
  return output;
}
