// Conversions between packed RGB frames (rgb24 / rgb48) and the planar
// float32 NCHW tensors models take, in a model's value range ([0,1] or
// [0,255]). These run for every frame on the orchestrating thread, so they
// are plain indexed loops with no per-pixel allocation or closure.
import { InvalidArgumentError } from '../../common/errors.ts';
import type { BitDepth, RgbFrame } from '../media/frame.ts';
import { readTensorRegion, roundUpToMultiple } from '../inference/tiling.ts';
import type { TileRegion, TileSource } from '../inference/tiling.ts';
import type { BlendedRows } from '../inference/tile-blend.ts';
import type { TensorData } from '../inference/tensor.ts';

/** [low, high]: the tensor value of black and of full-scale white. */
export type ValueRange = readonly [number, number];

function maxSample(bitDepth: BitDepth): number {
  return bitDepth === 16 ? 65535 : 255;
}

function checkFrame(frame: RgbFrame): void {
  const expected = frame.width * frame.height * 3;
  const typeOk = frame.bitDepth === 16 ? frame.data instanceof Uint16Array : frame.data instanceof Uint8Array;
  if (!typeOk || frame.data.length !== expected) {
    throw new InvalidArgumentError(`Expected a ${frame.width}x${frame.height} ${frame.bitDepth}-bit RGB frame of ${expected} samples but received ${frame.data.constructor.name} of ${frame.data.length}.`);
  }
}

function checkRange(range: ValueRange): void {
  if (!Number.isFinite(range[0]) || !Number.isFinite(range[1]) || range[1] <= range[0]) {
    throw new InvalidArgumentError(`Expected a value range [low, high] with low < high but received [${range.join(', ')}].`);
  }
}

function planarShape(tensor: TensorData): { width: number; height: number; data: Float32Array } {
  const [batch, channels, height, width] = tensor.dims;
  if (tensor.dims.length !== 4 || batch !== 1 || channels !== 3 || !(tensor.data instanceof Float32Array)) {
    throw new InvalidArgumentError(`Expected a float32 tensor of shape [1,3,H,W] but received ${tensor.dtype} [${tensor.dims.join(',')}].`);
  }
  return { width, height, data: tensor.data };
}

/**
 * `region` of the frame (default all of it) as float32 [1,3,paddedHeight,paddedWidth],
 * with the region's last column and row repeated into the padding.
 */
export function frameToTensor(
  frame: RgbFrame,
  range: ValueRange,
  options: { region?: TileRegion; paddedWidth?: number; paddedHeight?: number } = {},
): TensorData {
  checkFrame(frame);
  checkRange(range);
  const region = options.region ?? { x: 0, y: 0, width: frame.width, height: frame.height };
  if (region.x < 0 || region.y < 0 || region.width <= 0 || region.height <= 0
    || region.x + region.width > frame.width || region.y + region.height > frame.height) {
    throw new InvalidArgumentError(`Region ${region.width}x${region.height}+${region.x}+${region.y} is outside the ${frame.width}x${frame.height} frame.`);
  }
  const paddedWidth = options.paddedWidth ?? region.width;
  const paddedHeight = options.paddedHeight ?? region.height;
  if (paddedWidth < region.width || paddedHeight < region.height) {
    throw new InvalidArgumentError(`Padded size ${paddedWidth}x${paddedHeight} is smaller than the region ${region.width}x${region.height}.`);
  }
  const low = range[0];
  const step = (range[1] - range[0]) / maxSample(frame.bitDepth);
  const source = frame.data;
  const plane = paddedWidth * paddedHeight;
  const out = new Float32Array(3 * plane);
  const sourceStride = frame.width * 3;
  for (let y = 0; y < region.height; y += 1) {
    let s = (region.y + y) * sourceStride + region.x * 3;
    const rowStart = y * paddedWidth;
    const rowEnd = rowStart + region.width;
    for (let o = rowStart; o < rowEnd; o += 1) {
      out[o] = source[s] * step + low;
      out[o + plane] = source[s + 1] * step + low;
      out[o + 2 * plane] = source[s + 2] * step + low;
      s += 3;
    }
    if (paddedWidth > region.width) {
      const padEnd = rowStart + paddedWidth;
      out.fill(out[rowEnd - 1], rowEnd, padEnd);
      out.fill(out[rowEnd - 1 + plane], rowEnd + plane, padEnd + plane);
      out.fill(out[rowEnd - 1 + 2 * plane], rowEnd + 2 * plane, padEnd + 2 * plane);
    }
  }
  if (paddedHeight > region.height) {
    for (let c = 0; c < 3; c += 1) {
      const lastRow = c * plane + (region.height - 1) * paddedWidth;
      for (let y = region.height; y < paddedHeight; y += 1) {
        out.copyWithin(c * plane + y * paddedWidth, lastRow, lastRow + paddedWidth);
      }
    }
  }
  return { dtype: 'float32', dims: [1, 3, paddedHeight, paddedWidth], data: out };
}

/**
 * Packs `rows` rows of `width` planar float32 values (rows `rowStride` apart,
 * planes `planeStride` apart, in `range`) into RGB samples of `out` from
 * `outOffset`: mapped to the samples' full scale, clamped, rounded (NaN
 * becomes 0). The one loop behind tensorToFrame and writeRowsIntoFrame.
 */
function packPlanarRows(
  source: { data: Float32Array; planeStride: number; rowStride: number; width: number; rows: number },
  range: ValueRange,
  out: Uint8Array | Uint16Array,
  outOffset: number,
): void {
  const top = out instanceof Uint16Array ? 65535 : 255;
  const low = range[0];
  const gain = top / (range[1] - range[0]);
  const { data, planeStride, rowStride, width } = source;
  let o = outOffset;
  for (let y = 0; y < source.rows; y += 1) {
    const rowStart = y * rowStride;
    const rowEnd = rowStart + width;
    for (let i = rowStart; i < rowEnd; i += 1) {
      let r = (data[i] - low) * gain + 0.5;
      let g = (data[i + planeStride] - low) * gain + 0.5;
      let b = (data[i + 2 * planeStride] - low) * gain + 0.5;
      r = r > 0 ? (r < top ? r : top) : 0;
      g = g > 0 ? (g < top ? g : top) : 0;
      b = b > 0 ? (b < top ? b : top) : 0;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      o += 3;
    }
  }
}

/**
 * The top-left `width` x `height` of a float32 [1,3,H,W] tensor as a packed
 * frame: mapped from `range` to the bit depth, clamped and rounded (NaN
 * becomes 0). Width and height default to the tensor's (crop by passing less).
 */
export function tensorToFrame(
  tensor: TensorData,
  range: ValueRange,
  options: { bitDepth: BitDepth; index: number; width?: number; height?: number },
): RgbFrame {
  checkRange(range);
  const { width: tensorWidth, height: tensorHeight, data } = planarShape(tensor);
  const width = options.width ?? tensorWidth;
  const height = options.height ?? tensorHeight;
  if (width <= 0 || height <= 0 || width > tensorWidth || height > tensorHeight) {
    throw new InvalidArgumentError(`Cannot take ${width}x${height} from a ${tensorWidth}x${tensorHeight} tensor.`);
  }
  const out = options.bitDepth === 16 ? new Uint16Array(width * height * 3) : new Uint8Array(width * height * 3);
  packPlanarRows({ data, planeStride: tensorWidth * tensorHeight, rowStride: tensorWidth, width, rows: height }, range, out, 0);
  return { width, height, bitDepth: options.bitDepth, data: out, index: options.index };
}

/** Replicate-edge padding of a float32 [1,3,H,W] tensor up to multiples of `multiple`. */
export function padTensorToMultiple(tensor: TensorData, multiple: number): TensorData {
  const { width, height } = planarShape(tensor);
  const paddedWidth = roundUpToMultiple(width, multiple);
  const paddedHeight = roundUpToMultiple(height, multiple);
  if (paddedWidth === width && paddedHeight === height) return tensor;
  return readTensorRegion(tensor, { x: 0, y: 0, width, height }, paddedWidth, paddedHeight);
}

/** A copy of `region` of a float32 [1,3,H,W] tensor. */
export function cropTensor(tensor: TensorData, region: TileRegion): TensorData {
  return readTensorRegion(tensor, region, region.width, region.height);
}

/** The frame at another bit depth (8 <-> 16 maps 255 to 65535 exactly; 16 -> 8 rounds). */
export function convertFrameBitDepth(frame: RgbFrame, bitDepth: BitDepth): RgbFrame {
  checkFrame(frame);
  if (frame.bitDepth === bitDepth) return frame;
  const source = frame.data;
  const count = source.length;
  if (bitDepth === 16) {
    const out = new Uint16Array(count);
    for (let i = 0; i < count; i += 1) out[i] = source[i] * 257;
    return { ...frame, bitDepth, data: out };
  }
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i += 1) out[i] = (source[i] + 128) / 257;
  return { ...frame, bitDepth, data: out };
}

/** A TileSource that reads tiles straight from a frame (no full-frame float copy). */
export function frameTileSource(frame: RgbFrame, range: ValueRange): TileSource {
  checkFrame(frame);
  return {
    width: frame.width,
    height: frame.height,
    read: (region, paddedWidth, paddedHeight) => frameToTensor(frame, range, { region, paddedWidth, paddedHeight }),
  };
}

/**
 * Writes blended rows (planar float32 in `range`) into `frame` at their rows,
 * mapped, clamped and rounded exactly as tensorToFrame does: a tiled result
 * goes straight into the output frame with no whole-frame float tensor.
 */
export function writeRowsIntoFrame(rows: BlendedRows, range: ValueRange, frame: RgbFrame): void {
  if (rows.width !== frame.width || rows.y < 0 || rows.y + rows.rows > frame.height) {
    throw new InvalidArgumentError(`Rows ${rows.y}..${rows.y + rows.rows} of width ${rows.width} do not fit a ${frame.width}x${frame.height} frame.`);
  }
  packPlanarRows({ data: rows.data, planeStride: rows.planeStride, rowStride: rows.width, width: rows.width, rows: rows.rows }, range, frame.data, rows.y * rows.width * 3);
}
