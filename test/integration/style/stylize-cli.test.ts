// `framesmith stylize` as a user runs it: a still image (equal to direct model
// inference), a short clip with and without stabilisation, and usage errors
// (unknown style, missing style image) refused with exit code 2 before any
// item starts.
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, errorCodes, parseJsonLines, runCli } from '../../helpers/cli-runner.ts';
import { makeClip } from '../../helpers/media-fixtures.ts';
import { mediaAsset, modelAsset } from '../../helpers/shared-assets.ts';
import { decodeRgb, ffprobe, makeCliSandbox, streamsOf, type CliSandbox } from '../cli/media-checks.ts';

const candyPath = modelAsset('onnx/style-fast/candy.onnx');
const microastPath = modelAsset('onnx/style-arbitrary/microast.onnx');
const contentPath = mediaAsset('images/style/chicago.png');
const stylePath = mediaAsset('images/style/style_picasso.jpg');

describe.skipIf(!candyPath || !microastPath || !contentPath || !stylePath)('framesmith stylize', () => {
  let box: CliSandbox;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-cli-style-');
  });
  afterAll(async () => {
    await box?.dir.dispose();
  });

  it('stylises a still image exactly as the model does', async () => {
    const input = box.dir.file('city.png');
    await sharp(contentPath!).extract({ left: 140, top: 40, width: 96, height: 64 }).removeAlpha().png().toFile(input);
    const output = box.dir.file('city-candy.png');
    const result = await runCli(['stylize', input, '--style', 'candy', '-o', output, '--json'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
    const pixels = (await sharp(input).raw().toBuffer({ resolveWithObject: true })).data;
    const plane = 96 * 64;
    const tensor = new Float32Array(3 * plane);
    for (let i = 0; i < plane; i += 1) for (let c = 0; c < 3; c += 1) tensor[c * plane + i] = pixels[i * 3 + c];
    const session = await ort.InferenceSession.create(candyPath!, { intraOpNumThreads: 2 });
    const expected = (await session.run({ input1: new ort.Tensor('float32', tensor, [1, 3, 64, 96]) })).output1.data as Float32Array;
    await session.release();
    const { data, info } = await sharp(output).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([96, 64, 3]);
    let worst = 0;
    for (let i = 0; i < plane; i += 1) {
      for (let c = 0; c < 3; c += 1) worst = Math.max(worst, Math.abs(data[i * 3 + c] - Math.round(Math.min(255, Math.max(0, expected[c * plane + i])))));
    }
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('stylises a short clip with a style image, stabilised by default and not with --no-stabilize', async () => {
    const clip = await makeClip(box.dir.path, { name: 'clip.mkv', frames: 6, width: 64, height: 48, container: 'mkv' });
    const outputs: Record<string, Buffer> = {};
    for (const [name, extra] of [['stable', []], ['plain', ['--no-stabilize']]] as const) {
      const output = box.dir.file(`clip-${name}.mkv`);
      const result = await runCli(['stylize', clip, '--style-image', stylePath!, '--style-size', '64', '--codec', 'ffv1', '-o', output, '--json', ...extra], { env: box.env });
      expect(result.code, describeRun(result)).toBe(0);
      const done = parseJsonLines(result.stdout).find((event) => event.type === 'done');
      expect(done?.frames).toBe(6);
      const video = streamsOf(await ffprobe(output), 'video')[0];
      expect([video.width, video.height]).toEqual([64, 48]);
      outputs[name] = (await decodeRgb(output, 64, 48)).data;
    }
    expect(outputs.stable.length).toBe(6 * 64 * 48 * 3);
    // The first frame has no predecessor, so both runs agree on it; later frames differ where stabilised.
    const frameBytes = 64 * 48 * 3;
    expect(outputs.stable.subarray(0, frameBytes).equals(outputs.plain.subarray(0, frameBytes))).toBe(true);
    expect(outputs.stable.equals(outputs.plain)).toBe(false);
  });

  it('refuses an unknown style with exit code 2 before any item starts', async () => {
    const result = await runCli(['stylize', contentPath!, '--style', 'vangogh', '-o', box.dir.file('never.png'), '--json'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(2);
    const events = parseJsonLines(result.stdout);
    expect(errorCodes(events)).toEqual(['INVALID_ARGUMENT']);
    expect(events.some((event) => event.type === 'start' || event.type === 'progress')).toBe(false);
    expect(result.stdout).toMatch(/unknown style \\"vangogh\\"; choose one of candy, mosaic, pointilism, rain-princess, udnie/);
  });

  it('refuses a missing style image and a missing style choice with exit code 2 before any item starts', async () => {
    const missing = box.dir.file('no-such-style.jpg');
    const result = await runCli(['stylize', contentPath!, '--style-image', missing, '-o', box.dir.file('never.png'), '--json'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(2);
    const events = parseJsonLines(result.stdout);
    expect(errorCodes(events)).toEqual(['INVALID_ARGUMENT']);
    expect(events.some((event) => event.type === 'start')).toBe(false);
    expect(result.stdout).toContain('no-such-style.jpg does not exist');
    const neither = await runCli(['stylize', contentPath!, '-o', box.dir.file('never.png'), '--json'], { env: box.env });
    expect(neither.code, describeRun(neither)).toBe(2);
    expect(neither.stdout).toContain('give exactly one of a style name');
  });
});
