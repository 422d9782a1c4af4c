// Remembers the measured facts of model files by the sha256 of their bytes,
// so a model is measured once however often it is installed, imported or
// verified: the same bytes have the same facts. Kept beside the
// verification cache (which maps a file to its sha256) and written the same
// way: merged with what other processes wrote, through a temporary file
// renamed into place; an unwritable cache folder costs a new measurement,
// nothing more.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { modelFactsSchema, type ModelFacts } from '../../common/model-manifest.ts';

export const FACTS_CACHE_FILE = 'model-facts.json';

const cacheFileSchema = z.object({
  version: z.literal(1),
  entries: z.record(z.string().regex(/^[0-9a-f]{64}$/), modelFactsSchema),
});

export class FactsCache {
  private entries: Map<string, ModelFacts> | undefined;

  /** `file` undefined keeps the cache in memory only. */
  constructor(readonly file: string | undefined) {}

  static inDir(cacheDir: string | undefined): FactsCache {
    return new FactsCache(cacheDir === undefined ? undefined : path.join(cacheDir, FACTS_CACHE_FILE));
  }

  private async readEntries(): Promise<Map<string, ModelFacts>> {
    if (this.file === undefined) return new Map();
    try {
      const parsed = cacheFileSchema.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? new Map(Object.entries(parsed.data.entries)) : new Map();
    } catch {
      return new Map();
    }
  }

  /** The facts measured for the file whose sha256 is `sha256`, if any. */
  async lookup(sha256: string): Promise<ModelFacts | undefined> {
    this.entries ??= await this.readEntries();
    return this.entries.get(sha256);
  }

  async record(sha256: string, facts: ModelFacts): Promise<void> {
    this.entries ??= await this.readEntries();
    this.entries.set(sha256, facts);
    if (this.file === undefined) return;
    const merged = await this.readEntries();
    for (const [key, value] of this.entries) merged.set(key, value);
    this.entries = merged;
    const temporary = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFile(temporary, `${JSON.stringify({ version: 1, entries: Object.fromEntries(merged) }, null, 1)}\n`);
      await rename(temporary, this.file);
    } catch {
      await rm(temporary, { force: true });
    }
  }
}
