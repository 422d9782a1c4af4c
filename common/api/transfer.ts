// Files in and out of `framesmith serve` over plain HTTP, beside the
// WebSocket API: a browser on another computer uploads its inputs (streamed,
// with progress) and downloads every output (with byte ranges, so a <video>
// seeks). The routes and limits live here so the server (cli/transfer-routes.ts)
// and the page agree on them; both check them.

/** POST <route>?name=<file name>: the body is the file's bytes. */
export const UPLOAD_ROUTE = '/uploads';
/** GET <route><jobId>/<itemIndex>/<'output'|'input'>: a job's file, inline or (with ?download=1) as an attachment. */
export const JOB_FILE_ROUTE = '/job-files/';
/** Sent with every upload: a cross-site form cannot set it, so a page elsewhere cannot upload. */
export const UPLOAD_HEADER = 'x-framesmith-upload';
/** Largest upload the server takes by default (bytes). */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 ** 3;
/** Longest upload file name, in characters. */
export const MAX_UPLOAD_NAME = 200;

/** What a finished upload answers (JSON, status 201). */
export interface UploadAnswer {
  /** The file on the server, ready to be a job's input. */
  path: string;
  sizeBytes: number;
}

/** What a refused upload or download answers (JSON, status 4xx/5xx). */
export interface TransferRefusal {
  code: 'UPLOAD_TOO_LARGE' | 'UPLOAD_BAD_NAME' | 'UPLOAD_NO_SPACE' | 'UPLOAD_INCOMPLETE' | 'UPLOAD_FORBIDDEN' | 'NOT_FOUND';
  userMessage: string;
}

export type JobFileRole = 'output' | 'input';

/** The URL of a job's input or output under `framesmith serve`. */
export function jobFileUrl(jobId: string, itemIndex: number, role: JobFileRole, download = false): string {
  return `${JOB_FILE_ROUTE}${encodeURIComponent(jobId)}/${itemIndex}/${role}${download ? '?download=1' : ''}`;
}

/** A file name an upload may carry: no folders, no control characters, not hidden, at most MAX_UPLOAD_NAME characters. Answers why not, or null. */
export function uploadNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > MAX_UPLOAD_NAME) return `a file name of 1 to ${MAX_UPLOAD_NAME} characters`;
  if (/[/\\]/.test(name) || [...name].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f)) return 'a file name without folders or control characters';
  if (name.startsWith('.')) return 'a file name that does not start with a dot';
  return null;
}
