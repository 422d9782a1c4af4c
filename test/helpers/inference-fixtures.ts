// Hand-built manifests and ResolvedModels for the inference tests, so they do
// not depend on the catalog loader. Fields follow MODELS.md and the files'
// actual I/O (read with engine/onnx/onnx-file.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelManifest } from '../../common/model-manifest.ts';
import type { ResolvedModel } from '../../engine/inference/inference-backend.ts';
import type { TensorData } from '../../engine/inference/tensor.ts';
import { modelAsset } from './shared-assets.ts';

type SrModelId = 'realesr-general-x4v3' | 'realesr-general-wdn-x4v3' | 'realesr-animevideov3-x4';

const SR_MODELS: Record<SrModelId, { file: string; sha256: string; sizeBytes: number; dtype: 'float32' | 'float16'; denoisePartner?: string }> = {
  'realesr-general-x4v3': {
    file: 'onnx/super-resolution/realesr-general-x4v3.fp16.onnx',
    sha256: '08ff2478d4a872733b950e98165b75c0e30c356c4d99082350e67567cf4bb553',
    sizeBytes: 2435917,
    dtype: 'float16',
    denoisePartner: 'realesr-general-wdn-x4v3',
  },
  'realesr-general-wdn-x4v3': {
    file: 'onnx/super-resolution/realesr-general-wdn-x4v3.fp16.onnx',
    sha256: '85770a2f32e2132eca8d478a9bf875eb597463a3efaf8acccb1e4631a21d761a',
    sizeBytes: 2435917,
    dtype: 'float16',
  },
  'realesr-animevideov3-x4': {
    file: 'onnx/super-resolution/realesr-animevideov3-x4.onnx',
    sha256: '58425bdf2a28df7109aeefdc94d1b7366eac85414f6cd6f2fba41259f9d3307f',
    sizeBytes: 2490781,
    dtype: 'float32',
  },
};

export function srManifest(id: SrModelId): ModelManifest {
  const entry = SR_MODELS[id];
  return {
    id,
    task: 'super-resolution',
    displayName: id,
    description: `Real-ESRGAN ${id} (test fixture)`,
    scale: 4,
    file: entry.file,
    sha256: entry.sha256,
    sizeBytes: entry.sizeBytes,
    inputs: [{ name: 'input', dtype: entry.dtype, shape: ['batch_size', 3, 'height', 'width'], role: 'image' }],
    outputs: [{ name: 'output', dtype: entry.dtype, shape: ['batch_size', 3, 'height', 'width'], role: 'output' }],
    layout: 'NCHW',
    channelOrder: 'RGB',
    valueRange: [0, 1],
    padMultiple: 1,
    clampOutput: true,
    tileable: true,
    licence: 'BSD-3-Clause',
    ...(entry.denoisePartner ? { denoisePartner: entry.denoisePartner } : {}),
  };
}

/** The model with its manifest, or undefined (after a loud SKIPPED line) when the file is absent. */
export function srModel(id: SrModelId): ResolvedModel | undefined {
  const file = modelAsset(SR_MODELS[id].file);
  return file ? { manifest: srManifest(id), path: file } : undefined;
}

/** A deterministic smooth RGB test image as an NCHW float32 tensor in 0..1. */
export function testImageTensor(width: number, height: number): TensorData {
  const data = new Float32Array(3 * width * height);
  for (let channel = 0; channel < 3; channel += 1) {
    for (let y = 0; y < height; y += 1) {
      for (let x = 0; x < width; x += 1) {
        const wave = Math.sin((x + 1) * (channel + 1) * 0.37) * Math.cos((y + 2) * 0.23 * (3 - channel));
        data[(channel * height + y) * width + x] = 0.5 + 0.4 * wave;
      }
    }
  }
  return { dtype: 'float32', dims: [1, 3, height, width], data };
}

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'framesmith-inference-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let index = 0; index < a.length; index += 1) max = Math.max(max, Math.abs(a[index]! - b[index]!));
  return max;
}
