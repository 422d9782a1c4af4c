// The tensors a state dict holds once read: floating types become float32
// (what the ONNX builders write), integer and bool types int64. Little-endian
// storage bytes in, dense row-major values out (strided views are gathered).
import { CheckpointFormatError } from './pytorch-errors.ts';

export type TorchDtype = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export interface StateTensor {
  /** The dtype the file stored. */
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
  /** Dense row-major values: float32 for floating dtypes, int64 for the others. */
  readonly data: Float32Array | BigInt64Array;
}

/** Name -> tensor, in the file's order. */
export type StateDict = Map<string, StateTensor>;

export const ELEMENT_SIZE: Readonly<Record<TorchDtype, number>> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

export function isFloating(dtype: TorchDtype): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Reads element `index` of a little-endian storage as a number (floating dtypes). */
function floatReader(view: DataView, dtype: TorchDtype): (index: number) => number {
  switch (dtype) {
    case 'float32': return (i) => view.getFloat32(i * 4, true);
    case 'float64': return (i) => view.getFloat64(i * 8, true);
    case 'float16': return (i) => halfToFloat(view.getUint16(i * 2, true));
    case 'bfloat16': {
      const scratch = new DataView(new ArrayBuffer(4));
      return (i) => {
        scratch.setUint32(0, view.getUint16(i * 2, true) << 16, true);
        return scratch.getFloat32(0, true);
      };
    }
    default: throw new CheckpointFormatError(`dtype ${dtype} is not floating`);
  }
}

function intReader(view: DataView, dtype: TorchDtype): (index: number) => bigint {
  switch (dtype) {
    case 'int64': return (i) => view.getBigInt64(i * 8, true);
    case 'int32': return (i) => BigInt(view.getInt32(i * 4, true));
    case 'int16': return (i) => BigInt(view.getInt16(i * 2, true));
    case 'int8': return (i) => BigInt(view.getInt8(i));
    case 'uint8':
    case 'bool': return (i) => BigInt(view.getUint8(i));
    default: throw new CheckpointFormatError(`dtype ${dtype} is not an integer type`);
  }
}

/**
 * Builds a dense tensor from a storage (elements of `dtype`), an element offset,
 * a shape and strides (in elements), checking every index stays inside.
 */
export function tensorFromStorage(storage: Uint8Array, dtype: TorchDtype, offset: number, shape: readonly number[], stride: readonly number[], what: string): StateTensor {
  if (shape.length !== stride.length) throw new CheckpointFormatError(`tensor ${what} has ${shape.length} sizes but ${stride.length} strides`);
  if (shape.some((dim) => !Number.isInteger(dim) || dim < 0) || stride.some((s) => !Number.isInteger(s) || s < 0) || !Number.isInteger(offset) || offset < 0) {
    throw new CheckpointFormatError(`tensor ${what} has an invalid size, stride or offset`);
  }
  const count = elementCount(shape);
  const storageElements = Math.floor(storage.length / ELEMENT_SIZE[dtype]);
  const last = count === 0 ? offset : offset + shape.reduce((sum, dim, axis) => sum + (dim - 1) * (stride[axis] as number), 0);
  if (count > 0 && last >= storageElements) {
    throw new CheckpointFormatError(`tensor ${what} reads element ${last} of a storage of ${storageElements} (file truncated?)`);
  }
  const view = new DataView(storage.buffer, storage.byteOffset, storage.byteLength);
  const contiguous = shape.every((_, axis) => stride[axis] === shape.slice(axis + 1).reduce((p, d) => p * d, 1) || shape[axis] === 1);
  const indexOf = contiguous
    ? (flat: number): number => offset + flat
    : (flat: number): number => {
      let rest = flat;
      let index = offset;
      for (let axis = shape.length - 1; axis >= 0; axis -= 1) {
        const dim = shape[axis] as number;
        index += (rest % dim) * (stride[axis] as number);
        rest = Math.floor(rest / dim);
      }
      return index;
    };
  if (isFloating(dtype)) {
    const data = new Float32Array(count);
    if (dtype === 'float32' && contiguous) {
      const start = storage.byteOffset + offset * 4;
      if (start % 4 === 0) {
        data.set(new Float32Array(storage.buffer, start, count));
      } else {
        // Node's Buffer.slice is a view, so copy explicitly to realign.
        const copy = new Uint8Array(count * 4);
        copy.set(storage.subarray(offset * 4, (offset + count) * 4));
        data.set(new Float32Array(copy.buffer));
      }
    } else {
      const read = floatReader(view, dtype);
      for (let i = 0; i < count; i += 1) data[i] = read(indexOf(i));
    }
    return { dtype, shape: [...shape], data };
  }
  const data = new BigInt64Array(count);
  const read = intReader(view, dtype);
  for (let i = 0; i < count; i += 1) data[i] = read(indexOf(i));
  return { dtype, shape: [...shape], data };
}

/** The float32 values of a floating tensor, or an error naming the key. */
export function floatData(tensor: StateTensor, key: string): Float32Array {
  if (!(tensor.data instanceof Float32Array)) throw new CheckpointFormatError(`weight "${key}" is ${tensor.dtype}, not a floating type`);
  return tensor.data;
}
