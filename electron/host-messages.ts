// Messages from the engine host, checked before main uses them. The host is
// our own code, but it runs the engine on untrusted files; a frame that does
// not have the contract's shape (a bug, a crash mid-write, a compromised
// process) is dropped and logged, never cast and acted on. Preview clips are
// served to the window only from the preview cache folder, so a clip answer
// cannot make main serve any other file.
import { describeIssues } from '../common/zod-issues.ts';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EVENT_CHANNELS } from '../common/api/contract.ts';
import { ERROR_CODES } from '../common/errors.ts';
import type { HostToMain } from './engine-link.ts';

const serializedErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  userMessage: z.string(),
  detail: z.string().optional(),
});

const resultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: serializedErrorSchema }),
]);

const eventChannels = Object.values(EVENT_CHANNELS) as [string, ...string[]];

export const hostToMainSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('response'), id: z.number().int().positive(), result: resultSchema }),
  z.object({ type: z.literal('event'), channel: z.enum(eventChannels), event: z.unknown() }),
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('fatal'), error: serializedErrorSchema }),
]);

/** The frame if it has the contract's shape, else undefined (reported through `onInvalid`). */
export function parseHostMessage(raw: unknown, onInvalid: (problem: string) => void = () => undefined): HostToMain | undefined {
  const parsed = hostToMainSchema.safeParse(raw);
  if (parsed.success) return parsed.data as HostToMain;
  onInvalid(describeIssues(parsed.error, { whole: 'message' }));
  return undefined;
}

function realOrResolved(target: string): string {
  try {
    return realpathSync(target);
  } catch {
    return path.resolve(target);
  }
}

/** True when `file` (after symlinks) lies inside `folder`. */
export function isInsideFolder(file: string, folder: string): boolean {
  if (!path.isAbsolute(file)) return false;
  const root = realOrResolved(folder);
  const target = realOrResolved(file);
  const relative = path.relative(root, target);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
