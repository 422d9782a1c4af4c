// Frame rates and time bases as exact rationals. 24000/1001 stays 24000/1001:
// a rounded float drifts by a frame every few minutes.

export interface Rational {
  readonly num: number;
  readonly den: number;
}

function gcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

export function rational(num: number, den = 1): Rational {
  if (!Number.isInteger(num) || !Number.isInteger(den)) {
    throw new RangeError(`Expected integers for a rational but received ${num}/${den}`);
  }
  if (den === 0) throw new RangeError('Expected a non-zero denominator');
  const sign = den < 0 ? -1 : 1;
  const divisor = gcd(num, den) || 1;
  return { num: (sign * num) / divisor, den: (sign * den) / divisor };
}

/** Parses "30000/1001", "30", "29.97" (decimals become exact fractions), "30:1". */
export function parseRational(text: string): Rational {
  const trimmed = text.trim();
  const match = /^(-?\d+(?:\.\d+)?)(?:[/:](\d+))?$/.exec(trimmed);
  if (!match) throw new RangeError(`Expected a rational like "30000/1001" or "29.97" but received "${text}"`);
  const [, whole = '', den] = match;
  if (den !== undefined) {
    if (whole.includes('.')) throw new RangeError(`Expected an integer numerator but received "${text}"`);
    return rational(Number(whole), Number(den));
  }
  const dot = whole.indexOf('.');
  if (dot < 0) return rational(Number(whole), 1);
  const decimals = whole.length - dot - 1;
  return rational(Number(whole.replace('.', '')), 10 ** decimals);
}

export function toNumber(value: Rational): number {
  return value.num / value.den;
}

export function formatRational(value: Rational): string {
  return value.den === 1 ? String(value.num) : `${value.num}/${value.den}`;
}

export function multiply(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

export function divide(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den, a.den * b.num);
}

export function equals(a: Rational, b: Rational): boolean {
  return a.num * b.den === b.num * a.den;
}

export function isPositive(value: Rational): boolean {
  return value.num > 0 && value.den > 0;
}
