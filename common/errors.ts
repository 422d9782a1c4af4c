// Typed errors shared by every layer. Callers branch on `code`, never on
// message text. `userMessage` says what went wrong and what to do; `detail`
// carries the technical cause for logs (ffmpeg stderr tail, native messages).
// Expected errors (FramesmithError) are things a person can act on; a broken
// invariant is a BugError, a separate class (VS Code's BugIndicatingError) so
// that no `instanceof FramesmithError` check mistakes a bug for a user
// mistake. Messages name no front-end's controls: where a setting would fix
// the error, `hint` names the request field and the action, and each
// front-end words it (the CLI names its flag, the UI marks its control).

export const ERROR_CODES = [
  'INPUT_NOT_FOUND',
  'INPUT_NOT_MEDIA',
  'NO_VIDEO_STREAM',
  'CORRUPT_STREAM',
  'UNSUPPORTED_PIXEL_FORMAT',
  'OUTPUT_NOT_WRITABLE',
  'OUTPUT_EXISTS',
  'OUTPUT_IS_INPUT',
  'DISK_FULL',
  'FFMPEG_NOT_FOUND',
  'FFMPEG_FAILED',
  'FFMPEG_OPTION_UNSUPPORTED',
  'ENCODER_UNAVAILABLE',
  'MODEL_NOT_FOUND',
  'MODEL_INTEGRITY',
  'MODEL_MANIFEST_MISMATCH',
  'PROVIDER_UNAVAILABLE',
  'INFERENCE_FAILED',
  'OUT_OF_MEMORY',
  'INVALID_ARGUMENT',
  'CANCELLED',
  'BUG',
  'DOWNLOAD_FAILED',
  'NOT_SUPPORTED',
  'CONNECTION_LOST',
  'BUSY',
  'FARM_MISMATCH',
  'FARM_SEGMENT_FAILED',
  'FARM_NOT_SHARED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes of expected errors: every code but BUG. */
export type ExpectedErrorCode = Exclude<ErrorCode, 'BUG'>;

/**
 * Request fields a hint can name, as the job spec and the API requests spell
 * them (dotted paths). Each front-end maps every one: the CLI to its flag
 * (cli/error-text.ts), the UI to its control.
 */
export const HINT_FIELDS = [
  'outputSettings.overwrite',
  'outputSettings.codec',
  'processing.provider',
  'processing.tile',
  'processing.maxMegapixels',
  'task',
  'scale',
  'id',
  'renderOn',
] as const;
export type HintField = (typeof HINT_FIELDS)[number];

/** What changing the field does about the error. */
export const HINT_ACTIONS = ['allow-overwrite', 'choose-codec', 'choose-provider', 'install-gpu-runtime', 'reduce-tile', 'raise-pixel-limit', 'choose-task', 'change-scale', 'choose-id', 'render-here'] as const;
export type HintAction = (typeof HINT_ACTIONS)[number];

/** Which setting would fix an error, and how: `{ field: 'outputSettings.overwrite', action: 'allow-overwrite' }`. */
export interface ErrorHint {
  field: HintField;
  action: HintAction;
}

/** The plain shape an error takes when it crosses a process or IPC boundary. */
export interface SerializedError {
  code: ErrorCode;
  userMessage: string;
  detail?: string;
  hint?: ErrorHint;
}

export interface ErrorOptions {
  detail?: string;
  cause?: unknown;
  /** The setting that would fix it (see ErrorHint); classes with one fixed fix set it themselves. */
  hint?: ErrorHint;
}

function serialized(code: ErrorCode, userMessage: string, detail: string | undefined, hint: ErrorHint | undefined): SerializedError {
  return {
    code,
    userMessage,
    ...(detail === undefined ? {} : { detail }),
    ...(hint === undefined ? {} : { hint: { field: hint.field, action: hint.action } }),
  };
}

/** Base of every expected error. Subclasses fix `code` to a literal. */
export class FramesmithError extends Error {
  readonly code: ExpectedErrorCode;
  readonly userMessage: string;
  readonly detail: string | undefined;
  readonly hint: ErrorHint | undefined;

  constructor(code: ExpectedErrorCode, userMessage: string, options: ErrorOptions = {}) {
    super(userMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.userMessage = userMessage;
    this.detail = options.detail;
    this.hint = options.hint;
  }

  toJSON(): SerializedError {
    return serialized(this.code, this.userMessage, this.detail, this.hint);
  }
}

/**
 * A broken invariant inside Framesmith: a bug to report, not a user mistake.
 * Deliberately not a FramesmithError, so code that passes expected errors
 * through (or words them for a person) never takes a bug for one. It crosses
 * boundaries as code BUG, with the stack in `detail`.
 */
export class BugError extends Error {
  readonly code = 'BUG' as const;
  readonly userMessage: string;
  readonly detail: string | undefined;
  /** No setting fixes a bug. */
  readonly hint = undefined;

  constructor(message: string, options: Omit<ErrorOptions, 'hint'> = {}) {
    const userMessage = `Internal error: ${message}. Please report this.`;
    super(userMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BugError';
    this.userMessage = userMessage;
    this.detail = options.detail;
  }

  toJSON(): SerializedError {
    return serialized(this.code, this.userMessage, this.detail ?? this.stack, undefined);
  }
}

export class InputNotFoundError extends FramesmithError {
  declare readonly code: 'INPUT_NOT_FOUND';
  constructor(path: string, options?: ErrorOptions) {
    super('INPUT_NOT_FOUND', `Input not found: ${path}. Check the path and try again.`, options);
  }
}

export class InputNotMediaError extends FramesmithError {
  declare readonly code: 'INPUT_NOT_MEDIA';
  constructor(path: string, options?: ErrorOptions) {
    super('INPUT_NOT_MEDIA', `${path} is not a video or image file that ffmpeg can read. Choose a media file.`, options);
  }
}

export class NoVideoStreamError extends FramesmithError {
  declare readonly code: 'NO_VIDEO_STREAM';
  constructor(path: string, options?: ErrorOptions) {
    super('NO_VIDEO_STREAM', `${path} has no video stream (audio only?). Choose a file with video or images.`, options);
  }
}

export class CorruptStreamError extends FramesmithError {
  declare readonly code: 'CORRUPT_STREAM';
  constructor(path: string, options?: ErrorOptions) {
    super('CORRUPT_STREAM', `${path} is damaged: its video could not be decoded. Try re-downloading or remuxing it.`, options);
  }
}

export class UnsupportedPixelFormatError extends FramesmithError {
  declare readonly code: 'UNSUPPORTED_PIXEL_FORMAT';
  constructor(path: string, pixelFormat: string, options?: ErrorOptions) {
    super('UNSUPPORTED_PIXEL_FORMAT', `${path} uses pixel format "${pixelFormat}", which Framesmith cannot convert to RGB. Convert it to a common format (yuv420p, yuv420p10le, rgb24) first.`, options);
  }
}

export class OutputNotWritableError extends FramesmithError {
  declare readonly code: 'OUTPUT_NOT_WRITABLE';
  constructor(path: string, options?: ErrorOptions) {
    super('OUTPUT_NOT_WRITABLE', `Cannot write to ${path}. Choose a folder you have permission to write to.`, options);
  }
}

export class OutputExistsError extends FramesmithError {
  declare readonly code: 'OUTPUT_EXISTS';
  constructor(path: string, options?: ErrorOptions) {
    super('OUTPUT_EXISTS', `${path} already exists. Choose another name, or allow Framesmith to overwrite it.`, {
      hint: { field: 'outputSettings.overwrite', action: 'allow-overwrite' },
      ...options,
    });
  }
}

export class OutputIsInputError extends FramesmithError {
  declare readonly code: 'OUTPUT_IS_INPUT';
  constructor(path: string, options?: ErrorOptions) {
    super('OUTPUT_IS_INPUT', `The output ${path} is the input file; Framesmith never overwrites its input. Choose another output path.`, options);
  }
}

export class DiskFullError extends FramesmithError {
  declare readonly code: 'DISK_FULL';
  constructor(path: string, options?: ErrorOptions) {
    super('DISK_FULL', `The disk holding ${path} is full. Free some space or choose another output folder.`, options);
  }
}

export class FfmpegNotFoundError extends FramesmithError {
  declare readonly code: 'FFMPEG_NOT_FOUND';
  constructor(tool: 'ffmpeg' | 'ffprobe', searched: readonly string[], options?: ErrorOptions) {
    super('FFMPEG_NOT_FOUND', `${tool} was not found (looked in: ${searched.join(', ') || 'nowhere'}). Install ffmpeg or set ${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'}.`, options);
  }
}

export class FfmpegFailedError extends FramesmithError {
  declare readonly code: 'FFMPEG_FAILED';
  constructor(what: string, options?: ErrorOptions) {
    super('FFMPEG_FAILED', `ffmpeg failed while ${what}. See the log for details.`, options);
  }
}

/** The ffmpeg at hand refused an option of the command: the binary is too old or built without it (not the input's fault). */
export class FfmpegOptionUnsupportedError extends FramesmithError {
  declare readonly code: 'FFMPEG_OPTION_UNSUPPORTED';
  constructor(ffmpegPath: string, version: string, release: string, options: readonly string[], errorOptions?: ErrorOptions) {
    const list = options.map((name) => `-${name}`).join(', ');
    super(
      'FFMPEG_OPTION_UNSUPPORTED',
      `The ffmpeg at ${ffmpegPath} (version ${version}, release ${release}) does not know ${list}. Install ffmpeg 5.1 or newer, or point FFMPEG_PATH (or the ffmpeg setting) at a newer build.`,
      errorOptions,
    );
  }
}

export class EncoderUnavailableError extends FramesmithError {
  declare readonly code: 'ENCODER_UNAVAILABLE';
  constructor(codec: string, available: readonly string[], options?: ErrorOptions) {
    super('ENCODER_UNAVAILABLE', `This ffmpeg has no encoder for ${codec}. Available: ${available.join(', ') || 'none'}.`, options);
  }
}

export interface ModelNotFoundOptions extends ErrorOptions {
  /** Close ids from the catalog, for an id the catalog does not know (a typo). */
  suggestions?: readonly string[];
}

export class ModelNotFoundError extends FramesmithError {
  declare readonly code: 'MODEL_NOT_FOUND';
  constructor(id: string, searched: readonly string[], options?: ModelNotFoundOptions) {
    const suggestions = options?.suggestions;
    const message = suggestions === undefined
      ? `Model "${id}" was not found (searched: ${searched.join(', ') || 'nothing'}). Set FRAMESMITH_MODELS or download it with "framesmith models pull ${id}".`
      : `Model "${id}" is not in the model catalog (${searched.join(', ') || 'no catalog'}). ${suggestions.length > 0 ? `Did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : 'See "framesmith models list" for the known ids.'}`;
    super('MODEL_NOT_FOUND', message, options);
  }
}

export class ModelIntegrityError extends FramesmithError {
  declare readonly code: 'MODEL_INTEGRITY';
  constructor(path: string, options?: ErrorOptions) {
    super('MODEL_INTEGRITY', `The model file ${path} does not match its published checksum (damaged or replaced). Delete it and download it again.`, options);
  }
}

export class ModelManifestMismatchError extends FramesmithError {
  declare readonly code: 'MODEL_MANIFEST_MISMATCH';
  constructor(id: string, problem: string, options?: ErrorOptions) {
    super('MODEL_MANIFEST_MISMATCH', `Model "${id}" does not match its manifest: ${problem}. The file may belong to another model.`, options);
  }
}

export class ProviderUnavailableError extends FramesmithError {
  declare readonly code: 'PROVIDER_UNAVAILABLE';
  constructor(provider: string, reason: string, options?: ErrorOptions) {
    super('PROVIDER_UNAVAILABLE', `Execution provider "${provider}" is not available here: ${reason}. Choose the provider auto or cpu.`, {
      hint: { field: 'processing.provider', action: 'choose-provider' },
      ...options,
    });
  }
}

export class InferenceFailedError extends FramesmithError {
  declare readonly code: 'INFERENCE_FAILED';
  constructor(modelId: string, options?: ErrorOptions) {
    super('INFERENCE_FAILED', `Model "${modelId}" failed to run. See the log for details.`, options);
  }
}

export class OutOfMemoryError extends FramesmithError {
  declare readonly code: 'OUT_OF_MEMORY';
  constructor(what: string, options?: ErrorOptions) {
    super('OUT_OF_MEMORY', `Ran out of memory while ${what}. Use a smaller tile size or a smaller output.`, {
      hint: { field: 'processing.tile', action: 'reduce-tile' },
      ...options,
    });
  }
}

export class InvalidArgumentError extends FramesmithError {
  declare readonly code: 'INVALID_ARGUMENT';
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/** Cancellation is not a failure: callers check `isCancellation` and stop quietly. */
export class CancelledError extends FramesmithError {
  declare readonly code: 'CANCELLED';
  constructor(options?: ErrorOptions) {
    super('CANCELLED', 'Cancelled.', options);
  }
}

/** Every source of a model download failed (network, HTTP status, timeout, wrong bytes). */
export class DownloadFailedError extends FramesmithError {
  declare readonly code: 'DOWNLOAD_FAILED';
  constructor(what: string, options?: ErrorOptions) {
    super('DOWNLOAD_FAILED', `Could not download ${what}. Check the network connection and try again; partial downloads resume.`, options);
  }
}

/** A recognised input that this version cannot handle yet (not a user mistake, not a bug). */
export class NotSupportedError extends FramesmithError {
  declare readonly code: 'NOT_SUPPORTED';
  constructor(message: string, options?: ErrorOptions) {
    super('NOT_SUPPORTED', message, options);
  }
}

/** The link to the engine (WebSocket, engine process) went away before an answer came. */
export class ConnectionLostError extends FramesmithError {
  declare readonly code: 'CONNECTION_LOST';
  constructor(what: string, options?: ErrorOptions) {
    super('CONNECTION_LOST', `Lost the connection to ${what}. Reload the page, or restart Framesmith if it keeps happening.`, options);
  }
}

/** Too much work already waits (a bounded queue is full): try again shortly; nothing was started. */
export class BusyError extends FramesmithError {
  declare readonly code: 'BUSY';
  constructor(what: string, options?: ErrorOptions) {
    super('BUSY', `Framesmith is busy with ${what}. Wait for some of it to finish, then try again.`, options);
  }
}

/** An expected error (never a BugError): something a person can act on. */
export function isFramesmithError(value: unknown): value is FramesmithError {
  return value instanceof FramesmithError;
}

export function isBugError(value: unknown): value is BugError {
  return value instanceof BugError;
}

/** True for our CancelledError and for the AbortError a signal raises. */
export function isCancellation(value: unknown): boolean {
  if (value instanceof CancelledError) return true;
  return value instanceof Error && value.name === 'AbortError';
}

/** The part of AbortSignal this layer needs (common/ has neither DOM nor Node types). */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

/** Throws CancelledError when the signal has fired. Call between frames and tiles. */
export function throwIfCancelled(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Any thrown value as a SerializedError; BugErrors and unknown values become BUG. */
export function serializeError(value: unknown): SerializedError {
  if (isFramesmithError(value) || isBugError(value)) return value.toJSON();
  if (isCancellation(value)) return new CancelledError().toJSON();
  const message = value instanceof Error ? value.message : String(value);
  const stack = value instanceof Error ? value.stack : undefined;
  return { code: 'BUG', userMessage: `Internal error: ${message}. Please report this.`, detail: stack ?? message };
}

/** A BugError rebuilt from its serialized shape keeps the original message and the far side's stack. */
class RemoteBugError extends BugError {
  override readonly userMessage: string;
  constructor(error: SerializedError) {
    super('', { detail: error.detail });
    this.userMessage = error.userMessage;
    this.message = error.userMessage;
  }
}

/** Rebuilds a thrown error from its serialized shape (after IPC or a worker): BUG as a BugError, the rest as FramesmithError. */
export function deserializeError(error: SerializedError): FramesmithError | BugError {
  if (error.code === 'BUG') return new RemoteBugError(error);
  if (error.code === 'CANCELLED') return new CancelledError({ detail: error.detail });
  return new FramesmithError(error.code, error.userMessage, { detail: error.detail, hint: error.hint });
}

/** The envelope every result takes across IPC and worker boundaries. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

/** A render-farm worker refuses a segment: its engine or a model differs from the job's. */
export class FarmMismatchError extends FramesmithError {
  declare readonly code: 'FARM_MISMATCH';
  constructor(worker: string, what: string, options?: ErrorOptions) {
    super('FARM_MISMATCH', `Worker ${worker} refuses this job: ${what}. Install the same engine version and models on every worker of the farm.`, options);
  }
}

/** A segment of a farm job failed on every try; the finished segments are kept for a later resume. */
export class FarmSegmentFailedError extends FramesmithError {
  declare readonly code: 'FARM_SEGMENT_FAILED';
  constructor(segment: number, attempts: number, reason: string, options?: ErrorOptions) {
    super('FARM_SEGMENT_FAILED', `Segment ${segment} failed ${attempts} times: ${reason}. The finished segments are kept: fix the cause, then resume the farm job to finish it.`, options);
  }
}

/** A farm job names files the workers cannot see: they lie outside the farm's shared folder. */
export class FarmNotSharedError extends FramesmithError {
  declare readonly code: 'FARM_NOT_SHARED';
  constructor(paths: readonly string[], sharedRoot: string, options?: ErrorOptions) {
    const named = paths.length === 1 ? `${paths[0]} is` : `${paths.slice(0, 3).join(', ')}${paths.length > 3 ? ` and ${paths.length - 3} more` : ''} are`;
    super('FARM_NOT_SHARED', `${named} not in the farm's shared folder ${sharedRoot}, where every worker reads its files. Move ${paths.length === 1 ? 'it' : 'them'} into the shared folder, or render on this machine instead of the farm.`, {
      hint: { field: 'renderOn', action: 'render-here' },
      ...options,
    });
  }
}
