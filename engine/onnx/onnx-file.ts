// Reads and writes ONNX ModelProto files through onnx-proto (protobufjs), and
// lists a graph's inputs and outputs in the shape the model manifests use.
// protobufjs returns int64 fields as Long objects; this module turns the ones
// callers need into numbers.
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

export type ElementTypeName = 'float32' | 'float16' | 'other';

export interface GraphTensorInfo {
  name: string;
  elementType: ElementTypeName;
  /** The ONNX TensorProto.DataType code, for types other than float32/float16. */
  elementTypeCode: number;
  /** A number for a fixed dimension, the symbolic name for a free one ('?' when unnamed). */
  dims: (number | string)[];
}

export interface ModelIo {
  inputs: GraphTensorInfo[];
  outputs: GraphTensorInfo[];
}

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

export function elementTypeName(code: number): ElementTypeName {
  if (code === ELEMENT_TYPE.FLOAT) return 'float32';
  if (code === ELEMENT_TYPE.FLOAT16) return 'float16';
  return 'other';
}

/** An int64 field (number or Long) as a JavaScript number. */
export function int64ToNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

function describeValue(value: ValueInfoProto): GraphTensorInfo {
  const tensorType = value.type?.tensorType;
  const code = tensorType?.elemType ?? ELEMENT_TYPE.UNDEFINED;
  const dims = (tensorType?.shape?.dim ?? []).map((dim): number | string => {
    if (dim.dimParam) return dim.dimParam;
    const fixed = int64ToNumber(dim.dimValue);
    return fixed > 0 ? fixed : '?';
  });
  return { name: value.name ?? '', elementType: elementTypeName(code), elementTypeCode: code, dims };
}

/** The graph's real inputs (initializers listed as inputs by old exporters are left out) and outputs. */
export function listModelIo(model: ModelProto): ModelIo {
  const graph = model.graph;
  if (!graph) return { inputs: [], outputs: [] };
  const initializerNames = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  return {
    inputs: (graph.input ?? []).filter((value) => !initializerNames.has(value.name)).map(describeValue),
    outputs: (graph.output ?? []).map(describeValue),
  };
}
