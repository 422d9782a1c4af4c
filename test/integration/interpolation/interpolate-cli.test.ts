// `framesmith interpolate` end to end with the real RIFE model on tiny clips:
// exact output frame counts and rates with audio in sync, no frame mixing two
// scenes across a cut, animation on twos without stutter (and --no-dedup
// showing the difference), slow motion with its audio dropped or stretched,
// and image pairs written as sorted PNGs.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { locateTool } from '../../../engine/media/ffmpeg-locator.ts';
import { makeClip, runFfmpeg } from '../../helpers/media-fixtures.ts';
import { mediaAsset, modelAsset } from '../../helpers/shared-assets.ts';
import { decodeRgb, ffprobe, frameOf, makeCliSandbox, playedSeconds, streamsOf, type CliSandbox } from '../cli/media-checks.ts';
import { meanAbsDiff, psnr, readRgb } from './rife-helpers.ts';

const model = modelAsset('onnx/interpolation/rife-v4.6.onnx');
const im1 = mediaAsset('interpolation/pytoflow/im1.png');
const im2 = mediaAsset('interpolation/pytoflow/im2.png');
const im3 = mediaAsset('interpolation/pytoflow/im3.png');

const AAC_FRAME_SECONDS = 1024 / 48000;
const run = promisify(execFile);

/** When the last packet of a stream ends (latest pts + duration), in seconds. */
async function endSeconds(file: string, selector: 'v:0' | 'a:0'): Promise<number> {
  const { stdout } = await run(locateTool('ffprobe').path, ['-v', 'error', '-select_streams', selector, '-show_entries', 'packet=pts_time,duration_time', '-of', 'csv=p=0', file]);
  let end = -Infinity;
  for (const line of stdout.split('\n')) {
    const [pts, duration] = line.split(',').map(Number);
    if (pts !== undefined && Number.isFinite(pts)) end = Math.max(end, pts + (Number.isFinite(duration) ? (duration as number) : 0));
  }
  return end;
}

/** Audio end minus video end: what the output must keep from the source (scaled in slow motion). */
async function endGap(file: string): Promise<number> {
  return (await endSeconds(file, 'a:0')) - (await endSeconds(file, 'v:0'));
}

function frameRate(text: string | undefined): number {
  const [num, den] = (text ?? '0/1').split('/').map(Number);
  return (num ?? 0) / (den ?? 1);
}

describe.skipIf(!model)('framesmith interpolate', () => {
  let box: CliSandbox;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-interp-cli-');
  });
  afterAll(async () => {
    await box?.dir.dispose();
  });

  async function interpolate(args: string[]): Promise<void> {
    const result = await runCli(['interpolate', ...args, '--json'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
  }

  async function videoFacts(file: string): Promise<{ frames: number; rate: string | undefined; r: number; audio: boolean }> {
    const probe = await ffprobe(file);
    const [video] = streamsOf(probe, 'video');
    return {
      frames: Number(video?.nb_read_frames),
      rate: (video as { r_frame_rate?: string } | undefined)?.r_frame_rate,
      r: frameRate((video as { r_frame_rate?: string } | undefined)?.r_frame_rate),
      audio: streamsOf(probe, 'audio').length > 0,
    };
  }

  it.each([
    { name: 'x2', rate: '25', frames: 10, args: ['--multiply', '2'], expected: 20, outRate: '50/1' },
    { name: 'x3', rate: '25', frames: 10, args: ['--multiply', '3'], expected: 30, outRate: '75/1' },
    { name: '24000/1001 -> 60', rate: '24000/1001', frames: 12, args: ['--fps', '60'], expected: 31, outRate: '60/1' },
    { name: '25 -> 50', rate: '25', frames: 10, args: ['--fps', '50'], expected: 20, outRate: '50/1' },
  ])('$name: exact frame count and rate, audio in sync', async ({ name, rate, frames, args, expected, outRate }) => {
    const input = await makeClip(box.dir.path, { name: `count-${name.replace(/\W+/g, '_')}.mp4`, frames, width: 64, height: 32, rate, audio: true });
    const output = box.dir.file(`count-${name.replace(/\W+/g, '_')}-out.mp4`);
    await interpolate([input, ...args, '-o', output]);
    const facts = await videoFacts(output);
    expect(facts.frames).toBe(expected);
    expect(facts.rate).toBe(outRate);
    const videoSeconds = await playedSeconds(output, 'v:0');
    expect(Math.abs(videoSeconds - expected / facts.r)).toBeLessThan(1e-3);
    // Duration unchanged (within one output frame), audio carried as it was, both ending together.
    expect(Math.abs(videoSeconds - (await playedSeconds(input, 'v:0')))).toBeLessThan(1 / facts.r);
    expect(Math.abs((await playedSeconds(output, 'a:0')) - (await playedSeconds(input, 'a:0')))).toBeLessThan(1e-3);
    expect(Math.abs((await endGap(output)) - (await endGap(input)))).toBeLessThan(1 / facts.r);
  });

  it('never mixes two scenes across a cut', async () => {
    const input = box.dir.file('cut.mkv');
    await runFfmpeg([
      '-f', 'lavfi', '-i', 'smptebars=size=64x32:rate=24:duration=0.5',
      '-f', 'lavfi', '-i', 'testsrc2=size=64x32:rate=24:duration=0.5',
      '-filter_complex', '[0:v]format=rgb24[a];[1:v]format=rgb24[b];[a][b]concat=n=2:v=1:a=0[v]',
      '-map', '[v]', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', input,
    ]);
    const output = box.dir.file('cut-out.mkv');
    await interpolate([input, '--fps', '60', '--codec', 'ffv1', '-o', output]);
    const source = await decodeRgb(input, 64, 32);
    const result = await decodeRgb(output, 64, 32);
    const sourceCount = source.data.length / source.frameBytes;
    const outputCount = result.data.length / result.frameBytes;
    expect(sourceCount).toBe(24);
    expect(outputCount).toBe(60);
    const bars = frameOf(source, 0);
    let nearest = Infinity;
    for (let s = 12; s < 24; s += 1) nearest = Math.min(nearest, meanAbsDiff(bars, frameOf(source, s)));
    expect(nearest).toBeGreaterThan(20);
    const distances: number[] = [];
    for (let i = 0; i < outputCount; i += 1) distances.push(meanAbsDiff(bars, frameOf(result, i)));
    // Each frame is the bars or a testsrc2 picture as far from them as the real ones. Output
    // frame i sits at source position 0.4 i; up to 11.5 the nearest real frame is a bar frame.
    for (const [i, distance] of distances.entries()) {
      if (i * 0.4 < 11.5) expect(distance, `output frame ${i}`).toBeLessThan(2);
      else expect(distance, `output frame ${i}`).toBeGreaterThan(0.8 * nearest);
    }
  });

  it('interpolates animation on twos without stutter, and --no-dedup does not', async () => {
    const input = box.dir.file('twos.mkv');
    await runFfmpeg([
      '-f', 'lavfi', '-i', 'testsrc2=size=64x32:rate=12',
      '-vf', 'scroll=horizontal=0.03,fps=24,format=rgb24', '-frames:v', '16', '-c:v', 'ffv1', '-pix_fmt', 'bgr0', input,
    ]);
    const check = async (extra: string[], name: string): Promise<number[]> => {
      const output = box.dir.file(name);
      await interpolate([input, '--multiply', '2', '--codec', 'ffv1', ...extra, '-o', output]);
      const decoded = await decodeRgb(output, 64, 32);
      expect(decoded.data.length / decoded.frameBytes).toBe(32);
      const steps: number[] = [];
      // The last drawing has no successor: its frames repeat at the very end.
      for (let i = 1; i <= 28; i += 1) steps.push(meanAbsDiff(frameOf(decoded, i - 1), frameOf(decoded, i)));
      return steps;
    };
    const smooth = await check([], 'twos-dedup.mkv');
    expect(Math.min(...smooth)).toBeGreaterThan(1);
    const stutter = await check(['--no-dedup'], 'twos-plain.mkv');
    expect(stutter.filter((step) => step < 1).length).toBeGreaterThanOrEqual(7);
  });

  it('slow motion keeps the rate, doubles the frames and drops or stretches the audio', async () => {
    const input = await makeClip(box.dir.path, { name: 'slow.mp4', frames: 10, width: 64, height: 32, rate: '25', audio: true });
    const dropped = box.dir.file('slow-drop.mp4');
    await interpolate([input, '--slowmo', '2', '-o', dropped]);
    const droppedFacts = await videoFacts(dropped);
    expect(droppedFacts).toMatchObject({ frames: 20, rate: '25/1', audio: false });
    const stretched = box.dir.file('slow-stretch.mp4');
    await interpolate([input, '--slowmo', '2', '--slowmo-audio', 'stretch', '-o', stretched]);
    expect(await videoFacts(stretched)).toMatchObject({ frames: 20, rate: '25/1', audio: true });
    const videoSeconds = await playedSeconds(stretched, 'v:0');
    expect(videoSeconds).toBeCloseTo(0.8, 3);
    const sourceAudio = await endSeconds(input, 'a:0');
    expect(Math.abs((await endSeconds(stretched, 'a:0')) - 2 * sourceAudio)).toBeLessThan(2 * AAC_FRAME_SECONDS);
    expect(Math.abs((await endGap(stretched)) - 2 * (await endGap(input)))).toBeLessThan(1 / 25 + 2 * AAC_FRAME_SECONDS);
  });

  it('refuses a missing mode with a usage error', async () => {
    const input = await makeClip(box.dir.path, { name: 'nomode.mp4', frames: 3, width: 64, height: 32 });
    const result = await runCli(['interpolate', input, '--json'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(2);
    expect(result.stdout).toContain('INVALID_ARGUMENT');
  });

  it.skipIf(!im1 || !im2 || !im3)('writes the in-between frames of an image pair as sorted PNGs', async () => {
    const outputDir = box.dir.file('pair');
    await interpolate([im1!, im3!, '--frames', '3', '-o', outputDir]);
    const names = (await readdir(outputDir)).sort();
    expect(names).toEqual(['im1-0001.png', 'im1-0002.png', 'im1-0003.png']);
    const [middle, truth] = await Promise.all([readRgb(`${outputDir}/im1-0002.png`), readRgb(im2!)]);
    expect([middle.width, middle.height]).toEqual([truth.width, truth.height]);
    expect(psnr(middle.data, truth.data)).toBeGreaterThan(30.5);
    const result = await runCli(['interpolate', im1!, im3!, '--frames', '3', '-o', outputDir, '--json'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(1);
    expect(result.stdout).toContain('OUTPUT_EXISTS');
  });
});
