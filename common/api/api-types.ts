// The shapes the API answers with. Requests are validated (see contract.ts);
// answers come from the trusted side, so they are plain types. The engine's
// own types (DoctorReport, StoreListing) must stay assignable to these:
// engine/api/app-service.ts fails to type-check if they drift apart. A shape
// the engine has no reason to differ on (ModelBenchmark) is declared here
// once and used by the engine as is.
import type { SerializedError } from '../errors.ts';
import type { PreviewImage } from '../jobs.ts';
import type { ModelTask } from '../model-manifest.ts';

/** A function that stops a subscription; calling it twice is harmless. */
export type Unsubscribe = () => void;

export interface JobEstimate {
  /** Items (files) the inputs expand to. */
  items: number;
  /** Output frames over all items (video frames after interpolation; 1 per image). */
  frames: number;
  /** Expected size of all outputs, from resolution, frame count and codec. */
  outputBytes: number;
  /** Peak extra disk space while running (encoded segments before the final mux). */
  workBytes: number;
  /** Expected processing time on this machine; null when no measurement is available. */
  seconds: number | null;
  /**
   * Files of a batch that cannot be read (not counted above): the job runs
   * the others and marks these failed with this reason. Only when at least
   * one file is readable; a job none of whose files can be read is an error.
   */
  unreadable: { input: string; error: SerializedError }[];
}

export type ModelInstallState = 'downloaded' | 'imported' | 'bundled' | 'available';

export interface ModelListing {
  id: string;
  displayName: string;
  task: ModelTask;
  /** Output size over input size (1 for interpolation and style). */
  scale: number;
  /** What it is for and the content it suits, in a sentence (from the catalog). */
  description: string;
  /** Milliseconds per megapixel measured on this machine (a benchmark this session), where known. */
  msPerMegapixel?: number;
  licence: string;
  /** Installed file size, else the download size (0 when unknown). */
  sizeBytes: number;
  /** 'available': in the catalog, not on this machine yet (pull it). */
  state: ModelInstallState;
  path?: string;
  /** Why the catalog recommends it, in a user's words; pickers show these first. */
  recommended?: string;
}

export type ModelEvent =
  | { type: 'progress'; id: string; phase: 'download'; file: string; bytesDone: number; bytesTotal: number | null }
  | { type: 'progress'; id: string; phase: 'verify' | 'convert' | 'check'; file: string | null; bytesDone: null; bytesTotal: null }
  | { type: 'retry'; id: string; file: string; attempt: number; reason: string }
  | { type: 'done'; id: string; model: ModelListing }
  | { type: 'failed'; id: string; error: SerializedError }
  | { type: 'removed'; id: string };

/** Runs per second of a model on one input size (`models bench`, the Models screen). */
export interface ModelBenchmark {
  modelId: string;
  provider: string;
  width: number;
  height: number;
  runs: number;
  runsPerSecond: number;
  meanMs: number;
}

export interface PreviewPair {
  before: PreviewImage & { url?: string };
  after: PreviewImage & { url?: string };
  frameIndex: number;
}

export interface PreviewClip {
  clipId: string;
  /** Where the page loads it: a path under `framesmith serve`, a framesmith-preview:// URL in the desktop app. */
  url: string;
  /** The file on the machine that runs the engine. */
  path: string;
  mimeType: string;
  width: number;
  height: number;
  startFrame: number;
  frames: number;
  durationSeconds: number;
  sizeBytes: number;
}

export interface MediaProbe {
  path: string;
  kind: 'video' | 'image';
  width: number;
  height: number;
  /** Frames in the file (1 for an image); estimated from duration where the container does not say. */
  frameCount: number;
  durationSeconds: number;
  /** Frames per second as a number (exact rational in frameRateText, e.g. "30000/1001"). */
  frameRate: number;
  frameRateText: string;
  hasAudio: boolean;
}

/**
 * Why an execution provider does not run, as a code each front-end words
 * itself: its GPU runtime (provider library) is not installed, the NVIDIA
 * driver or CUDA libraries are missing, no GPU was found, it exists for
 * another operating system, this onnxruntime build lacks it, another provider
 * was requested, an earlier one was chosen, or it was tried and failed.
 */
export const PROVIDER_REASON_KINDS = ['not-installed', 'driver-missing', 'no-gpu-found', 'wrong-os', 'not-in-build', 'other-requested', 'earlier-chosen', 'failed'] as const;
export type ProviderReasonKind = (typeof PROVIDER_REASON_KINDS)[number];

export interface ProviderStatus {
  provider: string;
  /** Usable here (the first usable one runs in auto mode). */
  available: boolean;
  /** Why it is not usable, as a code; absent when it is (and from an older server). */
  kind?: ProviderReasonKind;
  /** The technical detail behind `kind` (library names, paths, the native message), no commands; absent when usable. */
  reason?: string;
}

export interface ToolStatus {
  tool: 'ffmpeg' | 'ffprobe';
  /** `reason` says in words why this binary was chosen; `release` is the FFmpeg release it is or is built from. */
  found: { path: string; source: string; version: string; release: string; reason: string } | null;
  error: SerializedError | null;
}

export interface InstalledModelStatus {
  id: string;
  task: ModelTask;
  path: string;
  sizeBytes: number;
  state: 'verified' | 'unverified' | 'corrupt';
}

/** The machine as `doctor` describes it. */
export interface SystemInfo {
  platform: string;
  arch: string;
  cpuModel: string;
  cores: number;
  memoryTotalBytes: number;
  memoryFreeBytes: number;
  nodeVersion: string;
}

export interface DoctorView {
  ffmpeg: ToolStatus;
  ffprobe: ToolStatus;
  codecs: string[];
  providers: ProviderStatus[];
  onnxruntimeVersion: string;
  models: InstalledModelStatus[];
  missingModels: string[];
  system: SystemInfo;
}

/** GPU acceleration as Settings shows it (`gpu:status`, `gpu:install`, `gpu:remove`). */
export interface GpuStatusView {
  onnxruntimeVersion: string;
  /** The NuGet package the CUDA/TensorRT providers come from; null where none is offered (with why). */
  providerPackage: { id: string; version: string } | null;
  unavailable?: string;
  /** What the inference worker loads now, and why. */
  runtime: { source: 'app' | 'gpu-install'; reason: string };
  /** The providers are installed for this onnxruntime-node (used from the next engine start when runtime.source is still 'app'). */
  installed: boolean;
  /** What the machine lacks besides (driver, CUDA 12 runtime, cuDNN 9, TensorRT 10), in words. */
  prerequisites: { checked: boolean; summary: string; missing: { what: string; hint: string; neededFor: 'cuda' | 'tensorrt' }[] };
  /** Whether the NVIDIA driver was found ('unchecked' where nothing is checked: not Linux x64). Without it the providers cannot help. */
  nvidiaDriver: 'found' | 'missing' | 'unchecked';
  /** Disk space the installed providers take (their libraries); null when none are installed. */
  installedBytes: number | null;
}

/** Progress of a `gpu:install`: its stage and, while downloading, bytes so far of the total (when the feed says it). */
export type GpuEvent = { type: 'progress'; stage: 'resolve' | 'download' | 'extract' | 'place'; bytes: number | null; totalBytes: number | null };

/** Who serves the API: the renderer shows native dialogs only under 'electron'. */
export interface HostInfo {
  kind: 'electron' | 'browser';
  platform: string;
  version: string;
  /** Folder separator of the machine that runs the engine ('/' or '\\'). */
  pathSeparator: string;
}

export type FileEntryKind = 'directory' | 'video' | 'image' | 'model' | 'preset' | 'other';

export interface FileEntry {
  name: string;
  path: string;
  kind: FileEntryKind;
  sizeBytes: number;
  modifiedAt: string;
}

export interface DirectoryListing {
  path: string;
  /** null at a filesystem root. */
  parent: string | null;
  entries: FileEntry[];
}

export const APP_SCREENS = ['queue', 'new-job', 'preview', 'presets', 'models', 'settings'] as const;
export type AppScreen = (typeof APP_SCREENS)[number];

/** What the desktop shell asks of the UI (menu items, files given on the command line or dropped on the dock icon). */
export type AppEvent =
  | { type: 'navigate'; screen: AppScreen }
  | { type: 'add-inputs'; paths: string[] };

/**
 * Why the farm cannot be used, as a code the UI words itself: none set in
 * Settings, a URL that is not one, Redis not answering, Redis refusing the
 * credentials, the shared root missing or not writable, or no worker up.
 */
export const FARM_PROBLEMS = ['not-configured', 'invalid-url', 'unreachable', 'auth-failed', 'shared-root-missing', 'shared-root-not-writable', 'no-workers'] as const;
export type FarmProblem = (typeof FARM_PROBLEMS)[number];

/** One `framesmith worker` as its heartbeat tells it. */
export interface FarmWorkerView {
  name: string;
  host: string;
  provider: string;
  /** Output frames per second (the segment in hand, else the finished ones); null until the worker has rendered a frame. */
  fps: number | null;
  segment: { farmJobId: string; index: number; frames: number } | null;
}

export type FarmSegmentState = 'done' | 'active' | 'waiting' | 'failed' | 'missing';

export interface FarmSegmentView {
  index: number;
  state: FarmSegmentState;
  frames: number;
  frameCount: number;
  worker: string | null;
}

/** A farm job recorded on the shared storage and not joined yet. */
export interface FarmJobView {
  farmJobId: string;
  /** The source, relative to the shared root. */
  input: string;
  output: string;
  framesDone: number;
  framesTotal: number;
  segments: FarmSegmentView[];
}

/** farm:test: whether the farm can take jobs, and how many workers answered. */
export interface FarmTestResult {
  ok: boolean;
  problem: FarmProblem | null;
  /** The engine's words for the problem (for the log and the detail line); null when ok. */
  detail: string | null;
  workers: number;
}

/** farm:status: the farm of the settings (configured false when none is set). */
export interface FarmStatusView {
  configured: boolean;
  problem: FarmProblem | null;
  detail: string | null;
  workers: FarmWorkerView[];
  jobs: FarmJobView[];
}
