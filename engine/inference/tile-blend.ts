// Blends the outputs of a tile plan in bands of rows, so the float working
// memory of a tiled run is one band (a tile row's height x the output width)
// and never the whole output frame: a 50-megapixel x4 upscale has an
// 800-megapixel output, 12.8 GB as whole-frame float planes.
//
// Tiles run row by row. Once every tile of tile row i is blended, the output
// rows above tile row i+1's first row are final (no later tile reaches
// them): they are normalised and handed to the sink, and the rows tile row
// i+1 shares with row i move to the top of the band. The blend weights are
// separable (a row weight times a column weight per tile, see axisWeights),
// so their sum at a pixel is (sum of row weights) x (sum of column weights):
// two 1-D arrays instead of a weight plane.
import { BugError, ModelManifestMismatchError, throwIfCancelled } from '../../common/errors.ts';
import type { TensorData } from './tensor.ts';
import type { AxisPlan, TilePlan, TileRunner, TileSource, TilingOptions } from './tiling.ts';

/** Finished output rows: planar float32, channel c of row r at data[c * planeStride + r * width + x]. */
export interface BlendedRows {
  data: Float32Array;
  width: number;
  /** Output row of the band's first row. */
  y: number;
  rows: number;
  planeStride: number;
}

/** Receives every output row exactly once per attempt, top to bottom. */
export type RowSink = (rows: BlendedRows) => void;

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
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

/**
 * Blend weights along one axis for tile `index`, in output pixels. Zero over
 * the outer third of each shared span, a linear ramp over the middle third.
 */
export function axisWeights(axis: AxisPlan, index: number, scale: number): Float32Array {
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

/** Sum of every tile's weight at each output position of one axis. */
function weightSums(axis: AxisPlan, weights: readonly Float32Array[], scale: number, size: number): Float32Array {
  const sums = new Float32Array(size);
  for (const [index, start] of axis.starts.entries()) {
    const w = weights[index];
    const offset = start * scale;
    for (let i = 0; i < w.length; i += 1) sums[offset + i] += w[i];
  }
  for (let i = 0; i < size; i += 1) {
    if (sums[i] === 0) throw new BugError(`tile plan left output position ${i} uncovered`);
  }
  return sums;
}

export function checkTileOutput(output: TensorData | undefined, paddedWidth: number, paddedHeight: number, scale: number, modelId: string): Float32Array {
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

/** Runs a one-tile plan: the model output, cropped by the sink's view, is the whole band. */
async function runSingle(source: TileSource, runTile: TileRunner, options: TilingOptions, sink: RowSink): Promise<void> {
  const scale = options.scale;
  const multiple = options.padMultiple ?? 1;
  throwIfCancelled(options.signal);
  const paddedWidth = roundUp(source.width, multiple);
  const paddedHeight = roundUp(source.height, multiple);
  const tile = source.read({ x: 0, y: 0, width: source.width, height: source.height }, paddedWidth, paddedHeight);
  const result = checkTileOutput(await runTile(tile), paddedWidth, paddedHeight, scale, options.modelId ?? 'model');
  options.onProgress?.(1);
  const outWidth = source.width * scale;
  const resultWidth = paddedWidth * scale;
  const planeStride = resultWidth * paddedHeight * scale;
  if (outWidth === resultWidth) {
    sink({ data: result, width: outWidth, y: 0, rows: source.height * scale, planeStride });
    return;
  }
  // Padded columns: hand over one row at a time (views, no copy).
  for (let y = 0; y < source.height * scale; y += 1) {
    sink({ data: result.subarray(y * resultWidth), width: outWidth, y, rows: 1, planeStride });
  }
}

/**
 * Runs every tile of `plan` and hands the blended output to `sink` in bands
 * of finished rows, top to bottom. The next tile is submitted before this one
 * is blended, so blending on this thread overlaps inference in the worker.
 */
export async function blendPlanInRows(source: TileSource, plan: TilePlan, runTile: TileRunner, options: TilingOptions, sink: RowSink): Promise<void> {
  if (plan.tiles.length === 1) return runSingle(source, runTile, options, sink);
  const scale = options.scale;
  const multiple = options.padMultiple ?? 1;
  const modelId = options.modelId ?? 'model';
  const outWidth = source.width * scale;
  const outHeight = source.height * scale;
  const columnWeights = plan.columns.starts.map((_, i) => axisWeights(plan.columns, i, scale));
  const rowWeights = plan.rows.starts.map((_, i) => axisWeights(plan.rows, i, scale));
  const columnSums = weightSums(plan.columns, columnWeights, scale, outWidth);
  const rowSums = weightSums(plan.rows, rowWeights, scale, outHeight);
  const paddedWidth = roundUp(plan.columns.length, multiple);
  const paddedHeight = roundUp(plan.rows.length, multiple);
  const tileOutWidth = plan.columns.length * scale;
  const tileOutHeight = plan.rows.length * scale;
  const resultWidth = paddedWidth * scale;
  const resultPlane = resultWidth * paddedHeight * scale;

  const bandRows = tileOutHeight;
  const planeStride = bandRows * outWidth;
  const band = new Float32Array(3 * planeStride);
  const columnCount = plan.columns.starts.length;
  const rowCount = plan.rows.starts.length;
  let origin = 0;

  const start = (index: number): Promise<TensorData> => {
    throwIfCancelled(options.signal);
    return runTile(source.read(plan.tiles[index], paddedWidth, paddedHeight));
  };
  let pending = start(0);
  try {
    for (let index = 0; index < plan.tiles.length; index += 1) {
      const result = checkTileOutput(await pending, paddedWidth, paddedHeight, scale, modelId);
      if (index + 1 < plan.tiles.length) pending = start(index + 1);
      const row = Math.floor(index / columnCount);
      const wx = columnWeights[index % columnCount];
      const wy = rowWeights[row];
      const outX0 = plan.tiles[index].x * scale;
      const bandY0 = plan.tiles[index].y * scale - origin;
      for (let ty = 0; ty < tileOutHeight; ty += 1) {
        const rowWeight = wy[ty];
        if (rowWeight === 0) continue;
        const bandRow = (bandY0 + ty) * outWidth + outX0;
        const resultRow = ty * resultWidth;
        for (let c = 0; c < 3; c += 1) {
          const o = bandRow + c * planeStride;
          const r = resultRow + c * resultPlane;
          for (let tx = 0; tx < tileOutWidth; tx += 1) band[o + tx] += rowWeight * wx[tx] * result[r + tx];
        }
      }
      options.onProgress?.((index + 1) / plan.tiles.length);
      if ((index + 1) % columnCount !== 0) continue;
      // Tile row `row` is complete: rows above the next tile row are final.
      const finishedEnd = row + 1 < rowCount ? plan.rows.starts[row + 1] * scale : outHeight;
      const finished = finishedEnd - origin;
      for (let y = 0; y < finished; y += 1) {
        const rowSum = rowSums[origin + y];
        for (let c = 0; c < 3; c += 1) {
          const offset = c * planeStride + y * outWidth;
          for (let x = 0; x < outWidth; x += 1) {
            const w = rowSum * columnSums[x];
            if (w !== 1) band[offset + x] /= w;
          }
        }
      }
      sink({ data: band, width: outWidth, y: origin, rows: finished, planeStride });
      if (row + 1 === rowCount) break;
      for (let c = 0; c < 3; c += 1) {
        const plane = c * planeStride;
        band.copyWithin(plane, plane + finished * outWidth, plane + planeStride);
        band.fill(0, plane + (bandRows - finished) * outWidth, plane + planeStride);
      }
      origin = finishedEnd;
    }
  } catch (error) {
    // A run still in flight must not surface later as an unhandled rejection.
    pending.catch(() => undefined);
    throw error;
  }
}
