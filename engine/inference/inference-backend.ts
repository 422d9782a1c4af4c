// The contract the tasks use to run a model. The implementation
// (OnnxWorkerBackend) runs onnxruntime in a worker thread because
// session.run() blocks the thread that calls it.
import type { ProviderReasonKind } from '../../common/api/api-types.ts';
import type { ModelManifest } from '../../common/model-manifest.ts';
import type { TensorMap } from './tensor.ts';

export const PROVIDER_NAMES = ['tensorrt', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
export type ProviderPreference = 'auto' | ProviderName;

export type Precision = 'fp32' | 'fp16';

export interface ProviderAttempt {
  provider: ProviderName;
  /** Why this provider was skipped or failed, in full for the CLI and the job log (with what to run); absent for the one chosen. */
  skippedBecause?: string;
  /** The same reason as a code a GUI words itself; set with skippedBecause. */
  kind?: ProviderReasonKind;
  /** The technical part of the reason without commands to type (library names, paths, the native message). */
  detail?: string;
}

/** Which provider runs a session and why the others were not used. */
export interface ProviderReport {
  chosen: ProviderName;
  attempts: ProviderAttempt[];
  precision: Precision;
}

/** A model file resolved on disk together with its manifest. */
export interface ResolvedModel {
  manifest: ModelManifest;
  /** Absolute path to the ONNX file as published (may be fp16). */
  path: string;
}

export interface SessionOptions {
  provider: ProviderPreference;
  /** CPU threads for intra-op parallelism; default all cores. */
  threads?: number;
  /**
   * Runs the caller keeps in flight at once (default 1). On the CPU a
   * session asked for more spreads them over worker threads, the threads
   * shared among them (laned-backend.ts).
   */
  parallelRuns?: number;
  /**
   * Denoise strength 0..1 for models with a denoisePartner: weights are
   * blended w = s * self + (1 - s) * partner. Undefined runs the model as is.
   */
  denoiseStrength?: number;
  /** The partner model for denoise blending, resolved by the caller. */
  denoisePartner?: ResolvedModel;
  /**
   * The input-shape bucket: values for the model's symbolic dimensions (for
   * example { height: 256, width: 256 } for fixed tiles). GPU providers plan
   * better with fixed shapes; sessions are cached per bucket. Undefined keeps
   * every dimension free.
   */
  freeDimensions?: Record<string, number>;
  /**
   * 'auto' (default) runs an fp16 model as fp32 on the CPU provider (converted
   * once and cached: fp16 is about 1.7x slower there) and as published on GPU
   * providers; 'published' always runs the file's own precision.
   */
  precision?: 'auto' | 'published';
  /**
   * Which GPU runs the session (onnxruntime's deviceId, 0 first) on CUDA,
   * TensorRT and DirectML; the other providers have no device choice and
   * ignore it. Default: the provider's default device (0).
   */
  deviceId?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /**
   * A run expected to fail now and then (measuring which sizes a model
   * accepts): onnxruntime's own error log line for a failed run is not
   * printed. The failure still comes back as an error.
   */
  quiet?: boolean;
}

/**
 * Callers always pass float32 tensors and receive float32 tensors, whatever
 * the graph's precision: where a provider runs an fp16 graph, the session
 * converts at the boundary (inside the worker).
 */
export interface ModelSession {
  readonly modelId: string;
  readonly report: ProviderReport;
  /** Runs once; input buffers are transferred (unusable by the caller afterwards). */
  run(inputs: TensorMap, options?: RunOptions): Promise<TensorMap>;
  release(): Promise<void>;
}

export interface InferenceBackend {
  open(model: ResolvedModel, options: SessionOptions): Promise<ModelSession>;
  /** Providers this build and machine can offer, with reasons for the rest. */
  availableProviders(): Promise<ProviderAttempt[]>;
  dispose(): Promise<void>;
}
