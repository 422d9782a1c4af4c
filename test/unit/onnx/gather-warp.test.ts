import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { ELEMENT_TYPE, encodeModel, onnx, type ModelProto } from '../../../engine/onnx/onnx-file.ts';
import { isRewritableWarp, replaceWarpsWithGathers } from '../../../engine/onnx/gather-warp.ts';

const { AttributeType } = onnx.AttributeProto;

/** y = GridSample(x, grid) with the given padding mode; shapes left symbolic so one model serves every size. */
function warpModel(paddingMode: string): ModelProto {
  const dims = (values: (number | string)[]) => ({ dim: values.map((value) => (typeof value === 'number' ? { dimValue: value } : { dimParam: value })) });
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'warp',
      node: [{
        opType: 'GridSample',
        input: ['x', 'grid'],
        output: ['y'],
        name: 'warp',
        attribute: [
          { name: 'align_corners', type: AttributeType.INT, i: 1 },
          { name: 'mode', type: AttributeType.STRING, s: new TextEncoder().encode('bilinear') },
          { name: 'padding_mode', type: AttributeType.STRING, s: new TextEncoder().encode(paddingMode) },
        ],
      }],
      input: [
        { name: 'x', type: { tensorType: { elemType: ELEMENT_TYPE.FLOAT, shape: dims(['N', 'C', 'H', 'W']) } } },
        { name: 'grid', type: { tensorType: { elemType: ELEMENT_TYPE.FLOAT, shape: dims(['N', 'h', 'w', 2]) } } },
      ],
      output: [{ name: 'y', type: { tensorType: { elemType: ELEMENT_TYPE.FLOAT } } }],
    },
  });
}

function copyOf(model: ModelProto): ModelProto {
  return onnx.ModelProto.decode(encodeModel(model));
}

/** A deterministic pseudo-random sequence in [0, 1). */
function sequence(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  });
}

async function run(model: ModelProto, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(encodeModel(model), { executionProviders: ['cpu'] });
  try {
    return (await session.run(feeds)).y?.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('replaceWarpsWithGathers', () => {
  it.each([
    { batch: 1, channels: 3, height: 17, width: 29, outHeight: 17, outWidth: 29 },
    { batch: 2, channels: 4, height: 9, width: 6, outHeight: 5, outWidth: 11 },
  ])('samples as GridSample does, border included ($batch x $channels x $height x $width -> $outHeight x $outWidth)', async ({ batch, channels, height, width, outHeight, outWidth }) => {
    const picture = sequence(batch * channels * height * width, 7);
    // Normalised coordinates in [-1.4, 1.4]: about a sixth of them fall outside and hit the border.
    const grid = sequence(batch * outHeight * outWidth * 2, 11).map((value) => value * 2.8 - 1.4);
    // Exact corners too: a coordinate on the last row and column.
    grid[0] = 1;
    grid[1] = 1;
    grid[2] = -1;
    grid[3] = -1;
    const feeds = () => ({
      x: new ort.Tensor('float32', picture.slice(), [batch, channels, height, width]),
      grid: new ort.Tensor('float32', grid.slice(), [batch, outHeight, outWidth, 2]),
    });
    const original = warpModel('border');
    const rewritten = copyOf(original);
    expect(replaceWarpsWithGathers(rewritten)).toBe(1);
    expect(rewritten.graph?.node?.some((node) => node.opType === 'GridSample')).toBe(false);
    const expected = await run(original, feeds());
    const actual = await run(rewritten, feeds());
    expect(actual.length).toBe(batch * channels * outHeight * outWidth);
    let largest = 0;
    for (const [index, value] of expected.entries()) largest = Math.max(largest, Math.abs(value - (actual[index] as number)));
    // One or two float32 steps at most (values are in 0..1).
    expect(largest).toBeLessThanOrEqual(2.5e-7);
  });

  it('addresses pictures above 2^24 pixels exactly (an 8K frame is 33 million)', async () => {
    const [height, width] = [4099, 4099];
    const picture = new Float32Array(height * width);
    for (let index = 0; index < picture.length; index += 1) picture[index] = (index % 251) / 251;
    // Points in the last rows, where a float32 y * width + x is no longer exact.
    const points = [[1, 1], [0.9995, 0.9999], [-0.25, 0.99975], [0.5, 0.9996]];
    const grid = Float32Array.from(points.flat());
    const feeds = () => ({
      x: new ort.Tensor('float32', picture, [1, 1, height, width]),
      grid: new ort.Tensor('float32', grid.slice(), [1, 1, points.length, 2]),
    });
    const rewritten = warpModel('border');
    replaceWarpsWithGathers(rewritten);
    const expected = await run(warpModel('border'), feeds());
    const actual = await run(rewritten, feeds());
    for (const [index, value] of expected.entries()) expect(Math.abs(value - (actual[index] as number))).toBeLessThanOrEqual(2.5e-7);
  });

  it('leaves other GridSamples alone', () => {
    const zeros = warpModel('zeros');
    expect(isRewritableWarp(zeros.graph?.node?.[0] ?? {})).toBe(false);
    expect(replaceWarpsWithGathers(zeros)).toBe(0);
    expect(zeros.graph?.node?.map((node) => node.opType)).toEqual(['GridSample']);
    expect(zeros.graph?.initializer ?? []).toEqual([]);
  });
});
