// A bounded async queue joining two concurrent parts of the pipeline. The
// producer awaits push() when the queue is full, so a slow consumer holds
// back the producer (and through it ffmpeg's pipe) instead of growing memory.

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

export class BoundedQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private readonly pullers: Waiter<IteratorResult<T>>[] = [];
  private readonly pushers: (Waiter<void> & { item: T })[] = [];
  private closed = false;
  private failure: { reason: unknown } | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Expected a positive integer capacity but received ${capacity}`);
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** Resolves once the item is queued; waits while the queue is full. */
  push(item: T): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.reason);
    if (this.closed) return Promise.reject(new Error('push() after close()'));
    const puller = this.pullers.shift();
    if (puller) {
      puller.resolve({ value: item, done: false });
      return Promise.resolve();
    }
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => this.pushers.push({ item, resolve, reject }));
  }

  /** No more items: consumers finish after draining what is queued. */
  close(): void {
    this.closed = true;
    for (const puller of this.pullers.splice(0)) puller.resolve({ value: undefined, done: true });
  }

  /** Ends the queue with an error for both sides (e.g. the producer failed). */
  fail(reason: unknown): void {
    if (this.failure) return;
    this.failure = { reason };
    this.items.length = 0;
    for (const puller of this.pullers.splice(0)) puller.reject(reason);
    for (const pusher of this.pushers.splice(0)) pusher.reject(reason);
  }

  private pull(): Promise<IteratorResult<T>> {
    if (this.failure) return Promise.reject(this.failure.reason);
    if (this.items.length > 0) {
      const value = this.items.shift() as T;
      const pusher = this.pushers.shift();
      if (pusher) {
        this.items.push(pusher.item);
        pusher.resolve();
      }
      return Promise.resolve({ value, done: false });
    }
    const pusher = this.pushers.shift();
    if (pusher) {
      pusher.resolve();
      return Promise.resolve({ value: pusher.item, done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.pullers.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.pull(),
      return: () => {
        this.fail(new Error('consumer stopped'));
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

/**
 * Runs `source` on its own (as a concurrent task) into a bounded queue and
 * returns the queue as the downstream iterable. Errors in the source reach
 * the consumer; a consumer that stops early stops the source at its next push.
 */
export function buffered<T>(source: AsyncIterable<T>, capacity: number): AsyncIterable<T> {
  const queue = new BoundedQueue<T>(capacity);
  void (async () => {
    try {
      for await (const item of source) await queue.push(item);
      queue.close();
    } catch (error) {
      queue.fail(error);
    }
  })();
  return queue;
}
