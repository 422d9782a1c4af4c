import { describe, expect, it } from 'vitest';
import { HINT_FIELDS, OutOfMemoryError, OutputExistsError, serializeError } from '../../../common/errors.ts';
import { cliErrorText, flagForHint } from '../../../cli/error-text.ts';

describe('CLI error text', () => {
  it('words a hinted error with the flag that sets the hinted field', () => {
    expect(cliErrorText(serializeError(new OutputExistsError('/tmp/out.mp4')))).toBe('/tmp/out.mp4 already exists. Choose another name, or allow Framesmith to overwrite it (--overwrite).');
    expect(cliErrorText(serializeError(new OutOfMemoryError('upscaling')))).toMatch(/smaller output \(--tile\)\.$/);
    expect(cliErrorText({ code: 'DISK_FULL', userMessage: 'Full.' })).toBe('Full.');
    for (const field of HINT_FIELDS) expect(flagForHint({ field, action: 'allow-overwrite' })).toMatch(/^--[a-z][a-z-]*$/);
  });
});
