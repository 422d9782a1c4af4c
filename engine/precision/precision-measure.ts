// Measures each numeric variant of a model on its reference samples: time per
// run (the fastest of alternating rounds: load from elsewhere on the machine
// only ever adds time, so the fastest round is the one closest to the
// variant's own cost, and alternating makes every variant meet the same
// quiet moments; a median of three once picked fp32 over an int8 that costs
// half its CPU, at a load average of 7 on 2 cores) and quality (PSNR of the
// 8-bit output against the true frame, or against fp32's output). BF16 is probed
// rather than assumed: a one-Conv bf16 graph is offered to the CPU provider,
// and its refusal is the recorded reason.
import { throwIfCancelled } from '../../common/errors.ts';
import type { ModelSession, ResolvedModel } from '../inference/inference-backend.ts';
import type { TensorMap } from '../inference/tensor.ts';
import type { RgbFrame } from '../media/frame.ts';
import { encodeModel, onnx } from '../onnx/onnx-file.ts';
import { tensorToFrame } from '../tasks/image-tensor.ts';
import type { MeasuredPrecision, PrecisionMeasurement, QualityBound } from './precision-picker.ts';
import { copyFeed, type ReferenceSamples } from './reference-samples.ts';

export const PSNR_CEILING_DB = 99;

/** Alternating timing rounds after one warm-up run per variant. */
const ROUNDS = 5;

/** One Conv in bfloat16: a provider that has bf16 kernels accepts it. */
function bf16ProbeModel(): Uint8Array {
  const BF16 = onnx.TensorProto.DataType.BFLOAT16;
  const weights = new Uint16Array(4 * 3 * 3 * 3).fill(0x3c00);
  return encodeModel(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'bf16-probe',
      node: [{ opType: 'Conv', input: ['x', 'w'], output: ['y'], name: 'conv' }],
      initializer: [{ name: 'w', dataType: BF16, dims: [4, 3, 3, 3], rawData: new Uint8Array(weights.buffer) }],
      input: [{ name: 'x', type: { tensorType: { elemType: BF16, shape: { dim: [1, 3, 8, 8].map((dimValue) => ({ dimValue })) } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: BF16 } } }],
    },
  }));
}

/** Undefined when the CPU provider runs bf16 convolutions; otherwise why not. */
export async function bf16Unavailable(): Promise<string | undefined> {
  try {
    // Loaded on demand: the calling thread runs no other sessions, and start-up should not pay for the runtime.
    const { InferenceSession } = await import('onnxruntime-node');
    const session = await InferenceSession.create(bf16ProbeModel(), { executionProviders: ['cpu'] });
    await session.release();
    return undefined;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() ?? '';
    return `the CPU provider of this onnxruntime has no bf16 convolution (${message.slice(0, 160)})`;
  }
}

export interface Variant {
  precision: MeasuredPrecision;
  open(): Promise<ModelSession>;
}

function frames(outputs: TensorMap, outputName: string, range: readonly [number, number]): RgbFrame {
  const tensor = outputs[outputName];
  if (!tensor) throw new Error(`output "${outputName}" missing`);
  return tensorToFrame(tensor, range, { bitDepth: 8, index: 0 });
}

/** PSNR in dB of 8-bit frames over all pairs together; equal frames give PSNR_CEILING_DB (JSON has no Infinity). */
export function psnr8(a: readonly RgbFrame[], b: readonly RgbFrame[]): number {
  let squared = 0;
  let count = 0;
  for (const [index, frame] of a.entries()) {
    const other = b[index] as RgbFrame;
    const length = Math.min(frame.data.length, other.data.length);
    for (let sample = 0; sample < length; sample += 1) {
      const difference = (frame.data[sample] as number) - (other.data[sample] as number);
      squared += difference * difference;
    }
    count += length;
  }
  if (squared === 0) return PSNR_CEILING_DB;
  return Math.min(PSNR_CEILING_DB, 10 * Math.log10((255 * 255) / (squared / count)));
}


/**
 * Times and judges the variants on the evaluation samples. `unavailable`
 * variants are recorded with their reason and not run. The first variant
 * must be fp32 (the baseline for 'against-fp32' bounds).
 */
export async function measureVariants(options: {
  model: ResolvedModel;
  samples: ReferenceSamples;
  bound: QualityBound;
  variants: readonly Variant[];
  unavailable: readonly PrecisionMeasurement[];
  signal?: AbortSignal;
}): Promise<PrecisionMeasurement[]> {
  const { model, samples, signal } = options;
  const outputName = model.manifest.outputs[0]?.name ?? 'output';
  const range = model.manifest.valueRange;
  const opened: { variant: Variant; session: ModelSession; times: number[]; outputs: RgbFrame[] }[] = [];
  try {
    for (const variant of options.variants) opened.push({ variant, session: await variant.open(), times: [], outputs: [] });
    for (const entry of opened) await entry.session.run(copyFeed(samples.evaluation[0] as TensorMap), { signal });
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const entry of opened) {
        throwIfCancelled(signal);
        const outputs: RgbFrame[] = [];
        const started = performance.now();
        for (const feed of samples.evaluation) outputs.push(frames(await entry.session.run(copyFeed(feed), { signal }), outputName, range));
        entry.times.push((performance.now() - started) / samples.evaluation.length);
        entry.outputs = outputs;
      }
    }
  } finally {
    await Promise.all(opened.map((entry) => entry.session.release()));
  }
  const baseline = opened[0]?.outputs ?? [];
  const measured = opened.map((entry): PrecisionMeasurement => ({
    precision: entry.variant.precision,
    available: true,
    msPerRun: Math.min(...entry.times),
    psnrDb: options.bound.kind === 'loss-against-truth' ? psnr8(entry.outputs, samples.truth ?? []) : psnr8(entry.outputs, baseline),
  }));
  return [...measured, ...options.unavailable];
}
