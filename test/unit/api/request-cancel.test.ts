// A withdrawn request reaches the engine as an aborted signal on every path
// the page has: the WebSocket client's cancel frame, the preload's IPC
// cancel (through main's per-page signals and the engine link to the host,
// over a real MessageChannel), bridgeSignals across the context bridge, and
// a page that goes away. Also the bounded work queue behind heavy requests.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../common/errors.ts';
import { bridgeSignals, createClientApi, IPC_CANCEL_CHANNEL } from '../../../common/api/create-client.ts';
import { WsApiClient, type WebSocketLike } from '../../../common/api/ws-client.ts';
import { ApiDispatcher } from '../../../engine/api/api-dispatcher.ts';
import { WorkQueue } from '../../../engine/api/work-queue.ts';
import { EngineHostLink, serveHostRequests } from '../../../electron/engine-link.ts';
import { ipcTransport } from '../../../electron/ipc-transport.ts';
import { RequestSignals } from '../../../electron/request-signals.ts';

/** A dispatcher whose files:home waits until its signal fires, then reports it. */
function waitingDispatcher(seen: { aborted: number }): ApiDispatcher {
  return new ApiDispatcher({
    'files:home': (_request, { signal }) =>
      new Promise<string>((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          seen.aborted += 1;
          reject(new CancelledError());
        });
      }),
  });
}

describe('cancellation over the engine link', () => {
  it('aborts the host-side signal of a withdrawn request and answers CANCELLED at once', async () => {
    const channel = new MessageChannel();
    const seen = { aborted: 0 };
    const dispatcher = waitingDispatcher(seen);
    const lifetime = new AbortController();
    const receive = serveHostRequests({ dispatch: (name, request, context) => dispatcher.dispatch(name, request, context), subscribe: () => () => undefined }, (message) => channel.port2.postMessage(message), lifetime.signal);
    channel.port2.on('message', receive);
    const link = new EngineHostLink((message) => channel.port1.postMessage(message), () => undefined);
    channel.port1.on('message', (message) => link.receive(message));
    const controller = new AbortController();
    const answer = link.request('files:home', undefined, controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(link.pendingCount).toBe(1);
    controller.abort();
    expect(await answer).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(link.pendingCount).toBe(0);
    await expect.poll(() => seen.aborted).toBe(1);
    expect(await link.request('files:home', undefined, AbortSignal.abort())).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    channel.port1.close();
    channel.port2.close();
  });

  it('asks the host what a preview URL serves, and gets nothing once the host is gone', async () => {
    const channel = new MessageChannel();
    const receive = serveHostRequests(
      {
        dispatch: async () => ({ ok: true, value: null }),
        subscribe: () => () => undefined,
        previewAsset: (url) => (url.endsWith('.webm') ? { kind: 'file', path: '/cache/preview-clips/a.webm' } : url.endsWith('.png') ? { kind: 'png', bytes: new Uint8Array([137, 80]) } : null),
      },
      (message) => channel.port2.postMessage(message),
      new AbortController().signal,
    );
    channel.port2.on('message', receive);
    const link = new EngineHostLink((message) => channel.port1.postMessage(message), () => undefined);
    channel.port1.on('message', (message) => link.receive(message));
    expect(await link.previewAsset('framesmith-preview://clip/clip-aaaa1111.webm')).toEqual({ kind: 'file', path: '/cache/preview-clips/a.webm' });
    expect(await link.previewAsset('framesmith-preview://image/x.png')).toEqual({ kind: 'png', bytes: new Uint8Array([137, 80]) });
    expect(await link.previewAsset('framesmith-preview://other')).toBeNull();
    link.hostGone('test');
    expect(await link.previewAsset('framesmith-preview://clip/clip-aaaa1111.webm')).toBeNull();
    channel.port1.close();
    channel.port2.close();
  });
});

describe('cancellation from the page over IPC', () => {
  it('sends the request id with each invoke and withdraws it on the cancel channel; main aborts that request only', async () => {
    const signals = new RequestSignals();
    const sent: [string, unknown][] = [];
    const started: AbortSignal[] = [];
    const ipc = {
      invoke: async (_channel: string, _request: unknown, id: number) => {
        const signal = signals.begin(7, id);
        started.push(signal);
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        signals.end(7, id, signal);
        return { ok: false, error: { code: 'CANCELLED', userMessage: 'Cancelled.' } };
      },
      send: (channel: string, id: unknown) => {
        sent.push([channel, id]);
        signals.cancel(7, id);
      },
      on: () => undefined,
      removeListener: () => undefined,
    };
    const api = bridgeSignals(createClientApi(ipcTransport(ipc as never)));
    const controller = new AbortController();
    const first = api.preview.renderFrame({ input: '/a.mp4', steps: [], frameIndex: 0 }, { signal: controller.signal });
    const second = api.preview.renderFrame({ input: '/b.mp4', steps: [], frameIndex: 0 });
    await expect.poll(() => started.length).toBe(2);
    controller.abort();
    expect(await first).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(sent).toEqual([[IPC_CANCEL_CHANNEL, 1]]);
    expect(started.map((signal) => signal.aborted)).toEqual([true, false]);
    expect(signals.size).toBe(1);
    signals.cancelPage(7);
    expect(await second).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(signals.size).toBe(0);
    expect(await api.jobs.list(undefined, { signal: AbortSignal.abort() })).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });
});

describe('cancellation over the WebSocket client', () => {
  it('answers CANCELLED at once, sends a cancel frame for the id, and drops the late answer', async () => {
    const frames: unknown[] = [];
    const listeners = new Map<string, (event: never) => void>();
    const socket: WebSocketLike = {
      readyState: 1,
      send: (data) => frames.push(JSON.parse(data)),
      close: () => undefined,
      addEventListener: ((type: string, listener: (event: never) => void) => listeners.set(type, listener)) as WebSocketLike['addEventListener'],
    };
    const client = new WsApiClient({ url: 'ws://127.0.0.1:1/api?token=t', createSocket: () => socket });
    const opening = client.connect();
    listeners.get('open')?.(undefined as never);
    await opening;
    const controller = new AbortController();
    const answer = client.api.preview.probe({ path: '/a.mp4' }, { signal: controller.signal });
    await expect.poll(() => frames.length).toBe(1);
    controller.abort();
    expect(await answer).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(frames).toEqual([{ type: 'request', id: 1, channel: 'preview:probe', request: { path: '/a.mp4' } }, { type: 'cancel', id: 1 }]);
    listeners.get('message')?.({ data: JSON.stringify({ type: 'response', id: 1, result: { ok: true, value: null } }) } as never);
  });
});

describe('bounded work queue', () => {
  it('runs at most `concurrency` at once, refuses beyond `maxWaiting` with BUSY, and drops a waiting request whose signal fires', async () => {
    const queue = new WorkQueue({ name: 'tests', concurrency: 2, maxWaiting: 2 });
    const never = new AbortController().signal;
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const task = () => new Promise<string>((resolve) => {
      running += 1;
      peak = Math.max(peak, running);
      gates.push(() => {
        running -= 1;
        resolve('done');
      });
    });
    const first = queue.run(task, never);
    const second = queue.run(task, never);
    const waiting = new AbortController();
    const third = queue.run(task, waiting.signal);
    const fourth = queue.run(task, never);
    await expect(queue.run(task, never)).rejects.toMatchObject({ code: 'BUSY' });
    expect(queue.load).toEqual({ running: 2, waiting: 2 });
    waiting.abort();
    await expect(third).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(queue.load).toEqual({ running: 2, waiting: 1 });
    gates.shift()?.();
    await first;
    await expect.poll(() => gates.length).toBe(2);
    for (const open of gates.splice(0)) open();
    expect(await Promise.all([second, fourth])).toEqual(['done', 'done']);
    expect(peak).toBe(2);
    expect(queue.load).toEqual({ running: 0, waiting: 0 });
    await expect(queue.run(task, AbortSignal.abort())).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(() => new WorkQueue({ name: 'bad', concurrency: 0, maxWaiting: 1 })).toThrow(/Expected a whole number of at least 1 for concurrency but received 0/);
  });
});
