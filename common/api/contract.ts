// The one API every front-end talks to, declared once: each method has a
// `domain:verb` channel, a zod schema of its request (the serving side
// validates every request with it: the renderer is untrusted) and, as a
// phantom type, its answer. FramesmithApi (client-api.ts) is derived from
// this table; window.framesmith (Electron preload) and the WebSocket client
// (ws-client.ts) both implement it, so the renderer codes against one
// interface. Every answer travels in the Result<T> envelope.
import { z } from 'zod';
import { jobSpecSchema, type JobEvent, type JobSnapshot, type PreviewImage } from '../jobs.ts';
import {
  OUTPUT_CODECS,
  OUTPUT_PIXEL_FORMATS,
  PROVIDER_PREFERENCES,
  processingSettingsSchema,
  stepSchema,
  tileSizeSchema,
} from '../job-spec.ts';
import { MODEL_TASKS } from '../model-manifest.ts';
import { MAX_PRESET_BYTES, presetNameSchema, presetSchema, type Preset } from '../preset.ts';
import type {
  AppEvent,
  DirectoryListing,
  DoctorView,
  FarmStatusView,
  FarmTestResult,
  GpuEvent,
  GpuStatusView,
  HostInfo,
  JobEstimate,
  MediaProbe,
  ModelBenchmark,
  ModelEvent,
  ModelListing,
  PreviewClip,
  PreviewPair,
  ProviderStatus,
} from './api-types.ts';

/** A method of the API: its channel, its request schema and (type only) its answer. */
export interface ApiMethod<Channel extends string, Request extends z.ZodType, Response> {
  readonly channel: Channel;
  readonly request: Request;
  /** Never set: carries the answer's type. */
  readonly response?: Response;
}

function method<Response>() {
  return <Channel extends string, Request extends z.ZodType>(channel: Channel, request: Request): ApiMethod<Channel, Request, Response> => ({ channel, request });
}

/** The request of a method that takes none. */
export const noRequestSchema = z.undefined({ error: 'this method takes no request' });

const pathText = z.string({ error: 'expected a path (text)' }).min(1, 'expected a non-empty path').max(4096, 'path is longer than 4096 characters');
const idText = z.string({ error: 'expected an id (text)' }).min(1, 'expected a non-empty id').max(200, 'id is longer than 200 characters');

export const jobIdRequestSchema = z.strictObject({ id: idText });
export const presetIdRequestSchema = z.strictObject({ id: idText });
export const jobReorderRequestSchema = z.strictObject({
  id: idText,
  toIndex: z.number({ error: 'expected toIndex, a queue position (0 runs first)' }).int('toIndex must be a whole number').min(0, 'toIndex must be 0 or more'),
});

/**
 * presets:save: a preset as common/preset.ts describes it (format and version
 * may be left out). `previousId` edits that preset (a new name renames it);
 * otherwise a new one is created, or with `replace` one of the same name is
 * overwritten. Built-in presets cannot be changed: duplicate them.
 */
export const presetSaveRequestSchema = z.strictObject({
  preset: presetSchema.partial({ format: true, version: true }),
  previousId: idText.optional(),
  replace: z.boolean().default(false),
});
export type PresetSaveRequest = z.input<typeof presetSaveRequestSchema>;

/** A preset with its id (file stem); built-ins are read-only. */
export interface PresetEntryView {
  id: string;
  builtIn: boolean;
  preset: Preset;
}

export interface PresetList {
  presets: PresetEntryView[];
  /** Preset files that could not be read, one line each (file: reason). */
  problems: string[];
}

export const presetDuplicateRequestSchema = z.strictObject({ id: idText, name: presetNameSchema });
export const presetImportRequestSchema = z.strictObject({
  text: z.string({ error: 'expected the preset file text (JSON)' }).min(2, 'the preset file is empty').max(MAX_PRESET_BYTES, `the preset file is larger than ${MAX_PRESET_BYTES} bytes`),
  replace: z.boolean().default(false),
});

export const modelIdRequestSchema = z.strictObject({ id: idText });
export const modelImportRequestSchema = z.strictObject({
  paths: z.array(pathText).min(1, 'choose at least one model file').max(100),
  task: z.enum(MODEL_TASKS).optional(),
  scale: z.number().positive().max(16).optional(),
});
export const modelBenchRequestSchema = z.strictObject({
  id: idText,
  width: z.number().int().min(16).max(4096).default(320),
  height: z.number().int().min(16).max(4096).default(180),
  runs: z.number().int().min(1).max(50).default(3),
});

export const previewRenderRequestSchema = z.strictObject({
  input: pathText,
  steps: z.array(stepSchema).min(1, 'the chain needs at least one step'),
  frameIndex: z.number().int('frameIndex must be a whole number').min(0, 'frameIndex must be 0 or more'),
  processing: processingSettingsSchema.partial().optional(),
  /** Longest side of the returned images (scaled down for display). */
  maxSize: z.number().int().min(64).max(8192).optional(),
});
export const pathRequestSchema = z.strictObject({ path: pathText });
export const gpuRuntimeRequestSchema = z.strictObject({ runtime: z.literal('cuda', { error: 'the only GPU runtime offered is "cuda"' }) });

/** Chosen by the caller, so it can cancel the clip while it renders. */
export const clipIdSchema = z.string({ error: 'expected a clip id (text)' }).regex(/^[A-Za-z0-9_-]{8,64}$/, 'a clip id is 8 to 64 letters, digits, - or _');
export const MAX_PREVIEW_CLIP_SECONDS = 20;

/**
 * preview:renderClip: the chain run on `seconds` of a video from
 * `startFrame`, written as a small VP9 WebM (plays in any Chromium) with the
 * matching stretch of audio, into the cache folder. Rendering another clip
 * or disposing the service removes older ones (the last few are kept).
 */
export const previewClipRequestSchema = z.strictObject({
  clipId: clipIdSchema,
  input: pathText,
  steps: z.array(stepSchema).min(1, 'the chain needs at least one step'),
  startFrame: z.number().int('startFrame must be a whole number').min(0, 'startFrame must be 0 or more').default(0),
  seconds: z.number().positive('seconds must be more than 0').max(MAX_PREVIEW_CLIP_SECONDS, `a preview clip is at most ${MAX_PREVIEW_CLIP_SECONDS} seconds`).default(2),
  processing: processingSettingsSchema.partial().optional(),
});
/** Where `framesmith serve` serves finished clips: <route><clipId>.webm, behind the same token as everything else. */
export const PREVIEW_CLIP_ROUTE = '/preview-clips/';
export const previewClipIdRequestSchema = z.strictObject({ clipId: clipIdSchema });

export const THEMES = ['light', 'dark', 'system'] as const;

/** A Redis URL: redis://[user[:password]@]host[:port][/db], or rediss:// for TLS. */
export const redisUrlText = z
  .string({ error: 'expected a Redis URL (text)' })
  .max(2048, 'the Redis URL is longer than 2048 characters')
  .regex(/^rediss?:\/\/[^\s/]+(\/\d+)?\/?$/, 'a Redis URL such as redis://192.168.1.10:6379 or rediss://:password@host:6380');

/**
 * What the API answers in place of a saved Redis password; sent back
 * unchanged in settings:set or farm:test, it stands for the saved one.
 */
export const REDIS_PASSWORD_MASK = '********';

const settingsFields = {
  provider: z.enum(PROVIDER_PREFERENCES),
  /** null: onnxruntime's default. */
  threads: z.number().int().positive().max(256).nullable(),
  tile: tileSizeSchema,
  /** Parent of each job's work folder (segments); null: the app's default. */
  workingFolder: pathText.nullable(),
  outputDefaults: z.strictObject({
    /** null: beside each input. */
    folder: pathText.nullable(),
    nameTemplate: z.string().min(1).max(300),
    codec: z.enum(OUTPUT_CODECS),
    crf: z.number().int().min(0).max(63).nullable(),
    pixelFormat: z.enum(OUTPUT_PIXEL_FORMATS).nullable(),
    audio: z.enum(['copy', 'drop']),
  }),
  theme: z.enum(THEMES),
  /** BCP 47 language tag such as "en" or "de-CH". */
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language tag such as "en" or "pt-BR"'),
  /** The render farm this app submits to; null: none. The API never answers the password in clear (REDIS_PASSWORD_MASK). */
  farm: z.strictObject({
    redisUrl: redisUrlText.nullable(),
    /** The folder every machine of the farm sees alike (sources are read and segments written there). */
    sharedRoot: pathText.nullable(),
  }),
};

export const settingsSchema = z.strictObject(settingsFields);
export type Settings = z.infer<typeof settingsSchema>;
/** settings:set takes any subset; outputDefaults may be partial too. */
export const settingsPatchSchema = z.strictObject({
  ...settingsFields,
  outputDefaults: settingsFields.outputDefaults.partial(),
  farm: settingsFields.farm.partial(),
}).partial();
export type SettingsPatch = z.input<typeof settingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = {
  provider: 'auto',
  threads: null,
  tile: 'auto',
  workingFolder: null,
  outputDefaults: { folder: null, nameTemplate: '{name}-{preset}{ext}', codec: 'h264', crf: null, pixelFormat: null, audio: 'copy' },
  theme: 'system',
  language: 'en',
  farm: { redisUrl: null, sharedRoot: null },
};

/** farm:test: checks these (default: the saved settings) without saving them. */
export const farmTestRequestSchema = z.strictObject({ redisUrl: redisUrlText.optional(), sharedRoot: pathText.optional() }).optional();

export const filesListRequestSchema = z.strictObject({ dir: pathText, showHidden: z.boolean().default(false) });

const fileFilterSchema = z.strictObject({ name: z.string().min(1).max(100), extensions: z.array(z.string().regex(/^[A-Za-z0-9*]+$/)).min(1).max(50) });
export const dialogOpenFilesRequestSchema = z.strictObject({
  title: z.string().max(200).optional(),
  multiple: z.boolean().default(true),
  filters: z.array(fileFilterSchema).max(10).optional(),
});
export const dialogOpenFolderRequestSchema = z.strictObject({ title: z.string().max(200).optional() });
export const dialogSaveFileRequestSchema = z.strictObject({ title: z.string().max(200).optional(), defaultPath: pathText.optional() });

/** Every method, by group. Channel names are `group:verb`. */
export const apiContract = {
  jobs: {
    enqueue: method<JobSnapshot>()('jobs:enqueue', jobSpecSchema),
    list: method<JobSnapshot[]>()('jobs:list', noRequestSchema),
    pause: method<JobSnapshot>()('jobs:pause', jobIdRequestSchema),
    resume: method<JobSnapshot>()('jobs:resume', jobIdRequestSchema),
    cancel: method<JobSnapshot>()('jobs:cancel', jobIdRequestSchema),
    retry: method<JobSnapshot>()('jobs:retry', jobIdRequestSchema),
    remove: method<null>()('jobs:remove', jobIdRequestSchema),
    /** Moves a queued job; answers the queue in its new order. */
    reorder: method<JobSnapshot[]>()('jobs:reorder', jobReorderRequestSchema),
    estimate: method<JobEstimate>()('jobs:estimate', jobSpecSchema),
    /** A small still of the job's first input (made when it is enqueued, kept beside the queue); null when none can be made. */
    thumbnail: method<PreviewImage | null>()('jobs:thumbnail', jobIdRequestSchema),
  },
  presets: {
    list: method<PresetList>()('presets:list', noRequestSchema),
    get: method<PresetEntryView>()('presets:get', presetIdRequestSchema),
    save: method<PresetEntryView>()('presets:save', presetSaveRequestSchema),
    duplicate: method<PresetEntryView>()('presets:duplicate', presetDuplicateRequestSchema),
    delete: method<null>()('presets:delete', presetIdRequestSchema),
    importJson: method<PresetEntryView>()('presets:importJson', presetImportRequestSchema),
    /** The preset as JSON text, ready to save to a file. */
    exportJson: method<string>()('presets:exportJson', presetIdRequestSchema),
  },
  models: {
    list: method<ModelListing[]>()('models:list', noRequestSchema),
    /** Downloads (or finds) the model; progress arrives on models events. */
    pull: method<ModelListing>()('models:pull', modelIdRequestSchema),
    delete: method<null>()('models:delete', modelIdRequestSchema),
    importFiles: method<ModelListing[]>()('models:importFiles', modelImportRequestSchema),
    bench: method<ModelBenchmark>()('models:bench', modelBenchRequestSchema),
  },
  preview: {
    renderFrame: method<PreviewPair>()('preview:renderFrame', previewRenderRequestSchema),
    probe: method<MediaProbe>()('preview:probe', pathRequestSchema),
    renderClip: method<PreviewClip>()('preview:renderClip', previewClipRequestSchema),
    /** Stops a clip that is rendering (its renderClip answers CANCELLED); harmless when it already ended. */
    cancelClip: method<null>()('preview:cancelClip', previewClipIdRequestSchema),
  },
  settings: {
    get: method<Settings>()('settings:get', noRequestSchema),
    set: method<Settings>()('settings:set', settingsPatchSchema),
  },
  system: {
    doctor: method<DoctorView>()('system:doctor', noRequestSchema),
    providers: method<ProviderStatus[]>()('system:providers', noRequestSchema),
    host: method<HostInfo>()('system:host', noRequestSchema),
  },
  /** GPU acceleration: CUDA/TensorRT providers installed into the data folder (Linux x64). */
  gpu: {
    status: method<GpuStatusView>()('gpu:status', noRequestSchema),
    /** Downloads, verifies and places the providers (hundreds of MB); answers the new status. */
    install: method<GpuStatusView>()('gpu:install', gpuRuntimeRequestSchema),
    remove: method<GpuStatusView>()('gpu:remove', gpuRuntimeRequestSchema),
  },
  /** The render farm of the settings: a connection test, and its workers and jobs (the Queue screen polls it). */
  farm: {
    test: method<FarmTestResult>()('farm:test', farmTestRequestSchema),
    status: method<FarmStatusView>()('farm:status', noRequestSchema),
  },
  files: {
    list: method<DirectoryListing>()('files:list', filesListRequestSchema),
    home: method<string>()('files:home', noRequestSchema),
  },
  /** Native dialogs and the file manager: Electron only (NOT_SUPPORTED in a browser). */
  dialogs: {
    openFiles: method<string[]>()('dialogs:openFiles', dialogOpenFilesRequestSchema),
    openFolder: method<string | null>()('dialogs:openFolder', dialogOpenFolderRequestSchema),
    saveFile: method<string | null>()('dialogs:saveFile', dialogSaveFileRequestSchema),
  },
  shell: {
    openPath: method<null>()('shell:openPath', pathRequestSchema),
    showInFolder: method<null>()('shell:showInFolder', pathRequestSchema),
  },
} as const;

export type ApiContract = typeof apiContract;
export type ApiGroup = keyof ApiContract;

/** Events pushed to every subscriber, by group. */
export interface ApiEvents {
  jobs: JobEvent;
  models: ModelEvent;
  /** Progress of a GPU runtime install. */
  gpu: GpuEvent;
  /** From the desktop shell only (menus, dock); never sent by `framesmith serve`. */
  app: AppEvent;
}
export type ApiEventGroup = keyof ApiEvents;

export const EVENT_CHANNELS = { jobs: 'jobs:event', models: 'models:event', gpu: 'gpu:event', app: 'app:event' } as const satisfies Record<ApiEventGroup, string>;
export type EventChannel = (typeof EVENT_CHANNELS)[ApiEventGroup];

type MethodsOf<G extends ApiGroup> = ApiContract[G][keyof ApiContract[G]];
type AnyMethod = { [G in ApiGroup]: MethodsOf<G> }[ApiGroup];

export type ApiChannel = AnyMethod extends ApiMethod<infer C, z.ZodType, unknown> ? C : never;

/** The method of a channel. */
export type MethodOf<C extends ApiChannel> = Extract<AnyMethod, { channel: C }>;
/** What the caller passes (before defaults). */
export type RequestIn<C extends ApiChannel> = z.input<MethodOf<C>['request']>;
/** What the handler receives (validated, defaults applied). */
export type RequestOut<C extends ApiChannel> = z.output<MethodOf<C>['request']>;
export type ResponseOf<C extends ApiChannel> = MethodOf<C> extends ApiMethod<C, z.ZodType, infer R> ? R : never;

/** Channel -> method, for routing a request that names only its channel. */
export const methodsByChannel: ReadonlyMap<string, ApiMethod<string, z.ZodType, unknown>> = new Map(
  Object.values(apiContract).flatMap((group) => Object.values(group).map((entry: ApiMethod<string, z.ZodType, unknown>) => [entry.channel, entry] as const)),
);

export const API_CHANNELS: readonly ApiChannel[] = [...methodsByChannel.keys()] as ApiChannel[];
