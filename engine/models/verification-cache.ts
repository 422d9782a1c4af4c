// Remembers the sha256 of model files so large models are not rehashed on
// every run. An entry is keyed by absolute path and trusted only while the
// file's size, mtime, ctime and inode are unchanged: any write, touch or
// replacement (ctime cannot be set back by a user) forces a new hash. The
// cache stores hashes, not verdicts, so a file moved under another id is
// still judged against that id's checksum. Writes go to a temporary file
// renamed into place, so a crash never leaves a half-written cache.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

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

const cacheFileSchema = z.object({
  version: z.literal(1),
  entries: z.record(z.string(), entrySchema),
});

export type FileIdentity = Pick<Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>;

function matches(entry: CacheEntry, stats: FileIdentity): boolean {
  return entry.sizeBytes === stats.size && entry.mtimeMs === stats.mtimeMs && entry.ctimeMs === stats.ctimeMs && entry.ino === stats.ino;
}

export class VerificationCache {
  private entries: Map<string, CacheEntry> | undefined;

  /** `file` undefined keeps the cache in memory only (for this instance's lifetime). */
  constructor(readonly file: string | undefined) {}

  static inDir(cacheDir: string | undefined): VerificationCache {
    return new VerificationCache(cacheDir === undefined ? undefined : path.join(cacheDir, VERIFICATION_CACHE_FILE));
  }

  private async readEntries(): Promise<Map<string, CacheEntry>> {
    if (this.file === undefined) return new Map();
    try {
      const parsed = cacheFileSchema.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? new Map(Object.entries(parsed.data.entries)) : new Map();
    } catch {
      return new Map();
    }
  }

  private async load(): Promise<Map<string, CacheEntry>> {
    this.entries ??= await this.readEntries();
    return this.entries;
  }

  /** The remembered sha256 of `absolutePath`, if the file is unchanged since it was hashed. */
  async lookup(absolutePath: string, stats: FileIdentity): Promise<string | undefined> {
    const entry = (await this.load()).get(absolutePath);
    return entry && matches(entry, stats) ? entry.sha256 : undefined;
  }

  /** Records a hash taken of the file whose identity was `stats`, and persists the cache. */
  async record(absolutePath: string, stats: FileIdentity, sha256: string): Promise<void> {
    const entry: CacheEntry = {
      sizeBytes: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino,
      sha256, hashedAt: new Date().toISOString(),
    };
    (await this.load()).set(absolutePath, entry);
    if (this.file === undefined) return;
    // Merge with what other processes wrote since this one loaded.
    const merged = await this.readEntries();
    for (const [key, value] of this.entries!) merged.set(key, value);
    this.entries = merged;
    const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(temporary, `${JSON.stringify({ version: 1, entries: Object.fromEntries(merged) }, null, 1)}\n`);
      await rename(temporary, this.file);
    } catch {
      // The cache is an optimisation: an unwritable cache folder costs a rehash next time, nothing more.
      await rm(temporary, { force: true });
    }
  }
}
