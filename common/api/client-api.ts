// FramesmithApi: the object the renderer codes against. Derived from the
// contract, so a method added there appears here. Two implementations:
// window.framesmith (electron/preload.ts) and WsApiClient (ws-client.ts).
import type { z } from 'zod';
import type { Result } from '../errors.ts';
import type { ApiContract, ApiEvents, ApiGroup, ApiMethod } from './contract.ts';
import type { Unsubscribe } from './api-types.ts';
import type { RequestOptions } from './create-client.ts';

/**
 * One method on the client: no argument when the request is `undefined`;
 * the options' signal withdraws the request (it then answers CANCELLED).
 */
export type ClientMethod<M> = M extends ApiMethod<string, infer Request, infer Response>
  ? [z.input<Request>] extends [undefined]
    ? (request?: undefined, options?: RequestOptions) => Promise<Result<Response>>
    : undefined extends z.input<Request>
      ? (request?: z.input<Request>, options?: RequestOptions) => Promise<Result<Response>>
      : (request: z.input<Request>, options?: RequestOptions) => Promise<Result<Response>>
  : never;

export type ClientGroup<G extends ApiGroup> = { readonly [K in keyof ApiContract[G]]: ClientMethod<ApiContract[G][K]> };

/** Groups with events gain `onEvent(listener)`, which returns its unsubscribe. */
export type EventSubscriptions = {
  readonly [G in keyof ApiEvents]: { onEvent(listener: (event: ApiEvents[G]) => void): Unsubscribe };
};

export type FramesmithApi = {
  readonly [G in ApiGroup]: ClientGroup<G> & (G extends keyof EventSubscriptions ? EventSubscriptions[G] : unknown);
} & { readonly app: EventSubscriptions['app'] } & { readonly files: DesktopFileExtras };

/** A file the page got from a drop or an <input type=file> (a DOM File). */
export interface DroppedFile {
  readonly name: string;
}

/**
 * What only the desktop preload adds: Electron 32+ no longer puts a path on
 * dropped File objects, so the page asks for it (webUtils.getPathForFile).
 * Absent in a browser, where dropped files have no path.
 */
export interface DesktopFileExtras {
  pathForFile?(file: DroppedFile): string;
}
