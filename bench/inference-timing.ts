// Inference-only timing: a model's session run on fixed inputs through the
// same worker backend the engine uses, after a warm-up run.
import { Catalog } from '../engine/models/catalog.ts';
import { ModelResolver } from '../engine/models/model-resolver.ts';
import { modelSearchPath } from '../engine/models/model-search-path.ts';
import { OnnxWorkerBackend } from '../engine/inference/onnx-worker-backend.ts';
import type { ModelSession } from '../engine/inference/inference-backend.ts';
import type { TensorData, TensorMap } from '../engine/inference/tensor.ts';
import { ensureSplitModel } from '../engine/onnx/split-constant-branch.ts';
import { splitManifests } from '../engine/steps/stylize-step.ts';

/** What one model run costs: wall seconds, and CPU seconds over all cores (the worker is a thread of this process). */
export interface RunCost {
  wallSeconds: number;
  cpuSeconds: number;
}

export function addCosts(...costs: RunCost[]): RunCost {
  return { wallSeconds: costs.reduce((sum, cost) => sum + cost.wallSeconds, 0), cpuSeconds: costs.reduce((sum, cost) => sum + cost.cpuSeconds, 0) };
}

export function scaleCost(cost: RunCost, factor: number): RunCost {
  return { wallSeconds: cost.wallSeconds * factor, cpuSeconds: cost.cpuSeconds * factor };
}

export interface InferenceTimer {
  /** Median cost per run of `modelId` on inputs made fresh for each run. */
  secondsPerRun(modelId: string, makeInputs: () => TensorMap, runs: number): Promise<RunCost>;
  /**
   * As the engine runs an arbitrary-style model: split at its per-job inputs,
   * the prelude once, then the median seconds per run of the per-frame part.
   */
  secondsPerSplitRun(modelId: string, jobInputs: TensorMap, makeFrameInputs: () => TensorMap, runs: number): Promise<RunCost>;
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

function copyTensors(tensors: TensorMap): TensorMap {
  return Object.fromEntries(Object.entries(tensors).map(([name, tensor]) => [name, { ...tensor, data: tensor.data.slice() }]));
}

async function timeRuns(session: ModelSession, makeInputs: () => TensorMap, runs: number): Promise<RunCost> {
  await session.run(makeInputs());
  const times: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const inputs = makeInputs();
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await session.run(inputs);
    const used = process.cpuUsage(cpuBefore);
    times.push((performance.now() - started) / 1000);
    cpu.push((used.user + used.system) / 1e6);
  }
  return { wallSeconds: median(times), cpuSeconds: median(cpu) };
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
        return await timeRuns(session, makeInputs, runs);
      } finally {
        await session.release();
      }
    },
    async secondsPerSplitRun(modelId, jobInputs, makeFrameInputs, runs) {
      const model = await resolver.resolve(modelId);
      const files = await ensureSplitModel(model.path, Object.keys(jobInputs), cacheDir);
      const manifests = splitManifests(model.manifest, files);
      if (!manifests) throw new Error(`${modelId} does not split at ${Object.keys(jobInputs).join(', ')}`);
      const prelude = await backend.open({ manifest: manifests.prelude, path: files.preludePath }, { provider: 'auto' });
      const perFrame = await backend.open({ manifest: manifests.perFrame, path: files.perFramePath }, { provider: 'auto' });
      try {
        const preludeOutputs = await prelude.run(copyTensors(Object.fromEntries(files.preludeInputs.map((name) => [name, jobInputs[name] as TensorData]))));
        const boundary = Object.fromEntries(files.boundary.map((tensor) => [tensor.name, preludeOutputs[tensor.name] as TensorData]));
        const passThrough = Object.fromEntries(files.passThrough.map((name) => [name, jobInputs[name] as TensorData]));
        return await timeRuns(perFrame, () => ({ ...makeFrameInputs(), ...copyTensors(boundary), ...copyTensors(passThrough) }), runs);
      } finally {
        await prelude.release();
        await perFrame.release();
      }
    },
    dispose: () => backend.dispose(),
  };
}
