// Seamless tiled inference for image-to-image models (super-resolution, style).
//
// A frame too large for one run is cut into tiles of equal size that overlap
// their neighbours by at least `overlap` input pixels. Near a tile's interior
// edge the network sees padding instead of the real neighbourhood, so its
// output there is wrong for as far as the receptive field reaches. Within each
// overlap the tile therefore gets weight 0 over the outer third (discarded
// context), a linear ramp over the middle third (feathering, so no seam shows)
// and weight 1 beyond; the two neighbours' weights sum to 1 everywhere.
//
// DEFAULT_TILE_OVERLAP: measured on ../shared models with a 96x72 / 128x48
// crop of Set5 (error of a half-width tile against the whole frame, by
// distance from the cut). realesr-animevideov3 is exact from 18 px (its
// receptive-field radius) and within 2/255 from 9 px; realesr-general-x4v3
// within 2/255 from 4 px; realesr-animevideo-xs-x2 from 11 px;
// realesrgan-x4plus-anime (RRDB) from 20 px. An overlap of 64 discards 21 px,
// enough for all of them.
//
// Inference cannot be interrupted mid-run, so the AbortSignal is checked
// between tiles. A run that fails with code OUT_OF_MEMORY is retried with
// tiles half as large, down to `minTileSize`.
import {
  BugError,
  CancelledError,
  InvalidArgumentError,
  ModelManifestMismatchError,
  throwIfCancelled,
} from '../../common/errors.ts';
import { expectNonNegativeInteger, expectPositiveInteger } from '../../common/validation.ts';
import type { TensorData } from './tensor.ts';

export const DEFAULT_TILE_OVERLAP = 64;
export const DEFAULT_MIN_TILE_SIZE = 96;
export const DEFAULT_MEMORY_BUDGET_BYTES = 1024 * 1024 * 1024;
/**
 * Peak working memory per output pixel of a compact SR network (activations
 * of 64 float channels at input resolution plus the output), with headroom for
 * RRDB models whose last layers run at output resolution.
 */
export const DEFAULT_BYTES_PER_OUTPUT_PIXEL = 256;

export interface TileRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One axis of a plan: tile starts and the shared tile length. */
export interface AxisPlan {
  starts: number[];
  length: number;
}

export interface TilePlan {
  width: number;
  height: number;
  /** The tile size the plan was made for (tiles are min(tileSize, frame side)). */
  tileSize: number;
  overlap: number;
  columns: AxisPlan;
  rows: AxisPlan;
  tiles: TileRegion[];
}

/** Where tiles are read from: a frame or tensor of `width` x `height` pixels. */
export interface TileSource {
  readonly width: number;
  readonly height: number;
  /**
   * A fresh float32 [1,3,paddedHeight,paddedWidth] tensor holding `region`,
   * with its last row and column repeated to fill the padding. The caller may
   * transfer its buffer.
   */
  read(region: TileRegion, paddedWidth: number, paddedHeight: number): TensorData;
}

/** Runs the model on one tile; gets and returns float32 NCHW in the model's range. */
export type TileRunner = (tile: TensorData) => Promise<TensorData>;

export interface TileSizeReducedNotice {
  kind: 'tile-size-reduced';
  fromTileSize: number;
  toTileSize: number;
  message: string;
}

export type TilingNotice = TileSizeReducedNotice;

export interface TilingOptions {
  /** Output size over input size; the model's integer scale. */
  scale: number;
  /** Largest tile side in input pixels, or 'auto' from the memory budget. */
  tileSize: number | 'auto';
  /** Input pixels shared by neighbouring tiles. Default DEFAULT_TILE_OVERLAP. */
  overlap?: number;
  /** Tile sides given to the model are padded up to a multiple of this. Default 1. */
  padMultiple?: number;
  /** For 'auto': bytes the model may use for one run. Default 1 GiB. */
  memoryBudgetBytes?: number;
  /** For 'auto': estimated peak bytes per output pixel. Default DEFAULT_BYTES_PER_OUTPUT_PIXEL. */
  bytesPerOutputPixel?: number;
  /** Out-of-memory retries stop below this tile side. Default DEFAULT_MIN_TILE_SIZE. */
  minTileSize?: number;
  /** Names the model in errors. */
  modelId?: string;
  signal?: AbortSignal;
  onNotice?: (notice: TilingNotice) => void;
  /** Called after each tile with the fraction of tiles done (0..1). */
  onProgress?: (fraction: number) => void;
}

export interface TiledResult {
  /** float32 [1,3,height*scale,width*scale] in the model's value range. */
  output: TensorData;
  /** The tile size that succeeded; pass it as tileSize next time to skip failed attempts. */
  tileSize: number;
  tileCount: number;
}

export function roundUpToMultiple(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/** The largest tile side within the budget, a multiple of padMultiple, at least minTileSize. */
export function chooseTileSize(options: {
  scale: number;
  memoryBudgetBytes?: number;
  bytesPerOutputPixel?: number;
  padMultiple?: number;
  minTileSize?: number;
}): number {
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  const perPixel = options.bytesPerOutputPixel ?? DEFAULT_BYTES_PER_OUTPUT_PIXEL;
  const multiple = options.padMultiple ?? 1;
  const minimum = options.minTileSize ?? DEFAULT_MIN_TILE_SIZE;
  if (!(budget > 0) || !(perPixel > 0)) {
    throw new InvalidArgumentError(`Expected a positive memory budget and bytes per pixel but received ${budget} and ${perPixel}.`);
  }
  const side = Math.floor(Math.sqrt(budget / (perPixel * options.scale * options.scale)));
  const rounded = Math.floor(side / multiple) * multiple;
  return Math.max(rounded, roundUpToMultiple(minimum, multiple));
}

function planAxis(size: number, tileSize: number, overlap: number): AxisPlan {
  if (size <= tileSize) return { starts: [0], length: size };
  const stride = tileSize - overlap;
  const count = Math.ceil((size - overlap) / stride);
  const span = size - tileSize;
  const starts: number[] = [];
  for (let i = 0; i < count; i += 1) starts.push(Math.round((i * span) / (count - 1)));
  return { starts, length: tileSize };
}

/**
 * Tiles of one size (so a session sees one input shape) spread evenly over
 * the frame; neighbours share at least `overlap` pixels. One tile when the
 * frame fits.
 */
export function planTiles(width: number, height: number, tileSize: number, overlap: number): TilePlan {
  expectPositiveInteger('width', width);
  expectPositiveInteger('height', height);
  expectPositiveInteger('tileSize', tileSize);
  expectNonNegativeInteger('overlap', overlap);
  const needsTiles = width > tileSize || height > tileSize;
  if (needsTiles && tileSize <= overlap) {
    throw new InvalidArgumentError(`The tile size (${tileSize}) must be larger than the tile overlap (${overlap}). Use a larger tile size.`);
  }
  const columns = planAxis(width, tileSize, overlap);
  const rows = planAxis(height, tileSize, overlap);
  const tiles: TileRegion[] = [];
  for (const y of rows.starts) {
    for (const x of columns.starts) tiles.push({ x, y, width: columns.length, height: rows.length });
  }
  return { width, height, tileSize, overlap, columns, rows, tiles };
}

/**
 * Blend weights along one axis for tile `index`, in output pixels. Zero over
 * the outer third of each shared span, a linear ramp over the middle third.
 */
function axisWeights(axis: AxisPlan, index: number, scale: number): Float32Array {
  const length = axis.length * scale;
  const weights = new Float32Array(length).fill(1);
  const start = axis.starts[index];
  if (index > 0) {
    const shared = (axis.starts[index - 1] + axis.length - start) * scale;
    applyRamp(weights, shared, scale, false);
  }
  if (index < axis.starts.length - 1) {
    const shared = (start + axis.length - axis.starts[index + 1]) * scale;
    applyRamp(weights, shared, scale, true);
  }
  return weights;
}

function applyRamp(weights: Float32Array, shared: number, scale: number, fromEnd: boolean): void {
  const margin = Math.floor(shared / scale / 3) * scale;
  const ramp = shared - 2 * margin;
  const last = weights.length - 1;
  for (let d = 0; d < shared; d += 1) {
    const w = Math.min(1, Math.max(0, (d + 0.5 - margin) / ramp));
    const i = fromEnd ? last - d : d;
    weights[i] = Math.min(weights[i], w);
  }
}

function checkTileOutput(output: TensorData | undefined, paddedWidth: number, paddedHeight: number, scale: number, modelId: string): Float32Array {
  if (!output) throw new ModelManifestMismatchError(modelId, 'it returned no image output');
  const dims = output.dims;
  const expected = [1, 3, paddedHeight * scale, paddedWidth * scale];
  if (dims.length !== 4 || dims.some((d, i) => d !== expected[i])) {
    throw new ModelManifestMismatchError(modelId, `for an input of ${paddedWidth}x${paddedHeight} it returned [${dims.join(',')}], expected [${expected.join(',')}] (scale ${scale})`);
  }
  if (!(output.data instanceof Float32Array)) {
    throw new BugError(`tile output of ${modelId} is ${output.dtype}; the session must return float32`);
  }
  return output.data;
}

function isOutOfMemory(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'OUT_OF_MEMORY';
}

/** Copies a region of the model output (padded tile) into a new exact-size tensor. */
function cropPlanes(data: Float32Array, sourceWidth: number, sourceHeight: number, width: number, height: number): TensorData {
  if (width === sourceWidth && height === sourceHeight) return { dtype: 'float32', dims: [1, 3, height, width], data };
  const out = new Float32Array(3 * width * height);
  for (let c = 0; c < 3; c += 1) {
    for (let y = 0; y < height; y += 1) {
      const from = c * sourceWidth * sourceHeight + y * sourceWidth;
      out.set(data.subarray(from, from + width), (c * height + y) * width);
    }
  }
  return { dtype: 'float32', dims: [1, 3, height, width], data: out };
}

async function runPlan(source: TileSource, plan: TilePlan, runTile: TileRunner, options: TilingOptions): Promise<TensorData> {
  const scale = options.scale;
  const multiple = options.padMultiple ?? 1;
  const modelId = options.modelId ?? 'model';
  const outWidth = source.width * scale;
  const outHeight = source.height * scale;

  if (plan.tiles.length === 1) {
    throwIfCancelled(options.signal);
    const paddedWidth = roundUpToMultiple(source.width, multiple);
    const paddedHeight = roundUpToMultiple(source.height, multiple);
    const tile = source.read({ x: 0, y: 0, width: source.width, height: source.height }, paddedWidth, paddedHeight);
    const result = checkTileOutput(await runTile(tile), paddedWidth, paddedHeight, scale, modelId);
    options.onProgress?.(1);
    return cropPlanes(result, paddedWidth * scale, paddedHeight * scale, outWidth, outHeight);
  }

  const planeSize = outWidth * outHeight;
  const accumulator = new Float32Array(3 * planeSize);
  const weightSum = new Float32Array(planeSize);
  const columnWeights = plan.columns.starts.map((_, i) => axisWeights(plan.columns, i, scale));
  const rowWeights = plan.rows.starts.map((_, i) => axisWeights(plan.rows, i, scale));
  const paddedWidth = roundUpToMultiple(plan.columns.length, multiple);
  const paddedHeight = roundUpToMultiple(plan.rows.length, multiple);
  const tileOutWidth = plan.columns.length * scale;
  const tileOutHeight = plan.rows.length * scale;
  const resultWidth = paddedWidth * scale;
  const resultPlane = resultWidth * paddedHeight * scale;

  // The next tile is submitted before this one is blended, so blending on
  // this thread overlaps inference in the worker.
  const columnCount = plan.columns.starts.length;
  const start = (index: number): Promise<TensorData> => {
    throwIfCancelled(options.signal);
    const tile = plan.tiles[index];
    return runTile(source.read(tile, paddedWidth, paddedHeight));
  };
  let pending = start(0);
  try {
    for (let index = 0; index < plan.tiles.length; index += 1) {
      const result = checkTileOutput(await pending, paddedWidth, paddedHeight, scale, modelId);
      if (index + 1 < plan.tiles.length) pending = start(index + 1);
      const wx = columnWeights[index % columnCount];
      const wy = rowWeights[Math.floor(index / columnCount)];
      const outX0 = plan.tiles[index].x * scale;
      const outY0 = plan.tiles[index].y * scale;
      for (let ty = 0; ty < tileOutHeight; ty += 1) {
        const rowWeight = wy[ty];
        if (rowWeight === 0) continue;
        const outRow = (outY0 + ty) * outWidth + outX0;
        const resultRow = ty * resultWidth;
        for (let tx = 0; tx < tileOutWidth; tx += 1) weightSum[outRow + tx] += rowWeight * wx[tx];
        for (let c = 0; c < 3; c += 1) {
          const o = outRow + c * planeSize;
          const r = resultRow + c * resultPlane;
          for (let tx = 0; tx < tileOutWidth; tx += 1) accumulator[o + tx] += rowWeight * wx[tx] * result[r + tx];
        }
      }
      options.onProgress?.((index + 1) / plan.tiles.length);
    }
  } catch (error) {
    // A run still in flight must not surface later as an unhandled rejection.
    pending.catch(() => undefined);
    throw error;
  }

  for (let i = 0; i < planeSize; i += 1) {
    const w = weightSum[i];
    if (w === 0) throw new BugError(`tile plan left output pixel ${i} uncovered`);
    if (w !== 1) {
      const inverse = 1 / w;
      accumulator[i] *= inverse;
      accumulator[i + planeSize] *= inverse;
      accumulator[i + 2 * planeSize] *= inverse;
    }
  }
  return { dtype: 'float32', dims: [1, 3, outHeight, outWidth], data: accumulator };
}

/**
 * Runs `runTile` over the source in overlapping tiles (or once, when the
 * frame fits in one tile) and returns the blended output at `scale`.
 * Throws CancelledError between tiles when the signal fires, and the last
 * OUT_OF_MEMORY error once tiles cannot shrink further.
 */
export async function runTiled(source: TileSource, runTile: TileRunner, options: TilingOptions): Promise<TiledResult> {
  expectPositiveInteger('scale', options.scale);
  const multiple = options.padMultiple ?? 1;
  expectPositiveInteger('padMultiple', multiple);
  const overlap = options.overlap ?? DEFAULT_TILE_OVERLAP;
  expectNonNegativeInteger('overlap', overlap);
  const minTileSize = Math.max(options.minTileSize ?? DEFAULT_MIN_TILE_SIZE, overlap + multiple);
  let tileSize = options.tileSize === 'auto'
    ? chooseTileSize({ ...options, minTileSize })
    : options.tileSize;
  expectPositiveInteger('tileSize', tileSize);
  if (tileSize >= multiple) tileSize = Math.floor(tileSize / multiple) * multiple;

  for (;;) {
    const plan = planTiles(source.width, source.height, tileSize, overlap);
    try {
      const output = await runPlan(source, plan, runTile, options);
      return { output, tileSize, tileCount: plan.tiles.length };
    } catch (error) {
      if (error instanceof CancelledError || !isOutOfMemory(error)) throw error;
      const current = Math.min(tileSize, Math.max(source.width, source.height));
      const next = Math.floor(current / 2 / multiple) * multiple;
      if (next < minTileSize || next <= overlap) throw error;
      options.onNotice?.({
        kind: 'tile-size-reduced',
        fromTileSize: current,
        toTileSize: next,
        message: `Out of memory with ${current}px tiles; retrying with ${next}px tiles.`,
      });
      tileSize = next;
    }
  }
}

/** Reads a region of a float32 [1,3,H,W] tensor, replicating its last row and column into the padding. */
export function readTensorRegion(tensor: TensorData, region: TileRegion, paddedWidth: number, paddedHeight: number): TensorData {
  const [batch, channels, height, width] = tensor.dims;
  if (tensor.dims.length !== 4 || batch !== 1 || channels !== 3 || !(tensor.data instanceof Float32Array)) {
    throw new InvalidArgumentError(`Expected a float32 tensor of shape [1,3,H,W] but received ${tensor.dtype} [${tensor.dims.join(',')}].`);
  }
  if (region.x < 0 || region.y < 0 || region.width <= 0 || region.height <= 0
    || region.x + region.width > width || region.y + region.height > height) {
    throw new InvalidArgumentError(`Region ${region.width}x${region.height}+${region.x}+${region.y} is outside the ${width}x${height} tensor.`);
  }
  if (paddedWidth < region.width || paddedHeight < region.height) {
    throw new InvalidArgumentError(`Padded size ${paddedWidth}x${paddedHeight} is smaller than the region ${region.width}x${region.height}.`);
  }
  const source = tensor.data;
  const out = new Float32Array(3 * paddedWidth * paddedHeight);
  for (let c = 0; c < 3; c += 1) {
    const sourcePlane = c * width * height;
    const outPlane = c * paddedWidth * paddedHeight;
    for (let y = 0; y < region.height; y += 1) {
      const from = sourcePlane + (region.y + y) * width + region.x;
      const to = outPlane + y * paddedWidth;
      out.set(source.subarray(from, from + region.width), to);
      if (paddedWidth > region.width) out.fill(source[from + region.width - 1], to + region.width, to + paddedWidth);
    }
    const lastRow = outPlane + (region.height - 1) * paddedWidth;
    for (let y = region.height; y < paddedHeight; y += 1) {
      out.copyWithin(outPlane + y * paddedWidth, lastRow, lastRow + paddedWidth);
    }
  }
  return { dtype: 'float32', dims: [1, 3, paddedHeight, paddedWidth], data: out };
}

/** A TileSource over a float32 [1,3,H,W] tensor (the caller keeps ownership of it). */
export function tensorTileSource(tensor: TensorData): TileSource {
  const [, , height, width] = tensor.dims;
  return {
    width,
    height,
    read: (region, paddedWidth, paddedHeight) => readTensorRegion(tensor, region, paddedWidth, paddedHeight),
  };
}
