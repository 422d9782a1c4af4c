// The message protocol between the Electron main process and the engine host
// (a utility process), as plain functions over a `send` callback so it can be
// tested without Electron: main keeps requests pending by id and fans events
// out; the host answers each request through its dispatcher. When the host
// dies, every pending request answers CONNECTION_LOST instead of hanging.
import type { Unsubscribe } from '../common/api/api-types.ts';
import { EVENT_CHANNELS, type ApiEventGroup, type EventChannel } from '../common/api/contract.ts';
import { ConnectionLostError, serializeError, type Result, type SerializedError } from '../common/errors.ts';

export type MainToHost = { type: 'request'; id: number; channel: string; request: unknown };

export type HostToMain =
  | { type: 'response'; id: number; result: Result<unknown> }
  | { type: 'event'; channel: EventChannel; event: unknown }
  | { type: 'ready' }
  | { type: 'fatal'; error: SerializedError };

/** What the host needs of the engine side (an ApiDispatcher and the AppService). */
export interface HostBackend {
  dispatch(channel: unknown, request: unknown, context: { signal: AbortSignal }): Promise<Result<unknown>>;
  subscribe(group: ApiEventGroup, listener: (event: unknown) => void): Unsubscribe;
}

/** Main's end: requests out, answers and events in. */
export class EngineHostLink {
  private nextId = 1;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private closed = false;

  constructor(
    private readonly send: (message: MainToHost) => void,
    private readonly onEvent: (channel: EventChannel, event: unknown) => void,
  ) {}

  request(channel: string, request: unknown): Promise<Result<unknown>> {
    if (this.closed) return Promise.resolve({ ok: false, error: new ConnectionLostError('the Framesmith engine').toJSON() });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      try {
        this.send({ type: 'request', id, channel, request });
      } catch (error) {
        this.pending.delete(id);
        resolve({ ok: false, error: serializeError(error) });
      }
    });
  }

  /** Feed every message from the host here. */
  receive(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const frame = message as HostToMain;
    if (frame.type === 'response') {
      const settle = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      settle?.(frame.result);
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
  return (message: unknown) => {
    if (typeof message !== 'object' || message === null || (message as MainToHost).type !== 'request') return;
    const { id, channel, request } = message as MainToHost;
    if (typeof id !== 'number') return;
    void backend.dispatch(channel, request, { signal }).then((result) => send({ type: 'response', id, result }));
  };
}
