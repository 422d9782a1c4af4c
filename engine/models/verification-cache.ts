// Remembers the sha256 of model files so large models are not rehashed on
// every run. An entry is keyed by absolute path and trusted only while the
// file's size, mtime, ctime and inode are unchanged: any write, touch or
// replacement (ctime cannot be set back by a user) forces a new hash. The
// cache stores hashes, not verdicts, so a file moved under another id is
// still judged against that id's checksum. Writes go to a temporary file
// renamed into place, so a crash never leaves a half-written cache.
import type { Stats } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { KeyedJsonCache } from '../storage/keyed-json-cache.ts';

export const VERIFICATION_CACHE_FILE = 'model-verification.json';

const entrySchema = z.object({
  sizeBytes: z.number(),
  mtimeMs: z.number(),
  ctimeMs: z.number(),
  ino: z.number(),
  sha256: z.string(),
  hashedAt: z.string(),
});
type CacheEntry = z.infer<typeof entrySchema>;

export type FileIdentity = Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>;

function matches(entry: CacheEntry, stats: FileIdentity): boolean {
  return entry.sizeBytes === stats.size && entry.mtimeMs === stats.mtimeMs && entry.ctimeMs === stats.ctimeMs && entry.ino === stats.ino;
}

export class VerificationCache {
  private readonly cache: KeyedJsonCache<CacheEntry>;

  /** `file` undefined keeps the cache in memory only (for this instance's lifetime). */
  constructor(readonly file: string | undefined) {
    this.cache = new KeyedJsonCache(file, entrySchema);
  }

  static inDir(cacheDir: string | undefined): VerificationCache {
    return new VerificationCache(cacheDir === undefined ? undefined : path.join(cacheDir, VERIFICATION_CACHE_FILE));
  }

  /** The remembered sha256 of `absolutePath`, if the file is unchanged since it was hashed. */
  async lookup(absolutePath: string, stats: FileIdentity): Promise<string | undefined> {
    const entry = await this.cache.get(absolutePath);
    return entry && matches(entry, stats) ? entry.sha256 : undefined;
  }

  /** Records a hash taken of the file whose identity was `stats`, and persists the cache. */
  record(absolutePath: string, stats: FileIdentity, sha256: string): Promise<void> {
    return this.cache.set(absolutePath, {
      sizeBytes: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino,
      sha256, hashedAt: new Date().toISOString(),
    });
  }
}
