// The frames `framesmith serve` and its browser client exchange over one
// WebSocket (JSON text). The token travels in the connection URL
// (`/api?token=...`): browsers cannot set headers on a WebSocket. A request
// the page no longer wants (the user cancelled, or moved on to another
// frame) is withdrawn with a cancel frame naming its id: the server aborts
// that request's signal, and it answers CANCELLED. Closing the socket
// cancels every request still running on it. A frame larger than
// MAX_CLIENT_FRAME_BYTES closes the socket with code 1009.
import { z } from 'zod';
import type { Result } from '../errors.ts';
import { EVENT_CHANNELS } from './contract.ts';

export const WS_PATH = '/api';

/** The largest frame a client may send (4 MiB: a preset file or a few thousand input paths fit many times over). */
export const MAX_CLIENT_FRAME_BYTES = 4 * 1024 * 1024;

/** Close code for a frame over the limit (RFC 6455 "message too big"). */
export const CLOSE_TOO_BIG = 1009;

const eventChannelSchema = z.enum([EVENT_CHANNELS.jobs, EVENT_CHANNELS.models, EVENT_CHANNELS.gpu, EVENT_CHANNELS.app]);

export const clientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('request'), id: z.number().int().nonnegative(), channel: z.string().min(1).max(100), request: z.unknown().optional() }),
  z.strictObject({ type: z.literal('cancel'), id: z.number().int().nonnegative() }),
  z.strictObject({ type: z.literal('subscribe'), channel: eventChannelSchema }),
  z.strictObject({ type: z.literal('unsubscribe'), channel: eventChannelSchema }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export type ServerFrame =
  | { type: 'response'; id: number; result: Result<unknown> }
  | { type: 'event'; channel: string; event: unknown };
