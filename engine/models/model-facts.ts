// What the engine must know about a model, learned from the model instead of
// trusted from a typed table. The padding multiple is measured: for each
// candidate m (powers of two, smallest first) the model runs at two sizes
// whose sides are odd multiples of m (so they are not multiples of 2m), in
// both orientations, and m is the smallest for which both runs give an output
// of exactly scale x the input. A typed 32 for a graph that needs 64 (RIFE
// v4.25 at 1280x720 pads to 736, which is not a multiple of 64) therefore
// cannot reach a job. The scale comes from the same runs; the layout from the
// graph's input shape; whether the model tiles from its operators (a global
// statistic such as InstanceNormalization makes tiles disagree). The value
// range cannot be read from a graph and stays as typed, marked so.
import { CancelledError, ModelManifestMismatchError, isCancellation, throwIfCancelled } from '../../common/errors.ts';
import type { FactSource, ModelFacts, ModelManifest } from '../../common/model-manifest.ts';
import type { InferenceBackend, ResolvedModel } from '../inference/inference-backend.ts';
import { readModelFile } from '../onnx/onnx-file.ts';
import { syntheticInputs } from './model-trial-run.ts';

/** Candidates for the padding multiple, smallest first. */
export const PAD_MULTIPLE_CANDIDATES: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** Sides of the measuring runs are at least this many pixels, so tiny inputs do not fail for other reasons. */
const MIN_MEASURE_SIDE = 48;

/** Operators whose output at a pixel depends on the whole frame: such a model does not tile. */
const GLOBAL_OPERATORS: ReadonlySet<string> = new Set([
  'InstanceNormalization', 'GlobalAveragePool', 'GlobalMaxPool', 'GlobalLpPool', 'ReduceMean', 'ReduceMax', 'ReduceSum', 'MeanVarianceNormalization',
]);

/** The two measuring sizes for multiple m: sides m*k and m*(k+2) with k odd, in both orientations. */
export function measureShapes(multiple: number): [number, number][] {
  let k = Math.max(1, Math.ceil(MIN_MEASURE_SIDE / multiple));
  if (k % 2 === 0) k += 1;
  const small = multiple * k;
  const large = multiple * (k + 2);
  return [[small, large], [large, small]];
}

export interface PadMeasurement {
  padMultiple: number;
  scale: number;
  /** The sizes (width, height) that ran with the winning multiple. */
  shapes: [number, number][];
  /** Why each smaller candidate failed, for logs. */
  rejected: { multiple: number; reason: string }[];
}

/** `ran`: the model ran but its output was not an image of a whole scale of the input. */
type RunOutcome = { ok: true; scale: number } | { ok: false; reason: string; ran: boolean };

/**
 * Measures the padding multiple and scale of `model` by running it (see the
 * header). Throws ModelManifestMismatchError when no candidate up to the
 * largest runs, CancelledError on cancel.
 */
export async function measurePadMultiple(backend: InferenceBackend, model: ResolvedModel, options: { signal?: AbortSignal; candidates?: readonly number[] } = {}): Promise<PadMeasurement> {
  const { manifest } = model;
  const candidates = options.candidates ?? PAD_MULTIPLE_CANDIDATES;
  const session = await backend.open(model, { provider: 'cpu' });
  const image = manifest.outputs.find((spec) => spec.role === 'output') ?? manifest.outputs[0];
  const runAt = async (width: number, height: number): Promise<RunOutcome> => {
    throwIfCancelled(options.signal);
    let outputs;
    try {
      outputs = await session.run(syntheticInputs(manifest, width, height), { signal: options.signal, quiet: true });
    } catch (error) {
      if (isCancellation(error) || options.signal?.aborted) throw error instanceof CancelledError ? error : new CancelledError({ cause: error });
      const detail = (error as { detail?: string }).detail ?? (error as Error).message;
      return { ok: false, reason: `${width}x${height} did not run (${detail.split('\n')[0]})`, ran: false };
    }
    const output = image ? outputs[image.name] : undefined;
    if (!output || output.dims.length !== 4) return { ok: false, reason: `${width}x${height} gave no 4-d output`, ran: true };
    const [channels, outHeight, outWidth] = [output.dims[1]!, output.dims[2]!, output.dims[3]!];
    if (channels !== 3) return { ok: false, reason: `${width}x${height} gave ${channels} channels out, not an RGB image`, ran: true };
    if (outHeight % height !== 0 || outWidth % width !== 0 || outHeight / height !== outWidth / width) {
      return { ok: false, reason: `${width}x${height} in gave ${outWidth}x${outHeight} out, not a whole scale of the input`, ran: true };
    }
    for (const value of output.data) {
      if (!Number.isFinite(value)) return { ok: false, reason: `${width}x${height} gave NaN or infinite values`, ran: true };
    }
    return { ok: true, scale: outHeight / height };
  };
  const rejected: PadMeasurement['rejected'] = [];
  let ranWithoutImage: string | undefined;
  try {
    for (const multiple of candidates) {
      const shapes = measureShapes(multiple);
      const scales: number[] = [];
      let failure: string | undefined;
      for (const [width, height] of shapes) {
        const outcome = await runAt(width, height);
        if (!outcome.ok) {
          failure = outcome.reason;
          if (outcome.ran) ranWithoutImage = outcome.reason;
          break;
        }
        scales.push(outcome.scale);
      }
      if (failure === undefined && scales.every((scale) => scale === scales[0])) {
        return { padMultiple: multiple, scale: scales[0]!, shapes, rejected };
      }
      rejected.push({ multiple, reason: failure ?? `scales differ between sizes (${scales.join(', ')})` });
    }
  } finally {
    await session.release();
  }
  const largest = candidates[candidates.length - 1];
  const problem = ranWithoutImage
    ? `it runs but does not give an image of a whole scale of its input (${ranWithoutImage}); the file may hold only part of a model`
    : `it ran at no size that is a multiple of ${largest} or less`;
  throw new ModelManifestMismatchError(manifest.id, problem, {
    detail: rejected.map((entry) => `multiple ${entry.multiple}: ${entry.reason}`).join('\n'),
  });
}

/** Whether the graph's operators allow independent tiles, or undefined when the file cannot be read. */
export async function graphTileable(file: string): Promise<boolean | undefined> {
  try {
    const model = await readModelFile(file);
    return !(model.graph?.node ?? []).some((node) => GLOBAL_OPERATORS.has(node.opType ?? ''));
  } catch {
    return undefined;
  }
}

/** The layout read from the first image input's shape: NCHW when axis 1 holds 3 channels. */
function graphLayout(manifest: Pick<ModelManifest, 'inputs'>): boolean {
  const image = manifest.inputs.find((spec) => spec.role !== 'timestep' && spec.role !== 'alpha');
  return image !== undefined && image.shape.length === 4 && image.shape[1] === 3;
}

function fact<T>(typed: T, measured: T | undefined, source: FactSource, same: (a: T, b: T) => boolean = (a, b) => a === b) {
  if (measured === undefined) return { value: typed, source: 'catalog' as FactSource };
  return same(typed, measured) ? { value: measured, source } : { value: measured, source, typedValue: typed };
}

/**
 * Measures the facts of a model whose manifest holds the typed values
 * (`typedSource`: the catalog's, or an import's defaults). The result is
 * applied with `withFacts`.
 */
export async function measureModelFacts(backend: InferenceBackend, model: ResolvedModel, options: { signal?: AbortSignal; typedSource?: 'catalog' | 'default' } = {}): Promise<ModelFacts> {
  const { manifest } = model;
  const typedSource = options.typedSource ?? 'catalog';
  const pad = await measurePadMultiple(backend, model, options);
  const tiles = await graphTileable(model.path);
  const tileable = tiles === false ? fact(manifest.tileable, false, 'graph') : { value: manifest.tileable, source: typedSource };
  return {
    padMultiple: fact(manifest.padMultiple, pad.padMultiple, 'measured'),
    scale: fact(manifest.scale, pad.scale, 'measured'),
    layout: graphLayout(manifest) ? { value: 'NCHW', source: 'graph' } : { value: 'NCHW', source: typedSource },
    valueRange: { value: manifest.valueRange, source: typedSource },
    tileable,
    shapes: pad.shapes,
    measuredAt: new Date().toISOString(),
  };
}

/** The manifest with its facts recorded and the measured values in its fields (measured wins). */
export function withFacts(manifest: ModelManifest, facts: ModelFacts): ModelManifest {
  return {
    ...manifest,
    padMultiple: facts.padMultiple.value,
    scale: facts.scale.value,
    tileable: facts.tileable.value,
    facts,
  };
}

/** Facts whose measured value differs from the typed one, as "field: typed X, measured Y". */
export function factCorrections(facts: ModelFacts): string[] {
  const corrections: string[] = [];
  for (const key of ['padMultiple', 'scale', 'tileable'] as const) {
    const entry = facts[key];
    if (entry.typedValue !== undefined) corrections.push(`${key}: typed ${String(entry.typedValue)}, ${entry.source} ${String(entry.value)}`);
  }
  return corrections;
}
