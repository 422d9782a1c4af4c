// Tests find models and media through a search path: FRAMESMITH_MODELS /
// FRAMESMITH_MEDIA, then ../shared beside the checkout. Where an asset is
// missing the test is skipped with a loud message, never silently.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function firstExisting(candidates: (string | undefined)[]): string | undefined {
  for (const candidate of candidates) {
    if (candidate && existsSync(candidate)) return path.resolve(candidate);
  }
  return undefined;
}

export function sharedModelsDir(): string | undefined {
  return firstExisting([process.env.FRAMESMITH_MODELS, path.join(repoRoot, '..', 'shared', 'models')]);
}

export function sharedMediaDir(): string | undefined {
  return firstExisting([process.env.FRAMESMITH_MEDIA, path.join(repoRoot, '..', 'shared', 'media')]);
}

function announceSkip(what: string): void {
  const line = `\n*** SKIPPED: ${what} is missing (set FRAMESMITH_MODELS / FRAMESMITH_MEDIA or place ../shared beside the checkout) ***\n`;
  process.stderr.write(line);
}

/** Absolute path of a file under the models root, or undefined after announcing the skip. */
export function modelAsset(relative: string): string | undefined {
  const root = sharedModelsDir();
  const candidate = root ? path.join(root, relative) : undefined;
  if (candidate && existsSync(candidate)) return candidate;
  announceSkip(`model ${relative}`);
  return undefined;
}

/** Absolute path of a file under the media root, or undefined after announcing the skip. */
export function mediaAsset(relative: string): string | undefined {
  const root = sharedMediaDir();
  const candidate = root ? path.join(root, relative) : undefined;
  if (candidate && existsSync(candidate)) return candidate;
  announceSkip(`media ${relative}`);
  return undefined;
}
