// The engine's facade, composed once per process by the CLI or the Electron
// engine host: it owns the ffmpeg tools, the model catalog and resolver, and
// turns a batch request into planned items and processed outputs. Models run
// on the process's one SessionPool (handed in by the composition root, which
// hands the same pool to the model store); each item leases the sessions it
// needs and gives them back when it ends. Callers pass in every path they
// resolved (cache folder, model roots); the engine knows no app paths.
import os from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, isFramesmithError, throwIfCancelled } from '../common/errors.ts';
import { describeIssues } from '../common/zod-issues.ts';
import type { MediaInfo } from './media/media-info.ts';
import { isResumableChain } from './jobs/resume-policy.ts';
import {
  outputSettingsSchema,
  processingSettingsSchema,
  stepSchema,
  type Step,
  type StepKind,
} from '../common/job-spec.ts';
import { SessionPool } from './inference/session-pool.ts';
import { sharedModelsPath } from './models/repo-paths.ts';
import { JobPrecision } from './precision/job-precision.ts';
import { expandInputs } from './jobs/expand-inputs.ts';
import { planOutputPaths } from './jobs/output-plan.ts';
import { containerFromPath, EncoderCatalog, SPEED_PRESETS, type SpeedPreset } from './media/codecs.ts';
import { locateFfmpegTools, type FfmpegLocatorOptions, type FfmpegTools } from './media/ffmpeg-locator.ts';
import { assertOutputAllowed } from './media/output-path.ts';
import { assertWithinPixelLimit } from './media/pixel-limit.ts';
import { probeMedia } from './media/probe.ts';
import type { Catalog } from './models/catalog.ts';
import { ModelStore, type ModelStoreOptions } from './models/model-store.ts';
import { loadCatalogWithStore } from './models/user-catalog.ts';
import { ModelResolver } from './models/model-resolver.ts';
import { modelSearchPath } from './models/model-search-path.ts';
import { runImageJob } from './pipeline/image-job.ts';
import { runVideoJob, timeStretchOf } from './pipeline/video-job.ts';
import { renderVideoSegment, type SegmentMode, type SegmentRange } from './pipeline/video-segment.ts';
import { planChain, resumeModeOf, segmentDecodeStart, type ChainPlan } from './plan/chain-plan.ts';
import { probeKeyframes } from './media/keyframes.ts';
import { chainGeometry } from './pipeline/stage-chain.ts';
import { finalizeOutput } from './media/muxer.ts';
import { toNumber, type Rational } from '../common/rational.ts';
import { interpolateImagePair } from './tasks/interpolation-pair.ts';
import { builderFor } from './steps/step-builders.ts';
import { CostLedger } from './plan/cost-ledger.ts';
import { machineDescription } from './precision/precision-records.ts';
import { stepName } from './steps/step-builder.ts';
import { styleModelId } from './steps/stylize-step.ts';
import { collectDoctorReport, type DoctorReport } from './doctor.ts';
import { ItemStages } from './item-stages.ts';
import type { BatchPlan, BatchRequest, ItemHandlers, ItemResult, PlannedItem } from './jobs/batch.ts';

export type { BatchPlan, BatchRequest, ItemHandlers, ItemResult, PlannedItem } from './jobs/batch.ts';

/** The fields of a step that choose its model (`upscale --model`, `stylize --style`). */
export interface StepModelChoice {
  kind: StepKind;
  model?: string;
  style?: string;
}

export interface EngineOptions {
  /** Per-user cache: converted models, verification records, downloaded models (under models/). */
  cacheDir: string;
  /** Extra model folders searched before FRAMESMITH_MODELS and ../shared/models. */
  modelRoots?: readonly string[];
  /** Search ../shared/models beside the checkout (default true); false shows what a fresh install has. */
  includeSharedModels?: boolean;
  ffmpeg?: FfmpegLocatorOptions;
  /** Parent of each job's work folder; default the system temp folder. */
  workRoot?: string;
  /** Catalog file; default models/catalog.json of this checkout. */
  catalogPath?: string;
  /**
   * The process's inference runtime, made once by the composition root and
   * shared with the model store (openModelStore passes it on); the caller
   * disposes it after the engine. Without it the engine makes its own over
   * <cacheDir>/converted and disposes it with itself.
   */
  inference?: SessionPool;
  /** Per-user GPU folder (`<data>/gpu`, see `framesmith gpu install cuda`) for the engine's own runtime; without it the app's onnxruntime is loaded. */
  gpuDir?: string;
  /** The GPU the engine's own runtime runs on (CUDA, TensorRT, DirectML device id; one render-farm worker per GPU); default the provider's. */
  deviceId?: number;
  /**
   * Reference media that precision auto calibrates and judges variants on
   * (interpolation/pytoflow, images/set5, images/style); default ../shared/media
   * beside the checkout. Without it, auto runs fp32 and says so.
   */
  referenceMediaDir?: string;
}

export interface ImagePairRequest {
  first: string;
  second: string;
  frames: number;
  outputDir: string;
  model?: string;
  quality?: boolean;
  overwrite?: boolean;
  processing?: unknown;
  onFrame?: (done: number, total: number) => void;
}

export { sessionPrecision } from './precision/job-precision.ts';

export class Engine {
  private ownedPool: SessionPool | undefined;
  /** Builds each item's chain of stages on sessions leased from the pool. */
  private readonly itemStages: ItemStages;
  private tools: FfmpegTools | undefined;
  private encoders: EncoderCatalog | undefined;
  private speeds: Promise<CostLedger> | undefined;

  private constructor(
    private readonly options: EngineOptions,
    readonly models: ModelResolver,
  ) {
    this.itemStages = new ItemStages({
      models,
      inference: () => this.inference,
      cacheDir: path.join(options.cacheDir, 'converted'),
      precision: new JobPrecision({
        backend: () => this.inference,
        cacheDir: path.join(options.cacheDir, 'converted'),
        referenceDir: options.referenceMediaDir ?? path.join(path.dirname(sharedModelsPath), 'media'),
      }),
    });
  }

  static async create(options: EngineOptions): Promise<Engine> {
    if (!options.cacheDir) throw new InvalidArgumentError('The engine needs a cacheDir.');
    const catalog = await loadCatalogWithStore(path.join(options.cacheDir, 'models'), options.catalogPath);
    const roots = modelSearchPath({ explicit: options.modelRoots, includeShared: options.includeSharedModels, userCacheDir: path.join(options.cacheDir, 'models') });
    const models = new ModelResolver({ catalog, roots, cacheDir: options.cacheDir });
    return new Engine(options, models);
  }

  /** The model catalog: bundled models and the user's store, current after each install (the resolver's). */
  get catalog(): Catalog {
    return this.models.catalog;
  }

  /**
   * The model a step runs, from the fields that choose it (a stylize step's
   * style resolved to its model), before the step is checked; undefined for
   * a choice the catalog cannot place, which planning then reports.
   */
  modelOfStep(step: StepModelChoice): string | undefined {
    try {
      return step.kind === 'stylize' ? styleModelId({ ...step, kind: 'stylize' }, 0, this.catalog) : step.model;
    } catch (error) {
      if (isFramesmithError(error)) return undefined;
      throw error;
    }
  }

  /**
   * Model speeds measured on this machine (models:bench, `models bench`),
   * kept per model and machine in <cacheDir>/model-speed.json: the model
   * picker and job estimates read them, after a restart too.
   */
  modelSpeeds(): Promise<CostLedger> {
    this.speeds ??= machineDescription(0).then((machine) => CostLedger.open({ file: path.join(this.options.cacheDir, 'model-speed.json'), machine }));
    return this.speeds;
  }

  /** ffmpeg and ffprobe, located on first use (FfmpegNotFoundError when absent). */
  ffmpegTools(): FfmpegTools {
    this.tools ??= locateFfmpegTools(this.ffmpegLocatorOptions());
    return this.tools;
  }

  /** Where npm binaries without an execute bit are copied: the engine's cache, not the temp folder. */
  private ffmpegLocatorOptions(): FfmpegLocatorOptions {
    return { executableCopyDir: path.join(this.options.cacheDir, 'bin'), ...this.options.ffmpeg };
  }

  private encoderCatalog(): EncoderCatalog {
    this.encoders ??= new EncoderCatalog(this.ffmpegTools().ffmpeg.path);
    return this.encoders;
  }

  /** The inference runtime: the one handed in, else one of the engine's own made on first use. */
  get inference(): SessionPool {
    if (this.options.inference) return this.options.inference;
    this.ownedPool ??= SessionPool.create({ cacheDir: path.join(this.options.cacheDir, 'converted'), gpuDir: this.options.gpuDir, deviceId: this.options.deviceId });
    return this.ownedPool;
  }

  /** Validates every setting, expands inputs and plans outputs, before any frame is decoded. */
  async planBatch(request: BatchRequest, options: { signal?: AbortSignal } = {}): Promise<BatchPlan> {
    if (request.steps.length === 0) throw new InvalidArgumentError('The chain has no steps. Add at least one step (e.g. upscale).');
    const steps = request.steps.map((raw, index) => {
      const parsed = stepSchema.safeParse(raw);
      if (!parsed.success) {
        const kind = typeof raw === 'object' && raw !== null && 'kind' in raw ? ` (${String(raw.kind)})` : '';
        throw new InvalidArgumentError(describeIssues(parsed.error, { subject: `Step ${index + 1}${kind}` }));
      }
      return parsed.data;
    });
    const outputParsed = outputSettingsSchema.safeParse(request.outputSettings ?? {});
    if (!outputParsed.success) throw new InvalidArgumentError(describeIssues(outputParsed.error, { subject: 'Output setting' }));
    const processingParsed = processingSettingsSchema.safeParse(request.processing ?? {});
    if (!processingParsed.success) throw new InvalidArgumentError(describeIssues(processingParsed.error, { subject: 'Processing setting' }));
    const outputSettings = outputParsed.data;
    const processing = processingParsed.data;
    if (outputSettings.preset !== undefined && !(SPEED_PRESETS as readonly string[]).includes(outputSettings.preset)) {
      throw new InvalidArgumentError(`Unknown encoder preset "${outputSettings.preset}". Should be one of: ${SPEED_PRESETS.join(', ')}.`);
    }
    for (const [index, step] of steps.entries()) builderFor(step).validate(step, index, this.catalog);
    throwIfCancelled(options.signal);
    const items = await expandInputs(request.inputs, { recursive: request.recursive, cwd: request.cwd });
    const outputs = planOutputPaths(items, {
      output: request.output,
      outputIsFolder: request.outputIsFolder,
      codec: outputSettings.codec,
      container: outputSettings.container,
      label: steps.map((step) => builderFor(step).label(step, this.catalog)).join('-'),
      nameTemplate: request.nameTemplate,
      cwd: request.cwd,
    });
    for (const item of items) {
      const unfit = item.kind === 'image' ? steps.findIndex((step) => !builderFor(step).appliesToImages(step)) : -1;
      if (unfit >= 0) {
        throw new InvalidArgumentError(`${stepName(steps[unfit] as Step, unfit)} cannot run on the still image ${item.path}. Remove the image from the inputs or the step from the chain.`);
      }
    }
    const allInputs = items.map((item) => item.path);
    for (const output of outputs) await assertOutputAllowed(output, { inputs: allInputs, overwrite: outputSettings.overwrite });
    return {
      items: items.map((input, index) => ({ input, output: outputs[index] as string, steps, outputSettings, processing })),
    };
  }

  /**
   * Asks ffmpeg for its version and options (the decoder waits for them) and
   * for its encoders (the encoder does) while the source is probed; the
   * answers are kept, so the decoder and the encoder start without three
   * more ffmpeg processes in front of them.
   */
  private askFfmpegEarly(signal: AbortSignal): void {
    const encoders = this.encoderCatalog();
    encoders.capabilities.describe(signal).catch(() => undefined);
    encoders.encoders(signal).catch(() => undefined);
  }

  /** Processes one planned item; the output appears only when it is complete. */
  async processItem(item: PlannedItem, handlers: ItemHandlers): Promise<ItemResult> {
    const { signal } = handlers;
    throwIfCancelled(signal);
    // The inference worker starts (thread, onnxruntime) and the steps' sessions
    // open while the source is probed: together they cost about a second on
    // 2 cores that would otherwise come before the first frame.
    this.itemStages.startEarly(item, signal);
    let tools: FfmpegTools | undefined;
    let source: MediaInfo | undefined;
    try {
      tools = item.input.kind === 'video' ? this.ffmpegTools() : undefined;
      if (tools) this.askFfmpegEarly(signal);
      source = tools ? await probeMedia(item.input.path, { ffprobe: tools.ffprobe.path, signal }) : undefined;
      if (source) assertWithinPixelLimit(item.input.path, source.video.width, source.video.height, item.processing.maxMegapixels);
    } catch (error) {
      await this.itemStages.releaseEarly(item);
      throw error;
    }
    return this.itemStages.withStages(item, source, handlers, async ({ stages, providers, precisions }) => {
      if (!tools || !source || source.video.isImage) {
        const result = await runImageJob({
          inputPath: item.input.path,
          outputPath: item.output,
          stages,
          overwrite: item.outputSettings.overwrite,
          maxMegapixels: item.processing.maxMegapixels,
          signal,
          itemIndex: handlers.itemIndex,
          itemCount: handlers.itemCount,
          onProgress: handlers.onProgress,
        });
        return { output: result.outputPath, framesWritten: 1, providers, precisions };
      }
      const { codec, crf, preset, pixelFormat, audio, subtitles, overwrite } = item.outputSettings;
      const result = await runVideoJob({
        ffmpegPath: tools.ffmpeg.path,
        encoders: this.encoderCatalog(),
        source,
        outputPath: item.output,
        stages,
        encode: { codec, quality: crf, preset: preset as SpeedPreset | undefined, pixelFormat, audio, subtitles, overwrite },
        workRoot: this.options.workRoot ?? path.join(os.tmpdir(), 'framesmith-work'),
        signal,
        itemIndex: handlers.itemIndex,
        itemCount: handlers.itemCount,
        onProgress: handlers.onProgress,
        onNotice: handlers.onNotice,
        workDir: handlers.workDir,
        segmentFrames: handlers.segmentFrames,
        resumable: isResumableChain(item.steps),
        pause: handlers.pause,
        onPreview: handlers.onPreview,
        previewDue: handlers.previewDue,
      });
      return { output: result.outputPath, framesWritten: result.framesWritten, providers, precisions };
    });
  }

  /**
   * How a planned video item can be cut into segments (the render farm's
   * split): its probed source, output frame count and rate, and whether
   * segments may start mid-video (see pipeline/video-segment.ts).
   */
  async segmentPlan(item: PlannedItem, options: { signal: AbortSignal }): Promise<{ source: MediaInfo; plan: ChainPlan; outputFrames: number; outputRate: Rational; mode: SegmentMode; models: Record<string, string>; keyframes: number[] | undefined }> {
    const source = await probeMedia(item.input.path, { ffprobe: this.ffmpegTools().ffprobe.path, signal: options.signal });
    if (source.video.isImage) throw new InvalidArgumentError(`${item.input.path} is a still image: render it as a whole file, not in segments.`);
    const plan = this.chainPlanOf(item, source);
    const keyframes = plan.resume === 'restart' ? undefined : await probeKeyframes(source, { ffprobe: this.ffmpegTools().ffprobe.path, signal: options.signal });
    return this.itemStages.withStages(item, source, { signal: options.signal }, async ({ stages, models }) => {
      const video = source.video;
      const output = chainGeometry({ width: video.width, height: video.height, frameRate: video.frameRate, frameCount: video.frameCount }, stages).at(-1);
      const outputFrames = output?.frameCount ?? video.frameCount;
      const mode = resumeModeOf(item.steps);
      return { source, plan, outputFrames, outputRate: output?.frameRate ?? video.frameRate, mode, models, keyframes };
    });
  }

  /** The chain plan of a planned item on its probed video. */
  private chainPlanOf(item: PlannedItem, source: MediaInfo): ChainPlan {
    const { width, height, frameRate, frameCount } = source.video;
    return planChain(item.steps, { width, height, frameRate, frameCount, isImage: false }, this.catalog);
  }

  /** Renders output frames [range.startFrame, +frameCount) of a video item to one part file (see video-segment.ts). */
  async renderSegment(item: PlannedItem, range: SegmentRange, partPath: string, handlers: { signal: AbortSignal; onFrames?: (done: number) => void; onNotice?: (message: string) => void; checkModels?: (models: Readonly<Record<string, string>>) => void }): Promise<{ path: string; frameCount: number; providers: string[] }> {
    const tools = this.ffmpegTools();
    const source = await probeMedia(item.input.path, { ffprobe: tools.ffprobe.path, signal: handlers.signal });
    return this.itemStages.withStages(item, source, handlers, async ({ stages, providers, models }) => {
      handlers.checkModels?.(models);
      const { codec, crf, preset, pixelFormat } = item.outputSettings;
      const part = await renderVideoSegment({
        ffmpegPath: tools.ffmpeg.path,
        encoders: this.encoderCatalog(),
        source,
        stages,
        encode: { codec, quality: crf, preset: preset as SpeedPreset | undefined, pixelFormat },
        range,
        mode: resumeModeOf(item.steps),
        firstSourceFrame: segmentDecodeStart(this.chainPlanOf(item, source), range.startFrame),
        outputPath: partPath,
        signal: handlers.signal,
        onFrames: handlers.onFrames,
      });
      return { ...part, providers };
    });
  }

  /**
   * Joins finished parts of a video item into its output with the source's
   * audio, subtitles and chapters, as a local video job does: each part's
   * playing time is given from its frame count (ffmpeg before 4.3 cannot read
   * the last frame's duration of a part).
   */
  async joinSegments(item: PlannedItem, parts: readonly { path: string; frameCount: number }[], options: { signal: AbortSignal; onNotice?: (message: string) => void }): Promise<string> {
    const tools = this.ffmpegTools();
    const source = await probeMedia(item.input.path, { ffprobe: tools.ffprobe.path, signal: options.signal });
    const stretch = await this.itemStages.withStages(item, source, { signal: options.signal }, async ({ stages }) => timeStretchOf(stages));
    const outputRate = this.chainPlanOf(item, source).output.frameRate;
    const finalized = await finalizeOutput({
      ffmpegPath: tools.ffmpeg.path,
      capabilities: this.encoderCatalog().capabilities,
      videoParts: parts.map((part) => part.path),
      partTiming: { frameCounts: parts.map((part) => part.frameCount), frameRate: outputRate },
      source,
      outputPath: item.output,
      container: containerFromPath(item.output),
      videoCodec: item.outputSettings.codec,
      overwrite: item.outputSettings.overwrite,
      audio: stretch?.audio === 'drop' ? 'drop' : item.outputSettings.audio,
      subtitles: item.outputSettings.subtitles,
      timeStretch: stretch ? toNumber(stretch.factor) : undefined,
      signal: options.signal,
    });
    for (const notice of finalized.notices) options.onNotice?.(notice.message);
    return finalized.outputPath;
  }

  /** The in-between frames of two stills as sorted PNGs in a folder (see interpolateImagePair). */
  async interpolateImagePair(request: ImagePairRequest, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const processingParsed = processingSettingsSchema.safeParse(request.processing ?? {});
    if (!processingParsed.success) throw new InvalidArgumentError(describeIssues(processingParsed.error, { subject: 'Processing setting' }));
    const modelId = request.model ?? 'rife-v4.6';
    const manifest = this.catalog.get(modelId);
    if (manifest.task !== 'interpolation') throw new InvalidArgumentError(`"${modelId}" is a ${manifest.task} model; choose an interpolation model such as rife-v4.6.`);
    const signal = options.signal ?? new AbortController().signal;
    const session = await this.itemStages.session({ modelId }, processingParsed.data, signal);
    try {
      return await interpolateImagePair({ ...request, session, manifest, signal });
    } finally {
      await session.release();
    }
  }

  /** Which onnxruntime-node the inference worker loads (the app's or the GPU install), and why. */
  onnxRuntimeChoice(): { source: 'app' | 'gpu-install'; reason: string } {
    const choice = this.inference.onnxRuntime;
    return choice ? { source: choice.source, reason: choice.reason } : { source: 'app', reason: 'the inference runtime was handed in without a choice of onnxruntime' };
  }

  /** What this machine offers: ffmpeg, providers, models, CPU and memory. */
  async doctor(options: { signal?: AbortSignal } = {}): Promise<DoctorReport> {
    return collectDoctorReport({
      ffmpeg: this.ffmpegLocatorOptions(),
      backend: this.inference,
      onnxRuntime: this.inference.onnxRuntime,
      models: this.models,
      signal: options.signal,
    });
  }

  /** Ends the engine's own inference runtime, if it made one (a pool handed in is its owner's to dispose). */
  async dispose(): Promise<void> {
    await this.ownedPool?.dispose();
    this.ownedPool = undefined;
  }

  /** The user's model store (<cacheDir>/models: downloads, imports) over this engine's resolver and inference runtime; the caller disposes it. */
  openModelStore(options: Omit<ModelStoreOptions, 'storeDir' | 'resolver' | 'catalogPath' | 'backend'> = {}): Promise<ModelStore> {
    return ModelStore.open({
      cacheDir: this.options.cacheDir,
      ...options,
      backend: this.inference,
      storeDir: path.join(this.options.cacheDir, 'models'),
      resolver: this.models,
      catalogPath: this.options.catalogPath,
    });
  }
}
