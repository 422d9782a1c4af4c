// Remembers the measured facts of model files by the sha256 of their bytes,
// so a model is measured once however often it is installed, imported or
// verified: the same bytes have the same facts. Kept beside the
// verification cache (which maps a file to its sha256) and written the same
// way: merged with what other processes wrote, through a temporary file
// renamed into place; an unwritable cache folder costs a new measurement,
// nothing more.
import path from 'node:path';
import { z } from 'zod';
import { modelFactsSchema, type ModelFacts } from '../../common/model-manifest.ts';
import { KeyedJsonCache } from '../storage/keyed-json-cache.ts';

export const FACTS_CACHE_FILE = 'model-facts.json';

export class FactsCache {
  private readonly cache: KeyedJsonCache<ModelFacts>;

  /** `file` undefined keeps the cache in memory only. */
  constructor(readonly file: string | undefined) {
    this.cache = new KeyedJsonCache(file, modelFactsSchema, z.string().regex(/^[0-9a-f]{64}$/));
  }

  static inDir(cacheDir: string | undefined): FactsCache {
    return new FactsCache(cacheDir === undefined ? undefined : path.join(cacheDir, FACTS_CACHE_FILE));
  }

  /** The facts measured for the file whose sha256 is `sha256`, if any. */
  lookup(sha256: string): Promise<ModelFacts | undefined> {
    return this.cache.get(sha256);
  }

  record(sha256: string, facts: ModelFacts): Promise<void> {
    return this.cache.set(sha256, facts);
  }
}
