// The message protocol between the Electron main process and the engine host
// (a utility process), as plain functions over a `send` callback so it can be
// tested without Electron: main keeps requests pending by id and fans events
// out; the host answers each request through its dispatcher. When the host
// dies, every pending request answers CONNECTION_LOST instead of hanging.
// A request main withdraws (the page cancelled it, or the page went away)
// answers CANCELLED at once and sends a cancel message, which aborts that
// request's signal in the host, so its engine work stops. Main also asks the
// host what lies behind a preview URL (framesmith-preview://...): the host
// named it, so only the host knows its file or bytes.
import type { Unsubscribe } from '../common/api/api-types.ts';
import { EVENT_CHANNELS, type ApiEventGroup, type EventChannel } from '../common/api/contract.ts';
import { CancelledError, ConnectionLostError, serializeError, type Result, type SerializedError } from '../common/errors.ts';

export type MainToHost =
  | { type: 'request'; id: number; channel: string; request: unknown }
  | { type: 'cancel'; id: number }
  | { type: 'preview-asset'; id: number; url: string };

/** What a preview URL serves: a file (clips; byte ranges come from the file protocol), PNG bytes (frame previews), or nothing. */
export type PreviewAsset = { kind: 'file'; path: string } | { kind: 'png'; bytes: Uint8Array } | null;

export type HostToMain =
  | { type: 'response'; id: number; result: Result<unknown> }
  | { type: 'preview-asset'; id: number; asset: PreviewAsset }
  | { type: 'event'; channel: EventChannel; event: unknown }
  | { type: 'ready' }
  | { type: 'fatal'; error: SerializedError };

/** What the host needs of the engine side (an ApiDispatcher and the AppService). */
export interface HostBackend {
  dispatch(channel: unknown, request: unknown, context: { signal: AbortSignal }): Promise<Result<unknown>>;
  subscribe(group: ApiEventGroup, listener: (event: unknown) => void): Unsubscribe;
  /** What a preview URL the host handed out serves (see PreviewAsset). */
  previewAsset?(url: string): PreviewAsset;
}

/** Main's end: requests out, answers and events in. */
export class EngineHostLink {
  private nextId = 1;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private readonly assets = new Map<number, (asset: PreviewAsset) => void>();
  private closed = false;

  constructor(
    private readonly send: (message: MainToHost) => void,
    private readonly onEvent: (channel: EventChannel, event: unknown) => void,
  ) {}

  /** One request; when `signal` fires it answers CANCELLED at once and the host aborts the request's work. */
  request(channel: string, request: unknown, signal?: AbortSignal): Promise<Result<unknown>> {
    if (this.closed) return Promise.resolve({ ok: false, error: new ConnectionLostError('the Framesmith engine').toJSON() });
    if (signal?.aborted) return Promise.resolve({ ok: false, error: new CancelledError().toJSON() });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const onAbort = (): void => {
        if (!this.pending.delete(id)) return;
        this.trySend({ type: 'cancel', id });
        resolve({ ok: false, error: new CancelledError().toJSON() });
      };
      this.pending.set(id, (result) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.send({ type: 'request', id, channel, request });
      } catch (error) {
        this.pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        resolve({ ok: false, error: serializeError(error) });
      }
    });
  }

  /** What the host serves at a preview URL; null when it knows none (or is gone). */
  previewAsset(url: string): Promise<PreviewAsset> {
    if (this.closed) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.assets.set(id, resolve);
      if (!this.trySend({ type: 'preview-asset', id, url })) {
        this.assets.delete(id);
        resolve(null);
      }
    });
  }

  private trySend(message: MainToHost): boolean {
    try {
      this.send(message);
      return true;
    } catch {
      return false;
    }
  }

  /** Feed every message from the host here. */
  receive(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const frame = message as HostToMain;
    if (frame.type === 'response') {
      const settle = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      settle?.(frame.result);
    } else if (frame.type === 'preview-asset') {
      const settle = this.assets.get(frame.id);
      this.assets.delete(frame.id);
      settle?.(frame.asset ?? null);
    } else if (frame.type === 'event' && (Object.values(EVENT_CHANNELS) as string[]).includes(frame.channel)) {
      this.onEvent(frame.channel, frame.event);
    }
  }

  /** The host exited: pending requests fail, later ones fail at once. */
  hostGone(reason: string): void {
    this.closed = true;
    const error = new ConnectionLostError(`the Framesmith engine (${reason})`).toJSON();
    for (const settle of this.pending.values()) settle({ ok: false, error });
    this.pending.clear();
    for (const settle of this.assets.values()) settle(null);
    this.assets.clear();
  }

  get pendingCount(): number {
    return this.pending.size;
  }
}

/** The host's end: answers requests through the backend and forwards its events. Returns the function to feed messages to. */
export function serveHostRequests(backend: HostBackend, send: (message: HostToMain) => void, signal: AbortSignal): (message: unknown) => void {
  for (const group of Object.keys(EVENT_CHANNELS) as ApiEventGroup[]) {
    const unsubscribe = backend.subscribe(group, (event) => send({ type: 'event', channel: EVENT_CHANNELS[group], event }));
    signal.addEventListener('abort', unsubscribe, { once: true });
  }
  const inFlight = new Map<number, AbortController>();
  return (message: unknown) => {
    if (typeof message !== 'object' || message === null) return;
    const frame = message as MainToHost;
    if (typeof frame.id !== 'number') return;
    const { id } = frame;
    if (frame.type === 'cancel') {
      inFlight.get(id)?.abort();
    } else if (frame.type === 'preview-asset') {
      send({ type: 'preview-asset', id, asset: typeof frame.url === 'string' ? (backend.previewAsset?.(frame.url) ?? null) : null });
    } else if (frame.type === 'request') {
      const controller = new AbortController();
      inFlight.set(id, controller);
      void backend
        .dispatch(frame.channel, frame.request, { signal: AbortSignal.any([signal, controller.signal]) })
        .then((result) => send({ type: 'response', id, result }))
        .finally(() => inFlight.delete(id));
    }
  };
}
