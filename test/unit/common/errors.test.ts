import { describe, expect, it } from 'vitest';
import {
  BugError,
  CancelledError,
  FramesmithError,
  OutOfMemoryError,
  OutputExistsError,
  ProviderUnavailableError,
  deserializeError,
  isBugError,
  isCancellation,
  isFramesmithError,
  serializeError,
} from '../../../common/errors.ts';

describe('errors', () => {
  it('carry a stable code and an actionable message', () => {
    const error = new OutputExistsError('/tmp/out.mp4');
    expect(error.code).toBe('OUTPUT_EXISTS');
    expect(error.userMessage).toMatch(/overwrite/);
    expect(error.name).toBe('OutputExistsError');
  });

  it('name the setting that fixes them as a hint, and no CLI flag in the message the GUI shows', () => {
    const errors = [new OutputExistsError('/tmp/out.mp4'), new ProviderUnavailableError('cuda', 'not installed'), new OutOfMemoryError('upscaling')];
    for (const error of errors) expect(error.userMessage).not.toMatch(/--[a-z]/);
    expect(serializeError(errors[0])).toEqual({
      code: 'OUTPUT_EXISTS',
      userMessage: '/tmp/out.mp4 already exists. Choose another name, or allow Framesmith to overwrite it.',
      hint: { field: 'outputSettings.overwrite', action: 'allow-overwrite' },
    });
    expect(errors.map((error) => error.hint?.field)).toEqual(['outputSettings.overwrite', 'processing.provider', 'processing.tile']);
    expect(deserializeError(serializeError(errors[2])).hint).toEqual({ field: 'processing.tile', action: 'reduce-tile' });
  });

  it('keep bugs apart from expected errors, across a boundary too', () => {
    const bug = new BugError('a frame went missing');
    expect(bug.code).toBe('BUG');
    expect(isFramesmithError(bug)).toBe(false);
    expect(bug instanceof FramesmithError).toBe(false);
    expect(isBugError(bug)).toBe(true);
    const wire = serializeError(bug);
    expect(wire).toMatchObject({ code: 'BUG', userMessage: 'Internal error: a frame went missing. Please report this.' });
    expect(wire.detail).toContain('BugError');
    expect(wire.hint).toBeUndefined();
    const rebuilt = deserializeError(wire);
    expect(isBugError(rebuilt)).toBe(true);
    expect(isFramesmithError(rebuilt)).toBe(false);
    expect(rebuilt.userMessage).toBe(wire.userMessage);
    expect(rebuilt.detail).toBe(wire.detail);
    expect(isBugError(deserializeError(serializeError(new TypeError('boom'))))).toBe(true);
    expect(isFramesmithError(deserializeError(serializeError(new OutputExistsError('/x'))))).toBe(true);
  });

  it('survive serialization across a boundary by code', () => {
    const round = deserializeError(serializeError(new OutputExistsError('/x', { detail: 'd' })));
    expect(round.code).toBe('OUTPUT_EXISTS');
    expect(round.detail).toBe('d');
  });

  it('treat unknown throws as bugs and cancellation as its own kind', () => {
    expect(serializeError(new TypeError('boom')).code).toBe('BUG');
    expect(isCancellation(new CancelledError())).toBe(true);
    expect(isCancellation(deserializeError(serializeError(new CancelledError())))).toBe(true);
    const abort = new DOMException('aborted', 'AbortError');
    expect(isCancellation(abort)).toBe(true);
  });
});
