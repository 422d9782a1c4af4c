// Running an ONNX model directly with onnxruntime-node, outside the engine's
// worker: the reference side of conversion tests.
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { maxAbsDifference } from './inference-fixtures.ts';

/** The first output of one run of `model` (a path or bytes) on `feeds`; the session is released. */
export async function runOnnxOnce(model: Uint8Array | string, feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
  const session = typeof model === 'string'
    ? await ort.InferenceSession.create(model, { intraOpNumThreads: 2 })
    : await ort.InferenceSession.create(model, { intraOpNumThreads: 2 });
  try {
    const result = await session.run(feeds);
    return result[session.outputNames[0] as string] as ort.Tensor;
  } finally {
    await session.release();
  }
}

/** Largest absolute difference of two float tensors, after checking their shapes agree. */
export function maxAbsTensorDifference(a: ort.Tensor, b: ort.Tensor): number {
  expect(a.dims).toEqual(b.dims);
  return maxAbsDifference(a.data as Float32Array, b.data as Float32Array);
}
