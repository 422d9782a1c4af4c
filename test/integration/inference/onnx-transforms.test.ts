// fp16 -> fp32 conversion and weight blending on the real Real-ESRGAN files,
// checked by running them with the real onnxruntime on a tiny image.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { float32ToFloat16Array, float16ToFloat32Array } from '../../../engine/onnx/float16.ts';
import { convertModelToFp32, ensureFp32Model, isFp16Model } from '../../../engine/onnx/fp16-to-fp32.ts';
import { ELEMENT_TYPE, decodeModel, encodeModel, readModelFile } from '../../../engine/onnx/onnx-file.ts';
import { readGraphIo } from '../../../engine/onnx/onnx-graph-io.ts';
import type { ModelProto, TensorProto } from '../../../engine/onnx/onnx-file.ts';
import { readFloatTensor } from '../../../engine/onnx/tensor-proto.ts';
import { blendModelFiles, blendModels } from '../../../engine/onnx/weight-blend.ts';
import { maxAbsDifference, srModel, testImageTensor, withTempDir } from '../../helpers/inference-fixtures.ts';

const general = srModel('realesr-general-x4v3');
const wdn = srModel('realesr-general-wdn-x4v3');
const anime = srModel('realesr-animevideov3-x4');

async function upscale(model: string | Uint8Array, width = 32, height = 24): Promise<Float32Array> {
  const session = await InferenceSession.create(model as string, { intraOpNumThreads: 2 });
  try {
    const image = testImageTensor(width, height);
    const fp16 = session.inputMetadata[0]?.isTensor && session.inputMetadata[0].type === 'float16';
    const input = fp16 ? new Tensor('float16', float32ToFloat16Array(image.data as Float32Array), image.dims) : new Tensor('float32', image.data, image.dims);
    const output = (await session.run({ input })).output!;
    return output.type === 'float16' ? float16ToFloat32Array(output.data as Uint16Array) : (output.data as Float32Array);
  } finally {
    await session.release();
  }
}

function initializers(model: ModelProto): TensorProto[] {
  return model.graph?.initializer ?? [];
}

function meanAbsDifference(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index += 1) sum += Math.abs(a[index]! - b[index]!);
  return sum / a.length;
}

describe.skipIf(!general || !wdn || !anime)('onnx files', () => {
  it('converts fp16 to fp32 with the same output, once, and reuses the cached file', async () => {
    await withTempDir(async (cacheDir) => {
      const first = await ensureFp32Model(general!.path, cacheDir);
      expect(first.converted).toBe(true);
      const converted = await readModelFile(first.path);
      expect(isFp16Model(converted)).toBe(false);
      expect((await readGraphIo(first.path)).inputs[0]?.elementType).toBe('float32');
      expect(initializers(converted).every((tensor) => tensor.dataType !== ELEMENT_TYPE.FLOAT16)).toBe(true);
      const before = await stat(first.path);

      const second = await ensureFp32Model(general!.path, cacheDir);
      expect(second).toEqual({ path: first.path, converted: false });
      expect((await stat(second.path)).mtimeMs).toBe(before.mtimeMs);
      expect((await readdir(cacheDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

      const fromFp16 = await upscale(general!.path);
      const fromFp32 = await upscale(first.path);
      expect(fromFp32.length).toBe(3 * 96 * 128);
      expect(maxAbsDifference(fromFp16, fromFp32)).toBeLessThan(2 / 255);
      expect(meanAbsDifference(fromFp16, fromFp32)).toBeLessThan(1 / 1024);
    });
  });

  it('leaves an fp32 model unchanged and names the cache file after the source hash', async () => {
    const model = await readModelFile(anime!.path);
    expect(isFp16Model(model)).toBe(false);
    expect(convertModelToFp32(model)).toBe(0);
    await withTempDir(async (cacheDir) => {
      const result = await ensureFp32Model(general!.path, cacheDir);
      expect(path.basename(result.path)).toMatch(/^realesr-general-x4v3\.08ff2478d4a87273\.v\d+\.fp32\.onnx$/);
    });
  });

  describe('denoise-strength blending', () => {
    it('gives the general model at s=1, the wdn model at s=0 and something between at s=0.5', async () => {
      await withTempDir(async (cacheDir) => {
        const generalFp32 = (await ensureFp32Model(general!.path, cacheDir)).path;
        const wdnFp32 = (await ensureFp32Model(wdn!.path, cacheDir)).path;
        const plainGeneral = await upscale(generalFp32);
        const plainWdn = await upscale(wdnFp32);
        const strong = await upscale(await blendModelFiles(generalFp32, wdnFp32, 1));
        const weak = await upscale(await blendModelFiles(generalFp32, wdnFp32, 0));
        const half = await upscale(await blendModelFiles(generalFp32, wdnFp32, 0.5));
        expect(maxAbsDifference(strong, plainGeneral)).toBeLessThan(1e-6);
        expect(maxAbsDifference(weak, plainWdn)).toBeLessThan(1e-6);
        const apart = meanAbsDifference(plainGeneral, plainWdn);
        expect(apart).toBeGreaterThan(1e-3);
        expect(meanAbsDifference(half, plainGeneral)).toBeGreaterThan(apart / 10);
        expect(meanAbsDifference(half, plainWdn)).toBeGreaterThan(apart / 10);
        expect(meanAbsDifference(half, plainGeneral)).toBeLessThan(apart);
        expect(meanAbsDifference(half, plainWdn)).toBeLessThan(apart);
      });
    });

    it('blends every weight to s*a + (1-s)*b, keeping fp16 files fp16', async () => {
      const a = await readModelFile(general!.path);
      const b = await readModelFile(wdn!.path);
      const blended = blendModels(decodeModel(encodeModel(a)), b, 0.25);
      const index = initializers(blended).findIndex((tensor) => tensor.name === 'body.0.weight');
      const got = readFloatTensor(initializers(blended)[index]!);
      const left = readFloatTensor(initializers(a)[index]!);
      const right = readFloatTensor(initializers(b).find((tensor) => tensor.name === 'body.0.weight')!);
      expect(initializers(blended)[index]!.dataType).toBe(ELEMENT_TYPE.FLOAT16);
      const expected = left.map((value, position) => 0.25 * value + 0.75 * right[position]!);
      expect(maxAbsDifference(got, expected)).toBeGreaterThan(0);
      expect(maxAbsDifference(got, float16ToFloat32Array(float32ToFloat16Array(expected)))).toBe(0);
    });

    it('refuses models of different architectures with MODEL_MANIFEST_MISMATCH', async () => {
      const a = await readModelFile(general!.path);
      await expect(blendModelFiles(general!.path, anime!.path, 0.5, { primary: 'realesr-general-x4v3', partner: 'realesr-animevideov3-x4' }))
        .rejects.toMatchObject({ code: 'MODEL_MANIFEST_MISMATCH', message: expect.stringContaining('realesr-animevideov3-x4') });
      const reshaped = decodeModel(encodeModel(a));
      initializers(reshaped)[0]!.dims = [3, 64, 3, 3];
      expect(() => blendModels(decodeModel(encodeModel(a)), reshaped, 0.5)).toThrow(/shape \[64x3x3x3\] against \[3x64x3x3\]/);
    });

    it('refuses a strength outside 0..1 with INVALID_ARGUMENT', async () => {
      const a = await readModelFile(general!.path);
      expect(() => blendModels(a, a, 1.5)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }) as unknown as Error);
    });
  });
});
