// Pausing a running job between frames: the consumer awaits `wait()` before
// each frame it writes, and the bounded queues behind it hold the frames in
// flight, so nothing is dropped or repeated while paused.
import { CancelledError } from '../../common/errors.ts';

export class PauseGate {
  private paused = false;
  private waiters: (() => void)[] = [];

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at once when open, else when resumed; throws CancelledError when the signal fires. */
  async wait(signal: AbortSignal): Promise<void> {
    if (!this.paused) return;
    if (signal.aborted) throw new CancelledError();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        reject(new CancelledError());
      };
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiters.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
