// What a person wants to know about an ONNX model before using it: how many
// parameters, how large, which opset, its inputs and outputs, and which
// execution providers this machine offers to run it.
import { stat } from 'node:fs/promises';
import type { ProviderAttempt } from '../inference/inference-backend.ts';
import { int64ToNumber, readModelFile } from '../onnx/onnx-file.ts';
import { tensorDims } from '../onnx/tensor-proto.ts';
import { readGraphIo, type GraphTensor } from '../onnx/onnx-graph-io.ts';

export interface ModelInfo {
  path: string;
  sizeBytes: number;
  /** Number of weight values (elements of every initializer). */
  parameters: number;
  /** ai.onnx opset version (the default domain). */
  opset: number | undefined;
  producer: string | undefined;
  inputs: GraphTensor[];
  outputs: GraphTensor[];
  /** Operator types and their counts. */
  operators: Record<string, number>;
  providers: ProviderAttempt[];
}

/** Decodes the model (weights included, so this costs its size in memory once). */
export async function readModelInfo(file: string, providers: ProviderAttempt[]): Promise<ModelInfo> {
  const [model, stats, io] = await Promise.all([readModelFile(file), stat(file), readGraphIo(file)]);
  let parameters = 0;
  for (const initializer of model.graph?.initializer ?? []) {
    parameters += tensorDims(initializer).reduce((product, dim) => product * dim, 1);
  }
  const operators: Record<string, number> = {};
  for (const node of model.graph?.node ?? []) {
    const type = node.opType ?? '?';
    operators[type] = (operators[type] ?? 0) + 1;
  }
  const opsetEntry = (model.opsetImport ?? []).find((entry) => !entry.domain || entry.domain === 'ai.onnx');
  return {
    path: file,
    sizeBytes: stats.size,
    parameters,
    opset: opsetEntry ? int64ToNumber(opsetEntry.version) : undefined,
    producer: model.producerName ? `${model.producerName}${model.producerVersion ? ` ${model.producerVersion}` : ''}` : undefined,
    inputs: io.inputs,
    outputs: io.outputs,
    operators,
    providers,
  };
}
