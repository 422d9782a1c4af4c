import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../common/errors.ts';
import { sleep } from '../../../engine/base/sleep.ts';

describe('sleep', () => {
  it('resolves after the wait, with or without a signal', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
    await expect(sleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });

  it('rejects with CancelledError at once for a signal that has fired', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sleep(60_000, controller.signal)).rejects.toBeInstanceOf(CancelledError);
  });

  it('rejects with CancelledError when the signal fires during the wait, before the timer', async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    let settled = false;
    void waiting.then(() => { settled = true; }, () => { settled = true; });
    await Promise.resolve();
    expect(settled).toBe(false);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(CancelledError);
  });
});
