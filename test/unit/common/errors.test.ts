import { describe, expect, it } from 'vitest';
import {
  CancelledError,
  OutputExistsError,
  deserializeError,
  isCancellation,
  serializeError,
} from '../../../common/errors.ts';

describe('errors', () => {
  it('carry a stable code and an actionable message', () => {
    const error = new OutputExistsError('/tmp/out.mp4');
    expect(error.code).toBe('OUTPUT_EXISTS');
    expect(error.userMessage).toMatch(/--overwrite/);
    expect(error.name).toBe('OutputExistsError');
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
