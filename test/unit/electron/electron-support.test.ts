// CI fails once the pinned Electron major is out of support. Electron
// supports the latest three stable majors: major N loses support when N+3 is
// released (https://www.electronjs.org/docs/latest/tutorial/electron-timelines).
// Release dates of x.0.0, from `npm view electron time`; a major not released
// yet is expected on Electron's 8-week cadence after the last known one. When
// this test fails, move package.json to a supported major (and add the new
// release dates here).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/shared-assets.ts';

const STABLE_RELEASES: Readonly<Record<number, string>> = {
  38: '2025-09-03',
  39: '2025-10-28',
  40: '2026-01-16',
  41: '2026-03-11',
  42: '2026-05-06',
  43: '2026-07-01',
  44: '2026-08-25',
  45: '2026-10-21',
};
const CADENCE_DAYS = 56;
const DAY_MS = 24 * 60 * 60 * 1000;

/** When `major` stops being supported: the release of major + 3, known or expected. */
function endOfSupport(major: number): Date {
  const successor = STABLE_RELEASES[major + 3];
  if (successor !== undefined) return new Date(`${successor}T00:00:00Z`);
  const known = Math.max(...Object.keys(STABLE_RELEASES).map(Number));
  const last = new Date(`${STABLE_RELEASES[known]}T00:00:00Z`).getTime();
  return new Date(last + (major + 3 - known) * CADENCE_DAYS * DAY_MS);
}

describe('pinned Electron major', () => {
  it('is still supported today', async () => {
    const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const range = manifest.devDependencies.electron ?? '';
    const major = Number(/(\d+)/.exec(range)?.[1]);
    expect(Number.isInteger(major), `cannot read a major from "${range}"`).toBe(true);
    expect(STABLE_RELEASES[major], `add Electron ${major}'s release date to the table`).toBeDefined();
    const ends = endOfSupport(major);
    expect(Date.now(), `Electron ${major} is out of support since ${ends.toISOString().slice(0, 10)}: move to a supported major`).toBeLessThan(ends.getTime());
  });

  it('knows Electron 40 ended with 43 (the end of life the audit found)', () => {
    expect(endOfSupport(40).toISOString().slice(0, 10)).toBe('2026-07-01');
    expect(endOfSupport(45).getTime()).toBeGreaterThan(endOfSupport(44).getTime());
  });
});
