// The API of common/api/contract.ts implemented over the engine: the job
// queue, presets, the model store, previews, settings and the file browser.
// One instance per process (the Electron engine host or `framesmith serve`);
// both reach it only through an ApiDispatcher, which validates every request
// first, so the handlers here receive parsed, defaulted requests. Dialogs and
// the shell belong to the Electron main process and are not handled here.
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type {
  DoctorView,
  HostInfo,
  ModelEvent,
  ModelListing,
  ProviderStatus,
  Unsubscribe,
} from '../../common/api/api-types.ts';
import { PREVIEW_CLIP_ROUTE, type ApiEventGroup, type ApiEvents, type PresetEntryView, type RequestOut, type Settings } from '../../common/api/contract.ts';
import { ModelNotFoundError, serializeError } from '../../common/errors.ts';
import { jobSpecSchema, type JobSpecInput, type PreviewImage } from '../../common/jobs.ts';
import { PRESET_FORMAT, PRESET_VERSION, parsePresetJson, PresetFormatError } from '../../common/preset.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { DoctorReport } from '../doctor.ts';
import type { Engine } from '../engine.ts';
import type { ProviderAttempt } from '../inference/inference-backend.ts';
import { JobQueue } from '../jobs/job-queue.ts';
import { importModel } from '../models/model-import.ts';
import type { ModelStore, ModelStoreEvent, StoreListing } from '../models/model-store.ts';
import { PresetStore } from '../presets/preset-store.ts';
import type { ApiHandlers } from './api-dispatcher.ts';
import { listDirectory, homeFolder } from './file-browser.ts';
import { probeForPreview, renderPreviewFrame } from './frame-preview.ts';
import { CostLedger, estimateJob } from './job-estimate.ts';
import { JobThumbnails } from './job-thumbnails.ts';
import { PreviewClips } from './preview-clip.ts';
import { SettingsStore } from './settings-store.ts';

export interface AppServiceOptions {
  engine: Engine;
  /** The user's data folder: settings.json, presets/, jobs/, job-thumbnails/. */
  dataDir: string;
  /** The cache folder: preview clips go to preview-clips/ there (default: a folder under the system's temporary folder). */
  cacheDir?: string;
  host: Omit<HostInfo, 'pathSeparator' | 'platform'>;
  /** Start queued jobs as they come (default true). */
  autoStart?: boolean;
}

function toListing(entry: StoreListing): ModelListing {
  return {
    id: entry.id,
    displayName: entry.displayName,
    task: entry.task,
    licence: entry.licence,
    sizeBytes: entry.sizeBytes,
    state: entry.state,
    ...(entry.path !== undefined ? { path: entry.path } : {}),
    ...(entry.recommended !== undefined ? { recommended: entry.recommended } : {}),
  };
}

function toModelEvent(event: ModelStoreEvent): ModelEvent | undefined {
  switch (event.phase) {
    case 'download':
      return { type: 'progress', id: event.id, phase: 'download', file: event.file, bytesDone: event.bytesDone, bytesTotal: event.bytesTotal };
    case 'verify':
      return { type: 'progress', id: event.id, phase: 'verify', file: event.file, bytesDone: null, bytesTotal: null };
    case 'convert':
    case 'check':
      return { type: 'progress', id: event.id, phase: event.phase, file: null, bytesDone: null, bytesTotal: null };
    case 'retry':
      return { type: 'retry', id: event.id, file: event.file, attempt: event.attempt, reason: event.reason };
    case 'source-failed':
      return undefined;
  }
}

export function providerStatus(attempts: readonly ProviderAttempt[]): ProviderStatus[] {
  return attempts.map((attempt) =>
    attempt.skippedBecause === undefined
      ? { provider: attempt.provider, available: true }
      : { provider: attempt.provider, available: false, reason: attempt.skippedBecause },
  );
}

export function doctorView(report: DoctorReport): DoctorView {
  const tool = (entry: DoctorReport['ffmpeg']) => ({
    tool: entry.tool,
    found: entry.found ? { path: entry.found.path, source: entry.found.source, version: entry.found.version } : null,
    error: entry.error,
  });
  return {
    ffmpeg: tool(report.ffmpeg),
    ffprobe: tool(report.ffprobe),
    codecs: [...report.codecs],
    providers: providerStatus(report.providers),
    onnxruntimeVersion: report.onnxruntimeVersion,
    models: report.models.map((model) => ({ id: model.id, task: model.task, path: model.path, sizeBytes: model.sizeBytes, state: model.state })),
    missingModels: report.missingModels,
    system: report.system,
  };
}

/** Fills what the spec leaves open from the settings: output folder and, for explicit chains, output defaults; processing preferences that are not 'auto'. */
export function applySettingsToSpec(spec: RequestOut<'jobs:enqueue'>, settings: Settings): JobSpecInput {
  const defaults = settings.outputDefaults;
  const processing = {
    ...(settings.provider !== 'auto' ? { provider: settings.provider } : {}),
    ...(settings.threads !== null ? { threads: settings.threads } : {}),
    ...(settings.tile !== 'auto' ? { tile: settings.tile } : {}),
    ...spec.processing,
  };
  const outputSettings = spec.steps === undefined
    ? spec.outputSettings
    : {
        codec: defaults.codec,
        audio: defaults.audio,
        ...(defaults.crf !== null ? { crf: defaults.crf } : {}),
        ...(defaults.pixelFormat !== null ? { pixelFormat: defaults.pixelFormat } : {}),
        ...spec.outputSettings,
      };
  const outputFolder = spec.outputFolder ?? (spec.outputPath === undefined && defaults.folder !== null ? defaults.folder : undefined);
  return {
    ...spec,
    ...(outputFolder !== undefined ? { outputFolder } : {}),
    ...(outputSettings !== undefined ? { outputSettings } : {}),
    ...(Object.keys(processing).length > 0 ? { processing } : {}),
  };
}

export class AppService {
  private readonly events = new EventEmitter();
  private readonly ledger = new CostLedger();
  private readonly pulls = new Map<string, Promise<ModelListing>>();
  private modelStore: Promise<ModelStore> | undefined;
  private providers: Promise<ProviderStatus[]> | undefined;
  private readonly stopQueueEvents: Unsubscribe;
  private readonly clips: PreviewClips;
  private readonly thumbnails: JobThumbnails;

  private constructor(
    private readonly options: AppServiceOptions,
    readonly settings: SettingsStore,
    readonly presets: PresetStore,
    readonly queue: JobQueue,
  ) {
    this.events.setMaxListeners(0);
    this.clips = new PreviewClips(options.engine, path.join(options.cacheDir ?? path.join(os.tmpdir(), `framesmith-${process.pid}`), 'preview-clips'));
    this.thumbnails = new JobThumbnails(options.engine, path.join(options.dataDir, 'job-thumbnails'));
    this.stopQueueEvents = queue.subscribe((event) => {
      if (event.type === 'removed') void this.thumbnails.remove(event.jobId);
      this.emit('jobs', event);
    });
  }

  /** The file behind a preview clip's URL (finished clips only), for the host that serves it. */
  clipFile(clipId: string): string | undefined {
    return this.clips.fileOf(clipId);
  }

  private thumbnailOf(id: string): Promise<PreviewImage | null> {
    const job = this.queue.get(id);
    const input = job.items[0]?.input;
    return input === undefined ? Promise.resolve(null) : this.thumbnails.get(job.id, input);
  }

  /** Which providers run here: asked once (a doctor run), then remembered; a failed check is asked again. */
  private providerList(signal: AbortSignal): Promise<ProviderStatus[]> {
    if (!this.providers) {
      const asking = this.options.engine.doctor({ signal }).then((report) => providerStatus(report.providers));
      asking.catch(() => {
        this.providers = undefined;
      });
      this.providers = asking;
    }
    return this.providers;
  }

  static async open(options: AppServiceOptions): Promise<AppService> {
    const settings = new SettingsStore(options.dataDir);
    const presets = await PresetStore.open(options.dataDir);
    const queue = await JobQueue.open({
      dataDir: options.dataDir,
      executor: options.engine,
      resolvePreset: (id) => presets.resolve(id),
      autoStart: options.autoStart ?? true,
      // Read per job as it is added, so a changed setting applies to new jobs and running ones keep their folder.
      workRoot: async () => (await settings.get()).workingFolder,
    });
    return new AppService(options, settings, presets, queue);
  }

  private emit<G extends ApiEventGroup>(group: G, event: ApiEvents[G]): void {
    this.events.emit(group, event);
  }

  /** Every event of a group; returns the unsubscribe function. */
  subscribe<G extends ApiEventGroup>(group: G, listener: (event: ApiEvents[G]) => void): Unsubscribe {
    this.events.on(group, listener);
    return () => {
      this.events.off(group, listener);
    };
  }

  private store(): Promise<ModelStore> {
    if (!this.modelStore) {
      const opening = this.options.engine.openModelStore();
      opening.catch(() => {
        this.modelStore = undefined;
      });
      this.modelStore = opening;
    }
    return this.modelStore;
  }

  private async listingOf(id: string): Promise<ModelListing> {
    const listing = (await (await this.store()).list()).find((entry) => entry.id === id);
    if (!listing) throw new ModelNotFoundError(id, ['the model store']);
    return toListing(listing);
  }

  private async pull(id: string, signal: AbortSignal): Promise<ModelListing> {
    const running = this.pulls.get(id);
    if (running) return running;
    const pulling = (async () => {
      try {
        const store = await this.store();
        await store.ensure(id, {
          signal,
          onProgress: (event) => {
            const mapped = toModelEvent(event);
            if (mapped) this.emit('models', mapped);
          },
        });
        const model = await this.listingOf(id);
        this.emit('models', { type: 'done', id, model });
        return model;
      } catch (error) {
        this.emit('models', { type: 'failed', id, error: serializeError(error) });
        throw error;
      } finally {
        this.pulls.delete(id);
      }
    })();
    this.pulls.set(id, pulling);
    return pulling;
  }

  private entryView(entry: { id: string; builtIn: boolean; preset: PresetEntryView['preset'] }): PresetEntryView {
    return { id: entry.id, builtIn: entry.builtIn, preset: entry.preset };
  }

  /** The handler of every channel this process serves (all but dialogs and shell). */
  handlers(): ApiHandlers {
    const engine = this.options.engine;
    const queue = this.queue;
    return {
      'jobs:enqueue': async (spec, { signal }) => {
        const job = await queue.add(applySettingsToSpec(spec, await this.settings.get()), { signal });
        void this.thumbnailOf(job.id).catch(() => null);
        return job;
      },
      'jobs:thumbnail': async ({ id }) => this.thumbnailOf(id),
      'jobs:list': async () => queue.list(),
      'jobs:pause': async ({ id }) => {
        await queue.pause(id);
        return queue.get(id);
      },
      'jobs:resume': async ({ id }) => {
        await queue.resume(id);
        return queue.get(id);
      },
      'jobs:cancel': async ({ id }) => {
        await queue.cancel(id);
        return queue.get(id);
      },
      'jobs:retry': async ({ id }) => {
        await queue.retry(id);
        return queue.get(id);
      },
      'jobs:remove': async ({ id }) => {
        await queue.remove(id);
        return null;
      },
      'jobs:reorder': async ({ id, toIndex }) => {
        await queue.move(id, toIndex);
        return queue.list();
      },
      'jobs:estimate': async (spec, { signal }) => {
        const input = jobSpecSchema.parse(applySettingsToSpec(spec, await this.settings.get()));
        const preset = input.presetId !== undefined ? await this.presets.resolve(input.presetId) : undefined;
        const plan = await engine.planBatch(
          {
            inputs: input.inputs,
            output: input.outputPath ?? input.outputFolder,
            outputIsFolder: input.outputPath === undefined && input.outputFolder !== undefined,
            recursive: input.recursive,
            nameTemplate: input.nameTemplate,
            steps: preset?.steps ?? input.steps ?? [],
            outputSettings: { ...preset?.outputSettings, ...input.outputSettings, overwrite: true },
            processing: { ...preset?.processing, ...input.processing },
          },
          { signal },
        );
        return estimateJob(engine, plan, this.ledger, signal);
      },

      'presets:list': async () => {
        const { presets, problems } = await this.presets.list();
        return { presets: presets.map((entry) => this.entryView(entry)), problems };
      },
      'presets:get': async ({ id }) => this.entryView(await this.presets.get(id)),
      'presets:save': async ({ preset, previousId, replace }) => {
        const full = { ...preset, format: PRESET_FORMAT, version: PRESET_VERSION } as const;
        const saved = previousId !== undefined ? await this.presets.edit(previousId, full) : await this.presets.save(full, { replace });
        return this.entryView(saved);
      },
      'presets:duplicate': async ({ id, name }) => this.entryView(await this.presets.duplicate(id, name)),
      'presets:delete': async ({ id }) => {
        await this.presets.remove(id);
        return null;
      },
      'presets:importJson': async ({ text, replace }) => {
        let preset;
        try {
          preset = parsePresetJson(text);
        } catch (error) {
          if (error instanceof PresetFormatError) throw new InvalidArgumentError(`The preset file was refused: ${error.message}`);
          throw error;
        }
        return this.entryView(await this.presets.save(preset, { replace }));
      },
      'presets:exportJson': async ({ id }) => `${JSON.stringify((await this.presets.get(id)).preset, null, 2)}\n`,

      'models:list': async () => (await (await this.store()).list()).map(toListing),
      'models:pull': async ({ id }, { signal }) => this.pull(id, signal),
      'models:delete': async ({ id }) => {
        const removed = await (await this.store()).remove(id);
        if (!removed) throw new InvalidArgumentError(`Model "${id}" is not in the model store (bundled and shared models are not deleted from here).`);
        this.emit('models', { type: 'removed', id });
        return null;
      },
      'models:importFiles': async ({ paths, task, scale }, { signal }) => {
        const store = await this.store();
        const ids: string[] = [];
        for (const file of paths) {
          if (!path.isAbsolute(file)) throw new InvalidArgumentError(`Expected an absolute path to a model file, got "${file}".`);
          const model = await importModel(store, file, { task, scale, signal });
          ids.push(model.manifest.id);
        }
        const listings = await store.list();
        return ids.map((id) => listings.find((entry) => entry.id === id)).filter((entry) => entry !== undefined).map(toListing);
      },
      'models:bench': async ({ id, width, height, runs }, { signal }) => {
        const settings = await this.settings.get();
        const result = await (await this.store()).benchmark(id, {
          width,
          height,
          runs,
          provider: settings.provider,
          ...(settings.threads !== null ? { threads: settings.threads } : {}),
          signal,
        });
        this.ledger.record(id, result.width, result.height, result.meanMs);
        return result;
      },

      'preview:renderFrame': async (request, { signal }) => {
        const settings = await this.settings.get();
        const processing = {
          ...(settings.provider !== 'auto' ? { provider: settings.provider } : {}),
          ...(settings.threads !== null ? { threads: settings.threads } : {}),
          ...request.processing,
        };
        return renderPreviewFrame(engine, { ...request, processing }, signal);
      },
      'preview:probe': async ({ path: file }, { signal }) => probeForPreview(engine, file, signal),
      'preview:renderClip': async (request, { signal }) => {
        const settings = await this.settings.get();
        const processing = {
          ...(settings.provider !== 'auto' ? { provider: settings.provider } : {}),
          ...(settings.threads !== null ? { threads: settings.threads } : {}),
          ...request.processing,
        };
        const clip = await this.clips.render({ ...request, processing }, signal);
        return { ...clip, url: `${PREVIEW_CLIP_ROUTE}${clip.clipId}.webm` };
      },
      'preview:cancelClip': async ({ clipId }) => {
        this.clips.cancel(clipId);
        return null;
      },

      'settings:get': async () => this.settings.get(),
      'settings:set': async (patch) => {
        if (typeof patch.workingFolder === 'string' && !path.isAbsolute(patch.workingFolder)) {
          throw new InvalidArgumentError(`The working folder must be an absolute path, got "${patch.workingFolder}".`);
        }
        return this.settings.set(patch);
      },

      'system:doctor': async (_request, { signal }) => doctorView(await engine.doctor({ signal })),
      'system:providers': async (_request, { signal }) => this.providerList(signal),
      'system:host': async () => ({ ...this.options.host, platform: process.platform, pathSeparator: path.sep }),

      'files:list': async ({ dir, showHidden }) => listDirectory(dir, { showHidden }),
      'files:home': async () => homeFolder(),
    };
  }

  /** Stops running jobs as interrupted (resumable) and closes the model store. */
  async dispose(): Promise<void> {
    this.stopQueueEvents();
    this.events.removeAllListeners();
    await this.queue.dispose();
    await this.clips.dispose();
    const store = this.modelStore;
    this.modelStore = undefined;
    const opened = store ? await store.catch(() => undefined) : undefined;
    await opened?.dispose();
  }
}

