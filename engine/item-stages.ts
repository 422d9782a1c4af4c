// An item's chain of stages, built on sessions leased from the process's
// one SessionPool: each step's builder asks for its model's session (with the
// precision the job settles on and its denoise partner), or for sessions on
// models derived from it, and the stages are disposed and the leases given
// back when the item's work ends. Also records what the chain ran on: the
// providers and precisions (for the job log) and the sha256 of every model
// (the render farm's fingerprint).
import type { ProcessingSettings } from '../common/job-spec.ts';
import type { MediaInfo } from './media/media-info.ts';
import type { ModelSession, ResolvedModel } from './inference/inference-backend.ts';
import { SessionLeases, type SessionPool } from './inference/session-pool.ts';
import type { ItemHandlers, PlannedItem } from './jobs/batch.ts';
import type { ModelResolver } from './models/model-resolver.ts';
import type { FrameStage } from './pipeline/frame-stage.ts';
import { sessionPrecision, type JobPrecision } from './precision/job-precision.ts';
import type { PrecisionResolution } from './precision/precision-resolver.ts';
import { builderFor } from './steps/step-builders.ts';
import { sessionRequestText, type SessionRequest, type StepContext } from './steps/step-builder.ts';

/** A chain's stages for one item, with what they run on. */
export interface BuiltStages {
  stages: FrameStage[];
  providers: string[];
  precisions: string[];
  /** sha256 of every model the chain runs, by id (the render farm's fingerprint). */
  models: Record<string, string>;
}

export interface ItemStagesOptions {
  /** Resolves model ids; its catalog (which a model install replaces) is read at each use. */
  models: ModelResolver;
  inference: () => SessionPool;
  precision: JobPrecision;
  /** Folder of derived model files (conversions, split graphs). */
  cacheDir: string;
}

export class ItemStages {
  /** What precision each catalog session runs in, and what auto said about it. */
  private readonly precisions = new WeakMap<ModelSession, PrecisionResolution>();
  /** Sessions started by startEarly(), by item and request (sessionRequestText); the build takes each at most once. */
  private readonly early = new WeakMap<PlannedItem, Map<string, Promise<ModelSession>>>();

  constructor(private readonly options: ItemStagesOptions) {}

  /**
   * Starts opening the sessions the item's steps will most likely ask for
   * (each builder's usualSession) before the source is probed, so the model check, the precision
   * lookup and the session creation overlap the probe instead of following
   * it. The stages take these leases when they ask for the same model; one
   * not asked for (RIFE rewritten for a reduced flow scale, say) is given back
   * once the stages are built. Errors surface when the stage asks again.
   */
  startEarly(item: PlannedItem, signal: AbortSignal): void {
    const started = new Map<string, Promise<ModelSession>>();
    for (const step of item.steps) {
      const request = builderFor(step).usualSession?.(step);
      if (!request || started.has(sessionRequestText(request)) || !this.options.models.catalog.has(request.modelId)) continue;
      const opening = this.session(request, item.processing, signal);
      opening.catch(() => undefined);
      started.set(sessionRequestText(request), opening);
    }
    this.early.set(item, started);
  }

  /** The early lease on `request`'s session, taken once; undefined where none was started. */
  private takeEarly(item: PlannedItem, request: SessionRequest): Promise<ModelSession> | undefined {
    const started = this.early.get(item);
    const opening = started?.get(sessionRequestText(request));
    started?.delete(sessionRequestText(request));
    return opening;
  }

  /** Gives back the early leases no stage took (the engine calls it when the item fails before its stages are built). */
  async releaseEarly(item: PlannedItem): Promise<void> {
    const started = this.early.get(item);
    this.early.delete(item);
    await Promise.allSettled([...(started?.values() ?? [])].map(async (opening) => (await opening).release()));
  }

  /** A lease on the session of a catalog model (and its denoise partner) with a job's processing settings. */
  async session(request: SessionRequest, processing: ProcessingSettings, signal: AbortSignal): Promise<ModelSession> {
    const model = await this.options.models.resolve(request.modelId, { signal });
    const partnerId = request.denoise !== undefined ? model.manifest.denoisePartner : undefined;
    const partner = partnerId ? await this.options.models.resolve(partnerId, { signal }) : undefined;
    const resolution = await this.options.precision.forModel(model, processing, { blended: partner !== undefined, signal });
    const session = await this.options.inference().open(resolution.model, {
      provider: processing.provider,
      threads: processing.threads,
      parallelRuns: request.parallelRuns,
      precision: resolution.sessionPrecision,
      denoiseStrength: partner ? request.denoise : undefined,
      denoisePartner: partner,
    });
    this.precisions.set(session, resolution);
    return session;
  }

  /** The precision of a model derived from catalog model `baseId`: int8 where the job runs the base in int8, else as before. */
  private async derivedPrecision(model: ResolvedModel, baseId: string, processing: ProcessingSettings, signal: AbortSignal): Promise<PrecisionResolution | undefined> {
    const base = await this.options.models.resolve(baseId, { signal });
    const chosen = await this.options.precision.forModel(base, processing, { blended: false, signal });
    return chosen.precision === 'int8' ? this.options.precision.forModel(model, { ...processing, precision: 'int8' }, { blended: false, signal }) : undefined;
  }

  private async buildStages(item: PlannedItem, source: MediaInfo | undefined, handlers: Pick<ItemHandlers, 'signal' | 'onNotice'>, leases: SessionLeases): Promise<BuiltStages> {
    const stages: FrameStage[] = [];
    /** sha256 of every model the chain runs, by id (the render farm's fingerprint). */
    const models: Record<string, string> = {};
    const note = (manifest: { id: string; sha256: string }): void => {
      models[manifest.id] = manifest.sha256;
    };
    const providers = new Set<string>();
    const precisions = new Set<string>();
    try {
      for (const [index, step] of item.steps.entries()) {
        const context: StepContext = {
          catalog: this.options.models.catalog,
          session: async (request) => {
            note(this.options.models.catalog.get(request.modelId));
            const partner = request.denoise !== undefined ? this.options.models.catalog.get(request.modelId).denoisePartner : undefined;
            if (partner) note(this.options.models.catalog.get(partner));
            const session = await leases.add(this.takeEarly(item, request) ?? this.session(request, item.processing, handlers.signal));
            const resolution = this.precisions.get(session);
            providers.add(session.report.chosen);
            precisions.add(resolution?.precision === 'int8' ? 'int8' : session.report.precision);
            if (resolution?.notice) handlers.onNotice?.(resolution.notice);
            return session;
          },
          derivedModels: {
            resolve: async (modelId) => {
              const model = await this.options.models.resolve(modelId, { signal: handlers.signal });
              note(model.manifest);
              return model;
            },
            cacheDir: this.options.cacheDir,
            open: async (model, options) => {
              const resolution = options?.precisionOf ? await this.derivedPrecision(model, options.precisionOf, item.processing, handlers.signal) : undefined;
              const session = await leases.add(this.options.inference().open(resolution?.model ?? model, { provider: item.processing.provider, threads: item.processing.threads, parallelRuns: options?.parallelRuns, precision: resolution?.sessionPrecision ?? sessionPrecision(item.processing) }));
              providers.add(session.report.chosen);
              precisions.add(resolution?.precision === 'int8' ? 'int8' : session.report.precision);
              return session;
            },
          },
          provider: item.processing.provider,
          tile: item.processing.tile,
          source,
          index,
          signal: handlers.signal,
          onNotice: (message) => handlers.onNotice?.(message),
        };
        stages.push(await builderFor(step).build(step, context));
      }
    } catch (error) {
      await Promise.all(stages.map((stage) => stage.dispose()));
      throw error;
    }
    return { stages, providers: [...providers], precisions: [...precisions], models };
  }

  /** Builds an item's stages on leased sessions, runs `body` with them, then disposes the stages and gives the sessions back. */
  async withStages<T>(item: PlannedItem, source: MediaInfo | undefined, handlers: Pick<ItemHandlers, 'signal' | 'onNotice'>, body: (built: BuiltStages) => Promise<T>): Promise<T> {
    const leases = new SessionLeases();
    try {
      let built: BuiltStages;
      try {
        built = await this.buildStages(item, source, handlers, leases);
      } finally {
        await this.releaseEarly(item);
      }
      try {
        return await body(built);
      } finally {
        await Promise.all(built.stages.map((stage) => stage.dispose()));
      }
    } finally {
      await leases.releaseAll();
    }
  }
}
