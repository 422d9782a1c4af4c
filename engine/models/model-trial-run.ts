// Runs a model on synthetic inputs of a chosen size: the check after an
// install or import (it loads, it runs, its output is finite, and its scale
// is the output size over the input size), and the benchmark. Runs go
// through the inference backend (a worker thread), like every other run.
import { InferenceFailedError, throwIfCancelled } from '../../common/errors.ts';
import type { ModelBenchmark } from '../../common/api/api-types.ts';
import { expectPositiveInteger } from '../../common/validation.ts';
import type { ModelManifest, TensorSpec } from '../../common/model-manifest.ts';
import type { InferenceBackend, ProviderPreference, ResolvedModel } from '../inference/inference-backend.ts';
import type { TensorMap } from '../inference/tensor.ts';

function syntheticInput(spec: TensorSpec, manifest: Pick<ModelManifest, 'valueRange'>, width: number, height: number, seed: number): TensorMap[string] {
  const dims = spec.shape.map((dim, axis) => {
    if (typeof dim === 'number') return dim;
    if (spec.shape.length === 4 && axis === 2) return spec.role === 'alpha' ? 1 : height;
    if (spec.shape.length === 4 && axis === 3) return spec.role === 'alpha' ? 1 : width;
    if (axis === 1) return spec.role === 'timestep' || spec.role === 'alpha' ? 1 : 3;
    return 1;
  });
  const count = dims.reduce((product, dim) => product * dim, 1);
  const data = new Float32Array(count);
  const [low, high] = manifest.valueRange;
  let state = seed >>> 0 || 1;
  for (let index = 0; index < count; index += 1) {
    if (spec.role === 'timestep' || spec.role === 'alpha') {
      data[index] = 0.5;
      continue;
    }
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[index] = low + ((state >>> 8) / 0x1000000) * (high - low);
  }
  return { dtype: 'float32', dims, data };
}

export function syntheticInputs(manifest: Pick<ModelManifest, 'inputs' | 'valueRange'>, width: number, height: number): TensorMap {
  const inputs: TensorMap = {};
  manifest.inputs.forEach((spec, index) => {
    inputs[spec.name] = syntheticInput(spec, manifest, width, height, index + 1);
  });
  return inputs;
}

export interface TrialResult {
  /** Output height over input height (an integer for the models here). */
  scale: number;
  outputDims: number[];
  provider: string;
}

/** The smallest square side >= 16 that the model's pad multiple allows. */
export function trialSize(padMultiple: number): number {
  return Math.max(16, Math.ceil(16 / padMultiple) * padMultiple);
}

/**
 * Runs `model` once on a small input. Throws InferenceFailedError when the
 * output is missing, not an image, not finite or not an integer scale.
 */
export async function trialRun(backend: InferenceBackend, model: ResolvedModel, options: { signal?: AbortSignal; provider?: ProviderPreference } = {}): Promise<TrialResult> {
  const { manifest } = model;
  const size = trialSize(manifest.padMultiple);
  const session = await backend.open(model, { provider: options.provider ?? 'cpu' });
  try {
    throwIfCancelled(options.signal);
    const outputs = await session.run(syntheticInputs(manifest, size, size), { signal: options.signal });
    const image = manifest.outputs.find((spec) => spec.role === 'output') ?? manifest.outputs[0];
    const output = image ? outputs[image.name] : undefined;
    if (!output || output.dims.length !== 4) {
      throw new InferenceFailedError(manifest.id, { detail: `trial run: no 4-d output "${image?.name ?? '?'}" (got ${Object.keys(outputs).join(', ')})` });
    }
    for (const value of output.data) {
      if (!Number.isFinite(value)) throw new InferenceFailedError(manifest.id, { detail: 'trial run: the output holds NaN or infinite values' });
    }
    const height = output.dims[2]!;
    const width = output.dims[3]!;
    if (height % size !== 0 || width % size !== 0 || height / size !== width / size) {
      throw new InferenceFailedError(manifest.id, { detail: `trial run: ${size}x${size} in gave ${width}x${height} out, not a whole scale` });
    }
    return { scale: height / size, outputDims: output.dims, provider: session.report.chosen };
  } finally {
    await session.release();
  }
}

export interface BenchmarkOptions {
  width: number;
  height: number;
  provider?: ProviderPreference;
  /** Timed runs after one warm-up run. */
  runs?: number;
  threads?: number;
  signal?: AbortSignal;
}

/** Runs per second of `model` on width x height inputs (rounded up to its pad multiple). */
export async function benchmarkModel(backend: InferenceBackend, model: ResolvedModel, options: BenchmarkOptions): Promise<ModelBenchmark> {
  const { manifest } = model;
  const runs = options.runs ?? 3;
  expectPositiveInteger('width', options.width);
  expectPositiveInteger('height', options.height);
  expectPositiveInteger('runs', runs);
  const width = Math.ceil(options.width / manifest.padMultiple) * manifest.padMultiple;
  const height = Math.ceil(options.height / manifest.padMultiple) * manifest.padMultiple;
  const session = await backend.open(model, { provider: options.provider ?? 'auto', threads: options.threads });
  try {
    await session.run(syntheticInputs(manifest, width, height), { signal: options.signal });
    const started = performance.now();
    for (let run = 0; run < runs; run += 1) {
      throwIfCancelled(options.signal);
      await session.run(syntheticInputs(manifest, width, height), { signal: options.signal });
    }
    const elapsedMs = performance.now() - started;
    return { modelId: manifest.id, provider: session.report.chosen, width, height, runs, runsPerSecond: (runs * 1000) / elapsedMs, meanMs: elapsedMs / runs };
  } finally {
    await session.release();
  }
}
