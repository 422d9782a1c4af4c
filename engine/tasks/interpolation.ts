// Frame interpolation (RIFE) as a 1:N frame stage. Whole frames, padded to the
// model's multiple (replicating the last row and column) and cropped back;
// flow needs the whole picture, so there is no tiling.
//
// The stage plans every output frame with InterpolationPlanner (exact timing,
// scene cuts, duplicates) and keeps up to MAX_IN_FLIGHT model runs queued at
// the worker: while the worker runs one pair, this thread decodes, analyses
// and converts the next, so the orchestrating thread never makes the worker
// wait. On the CPU the session runs the queued pairs side by side on two
// worker threads (laned-backend.ts). Each source frame is converted to a float tensor once and copied per
// run (a run transfers its input buffers away).
//
// Quality mode (test-time augmentation) runs the pair as is, mirrored left to
// right, and time-swapped (img1, img0, 1 - t), maps the results back and
// averages them: three runs per output frame.
//
// Resume (resumeAt): the planner's state at output frame k depends on the
// duplicate and scene-cut facts of every source frame before it, so a resumed
// run reads the input from frame 0 again, pushes the facts of every frame as
// a full run does, and drops the actions for output frames before k without
// preparing a tensor or running the model; from k on it is the full run.
// The facts are computed on the frames the stage receives, so this is exact
// only where those are the decoded source frames (the stage first in its
// chain, see resume-policy.ts).
//
// Bounded start (resumeAt(k, s)): the input begins at source frame s. The
// action of an output frame over source frame f reads the duplicate facts of
// frames f - maxHold .. f (further back only decides that a run is a hold,
// which a run reaching back past f - maxHold is either way), and the facts of
// the next distinct frame after f. So frames before s count as distinct
// frames without a cut (frame s, with no predecessor, too), and every output
// frame over f >= s + maxHold plans as in a full run; the chain plan's
// context (maxHold + 1 frames with dedup, 1 without) keeps k past that. A
// segment then decodes its range plus the context, not the film before it.
import { BugError, InvalidArgumentError, ModelManifestMismatchError, throwIfCancelled } from '../../common/errors.ts';
import type { ModelManifest } from '../../common/model-manifest.ts';
import { formatRational, toNumber, type Rational } from '../../common/rational.ts';
import type { ModelSession } from '../inference/inference-backend.ts';
import type { TensorData } from '../inference/tensor.ts';
import { roundUpToMultiple } from '../inference/tiling.ts';
import type { RgbFrame } from '../media/frame.ts';
import type { FrameGeometry, FrameStage, TimeStretch } from '../pipeline/frame-stage.ts';
import { frameToTensor, tensorToFrame, type ValueRange } from './image-tensor.ts';
import { DEFAULT_SCENE_THRESHOLD, frameFacts, frameSignature, type FrameSignature } from './interpolation-scene.ts';
import {
  DEFAULT_MAX_HOLD,
  InterpolationPlanner,
  sourcePosition,
  interpolationTiming,
  outputFrameCount,
  type InterpolationAction,
  type InterpolationMode,
} from './interpolation-timing.ts';

const MAX_IN_FLIGHT = 2;

/** Model runs the stage keeps in flight at once: on the CPU its session runs them side by side. */
export const INTERPOLATION_PARALLEL_RUNS = MAX_IN_FLIGHT;

export interface InterpolatorOptions {
  session: ModelSession;
  manifest: ModelManifest;
  /** Test-time augmentation: three runs per frame, a little better. */
  quality?: boolean;
}

interface ModelNames {
  image0: string;
  image1: string;
  timestep: string;
  output: string;
}

function modelNames(manifest: ModelManifest): ModelNames {
  if (manifest.task !== 'interpolation') {
    throw new InvalidArgumentError(`Model "${manifest.id}" is a ${manifest.task} model, not an interpolation model. Choose an interpolation model such as rife-v4.6.`);
  }
  const input = (role: string) => manifest.inputs.find((spec) => spec.role === role)?.name;
  const image0 = input('image0');
  const image1 = input('image1');
  const timestep = input('timestep');
  const output = manifest.outputs.find((spec) => spec.role === 'output')?.name ?? (manifest.outputs.length === 1 ? manifest.outputs[0]?.name : undefined);
  if (!image0 || !image1 || !timestep || !output) {
    throw new ModelManifestMismatchError(manifest.id, 'its manifest lacks the image0, image1 and timestep inputs or the output');
  }
  return { image0, image1, timestep, output };
}

/** A frame converted for the model: padded planar floats, and the mirror image for quality mode. */
export class PreparedFrame {
  private mirrored: Float32Array | undefined;

  constructor(
    readonly frame: RgbFrame,
    readonly planes: Float32Array,
    readonly paddedWidth: number,
    readonly paddedHeight: number,
  ) {}

  mirror(): Float32Array {
    this.mirrored ??= mirrorPlanes(this.planes, this.paddedWidth);
    return this.mirrored;
  }
}

function mirrorPlanes(source: Float32Array, width: number): Float32Array {
  const out = new Float32Array(source.length);
  const rows = source.length / width;
  for (let row = 0; row < rows; row += 1) {
    const start = row * width;
    const last = start + width - 1;
    for (let x = 0; x < width; x += 1) out[start + x] = source[last - x];
  }
  return out;
}

/** Runs RIFE on pairs of prepared frames with one session. */
export class FrameInterpolator {
  private readonly names: ModelNames;
  private readonly range: ValueRange;
  private readonly padMultiple: number;

  constructor(private readonly options: InterpolatorOptions) {
    this.names = modelNames(options.manifest);
    this.range = options.manifest.valueRange;
    this.padMultiple = Math.max(1, options.manifest.padMultiple ?? 1);
  }

  prepare(frame: RgbFrame): PreparedFrame {
    const paddedWidth = roundUpToMultiple(frame.width, this.padMultiple);
    const paddedHeight = roundUpToMultiple(frame.height, this.padMultiple);
    const tensor = frameToTensor(frame, this.range, { paddedWidth, paddedHeight });
    return new PreparedFrame(frame, tensor.data as Float32Array, paddedWidth, paddedHeight);
  }

  private async runOnce(first: Float32Array, second: Float32Array, t: number, width: number, height: number, signal?: AbortSignal): Promise<Float32Array> {
    const dims = [1, 3, height, width];
    const timestep = new Float32Array(width * height).fill(t);
    const outputs = await this.options.session.run({
      [this.names.image0]: { dtype: 'float32', dims, data: first.slice() },
      [this.names.image1]: { dtype: 'float32', dims: [...dims], data: second.slice() },
      [this.names.timestep]: { dtype: 'float32', dims: [1, 1, height, width], data: timestep },
    }, { signal });
    const result = outputs[this.names.output];
    if (!result || !(result.data instanceof Float32Array) || result.data.length !== 3 * width * height) {
      throw new ModelManifestMismatchError(this.options.manifest.id, `it returned no ${width}x${height} output named "${this.names.output}"`);
    }
    return result.data;
  }

  /**
   * The frame at time t in (0,1) between two prepared frames of one size, at
   * the first frame's bit depth, numbered `index`. The model runs are queued
   * at once; the returned promise settles when they are done.
   */
  async interpolate(first: PreparedFrame, second: PreparedFrame, t: number, index: number, signal?: AbortSignal): Promise<RgbFrame> {
    throwIfCancelled(signal);
    if (first.paddedWidth !== second.paddedWidth || first.paddedHeight !== second.paddedHeight
      || first.frame.width !== second.frame.width || first.frame.height !== second.frame.height) {
      throw new InvalidArgumentError(`Cannot interpolate between frames of different sizes (${first.frame.width}x${first.frame.height} and ${second.frame.width}x${second.frame.height}).`);
    }
    if (!(t > 0 && t < 1)) throw new InvalidArgumentError(`Expected a time strictly between 0 and 1 but received ${t}.`);
    const { paddedWidth: width, paddedHeight: height } = first;
    let planes: Float32Array;
    if (this.options.quality) {
      const [plain, mirrored, swapped] = await Promise.all([
        this.runOnce(first.planes, second.planes, t, width, height, signal),
        this.runOnce(first.mirror(), second.mirror(), t, width, height, signal),
        this.runOnce(second.planes, first.planes, 1 - t, width, height, signal),
      ]);
      const unmirrored = mirrorPlanes(mirrored, width);
      planes = plain;
      for (let i = 0; i < planes.length; i += 1) planes[i] = (plain[i] + unmirrored[i] + swapped[i]) / 3;
    } else {
      planes = await this.runOnce(first.planes, second.planes, t, width, height, signal);
    }
    const tensor: TensorData = { dtype: 'float32', dims: [1, 3, height, width], data: planes };
    return tensorToFrame(tensor, this.range, { bitDepth: first.frame.bitDepth, index, width: first.frame.width, height: first.frame.height });
  }
}

export interface InterpolationStageOptions extends InterpolatorOptions {
  mode: InterpolationMode;
  /** Scene-cut threshold 0..1 (see interpolation-scene.ts); default 0.12. */
  sceneThreshold?: number;
  /** Skip duplicate source frames so the output does not stutter; default true. */
  dedup?: boolean;
  /** In slow motion: drop the audio (default) or time-stretch it. */
  slowmoAudio?: TimeStretch['audio'];
  costWeight?: number;
  /** Release the session in dispose(); default true. */
  releaseSession?: boolean;
}

interface WindowEntry {
  frame: RgbFrame;
  prepared?: PreparedFrame;
}

/**
 * The stage. outputGeometry() must be called with the stage's input geometry
 * before run() (the pipeline does): it fixes the timing and the exact output
 * count, and run() yields exactly that many frames.
 */
export function createInterpolationStage(options: InterpolationStageOptions): FrameStage {
  const interpolator = new FrameInterpolator(options);
  const sceneThreshold = options.sceneThreshold ?? DEFAULT_SCENE_THRESHOLD;
  const dedup = options.dedup ?? true;
  let planned: { input: FrameGeometry; output: FrameGeometry } | undefined;
  let released = false;
  let firstOutput = 0;
  let firstSource = 0;
  const quality = options.quality ? 3 : 1;

  const geometry = (input: FrameGeometry): FrameGeometry => {
    const timing = interpolationTiming(input.frameRate, options.mode);
    return {
      width: input.width,
      height: input.height,
      frameRate: timing.outputRate,
      frameCount: outputFrameCount(input.frameCount, timing.step),
    };
  };
  const stretch = options.mode.kind === 'slowmo' ? options.mode.factor : undefined;

  return {
    name: `interpolation:${options.manifest.id}`,
    costWeight: options.costWeight ?? quality,
    timeStretch: stretch ? { factor: stretch, audio: options.slowmoAudio ?? 'drop' } : undefined,
    outputGeometry(input: FrameGeometry): FrameGeometry {
      const output = geometry(input);
      planned = { input, output };
      return output;
    },
    resumeAt(outputFrame: number, firstSourceFrame = 0): void {
      if (!Number.isInteger(outputFrame) || outputFrame < 0) {
        throw new InvalidArgumentError(`Expected an output frame number to resume at but received ${String(outputFrame)}.`);
      }
      if (!Number.isInteger(firstSourceFrame) || firstSourceFrame < 0) {
        throw new InvalidArgumentError(`Expected a source frame number to start from but received ${String(firstSourceFrame)}.`);
      }
      firstOutput = outputFrame;
      firstSource = firstSourceFrame;
    },
    async *run(frames: AsyncIterable<RgbFrame>, signal: AbortSignal): AsyncIterable<RgbFrame> {
      if (!planned) throw new BugError('the interpolation stage ran before outputGeometry() fixed its timing');
      const { input, output } = planned;
      const timing = interpolationTiming(input.frameRate, options.mode);
      const planner = new InterpolationPlanner({ step: timing.step, outputCount: output.frameCount, dedup });
      if (firstSource > 0 && firstSource + (dedup ? DEFAULT_MAX_HOLD : 0) > sourcePosition(firstOutput, timing.step).frame) {
        throw new BugError(`interpolation from output frame ${firstOutput} cannot start its input at source frame ${firstSource}: that is inside the step's context`);
      }
      const window = new Map<number, WindowEntry>();
      const iterator = frames[Symbol.asyncIterator]();
      let previous: FrameSignature | undefined;
      // Frames before a bounded start count as distinct, without a cut (see the header).
      for (let index = 0; index < firstSource; index += 1) planner.push({ duplicate: false, cut: false });
      let sourceIndex = firstSource;
      let inputEnded = false;
      const pending: Promise<RgbFrame>[] = [];

      const prepared = (index: number): PreparedFrame => {
        const entry = window.get(index);
        if (!entry) throw new BugError(`interpolation planned source frame ${index}, which is no longer held`);
        entry.prepared ??= interpolator.prepare(entry.frame);
        return entry.prepared;
      };
      const start = (action: InterpolationAction): Promise<RgbFrame> => {
        if (action.kind === 'copy') {
          const entry = window.get(action.source);
          if (!entry) throw new BugError(`interpolation planned source frame ${action.source}, which is no longer held`);
          return Promise.resolve({ ...entry.frame, index: action.output });
        }
        return interpolator.interpolate(prepared(action.from), prepared(action.to), toNumber(action.t), action.output, signal);
      };

      try {
        while (!planner.done) {
          throwIfCancelled(signal);
          const action = planner.next();
          if (action) {
            if (action.output >= firstOutput) pending.push(start(action));
            const oldest = planner.oldestNeeded();
            for (const index of window.keys()) if (index < oldest) window.delete(index);
            if (pending.length > MAX_IN_FLIGHT) yield await (pending.shift() as Promise<RgbFrame>);
            continue;
          }
          if (inputEnded) throw new BugError('the interpolation planner stalled after the input ended');
          const next = await iterator.next();
          if (next.done) {
            inputEnded = true;
            planner.end();
            if (planner.framesSeen === 0) break;
            continue;
          }
          const frame = next.value;
          if (frame.width !== input.width || frame.height !== input.height) {
            throw new InvalidArgumentError(`Interpolation expected ${input.width}x${input.height} frames but received ${frame.width}x${frame.height}.`);
          }
          const signature = frameSignature(frame);
          planner.push(frameFacts(previous, signature, sceneThreshold));
          previous = signature;
          window.set(sourceIndex, { frame });
          sourceIndex += 1;
        }
        while (pending.length > 0) yield await (pending.shift() as Promise<RgbFrame>);
      } finally {
        // Settle what is still queued so no rejection goes unobserved.
        await Promise.allSettled(pending);
        await iterator.return?.();
      }
    },
    async dispose(): Promise<void> {
      if (released || !(options.releaseSession ?? true)) return;
      released = true;
      await options.session.release();
    },
  };
}

/** Human label of a mode for output names: "x2", "60fps", "slowmo-x4". */
export function interpolationLabel(mode: InterpolationMode): string {
  const text = (value: Rational) => formatRational(value).replace('/', '_');
  if (mode.kind === 'fps') return `${text(mode.rate)}fps`;
  if (mode.kind === 'slowmo') return `slowmo-x${text(mode.factor)}`;
  return `x${text(mode.factor)}`;
}
