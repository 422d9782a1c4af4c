// The frames `framesmith serve` and its browser client exchange over one
// WebSocket (JSON text). The token travels in the connection URL
// (`/api?token=...`): browsers cannot set headers on a WebSocket.
import { z } from 'zod';
import type { Result } from '../errors.ts';
import { EVENT_CHANNELS } from './contract.ts';

export const WS_PATH = '/api';

const eventChannelSchema = z.enum([EVENT_CHANNELS.jobs, EVENT_CHANNELS.models, EVENT_CHANNELS.app]);

export const clientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('request'), id: z.number().int().nonnegative(), channel: z.string().min(1).max(100), request: z.unknown().optional() }),
  z.strictObject({ type: z.literal('subscribe'), channel: eventChannelSchema }),
  z.strictObject({ type: z.literal('unsubscribe'), channel: eventChannelSchema }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

export type ServerFrame =
  | { type: 'response'; id: number; result: Result<unknown> }
  | { type: 'event'; channel: string; event: unknown };
