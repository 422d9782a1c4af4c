// Messages between OnnxWorkerBackend (the calling thread) and onnx-worker.ts.
// Every request carries an id and gets exactly one reply with that id, whose
// result is the Result<T> envelope of common/errors.ts. Tensor buffers travel
// in the transfer list both ways.
import type { Result } from '../../common/errors.ts';
import type { Precision, ProviderAttempt, ProviderPreference, ProviderReport } from './inference-backend.ts';
import type { TensorMap } from './tensor.ts';

export interface WorkerStartData {
  /** Where fp32 conversions of fp16 models are cached. */
  cacheDir: string;
  /** Intra-op threads when a session does not say. */
  threads: number;
  /** Which onnxruntime-node to import (the app's or the GPU install in the data folder) and where its binding sits. */
  onnxRuntime?: { entry: string; bindingDir: string };
}

export interface OpenRequest {
  modelId: string;
  modelPath: string;
  /** The precision of the file as published (from its manifest). */
  sourcePrecision: Precision;
  partner?: { modelId: string; path: string; sourcePrecision: Precision };
  denoiseStrength?: number;
  provider: ProviderPreference;
  threads?: number;
  freeDimensions?: Record<string, number>;
  precision: 'auto' | 'published';
  deviceId?: number;
}

export interface GraphTensor {
  name: string;
  dtype: 'float32' | 'float16';
}

export interface OpenReply {
  sessionId: number;
  report: ProviderReport;
  /** True when an open session with the same key was shared. */
  reused: boolean;
  inputs: GraphTensor[];
  outputs: GraphTensor[];
}

/** Request payloads and reply values, by request kind. */
export interface WorkerCalls {
  open: { request: { open: OpenRequest }; reply: OpenReply };
  run: { request: { sessionId: number; inputs: TensorMap; quiet?: boolean }; reply: TensorMap };
  release: { request: { sessionId: number }; reply: null };
  providers: { request: Record<string, never>; reply: ProviderAttempt[] };
  dispose: { request: Record<string, never>; reply: null };
}

export type WorkerCallKind = keyof WorkerCalls;

export type WorkerRequest = {
  [Kind in WorkerCallKind]: { id: number; kind: Kind } & WorkerCalls[Kind]['request'];
}[WorkerCallKind];

export interface WorkerReply {
  id: number;
  result: Result<unknown>;
}

/** The buffers of a tensor map, for a transfer list (shared memory is not transferable). */
export function tensorBuffers(tensors: TensorMap): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const tensor of Object.values(tensors)) {
    if (tensor.data.buffer instanceof ArrayBuffer) buffers.add(tensor.data.buffer);
  }
  return [...buffers];
}
