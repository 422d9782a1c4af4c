// Small hand-written ncnn graphs with known weights, converted and run in the
// real onnxruntime, against results computed here from ncnn's definitions.
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { CancelledError, InvalidArgumentError } from '../../../common/errors.ts';
import { NcnnUnsupportedError } from '../../../engine/convert/ncnn-errors.ts';
import { convertNcnnToOnnx, inspectNcnnModel } from '../../../engine/convert/ncnn-to-onnx.ts';

function param(lines: readonly string[], blobs: number): Uint8Array {
  return new TextEncoder().encode(['7767517', `${lines.length} ${blobs}`, ...lines, ''].join('\n'));
}

function bin(parts: readonly { tagged?: boolean; values: readonly number[] }[]): Uint8Array {
  const floats: number[] = [];
  for (const part of parts) {
    if (part.tagged) floats.push(0);
    floats.push(...part.values);
  }
  return new Uint8Array(Float32Array.from(floats).buffer);
}

async function run(model: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(model);
  const tensors: Record<string, ort.Tensor> = {};
  for (const [name, feed] of Object.entries(feeds)) tensors[name] = new ort.Tensor('float32', feed.data, feed.dims);
  const result = await session.run(tensors);
  const output = result[session.outputNames[0] as string] as ort.Tensor;
  await session.release();
  return { data: output.data as Float32Array, dims: output.dims };
}

const ramp = (n: number, scale = 1): Float32Array => Float32Array.from({ length: n }, (_, i) => i * scale);

function expectClose(actual: Float32Array, expected: readonly number[], tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  expected.forEach((value, i) => { worst = Math.max(worst, Math.abs((actual[i] as number) - value)); });
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe('ncnn layer conversion', () => {
  it('Deconvolution: ncnn [out][in][kh][kw] weights scatter like ncnn does', async () => {
    const [cin, cout, k, s, h, w] = [2, 2, 2, 2, 2, 3];
    const weight = Array.from({ length: cout * cin * k * k }, (_, i) => (i % 7) - 3);
    const biasValues = [0.5, -1];
    const model = await convertNcnnToOnnx({
      paramBytes: param(['Input in 0 1 in', `Deconvolution d 1 1 in out 0=${cout} 1=${k} 3=${s} 5=1 6=${weight.length}`], 2),
      binBytes: bin([{ tagged: true, values: weight }, { values: biasValues }]),
    });
    const x = ramp(cin * h * w, 0.25);
    const oh = (h - 1) * s + k;
    const ow = (w - 1) * s + k;
    const expected = new Array<number>(cout * oh * ow).fill(0);
    for (let o = 0; o < cout; o += 1) {
      for (let i = 0; i < oh * ow; i += 1) expected[o * oh * ow + i] = biasValues[o] as number;
      for (let c = 0; c < cin; c += 1) {
        for (let y = 0; y < h; y += 1) {
          for (let xx = 0; xx < w; xx += 1) {
            for (let ky = 0; ky < k; ky += 1) {
              for (let kx = 0; kx < k; kx += 1) {
                const wv = weight[((o * cin + c) * k + ky) * k + kx] as number;
                expected[(o * oh + y * s + ky) * ow + xx * s + kx]! += (x[(c * h + y) * w + xx] as number) * wv;
              }
            }
          }
        }
      }
    }
    const out = await run(model, { input: { data: x, dims: [1, cin, h, w] } });
    expect(out.dims).toEqual([1, cout, oh, ow]);
    expectClose(out.data, expected);
  });

  it('rife.Warp: zero flow is the identity; a flow of +1 in x samples the right neighbour, clamped at the border', async () => {
    const model = await convertNcnnToOnnx({
      paramBytes: param(['Input a 0 1 img', 'Input b 0 1 flow', 'rife.Warp w 2 1 img flow out 0=6'], 3),
      binBytes: new Uint8Array(0),
    });
    const image = ramp(16);
    const zero = await run(model, { img: { data: image, dims: [1, 1, 4, 4] }, flow: { data: new Float32Array(32), dims: [1, 2, 4, 4] } });
    expectClose(zero.data, Array.from(image));
    const flow = new Float32Array(32);
    flow.fill(1, 0, 16);
    flow.fill(-0.5, 16, 32);
    const shifted = await run(model, { img: { data: image, dims: [1, 1, 4, 4] }, flow: { data: flow, dims: [1, 2, 4, 4] } });
    const expected: number[] = [];
    for (let y = 0; y < 4; y += 1) {
      for (let x = 0; x < 4; x += 1) {
        const sx = Math.min(x + 1, 3);
        const rowA = Math.max(y - 1, 0);
        expected.push(0.5 * (rowA * 4 + sx) + 0.5 * (y * 4 + sx));
      }
    }
    expectClose(shifted.data, expected);
  });

  it('BinaryOp broadcasts a global-pooled [c] vector over channels, and scalar rsub is b - a', async () => {
    const model = await convertNcnnToOnnx({
      paramBytes: param([
        'Input in 0 1 in',
        'Split s 1 2 in a b',
        'Pooling p 1 1 a pooled 0=1 4=1',
        'BinaryOp m 2 1 b pooled prod 0=2',
        'BinaryOp r 1 1 prod out 0=7 1=1 2=1.000000e+01',
      ], 6),
      binBytes: new Uint8Array(0),
    });
    const x = Float32Array.from([1, 2, 3, 4, 10, 10, 10, 10]);
    const out = await run(model, { input: { data: x, dims: [1, 2, 2, 2] } });
    const means = [2.5, 10];
    expectClose(out.data, Array.from(x, (v, i) => 10 - v * (means[Math.floor(i / 4)] as number)));
  });

  it('Crop with a reference blob and offsets, Slice with an open end, Interp nearest and PixelShuffle', async () => {
    const model = await convertNcnnToOnnx({
      paramBytes: param([
        'Input in 0 1 in',
        'Split s 1 2 in a b',
        'Interp up 1 1 a big 0=1 1=2.000000e+00 2=2.000000e+00',
        'Crop c 2 1 big b cropped 0=1 1=2',
        'Slice sl 1 2 cropped first rest -23300=2,1,-233 1=0',
        'PixelShuffle ps 1 1 rest out 0=1',
      ], 8),
      binBytes: new Uint8Array(0),
      outputBlobs: ['out', 'first'],
      outputNames: ['output', 'first'],
    });
    const x = ramp(2 * 2 * 2);
    const out = await run(model, { input: { data: x, dims: [1, 2, 2, 2] } });
    // Nearest x2 of channel 1 ([4,5],[6,7]) is 4x4; crop 2x2 at (w=1,h=2): rows 2..3, cols 1..2.
    expect(out.dims).toEqual([1, 1, 2, 2]);
    expectClose(out.data, [6, 7, 6, 7]);
  });

  it('names the unsupported layer type and its line in a typed error, and lists it in the info', async () => {
    const paramBytes = param(['Input in 0 1 in', 'ReLU r 1 1 in a', 'LSTM l 1 1 a out 0=4'], 3);
    const error = await convertNcnnToOnnx({ paramBytes, binBytes: new Uint8Array(0) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NcnnUnsupportedError);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as NcnnUnsupportedError).layerType).toBe('LSTM');
    expect((error as NcnnUnsupportedError).line).toBe(5);
    expect((error as NcnnUnsupportedError).userMessage).toMatch(/"LSTM".*line 5/);
    const info = await inspectNcnnModel({ paramBytes });
    expect(info.unsupported).toEqual([{ type: 'LSTM', name: 'l', line: 5 }]);
    expect(info.layerTypes).toEqual({ Input: 1, ReLU: 1, LSTM: 1 });
  });

  it('refuses a .bin with more bytes than the param reads', async () => {
    const paramBytes = param(['Input in 0 1 in', 'PReLU p 1 1 in out 0=1'], 2);
    await expect(convertNcnnToOnnx({ paramBytes, binBytes: bin([{ values: [0.1, 0.2] }]) })).rejects.toThrow(/more than its \.param reads/);
  });

  it('stops with CancelledError when the signal has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    const paramBytes = param(['Input in 0 1 in', 'ReLU r 1 1 in out'], 2);
    await expect(convertNcnnToOnnx({ paramBytes, binBytes: new Uint8Array(0), signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});
