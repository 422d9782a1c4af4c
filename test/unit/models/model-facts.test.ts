// The measurement of a model's padding multiple and scale, against a stand-in
// backend whose "model" runs only where both sides are multiples of a chosen
// number and answers scale x the input: the smallest multiple that runs at
// both measuring sizes wins, smaller ones are rejected with the reason, and
// a measured value that differs from the typed one is kept as a correction.
import { describe, expect, it } from 'vitest';
import { InferenceFailedError, ModelManifestMismatchError } from '../../../common/errors.ts';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import type { InferenceBackend, ModelSession } from '../../../engine/inference/inference-backend.ts';
import type { TensorMap } from '../../../engine/inference/tensor.ts';
import { factCorrections, measurePadMultiple, measureShapes, PAD_MULTIPLE_CANDIDATES, withFacts } from '../../../engine/models/model-facts.ts';

function standIn(required: number, scale: number, runs: [number, number][], channels = 3): InferenceBackend {
  const session: ModelSession = {
    modelId: 'stand-in',
    report: { chosen: 'cpu', attempts: [], precision: 'fp32' },
    async run(inputs: TensorMap): Promise<TensorMap> {
      const [, , height, width] = inputs.img0!.dims as [number, number, number, number];
      runs.push([width, height]);
      if (width % required !== 0 || height % required !== 0) throw new InferenceFailedError('stand-in', { detail: `Concat: mismatched dimensions at ${width}x${height}` });
      return { output: { dtype: 'float32', dims: [1, channels, height * scale, width * scale], data: new Float32Array(channels * height * scale * width * scale) } };
    },
    async release() {},
  };
  return { open: async () => session, availableProviders: async () => [], dispose: async () => undefined };
}

const manifest: ModelManifest = {
  id: 'stand-in', task: 'interpolation', displayName: 'x', description: 'x', scale: 1, file: 'x.onnx', sha256: '0'.repeat(64), sizeBytes: 1,
  inputs: [
    { name: 'img0', dtype: 'float32', shape: [1, 3, 'height', 'width'], role: 'image0' },
    { name: 'img1', dtype: 'float32', shape: [1, 3, 'height', 'width'], role: 'image1' },
    { name: 'timestep', dtype: 'float32', shape: [1, 1, 'height', 'width'], role: 'timestep' },
  ],
  outputs: [{ name: 'output', dtype: 'float32', shape: [1, 3, 'height', 'width'], role: 'output' }],
  layout: 'NCHW', channelOrder: 'RGB', valueRange: [0, 1], padMultiple: 32, clampOutput: true, tileable: false, licence: 'MIT',
};

describe('measureShapes', () => {
  it('gives sides that are odd multiples of m (so not multiples of 2m), both orientations, none under 48', () => {
    for (const multiple of PAD_MULTIPLE_CANDIDATES) {
      const shapes = measureShapes(multiple);
      expect(shapes).toHaveLength(2);
      expect(shapes[1]).toEqual([shapes[0]![1], shapes[0]![0]]);
      for (const side of shapes[0]!) {
        expect(side % multiple).toBe(0);
        expect((side / multiple) % 2).toBe(1);
        expect(side).toBeGreaterThanOrEqual(Math.min(48, multiple));
      }
    }
  });
});

describe('measurePadMultiple', () => {
  for (const required of [1, 16, 32, 64, 128]) {
    it(`finds ${required} for a model that runs only at multiples of ${required}`, async () => {
      const runs: [number, number][] = [];
      const result = await measurePadMultiple(standIn(required, 1, runs), { manifest, path: 'x.onnx' });
      expect(result.padMultiple).toBe(required);
      expect(result.scale).toBe(1);
      expect(result.rejected.map((entry) => entry.multiple)).toEqual(PAD_MULTIPLE_CANDIDATES.filter((multiple) => multiple < required));
      for (const [width, height] of result.shapes) expect(runs).toContainEqual([width, height]);
    });
  }

  it('measures the scale from the same runs', async () => {
    const result = await measurePadMultiple(standIn(4, 3, []), { manifest, path: 'x.onnx' });
    expect(result).toMatchObject({ padMultiple: 4, scale: 3 });
  });

  it('says a model that runs but gives no image (a flow network alone) may be only part of a model', async () => {
    const error = await measurePadMultiple(standIn(1, 1, [], 4), { manifest, path: 'x.onnx' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelManifestMismatchError);
    expect((error as ModelManifestMismatchError).userMessage).toMatch(/4 channels out, not an RGB image.*only part of a model/);
  });

  it('refuses a model that runs at no candidate, with every reason in the detail', async () => {
    const error = await measurePadMultiple(standIn(512, 1, []), { manifest, path: 'x.onnx' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelManifestMismatchError);
    expect((error as ModelManifestMismatchError).detail).toMatch(/multiple 256: .*mismatched dimensions/);
  });
});

describe('withFacts', () => {
  it('puts the measured values in the manifest and keeps the typed one where it differed', () => {
    const facts = {
      padMultiple: { value: 64, source: 'measured' as const, typedValue: 32 },
      scale: { value: 1, source: 'measured' as const },
      layout: { value: 'NCHW' as const, source: 'graph' as const },
      valueRange: { value: [0, 1] as [number, number], source: 'catalog' as const },
      tileable: { value: false, source: 'catalog' as const },
      shapes: [[64, 192], [192, 64]] as [number, number][],
      measuredAt: '2026-12-07T00:00:00.000Z',
    };
    const measured = withFacts(manifest, facts);
    expect(measured.padMultiple).toBe(64);
    expect(measured.facts).toBe(facts);
    expect(factCorrections(facts)).toEqual(['padMultiple: typed 32, measured 64']);
  });
});
