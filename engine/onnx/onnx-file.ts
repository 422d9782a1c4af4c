// Reads and writes whole ONNX ModelProto files through onnx-proto (protobufjs),
// the one place that loads it. A graph's inputs and outputs are read without
// decoding the weights by onnx-graph-io.ts. protobufjs returns int64 fields as
// Long objects; this module turns the ones callers need into numbers.
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
/** Interfaces rather than classes: decoded messages and hand-built ones both fit. */
export type TensorProto = onnxProto.onnx.ITensorProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

export const ELEMENT_TYPE = onnx.TensorProto.DataType;

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export async function readModelFile(path: string): Promise<ModelProto> {
  return decodeModel(await readFile(path));
}

/**
 * Writes under a temporary name in the same folder and renames into place, so
 * a killed process never leaves a half-written file under the final name.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function writeModelFile(path: string, model: ModelProto): Promise<void> {
  await writeFileAtomic(path, encodeModel(model));
}

/** An int64 field (number or Long) as a JavaScript number. */
export function int64ToNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}
