// One HTTP GET with two timeouts and cancellation, as an async stream of
// chunks. The response timeout bounds DNS, connect, TLS and the wait for the
// headers: a host that cannot be reached (no DNS, refused, filtered, a socket
// that accepts and stays silent) is told apart quickly and flagged
// `unreachable`, so callers can fail over to another host instead of
// retrying. The idle timeout then counts from the last byte received (a slow
// but moving download is fine, a stalled one is not). Errors are classified
// so the retry loop knows what is worth retrying: network faults, timeouts
// and 5xx, 408 and 429 are transient; other 4xx are not.
import { CancelledError, isCancellation } from '../../common/errors.ts';
import { sleep } from '../base/sleep.ts';

export class HttpAttemptError extends Error {
  constructor(
    message: string,
    /** Whether trying the same source again may help. */
    readonly transient: boolean,
    readonly status?: number,
    /** No HTTP answer came from the host at all (DNS, connect, TLS or response timeout). */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = 'HttpAttemptError';
  }
}

export interface HttpGetOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Abort when no byte of the body arrives for this long. */
  idleTimeoutMs: number;
  /** Abort when the response headers have not arrived this long after the start (default idleTimeoutMs). */
  responseTimeoutMs?: number;
}

/** The host part of a URL, for per-host bookkeeping and messages. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The body; iterate it once. */
  body: AsyncIterable<Uint8Array>;
  /** Stops the transfer (e.g. once the wanted tar entry is read). */
  abort(): void;
}

function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** GET `url`; rejects with CancelledError when `signal` fires and HttpAttemptError on faults. */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpResponse> {
  const { signal, idleTimeoutMs } = options;
  const responseTimeoutMs = options.responseTimeoutMs ?? idleTimeoutMs;
  if (signal?.aborted) throw new CancelledError();
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, ms);
  };
  const onAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const cleanup = (): void => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  const translate = (error: unknown, beforeHeaders: boolean): Error => {
    if (signal?.aborted) return new CancelledError({ cause: error });
    if (timedOut && beforeHeaders) return new HttpAttemptError(`no answer from ${hostOf(url)} within ${responseTimeoutMs} ms`, true, undefined, true);
    if (timedOut) return new HttpAttemptError(`no data for ${idleTimeoutMs} ms from ${url}`, true);
    if (error instanceof HttpAttemptError) return error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    if (beforeHeaders) return new HttpAttemptError(`no answer from ${hostOf(url)} (${why})`, true, undefined, true);
    return new HttpAttemptError(`${url}: ${why}`, true);
  };
  arm(responseTimeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { headers: options.headers, signal: controller.signal, redirect: 'follow' });
  } catch (error) {
    cleanup();
    throw translate(error, true);
  }
  if (!response.ok && response.status !== 206) {
    cleanup();
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 416) return { status: 416, headers: response.headers, body: (async function* empty() {})(), abort: () => undefined };
    throw new HttpAttemptError(`HTTP ${response.status} from ${url}`, isTransientStatus(response.status), response.status);
  }
  const reader = response.body?.getReader();
  async function* chunks(): AsyncGenerator<Uint8Array> {
    if (!reader) return;
    try {
      for (;;) {
        arm(idleTimeoutMs);
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = await reader.read();
        } catch (error) {
          throw translate(error, false);
        }
        if (next.done) return;
        yield next.value;
      }
    } finally {
      cleanup();
      reader.releaseLock();
    }
  }
  return {
    status: response.status,
    headers: response.headers,
    body: chunks(),
    abort: () => {
      cleanup();
      controller.abort();
    },
  };
}


export interface RetryPolicy {
  /** Attempts per source, first included. */
  attempts: number;
  /** Delay before the second attempt; doubles each time. */
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, backoffMs: 1000, maxBackoffMs: 15000 };

/** The delay before attempt `attempt` (1-based; attempt 1 has none). */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  if (attempt <= 1) return 0;
  return Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 2));
}

export interface RetryNotice {
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface RetryLoopOptions {
  retry: RetryPolicy;
  signal?: AbortSignal;
  /** Give up on an unreachable host at once (another host may serve the file). */
  failFastUnreachable?: boolean;
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * Runs `attempt` until it succeeds, waiting with exponential backoff between
 * tries. Cancellation ends at once (as CancelledError); errors that
 * `asAttemptError` does not turn into a transient HttpAttemptError are
 * rethrown; after the last try the last error is thrown.
 */
export async function withRetries<T>(
  options: RetryLoopOptions,
  attempt: () => Promise<T>,
  asAttemptError: (error: unknown) => HttpAttemptError | undefined = (error) => (error instanceof HttpAttemptError ? error : undefined),
): Promise<T> {
  let lastError: unknown;
  for (let tries = 1; tries <= options.retry.attempts; tries += 1) {
    const delayMs = backoffDelay(options.retry, tries);
    if (delayMs > 0) {
      options.onRetry?.({ attempt: tries, delayMs, reason: lastError instanceof Error ? lastError.message : String(lastError) });
      await sleep(delayMs, options.signal);
    }
    try {
      return await attempt();
    } catch (error) {
      if (isCancellation(error) || options.signal?.aborted) throw error instanceof CancelledError ? error : new CancelledError({ cause: error });
      const attemptError = asAttemptError(error);
      if (!attemptError || !attemptError.transient) throw error;
      if (attemptError.unreachable && options.failFastUnreachable) throw attemptError;
      lastError = attemptError;
    }
  }
  throw lastError;
}
