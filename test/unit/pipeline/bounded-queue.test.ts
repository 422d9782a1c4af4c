import { describe, expect, it } from 'vitest';
import { BoundedQueue, buffered } from '../../../engine/pipeline/bounded-queue.ts';

async function* counter(limit: number, produced: number[]): AsyncGenerator<number> {
  for (let i = 0; i < limit; i += 1) {
    produced.push(i);
    yield i;
  }
}

describe('BoundedQueue', () => {
  it('delivers every item in order and ends after close', async () => {
    const queue = new BoundedQueue<number>(2);
    const pushing = (async () => {
      for (let i = 0; i < 10; i += 1) await queue.push(i);
      queue.close();
    })();
    const received: number[] = [];
    for await (const item of queue) received.push(item);
    await pushing;
    expect(received).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('holds the producer back while the consumer is slow', async () => {
    const produced: number[] = [];
    const stream = buffered(counter(100, produced), 3);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // One item taken, three queued, one waiting in push(): never the whole source.
    expect(produced.length).toBeLessThanOrEqual(5);
    await iterator.return?.();
  });

  it('passes a producer error to the consumer', async () => {
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error('decoder broke');
    }
    const received: number[] = [];
    await expect(async () => {
      for await (const item of buffered(failing(), 2)) received.push(item);
    }).rejects.toThrow('decoder broke');
    expect(received).toEqual([1]);
  });

  it('stops the producer when the consumer leaves early', async () => {
    let finalized = false;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let i = 0; ; i += 1) yield i;
      } finally {
        finalized = true;
      }
    }
    for await (const item of buffered(endless(), 2)) {
      if (item === 3) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(finalized).toBe(true);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new BoundedQueue(0)).toThrow(/positive integer capacity but received 0/);
  });
});
