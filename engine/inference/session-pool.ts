// The process's one inference runtime: one backend (one worker thread per
// device, DESIGN.md) and the sessions open on it, shared by one typed key.
// The composition root (the CLI, the Electron engine host) makes it once and
// hands it to the Engine, which runs jobs and previews, and to the
// ModelStore, which runs trial runs and benchmarks; without it each would
// start a worker of its own and load the same model twice.
//
// A session is shared while anyone holds it: open() gives each caller a
// lease. When the last lease ends the session stays open, idle, so the next
// job or preview on the same model starts at once; only the `keepIdle` most
// recently used idle sessions are kept, older ones are released in the worker.
// Every key field is a fact that changes what the session computes or how it
// runs: the model file (and the partner it is blended with, at which
// strength), the provider preference, the precision policy, the thread count,
// the runs kept in flight (lanes on the CPU) and the input-shape bucket.
import { BugError, InvalidArgumentError } from '../../common/errors.ts';
import type { InferenceBackend, ModelSession, ProviderAttempt, ProviderPreference, ProviderReport, ResolvedModel, SessionOptions } from './inference-backend.ts';
import type { OnnxRuntimeChoice } from '../gpu/onnxruntime-choice.ts';
import { LanedBackend, MAX_CPU_LANES } from './laned-backend.ts';
import { OnnxWorkerBackend } from './onnx-worker-backend.ts';
import type { TensorMap } from './tensor.ts';

/** What makes two sessions the same session. */
export interface SessionKey {
  modelId: string;
  /** The ONNX file as published (conversions for a provider are derived from it in the worker). */
  modelPath: string;
  provider: ProviderPreference;
  precision: 'auto' | 'published';
  /** Intra-op threads; null: the backend's default. */
  threads: number | null;
  /** Runs kept in flight at once, spread over lanes on the CPU. */
  parallelRuns: number;
  /** GPU device id; null: the provider's default. */
  deviceId: number | null;
  /** Denoise blending: the partner's file and the strength, or null. */
  blend: { partnerPath: string; strength: number } | null;
  /** Values for the model's symbolic dimensions, sorted by name; null: all free. */
  shape: readonly (readonly [string, number])[] | null;
}

export function sessionKeyOf(model: ResolvedModel, options: SessionOptions): SessionKey {
  const shape = options.freeDimensions === undefined ? null : Object.entries(options.freeDimensions).sort(([a], [b]) => a.localeCompare(b));
  return {
    modelId: model.manifest.id,
    modelPath: model.path,
    provider: options.provider,
    precision: options.precision ?? 'auto',
    threads: options.threads ?? null,
    parallelRuns: options.parallelRuns ?? 1,
    deviceId: options.deviceId ?? null,
    blend: options.denoiseStrength !== undefined && options.denoisePartner ? { partnerPath: options.denoisePartner.path, strength: options.denoiseStrength } : null,
    shape,
  };
}

/** The key as one string, field order fixed: equal keys give equal text. */
export function sessionKeyText(key: SessionKey): string {
  return JSON.stringify([key.modelPath, key.modelId, key.provider, key.precision, key.threads, key.parallelRuns, key.deviceId, key.blend && [key.blend.partnerPath, key.blend.strength], key.shape]);
}

interface Entry {
  readonly text: string;
  readonly opening: Promise<ModelSession>;
  holders: number;
}

class PooledSession implements ModelSession {
  private released = false;

  constructor(
    private readonly session: ModelSession,
    private readonly leave: () => Promise<void>,
  ) {}

  get modelId(): string {
    return this.session.modelId;
  }

  get report(): ProviderReport {
    return this.session.report;
  }

  run(inputs: TensorMap, options?: { signal?: AbortSignal }): Promise<TensorMap> {
    if (this.released) return Promise.reject(new BugError(`session for "${this.modelId}" used after release()`));
    return this.session.run(inputs, options);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.leave();
  }
}

export interface SessionPoolOptions {
  /** Folder for fp32 conversions of fp16 models (the app's cache). */
  cacheDir: string;
  /** Default intra-op threads; default all cores. */
  threads?: number;
  /** Idle sessions kept open for reuse (default 4). */
  keepIdle?: number;
  /** Per-user GPU folder (`framesmith gpu install cuda`): its onnxruntime is loaded when it holds one. */
  gpuDir?: string;
  /** GPU for sessions that name none (one render-farm worker per GPU); default the provider's. */
  deviceId?: number;
}

export class SessionPool implements InferenceBackend {
  private readonly entries = new Map<string, Entry>();
  /** Keys of idle sessions, least recently used first. */
  private readonly idle = new Set<string>();
  private disposed = false;

  /** A pool over `backend`; the pool owns it and disposes it. */
  constructor(
    private readonly backend: InferenceBackend,
    private readonly keepIdle = 4,
    /** Which onnxruntime-node the worker loads (the app's or the GPU install), when the backend is the worker. */
    readonly onnxRuntime?: OnnxRuntimeChoice,
    /** GPU for sessions that name none. */
    private readonly deviceId?: number,
  ) {
    if (!Number.isInteger(keepIdle) || keepIdle < 0) throw new InvalidArgumentError(`Expected a whole number of at least 0 for keepIdle but received ${keepIdle}.`);
  }

  /** The pool over onnxruntime worker threads: one for every session, more for parallel runs on the CPU (laned-backend.ts). */
  static create(options: SessionPoolOptions): SessionPool {
    const lanes = Array.from({ length: MAX_CPU_LANES }, () => new OnnxWorkerBackend({ cacheDir: options.cacheDir, threads: options.threads, gpuDir: options.gpuDir }));
    const first = lanes[0] as OnnxWorkerBackend;
    return new SessionPool(new LanedBackend(lanes, first.threads), options.keepIdle, first.onnxRuntime, options.deviceId);
  }

  /** Sessions open now (distinct keys), for tests and logs. */
  get openCount(): number {
    return this.entries.size;
  }

  /** A lease on the session for this model and these options, opened on first use and shared after. */
  async open(model: ResolvedModel, requested: SessionOptions): Promise<ModelSession> {
    if (this.disposed) throw new BugError('session pool used after dispose()');
    const options = requested.deviceId === undefined && this.deviceId !== undefined ? { ...requested, deviceId: this.deviceId } : requested;
    if (options.denoiseStrength !== undefined && !options.denoisePartner) {
      throw new InvalidArgumentError(`Model "${model.manifest.id}" has no denoise partner, so it takes no denoise strength.`);
    }
    const text = sessionKeyText(sessionKeyOf(model, options));
    let entry = this.entries.get(text);
    if (!entry) {
      const opening = this.backend.open(model, options);
      const created: Entry = { text, opening, holders: 0 };
      opening.catch(() => {
        if (this.entries.get(text) === created) this.entries.delete(text);
      });
      this.entries.set(text, created);
      entry = created;
    }
    entry.holders += 1;
    this.idle.delete(text);
    try {
      const session = await entry.opening;
      const held = entry;
      return new PooledSession(session, () => this.leave(held));
    } catch (error) {
      entry.holders -= 1;
      throw error;
    }
  }

  /** One lease ended; the last one releases the session in the worker. */
  private async leave(entry: Entry): Promise<void> {
    entry.holders -= 1;
    if (entry.holders > 0 || this.entries.get(entry.text) !== entry) return;
    this.idle.add(entry.text);
    const surplus = [...this.idle].slice(0, Math.max(0, this.idle.size - this.keepIdle));
    await Promise.all(surplus.map(async (text) => {
      const stale = this.entries.get(text);
      this.idle.delete(text);
      this.entries.delete(text);
      if (stale) await (await stale.opening).release();
    }));
  }

  availableProviders(): Promise<ProviderAttempt[]> {
    return this.backend.availableProviders();
  }

  /** Releases every session and ends the worker. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.idle.clear();
    await Promise.allSettled(entries.map(async (entry) => (await entry.opening).release()));
    await this.backend.dispose();
  }
}

/** Sessions one job item (or one request) leased, given back together when it ends. */
export class SessionLeases {
  private readonly held: ModelSession[] = [];

  /** Keeps the lease `opening` gives, to release it with the others. */
  async add(opening: Promise<ModelSession>): Promise<ModelSession> {
    const session = await opening;
    this.held.push(session);
    return session;
  }

  async releaseAll(): Promise<void> {
    await Promise.allSettled(this.held.splice(0).map((session) => session.release()));
  }
}
