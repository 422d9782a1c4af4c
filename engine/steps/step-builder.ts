// How one kind of chain step (upscale, interpolate, stylize) becomes a
// FrameStage. Each kind has one builder file; the engine looks builders up
// by `kind` and never knows the tasks' details.
import { InvalidArgumentError } from '../../common/errors.ts';
import type { Step, StepKind } from '../../common/job-spec.ts';
import type { ModelManifest } from '../../common/model-manifest.ts';
import type { ModelSession, ProviderPreference, ResolvedModel } from '../inference/inference-backend.ts';
import type { MediaInfo } from '../media/media-info.ts';
import type { Catalog } from '../models/catalog.ts';
import type { FrameStage } from '../pipeline/frame-stage.ts';

export interface SessionRequest {
  modelId: string;
  /** Real-ESRGAN denoise strength: blends the model with its denoisePartner. */
  denoise?: number;
  /** Runs the stage keeps in flight at once (SessionOptions.parallelRuns). */
  parallelRuns?: number;
}

/** One text per distinct request: equal texts ask for the same session. */
export function sessionRequestText(request: SessionRequest): string {
  return JSON.stringify([request.modelId, request.denoise ?? null, request.parallelRuns ?? 1]);
}

/** For steps that run models derived from a catalog model (e.g. a graph split by splitConstantBranch). */
export interface DerivedModels {
  /** The catalog model's verified file, to derive from. */
  resolve(modelId: string): Promise<ResolvedModel>;
  /** A folder for derived model files (the engine's cache). */
  cacheDir: string;
  /**
   * Opens (or reuses) a session on a derived model with the job's provider,
   * threads and precision. `precisionOf`: the catalog model it was derived
   * from; where the job's precision runs that model in int8, the derived
   * model runs in int8 too (its own int8 variant, calibrated like the model's).
   */
  open(model: ResolvedModel, options?: { precisionOf?: string; parallelRuns?: number }): Promise<ModelSession>;
}

export interface StepContext {
  catalog: Catalog;
  /** Opens (or reuses) a verified model session with the job's provider and threads. */
  session(request: SessionRequest): Promise<ModelSession>;
  /** Absent where the host opens catalog models only; steps then run the catalog model as is. */
  derivedModels?: DerivedModels;
  provider: ProviderPreference;
  tile: number | 'auto';
  /** The probed source for video items; undefined for still images. */
  source: MediaInfo | undefined;
  /** Position of this step in the chain, 0-based. */
  index: number;
  signal: AbortSignal;
  onNotice: (message: string) => void;
}

export interface StepBuilder<S extends Step = Step> {
  readonly kind: S['kind'];
  /**
   * Checks a step against the catalog before any frame is decoded; throws
   * InvalidArgumentError (or ModelNotFoundError) naming the step.
   */
  validate(step: S, index: number, catalog: Catalog): void;
  /** Short label for output names, e.g. "upscaled-x4" or "60fps". */
  label(step: S, catalog: Catalog): string;
  /** Whether the step can run on a still image. */
  appliesToImages(step: S): boolean;
  /**
   * The catalog session build() asks for in the usual case, so it can be
   * opened while the source is probed; absent or undefined where the step
   * cannot tell before it sees the source.
   */
  usualSession?(step: S): SessionRequest | undefined;
  build(step: S, context: StepContext): Promise<FrameStage>;
}

export type StepBuilders = { readonly [K in StepKind]?: StepBuilder<Extract<Step, { kind: K }>> };

/** "Step 2 (interpolate)", for messages. */
export function stepName(step: Pick<Step, 'kind'>, index: number): string {
  return `Step ${index + 1} (${step.kind})`;
}

/** The manifest of a step's model, checked to be of the expected task. */
export function manifestForTask(catalog: Catalog, modelId: string, task: ModelManifest['task'], step: Pick<Step, 'kind'>, index: number): ModelManifest {
  const manifest = catalog.get(modelId);
  if (manifest.task !== task) {
    throw new InvalidStepError(step, index, `"${modelId}" is a ${manifest.task} model; choose a ${task} model`);
  }
  return manifest;
}


export class InvalidStepError extends InvalidArgumentError {
  constructor(step: Pick<Step, 'kind'>, index: number, problem: string) {
    super(`${stepName(step, index)}: ${problem}.`);
  }
}
