// Float values of ONNX initializers and constants, whichever field holds them:
// raw_data (little-endian bytes), float_data, or int32_data (float16 bits, one
// per int32, as the ONNX spec stores them). Weights in external files are not
// supported: none of the catalog's models use them.
import { InvalidArgumentError } from '../../common/errors.ts';
import { float16ToFloat32Array, float32ToFloat16Array } from './float16.ts';
import { ELEMENT_TYPE, int64ToNumber } from './onnx-file.ts';
import type { TensorProto } from './onnx-file.ts';

export function isFloatTensor(tensor: TensorProto): boolean {
  return tensor.dataType === ELEMENT_TYPE.FLOAT || tensor.dataType === ELEMENT_TYPE.FLOAT16;
}

export function tensorDims(tensor: TensorProto): number[] {
  return (tensor.dims ?? []).map((dim) => int64ToNumber(dim));
}

function elementCount(tensor: TensorProto): number {
  return tensorDims(tensor).reduce((product, dim) => product * dim, 1);
}

function alignedCopy(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
}

function refuseExternal(tensor: TensorProto): void {
  if (tensor.dataLocation === 1 || (tensor.externalData ?? []).length > 0) {
    throw new InvalidArgumentError(`Tensor "${tensor.name}" keeps its data in an external file; Framesmith reads only self-contained ONNX files. Re-export the model without external data.`);
  }
}

/** A float32 or float16 tensor's values as float32. */
export function readFloatTensor(tensor: TensorProto): Float32Array {
  refuseExternal(tensor);
  const values = decodeFloatValues(tensor);
  const expected = elementCount(tensor);
  if (values.length !== expected) {
    throw new InvalidArgumentError(`Tensor "${tensor.name}" holds ${values.length} values but its shape [${tensorDims(tensor).join(', ')}] needs ${expected}. The model file is damaged.`);
  }
  return values;
}

function decodeFloatValues(tensor: TensorProto): Float32Array {
  const raw = tensor.rawData;
  const hasRaw = raw !== null && raw !== undefined && raw.byteLength > 0;
  if (tensor.dataType === ELEMENT_TYPE.FLOAT) {
    return hasRaw ? new Float32Array(alignedCopy(raw)) : Float32Array.from(tensor.floatData ?? []);
  }
  if (tensor.dataType === ELEMENT_TYPE.FLOAT16) {
    return float16ToFloat32Array(hasRaw ? new Uint16Array(alignedCopy(raw)) : Uint16Array.from(tensor.int32Data ?? []));
  }
  throw new InvalidArgumentError(`Tensor "${tensor.name}" has element type ${tensor.dataType}; expected float32 or float16.`);
}

/** Stores values into the tensor as raw_data of the given float type, clearing the other fields. */
export function writeFloatTensor(tensor: TensorProto, values: Float32Array, elementType: 'float32' | 'float16'): void {
  const bytes = elementType === 'float32'
    ? new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
    : (() => {
        const half = float32ToFloat16Array(values);
        return new Uint8Array(half.buffer, half.byteOffset, half.byteLength);
      })();
  tensor.dataType = elementType === 'float32' ? ELEMENT_TYPE.FLOAT : ELEMENT_TYPE.FLOAT16;
  tensor.rawData = bytes;
  tensor.floatData = [];
  tensor.int32Data = [];
}
