// Routes a request named by its channel to a handler, validating it first
// and answering in the Result envelope. Used by the Electron engine host and
// `framesmith serve`; the handlers never see an unvalidated request.
import { NotSupportedError, serializeError, type Result } from '../../common/errors.ts';
import type { ApiChannel, RequestOut, ResponseOf } from '../../common/api/contract.ts';
import { validateRequest } from '../../common/api/validate-request.ts';

export interface HandlerContext {
  /** Fires when the caller goes away (window closed, socket dropped). */
  signal: AbortSignal;
}

export type ApiHandler<C extends ApiChannel> = (request: RequestOut<C>, context: HandlerContext) => Promise<ResponseOf<C>>;

/** Handlers by channel; a missing one answers NOT_SUPPORTED (e.g. dialogs in a browser). */
export type ApiHandlers = { [C in ApiChannel]?: ApiHandler<C> };

export class ApiDispatcher {
  constructor(
    private readonly handlers: ApiHandlers,
    private readonly unsupported: (channel: ApiChannel) => string = (channel) => `${channel} is not available here.`,
  ) {}

  /** Never throws: failures (bad request, unknown channel, handler errors) come back as `{ ok: false }`. */
  async dispatch(channel: unknown, raw: unknown, context: HandlerContext): Promise<Result<unknown>> {
    try {
      const request = validateRequest(channel, raw);
      const handler = this.handlers[channel as ApiChannel] as ((request: unknown, context: HandlerContext) => Promise<unknown>) | undefined;
      if (!handler) throw new NotSupportedError(this.unsupported(channel as ApiChannel));
      const value = await handler(request, context);
      return { ok: true, value: value === undefined ? null : value };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  }
}
