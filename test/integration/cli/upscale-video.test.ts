// `framesmith upscale` on videos, end to end as a user runs it: streams,
// chapters and tags carried over; exact frame counts and sizes; odd sizes;
// 10-bit kept; variable frame rate keeps audio in sync; rotation applied; the
// input left untouched. Tiny frames and the fast animevideov3 model.
import { existsSync } from 'node:fs';
import { readdir, symlink } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, parseJsonLines, runCli } from '../../helpers/cli-runner.ts';
import { makeClip, makeRotatedClip, makeTenBitClip, makeVfrClip, runFfmpeg } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import {
  decodeRgb,
  ffprobe,
  frameOf,
  makeCliSandbox,
  playedSeconds,
  sha256Of,
  streamsOf,
  subtitleText,
  type CliSandbox,
} from './media-checks.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');

describe.skipIf(!model)('framesmith upscale (video)', () => {
  let box: CliSandbox;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-cli-video-');
  });

  afterAll(async () => {
    await box?.dir.dispose();
  });

  async function upscale(args: string[]): Promise<void> {
    const result = await runCli(['upscale', ...args], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
  }

  it('keeps audio, subtitles, chapters and the title of an mkv, with exact frames at 4x', async () => {
    const input = await makeClip(box.dir.path, {
      name: 'full.mkv', frames: 6, width: 48, height: 32, container: 'mkv',
      audio: true, subtitles: true, chapters: true, title: 'Round trip',
    });
    const inputHash = await sha256Of(input);
    const output = box.dir.file('full-out.mkv');
    await upscale([input, '-o', output]);

    const source = await ffprobe(input);
    const result = await ffprobe(output);
    const [video] = streamsOf(result, 'video');
    expect(video?.width).toBe(192);
    expect(video?.height).toBe(128);
    expect(video?.nb_read_frames).toBe('6');
    // The ffv1 source is RGB (full range by nature): the h264 output is ordinary limited-range yuv420p.
    expect([video?.pix_fmt, video?.color_range]).toEqual(['yuv420p', 'tv']);
    const [sourceAudio] = streamsOf(source, 'audio');
    const [audio] = streamsOf(result, 'audio');
    expect(audio?.codec_name).toBe(sourceAudio?.codec_name);
    const sourceAudioSeconds = await playedSeconds(input, 'a:0');
    expect(Math.abs((await playedSeconds(output, 'a:0')) - sourceAudioSeconds)).toBeLessThan(1 / 25);
    expect(Math.abs((await playedSeconds(output, 'v:0')) - 6 / 25)).toBeLessThan(1e-3);
    const text = await subtitleText(output);
    expect(text).toContain('Hello');
    expect(text).toContain('World');
    expect(result.chapters.map((chapter) => chapter.tags?.title)).toEqual(['First', 'Second']);
    expect(Number(result.chapters[1]?.start_time)).toBeCloseTo(Number(source.chapters[1]?.start_time), 3);
    const title = result.format.tags?.title ?? result.format.tags?.TITLE;
    expect(title).toBe('Round trip');
    expect(await sha256Of(input)).toBe(inputHash);
  });

  it('refuses -o equal to the input and leaves the input as it was', async () => {
    const input = await makeClip(box.dir.path, { name: 'self.mp4', frames: 3, width: 48, height: 32 });
    const before = await sha256Of(input);
    const result = await runCli(['upscale', input, '-o', input, '--overwrite', '--json'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(1);
    expect(result.stdout).toContain('"OUTPUT_IS_INPUT"');
    const link = box.dir.file('self-link.mp4');
    await symlink(input, link);
    const throughLink = await runCli(['upscale', input, '-o', link, '--overwrite'], { env: box.env });
    expect(throughLink.code, describeRun(throughLink)).toBe(1);
    expect(throughLink.stderr).toMatch(/is the input file.*Choose another output path/);
    expect(await sha256Of(input)).toBe(before);
  });

  it('gives an odd-sized input exactly 4x its size in a lossless RGB output, and an even-sized yuv420p one', async () => {
    const input = await makeClip(box.dir.path, {
      name: 'odd.mkv', frames: 3, width: 33, height: 21, container: 'mkv', videoCodec: 'ffv1', pixelFormat: 'yuv444p',
    });
    const lossless = box.dir.file('odd-out.mkv');
    await upscale([input, '-o', lossless, '--codec', 'ffv1']);
    const [video] = streamsOf(await ffprobe(lossless), 'video');
    expect([video?.width, video?.height]).toEqual([132, 84]);
    expect(video?.nb_read_frames).toBe('3');

    const sequence = box.dir.file('odd-png');
    await upscale([input, '-o', sequence, '--codec', 'png']);
    const frames = (await readdir(sequence)).filter((name) => name.endsWith('.png')).sort();
    expect(frames).toHaveLength(3);
    const [still] = streamsOf(await ffprobe(`${sequence}/${frames[0]}`), 'video');
    expect([still?.width, still?.height]).toEqual([132, 84]);

    // 4:2:0 needs even sizes: 4x of any size is even, so h264 keeps it exactly.
    const compressed = box.dir.file('odd-out.mp4');
    await upscale([input, '-o', compressed]);
    const [h264] = streamsOf(await ffprobe(compressed), 'video');
    expect([h264?.width, h264?.height, h264?.pix_fmt]).toEqual([132, 84, 'yuv420p']);
  });

  it('pads an odd size that yuv420p cannot hold by repeating the edge, and says so', async () => {
    const input = await makeClip(box.dir.path, {
      name: 'odd-x1.mkv', frames: 2, width: 33, height: 21, container: 'mkv', videoCodec: 'ffv1', pixelFormat: 'yuv444p',
    });
    const output = box.dir.file('odd-x1-out.mkv');
    // The model runs at 4x and a high-quality downscale brings it back to 33x21.
    const result = await runCli(['upscale', input, '-o', output, '--scale', '1', '--json'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
    const [video] = streamsOf(await ffprobe(output), 'video');
    expect([video?.width, video?.height, video?.pix_fmt]).toEqual([34, 22, 'yuv420p']);
    const notices = parseJsonLines(result.stdout).filter((event) => event.type === 'notice').map((event) => String(event.message));
    expect(notices.join('\n')).toMatch(/34x22/);
    // The added column and row repeat their neighbours: no black line at the edges.
    const frame = frameOf(await decodeRgb(output, 34, 22), 0);
    const at = (x: number, y: number, c: number): number => frame[(y * 34 + x) * 3 + c] as number;
    let edgeDifference = 0;
    for (let y = 0; y < 21; y += 1) for (let c = 0; c < 3; c += 1) edgeDifference = Math.max(edgeDifference, Math.abs(at(33, y, c) - at(32, y, c)));
    for (let x = 0; x < 33; x += 1) for (let c = 0; c < 3; c += 1) edgeDifference = Math.max(edgeDifference, Math.abs(at(x, 21, c) - at(x, 20, c)));
    expect(edgeDifference).toBeLessThan(40);
  });

  it('keeps a 10-bit source at 10 bits, through rgb48', async () => {
    const input = await makeTenBitClip(box.dir.path, { frames: 3 });
    const h265 = box.dir.file('ten-bit-out.mkv');
    await upscale([input, '-o', h265, '--codec', 'h265']);
    const [video] = streamsOf(await ffprobe(h265), 'video');
    expect(video?.pix_fmt).toBe('yuv420p10le');
    expect(video?.nb_read_frames).toBe('3');

    const ffv1 = box.dir.file('ten-bit-out-ffv1.mkv');
    await upscale([input, '-o', ffv1, '--codec', 'ffv1']);
    const [lossless] = streamsOf(await ffprobe(ffv1), 'video');
    // Lossless RGB at the source's depth: gbrp10le (ffv1 has no packed rgb48).
    expect(lossless?.pix_fmt).toMatch(/^gbrp1[0-6]le$/);
    // Samples that only 16-bit processing can give: not every value a multiple of 257 (8-bit upsampled).
    const decoded = await decodeRgb(ffv1, 192, 128, 'rgb48le');
    const samples = new Uint16Array(decoded.data.buffer, decoded.data.byteOffset, decoded.frameBytes / 2);
    let notEightBit = 0;
    for (const sample of samples) if (sample % 257 !== 0) notEightBit += 1;
    expect(notEightBit / samples.length).toBeGreaterThan(0.5);
  });

  it('keeps audio in sync on a variable-frame-rate source', async () => {
    const vfr = await makeVfrClip(box.dir.path, { container: 'mkv' });
    const output = box.dir.file('vfr-out.mkv');
    await upscale([vfr.path, '-o', output]);
    const result = await ffprobe(output);
    const [video] = streamsOf(result, 'video');
    expect(video?.width).toBe(256);
    const videoSeconds = await playedSeconds(output, 'v:0');
    const audioSeconds = await playedSeconds(output, 'a:0');
    const frames = Number(video?.nb_read_frames);
    expect(Math.abs(videoSeconds - vfr.durationSeconds)).toBeLessThan(2 * (videoSeconds / frames));
    expect(Math.abs(videoSeconds - audioSeconds)).toBeLessThan(2 * (videoSeconds / frames));
  });

  it('turns a rotated source upright at 4x', async () => {
    const input = await makeRotatedClip(box.dir.path, { frames: 2 });
    const output = box.dir.file('rotated-out.mkv');
    await upscale([input, '-o', output, '--codec', 'ffv1']);
    const [video] = streamsOf(await ffprobe(output), 'video');
    expect([video?.width, video?.height]).toEqual([192, 256]);
    // No rotation is left for a player to apply a second time.
    expect(JSON.stringify(video?.side_data_list ?? [])).not.toMatch(/rotation":\s*-?[1-9]/);
    expect(video?.tags?.rotate).toBeUndefined();

    // Compare with the stored picture turned clockwise by ffmpeg and upscaled with a plain filter.
    const upright = box.dir.file('upright.mkv');
    await runFfmpeg(['-noautorotate', '-i', input, '-vf', 'transpose=clock,scale=192:256:flags=bicubic', '-c:v', 'ffv1', upright]);
    const ours = frameOf(await decodeRgb(output, 192, 256), 0);
    const reference = frameOf(await decodeRgb(upright, 192, 256), 0);
    const wrong = box.dir.file('wrong-way.mkv');
    await runFfmpeg(['-noautorotate', '-i', input, '-vf', 'transpose=cclock,scale=192:256:flags=bicubic', '-c:v', 'ffv1', wrong]);
    const wrongWay = frameOf(await decodeRgb(wrong, 192, 256), 0);
    const meanDifference = (a: Buffer, b: Buffer): number => {
      let sum = 0;
      for (let i = 0; i < a.length; i += 1) sum += Math.abs((a[i] as number) - (b[i] as number));
      return sum / a.length;
    };
    const uprightDifference = meanDifference(ours, reference);
    expect(uprightDifference).toBeLessThan(20);
    expect(uprightDifference * 2).toBeLessThan(meanDifference(ours, wrongWay));
    expect(existsSync(input)).toBe(true);
  });
});
