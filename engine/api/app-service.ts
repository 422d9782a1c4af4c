// The API of common/api/contract.ts implemented over the engine: the job
// queue, presets, the model store, previews, settings and the file browser.
// One instance per process (the Electron engine host or `framesmith serve`);
// both reach it only through an ApiDispatcher, which validates every request
// first, so the handlers receive parsed, defaulted requests. This class only
// composes: it opens the stores, owns their lifetime and events, and joins
// the handlers of each domain (handlers/*.ts). Dialogs and the shell belong
// to the Electron main process and are not handled here.
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type { HostInfo, Unsubscribe } from '../../common/api/api-types.ts';
import { PREVIEW_CLIP_ROUTE, type ApiEventGroup, type ApiEvents } from '../../common/api/contract.ts';
import type { Engine } from '../engine.ts';
import { FarmAccess } from '../farm/farm-access.ts';
import { FarmExecutor, type FarmExecutorOptions } from '../farm/farm-executor.ts';
import { JobQueue } from '../jobs/job-queue.ts';
import type { ModelStore, ModelStoreOptions } from '../models/model-store.ts';
import { PresetStore } from '../presets/preset-store.ts';
import type { ApiHandlers } from './api-dispatcher.ts';
import type { ApiServices, PreviewPublisher } from './api-services.ts';
import { farmHandlers } from './handlers/farm-handlers.ts';
import { filesHandlers } from './handlers/files-handlers.ts';
import { gpuHandlers } from './handlers/gpu-handlers.ts';
import { jobsHandlers } from './handlers/jobs-handlers.ts';
import { modelsHandlers } from './handlers/models-handlers.ts';
import { presetsHandlers } from './handlers/presets-handlers.ts';
import { previewHandlers } from './handlers/preview-handlers.ts';
import { settingsHandlers } from './handlers/settings-handlers.ts';
import { systemHandlers } from './handlers/system-handlers.ts';
import type { CostLedger } from './job-estimate.ts';
import { JobThumbnails } from './job-thumbnails.ts';
import { PreviewClips } from './preview-clip.ts';
import { SettingsStore } from './settings-store.ts';
import { WorkQueue } from './work-queue.ts';

export { applySettingsToSpec } from './handlers/jobs-handlers.ts';
export { doctorView, providerStatus } from './handlers/system-handlers.ts';

export interface AppServiceOptions {
  engine: Engine;
  /** The user's data folder: settings.json, presets/, jobs/, job-thumbnails/. */
  dataDir: string;
  /** The cache folder: preview clips go to preview-clips/ there (default: a folder under the system's temporary folder). */
  cacheDir?: string;
  host: Omit<HostInfo, 'pathSeparator' | 'platform'>;
  /** Start queued jobs as they come (default true). */
  autoStart?: boolean;
  /** How the host names previews for its page; default the `framesmith serve` clip route, images inline. */
  previews?: PreviewPublisher;
  /** Where the model store downloads from: npm registry and URL-prefix mirrors (as `models pull` takes them). */
  modelSources?: Pick<ModelStoreOptions, 'registry' | 'mirrors'>;
  /** Probes and previews at once (default 2) and waiting (default 512); more answer BUSY. */
  heavyWork?: { concurrency: number; maxWaiting: number };
  /** Farm jobs: frames per segment and how often their state is read (tests use small values). */
  farm?: FarmExecutorOptions;
}

export class AppService {
  private readonly events = new EventEmitter();
  private modelStore: Promise<ModelStore> | undefined;
  private readonly stopQueueEvents: Unsubscribe;
  private readonly services: ApiServices;
  /** The per-user data folder (GPU providers install under gpu/ there). */
  private readonly dataDir: string;
  private readonly modelSources: Pick<ModelStoreOptions, 'registry' | 'mirrors'>;

  private constructor(
    options: AppServiceOptions,
    readonly settings: SettingsStore,
    readonly presets: PresetStore,
    readonly queue: JobQueue,
    private readonly farm: FarmAccess,
    ledger: CostLedger,
  ) {
    this.events.setMaxListeners(0);
    this.dataDir = options.dataDir;
    this.modelSources = options.modelSources ?? {};
    const clips = new PreviewClips(options.engine, path.join(options.cacheDir ?? path.join(os.tmpdir(), `framesmith-${process.pid}`), 'preview-clips'));
    const thumbnails = new JobThumbnails(options.engine, path.join(options.dataDir, 'job-thumbnails'));
    this.services = {
      engine: options.engine,
      settings,
      presets,
      queue,
      store: () => this.store(options.engine),
      ledger,
      clips,
      thumbnails,
      heavyWork: new WorkQueue({ name: 'previews and probes', concurrency: 2, maxWaiting: 512, ...options.heavyWork }),
      farm,
      previews: options.previews ?? { clip: (clipId) => `${PREVIEW_CLIP_ROUTE}${clipId}.webm` },
      host: options.host,
      emit: (group, event) => this.emit(group, event),
    };
    this.stopQueueEvents = queue.subscribe((event) => {
      if (event.type === 'removed') void thumbnails.remove(event.jobId);
      this.emit('jobs', event);
    });
  }

  static async open(options: AppServiceOptions): Promise<AppService> {
    const settings = new SettingsStore(options.dataDir);
    const presets = await PresetStore.open(options.dataDir);
    // Read from the settings each time: a farm set or changed in Settings applies to the next farm job.
    const farm = new FarmAccess(options.engine, async () => (await settings.get()).farm, { pollMs: options.farm?.pollMs });
    const farmExecutor = new FarmExecutor(options.engine, farm, options.farm);
    const queue = await JobQueue.open({
      dataDir: options.dataDir,
      executor: options.engine,
      executorFor: (spec) => (spec.renderOn === 'farm' ? farmExecutor : undefined),
      resolvePreset: (id) => presets.resolve(id),
      autoStart: options.autoStart ?? true,
      // Read per job as it is added, so a changed setting applies to new jobs and running ones keep their folder.
      workRoot: async () => (await settings.get()).workingFolder,
    });
    // Model speeds measured here persist per machine in the engine's cache, so the model picker shows them after a restart.
    return new AppService(options, settings, presets, queue, farm, await options.engine.modelSpeeds());
  }

  /** The file behind a preview clip's id (finished clips only), for the host that serves it. */
  clipFile(clipId: string): string | undefined {
    return this.services.clips.fileOf(clipId);
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

  private store(engine: Engine): Promise<ModelStore> {
    if (!this.modelStore) {
      const opening = engine.openModelStore(this.modelSources);
      opening.catch(() => {
        this.modelStore = undefined;
      });
      this.modelStore = opening;
    }
    return this.modelStore;
  }

  /** The handler of every channel this process serves (all but dialogs and shell). */
  handlers(): ApiHandlers {
    const services = this.services;
    return {
      ...jobsHandlers(services),
      ...presetsHandlers(services),
      ...modelsHandlers(services),
      ...previewHandlers(services),
      ...settingsHandlers(services),
      ...farmHandlers(services),
      ...systemHandlers(services),
      ...filesHandlers(),
      ...gpuHandlers(this.dataDir, () => services.engine.onnxRuntimeChoice(), (event) => this.emit('gpu', event)),
    };
  }

  /** Stops running jobs as interrupted (resumable) and closes the model store. */
  async dispose(): Promise<void> {
    this.stopQueueEvents();
    this.events.removeAllListeners();
    await this.queue.dispose();
    await this.farm.dispose();
    await this.services.clips.dispose();
    const store = this.modelStore;
    this.modelStore = undefined;
    const opened = store ? await store.catch(() => undefined) : undefined;
    await opened?.dispose();
  }
}
