// realesr-animevideov3 x2 and x3 converted from ncnn, against a reference
// made from the x4 model's known behaviour: their .bin files are the x4
// model's (byte for byte) and their .param is the x4 graph followed by one
// bicubic Interp of 0.5 (x2) or 0.75 (x3). So the reference is an x4 output
// downscaled by an independent bicubic written here with ncnn's rules
// (a = -0.75, half-pixel centres, edge pixels repeated): of the x4 converted
// from the same ncnn weights (tight), and of the ready x4 ONNX export (within
// 1/255: the ncnn weights are stored as float16, the export's as float32).
// No other reference for x2/x3 exists in ../shared (no ONNX export, no
// reference tensors).
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertNcnnToOnnx } from '../../../engine/convert/ncnn-to-onnx.ts';
import { runOnnxOnce } from '../../helpers/direct-onnx.ts';
import { testImageTensor } from '../../helpers/inference-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const x4Onnx = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const ncnn = (name: string): string | undefined => modelAsset(`ncnn/realesrgan/${name}`);

function cubicWeight(distance: number): number {
  const a = -0.75;
  const x = Math.abs(distance);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** Bicubic resize of one axis of planar data: `length` samples to `outLength`, half-pixel, edges repeated. */
function resizeAxis(read: (index: number) => number, length: number, outLength: number): Float64Array {
  const out = new Float64Array(outLength);
  const scale = length / outLength;
  for (let o = 0; o < outLength; o += 1) {
    const source = (o + 0.5) * scale - 0.5;
    const base = Math.floor(source);
    let sum = 0;
    for (let k = -1; k <= 2; k += 1) {
      const index = Math.min(length - 1, Math.max(0, base + k));
      sum += read(index) * cubicWeight(source - (base + k));
    }
    out[o] = sum;
  }
  return out;
}

/** NCHW (N=1) bicubic resize to outHeight x outWidth. */
function bicubic(data: Float32Array, channels: number, height: number, width: number, outHeight: number, outWidth: number): Float32Array {
  const out = new Float32Array(channels * outHeight * outWidth);
  for (let c = 0; c < channels; c += 1) {
    const rows: Float64Array[] = [];
    for (let y = 0; y < height; y += 1) rows.push(resizeAxis((x) => data[(c * height + y) * width + x]!, width, outWidth));
    for (let x = 0; x < outWidth; x += 1) {
      const column = resizeAxis((y) => rows[y]![x]!, height, outHeight);
      for (let y = 0; y < outHeight; y += 1) out[(c * outHeight + y) * outWidth + x] = column[y]!;
    }
  }
  return out;
}

describe.skipIf(!x4Onnx)('realesr-animevideov3 x2 and x3 from ncnn against the x4 model downscaled', () => {
  const width = 24;
  const height = 20;
  const input = testImageTensor(width, height);
  const feed = (): Record<string, ort.Tensor> => ({ input: new ort.Tensor('float32', (input.data as Float32Array).slice(), [1, 3, height, width]) });
  let x4Outputs: { converted: Float32Array; ready: Float32Array } | undefined;

  async function x4(): Promise<{ converted: Float32Array; ready: Float32Array }> {
    if (!x4Outputs) {
      const converted = await convertNcnnToOnnx({ paramPath: ncnn('realesr-animevideov3-x4.param')!, binPath: ncnn('realesr-animevideov3-x4.bin')!, preset: 'super-resolution' });
      x4Outputs = { converted: (await runOnnxOnce(converted, feed())).data as Float32Array, ready: (await runOnnxOnce(x4Onnx!, feed())).data as Float32Array };
    }
    return x4Outputs;
  }

  function largestDifference(a: Float32Array, b: Float32Array): number {
    let worst = 0;
    for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    return worst;
  }

  for (const [scale, fraction] of [[2, 0.5], [3, 0.75]] as const) {
    const param = ncnn(`realesr-animevideov3-x${scale}.param`);
    const bin = ncnn(`realesr-animevideov3-x${scale}.bin`);
    it.skipIf(!param || !bin)(`x${scale}: shares the x4 weights and equals bicubic(x4 output, ${fraction})`, async () => {
      expect(Buffer.compare(await readFile(bin!), await readFile(ncnn('realesr-animevideov3-x4.bin')!))).toBe(0);
      const onnx = await convertNcnnToOnnx({ paramPath: param!, binPath: bin!, preset: 'super-resolution' });
      const output = await runOnnxOnce(onnx, feed());
      expect(output.dims).toEqual([1, 3, height * scale, width * scale]);
      const outputs = await x4();
      const fromConverted = largestDifference(output.data as Float32Array, bicubic(outputs.converted, 3, height * 4, width * 4, height * scale, width * scale));
      const fromReady = largestDifference(output.data as Float32Array, bicubic(outputs.ready, 3, height * 4, width * 4, height * scale, width * scale));
      process.stdout.write(`animevideov3 x${scale}: largest difference from bicubic(x4 from ncnn) ${fromConverted.toExponential(2)}, from bicubic(ready x4 ONNX) ${fromReady.toExponential(2)}\n`);
      expect(fromConverted).toBeLessThan(1e-5);
      expect(fromReady).toBeLessThan(1 / 255);
    });
  }
});
