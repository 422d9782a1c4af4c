// What `framesmith upscale` writes equals the model run directly with
// onnxruntime on the same frame: lossless RGB in (ffv1 gbrp), lossless RGB out
// (ffv1 and a PNG sequence), a frame small enough to be one tile.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../../helpers/cli-runner.ts';
import { makeClip } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { decodeRgb, frameOf, makeCliSandbox, type CliSandbox } from './media-checks.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const WIDTH = 48;
const HEIGHT = 32;
const FRAMES = 4;
const K = 2;

/** The model on one packed rgb24 frame, as [0,1] float NCHW in and clamped, rounded rgb24 out. */
async function inferDirect(session: ort.InferenceSession, rgb: Buffer, width: number, height: number): Promise<Uint8Array> {
  const plane = width * height;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i += 1) {
    for (let c = 0; c < 3; c += 1) input[c * plane + i] = (rgb[i * 3 + c] as number) / 255;
  }
  const result = await session.run({ [session.inputNames[0] as string]: new ort.Tensor('float32', input, [1, 3, height, width]) });
  const output = result[session.outputNames[0] as string] as ort.Tensor;
  const [, , outHeight, outWidth] = output.dims as number[];
  const data = output.data as Float32Array;
  const outPlane = (outHeight as number) * (outWidth as number);
  const packed = new Uint8Array(outPlane * 3);
  for (let i = 0; i < outPlane; i += 1) {
    for (let c = 0; c < 3; c += 1) packed[i * 3 + c] = Math.round(Math.min(1, Math.max(0, data[c * outPlane + i] as number)) * 255);
  }
  return packed;
}

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

describe.skipIf(!model)('framesmith upscale equals direct inference', () => {
  let box: CliSandbox;
  let input: string;
  let expected: Uint8Array;

  beforeAll(async () => {
    box = await makeCliSandbox('framesmith-cli-equal-');
    input = await makeClip(box.dir.path, { name: 'rgb.mkv', frames: FRAMES, width: WIDTH, height: HEIGHT, container: 'mkv', videoCodec: 'ffv1', pixelFormat: 'gbrp' });
    const source = frameOf(await decodeRgb(input, WIDTH, HEIGHT), K);
    const session = await ort.InferenceSession.create(model as string, { intraOpNumThreads: 2, executionProviders: ['cpu'] });
    try {
      expected = await inferDirect(session, source, WIDTH, HEIGHT);
    } finally {
      await session.release();
    }
  });

  afterAll(async () => {
    await box?.dir.dispose();
  });

  it('ffv1 output frame k equals the model on source frame k within 1/255', async () => {
    const output = box.dir.file('out.mkv');
    const result = await runCli(['upscale', input, '-o', output, '--codec', 'ffv1', '--provider', 'cpu'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
    const decoded = await decodeRgb(output, WIDTH * 4, HEIGHT * 4);
    expect(decoded.data.length).toBe(decoded.frameBytes * FRAMES);
    expect(maxDifference(frameOf(decoded, K), expected)).toBeLessThanOrEqual(1);
    // A different frame really differs (the comparison can fail).
    expect(maxDifference(frameOf(decoded, 0), expected)).toBeGreaterThan(16);
  });

  it('png-sequence frame k equals the model on source frame k within 1/255', async () => {
    const output = box.dir.file('out-png');
    const result = await runCli(['upscale', input, '-o', output, '--codec', 'png', '--provider', 'cpu'], { env: box.env });
    expect(result.code, describeRun(result)).toBe(0);
    const names = (await readdir(output)).filter((name) => name.endsWith('.png')).sort();
    expect(names).toHaveLength(FRAMES);
    const frame = await decodeRgb(path.join(output, names[K] as string), WIDTH * 4, HEIGHT * 4);
    expect(maxDifference(frameOf(frame, 0), expected)).toBeLessThanOrEqual(1);
  });
});
