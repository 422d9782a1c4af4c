// Layout-sensitive ops checked numerically in onnxruntime against plain
// loops of the PyTorch definitions: basicsr's pixel_unshuffle (which is not
// ONNX SpaceToDepth's channel order) and PixelShuffle (DepthToSpace CRD).
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../../engine/convert/onnx-graph-builder.ts';
import { pixelShuffle, pixelUnshuffle } from '../../../engine/convert/pytorch/torch-graph-ops.ts';

async function runOp(build: (builder: OnnxGraphBuilder) => string, input: ort.Tensor): Promise<ort.Tensor> {
  const builder = new OnnxGraphBuilder();
  builder.reserve('x');
  builder.reserve('y');
  builder.opInto('Identity', [build(builder)], ['y']);
  const session = await ort.InferenceSession.create(builder.encode([{ name: 'x' }], [{ name: 'y' }], 'op', 'test'));
  const output = (await session.run({ x: input })).y as ort.Tensor;
  await session.release();
  return output;
}

describe('PyTorch layout ops', () => {
  it('pixelUnshuffle matches basicsr pixel_unshuffle (view, permute 0,1,3,5,2,4, reshape)', async () => {
    const [c, h, w, s] = [3, 4, 6, 2];
    const data = Float32Array.from({ length: c * h * w }, (_, i) => i);
    const output = await runOp((b) => pixelUnshuffle(b, 'x', s, c), new ort.Tensor('float32', data, [1, c, h, w]));
    expect(output.dims).toEqual([1, c * s * s, h / s, w / s]);
    const expected = new Float32Array(data.length);
    for (let ch = 0; ch < c; ch += 1) {
      for (let i = 0; i < s; i += 1) {
        for (let j = 0; j < s; j += 1) {
          for (let y = 0; y < h / s; y += 1) {
            for (let x = 0; x < w / s; x += 1) {
              const out = (((ch * s + i) * s + j) * (h / s) + y) * (w / s) + x;
              expected[out] = data[(ch * h + y * s + i) * w + x * s + j] as number;
            }
          }
        }
      }
    }
    expect(Array.from(output.data as Float32Array)).toEqual(Array.from(expected));
  });

  it('pixelShuffle matches nn.PixelShuffle', async () => {
    const [c, h, w, s] = [2, 2, 3, 2];
    const data = Float32Array.from({ length: c * s * s * h * w }, (_, i) => i);
    const output = await runOp((b) => pixelShuffle(b, 'x', s), new ort.Tensor('float32', data, [1, c * s * s, h, w]));
    const expected = new Float32Array(data.length);
    for (let ch = 0; ch < c; ch += 1) {
      for (let y = 0; y < h * s; y += 1) {
        for (let x = 0; x < w * s; x += 1) {
          const source = ((ch * s * s + (y % s) * s + (x % s)) * h + Math.floor(y / s)) * w + Math.floor(x / s);
          expected[(ch * h * s + y) * w * s + x] = data[source] as number;
        }
      }
    }
    expect(Array.from(output.data as Float32Array)).toEqual(Array.from(expected));
  });
});
