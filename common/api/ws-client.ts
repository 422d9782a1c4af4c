// FramesmithApi over a WebSocket to `framesmith serve`, for the renderer in a
// plain browser. Runs in the browser (no Node imports); tests pass a `ws`
// socket through `createSocket`. Requests still pending when the socket
// closes answer CONNECTION_LOST; subscriptions are re-sent after reconnect().
// A withdrawn request (its signal fired) answers CANCELLED at once and sends
// a cancel frame, so the server stops its work; a late answer is dropped.
import { CancelledError, ConnectionLostError, InvalidArgumentError, type Result } from '../errors.ts';
import type { Unsubscribe } from './api-types.ts';
import type { FramesmithApi } from './client-api.ts';
import { createClientApi, type CancelHook } from './create-client.ts';
import type { EventChannel } from './contract.ts';
import { WS_PATH, type ClientFrame, type ServerFrame } from './ws-protocol.ts';

/** The part of the browser WebSocket this client uses (the `ws` package fits too). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

export interface WsClientOptions {
  /** ws:// or wss:// URL of the API endpoint, token included (see apiUrlFromPage). */
  url: string;
  createSocket?: (url: string) => WebSocketLike;
}

const OPEN = 1;

/** The API endpoint for a page served by `framesmith serve` (pass window.location; its URL carries ?token=...). */
export function apiUrlFromPage(page: { protocol: string; host: string; search: string }): string {
  const match = /[?&]token=([^&#]*)/.exec(page.search);
  const token = match?.[1] ? decodeURIComponent(match[1]) : '';
  if (!token) throw new InvalidArgumentError('This page was opened without its access token. Open the URL that "framesmith serve" printed (it ends in ?token=...).');
  const protocol = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${page.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
}

function defaultSocket(url: string): WebSocketLike {
  const Ctor = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!Ctor) throw new InvalidArgumentError('This environment has no WebSocket; pass createSocket.');
  return new Ctor(url);
}

export class WsApiClient {
  readonly api: FramesmithApi;
  private socket: WebSocketLike | undefined;
  private opened: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, (result: Result<unknown>) => void>();
  private readonly listeners = new Map<EventChannel, Set<(event: unknown) => void>>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private disposed = false;

  constructor(private readonly options: WsClientOptions) {
    this.api = createClientApi({
      request: (channel, request, cancel) => this.request(channel, request, cancel),
      subscribe: (channel, listener) => this.subscribe(channel, listener),
    });
  }

  /** Opens the socket (once); later calls wait for the same opening. */
  connect(): Promise<void> {
    if (this.disposed) return Promise.reject(new ConnectionLostError('Framesmith (the client was closed)'));
    this.opened ??= new Promise<void>((resolve, reject) => {
      const socket = (this.options.createSocket ?? defaultSocket)(this.options.url);
      this.socket = socket;
      let isOpen = false;
      socket.addEventListener('open', () => {
        isOpen = true;
        for (const channel of this.listeners.keys()) this.send({ type: 'subscribe', channel });
        for (const listener of this.connectionListeners) listener(true);
        resolve();
      });
      socket.addEventListener('message', (event) => this.receive(event.data));
      socket.addEventListener('error', () => {
        if (!isOpen) reject(new ConnectionLostError('the Framesmith server (refused: is the token right and the server running?)'));
      });
      socket.addEventListener('close', (event) => {
        this.opened = undefined;
        this.socket = undefined;
        if (!isOpen) reject(new ConnectionLostError(`the Framesmith server (closed with code ${event.code}${event.reason ? `: ${event.reason}` : ''})`));
        const lost = new ConnectionLostError('the Framesmith server').toJSON();
        for (const settle of this.pending.values()) settle({ ok: false, error: lost });
        this.pending.clear();
        for (const listener of this.connectionListeners) listener(false);
      });
    });
    return this.opened;
  }

  /** Called with true on (re)connection and false when the socket closes. */
  onConnectionChange(listener: (connected: boolean) => void): Unsubscribe {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private send(frame: ClientFrame): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(frame));
  }

  private async request(channel: string, request: unknown, cancel?: CancelHook): Promise<Result<unknown>> {
    try {
      await this.connect();
    } catch (error) {
      return { ok: false, error: error instanceof ConnectionLostError ? error.toJSON() : new ConnectionLostError('the Framesmith server').toJSON() };
    }
    const id = this.nextId++;
    return new Promise<Result<unknown>>((resolve) => {
      this.pending.set(id, resolve);
      this.send({ type: 'request', id, channel, request });
      cancel?.(() => {
        if (!this.pending.delete(id)) return;
        this.send({ type: 'cancel', id });
        resolve({ ok: false, error: new CancelledError().toJSON() });
      });
    });
  }

  private subscribe(channel: EventChannel, listener: (event: unknown) => void): Unsubscribe {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      this.send({ type: 'subscribe', channel });
      void this.connect().catch(() => undefined);
    }
    set.add(listener);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const current = this.listeners.get(channel);
      current?.delete(listener);
      if (current && current.size === 0) {
        this.listeners.delete(channel);
        this.send({ type: 'unsubscribe', channel });
      }
    };
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string' && !(typeof data === 'object' && data !== null && 'toString' in data)) return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return;
    }
    if (frame.type === 'response') {
      const settle = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      settle?.(frame.result);
    } else if (frame.type === 'event') {
      for (const listener of this.listeners.get(frame.channel as EventChannel) ?? []) listener(frame.event);
    }
  }

  /** Closes the socket; pending requests answer CONNECTION_LOST. */
  dispose(): void {
    this.disposed = true;
    this.socket?.close(1000, 'client closed');
  }
}
