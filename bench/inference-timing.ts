// Inference-only timing: a model's session run on fixed inputs through the
// same worker backend the engine uses (with its lanes for parallel runs),
// after a warm-up run.
import { Catalog } from '../engine/models/catalog.ts';
import { ModelResolver } from '../engine/models/model-resolver.ts';
import { modelSearchPath } from '../engine/models/model-search-path.ts';
import { LanedBackend, LanedSession, MAX_CPU_LANES } from '../engine/inference/laned-backend.ts';
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
  /**
   * Median cost per run of `modelId` on inputs made fresh for each run; with
   * `parallelRuns` above 1, that many runs are kept in flight as the engine's
   * stage keeps them (on the CPU, side by side on lanes) and the cost is the
   * whole time over the runs.
   */
  secondsPerRun(modelId: string, makeInputs: () => TensorMap, runs: number, parallelRuns?: number): Promise<RunCost>;
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

/** `runs` runs with `parallel` of them in flight at any time: the mean cost per run. */
async function timeParallelRuns(session: ModelSession, makeInputs: () => TensorMap, runs: number, parallel: number): Promise<RunCost> {
  if (session instanceof LanedSession) await session.lanesOpened();
  await Promise.all(Array.from({ length: parallel }, () => session.run(makeInputs())));
  const total = Math.max(runs, 2 * parallel);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let issued = 0;
  const lane = async (): Promise<void> => {
    while (issued < total) {
      issued += 1;
      await session.run(makeInputs());
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  const used = process.cpuUsage(cpuBefore);
  return { wallSeconds: (performance.now() - started) / 1000 / total, cpuSeconds: (used.user + used.system) / 1e6 / total };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function createInferenceTimer(cacheDir: string): Promise<InferenceTimer> {
  const catalog = await Catalog.load();
  const resolver = new ModelResolver({ catalog, roots: modelSearchPath(), cacheDir });
  // The engine's lanes (session-pool.ts): one worker thread per lane.
  const lanes = Array.from({ length: MAX_CPU_LANES }, () => new OnnxWorkerBackend({ cacheDir }));
  const backend = new LanedBackend(lanes, (lanes[0] as OnnxWorkerBackend).threads);
  return {
    async secondsPerRun(modelId, makeInputs, runs, parallelRuns = 1) {
      const session = await backend.open(await resolver.resolve(modelId), { provider: 'auto', parallelRuns });
      try {
        return parallelRuns > 1 ? await timeParallelRuns(session, makeInputs, runs, parallelRuns) : await timeRuns(session, makeInputs, runs);
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
