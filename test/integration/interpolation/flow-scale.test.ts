// RIFE v4.6 rewritten for a reduced internal flow scale (Practical-RIFE's
// `scale`): the rewrite finds every block, runs, is cached, and costs a
// bounded amount of PSNR on the pytoflow triplet (which is small: at this size
// scale 0.5 is not what auto would choose; it measures the rewrite works).
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel, readModelFile } from '../../../engine/onnx/onnx-file.ts';
import { ensureFlowScaledModel, scaleRifeFlow } from '../../../engine/onnx/rife-flow-scale.ts';
import { runOnnxOnce } from '../../helpers/direct-onnx.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { mediaAsset, modelAsset } from '../../helpers/shared-assets.ts';

const rife = modelAsset('onnx/interpolation/rife-v4.6.onnx');
const sr = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const triplet = mediaAsset('interpolation/pytoflow/im1.png');

async function planar(file: string): Promise<{ data: Float32Array; width: number; height: number }> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const plane = info.width * info.height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i += 1) for (let c = 0; c < 3; c += 1) out[c * plane + i] = (data[i * 3 + c] as number) / 255;
  return { data: out, width: info.width, height: info.height };
}

function psnr(output: Float32Array, truth: Float32Array): number {
  let squared = 0;
  for (let i = 0; i < truth.length; i += 1) {
    const difference = Math.round(Math.min(1, Math.max(0, output[i] as number)) * 255) - Math.round((truth[i] as number) * 255);
    squared += difference * difference;
  }
  return 10 * Math.log10((255 * 255) / (squared / truth.length));
}

describe.skipIf(!rife || !triplet)('RIFE flow scale rewrite', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir('framesmith-flow-scale-');
  });
  afterAll(async () => {
    await dir?.dispose();
  });

  it('halves every block of rife-v4.6 and stays within 5 dB of scale 1 on the pytoflow triplet', async () => {
    const folder = path.dirname(triplet!);
    const [first, middle, last] = await Promise.all(['im1.png', 'im2.png', 'im3.png'].map((name) => planar(path.join(folder, name))));
    const { width, height } = first!;
    const feeds = (): Record<string, ort.Tensor> => ({
      img0: new ort.Tensor('float32', first!.data.slice(), [1, 3, height, width]),
      img1: new ort.Tensor('float32', last!.data.slice(), [1, 3, height, width]),
      timestep: new ort.Tensor('float32', new Float32Array(width * height).fill(0.5), [1, 1, height, width]),
    });
    const model = await readModelFile(rife!);
    expect(scaleRifeFlow(model, 0.5)).toEqual({ resizes: 8, flowFactors: 5, insertedBlocks: 1 });
    const full = await runOnnxOnce(rife!, feeds());
    const half = await runOnnxOnce(encodeModel(model), feeds());
    const fullDb = psnr(full.data as Float32Array, middle!.data);
    const halfDb = psnr(half.data as Float32Array, middle!.data);
    expect(fullDb).toBeCloseTo(30.62, 1);
    expect(halfDb).toBeGreaterThan(fullDb - 5);
    expect(halfDb).toBeLessThan(fullDb);
  }, 120_000);

  it('is cached by source hash and factor; scale 1 is the file itself', async () => {
    const first = await ensureFlowScaledModel(rife!, 0.5, dir.path);
    expect(path.basename(first)).toMatch(/^rife-v4\.6\.[0-9a-f]{16}\.flow0\.5\.v1\.onnx$/);
    expect(await ensureFlowScaledModel(rife!, 0.5, dir.path)).toBe(first);
    expect(await ensureFlowScaledModel(rife!, 1, dir.path)).toBe(rife);
  });

  it.skipIf(!sr)('refuses a graph without RIFE blocks and says it runs at scale 1', async () => {
    const model = await readModelFile(sr!);
    expect(() => scaleRifeFlow(model, 0.5)).toThrow(/does not have the RIFE v4 block structure .*flow scale 1/);
  });
});
