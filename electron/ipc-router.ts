// Main's side of every renderer request: check who is asking (only our own
// UI page), validate the request with the contract's schema, then answer
// dialogs and shell requests in main and forward the rest to the engine
// host. The engine host validates again; main never forwards what it could
// not parse. Every answer is a Result envelope; nothing throws to the renderer.
// A request's signal (the page withdrew it, or the page went away) reaches
// the engine host through the link.
import { isApiChannel, validateRequest } from '../common/api/validate-request.ts';
import type { ApiChannel, RequestOut, ResponseOf } from '../common/api/contract.ts';
import { NotSupportedError, serializeError, type Result } from '../common/errors.ts';

export type MainChannel = Extract<ApiChannel, `dialogs:${string}` | `shell:${string}`>;

export type MainHandlers = { [C in MainChannel]: (request: RequestOut<C>) => Promise<ResponseOf<C>> };

export function isMainChannel(channel: ApiChannel): channel is MainChannel {
  return channel.startsWith('dialogs:') || channel.startsWith('shell:');
}

export interface RouterOptions {
  main: MainHandlers;
  engine: { request(channel: string, request: unknown, signal?: AbortSignal): Promise<Result<unknown>> };
  /** True for the page we loaded (e.g. framesmith-app://ui/...). */
  trustedSender: (senderUrl: string) => boolean;
}

export class IpcRouter {
  constructor(private readonly options: RouterOptions) {}

  async handle(channel: string, raw: unknown, senderUrl: string, signal?: AbortSignal): Promise<Result<unknown>> {
    try {
      if (!this.options.trustedSender(senderUrl)) throw new NotSupportedError(`Requests are accepted only from the Framesmith window, not from ${senderUrl || 'an unknown page'}.`);
      if (!isApiChannel(channel)) throw new NotSupportedError(`Unknown API method "${channel}".`);
      const request = validateRequest(channel, raw);
      if (isMainChannel(channel)) {
        const handler = this.options.main[channel] as (request: unknown) => Promise<unknown>;
        const value = await handler(request);
        return { ok: true, value: value === undefined ? null : value };
      }
      return await this.options.engine.request(channel, request, signal);
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  }
}
