// The segment encoder with the real ffmpeg: exact frame counts and rates for
// every codec this ffmpeg has, bit-exact lossless round trips (8 and 16-bit),
// 10-bit output, colour conversion and tags, ffmpeg dying mid-stream, cancel.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, FfmpegFailedError, InvalidArgumentError } from '../../../common/errors.ts';
import { rational, type Rational } from '../../../common/rational.ts';
import { EncoderCatalog, type OutputPixelFormat, type VideoCodec } from '../../../engine/media/codecs.ts';
import { VideoEncoder, type VideoEncoderOptions } from '../../../engine/media/encoder.ts';
import { locateFfmpegTools } from '../../../engine/media/ffmpeg-locator.ts';
import { runToCompletion, startProcess } from '../../../engine/media/ffmpeg-process.ts';
import type { BitDepth, RgbFrame } from '../../../engine/media/frame.ts';
import type { ColourInfo } from '../../../engine/media/media-info.ts';
import { listTemporarySiblings } from '../../../engine/media/output-path.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

const tools = locateFfmpegTools();
const ffmpeg = tools.ffmpeg.path;
const ffprobe = tools.ffprobe.path;
const catalog = new EncoderCatalog(ffmpeg);
let dir: TempDir;

beforeAll(async () => {
  dir = await makeTempDir('framesmith-encode-');
});
afterAll(async () => {
  await dir.dispose();
});

/** Deterministic noisy frames: every sample differs, so a lossy path cannot pass as exact. */
function makeFrame(width: number, height: number, bitDepth: BitDepth, index: number): RgbFrame {
  const count = width * height * 3;
  const data = bitDepth === 16 ? new Uint16Array(count) : new Uint8Array(count);
  let state = (index + 1) * 2654435761;
  for (let i = 0; i < count; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    data[i] = bitDepth === 16 ? state >>> 16 : state >>> 24;
  }
  return { width, height, bitDepth, data, index };
}

function solidFrame(width: number, height: number, rgb: [number, number, number], index: number): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, bitDepth: 8, data, index };
}

async function encode(options: Partial<VideoEncoderOptions> & { codec: VideoCodec; name: string }, frames: RgbFrame[]): Promise<string> {
  const first = frames[0]!;
  const encoder = await VideoEncoder.start({
    ffmpegPath: ffmpeg,
    catalog,
    outputPath: dir.file(options.name),
    width: first.width,
    height: first.height,
    bitDepth: first.bitDepth,
    frameRate: rational(24000, 1001),
    preset: 'ultrafast',
    ...options,
  });
  for (const frame of frames) await encoder.write(frame);
  const result = await encoder.finish();
  expect(result.frameCount).toBe(frames.length);
  return result.path;
}

interface ProbedVideo {
  codec_name: string;
  pix_fmt: string;
  nb_read_frames: string;
  r_frame_rate: string;
  avg_frame_rate: string;
  color_space?: string;
  color_primaries?: string;
  color_transfer?: string;
  color_range?: string;
}

async function probeVideo(file: string): Promise<ProbedVideo> {
  const { stdout } = await runToCompletion(ffprobe, [
    '-v', 'error', '-count_frames', '-select_streams', 'v:0',
    '-show_entries', 'stream=codec_name,pix_fmt,nb_read_frames,r_frame_rate,avg_frame_rate,color_space,color_primaries,color_transfer,color_range',
    '-of', 'json', file,
  ], 'probing a test output');
  return (JSON.parse(stdout) as { streams: ProbedVideo[] }).streams[0]!;
}

/** Decodes a file (or a PNG-sequence pattern) back to packed RGB with ffmpeg. */
async function decodeRgb(input: string[], pixelFormat: 'rgb24' | 'rgb48le'): Promise<Buffer> {
  const proc = startProcess(ffmpeg, ['-hide_banner', '-loglevel', 'error', ...input, '-f', 'rawvideo', '-pix_fmt', pixelFormat, 'pipe:1']);
  const chunks: Buffer[] = [];
  proc.child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
  const exit = await proc.exited;
  expect(exit.code, exit.stderrTail).toBe(0);
  return Buffer.concat(chunks);
}

function frameBytes(frames: RgbFrame[]): Buffer {
  return Buffer.concat(frames.map((f) => Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength)));
}

const rate = (r: Rational): string => `${r.num}/${r.den}`;

describe('every available codec', async () => {
  const available = await catalog.availableCodecs();
  process.stderr.write(`encoders here for: ${available.join(', ')}\n`);
  const frames = Array.from({ length: 7 }, (_, i) => makeFrame(64, 48, 8, i));

  it.each(available.filter((c) => c !== 'png'))('%s writes exactly N frames at exactly 24000/1001', async (codec) => {
    const file = await encode({ codec, name: `count-${codec}.part` }, frames);
    const probed = await probeVideo(file);
    expect(Number(probed.nb_read_frames)).toBe(frames.length);
    expect(probed.r_frame_rate).toBe('24000/1001');
    expect(probed.avg_frame_rate).toBe('24000/1001');
  });

  it.skipIf(!available.includes('png'))('png writes exactly N numbered images', async () => {
    const folder = await encode({ codec: 'png', name: 'count-png' }, frames);
    const names = (await fs.readdir(folder)).sort();
    expect(names).toEqual(frames.map((_, i) => `frame-${String(i + 1).padStart(8, '0')}.png`));
  });

  it('keeps the exact rate 30 and 25 too', async () => {
    for (const r of [rational(30), rational(25)]) {
      const file = await encode({ codec: 'h264', name: `rate-${r.num}.part`, frameRate: r }, frames.slice(0, 3));
      const probed = await probeVideo(file);
      expect(probed.avg_frame_rate).toBe(rate(r));
      expect(Number(probed.nb_read_frames)).toBe(3);
    }
  });
});

describe('lossless round trips are bit-exact', () => {
  it.each([8, 16] as const)('ffv1 %i-bit', async (bitDepth) => {
    const frames = Array.from({ length: 4 }, (_, i) => makeFrame(33, 17, bitDepth, i));
    const file = await encode({ codec: 'ffv1', name: `exact-ffv1-${bitDepth}.mkv` }, frames);
    const probed = await probeVideo(file);
    expect(probed.pix_fmt).toBe(bitDepth === 16 ? 'gbrp16le' : 'bgr0');
    const decoded = await decodeRgb(['-i', file], bitDepth === 16 ? 'rgb48le' : 'rgb24');
    expect(decoded.equals(frameBytes(frames))).toBe(true);
  });

  it.each([8, 16] as const)('png %i-bit', async (bitDepth) => {
    const frames = Array.from({ length: 3 }, (_, i) => makeFrame(31, 19, bitDepth, i));
    const folder = await encode({ codec: 'png', name: `exact-png-${bitDepth}` }, frames);
    const decoded = await decodeRgb(['-framerate', '24', '-start_number', '1', '-i', path.join(folder, 'frame-%08d.png')], bitDepth === 16 ? 'rgb48le' : 'rgb24');
    expect(decoded.equals(frameBytes(frames))).toBe(true);
  });
});

describe('pixel formats and colour', () => {
  it('yuv420p10le output is 10-bit', async () => {
    const frames = Array.from({ length: 3 }, (_, i) => makeFrame(64, 48, 16, i));
    const file = await encode({ codec: 'h265', name: 'ten-bit.part', pixelFormat: 'yuv420p10le' }, frames);
    expect((await probeVideo(file)).pix_fmt).toBe('yuv420p10le');
  });

  it('refuses a pixel format the codec cannot hold', async () => {
    await expect(encode({ codec: 'prores', name: 'bad.part', pixelFormat: 'yuv420p' as OutputPixelFormat }, [makeFrame(16, 16, 8, 0)]))
      .rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(encode({ codec: 'h264', name: 'bad2.part', quality: 99 }, [makeFrame(16, 16, 8, 0)]))
      .rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('carries the source colour tags', async () => {
    const colour: ColourInfo = { primaries: 'bt2020', transfer: 'smpte2084', matrix: 'bt2020nc', range: 'tv' };
    const file = await encode({ codec: 'h264', name: 'tags.part', colour, pixelFormat: 'yuv420p10le' }, [makeFrame(64, 48, 16, 0)]);
    const probed = await probeVideo(file);
    expect([probed.color_primaries, probed.color_transfer, probed.color_space, probed.color_range]).toEqual(['bt2020', 'smpte2084', 'bt2020nc', 'tv']);
  });

  it('tags BT.709 by default for HD and BT.601 for SD', async () => {
    const hd = await probeVideo(await encode({ codec: 'h264', name: 'hd.part' }, [makeFrame(16, 720, 8, 0)]));
    expect([hd.color_space, hd.color_primaries, hd.color_range]).toEqual(['bt709', 'bt709', 'tv']);
    const sd = await probeVideo(await encode({ codec: 'h264', name: 'sd.part' }, [makeFrame(64, 48, 8, 0)]));
    expect(sd.color_space).toBe('smpte170m');
  });

  // Converting with one matrix and tagging another shifts colours visibly; decoding
  // by the tags must give the colours back (within chroma quantisation).
  it.each([
    ['bt709', 'tv'], ['smpte170m', 'tv'], ['bt709', 'pc'],
  ] as const)('converts RGB with the %s matrix and %s range it tags', async (matrix, range) => {
    const colours: [number, number, number][] = [[200, 40, 30], [20, 180, 60], [30, 60, 220], [235, 235, 20]];
    const frames = colours.map((c, i) => solidFrame(32, 32, c, i));
    const colour: ColourInfo = { primaries: null, transfer: null, matrix, range };
    const file = await encode({ codec: 'h264', name: `matrix-${matrix}-${range}.part`, colour, quality: 0 }, frames);
    const probed = await probeVideo(file);
    expect([probed.color_space, probed.color_range]).toEqual([matrix, range]);
    const decoded = await decodeRgb(['-i', file], 'rgb24');
    colours.forEach((c, i) => {
      const offset = i * 32 * 32 * 3 + (16 * 32 + 16) * 3;
      for (let k = 0; k < 3; k += 1) expect(Math.abs(decoded[offset + k]! - c[k]!), `frame ${i} channel ${k}`).toBeLessThanOrEqual(3);
    });
  });

  it('pads odd sizes to even for 4:2:0 and writes every frame', async () => {
    const frames = Array.from({ length: 3 }, (_, i) => makeFrame(33, 17, 8, i));
    const encoder = await VideoEncoder.start({ ffmpegPath: ffmpeg, catalog, outputPath: dir.file('odd.part'), width: 33, height: 17, bitDepth: 8, frameRate: rational(25), codec: 'h264', preset: 'ultrafast' });
    for (const frame of frames) await encoder.write(frame);
    const result = await encoder.finish();
    expect([result.codedWidth, result.codedHeight]).toEqual([34, 18]);
    expect(Number((await probeVideo(result.path)).nb_read_frames)).toBe(3);
  });
});

describe('failure and cancellation', () => {
  it('refuses a frame of the wrong size', async () => {
    const encoder = await VideoEncoder.start({ ffmpegPath: ffmpeg, catalog, outputPath: dir.file('wrong.part'), width: 16, height: 16, bitDepth: 8, frameRate: rational(25), codec: 'ffv1' });
    await expect(encoder.write(makeFrame(16, 8, 8, 0))).rejects.toBeInstanceOf(InvalidArgumentError);
    await encoder.abort();
    expect(await listTemporarySiblings(dir.file('wrong.part'))).toEqual([]);
  });

  it('turns ffmpeg dying mid-stream (EPIPE) into FfmpegFailedError and leaves nothing', async () => {
    const output = dir.file('killed.part');
    const encoder = await VideoEncoder.start({ ffmpegPath: ffmpeg, catalog, outputPath: output, width: 320, height: 240, bitDepth: 8, frameRate: rational(25), codec: 'ffv1' });
    await encoder.write(makeFrame(320, 240, 8, 0));
    process.kill(encoder.pid!, 'SIGKILL');
    let caught: unknown;
    try {
      for (let i = 1; i < 200; i += 1) await encoder.write(makeFrame(320, 240, 8, i));
      await encoder.finish();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FfmpegFailedError);
    await expect(fs.stat(output)).rejects.toThrow();
    expect(await listTemporarySiblings(output)).toEqual([]);
  });

  it('cancel mid-encode leaves no file and no temporary file', async () => {
    const output = dir.file('cancelled.part');
    const controller = new AbortController();
    const encoder = await VideoEncoder.start({ ffmpegPath: ffmpeg, catalog, outputPath: output, width: 64, height: 48, bitDepth: 8, frameRate: rational(25), codec: 'ffv1', signal: controller.signal });
    for (let i = 0; i < 5; i += 1) await encoder.write(makeFrame(64, 48, 8, i));
    // ffmpeg creates its temporary file once the first frame is through.
    for (let tries = 0; tries < 100 && (await listTemporarySiblings(output)).length === 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await listTemporarySiblings(output)).length).toBe(1);
    controller.abort();
    await expect(encoder.write(makeFrame(64, 48, 8, 5))).rejects.toBeInstanceOf(CancelledError);
    await expect(fs.stat(output)).rejects.toThrow();
    expect(await listTemporarySiblings(output)).toEqual([]);
  });

  it('an existing segment is kept unless overwrite is set', async () => {
    const file = await encode({ codec: 'ffv1', name: 'existing.mkv' }, [makeFrame(16, 16, 8, 0)]);
    await expect(encode({ codec: 'ffv1', name: 'existing.mkv' }, [makeFrame(16, 16, 8, 1)])).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    await encode({ codec: 'ffv1', name: 'existing.mkv', overwrite: true }, [makeFrame(16, 16, 8, 1), makeFrame(16, 16, 8, 2)]);
    expect(Number((await probeVideo(file)).nb_read_frames)).toBe(2);
  });
});
