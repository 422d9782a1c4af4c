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

/** --max-megapixels: a positive number up to 1000 (the processing setting's bounds). */
export function parseMegapixelsOption(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 1000) {
    throw new InvalidArgumentError(`Expected a number of megapixels above 0 and at most 1000 for --max-megapixels but received "${value}".`);
  }
  return parsed;
}

export type MirrorRule = { from: string; to: string };

/**
 * --mirror FROM=TO, repeatable (models pull, gpu install, serve): fetch URLs
 * that start with FROM from TO instead. Both sides must be http(s) URL
 * prefixes; the downloaded bytes are verified as from the original host.
 */
export function collectMirror(value: string, previous: readonly MirrorRule[] = []): MirrorRule[] {
  const at = value.indexOf('=');
  const from = at > 0 ? value.slice(0, at) : '';
  const to = at > 0 ? value.slice(at + 1) : '';
  if (!isHttpUrl(from) || !isHttpUrl(to)) {
    throw new InvalidArgumentError(`${expectedMessage('FROM=TO, two http(s) URL prefixes (e.g. https://raw.githubusercontent.com/=http://127.0.0.1:8080/)', '--mirror', value)}`);
  }
  return [...previous, { from, to }];
}

function isHttpUrl(text: string): boolean {
  return /^https?:\/\/[^/\s]+/i.test(text) && URL.canParse(text);
}
