// Builds a FramesmithApi over any transport that can send one request and
// subscribe to one event channel. The preload and the WebSocket client both
// use it, so the object the renderer sees is the same everywhere: named
// methods only, no generic invoke.
import type { Result } from '../errors.ts';
import type { Unsubscribe } from './api-types.ts';
import type { FramesmithApi } from './client-api.ts';
import { apiContract, EVENT_CHANNELS, type ApiEventGroup, type EventChannel } from './contract.ts';

export interface ApiTransport {
  request(channel: string, request: unknown): Promise<Result<unknown>>;
  subscribe(channel: EventChannel, listener: (event: unknown) => void): Unsubscribe;
}

export function createClientApi(transport: ApiTransport): FramesmithApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const [group, methods] of Object.entries(apiContract)) {
    const target: Record<string, unknown> = {};
    for (const [name, entry] of Object.entries(methods)) {
      const channel = entry.channel;
      target[name] = (request?: unknown) => transport.request(channel, request);
    }
    if (group in EVENT_CHANNELS) {
      const channel = EVENT_CHANNELS[group as ApiEventGroup];
      target.onEvent = (listener: (event: unknown) => void): Unsubscribe => {
        if (typeof listener !== 'function') throw new TypeError(`${group}.onEvent expects a function`);
        return transport.subscribe(channel, listener);
      };
    }
    api[group] = Object.freeze(target);
  }
  api.app = Object.freeze({
    onEvent: (listener: (event: unknown) => void): Unsubscribe => {
      if (typeof listener !== 'function') throw new TypeError('app.onEvent expects a function');
      return transport.subscribe(EVENT_CHANNELS.app, listener);
    },
  });
  return Object.freeze(api) as unknown as FramesmithApi;
}

/** The value of a Result, or throws an Error carrying `code` and any `hint` (for code that prefers exceptions). */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw Object.assign(new Error(result.error.userMessage), { code: result.error.code, detail: result.error.detail, hint: result.error.hint });
}
