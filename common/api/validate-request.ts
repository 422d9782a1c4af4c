// Request validation at every serving boundary (Electron main, the engine
// host, `framesmith serve`). Messages name the channel and the field and say
// what was expected, e.g. `jobs:reorder: toIndex: toIndex must be 0 or more`.
import { InvalidArgumentError, NotSupportedError } from '../errors.ts';
import { describeIssues } from '../zod-issues.ts';
import { methodsByChannel, type ApiChannel, type RequestOut } from './contract.ts';

export function isApiChannel(channel: unknown): channel is ApiChannel {
  return typeof channel === 'string' && methodsByChannel.has(channel);
}

/** The validated request (defaults applied), or InvalidArgumentError / NotSupportedError for an unknown channel. */
export function validateRequest<C extends ApiChannel>(channel: C, raw: unknown): RequestOut<C>;
export function validateRequest(channel: unknown, raw: unknown): unknown;
export function validateRequest(channel: unknown, raw: unknown): unknown {
  if (!isApiChannel(channel)) {
    throw new NotSupportedError(`Unknown API method ${JSON.stringify(channel)}. Expected one of: ${[...methodsByChannel.keys()].join(', ')}.`);
  }
  const method = methodsByChannel.get(channel);
  if (!method) throw new NotSupportedError(`Unknown API method "${channel}".`);
  const parsed = method.request.safeParse(raw);
  if (!parsed.success) throw new InvalidArgumentError(`Invalid request to ${channel}: ${describeIssues(parsed.error)}.`);
  return parsed.data;
}
