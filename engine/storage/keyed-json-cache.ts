// A small cache file of keyed entries (`{ version: 1, entries: { key: value } }`)
// shared by processes: read once, merged with what other processes wrote
// before each write, written to a temporary file renamed into place so a
// crash never leaves half a file. It is an optimisation only: an unreadable
// file reads as empty, and an unwritable folder costs a recomputation next
// time, nothing more. Used for model hashes, measured model facts and model
// speeds.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export class KeyedJsonCache<T> {
  private entries: Map<string, T> | undefined;
  private readonly fileSchema: z.ZodType<{ version: 1; entries: Record<string, T> }>;

  /** `file` undefined keeps the entries in memory only (for this instance's lifetime). */
  constructor(readonly file: string | undefined, entrySchema: z.ZodType<T>, keySchema: z.ZodType<string> = z.string()) {
    this.fileSchema = z.object({ version: z.literal(1), entries: z.record(keySchema, entrySchema) }) as unknown as z.ZodType<{ version: 1; entries: Record<string, T> }>;
  }

  private async readEntries(): Promise<Map<string, T>> {
    if (this.file === undefined) return new Map();
    try {
      const parsed = this.fileSchema.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      return parsed.success ? new Map(Object.entries(parsed.data.entries)) : new Map();
    } catch {
      return new Map();
    }
  }

  /** Every entry, as read at first use and set since. */
  async all(): Promise<ReadonlyMap<string, T>> {
    this.entries ??= await this.readEntries();
    return this.entries;
  }

  async get(key: string): Promise<T | undefined> {
    this.entries ??= await this.readEntries();
    return this.entries.get(key);
  }

  /** Sets one entry and persists the file, merged with other processes' entries. */
  async set(key: string, value: T): Promise<void> {
    this.entries ??= await this.readEntries();
    this.entries.set(key, value);
    if (this.file === undefined) return;
    const merged = await this.readEntries();
    for (const [entryKey, entry] of this.entries) merged.set(entryKey, entry);
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
