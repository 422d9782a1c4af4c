// Inference-only timing: a model's session run on fixed inputs through the
// same worker backend the engine uses, after a warm-up run.
import { Catalog } from '../engine/models/catalog.ts';
import { ModelResolver } from '../engine/models/model-resolver.ts';
import { modelSearchPath } from '../engine/models/model-search-path.ts';
import { OnnxWorkerBackend } from '../engine/inference/onnx-worker-backend.ts';
import type { TensorData, TensorMap } from '../engine/inference/tensor.ts';

export interface InferenceTimer {
  /** Median seconds per run of `modelId` on inputs made fresh for each run. */
  secondsPerRun(modelId: string, makeInputs: () => TensorMap, runs: number): Promise<number>;
  dispose(): Promise<void>;
}

export function imageTensor(width: number, height: number, scale = 1): TensorData {
  const data = new Float32Array(3 * width * height);
  for (let i = 0; i < data.length; i += 1) data[i] = (((i * 2654435761) >>> 0) % 1000) / 1000 * scale;
  return { dtype: 'float32', dims: [1, 3, height, width], data };
}

export function filledTensor(dims: number[], value: number): TensorData {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value);
  return { dtype: 'float32', dims, data };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function createInferenceTimer(cacheDir: string): Promise<InferenceTimer> {
  const catalog = await Catalog.load();
  const resolver = new ModelResolver({ catalog, roots: modelSearchPath(), cacheDir });
  const backend = new OnnxWorkerBackend({ cacheDir });
  return {
    async secondsPerRun(modelId, makeInputs, runs) {
      const session = await backend.open(await resolver.resolve(modelId), { provider: 'auto' });
      try {
        await session.run(makeInputs());
        const times: number[] = [];
        for (let run = 0; run < runs; run += 1) {
          const inputs = makeInputs();
          const started = performance.now();
          await session.run(inputs);
          times.push((performance.now() - started) / 1000);
        }
        return median(times);
      } finally {
        await session.release();
      }
    },
    dispose: () => backend.dispose(),
  };
}
