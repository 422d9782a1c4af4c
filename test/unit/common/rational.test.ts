import { describe, expect, it } from 'vitest';
import { divide, equals, formatRational, multiply, parseRational, rational, toNumber } from '../../../common/rational.ts';

describe('rational', () => {
  it('parses ffprobe fractions exactly and reduces them', () => {
    expect(parseRational('30000/1001')).toEqual({ num: 30000, den: 1001 });
    expect(parseRational('50/2')).toEqual({ num: 25, den: 1 });
    expect(parseRational('60')).toEqual({ num: 60, den: 1 });
  });

  it('turns decimals into exact fractions', () => {
    expect(parseRational('29.97')).toEqual({ num: 2997, den: 100 });
    expect(toNumber(parseRational('23.976'))).toBeCloseTo(23.976, 10);
  });

  it('multiplies and compares without rounding', () => {
    const ntsc = rational(24000, 1001);
    expect(equals(multiply(ntsc, rational(5, 2)), rational(60000, 1001))).toBe(true);
    expect(formatRational(divide(rational(60), ntsc))).toBe('1001/400');
  });

  it('refuses malformed input with a message that names it', () => {
    expect(() => parseRational('fast')).toThrow(/received "fast"/);
    expect(() => rational(1, 0)).toThrow(/non-zero denominator/);
  });
});
