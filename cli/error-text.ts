// An error as the CLI words it. Engine messages name no flags (the desktop
// app shows the same text); where an error carries a hint naming the request
// field that would fix it, the CLI adds the flag that sets that field.
import type { ErrorHint, HintField, SerializedError } from '../common/errors.ts';

/** Every hint field has its flag; the type check fails when common/ adds a field without one here. */
const FLAG_FOR_FIELD: Record<HintField, string> = {
  'outputSettings.overwrite': '--overwrite',
  'outputSettings.codec': '--codec',
  'processing.provider': '--provider',
  'processing.tile': '--tile',
  'processing.maxMegapixels': '--max-megapixels',
  task: '--task',
  scale: '--scale',
  id: '--id',
  renderOn: '--farm',
};

export function flagForHint(hint: ErrorHint): string {
  return FLAG_FOR_FIELD[hint.field];
}

/** The userMessage with the hint's flag in parentheses before its final full stop: "... or allow Framesmith to overwrite it (--overwrite)." */
export function cliErrorText(error: SerializedError): string {
  if (!error.hint) return error.userMessage;
  const flag = flagForHint(error.hint);
  const message = error.userMessage.trimEnd();
  return message.endsWith('.') ? `${message.slice(0, -1)} (${flag}).` : `${message} (${flag})`;
}
