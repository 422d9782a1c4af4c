import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../common/errors.ts';
import { decodeFrames, type DecodeOptions } from '../../../engine/media/decoder.ts';
import { FfmpegCapabilities } from '../../../engine/media/ffmpeg-capabilities.ts';
import { locateFfmpegTools } from '../../../engine/media/ffmpeg-locator.ts';
import { runToCompletion } from '../../../engine/media/ffmpeg-process.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import type { MediaInfo } from '../../../engine/media/media-info.ts';
import { probeMedia } from '../../../engine/media/probe.ts';
import {
  makeClip,
  makeCorruptClip,
  makeOddSizeClip,
  makeRotatedClip,
  makeStillImage,
  makeTempDir,
  makeTenBitClip,
  makeVfrClip,
  type TempDir,
} from '../../helpers/media-fixtures.ts';
import { mediaAsset } from '../../helpers/shared-assets.ts';

const tools = locateFfmpegTools();
const ffmpeg = tools.ffmpeg.path;
const probe = (file: string) => probeMedia(file, { ffprobe: tools.ffprobe.path });
const bunny = mediaAsset('video/Big_Buck_Bunny_180_10s.webm');

async function decodeAll(info: MediaInfo, options: Partial<DecodeOptions> = {}): Promise<RgbFrame[]> {
  const frames: RgbFrame[] = [];
  for await (const frame of decodeFrames({ ffmpeg, info, ...options })) frames.push(frame);
  return frames;
}

function bytesOf(frame: RgbFrame): Buffer {
  return Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
}

/** Raw RGB straight from an ffmpeg command line, for comparison. */
async function ffmpegRaw(args: string[]): Promise<Buffer> {
  return execFileSync(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args, '-f', 'rawvideo', 'pipe:1'], { maxBuffer: 1 << 28 });
}

/** ffmpeg processes that are children of this test process (running or zombie). */
function childFfmpegs(): string[] {
  const out = execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out.split('\n').filter((line) => /ffmpeg/.test(line));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('decodeFrames', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(async () => {
    await dir.dispose();
  });

  it('delivers exactly the frames of a lossless clip, byte for byte', async () => {
    const file = await makeClip(dir.path, { frames: 7, container: 'mkv', videoCodec: 'ffv1', pixelFormat: 'bgr0', name: 'lossless.mkv' });
    const reference = await ffmpegRaw(['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=25,format=rgb24,crop=64:48:0:0', '-frames:v', '7', '-pix_fmt', 'rgb24']);
    const frames = await decodeAll(await probe(file));
    expect(frames).toHaveLength(7);
    expect(frames.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Buffer.concat(frames.map(bytesOf)).equals(reference)).toBe(true);
  });

  it('delivers frameCount frames of the right length from mp4 and webm, and a known frame matches ffmpeg', async () => {
    for (const options of [{ container: 'mp4' as const, rate: '25' }, { container: 'webm' as const, rate: '24000/1001' }]) {
      const file = await makeClip(dir.path, { frames: 11, ...options });
      const info = await probe(file);
      const frames = await decodeAll(info);
      expect(frames).toHaveLength(info.video.frameCount);
      expect(frames.every((f) => f.data.byteLength === 64 * 48 * 3 && f.bitDepth === 8 && f.data instanceof Uint8Array)).toBe(true);
      const single = await ffmpegRaw(['-i', file, '-vf', 'select=eq(n\\,5)', '-frames:v', '1', '-sws_flags', 'bicubic+accurate_rnd+full_chroma_int', '-pix_fmt', 'rgb24']);
      expect(bytesOf(frames[5] as RgbFrame).equals(single)).toBe(true);
      expect(bytesOf(frames[4] as RgbFrame).equals(single)).toBe(false);
    }
  });

  it('delivers 16-bit frames for a 10-bit source, and 8-bit on request', async () => {
    const info = await probe(await makeTenBitClip(dir.path, { frames: 3 }));
    const deep = await decodeAll(info);
    expect(deep).toHaveLength(3);
    const first = deep[0] as RgbFrame;
    expect(first.bitDepth).toBe(16);
    expect(first.data).toBeInstanceOf(Uint16Array);
    expect(first.data.length).toBe(64 * 48 * 3);
    expect(Math.max(...first.data)).toBeGreaterThan(255);
    const shallow = await decodeAll(info, { bitDepth: 8 });
    expect(shallow[0]?.data).toBeInstanceOf(Uint8Array);
    // The 16-bit samples rounded down to 8 bits are the 8-bit decode (within rounding).
    const eight = shallow[0]?.data as Uint8Array;
    const worst = Array.from(first.data).reduce((max, sample, i) => Math.max(max, Math.abs(sample / 257 - (eight[i] ?? 0))), 0);
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('decodes odd sizes', async () => {
    const frames = await decodeAll(await probe(await makeOddSizeClip(dir.path)));
    expect(frames).toHaveLength(5);
    expect(frames.every((f) => f.width === 321 && f.height === 179 && f.data.byteLength === 321 * 179 * 3)).toBe(true);
  });

  it('applies rotation: frames have the displayed size and are the picture turned clockwise', async () => {
    const file = await makeRotatedClip(dir.path);
    const info = await probe(file);
    const frames = await decodeAll(info);
    expect(frames).toHaveLength(6);
    expect([frames[0]?.width, frames[0]?.height]).toEqual([48, 64]);
    const turned = await ffmpegRaw(['-noautorotate', '-i', file, '-vf', 'transpose=clock', '-frames:v', '1', '-sws_flags', 'bicubic+accurate_rnd+full_chroma_int', '-pix_fmt', 'rgb24']);
    expect(bytesOf(frames[0] as RgbFrame).equals(turned)).toBe(true);
  });

  it('decodes a still image as one frame', async () => {
    const frames = await decodeAll(await probe(await makeStillImage(dir.path, 'png', { width: 33, height: 17 })));
    expect(frames).toHaveLength(1);
    expect(frames[0]?.data.byteLength).toBe(33 * 17 * 3);
  });

  it('a range equals the same slice of a full decode (mp4, mkv, VFR)', async () => {
    const mp4 = await makeClip(dir.path, { frames: 20, name: 'gop.mp4', extraArgs: ['-g', '6'] });
    const mkv = await makeClip(dir.path, { frames: 20, name: 'range.mkv', container: 'mkv', rate: '30000/1001', extraArgs: ['-g', '4'] });
    const vfr = (await makeVfrClip(dir.path, { container: 'mkv' })).path;
    for (const file of [mp4, mkv, vfr]) {
      const info = await probe(file);
      const full = await decodeAll(info);
      for (const [start, end] of [[0, 3], [7, 13], [13, 14], [info.video.frameCount - 2, info.video.frameCount]] as const) {
        const part = await decodeAll(info, { startFrame: start, endFrame: end });
        expect(part.map((f) => f.index)).toEqual(Array.from({ length: end - start }, (_, i) => start + i));
        part.forEach((frame, i) => expect(bytesOf(frame).equals(bytesOf(full[start + i] as RgbFrame)), `${file} frame ${start + i}`).toBe(true));
      }
    }
  });

  it.skipIf(!bunny)('a range in the middle of the shared webm equals the full decode', async () => {
    const info = await probe(bunny as string);
    const wanted = new Map<number, Buffer>();
    for await (const frame of decodeFrames({ ffmpeg, info, endFrame: 160 })) if (frame.index >= 150) wanted.set(frame.index, Buffer.from(bytesOf(frame)));
    const part = await decodeAll(info, { startFrame: 150, endFrame: 160 });
    expect(part).toHaveLength(10);
    part.forEach((frame) => expect(bytesOf(frame).equals(wanted.get(frame.index) as Buffer)).toBe(true));
  });

  it('turns a VFR source into constant rate at its exact average rate, keeping its time span (audio stays in sync)', async () => {
    for (const container of ['mp4', 'mkv'] as const) {
      const clip = await makeVfrClip(dir.path, { container });
      const info = await probe(clip.path);
      const frames = await decodeAll(info);
      expect(frames).toHaveLength(info.video.frameCount);
      // Frame k of the output is the source frame on screen at k / rate (give or take the fps
      // filter's rounding to the nearest frame): the
      // source shows 10 frames at 0.1 s steps, then 20 at 0.05 s steps from 1 s.
      // (The mp4's edit list ends at the last frame's start, which hides that frame from a plain decode.)
      const editList = container === 'mp4' ? ['-ignore_editlist', '1'] : [];
      const source = await ffmpegRaw([...editList, '-i', clip.path, ...(await new FfmpegCapabilities(ffmpeg).describe()).passthroughTimingArgs, '-sws_flags', 'bicubic+accurate_rnd+full_chroma_int', '-pix_fmt', 'rgb24']);
      const frameBytes = 64 * 48 * 3;
      const sourceFrames = Array.from({ length: source.length / frameBytes }, (_, j) => source.subarray(j * frameBytes, (j + 1) * frameBytes));
      expect(sourceFrames).toHaveLength(30);
      const sourceTime = (j: number) => (j < 10 ? j * 0.1 : 1 + (j - 10) * 0.05);
      const period = info.video.frameRate.den / info.video.frameRate.num;
      let previous = -1;
      frames.forEach((frame, k) => {
        const j = sourceFrames.findIndex((candidate) => candidate.equals(bytesOf(frame)));
        expect(j, `output frame ${k}`).toBeGreaterThanOrEqual(previous);
        const onScreen = sourceFrames.filter((_, i) => sourceTime(i) <= k * period + 1e-9).length - 1;
        expect(Math.abs(j - onScreen), `output frame ${k} shows source frame ${j}, not ${onScreen}`).toBeLessThanOrEqual(1);
        previous = j;
      });
      // At 2x the 10 fps part's rate, each of its frames is shown twice.
      const doubled = await decodeAll(info, { frameRate: { num: 20, den: 1 }, endFrame: 4 });
      expect(bytesOf(doubled[0] as RgbFrame).equals(bytesOf(doubled[1] as RgbFrame))).toBe(true);
      expect(bytesOf(doubled[1] as RgbFrame).equals(bytesOf(doubled[2] as RgbFrame))).toBe(false);
    }
  });

  it.skipIf(!bunny)('applies backpressure: a consumer that stops reading leaves ffmpeg blocked and memory flat', async () => {
    const info = await probe(bunny as string);
    const iterator = decodeFrames({ ffmpeg, info })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    const frameBytes = 320 * 180 * 3;
    const before = process.memoryUsage().arrayBuffers;
    // Unthrottled, ffmpeg writes all 300 frames (52 MB) well within this pause.
    await sleep(1500);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeLessThan(4 * frameBytes);
    const running = childFfmpegs();
    expect(running).toHaveLength(1);
    expect(running[0]).toMatch(/^\s*\d+\s+S/);
    let count = 1;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) count += 1;
    expect(count).toBe(300);
    expect(childFfmpegs()).toEqual([]);
  });

  it.skipIf(!bunny)('breaking out of the loop ends ffmpeg', async () => {
    const info = await probe(bunny as string);
    let seen = 0;
    for await (const frame of decodeFrames({ ffmpeg, info })) {
      seen = frame.index + 1;
      expect(childFfmpegs()).toHaveLength(1);
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
    expect(childFfmpegs()).toEqual([]);
  });

  it.skipIf(!bunny)('an abort ends ffmpeg and the loop throws CancelledError, leaving no zombie', async () => {
    const info = await probe(bunny as string);
    const controller = new AbortController();
    let seen = 0;
    const run = async () => {
      for await (const frame of decodeFrames({ ffmpeg, info, signal: controller.signal })) {
        seen = frame.index + 1;
        if (seen === 2) setTimeout(() => controller.abort(), 10);
        await sleep(50);
      }
    };
    await expect(run()).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toBeLessThan(300);
    expect(childFfmpegs()).toEqual([]);
    // Already aborted: nothing starts.
    await expect(decodeAll(info, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('reports a damaged stream as CORRUPT_STREAM with the stderr tail as detail', async () => {
    const info = await probe(await makeCorruptClip(dir.path));
    const error = await decodeAll(info).then(() => undefined, (caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'CORRUPT_STREAM' });
    expect((error as { detail?: string }).detail).toMatch(/of 30 frames/);
  });

  it('rejects bad ranges with INVALID_ARGUMENT', async () => {
    const info = await probe(await makeClip(dir.path, { frames: 3, name: 'tiny.mp4' }));
    await expect(decodeAll(info, { startFrame: 2, endFrame: 1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(decodeAll(info, { startFrame: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('decode throughput', () => {
  it.skipIf(!bunny)('measures frames per second of the shared 320x180 webm to rgb24', async () => {
    const info = await probe(bunny as string);
    const started = performance.now();
    let frames = 0;
    for await (const _frame of decodeFrames({ ffmpeg, info })) frames += 1;
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`decode throughput: ${frames} frames of 320x180 rgb24 in ${seconds.toFixed(2)} s = ${(frames / seconds).toFixed(0)} frames/s\n`);
    expect(frames).toBe(300);
    await runToCompletion(ffmpeg, ['-version'], 'checking ffmpeg');
  });
});
