// A wait that a signal can cut short, for polling loops and retry back-offs:
// cancelling a job or a download must not wait out a timer.
import { CancelledError } from '../../common/errors.ts';

/** Waits `ms`, or rejects with CancelledError at once when the signal has fired or fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
