// Reads .safetensors: an 8-byte little-endian header length, a JSON header
// (name -> dtype, shape, data_offsets relative to the data section, plus an
// optional __metadata__), then the raw little-endian data. No code at all.
import { CheckpointFormatError } from './pytorch-errors.ts';
import { ELEMENT_SIZE, elementCount, tensorFromStorage } from './state-tensor.ts';
import type { StateDict, TorchDtype } from './state-tensor.ts';

const DTYPES: Readonly<Record<string, TorchDtype>> = {
  F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8', U8: 'uint8', BOOL: 'bool',
};

const MAX_HEADER_BYTES = 100 * 1024 * 1024;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

function isEntry(value: unknown): value is HeaderEntry {
  const entry = value as Partial<HeaderEntry> | null;
  return typeof entry === 'object' && entry !== null && typeof entry.dtype === 'string'
    && Array.isArray(entry.shape) && Array.isArray(entry.data_offsets) && entry.data_offsets.length === 2;
}

/** A plausible safetensors header: a sane length followed by '{'. */
export function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  return length > 1n && length <= BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8)) && bytes[8] === 0x7b;
}

export function readSafetensors(bytes: Uint8Array): StateDict {
  if (!isSafetensors(bytes)) throw new CheckpointFormatError('the safetensors header length is missing or impossible');
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch {
    throw new CheckpointFormatError('the safetensors header is not valid JSON');
  }
  const data = bytes.subarray(8 + headerLength);
  const result: StateDict = new Map();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isEntry(entry)) throw new CheckpointFormatError(`safetensors entry "${name}" lacks dtype, shape or data_offsets`);
    const dtype = DTYPES[entry.dtype];
    if (dtype === undefined) throw new CheckpointFormatError(`safetensors entry "${name}" has dtype ${entry.dtype}, which is not supported`);
    const [begin, end] = entry.data_offsets;
    const expected = elementCount(entry.shape) * ELEMENT_SIZE[dtype];
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > data.length || end - begin !== expected) {
      throw new CheckpointFormatError(`safetensors entry "${name}" has data offsets [${begin}, ${end}] that do not fit its shape or the file (truncated?)`);
    }
    const strides = entry.shape.map((_, axis) => entry.shape.slice(axis + 1).reduce((p, d) => p * d, 1));
    result.set(name, tensorFromStorage(data.subarray(begin, end), dtype, 0, entry.shape, strides, name));
  }
  return result;
}
