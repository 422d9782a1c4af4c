// Super-resolution as a frame stage: frame -> tiles -> model -> blended
// output at the model's own scale -> (lanczos3 resample to the requested size)
// -> frame at the input's bit depth. When a resample follows, the model output
// is quantised to 16 bits first so an 8-bit result is rounded only once.
// The effective tile size is remembered across frames, so after one
// out-of-memory retry later frames start at the size that worked.
import { InvalidArgumentError, ModelManifestMismatchError, throwIfCancelled } from '../../common/errors.ts';
import { expectPositiveInteger, expectPositiveNumber } from '../../common/validation.ts';
import type { ModelManifest } from '../../common/model-manifest.ts';
import type { RgbFrame } from '../media/frame.ts';
import type { ModelSession } from '../inference/inference-backend.ts';
import type { TensorData } from '../inference/tensor.ts';
import { runTiled } from '../inference/tiling.ts';
import type { TilingNotice } from '../inference/tiling.ts';
import type { FrameGeometry, FrameStage } from '../pipeline/frame-stage.ts';
import { convertFrameBitDepth, frameTileSource, tensorToFrame } from './image-tensor.ts';
import type { ValueRange } from './image-tensor.ts';
import { resizeFrame } from '../media/resize.ts';

export interface SuperResolutionOptions {
  session: ModelSession;
  manifest: ModelManifest;
  /** Output size over input size; default the model's scale. Exclusive with width/height. */
  scale?: number;
  /** Target output width; alone, the height follows the aspect ratio. */
  width?: number;
  /** Target output height; alone, the width follows the aspect ratio. */
  height?: number;
  /** Largest tile side in input pixels, or 'auto' (default) from the memory budget. */
  tileSize?: number | 'auto';
  /** Input pixels shared by neighbouring tiles; default DEFAULT_TILE_OVERLAP. */
  overlap?: number;
  memoryBudgetBytes?: number;
  bytesPerOutputPixel?: number;
  /** Out-of-memory retries stop below this tile side; default DEFAULT_MIN_TILE_SIZE. */
  minTileSize?: number;
  onNotice?: (notice: TilingNotice) => void;
  /** Relative cost per output frame for progress sharing; default 1. */
  costWeight?: number;
  /** Release the session in dispose(); default true. */
  releaseSession?: boolean;
}

export interface OutputSize {
  width: number;
  height: number;
}

/** The output size for an input size under the scale / target options. Exact: the encoder is configured from it. */
export function superResolutionOutputSize(
  inputWidth: number,
  inputHeight: number,
  options: { modelScale: number; scale?: number; width?: number; height?: number },
): OutputSize {
  const { width, height } = options;
  if (width !== undefined && height !== undefined) return { width, height };
  if (width !== undefined) return { width, height: Math.max(1, Math.round((inputHeight * width) / inputWidth)) };
  if (height !== undefined) return { width: Math.max(1, Math.round((inputWidth * height) / inputHeight)), height };
  const scale = options.scale ?? options.modelScale;
  return {
    width: Math.max(1, Math.round(inputWidth * scale)),
    height: Math.max(1, Math.round(inputHeight * scale)),
  };
}

/** Upscales frames with one session; holds the tile size that last worked. */
export class FrameUpscaler {
  private readonly options: SuperResolutionOptions;
  private readonly inputName: string;
  private readonly outputName: string;
  private readonly range: ValueRange;
  private tileSize: number | 'auto';

  constructor(options: SuperResolutionOptions) {
    const { manifest } = options;
    if (manifest.task !== 'super-resolution') {
      throw new InvalidArgumentError(`Model "${manifest.id}" is a ${manifest.task} model, not a super-resolution model. Choose an upscaling model.`);
    }
    if (options.scale !== undefined) expectPositiveNumber('scale', options.scale);
    if (options.width !== undefined) expectPositiveInteger('width', options.width);
    if (options.height !== undefined) expectPositiveInteger('height', options.height);
    if (options.scale !== undefined && (options.width !== undefined || options.height !== undefined)) {
      throw new InvalidArgumentError('Give either a scale or a target width/height, not both.');
    }
    const input = manifest.inputs.find((spec) => spec.role === 'image') ?? (manifest.inputs.length === 1 ? manifest.inputs[0] : undefined);
    const output = manifest.outputs.find((spec) => spec.role === 'output') ?? (manifest.outputs.length === 1 ? manifest.outputs[0] : undefined);
    if (!input || !output) {
      throw new ModelManifestMismatchError(manifest.id, 'its manifest names no image input and output');
    }
    this.options = options;
    this.inputName = input.name;
    this.outputName = output.name;
    this.range = manifest.valueRange;
    this.tileSize = options.tileSize ?? 'auto';
  }

  outputSize(inputWidth: number, inputHeight: number): OutputSize {
    return superResolutionOutputSize(inputWidth, inputHeight, { modelScale: this.options.manifest.scale, ...this.options });
  }

  /** The upscaled frame, same index and bit depth; CancelledError between tiles. */
  async upscale(frame: RgbFrame, signal?: AbortSignal): Promise<RgbFrame> {
    throwIfCancelled(signal);
    const { manifest, session } = this.options;
    const target = this.outputSize(frame.width, frame.height);
    const runTile = async (tile: TensorData): Promise<TensorData> => {
      const outputs = await session.run({ [this.inputName]: tile }, { signal });
      const result = outputs[this.outputName];
      if (!result) throw new ModelManifestMismatchError(manifest.id, `it returned no output named "${this.outputName}"`);
      return result;
    };
    // A model that must see whole frames still gets smaller tiles after an out-of-memory failure.
    const tileSize = this.tileSize === 'auto' && !manifest.tileable ? Math.max(frame.width, frame.height) : this.tileSize;
    const result = await runTiled(frameTileSource(frame, this.range), runTile, {
      scale: manifest.scale,
      tileSize,
      overlap: this.options.overlap,
      padMultiple: manifest.padMultiple,
      memoryBudgetBytes: this.options.memoryBudgetBytes,
      bytesPerOutputPixel: this.options.bytesPerOutputPixel,
      minTileSize: this.options.minTileSize,
      modelId: manifest.id,
      signal,
      onNotice: this.options.onNotice,
    });
    this.tileSize = result.tileSize;
    const modelWidth = frame.width * manifest.scale;
    const modelHeight = frame.height * manifest.scale;
    if (target.width === modelWidth && target.height === modelHeight) {
      return tensorToFrame(result.output, this.range, { bitDepth: frame.bitDepth, index: frame.index });
    }
    const wide = tensorToFrame(result.output, this.range, { bitDepth: 16, index: frame.index });
    throwIfCancelled(signal);
    const resized = await resizeFrame(wide, target.width, target.height);
    return convertFrameBitDepth(resized, frame.bitDepth);
  }
}

/** Upscales one frame or image (previews, stills). */
export async function upscaleFrame(frame: RgbFrame, options: SuperResolutionOptions & { signal?: AbortSignal }): Promise<RgbFrame> {
  return new FrameUpscaler(options).upscale(frame, options.signal);
}

/** A 1:1 stage: same frame rate and count, size from superResolutionOutputSize. */
export function createSuperResolutionStage(options: SuperResolutionOptions): FrameStage {
  const upscaler = new FrameUpscaler(options);
  let released = false;
  return {
    name: `super-resolution:${options.manifest.id}`,
    costWeight: options.costWeight ?? 1,
    outputGeometry(input: FrameGeometry): FrameGeometry {
      const size = upscaler.outputSize(input.width, input.height);
      return { width: size.width, height: size.height, frameRate: input.frameRate, frameCount: input.frameCount };
    },
    async *run(frames: AsyncIterable<RgbFrame>, signal: AbortSignal): AsyncIterable<RgbFrame> {
      for await (const frame of frames) {
        throwIfCancelled(signal);
        yield await upscaler.upscale(frame, signal);
      }
    },
    async dispose(): Promise<void> {
      if (released || !(options.releaseSession ?? true)) return;
      released = true;
      await options.session.release();
    },
  };
}
