// The inference worker's entry. onnxruntime-node's session.run() blocks the
// thread that calls it, so sessions live here and the calling thread only
// posts messages (protocol in onnx-worker-protocol.ts). Sessions are cached by
// (model, partner and denoise strength, provider preference, precision,
// threads, input-shape bucket) and shared until their last holder releases them. On
// the CPU provider an fp16 model is replaced by its cached fp32 conversion.
import type * as OnnxRuntime from 'onnxruntime-node';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { parentPort, workerData } from 'node:worker_threads';
import { BugError, InferenceFailedError, InvalidArgumentError, isBugError, isFramesmithError, serializeError } from '../../common/errors.ts';
import { ensureFp32Model } from '../onnx/fp16-to-fp32.ts';
import { blendModelFiles } from '../onnx/weight-blend.ts';
import { float16ToFloat32Array, float32ToFloat16Array } from '../onnx/float16.ts';
import type { Precision, ProviderName, ProviderReport } from './inference-backend.ts';
import type { GraphTensor, OpenReply, OpenRequest, WorkerReply, WorkerRequest, WorkerStartData } from './onnx-worker-protocol.ts';
import { tensorBuffers } from './onnx-worker-protocol.ts';
import { describeProviders, detectProviderEnvironment, executionProviderConfig, firstWorkingProvider, planProviders } from './providers.ts';
import type { ProviderEnvironment, ProviderPlan } from './providers.ts';
import { classifyRuntimeError } from './runtime-errors.ts';
import type { TensorData, TensorMap } from './tensor.ts';

// The app's onnxruntime-node, or the private copy with the CUDA/TensorRT
// providers in the data folder (engine/gpu/onnxruntime-choice.ts).
const ort = (await import((workerData as WorkerStartData).onnxRuntime?.entry ?? 'onnxruntime-node')) as typeof OnnxRuntime;

interface CachedSession {
  id: number;
  key: string;
  modelId: string;
  session: InferenceSession;
  report: ProviderReport;
  inputs: GraphTensor[];
  outputs: GraphTensor[];
  holders: number;
}

interface Handled {
  value: unknown;
  transfer: ArrayBuffer[];
}

function sessionKey(request: OpenRequest): string {
  const dimensions = Object.entries(request.freeDimensions ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const blend = request.partner && request.denoiseStrength !== undefined ? [request.partner.path, request.denoiseStrength] : null;
  return JSON.stringify([request.modelPath, blend, request.provider, request.precision, request.threads ?? null, request.deviceId ?? null, dimensions]);
}

function graphTensors(metadata: readonly InferenceSession.ValueMetadata[], modelId: string): GraphTensor[] {
  return metadata.map((value) => {
    const type = value.isTensor ? value.type : 'non-tensor';
    if (type !== 'float32' && type !== 'float16') {
      throw new InvalidArgumentError(`Model "${modelId}" has tensor "${value.name}" of type ${type}; Framesmith runs float32 and float16 image models only.`);
    }
    return { name: value.name, dtype: type };
  });
}

function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

/** Graph-precision data for one input; the caller's buffer is used as is where types agree. */
function feedData(tensor: TensorData, dtype: 'float32' | 'float16'): Float32Array | Uint16Array {
  if (tensor.dtype === dtype) return tensor.data;
  if (dtype === 'float16') return float32ToFloat16Array(tensor.data as Float32Array);
  return float16ToFloat32Array(tensor.data as Uint16Array);
}

/** An output as float32 in a buffer of its own, ready to transfer. */
function float32Output(tensor: Tensor): Float32Array {
  if (tensor.type === 'float16') return float16ToFloat32Array(tensor.data as Uint16Array);
  const data = tensor.data as Float32Array;
  const ownsBuffer = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
  return ownsBuffer ? data : data.slice();
}

class OnnxWorkerHost {
  private readonly sessions = new Map<number, CachedSession>();
  private readonly opening = new Map<string, Promise<CachedSession>>();
  /**
   * Providers that failed to create a session for a model file, by
   * "provider model-path": 'auto' skips them from then on instead of paying
   * the failed attempt again (WebGPU takes about 0.5 s to refuse without a GPU).
   */
  private readonly failures = new Map<string, string>();
  private readonly environment: ProviderEnvironment;
  private nextId = 1;

  constructor(private readonly start: WorkerStartData) {
    this.environment = detectProviderEnvironment(ort.listSupportedBackends(), start.onnxRuntime?.bindingDir);
  }

  async handle(request: WorkerRequest): Promise<Handled> {
    switch (request.kind) {
      case 'open':
        return { value: await this.open(request.open), transfer: [] };
      case 'run': {
        const outputs = await this.run(request.sessionId, request.inputs, request.quiet === true);
        return { value: outputs, transfer: tensorBuffers(outputs) };
      }
      case 'release':
        await this.release(request.sessionId);
        return { value: null, transfer: [] };
      case 'providers':
        return { value: describeProviders(this.environment), transfer: [] };
      case 'dispose':
        await this.dispose();
        return { value: null, transfer: [] };
    }
  }

  private async open(request: OpenRequest): Promise<OpenReply> {
    const key = sessionKey(request);
    const existing = this.findByKey(key);
    if (existing) {
      existing.holders += 1;
      return this.reply(existing, true);
    }
    let pending = this.opening.get(key);
    const reused = pending !== undefined;
    if (!pending) {
      pending = this.create(key, request);
      this.opening.set(key, pending);
      void pending.then((entry) => this.sessions.set(entry.id, entry), () => undefined).finally(() => this.opening.delete(key));
    }
    const entry = await pending;
    if (reused) entry.holders += 1;
    return this.reply(entry, reused);
  }

  private findByKey(key: string): CachedSession | undefined {
    for (const entry of this.sessions.values()) if (entry.key === key) return entry;
    return undefined;
  }

  private reply(entry: CachedSession, reused: boolean): OpenReply {
    return { sessionId: entry.id, report: entry.report, reused, inputs: entry.inputs, outputs: entry.outputs };
  }

  private async create(key: string, request: OpenRequest): Promise<CachedSession> {
    const plan = this.withoutKnownFailures(planProviders(request.provider, this.environment), request);
    const threads = request.threads ?? this.start.threads;
    const fp32Paths = new Map<string, Promise<string>>();
    const pathFor = (path: string, precision: Precision, wantFp32: boolean): Promise<string> => {
      if (!wantFp32 || precision === 'fp32') return Promise.resolve(path);
      let converted = fp32Paths.get(path);
      if (!converted) {
        converted = ensureFp32Model(path, this.start.cacheDir).then((result) => result.path);
        fp32Paths.set(path, converted);
      }
      return converted;
    };
    const attempt = async (provider: ProviderName): Promise<{ session: InferenceSession; precision: Precision }> => {
      const wantFp32 = provider === 'cpu' && request.precision === 'auto';
      const precision: Precision = wantFp32 ? 'fp32' : request.sourcePrecision;
      const modelPath = await pathFor(request.modelPath, request.sourcePrecision, wantFp32);
      const options: InferenceSession.SessionOptions = {
        executionProviders: [executionProviderConfig(provider, request.deviceId)],
        intraOpNumThreads: threads,
        graphOptimizationLevel: 'all',
        // Idle intra-op threads sleep instead of spinning: the decoder, the
        // encoder and the stages' conversions share the same cores, and
        // spinning burned their CPU (RIFE 320x192 on 2 loaded cores: 22 % less
        // CPU per run and no slower with spinning off).
        extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
        ...(request.freeDimensions ? { freeDimensionOverrides: request.freeDimensions } : {}),
      };
      if (request.partner && request.denoiseStrength !== undefined) {
        const partnerPath = await pathFor(request.partner.path, request.partner.sourcePrecision, wantFp32);
        const bytes = await blendModelFiles(modelPath, partnerPath, request.denoiseStrength, { primary: request.modelId, partner: request.partner.modelId });
        return { session: await ort.InferenceSession.create(bytes, options), precision };
      }
      return { session: await ort.InferenceSession.create(modelPath, options), precision };
    };
    try {
      const { value, chosen, attempts } = await firstWorkingProvider(plan, request.provider, attempt);
      for (const entry of attempts) {
        if (entry.skippedBecause?.startsWith('failed: ')) this.failures.set(`${entry.provider} ${request.modelPath}`, entry.skippedBecause.slice('failed: '.length));
      }
      const inputs = graphTensors(value.session.inputMetadata, request.modelId);
      const outputs = graphTensors(value.session.outputMetadata, request.modelId);
      const id = this.nextId;
      this.nextId += 1;
      const report: ProviderReport = { chosen, attempts, precision: value.precision };
      return { id, key, modelId: request.modelId, session: value.session, report, inputs, outputs, holders: 1 };
    } catch (error) {
      if (isFramesmithError(error) || isBugError(error)) throw error;
      throw classifyRuntimeError(error, request.modelId, `loading model "${request.modelId}"`);
    }
  }

  private withoutKnownFailures(plan: ProviderPlan, request: OpenRequest): ProviderPlan {
    if (request.provider !== 'auto') return plan;
    const candidates: ProviderName[] = [];
    const skipped = [...plan.skipped];
    for (const provider of plan.candidates) {
      const reason = provider === 'cpu' ? undefined : this.failures.get(`${provider} ${request.modelPath}`);
      if (reason) skipped.push({ provider, skippedBecause: `failed earlier in this worker: ${reason}` });
      else candidates.push(provider);
    }
    return { candidates, skipped };
  }

  private sessionFor(sessionId: number): CachedSession {
    const entry = this.sessions.get(sessionId);
    if (!entry) throw new BugError(`session ${sessionId} is not open in the inference worker (released already?)`);
    return entry;
  }

  private async run(sessionId: number, inputs: TensorMap, quiet: boolean): Promise<TensorMap> {
    const entry = this.sessionFor(sessionId);
    const feeds: Record<string, Tensor> = {};
    for (const spec of entry.inputs) {
      const tensor = inputs[spec.name];
      if (!tensor) {
        throw new InvalidArgumentError(`Model "${entry.modelId}" expects inputs ${entry.inputs.map((input) => `"${input.name}"`).join(', ')} but received ${Object.keys(inputs).map((name) => `"${name}"`).join(', ') || 'none'}.`);
      }
      if (tensor.data.length !== elementCount(tensor.dims)) {
        throw new InvalidArgumentError(`Input "${spec.name}" has ${tensor.data.length} values but dims [${tensor.dims.join(', ')}] need ${elementCount(tensor.dims)}.`);
      }
      feeds[spec.name] = new ort.Tensor(spec.dtype, feedData(tensor, spec.dtype), tensor.dims);
    }
    let results: InferenceSession.ReturnType;
    try {
      // Severity 4 (fatal only) keeps onnxruntime from printing a failed run that the caller expects.
      results = await (quiet ? entry.session.run(feeds, { logSeverityLevel: 4 }) : entry.session.run(feeds));
    } catch (error) {
      const dims = Object.values(inputs).map((tensor) => `[${tensor.dims.join('x')}]`).join(', ');
      throw classifyRuntimeError(error, entry.modelId, `running model "${entry.modelId}" on ${dims}`);
    }
    const outputs: TensorMap = {};
    for (const spec of entry.outputs) {
      const tensor = results[spec.name];
      if (!tensor) throw new InferenceFailedError(entry.modelId, { detail: `output "${spec.name}" missing from the results` });
      outputs[spec.name] = { dtype: 'float32', dims: tensor.dims.map(Number), data: float32Output(tensor) };
    }
    return outputs;
  }

  private async release(sessionId: number): Promise<void> {
    const entry = this.sessions.get(sessionId);
    if (!entry) return;
    entry.holders -= 1;
    if (entry.holders > 0) return;
    this.sessions.delete(sessionId);
    await entry.session.release();
  }

  async dispose(): Promise<void> {
    const entries = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(entries.map((entry) => entry.session.release()));
  }
}

function main(): void {
  const port = parentPort;
  if (!port) throw new BugError('onnx-worker.ts must run as a worker thread');
  const host = new OnnxWorkerHost(workerData as WorkerStartData);
  port.on('message', (request: WorkerRequest) => {
    host.handle(request).then(
      ({ value, transfer }) => {
        const reply: WorkerReply = { id: request.id, result: { ok: true, value } };
        port.postMessage(reply, transfer);
        if (request.kind === 'dispose') port.close();
      },
      (error: unknown) => {
        const reply: WorkerReply = { id: request.id, result: { ok: false, error: serializeError(error) } };
        port.postMessage(reply);
      },
    );
  });
}

main();
