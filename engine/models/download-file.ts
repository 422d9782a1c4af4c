// Resumable download of one URL into a `.partial` file. A partial that is
// already there is continued with an HTTP Range request (a server that
// answers 200 instead of 206 makes it start over). This module never decides
// that the bytes are right: the caller verifies the partial and only then
// renames it into place, so nothing unverified ever carries a final name.
import { open, stat, truncate } from 'node:fs/promises';
import { HttpAttemptError, httpGet, withRetries, type RetryNotice, type RetryPolicy } from './download-http.ts';

export type { RetryNotice } from './download-http.ts';

export interface TransferProgress {
  bytesDone: number;
  /** null when the server did not say. */
  bytesTotal: number | null;
}

export interface DownloadToPartialOptions {
  signal?: AbortSignal;
  idleTimeoutMs: number;
  /** Bound on the wait for the response headers (see httpGet). */
  responseTimeoutMs?: number;
  retry: RetryPolicy;
  /** Give up at once, without retries, when the host gives no HTTP answer (another host can serve the file). */
  failFastUnreachable?: boolean;
  /** Known size of the file, used for progress when the server does not send one. */
  expectedSize?: number;
  onProgress?: (progress: TransferProgress) => void;
  onRetry?: (notice: RetryNotice) => void;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** Total size from a 206's Content-Range ("bytes a-b/total") or a 200's Content-Length. */
function totalFrom(headers: Headers, status: number, offset: number): number | null {
  if (status === 206) {
    const match = /\/(\d+)\s*$/.exec(headers.get('content-range') ?? '');
    return match ? Number(match[1]) : null;
  }
  const length = headers.get('content-length');
  return length === null ? null : Number(length) + (status === 206 ? offset : 0);
}

async function attemptOnce(url: string, partial: string, options: DownloadToPartialOptions): Promise<void> {
  let offset = await sizeOf(partial);
  if (options.expectedSize !== undefined && offset > options.expectedSize) {
    await truncate(partial, 0);
    offset = 0;
  }
  if (options.expectedSize !== undefined && offset === options.expectedSize && offset > 0) return;
  const response = await httpGet(url, {
    headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
    signal: options.signal,
    idleTimeoutMs: options.idleTimeoutMs,
    responseTimeoutMs: options.responseTimeoutMs,
  });
  // 416: nothing past `offset`; the partial is as long as the file (the verification will judge it).
  if (response.status === 416) return;
  if (response.status !== 206) offset = 0;
  const total = totalFrom(response.headers, response.status, offset) ?? options.expectedSize ?? null;
  const handle = await open(partial, offset > 0 ? 'a' : 'w');
  let done = offset;
  try {
    options.onProgress?.({ bytesDone: done, bytesTotal: total });
    for await (const chunk of response.body) {
      await handle.write(chunk);
      done += chunk.byteLength;
      options.onProgress?.({ bytesDone: done, bytesTotal: total });
    }
  } finally {
    await handle.close();
  }
  if (total !== null && done < total) {
    throw new HttpAttemptError(`connection closed after ${done} of ${total} bytes from ${url}`, true);
  }
}

/**
 * Downloads `url` into `partial`, resuming what is there, retrying transient
 * faults with exponential backoff. Throws CancelledError (the partial stays,
 * to resume later) or the last HttpAttemptError.
 */
export async function downloadToPartial(url: string, partial: string, options: DownloadToPartialOptions): Promise<void> {
  await withRetries(options, () => attemptOnce(url, partial, options));
}
