// The engine's facade, composed once per process by the CLI or the Electron
// engine host: it owns the ffmpeg tools, the model catalog and resolver, the
// inference worker and a cache of open sessions, and turns a batch request
// into planned items and processed outputs. Callers pass in every path they
// resolved (cache folder, model roots); the engine knows no app paths.
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, throwIfCancelled } from '../common/errors.ts';
import {
  outputSettingsSchema,
  processingSettingsSchema,
  stepSchema,
  type OutputSettings,
  type ProcessingSettings,
  type Step,
} from '../common/job-spec.ts';
import type { Progress } from '../common/progress.ts';
import { OnnxWorkerBackend } from './inference/onnx-worker-backend.ts';
import type { ModelSession } from './inference/inference-backend.ts';
import { expandInputs, type InputItem } from './jobs/expand-inputs.ts';
import { planOutputPaths } from './jobs/output-plan.ts';
import { EncoderCatalog, SPEED_PRESETS, type SpeedPreset } from './media/codecs.ts';
import { locateFfmpegTools, type FfmpegLocatorOptions, type FfmpegTools } from './media/ffmpeg-locator.ts';
import { assertOutputAllowed } from './media/output-path.ts';
import { probeMedia } from './media/probe.ts';
import { Catalog } from './models/catalog.ts';
import { ModelResolver } from './models/model-resolver.ts';
import { modelSearchPath } from './models/model-search-path.ts';
import type { FrameStage } from './pipeline/frame-stage.ts';
import { runImageJob } from './pipeline/image-job.ts';
import { runVideoJob } from './pipeline/video-job.ts';
import { createSuperResolutionStage } from './tasks/super-resolution.ts';
import { collectDoctorReport, type DoctorReport } from './doctor.ts';

export interface EngineOptions {
  /** Per-user cache: converted models, verification records, downloaded models (under models/). */
  cacheDir: string;
  /** Extra model folders searched before FRAMESMITH_MODELS and ../shared/models. */
  modelRoots?: readonly string[];
  ffmpeg?: FfmpegLocatorOptions;
  /** Parent of each job's work folder; default the system temp folder. */
  workRoot?: string;
  /** Catalog file; default models/catalog.json of this checkout. */
  catalogPath?: string;
}

/** A batch as the CLI or UI asks for it; settings are validated by planBatch. */
export interface BatchRequest {
  inputs: readonly string[];
  output?: string;
  recursive?: boolean;
  nameTemplate?: string;
  steps: readonly unknown[];
  outputSettings?: unknown;
  processing?: unknown;
  cwd?: string;
}

export interface PlannedItem {
  input: InputItem;
  output: string;
  steps: Step[];
  outputSettings: OutputSettings;
  processing: ProcessingSettings;
}

export interface BatchPlan {
  items: PlannedItem[];
}

export interface ItemHandlers {
  signal: AbortSignal;
  itemIndex?: number;
  itemCount?: number;
  onProgress?: (progress: Progress) => void;
  onNotice?: (message: string) => void;
}

export interface ItemResult {
  output: string;
  framesWritten: number;
  /** Execution provider of each step's session (e.g. "cpu"). */
  providers: string[];
}

function describeIssue(prefix: string, error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .map((issue) => `${prefix}${issue.path.length > 0 ? ` ${issue.path.map(String).join('.')}` : ''}: ${issue.message}`)
    .join('; ');
}

function stepLabel(steps: readonly Step[]): string {
  return steps
    .map((step) => {
      if (step.width !== undefined || step.height !== undefined) return `upscaled-${step.width ?? 'auto'}x${step.height ?? 'auto'}`;
      return step.scale === undefined ? 'upscaled' : `upscaled-x${step.scale}`;
    })
    .join('-');
}

export class Engine {
  private readonly sessions = new Map<string, Promise<ModelSession>>();
  private backend: OnnxWorkerBackend | undefined;
  private tools: FfmpegTools | undefined;
  private encoders: EncoderCatalog | undefined;

  private constructor(
    private readonly options: EngineOptions,
    readonly catalog: Catalog,
    readonly models: ModelResolver,
  ) {}

  static async create(options: EngineOptions): Promise<Engine> {
    if (!options.cacheDir) throw new InvalidArgumentError('The engine needs a cacheDir.');
    const catalog = await Catalog.load(options.catalogPath);
    const roots = modelSearchPath({ explicit: options.modelRoots, userCacheDir: path.join(options.cacheDir, 'models') });
    const models = new ModelResolver({ catalog, roots, cacheDir: options.cacheDir });
    return new Engine(options, catalog, models);
  }

  /** ffmpeg and ffprobe, located on first use (FfmpegNotFoundError when absent). */
  ffmpegTools(): FfmpegTools {
    this.tools ??= locateFfmpegTools(this.options.ffmpeg);
    return this.tools;
  }

  private encoderCatalog(): EncoderCatalog {
    this.encoders ??= new EncoderCatalog(this.ffmpegTools().ffmpeg.path);
    return this.encoders;
  }

  private inference(): OnnxWorkerBackend {
    this.backend ??= new OnnxWorkerBackend({ cacheDir: path.join(this.options.cacheDir, 'converted') });
    return this.backend;
  }

  /** Validates every setting, expands inputs and plans outputs, before any frame is decoded. */
  async planBatch(request: BatchRequest, options: { signal?: AbortSignal } = {}): Promise<BatchPlan> {
    if (request.steps.length === 0) throw new InvalidArgumentError('The chain has no steps. Add at least one step (e.g. upscale).');
    const steps = request.steps.map((raw, index) => {
      const parsed = stepSchema.safeParse(raw);
      if (!parsed.success) throw new InvalidArgumentError(describeIssue(`Step ${index + 1}`, parsed.error));
      return parsed.data;
    });
    const outputParsed = outputSettingsSchema.safeParse(request.outputSettings ?? {});
    if (!outputParsed.success) throw new InvalidArgumentError(describeIssue('Output setting', outputParsed.error));
    const processingParsed = processingSettingsSchema.safeParse(request.processing ?? {});
    if (!processingParsed.success) throw new InvalidArgumentError(describeIssue('Processing setting', processingParsed.error));
    const outputSettings = outputParsed.data;
    const processing = processingParsed.data;
    if (outputSettings.preset !== undefined && !(SPEED_PRESETS as readonly string[]).includes(outputSettings.preset)) {
      throw new InvalidArgumentError(`Unknown encoder preset "${outputSettings.preset}". Should be one of: ${SPEED_PRESETS.join(', ')}.`);
    }
    for (const [index, step] of steps.entries()) {
      const manifest = this.catalog.get(step.model);
      if (manifest.task !== 'super-resolution') {
        throw new InvalidArgumentError(`Step ${index + 1} (upscale): "${step.model}" is a ${manifest.task} model. Choose a super-resolution model (e.g. realesr-animevideov3-x4).`);
      }
      if (step.denoise !== undefined && !manifest.denoisePartner) {
        throw new InvalidArgumentError(`Step ${index + 1} (upscale): --denoise works only with models that have a denoise variant (realesr-general-x4v3), not "${step.model}".`);
      }
    }
    throwIfCancelled(options.signal);
    const items = await expandInputs(request.inputs, { recursive: request.recursive, cwd: request.cwd });
    const outputs = planOutputPaths(items, {
      output: request.output,
      codec: outputSettings.codec,
      label: stepLabel(steps),
      nameTemplate: request.nameTemplate,
      cwd: request.cwd,
    });
    const allInputs = items.map((item) => item.path);
    for (const output of outputs) await assertOutputAllowed(output, { inputs: allInputs, overwrite: outputSettings.overwrite });
    return {
      items: items.map((input, index) => ({ input, output: outputs[index] as string, steps, outputSettings, processing })),
    };
  }

  private async session(step: Step, processing: ProcessingSettings, signal: AbortSignal): Promise<ModelSession> {
    const key = `${step.model}|${processing.provider}|${processing.threads ?? ''}|${step.denoise ?? ''}`;
    let pending = this.sessions.get(key);
    if (!pending) {
      pending = (async () => {
        const model = await this.models.resolve(step.model, { signal });
        const partnerId = step.denoise !== undefined ? model.manifest.denoisePartner : undefined;
        const partner = partnerId ? await this.models.resolve(partnerId, { signal }) : undefined;
        return this.inference().open(model, {
          provider: processing.provider,
          threads: processing.threads,
          denoiseStrength: partner ? step.denoise : undefined,
          denoisePartner: partner,
        });
      })();
      pending.catch(() => this.sessions.delete(key));
      this.sessions.set(key, pending);
    }
    return pending;
  }

  private async buildStages(item: PlannedItem, handlers: ItemHandlers): Promise<{ stages: FrameStage[]; providers: string[] }> {
    const stages: FrameStage[] = [];
    const providers: string[] = [];
    for (const step of item.steps) {
      const session = await this.session(step, item.processing, handlers.signal);
      providers.push(session.report.chosen);
      stages.push(
        createSuperResolutionStage({
          session,
          manifest: this.catalog.get(step.model),
          scale: step.scale,
          width: step.width,
          height: step.height,
          tileSize: item.processing.tile,
          releaseSession: false,
          onNotice: (notice) => handlers.onNotice?.(notice.message),
        }),
      );
    }
    return { stages, providers };
  }

  /** Processes one planned item; the output appears only when it is complete. */
  async processItem(item: PlannedItem, handlers: ItemHandlers): Promise<ItemResult> {
    const { signal } = handlers;
    throwIfCancelled(signal);
    const tools = item.input.kind === 'video' ? this.ffmpegTools() : undefined;
    const source = tools ? await probeMedia(item.input.path, { ffprobe: tools.ffprobe.path, signal }) : undefined;
    const { stages, providers } = await this.buildStages(item, handlers);
    try {
      if (!tools || !source || source.video.isImage) {
        const result = await runImageJob({
          inputPath: item.input.path,
          outputPath: item.output,
          stages,
          overwrite: item.outputSettings.overwrite,
          signal,
          itemIndex: handlers.itemIndex,
          itemCount: handlers.itemCount,
          onProgress: handlers.onProgress,
        });
        return { output: result.outputPath, framesWritten: 1, providers };
      }
      const { codec, crf, preset, pixelFormat, audio, overwrite } = item.outputSettings;
      const result = await runVideoJob({
        ffmpegPath: tools.ffmpeg.path,
        encoders: this.encoderCatalog(),
        source,
        outputPath: item.output,
        stages,
        encode: { codec, quality: crf, preset: preset as SpeedPreset | undefined, pixelFormat, audio, overwrite },
        workRoot: this.options.workRoot ?? path.join(os.tmpdir(), 'framesmith-work'),
        signal,
        itemIndex: handlers.itemIndex,
        itemCount: handlers.itemCount,
        onProgress: handlers.onProgress,
        onNotice: handlers.onNotice,
      });
      return { output: result.outputPath, framesWritten: result.framesWritten, providers };
    } finally {
      await Promise.all(stages.map((stage) => stage.dispose()));
    }
  }

  /** What this machine offers: ffmpeg, providers, models, CPU and memory. */
  async doctor(options: { signal?: AbortSignal } = {}): Promise<DoctorReport> {
    return collectDoctorReport({
      ffmpeg: this.options.ffmpeg,
      backend: this.inference(),
      models: this.models,
      signal: options.signal,
    });
  }

  /** Releases every session and ends the inference worker. */
  async dispose(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(sessions.map(async (pending) => (await pending).release()));
    await this.backend?.dispose();
    this.backend = undefined;
  }
}
