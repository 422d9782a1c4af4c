// Builds a FramesmithApi over any transport that can send one request and
// subscribe to one event channel. The preload and the WebSocket client both
// use it, so the object the renderer sees is the same everywhere: named
// methods only, no generic invoke.
//
// Every method takes an optional second argument, `{ signal }`: when the
// signal fires, the transport withdraws the request (a cancel frame on the
// WebSocket, a cancel message over Electron IPC), the engine's work for it
// stops, and the method answers CANCELLED. An AbortSignal cannot cross
// Electron's context bridge (class instances lose their methods there), but
// a function can: bridgeSignals() turns `{ signal }` into `{ onCancel }` on
// the page's side, and the preload's client accepts either.
import { CancelledError, type Result } from '../errors.ts';
import type { Unsubscribe } from './api-types.ts';
import type { FramesmithApi } from './client-api.ts';
import { apiContract, EVENT_CHANNELS, type ApiEventGroup, type EventChannel } from './contract.ts';

/** The Electron IPC message that withdraws a request, by the id its invoke carried. */
export const IPC_CANCEL_CHANNEL = 'api:cancel';

/** The part of AbortSignal a request needs (common/ has no DOM or Node types; an AbortSignal fits). */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Registers the function to call (once) when the caller withdraws its request. */
export type CancelHook = (onCancel: () => void) => void;

export interface RequestOptions {
  /** Withdraws the request when it fires. */
  signal?: CancelSignal;
}

/** What crosses Electron's context bridge in place of a signal (see bridgeSignals). */
interface BridgedOptions {
  onCancel?: CancelHook;
}

export interface ApiTransport {
  /** Sends one request; `cancel`, when given, tells the transport when the caller withdraws it. */
  request(channel: string, request: unknown, cancel?: CancelHook): Promise<Result<unknown>>;
  subscribe(channel: EventChannel, listener: (event: unknown) => void): Unsubscribe;
}

function isSignal(value: unknown): value is CancelSignal {
  return typeof value === 'object' && value !== null && typeof (value as CancelSignal).addEventListener === 'function' && typeof (value as CancelSignal).aborted === 'boolean';
}

/** The hook of a signal: calls back at once when it already fired. */
export function cancelHookOf(signal: CancelSignal): CancelHook {
  return (onCancel) => {
    if (signal.aborted) onCancel();
    else signal.addEventListener('abort', onCancel, { once: true });
  };
}

/** The cancel hook of a method's options, whichever form they came in; undefined when there is none. */
function hookOf(options: unknown): CancelHook | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  const { signal } = options as RequestOptions;
  if (isSignal(signal)) return cancelHookOf(signal);
  const { onCancel } = options as BridgedOptions;
  return typeof onCancel === 'function' ? onCancel : undefined;
}

const CANCELLED: Result<never> = { ok: false, error: new CancelledError().toJSON() };

export function createClientApi(transport: ApiTransport): FramesmithApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const [group, methods] of Object.entries(apiContract)) {
    const target: Record<string, unknown> = {};
    for (const [name, entry] of Object.entries(methods)) {
      const channel = entry.channel;
      target[name] = (request?: unknown, options?: unknown) => {
        const hook = hookOf(options);
        if (!hook) return transport.request(channel, request);
        let withdrawn = false;
        hook(() => {
          withdrawn = true;
        });
        return withdrawn ? Promise.resolve(CANCELLED) : transport.request(channel, request, hook);
      };
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

/**
 * The same API with `{ signal }` options turned into `{ onCancel }` before
 * they reach `api` (for window.framesmith, whose methods live across
 * Electron's context bridge). Everything else passes through unchanged.
 */
export function bridgeSignals(api: FramesmithApi): FramesmithApi {
  const wrapped: Record<string, unknown> = {};
  for (const [group, methods] of Object.entries(api as unknown as Record<string, Record<string, unknown>>)) {
    const target: Record<string, unknown> = {};
    for (const [name, method] of Object.entries(methods)) {
      if (typeof method !== 'function' || name === 'onEvent') {
        target[name] = method;
        continue;
      }
      const call = method as (request?: unknown, options?: unknown) => unknown;
      target[name] = (request?: unknown, options?: RequestOptions) => {
        const signal = options?.signal;
        return isSignal(signal) ? call(request, { onCancel: cancelHookOf(signal) } satisfies BridgedOptions) : call(request);
      };
    }
    wrapped[group] = Object.freeze(target);
  }
  return Object.freeze(wrapped) as unknown as FramesmithApi;
}

/** The value of a Result, or throws an Error carrying `code` and any `hint` (for code that prefers exceptions). */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw Object.assign(new Error(result.error.userMessage), { code: result.error.code, detail: result.error.detail, hint: result.error.hint });
}
