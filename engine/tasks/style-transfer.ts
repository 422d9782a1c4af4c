// Style transfer as a frame stage: fast styles (one network per style, 0..255
// in and out) and arbitrary style (MicroAST: content + style image + alpha,
// 0..1). frame -> model (whole frame by default) -> clamp -> keep original
// colours -> strength -> temporal stabilisation (video) -> frame at the
// input's bit depth.
//
// Both networks normalise features over the whole image (instance norm,
// AdaIN), so tiles would differ in statistics: frames run whole unless a tile
// size is forced or memory runs out, and then tiles overlap by STYLE_TILE_OVERLAP
// pixels and are feathered together (runTiled) so no seam shows.
//
// Strength: for fast styles a blend with the original; for arbitrary style
// the model's alpha. Strength 0 returns the original frame for both, without
// running the model (MicroAST at alpha 0 still repaints through its decoder).
//
// Arbitrary style with a prelude (the model split by splitConstantBranch):
// the style encoder depends only on the style image and alpha, which are
// fixed for a job, so the prelude runs once, on the first frame, and its few
// small results (MicroAST: nine [1,64,1,1] or smaller tensors) are copied into
// every per-frame run (runs transfer their input buffers).
//
// The stage submits frame k+1 to the inference worker before it finishes
// frame k (colour, stabilisation, packing), so the worker never waits on
// this thread.
import { InvalidArgumentError, ModelManifestMismatchError, throwIfCancelled } from '../../common/errors.ts';
import { expectNumberInRange } from '../../common/validation.ts';
import type { ModelManifest } from '../../common/model-manifest.ts';
import type { RgbFrame } from '../media/frame.ts';
import type { ModelSession } from '../inference/inference-backend.ts';
import type { TensorData, TensorMap } from '../inference/tensor.ts';
import { runTiled, type TilingNotice } from '../inference/tiling.ts';
import type { FrameGeometry, FrameStage } from '../pipeline/frame-stage.ts';
import { frameTileSource, frameToTensor, tensorToFrame, type ValueRange } from './image-tensor.ts';
import { blendWithOriginal, clampPlanes, keepOriginalColours } from './style-colour.ts';
import { TemporalStabilizer, type TemporalStabilizerOptions } from './temporal-stabilizer.ts';

/** Input pixels shared by neighbouring tiles when tiling is forced: generous, for instance-norm statistics. */
export const STYLE_TILE_OVERLAP = 96;

export interface StyleTransferOptions {
  session: ModelSession;
  /** A style-fast or style-arbitrary manifest. */
  manifest: ModelManifest;
  /** For style-arbitrary: the style image tensor, float32 [1,3,h,w] in the model's range (see loadStyleImage). */
  style?: TensorData;
  /** 0..1; default 1. */
  strength?: number;
  /** Keep the original chroma (stylised luma). Default false. */
  keepColors?: boolean;
  /** Temporal stabilisation for video streams (true or options). Default off. */
  stabilize?: boolean | TemporalStabilizerOptions;
  /** Largest tile side, or 'auto' (default: whole frames; smaller only after out-of-memory). */
  tileSize?: number | 'auto';
  /** Overlap of forced tiles; default STYLE_TILE_OVERLAP (capped for small tiles). */
  overlap?: number;
  minTileSize?: number;
  onNotice?: (notice: TilingNotice) => void;
  /** Relative cost per output frame for progress sharing; default 1. */
  costWeight?: number;
  /** Release the session (and the prelude's) in dispose(); default true. */
  releaseSession?: boolean;
  /**
   * For style-arbitrary: the model split at its per-job inputs. `session` then
   * runs the per-frame part, and `manifest` stays the whole model's.
   */
  prelude?: StylePrelude;
}

/** The per-job part of a split arbitrary-style model (see splitConstantBranch). */
export interface StylePrelude {
  session: ModelSession;
  /** The per-job inputs (style, alpha names) the prelude reads. */
  inputs: readonly string[];
  /** Its outputs, which the per-frame model reads. */
  boundary: readonly string[];
  /** Per-job inputs the per-frame model reads directly as well. */
  passThrough: readonly string[];
}

interface ModelNames {
  image: string;
  output: string;
  style?: string;
  alpha?: string;
}

function modelNames(manifest: ModelManifest): ModelNames {
  const input = (role: string) => manifest.inputs.find((spec) => spec.role === role)?.name;
  const output = manifest.outputs.find((spec) => spec.role === 'output')?.name ?? (manifest.outputs.length === 1 ? manifest.outputs[0].name : undefined);
  if (manifest.task === 'style-fast') {
    const image = input('image') ?? (manifest.inputs.length === 1 ? manifest.inputs[0].name : undefined);
    if (!image || !output) throw new ModelManifestMismatchError(manifest.id, 'its manifest names no image input and output');
    return { image, output };
  }
  if (manifest.task === 'style-arbitrary') {
    const image = input('content');
    const style = input('style');
    const alpha = input('alpha');
    if (!image || !style || !output) throw new ModelManifestMismatchError(manifest.id, 'its manifest names no content, style and output tensors');
    return { image, output, style, alpha };
  }
  throw new InvalidArgumentError(`Model "${manifest.id}" is a ${manifest.task} model, not a style model. Choose a style (candy, mosaic, ...) or a style image.`);
}

/** Stylises frames with one session; holds the tile size that last worked and, for video, the stabiliser. */
export class FrameStylizer {
  private readonly options: StyleTransferOptions;
  private readonly names: ModelNames;
  private readonly range: ValueRange;
  private readonly strength: number;
  private readonly stabilizer: TemporalStabilizer | undefined;
  private tileSize: number | 'auto';
  private preludeOutputs: Promise<TensorMap> | undefined;

  constructor(options: StyleTransferOptions) {
    this.names = modelNames(options.manifest);
    const strength = options.strength ?? 1;
    expectNumberInRange('the style strength', strength, 0, 1);
    if (this.names.style) {
      const style = options.style;
      if (!style || style.dims.length !== 4 || style.dims[0] !== 1 || style.dims[1] !== 3 || !(style.data instanceof Float32Array)) {
        throw new InvalidArgumentError(`Arbitrary style model "${options.manifest.id}" needs a style image tensor float32 [1,3,h,w].`);
      }
    }
    if (options.prelude && !this.names.style) {
      throw new InvalidArgumentError(`Model "${options.manifest.id}" is a fast style; only arbitrary-style models take a prelude.`);
    }
    this.options = options;
    this.range = options.manifest.valueRange;
    this.strength = strength;
    this.tileSize = options.tileSize ?? 'auto';
    const stabilize = options.stabilize ?? false;
    this.stabilizer = stabilize === false ? undefined : new TemporalStabilizer(stabilize === true ? {} : stabilize);
  }

  /** Fresh copies of the per-job inputs (style image and alpha): runs transfer their input buffers. */
  private jobInputs(): TensorMap {
    const { style, alpha } = this.names;
    const inputs: TensorMap = {};
    if (style && this.options.style) inputs[style] = { ...this.options.style, data: new Float32Array(this.options.style.data as Float32Array) };
    if (alpha) inputs[alpha] = { dtype: 'float32', dims: [1, 1, 1, 1], data: new Float32Array([this.strength]) };
    return inputs;
  }

  /** The prelude's outputs, computed on first use and kept for the job; a failed or cancelled run is retried by the next frame. */
  private runPrelude(prelude: StylePrelude, signal?: AbortSignal): Promise<TensorMap> {
    if (this.preludeOutputs) return this.preludeOutputs;
    const pending = (async () => {
      const jobInputs = this.jobInputs();
      const outputs = await prelude.session.run(Object.fromEntries(prelude.inputs.map((name) => [name, jobInputs[name]])), { signal });
      const missing = prelude.boundary.find((name) => !outputs[name]);
      if (missing) throw new ModelManifestMismatchError(this.options.manifest.id, `its style prelude returned no tensor named "${missing}"`);
      return outputs;
    })();
    this.preludeOutputs = pending;
    pending.catch(() => {
      if (this.preludeOutputs === pending) this.preludeOutputs = undefined;
    });
    return pending;
  }

  /** Inputs of one run besides the image: the per-job inputs, or with a prelude copies of its outputs and the pass-through inputs. */
  private async constantInputs(signal?: AbortSignal): Promise<() => TensorMap> {
    const prelude = this.options.prelude;
    if (!prelude) return () => this.jobInputs();
    const outputs = await this.runPrelude(prelude, signal);
    return () => {
      const jobInputs = this.jobInputs();
      const inputs: TensorMap = Object.fromEntries(prelude.passThrough.map((name) => [name, jobInputs[name]]));
      for (const name of prelude.boundary) {
        const tensor = outputs[name];
        inputs[name] = { ...tensor, data: tensor.data.slice() };
      }
      return inputs;
    };
  }

  /** The model's raw output for a frame (float32 [1,3,H,W], model range, unclamped); CancelledError between tiles. */
  async infer(frame: RgbFrame, signal?: AbortSignal): Promise<TensorData> {
    throwIfCancelled(signal);
    const { manifest, session } = this.options;
    const { image, output } = this.names;
    const constantInputs = await this.constantInputs(signal);
    const runTile = async (tile: TensorData): Promise<TensorData> => {
      const outputs = await session.run({ ...constantInputs(), [image]: tile }, { signal });
      const result = outputs[output];
      if (!result) throw new ModelManifestMismatchError(manifest.id, `it returned no output named "${output}"`);
      return result;
    };
    const whole = Math.max(frame.width, frame.height);
    const tileSize = this.tileSize === 'auto' && !manifest.tileable ? whole : this.tileSize;
    const multiple = manifest.padMultiple;
    const forcedSide = typeof tileSize === 'number' ? Math.min(tileSize, whole) : whole;
    const overlap = Math.min(this.options.overlap ?? STYLE_TILE_OVERLAP, Math.floor(forcedSide / 2 / multiple) * multiple);
    const result = await runTiled(frameTileSource(frame, this.range), runTile, {
      scale: 1,
      tileSize,
      overlap,
      padMultiple: multiple,
      minTileSize: this.options.minTileSize,
      modelId: manifest.id,
      signal,
      onNotice: this.options.onNotice,
    });
    this.tileSize = result.tileSize;
    return result.output;
  }

  /** Whether the frame passes through untouched (strength 0). */
  get isIdentity(): boolean {
    return this.strength === 0;
  }

  /**
   * The output frame from a frame and its model output: clamp, colours,
   * strength and (when on) stabilisation against the previous frame.
   */
  finish(frame: RgbFrame, modelOutput: TensorData): RgbFrame {
    const keepColors = this.options.keepColors ?? false;
    const blends = this.names.style === undefined && this.strength < 1;
    if (!keepColors && !blends && !this.stabilizer) {
      return tensorToFrame(modelOutput, this.range, { bitDepth: frame.bitDepth, index: frame.index });
    }
    const planes = toUnitRange(modelOutput, this.range);
    clampPlanes(planes);
    const original = frameToTensor(frame, [0, 1]).data as Float32Array;
    const plane = frame.width * frame.height;
    if (keepColors) keepOriginalColours(planes, original, plane);
    if (blends) blendWithOriginal(planes, original, this.strength);
    const result = this.stabilizer ? this.stabilizer.apply(original, planes, frame.width, frame.height) : planes;
    return tensorToFrame({ dtype: 'float32', dims: [1, 3, frame.height, frame.width], data: result }, [0, 1], { bitDepth: frame.bitDepth, index: frame.index });
  }

  /** One frame end to end (stills, previews; with stabilisation, frames of one stream in order). */
  async stylize(frame: RgbFrame, signal?: AbortSignal): Promise<RgbFrame> {
    if (this.isIdentity) return frame;
    return this.finish(frame, await this.infer(frame, signal));
  }

  /** Forgets the previous frame of the stabiliser. */
  resetStream(): void {
    this.stabilizer?.reset();
  }
}

function toUnitRange(tensor: TensorData, range: ValueRange): Float32Array {
  const data = tensor.data as Float32Array;
  const [low, high] = range;
  if (low === 0 && high === 1) return data;
  const gain = 1 / (high - low);
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i += 1) out[i] = (data[i] - low) * gain;
  return out;
}

/** Stylises one frame or image. */
export async function stylizeFrame(frame: RgbFrame, options: StyleTransferOptions & { signal?: AbortSignal }): Promise<RgbFrame> {
  return new FrameStylizer({ ...options, stabilize: false }).stylize(frame, options.signal);
}

/** A 1:1 stage: same size, rate and count. */
export function createStyleStage(options: StyleTransferOptions): FrameStage {
  const stylizer = new FrameStylizer(options);
  let released = false;
  return {
    name: `style:${options.manifest.id}`,
    costWeight: options.costWeight ?? 1,
    outputGeometry: (input: FrameGeometry): FrameGeometry => ({ ...input }),
    async *run(frames: AsyncIterable<RgbFrame>, signal: AbortSignal): AsyncIterable<RgbFrame> {
      stylizer.resetStream();
      if (stylizer.isIdentity) {
        for await (const frame of frames) {
          throwIfCancelled(signal);
          yield frame;
        }
        return;
      }
      let pending: { frame: RgbFrame; output: Promise<TensorData> } | undefined;
      try {
        for await (const frame of frames) {
          throwIfCancelled(signal);
          const next = { frame, output: stylizer.infer(frame, signal) };
          // Settled later (or abandoned on error): never an unhandled rejection.
          next.output.catch(() => undefined);
          if (pending) yield stylizer.finish(pending.frame, await pending.output);
          pending = next;
        }
        if (pending) {
          const last = pending;
          pending = undefined;
          yield stylizer.finish(last.frame, await last.output);
        }
      } finally {
        pending?.output.catch(() => undefined);
      }
    },
    async dispose(): Promise<void> {
      if (released || !(options.releaseSession ?? true)) return;
      released = true;
      await Promise.all([options.session.release(), options.prelude?.session.release()]);
    },
  };
}
