// What the API's handlers share: the engine and the stores of one process,
// handed to every domain's handler file (handlers/*.ts) by the AppService.
// Also the one place where the app's settings become processing options
// (provider, threads, tile), so every request that runs a model (jobs,
// previews, benchmarks) fills them the same way.
import type { HostInfo } from '../../common/api/api-types.ts';
import type { ApiEventGroup, ApiEvents, Settings } from '../../common/api/contract.ts';
import type { PreviewImage } from '../../common/jobs.ts';
import type { Engine } from '../engine.ts';
import type { FarmAccess } from '../farm/farm-access.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { ModelStore } from '../models/model-store.ts';
import type { PresetStore } from '../presets/preset-store.ts';
import type { CostLedger } from './job-estimate.ts';
import type { JobThumbnails } from './job-thumbnails.ts';
import type { PreviewClips } from './preview-clip.ts';
import type { SettingsStore } from './settings-store.ts';
import type { WorkQueue } from './work-queue.ts';

/**
 * How the host names previews for its page: `framesmith serve` answers a
 * route behind its token, Electron a custom protocol. The engine knows a
 * clip's id and file and an image's bytes; the URL is the host's business,
 * so no transport rewrites answers of particular channels.
 */
export interface PreviewPublisher {
  /** The URL the page loads a finished clip from. */
  clip(clipId: string, file: string): string;
  /** A URL for a preview image, or undefined to leave it inline (the page shows its base64). */
  image?(image: PreviewImage): string | undefined;
}

export interface ApiServices {
  engine: Engine;
  settings: SettingsStore;
  presets: PresetStore;
  queue: JobQueue;
  /** The model store, opened on first use. */
  store(): Promise<ModelStore>;
  ledger: CostLedger;
  clips: PreviewClips;
  thumbnails: JobThumbnails;
  /** Probes and previews run through here (bounded: see work-queue.ts). */
  heavyWork: WorkQueue;
  /** The render farm of the settings (farm:* and farm jobs). */
  farm: FarmAccess;
  previews: PreviewPublisher;
  host: Omit<HostInfo, 'pathSeparator' | 'platform'>;
  emit<G extends ApiEventGroup>(group: G, event: ApiEvents[G]): void;
}

export interface ProcessingDefaults {
  provider?: Settings['provider'];
  threads?: number;
  tile?: number | 'auto';
}

/**
 * The settings' processing preferences that are not 'auto' (or unset), under
 * what the request says itself: a request's own value always wins.
 */
export function processingFromSettings<T extends object = ProcessingDefaults>(settings: Settings, explicit?: T): ProcessingDefaults | (ProcessingDefaults & T) {
  const defaults: ProcessingDefaults = {
    ...(settings.provider !== 'auto' ? { provider: settings.provider } : {}),
    ...(settings.threads !== null ? { threads: settings.threads } : {}),
    ...(settings.tile !== 'auto' ? { tile: settings.tile } : {}),
  };
  return { ...defaults, ...explicit };
}
