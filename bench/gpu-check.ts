// Inference timing per execution provider on full-size frames, for a GPU
// machine (bench/gpu-check.sh runs it once per provider, each in its own
// process so one provider's failure or hang cannot take the others down).
// Usage: node --import tsx bench/gpu-check.ts PROVIDER [CASE...]
// Prints one JSON line per case: provider asked, provider chosen, precision,
// median seconds per run and frames per second, or the error.
import os from 'node:os';
import path from 'node:path';
import { Catalog } from '../engine/models/catalog.ts';
import { ModelResolver } from '../engine/models/model-resolver.ts';
import { modelSearchPath } from '../engine/models/model-search-path.ts';
import { OnnxWorkerBackend } from '../engine/inference/onnx-worker-backend.ts';
import { parseProviderPreference } from '../engine/inference/providers.ts';
import type { TensorMap } from '../engine/inference/tensor.ts';
import { filledTensor, imageTensor } from './inference-timing.ts';

interface GpuCase {
  name: string;
  modelId: string;
  /** 'published' runs the file's own precision (fp16 files in fp16); 'auto' lets the provider choose (fp32 on the CPU). */
  precision: 'auto' | 'published';
  width: number;
  height: number;
  inputs(width: number, height: number): TensorMap;
}

const image = (name: string, scale = 1) => (width: number, height: number): TensorMap => ({ [name]: imageTensor(width, height, scale) });

export const GPU_CASES: readonly GpuCase[] = [
  {
    name: 'rife-v4.6 1920x1088 fp32', modelId: 'rife-v4.6', precision: 'auto', width: 1920, height: 1088,
    inputs: (width, height) => ({ img0: imageTensor(width, height), img1: imageTensor(width, height), timestep: filledTensor([1, 1, height, width], 0.5) }),
  },
  { name: 'realesr-animevideov3-x4 1280x720 fp32', modelId: 'realesr-animevideov3-x4', precision: 'auto', width: 1280, height: 720, inputs: image('input') },
  { name: 'style-candy 1920x1080 fp32', modelId: 'style-candy', precision: 'auto', width: 1920, height: 1080, inputs: image('input1', 255) },
  // fp16 against fp32 on one model published in fp16: the same net in both precisions.
  { name: 'realesr-general-x4v3 1280x720 fp16', modelId: 'realesr-general-x4v3', precision: 'published', width: 1280, height: 720, inputs: image('input') },
  { name: 'realesr-general-x4v3 1280x720 fp32', modelId: 'realesr-general-x4v3', precision: 'auto', width: 1280, height: 720, inputs: image('input') },
];

async function main(): Promise<void> {
  const [providerArg = 'cpu', ...wanted] = process.argv.slice(2);
  const provider = parseProviderPreference(providerArg);
  const runs = Number(process.env.GPU_CHECK_RUNS ?? 5);
  const cacheDir = process.env.GPU_CHECK_CACHE ?? path.join(os.tmpdir(), 'framesmith-gpu-check');
  const catalog = await Catalog.load();
  const resolver = new ModelResolver({ catalog, roots: modelSearchPath(), cacheDir });
  const backend = new OnnxWorkerBackend({ cacheDir, gpuDir: process.env.FRAMESMITH_GPU_DIR });
  // GPU_CHECK_SCALE shrinks every frame (a smoke run on a CPU machine); sizes stay multiples of 32.
  const scale = Number(process.env.GPU_CHECK_SCALE ?? 1);
  const sized = (value: number): number => Math.max(32, Math.round((value * scale) / 32) * 32);
  const cases = GPU_CASES.map((entry) => (scale === 1 ? entry : { ...entry, width: sized(entry.width), height: sized(entry.height) }))
    .filter((entry) => wanted.length === 0 || wanted.some((name) => entry.name.startsWith(name)));
  try {
    for (const entry of cases) {
      const line: Record<string, unknown> = { case: entry.name, size: `${entry.width}x${entry.height}`, provider, runtime: backend.onnxRuntime.source };
      try {
        const model = await resolver.resolve(entry.modelId);
        const session = await backend.open(model, { provider, precision: entry.precision });
        try {
          line.chosen = session.report.chosen;
          line.precision = session.report.precision;
          await session.run(entry.inputs(entry.width, entry.height));
          const times: number[] = [];
          for (let run = 0; run < runs; run += 1) {
            const inputs = entry.inputs(entry.width, entry.height);
            const started = performance.now();
            await session.run(inputs);
            times.push((performance.now() - started) / 1000);
          }
          const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
          line.secondsPerRun = Number(median.toFixed(4));
          line.framesPerSecond = Number((1 / median).toFixed(2));
        } finally {
          await session.release();
        }
      } catch (error) {
        line.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
      }
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  } finally {
    await backend.dispose();
  }
}

await main();
