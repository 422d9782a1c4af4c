// One browser page's WebSocket to `framesmith serve`: request frames go to
// the ApiDispatcher, each with its own AbortSignal, which a cancel frame for
// its id or the socket's close fires (so a closed page stops its preview
// render); subscribe frames forward one event group. Frames that are not
// JSON or not a frame close the socket with the matching code, a frame over
// MAX_CLIENT_FRAME_BYTES closes it with 1009 (ws enforces maxPayload), and a
// socket error is logged as the client's trouble. An exception from our own
// code while answering is logged as a bug and answered as one: a bad
// connection never ends the process.
import type { WebSocket } from 'ws';
import type { Unsubscribe } from '../common/api/api-types.ts';
import { EVENT_CHANNELS, type ApiEventGroup, type EventChannel } from '../common/api/contract.ts';
import { describeIssues } from '../common/zod-issues.ts';
import { clientFrameSchema, type ServerFrame } from '../common/api/ws-protocol.ts';
import { BusyError, InvalidArgumentError, serializeError, type Result } from '../common/errors.ts';
import type { ApiDispatcher } from '../engine/index.ts';
import type { ServerLog } from './server-log.ts';

export interface ApiEventSource {
  subscribe<G extends ApiEventGroup>(group: G, listener: (event: unknown) => void): Unsubscribe;
}

export interface ApiSocketOptions {
  dispatcher: ApiDispatcher;
  events: ApiEventSource;
  log: ServerLog;
  /** Requests one socket may have in flight (default 1024); more answer BUSY. */
  maxInFlight?: number;
}

function groupOfChannel(channel: EventChannel): ApiEventGroup {
  return (Object.keys(EVENT_CHANNELS) as ApiEventGroup[]).find((group) => EVENT_CHANNELS[group] === channel) as ApiEventGroup;
}

function frameId(raw: unknown): number | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/** Serves one accepted socket until it closes. */
export function serveApiSocket(ws: WebSocket, options: ApiSocketOptions): void {
  const { dispatcher, events, log } = options;
  const maxInFlight = options.maxInFlight ?? 1024;
  const page = new AbortController();
  const inFlight = new Map<number, AbortController>();
  const subscriptions = new Map<EventChannel, Unsubscribe>();

  const send = (frame: ServerFrame): void => {
    if (ws.readyState !== ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(frame);
    } catch (error) {
      log.bug('encoding an answer', error);
      if (frame.type !== 'response') return;
      text = JSON.stringify({ type: 'response', id: frame.id, result: { ok: false, error: serializeError(error) } } satisfies ServerFrame);
    }
    ws.send(text, (error) => {
      if (error) log.connection('a send failed', error);
    });
  };
  const answer = (id: number, result: Result<unknown>): void => send({ type: 'response', id, result });

  const request = (id: number, channel: string, body: unknown): void => {
    if (inFlight.has(id)) {
      answer(id, { ok: false, error: new InvalidArgumentError(`Request id ${id} is still in flight on this connection; use a fresh id for each request.`).toJSON() });
      return;
    }
    if (inFlight.size >= maxInFlight) {
      answer(id, { ok: false, error: new BusyError(`${inFlight.size} requests from this page`).toJSON() });
      return;
    }
    const controller = new AbortController();
    inFlight.set(id, controller);
    const signal = AbortSignal.any([page.signal, controller.signal]);
    void dispatcher
      .dispatch(channel, body, { signal })
      .then((result) => {
        if (!result.ok && result.error.code === 'BUG') log.bug(`answering ${channel}`, result.error.detail ?? result.error.userMessage);
        answer(id, result);
      })
      .catch((error: unknown) => {
        log.bug(`answering ${channel}`, error);
        answer(id, { ok: false, error: serializeError(error) });
      })
      .finally(() => inFlight.delete(id));
  };

  const receive = (data: unknown, isBinary: boolean): void => {
    if (isBinary) {
      ws.close(1003, 'text frames only');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(String(data));
    } catch {
      ws.close(1007, 'frames are JSON');
      return;
    }
    const parsed = clientFrameSchema.safeParse(raw);
    if (!parsed.success) {
      const id = frameId(raw);
      if (id === undefined) ws.close(1008, 'malformed frame');
      else answer(id, { ok: false, error: new InvalidArgumentError(`Malformed request frame: ${describeIssues(parsed.error)}.`).toJSON() });
      return;
    }
    const frame = parsed.data;
    switch (frame.type) {
      case 'request':
        request(frame.id, frame.channel, frame.request);
        return;
      case 'cancel':
        inFlight.get(frame.id)?.abort();
        return;
      case 'subscribe':
        if (!subscriptions.has(frame.channel)) {
          const channel = frame.channel;
          subscriptions.set(channel, events.subscribe(groupOfChannel(channel), (event) => send({ type: 'event', channel, event })));
        }
        return;
      case 'unsubscribe':
        subscriptions.get(frame.channel)?.();
        subscriptions.delete(frame.channel);
    }
  };

  ws.on('message', (data, isBinary) => {
    try {
      receive(data, isBinary);
    } catch (error) {
      log.bug('reading a frame', error);
      ws.close(1011, 'internal error');
    }
  });
  ws.on('error', (error) => log.connection('closed a WebSocket', error));
  ws.on('close', () => {
    page.abort();
    inFlight.clear();
    for (const unsubscribe of subscriptions.values()) unsubscribe();
    subscriptions.clear();
  });
}
