// Converted ncnn models with their real weights against the ready ONNX files
// (or the recorded reference output), on small inputs, in the real
// onnxruntime. Tolerance: 1e-3 on the 0..1 scale.
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { NcnnNamePreset } from '../../../engine/convert/ncnn-to-onnx.ts';
import { convertNcnnToOnnx } from '../../../engine/convert/ncnn-to-onnx.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { maxAbsTensorDifference, runOnnxOnce } from '../../helpers/direct-onnx.ts';


/** Smooth deterministic test image in 0..scale (a gradient plus a sine pattern). */
function image(channels: number, size: number, scale: number, phase = 0): ort.Tensor {
  const data = new Float32Array(channels * size * size);
  for (let c = 0; c < channels; c += 1) {
    for (let y = 0; y < size; y += 1) {
      for (let x = 0; x < size; x += 1) {
        const v = 0.5 + 0.25 * Math.sin((x + phase) / 3 + c) + 0.25 * Math.cos((y - phase) / 5 - c);
        data[(c * size + y) * size + x] = v * scale;
      }
    }
  }
  return new ort.Tensor('float32', data, [1, channels, size, size]);
}

async function convert(param: string, bin: string, preset: NcnnNamePreset): Promise<Uint8Array> {
  return convertNcnnToOnnx({ paramPath: param, binPath: bin, preset });
}

describe('ncnn conversion with real weights', () => {
  const x4plus = {
    param: modelAsset('ncnn/realesrgan/realesrgan-x4plus.param'),
    bin: modelAsset('ncnn/realesrgan/realesrgan-x4plus.bin'),
    input: modelAsset('reference/realesrgan-x4plus.input.f32'),
    output: modelAsset('reference/realesrgan-x4plus.output.f32'),
  };
  it.skipIf(Object.values(x4plus).some((p) => !p))('realesrgan-x4plus matches the recorded 32x32 -> 128x128 reference', async () => {
    const model = await convert(x4plus.param as string, x4plus.bin as string, 'super-resolution');
    const input = new Float32Array((await readFile(x4plus.input as string)).buffer.slice(0));
    const expected = new Float32Array((await readFile(x4plus.output as string)).buffer.slice(0));
    const output = await runOnnxOnce(model, { input: new ort.Tensor('float32', input, [1, 3, 32, 32]) });
    const diff = maxAbsTensorDifference(output, new ort.Tensor('float32', expected, [1, 3, 128, 128]));
    process.stdout.write(`realesrgan-x4plus max abs diff ${diff}\n`);
    expect(diff).toBeLessThanOrEqual(1e-3);
  });

  const rife = {
    param: modelAsset('ncnn/rife-v4.6/flownet.param'),
    bin: modelAsset('ncnn/rife-v4.6/flownet.bin'),
    onnx: modelAsset('onnx/interpolation/rife-v4.6.onnx'),
  };
  it.skipIf(Object.values(rife).some((p) => !p))('rife-v4.6 matches rife-v4.6.onnx (img0, img1, timestep -> output)', async () => {
    const model = await convert(rife.param as string, rife.bin as string, 'interpolation');
    const feeds = {
      img0: image(3, 64, 1, 0),
      img1: image(3, 64, 1, 2),
      timestep: new ort.Tensor('float32', new Float32Array(64 * 64).fill(0.5), [1, 1, 64, 64]),
    };
    const diff = maxAbsTensorDifference(await runOnnxOnce(model, feeds), await runOnnxOnce(rife.onnx as string, feeds));
    process.stdout.write(`rife-v4.6 max abs diff ${diff}\n`);
    expect(diff).toBeLessThanOrEqual(1e-3);
  });

  const anime = {
    param: modelAsset('ncnn/realesrgan/realesrgan-x4plus-anime.param'),
    bin: modelAsset('ncnn/realesrgan/realesrgan-x4plus-anime.bin'),
    onnx: modelAsset('onnx/super-resolution/realesrgan-x4plus-anime.onnx'),
  };
  it.skipIf(Object.values(anime).some((p) => !p))('realesrgan-x4plus-anime matches its ONNX', async () => {
    const model = await convert(anime.param as string, anime.bin as string, 'super-resolution');
    const feeds = { input: image(3, 32, 1) };
    const diff = maxAbsTensorDifference(await runOnnxOnce(model, feeds), await runOnnxOnce(anime.onnx as string, feeds));
    process.stdout.write(`realesrgan-x4plus-anime max abs diff ${diff}\n`);
    expect(diff).toBeLessThanOrEqual(1e-3);
  });

  const video = {
    param: modelAsset('ncnn/realesrgan/realesr-animevideov3-x4.param'),
    bin: modelAsset('ncnn/realesrgan/realesr-animevideov3-x4.bin'),
    onnx: modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx'),
  };
  // That ONNX was exported from the fp32 PyTorch checkpoint; the ncnn release
  // stores its conv weights in fp16 (up to 2.8e-2 away from the fp32 ones on
  // weights of magnitude 35), so the outputs differ by about 6e-3 at worst.
  // The graph itself is exact: biases and PReLU slopes (fp32 in the .bin)
  // match bit for bit, and every other model here matches within 2e-6.
  it.skipIf(Object.values(video).some((p) => !p))('realesr-animevideov3-x4 matches its (fp32-weight) ONNX within the fp16 weight error', async () => {
    const model = await convert(video.param as string, video.bin as string, 'super-resolution');
    const feeds = { input: image(3, 32, 1) };
    const ours = await runOnnxOnce(model, feeds);
    const reference = await runOnnxOnce(video.onnx as string, feeds);
    const diff = maxAbsTensorDifference(ours, reference);
    const a = ours.data as Float32Array;
    const b = reference.data as Float32Array;
    let sum = 0;
    for (let i = 0; i < a.length; i += 1) sum += Math.abs((a[i] as number) - (b[i] as number));
    const mean = sum / a.length;
    process.stdout.write(`realesr-animevideov3-x4 max abs diff ${diff}, mean ${mean}\n`);
    expect(diff).toBeLessThanOrEqual(1e-2);
    expect(mean).toBeLessThanOrEqual(1e-3);
  });

  const styleParam = modelAsset('ncnn/style-fast/styletransfer.param.bin');
  for (const [ncnnName, onnxName] of [['candy', 'candy'], ['mosaic', 'mosaic'], ['pointilism', 'pointilism'], ['rain_princess', 'rain-princess'], ['udnie', 'udnie']] as const) {
    const bin = modelAsset(`ncnn/style-fast/${ncnnName}.bin`);
    const onnx = modelAsset(`onnx/style-fast/${onnxName}.onnx`);
    it.skipIf(!styleParam || !bin || !onnx)(`fast style ${onnxName} (binary param) matches its ONNX (input1 0..255 -> output1)`, async () => {
      const model = await convert(styleParam as string, bin as string, 'style');
      const feeds = { input1: image(3, 64, 255) };
      const diff = maxAbsTensorDifference(await runOnnxOnce(model, feeds), await runOnnxOnce(onnx as string, feeds)) / 255;
      process.stdout.write(`style ${onnxName} max abs diff ${diff} (0..1 scale)\n`);
      expect(diff).toBeLessThanOrEqual(1e-3);
    });
  }
});
