// Commander option parsers that refuse bad values with a message naming the
// option and what was expected (exit code 2 through commander).
import { InvalidArgumentError } from 'commander';
import { expectedMessage } from '../common/validation.ts';

export function parseFraction(option: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0) {
      throw new InvalidArgumentError(expectedMessage('a non-negative number', option, value));
    }
    return parsed;
  };
}

export function parseIntegerOption(option: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw new InvalidArgumentError(expectedMessage('a non-negative integer', option, value));
    }
    return parsed;
  };
}

export function parsePositiveIntegerOption(option: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1) {
      throw new InvalidArgumentError(expectedMessage('a positive integer', option, value));
    }
    return parsed;
  };
}

export function parseTileOption(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 32) {
    throw new InvalidArgumentError(expectedMessage('"auto" or an integer of at least 32', '--tile', value));
  }
  return parsed;
}
