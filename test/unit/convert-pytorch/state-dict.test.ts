// Round trips: state dicts written here byte by byte in each format (zip,
// legacy, safetensors) read back with the same names, shapes and values,
// including float16, bfloat16, int64, a strided (transposed) tensor,
// wrappers (params_ema / state_dict) and DataParallel's "module." prefix.
import { describe, expect, it } from 'vitest';
import { CheckpointFormatError, UnknownArchitectureError, convertPytorchToOnnx, readStateDict } from '../../../engine/convert/pytorch/pytorch-to-onnx.ts';
import type { StateDict } from '../../../engine/convert/pytorch/pytorch-to-onnx.ts';
import { parseStateDict } from '../../../engine/convert/pytorch/state-dict.ts';
import type { WriterTensor } from './checkpoint-writer.ts';
import { safetensors, torchLegacy, torchZip } from './checkpoint-writer.ts';

const sample = new Map<string, WriterTensor>([
  ['conv.weight', { dtype: 'float32', shape: [2, 1, 2, 2], values: [0.1, -0.2, 0.3, -0.4, 1e-3, 2.5, -7, 8.125] }],
  ['conv.bias', { dtype: 'float16', shape: [2], values: [0.5, -1.25] }],
  ['norm.weight', { dtype: 'bfloat16', shape: [3], values: [1, -2.5, 0.15625] }],
  ['norm.num_batches_tracked', { dtype: 'int64', shape: [], values: [123456] }],
  ['linear.weight', { dtype: 'float32', shape: [2, 3], values: [1, 2, 3, 4, 5, 6], transposed: true }],
]);

function expectSample(stateDict: StateDict, prefix = ''): void {
  expect([...stateDict.keys()]).toEqual([...sample.keys()].map((k) => prefix + k));
  for (const [name, tensor] of sample) {
    const read = stateDict.get(prefix + name);
    expect(read?.dtype).toBe(tensor.dtype);
    expect(read?.shape).toEqual(tensor.shape);
    if (tensor.dtype === 'int64') {
      expect(Array.from(read?.data as BigInt64Array)).toEqual(Array.from(tensor.values, (v) => BigInt(v)));
    } else {
      const values = Array.from(read?.data as Float32Array);
      Array.from(tensor.values).forEach((v, i) => expect(values[i]).toBeCloseTo(v, 6));
    }
  }
}

describe('readStateDict round trips', () => {
  it('zip format (torch >= 1.6), with _metadata and any archive folder name', async () => {
    const bytes = torchZip(sample, { metadata: true }, 'my_model');
    expect(parseStateDict(bytes).format).toBe('torch-zip');
    expectSample(await readStateDict(bytes));
  });

  it('legacy format, with storages after the pickle', async () => {
    const bytes = torchLegacy(sample, { metadata: true });
    expect(parseStateDict(bytes).format).toBe('torch-legacy');
    expectSample(await readStateDict(bytes));
  });

  it('safetensors', async () => {
    const bytes = safetensors(new Map([...sample].map(([k, t]) => [k, { ...t, transposed: false }])));
    expect(parseStateDict(bytes).format).toBe('safetensors');
    expectSample(await readStateDict(bytes));
  });

  it('unwraps params_ema and state_dict, and strips module.', async () => {
    expectSample(await readStateDict(torchZip(sample, { wrapper: 'params_ema' })));
    expectSample(await readStateDict(torchLegacy(sample, { wrapper: 'state_dict' })));
    const prefixed = new Map([...sample].map(([k, t]) => [`module.${k}`, t]));
    expectSample(await readStateDict(torchZip(prefixed)));
  });

  it('refuses a truncated legacy file and a truncated safetensors file', async () => {
    const legacy = torchLegacy(sample);
    await expect(readStateDict(legacy.subarray(0, legacy.length - 10))).rejects.toBeInstanceOf(CheckpointFormatError);
    const st = safetensors(new Map([...sample].map(([k, t]) => [k, { ...t, transposed: false }])));
    await expect(readStateDict(st.subarray(0, st.length - 4))).rejects.toBeInstanceOf(CheckpointFormatError);
  });

  it('refuses bytes that are no checkpoint', async () => {
    await expect(readStateDict(new TextEncoder().encode('hello, not a model'))).rejects.toBeInstanceOf(CheckpointFormatError);
  });

  it('names the recognised architectures and the keys for an unknown model', async () => {
    const error = await convertPytorchToOnnx({ files: torchZip(sample) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownArchitectureError);
    const unknown = error as UnknownArchitectureError;
    expect(unknown.recognised).toEqual(['srvgg-compact', 'rrdbnet', 'microast']);
    expect(unknown.userMessage).toContain('conv.weight [2, 1, 2, 2]');
  });
});
