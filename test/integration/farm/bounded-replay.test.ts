// A farm segment of an interpolation chain decodes its range plus the
// step's context (the chain plan's segmentDecodeStart), not the film before
// it, and still yields exactly the frames of an uninterrupted run. The clip
// holds frames for three source frames (animation on threes) and for seven
// (a static hold, longer than maxHold), with scene cuts, so every kind of
// pair straddles some border. Every output frame is tried as a segment
// start, for x2 and x2.5 with dedup and x2 without; each segment's first
// frames are compared byte for byte with the whole run (the real RIFE
// v4.6 model), and the frames each segment read are counted.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Step } from '../../../common/job-spec.ts';
import { rational, type Rational } from '../../../common/rational.ts';
import { locateTool } from '../../../engine/media/ffmpeg-locator.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { Catalog } from '../../../engine/models/catalog.ts';
import { planChain, segmentDecodeStart } from '../../../engine/plan/chain-plan.ts';
import { createInterpolationStage } from '../../../engine/tasks/interpolation.ts';
import { makeTempDir, runFfmpeg, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { openRife, type RifeHarness } from '../interpolation/rife-helpers.ts';

const model = modelAsset('onnx/interpolation/rife-v4.6.onnx');
const WIDTH = 64;
const HEIGHT = 48;
const FRAME_BYTES = WIDTH * HEIGHT * 3;
/** Frames of each segment compared (a segment stops reading once it has its frames). */
const SEGMENT = 6;
const run = promisify(execFile);

const ORDER: [string, number][] = [
  ['a', 0], ['a', 1], ['a', 2], ['a', 2], ['a', 2], ['a', 3], ['a', 4], ['a', 5],
  ['b', 0], ['b', 1], ['b', 1], ['b', 1], ['b', 1], ['b', 1], ['b', 1], ['b', 1], ['b', 2], ['b', 3],
  ['c', 0], ['c', 1], ['c', 1], ['c', 2], ['c', 3], ['c', 4], ['c', 5], ['c', 6], ['c', 6], ['c', 6], ['c', 7],
  ['a', 5], ['a', 6], ['a', 7], ['a', 7],
];

async function heldClipFrames(temp: TempDir): Promise<RgbFrame[]> {
  const scenes: Record<string, string[]> = {
    a: ['-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=24`, '-vf', 'scroll=horizontal=0.03,format=rgb24'],
    b: ['-f', 'lavfi', '-i', `smptebars=size=${WIDTH}x${HEIGHT}:rate=24`, '-vf', 'scroll=horizontal=0.05,format=rgb24'],
    c: ['-f', 'lavfi', '-i', `testsrc2=size=${WIDTH}x${HEIGHT}:rate=24`, '-vf', 'negate,scroll=vertical=0.04,format=rgb24'],
  };
  const pictures: Record<string, Buffer> = {};
  for (const [name, input] of Object.entries(scenes)) {
    const file = temp.file(`${name}.rgb`);
    await runFfmpeg([...input, '-frames:v', '8', '-f', 'rawvideo', '-pix_fmt', 'rgb24', file]);
    pictures[name] = await fs.readFile(file);
  }
  await fs.writeFile(temp.file('sequence.rgb'), Buffer.concat(ORDER.map(([scene, index]) => (pictures[scene] as Buffer).subarray(index * FRAME_BYTES, (index + 1) * FRAME_BYTES))));
  const clip = temp.file('held.mkv');
  await runFfmpeg(['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${WIDTH}x${HEIGHT}`, '-r', '24', '-i', temp.file('sequence.rgb'), '-c:v', 'ffv1', '-pix_fmt', 'bgr0', clip]);
  const { stdout } = await run(locateTool('ffmpeg').path, ['-v', 'error', '-i', clip, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  const frames: RgbFrame[] = [];
  for (let index = 0; index * FRAME_BYTES < stdout.length; index += 1) {
    frames.push({ width: WIDTH, height: HEIGHT, bitDepth: 8, index, data: new Uint8Array(stdout.subarray(index * FRAME_BYTES, (index + 1) * FRAME_BYTES)) });
  }
  return frames;
}

describe.skipIf(!model)('bounded replay of interpolation segments', () => {
  let temp: TempDir;
  let rife: RifeHarness;
  let catalog: Catalog;
  let source: RgbFrame[];
  beforeAll(async () => {
    temp = await makeTempDir('framesmith-bounded-');
    source = await heldClipFrames(temp);
    catalog = await Catalog.load();
    rife = await openRife(model as string);
  }, 120_000);
  afterAll(async () => {
    await rife?.dispose();
    await temp?.dispose();
  });

  /** Output frames [start, start + count) of the stage fed from source frame `firstSource`, and how many frames it read. */
  async function segment(factor: Rational, dedup: boolean, start: number, firstSource: number, count: number): Promise<{ frames: RgbFrame[]; read: number }> {
    const stage = createInterpolationStage({ session: rife.session, manifest: rife.manifest, mode: { kind: 'multiply', factor }, dedup, releaseSession: false });
    stage.outputGeometry({ width: WIDTH, height: HEIGHT, frameRate: rational(24), frameCount: source.length });
    if (start > 0) stage.resumeAt?.(start, firstSource);
    let read = 0;
    async function* frames(): AsyncGenerator<RgbFrame> {
      for (const frame of source.slice(firstSource)) {
        read += 1;
        yield frame;
      }
    }
    const out: RgbFrame[] = [];
    const controller = new AbortController();
    for await (const frame of stage.run(frames(), controller.signal)) {
      out.push(frame);
      if (out.length === count) break;
    }
    await stage.dispose();
    return { frames: out, read };
  }

  for (const [label, factor, dedup] of [['x2 with dedup', rational(2), true], ['x2.5 with dedup', rational(5, 2), true], ['x2 without dedup', rational(2), false]] as const) {
    it(`${label}: a segment from any output frame equals the whole run and reads only its range and context`, async () => {
      const step = { kind: 'interpolate', model: 'rife-v4.6', multiply: factor.num / factor.den, dedup } as Step;
      const plan = planChain([step], { width: WIDTH, height: HEIGHT, frameRate: rational(24), frameCount: source.length, isImage: false }, catalog);
      const total = plan.output.frameCount;
      const whole = await segment(factor, dedup, 0, 0, total);
      expect(whole.frames.map((frame) => frame.index)).toEqual(Array.from({ length: total }, (_, index) => index));
      let readBounded = 0;
      let readReplay = 0;
      let bounded = 0;
      for (let start = 1; start < total; start += 1) {
        const firstSource = segmentDecodeStart(plan, start);
        const count = Math.min(SEGMENT, total - start);
        const part = await segment(factor, dedup, start, firstSource, count);
        expect(part.frames.map((frame) => frame.index), `segment from ${start}`).toEqual(whole.frames.slice(start, start + count).map((frame) => frame.index));
        for (const [offset, frame] of part.frames.entries()) {
          expect(Buffer.from(frame.data).equals(Buffer.from((whole.frames[start + offset] as RgbFrame).data)), `output frame ${start + offset} of the segment from ${start} (source from ${firstSource})`).toBe(true);
        }
        if (firstSource > 0) bounded += 1;
        readBounded += part.read;
        readReplay += part.read + firstSource;
      }
      expect(bounded).toBeGreaterThan(total / 2);
      expect(readBounded).toBeLessThan(readReplay);
      process.stdout.write(`${label}: ${total - 1} segments of up to ${SEGMENT} frames read ${readBounded} source frames (replay from frame 0: ${readReplay})\n`);
    }, 300_000);
  }
});
