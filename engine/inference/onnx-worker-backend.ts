// InferenceBackend over one onnxruntime worker thread (onnx-worker.ts). Use
// one backend per device. The calling thread never runs a model: it posts
// tensors (transferring their buffers) and awaits the reply, so ffmpeg pipes,
// progress and IPC keep flowing while a frame is inferred. An idle worker is
// unref'd, so a forgotten dispose() never keeps the process alive.
import type { Worker } from 'node:worker_threads';
import { BugError, CancelledError, InvalidArgumentError, deserializeError, throwIfCancelled } from '../../common/errors.ts';
import { expectNumberInRange, expectPositiveInteger } from '../../common/validation.ts';
import type { InferenceBackend, ModelSession, Precision, ProviderAttempt, ProviderReport, ResolvedModel, RunOptions, SessionOptions } from './inference-backend.ts';
import type { GraphTensor, OpenReply, OpenRequest, WorkerCallKind, WorkerCalls, WorkerReply, WorkerStartData } from './onnx-worker-protocol.ts';
import { tensorBuffers } from './onnx-worker-protocol.ts';
import { disableOnnxRuntimeTelemetry } from './onnxruntime-environment.ts';
import { defaultThreadCount } from './providers.ts';
import type { TensorMap } from './tensor.ts';
import { startWorker } from './worker-script.ts';
import { chooseOnnxRuntime, type OnnxRuntimeChoice } from '../gpu/onnxruntime-choice.ts';

export interface OnnxWorkerBackendOptions {
  /** Folder for fp32 conversions of fp16 models (the app's cache; the engine knows no paths). */
  cacheDir: string;
  /** Intra-op threads for sessions that do not say; default all cores. */
  threads?: number;
  /** The per-user GPU folder (`<data>/gpu`): its CUDA/TensorRT install is loaded when it matches. */
  gpuDir?: string;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

function precisionOf(model: ResolvedModel): Precision {
  return model.manifest.inputs.some((input) => input.dtype === 'float16') ? 'fp16' : 'fp32';
}

export class OnnxWorkerSession implements ModelSession {
  private released = false;

  constructor(
    private readonly backend: OnnxWorkerBackend,
    readonly modelId: string,
    /** The worker's session id: equal ids share one onnxruntime session. */
    readonly sessionId: number,
    readonly report: ProviderReport,
    readonly inputs: readonly GraphTensor[],
    readonly outputs: readonly GraphTensor[],
  ) {}

  async run(inputs: TensorMap, options: RunOptions = {}): Promise<TensorMap> {
    if (this.released) throw new BugError(`session for "${this.modelId}" used after release()`);
    throwIfCancelled(options.signal);
    for (const [name, tensor] of Object.entries(inputs)) {
      if (tensor.dtype === 'float32' ? !(tensor.data instanceof Float32Array) : !(tensor.data instanceof Uint16Array)) {
        throw new InvalidArgumentError(`Input "${name}" says ${tensor.dtype} but carries a ${tensor.data.constructor.name}; pass float32 data in a Float32Array.`);
      }
    }
    return this.backend.call('run', { sessionId: this.sessionId, inputs, ...(options.quiet ? { quiet: true } : {}) }, tensorBuffers(inputs), options.signal);
  }

  /** Frees the worker's session when its last holder releases it; a no-op after the backend's dispose(). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    if (this.backend.isDisposed) return;
    await this.backend.call('release', { sessionId: this.sessionId });
  }
}

export class OnnxWorkerBackend implements InferenceBackend {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private disposed = false;
  private readonly startData: WorkerStartData;
  /** Which onnxruntime-node the worker loads, and why. */
  readonly onnxRuntime: OnnxRuntimeChoice;
  /** Intra-op threads of sessions that do not say. */
  readonly threads: number;

  constructor(options: OnnxWorkerBackendOptions) {
    if (!options.cacheDir) throw new InvalidArgumentError('OnnxWorkerBackend needs a cacheDir for converted models.');
    const threads = options.threads ?? defaultThreadCount();
    expectPositiveInteger('threads', threads);
    this.threads = threads;
    this.onnxRuntime = chooseOnnxRuntime(options.gpuDir);
    this.startData = { cacheDir: options.cacheDir, threads, onnxRuntime: { entry: this.onnxRuntime.entry, bindingDir: this.onnxRuntime.bindingDir } };
  }

  async open(model: ResolvedModel, options: SessionOptions): Promise<ModelSession> {
    const { denoiseStrength, denoisePartner } = options;
    if (denoiseStrength !== undefined) {
      expectNumberInRange('the denoise strength', denoiseStrength, 0, 1);
      if (!denoisePartner) throw new InvalidArgumentError(`Model "${model.manifest.id}" has no denoise partner, so it takes no denoise strength.`);
    }
    const request: OpenRequest = {
      modelId: model.manifest.id,
      modelPath: model.path,
      sourcePrecision: precisionOf(model),
      provider: options.provider,
      precision: options.precision ?? 'auto',
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.deviceId === undefined ? {} : { deviceId: options.deviceId }),
      ...(options.freeDimensions === undefined ? {} : { freeDimensions: options.freeDimensions }),
      ...(denoiseStrength === undefined || !denoisePartner
        ? {}
        : { denoiseStrength, partner: { modelId: denoisePartner.manifest.id, path: denoisePartner.path, sourcePrecision: precisionOf(denoisePartner) } }),
    };
    const reply: OpenReply = await this.call('open', { open: request });
    return new OnnxWorkerSession(this, request.modelId, reply.sessionId, reply.report, reply.inputs, reply.outputs);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  availableProviders(): Promise<ProviderAttempt[]> {
    return this.call('providers', {});
  }

  /** Releases every session and ends the worker. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    try {
      await this.send('dispose', {}, []);
    } finally {
      await worker.terminate();
      await exited;
      this.worker = undefined;
    }
  }

  /** One request to the worker; rejects with CancelledError at once when the signal fires (the run itself finishes in the worker and its result is dropped). */
  call<Kind extends WorkerCallKind>(kind: Kind, payload: WorkerCalls[Kind]['request'], transfer: ArrayBuffer[] = [], signal?: AbortSignal): Promise<WorkerCalls[Kind]['reply']> {
    if (this.disposed) return Promise.reject(new BugError('inference backend used after dispose()'));
    return this.send(kind, payload, transfer, signal);
  }

  private send<Kind extends WorkerCallKind>(kind: Kind, payload: WorkerCalls[Kind]['request'], transfer: ArrayBuffer[], signal?: AbortSignal): Promise<WorkerCalls[Kind]['reply']> {
    const worker = this.ensureWorker();
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.settle(id);
        reject(new CancelledError());
      };
      this.pending.set(id, {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value as WorkerCalls[Kind]['reply']);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.ref();
      worker.postMessage({ id, kind, ...payload }, transfer);
    });
  }

  private settle(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker?.unref();
    return entry;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    disableOnnxRuntimeTelemetry();
    const worker = startWorker(new URL('./onnx-worker.ts', import.meta.url), { workerData: this.startData });
    worker.on('message', (reply: WorkerReply) => {
      const entry = this.settle(reply.id);
      if (!entry) return;
      if (reply.result.ok) entry.resolve(reply.result.value);
      else entry.reject(deserializeError(reply.result.error));
    });
    worker.on('error', (error) => this.failAll(new BugError(`the inference worker crashed: ${error.message}`, { cause: error, detail: error.stack })));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.pending.size > 0) this.failAll(new BugError(`the inference worker exited (code ${code}) with requests in flight`));
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(error);
  }
}
