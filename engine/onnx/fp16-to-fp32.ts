// fp16 ONNX models run about 1.7x slower than fp32 on the CPU provider
// (DESIGN.md), so the runtime converts a published fp16 file to fp32 once and
// keeps the result in a cache folder the caller chooses (the engine knows no
// app paths). Cache files are named by the source's sha256 and a converter
// version, and written atomically, so a file under its final name is whole.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { throwIfCancelled } from '../../common/errors.ts';
import { ELEMENT_TYPE, readModelFile, writeModelFile } from './onnx-file.ts';
import type { GraphProto, ModelProto, TensorProto, ValueInfoProto } from './onnx-file.ts';
import { readFloatTensor, writeFloatTensor } from './tensor-proto.ts';
import { exists } from '../base/exists.ts';

/** Bump when the conversion changes, so old cache entries are not reused. */
const CONVERTER_VERSION = 1;

function convertTensor(tensor: TensorProto): number {
  if (tensor.dataType !== ELEMENT_TYPE.FLOAT16) return 0;
  writeFloatTensor(tensor, readFloatTensor(tensor), 'float32');
  return 1;
}

function convertValueInfo(value: ValueInfoProto): number {
  const tensorType = value.type?.tensorType;
  if (!tensorType || tensorType.elemType !== ELEMENT_TYPE.FLOAT16) return 0;
  tensorType.elemType = ELEMENT_TYPE.FLOAT;
  return 1;
}

function convertGraph(graph: GraphProto): number {
  let changed = 0;
  for (const tensor of graph.initializer ?? []) changed += convertTensor(tensor);
  for (const value of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) changed += convertValueInfo(value);
  for (const node of graph.node ?? []) {
    for (const attribute of node.attribute ?? []) {
      if (node.opType === 'Cast' && attribute.name === 'to' && Number(attribute.i) === ELEMENT_TYPE.FLOAT16) {
        attribute.i = ELEMENT_TYPE.FLOAT;
        changed += 1;
      }
      if (attribute.t) changed += convertTensor(attribute.t);
      for (const tensor of attribute.tensors ?? []) changed += convertTensor(tensor);
      if (attribute.g) changed += convertGraph(attribute.g);
      for (const subgraph of attribute.graphs ?? []) changed += convertGraph(subgraph);
    }
  }
  return changed;
}

/**
 * Rewrites the model in place as fp32: float16 initializers, tensor attributes
 * (Constant, ConstantOfShape), Cast-to-float16 targets and the element types of
 * graph inputs, outputs and value_info. Returns how many things changed.
 */
export function convertModelToFp32(model: ModelProto): number {
  if (!model.graph) return 0;
  return convertGraph(model.graph);
}

/** True when any graph input, output or initializer is float16. */
export function isFp16Model(model: ModelProto): boolean {
  const graph = model.graph;
  if (!graph) return false;
  const values = [...(graph.input ?? []), ...(graph.output ?? [])];
  return values.some((value) => value.type?.tensorType?.elemType === ELEMENT_TYPE.FLOAT16)
    || (graph.initializer ?? []).some((tensor) => tensor.dataType === ELEMENT_TYPE.FLOAT16);
}

export async function sha256OfFile(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface Fp32CacheResult {
  /** The fp32 file to load. */
  path: string;
  /** True when this call converted; false when the cache already held the file. */
  converted: boolean;
}

/** Where the fp32 version of a source file with this hash lives in the cache. */
export function fp32CachePath(sourcePath: string, sourceSha256: string, cacheDir: string): string {
  const stem = path.basename(sourcePath).replace(/\.onnx$/i, '').replace(/\.fp16$/i, '');
  return path.join(cacheDir, `${stem}.${sourceSha256.slice(0, 16)}.v${CONVERTER_VERSION}.fp32.onnx`);
}

/**
 * The fp32 version of an fp16 model file, converted now or taken from the cache.
 * Concurrent callers may both convert; the renames are atomic and the bytes equal.
 */
export async function ensureFp32Model(sourcePath: string, cacheDir: string, options: { signal?: AbortSignal } = {}): Promise<Fp32CacheResult> {
  const target = fp32CachePath(sourcePath, await sha256OfFile(sourcePath), cacheDir);
  if (await exists(target)) return { path: target, converted: false };
  throwIfCancelled(options.signal);
  const model = await readModelFile(sourcePath);
  convertModelToFp32(model);
  throwIfCancelled(options.signal);
  await mkdir(cacheDir, { recursive: true });
  await writeModelFile(target, model);
  return { path: target, converted: true };
}
