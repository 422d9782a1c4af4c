// Argument checks at module boundaries, worded the way sharp words them:
// "Expected a positive integer for width but received -1 of type number".
// One wording everywhere, so a person (or a bug report) always sees what was
// expected, for which argument, and what arrived instead. Pure: no node:*.
import { InvalidArgumentError } from './errors.ts';

/** `"text"` for strings, `[1, 2]` for arrays, String() for the rest. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`;
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'object';
  return String(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The sentence, for callers that throw another class (commander's option errors). */
export function expectedMessage(expected: string, name: string, actual: unknown): string {
  return `Expected ${expected} for ${name} but received ${shown(actual)} of type ${typeName(actual)}.`;
}

/** An InvalidArgumentError with the sentence above; `expected` reads as "a positive integer", "one of a, b". */
export function invalidParameterError(name: string, expected: string, actual: unknown): InvalidArgumentError {
  return new InvalidArgumentError(expectedMessage(expected, name, actual));
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function expectPositiveInteger(name: string, value: unknown): asserts value is number {
  if (!Number.isInteger(value) || (value as number) <= 0) throw invalidParameterError(name, 'a positive integer', value);
}

export function expectNonNegativeInteger(name: string, value: unknown): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < 0) throw invalidParameterError(name, 'a non-negative integer', value);
}

export function expectPositiveNumber(name: string, value: unknown): asserts value is number {
  if (!isNumber(value) || value <= 0) throw invalidParameterError(name, 'a positive number', value);
}

/** A finite number with min <= value <= max. */
export function expectNumberInRange(name: string, value: unknown, min: number, max: number): asserts value is number {
  if (!isNumber(value) || value < min || value > max) throw invalidParameterError(name, `a number from ${min} to ${max}`, value);
}

/** An integer with min <= value <= max. */
export function expectIntegerInRange(name: string, value: unknown, min: number, max: number): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw invalidParameterError(name, `an integer from ${min} to ${max}`, value);
  }
}

/** One of a fixed set of values: `Expected one of "a", "b" for name but received "c" of type string.` */
export function expectOneOf<T>(name: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (!allowed.includes(value as T)) throw invalidParameterError(name, `one of ${allowed.map(shown).join(', ')}`, value);
}
