// Every language the UI offers is complete: the same keys as English (so no
// screen falls back to English halfway), the same {{placeholders}} in each
// string, and every key the renderer's code names exists.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import de from '../../../renderer/i18n/de.json' with { type: 'json' };
import en from '../../../renderer/i18n/en.json' with { type: 'json' };
import { repoRoot } from '../../helpers/shared-assets.ts';

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const flat = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') flat.set(prefix + key, value);
    else for (const [inner, text] of flatten(value, `${prefix}${key}.`)) flat.set(inner, text);
  }
  return flat;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1] as string).sort();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe('UI languages', () => {
  const english = flatten(en as Tree);

  it('German has every English key, with the same placeholders, and nothing else', () => {
    const german = flatten(de as Tree);
    expect([...german.keys()].sort()).toEqual([...english.keys()].sort());
    for (const [key, text] of english) expect(placeholders(german.get(key) ?? ''), key).toEqual(placeholders(text));
  });

  it('every literal key the renderer asks for exists in English', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(path.join(repoRoot, 'renderer'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\('([a-zA-Z]+(?:\.[a-zA-Z-]+)+)'/g)) {
        const key = match[1] as string;
        if (!english.has(key) && !english.has(`${key}_one`)) missing.push(`${path.relative(repoRoot, file)}: ${key}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
