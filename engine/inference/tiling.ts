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
} from '../../common/errors.ts';
import { expectNonNegativeInteger, expectPositiveInteger } from '../../common/validation.ts';
import type { TensorData } from './tensor.ts';
import { blendPlanInRows, type RowSink } from './tile-blend.ts';

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
  /** What to pass as tileSize next time: 'auto' while it worked, else the size that succeeded (skipping failed attempts). */
  tileSize: number | 'auto';
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
  return planFromAxes(width, height, tileSize, overlap, planAxis(width, tileSize, overlap), planAxis(height, tileSize, overlap));
}

function planFromAxes(width: number, height: number, tileSize: number, overlap: number, columns: AxisPlan, rows: AxisPlan): TilePlan {
  const tiles: TileRegion[] = [];
  for (const y of rows.starts) {
    for (const x of columns.starts) tiles.push({ x, y, width: columns.length, height: rows.length });
  }
  return { width, height, tileSize, overlap, columns, rows, tiles };
}

/** Tile lengths worth trying on one axis: the whole side, and the shortest length that covers it with n tiles, for n up to `most`. */
function axisLengths(size: number, overlap: number, most: number): number[] {
  const lengths = [size];
  for (let count = 2; count <= most; count += 1) {
    const length = Math.ceil((size + (count - 1) * overlap) / count);
    if (length <= overlap) break;
    lengths.push(length);
  }
  return lengths;
}

/**
 * The plan that computes the fewest pixels (padding included) with tiles of
 * at most `maxArea` input pixels: the whole frame when it fits, otherwise
 * rectangles of one shape. Computed for 0.92 MP of a 1280x720 frame under a
 * 512x512 budget (x4): 3 x 2 tiles of 470x392, 1.11 MP, where 512px squares
 * computed 6 x 512x512 = 1.57 MP; 1920x1080 under 1024x1024 (x2): 3 x 1
 * tiles of 683x1080, 2.21 MP, where squares computed 4.19 MP.
 */
export function planTilesByArea(width: number, height: number, maxArea: number, overlap: number, padMultiple = 1): TilePlan {
  expectPositiveInteger('width', width);
  expectPositiveInteger('height', height);
  expectNonNegativeInteger('overlap', overlap);
  const padded = (length: number) => roundUpToMultiple(length, padMultiple);
  let best: { cost: number; tiles: number; columns: AxisPlan; rows: AxisPlan } | undefined;
  for (const tileWidth of axisLengths(width, overlap, 64)) {
    const columns = planAxis(width, tileWidth, overlap);
    for (const tileHeight of axisLengths(height, overlap, 64)) {
      if (padded(tileWidth) * padded(tileHeight) > maxArea) continue;
      const rows = planAxis(height, tileHeight, overlap);
      const tiles = columns.starts.length * rows.starts.length;
      const cost = tiles * padded(columns.length) * padded(rows.length);
      if (!best || cost < best.cost || (cost === best.cost && tiles < best.tiles)) best = { cost, tiles, columns, rows };
      break; // shorter tiles for this width only add rows
    }
  }
  if (!best) {
    throw new InvalidArgumentError(`No tiles of at most ${maxArea} pixels cover ${width}x${height} with an overlap of ${overlap}. Use a larger tile size.`);
  }
  return planFromAxes(width, height, Math.max(best.columns.length, best.rows.length), overlap, best.columns, best.rows);
}

function isOutOfMemory(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'OUT_OF_MEMORY';
}

/**
 * Runs `runTile` over the source in overlapping tiles (or once, when the
 * frame fits in one tile) and hands the blended output at `scale` to `sink`
 * in bands of finished rows (see tile-blend.ts): the float working memory is
 * one tile row's band, whatever the frame size. After an out-of-memory retry
 * the rows come again from the top, so a sink must simply overwrite.
 * Throws CancelledError between tiles when the signal fires, and the last
 * OUT_OF_MEMORY error once tiles cannot shrink further.
 */
export async function runTiledRows(source: TileSource, runTile: TileRunner, options: TilingOptions, sink: RowSink): Promise<{ tileSize: number | 'auto'; tileCount: number }> {
  expectPositiveInteger('scale', options.scale);
  const multiple = options.padMultiple ?? 1;
  expectPositiveInteger('padMultiple', multiple);
  const overlap = options.overlap ?? DEFAULT_TILE_OVERLAP;
  expectNonNegativeInteger('overlap', overlap);
  const minTileSize = Math.max(options.minTileSize ?? DEFAULT_MIN_TILE_SIZE, overlap + multiple);
  // 'auto' spends the memory budget as an area (planTilesByArea) until a run runs out of memory; then square tiles, halved each time.
  const budgetSide = options.tileSize === 'auto' ? chooseTileSize({ ...options, minTileSize }) : undefined;
  let tileSize = budgetSide ?? (options.tileSize as number);
  expectPositiveInteger('tileSize', tileSize);
  if (tileSize >= multiple) tileSize = Math.floor(tileSize / multiple) * multiple;
  let byArea = budgetSide !== undefined;

  for (;;) {
    const plan = byArea
      ? planTilesByArea(source.width, source.height, tileSize * tileSize, overlap, multiple)
      : planTiles(source.width, source.height, tileSize, overlap);
    try {
      await blendPlanInRows(source, plan, runTile, options, sink);
      return { tileSize: byArea ? 'auto' : tileSize, tileCount: plan.tiles.length };
    } catch (error) {
      if (error instanceof CancelledError || !isOutOfMemory(error)) throw error;
      const current = Math.min(plan.tileSize, Math.max(source.width, source.height));
      const next = Math.floor(current / 2 / multiple) * multiple;
      if (next < minTileSize || next <= overlap) throw error;
      options.onNotice?.({
        kind: 'tile-size-reduced',
        fromTileSize: current,
        toTileSize: next,
        message: `Out of memory with ${current}px tiles; retrying with ${next}px tiles.`,
      });
      tileSize = next;
      byArea = false;
    }
  }
}

/**
 * runTiledRows collected into one float32 [1,3,H*scale,W*scale] tensor (for
 * frames whose output is needed whole, e.g. before a resample).
 */
export async function runTiled(source: TileSource, runTile: TileRunner, options: TilingOptions): Promise<TiledResult> {
  const outWidth = source.width * options.scale;
  const outHeight = source.height * options.scale;
  let output: Float32Array | undefined;
  const planeSize = outWidth * outHeight;
  const result = await runTiledRows(source, runTile, options, (rows) => {
    output ??= new Float32Array(3 * planeSize);
    for (let c = 0; c < 3; c += 1) {
      for (let r = 0; r < rows.rows; r += 1) {
        const from = c * rows.planeStride + r * rows.width;
        output.set(rows.data.subarray(from, from + outWidth), c * planeSize + (rows.y + r) * outWidth);
      }
    }
  });
  if (!output) throw new BugError('the tiled run produced no rows');
  return { output: { dtype: 'float32', dims: [1, 3, outHeight, outWidth], data: output }, ...result };
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
