// A bounded queue for the API's heavy requests (probing, frame and clip
// previews): at most `concurrency` run at once, at most `maxWaiting` wait,
// and beyond that a request is refused with BusyError before anything
// starts. Without it, 300 preview:probe requests from one page start 300
// ffprobe processes. A waiting request whose signal fires leaves the queue at
// once (a closed page frees its place); a running one gets the signal.
import { BusyError, CancelledError, InvalidArgumentError } from '../../common/errors.ts';

export interface WorkQueueOptions {
  /** What the queue runs, for the busy message ("previews and probes"). */
  name: string;
  concurrency: number;
  maxWaiting: number;
}

interface Waiting {
  start(): void;
}

export class WorkQueue {
  private running = 0;
  private readonly waiting: Waiting[] = [];

  constructor(private readonly options: WorkQueueOptions) {
    for (const key of ['concurrency', 'maxWaiting'] as const) {
      const value = options[key];
      if (!Number.isInteger(value) || value < (key === 'concurrency' ? 1 : 0)) {
        throw new InvalidArgumentError(`Expected a whole number ${key === 'concurrency' ? 'of at least 1' : 'of at least 0'} for ${key} but received ${value}.`);
      }
    }
  }

  /** Requests running now and waiting now (for tests and logs). */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  /** Runs `task` when a place is free; rejects with BusyError when the queue is full and CancelledError when `signal` fires first. */
  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) throw new CancelledError();
    if (this.running >= this.options.concurrency) {
      if (this.waiting.length >= this.options.maxWaiting) throw new BusyError(`${this.options.name} (${this.running} running, ${this.waiting.length} waiting)`);
      await new Promise<void>((resolve, reject) => {
        const entry: Waiting = {
          start: () => {
            signal.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = (): void => {
          const at = this.waiting.indexOf(entry);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(new CancelledError());
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(entry);
      });
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next.start();
      else this.running -= 1;
    }
  }
}
