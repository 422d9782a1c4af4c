import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../common/errors.ts';
import {
  expectIntegerInRange,
  expectNonNegativeInteger,
  expectNumberInRange,
  expectOneOf,
  expectPositiveInteger,
  expectPositiveNumber,
  expectedMessage,
  invalidParameterError,
} from '../../../common/validation.ts';

function messageOf(check: () => void): string {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return (error as InvalidArgumentError).userMessage;
  }
  throw new Error('expected the check to throw');
}

describe('validation', () => {
  it('words every refusal the way sharp does: what, for which name, what arrived and its type', () => {
    expect(messageOf(() => expectPositiveInteger('width', -1))).toBe('Expected a positive integer for width but received -1 of type number.');
    expect(messageOf(() => expectPositiveInteger('width', 2.5))).toBe('Expected a positive integer for width but received 2.5 of type number.');
    expect(messageOf(() => expectNonNegativeInteger('startFrame', '3'))).toBe('Expected a non-negative integer for startFrame but received "3" of type string.');
    expect(messageOf(() => expectPositiveNumber('scale', Number.NaN))).toBe('Expected a positive number for scale but received NaN of type number.');
    expect(messageOf(() => expectNumberInRange('the style strength', 1.5, 0, 1))).toBe('Expected a number from 0 to 1 for the style strength but received 1.5 of type number.');
    expect(messageOf(() => expectIntegerInRange('quality', 0, 1, 100))).toBe('Expected an integer from 1 to 100 for quality but received 0 of type number.');
    expect(messageOf(() => expectOneOf('bitDepth', 12, [8, 16]))).toBe('Expected one of 8, 16 for bitDepth but received 12 of type number.');
    expect(messageOf(() => expectOneOf('codec', null, ['h264']))).toBe('Expected one of "h264" for codec but received null of type null.');
    expect(invalidParameterError('size', 'WIDTHxHEIGHT', [1, 2]).userMessage).toBe('Expected WIDTHxHEIGHT for size but received [1, 2] of type array.');
    expect(expectedMessage('a non-negative number', '--fps', 'x')).toBe('Expected a non-negative number for --fps but received "x" of type string.');
  });

  it('lets valid values through, bounds included', () => {
    expect(() => {
      expectPositiveInteger('width', 1);
      expectNonNegativeInteger('overlap', 0);
      expectPositiveNumber('scale', 0.5);
      expectNumberInRange('blend', 0, 0, 1);
      expectNumberInRange('blend', 1, 0, 1);
      expectIntegerInRange('quality', 100, 1, 100);
      expectOneOf('bitDepth', 16, [8, 16]);
    }).not.toThrow();
    expect(() => expectNumberInRange('blend', Number.POSITIVE_INFINITY, 0, Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
  });
});
