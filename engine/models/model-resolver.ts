// Turns a model id into a verified file on disk. The file is taken from the
// first search root that has it (a later root never silently stands in for a
// damaged earlier one), then checked from cheapest to dearest: the graph's
// inputs and outputs against the manifest (a few kilobytes of reads, and the
// clearest message when a file belongs to another model), the size, and the
// sha256 (streamed, remembered in a verification cache keyed by the file's
// identity so an unchanged large model is hashed once).
import { stat } from 'node:fs/promises';
import path from 'node:path';
import {
  ModelIntegrityError,
  ModelManifestMismatchError,
  ModelNotFoundError,
  throwIfCancelled,
} from '../../common/errors.ts';
import type { ModelManifest } from '../../common/model-manifest.ts';
import type { ResolvedModel } from '../inference/inference-backend.ts';
import type { Catalog } from './catalog.ts';
import { fileSha256 } from './file-sha256.ts';
import { compareGraphToManifest } from './manifest-check.ts';
import type { ModelSearchRoot } from './model-search-path.ts';
import { OnnxGraphReadError, readGraphIo } from '../onnx/onnx-graph-io.ts';
import { VerificationCache } from './verification-cache.ts';
import type { FileIdentity } from './verification-cache.ts';

export interface ModelResolverOptions {
  catalog: Catalog;
  /** Ordered search roots, from modelSearchPath(). */
  roots: readonly ModelSearchRoot[];
  /** Folder for the verification cache file; without it hashes are remembered in memory only. */
  cacheDir?: string;
}

export interface VerifiedModel extends ResolvedModel {
  root: ModelSearchRoot;
  /** 'hashed' when the file was hashed now, 'cached' when an unchanged file's remembered hash was used. */
  verification: 'hashed' | 'cached';
}

export type InstalledState = 'verified' | 'unverified' | 'corrupt';

export interface InstalledModel {
  id: string;
  task: ModelManifest['task'];
  path: string;
  root: ModelSearchRoot;
  sizeBytes: number;
  /** 'unverified': present but not hashed yet (pass verify: true to hash); 'corrupt': wrong size or hash. */
  state: InstalledState;
  /** Other roots that also hold a copy (shadowed by the first). */
  shadowedIn: string[];
}

interface Located {
  path: string;
  root: ModelSearchRoot;
  stats: FileIdentity;
}

async function fileStats(file: string): Promise<FileIdentity | undefined> {
  try {
    const stats = await stat(file);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

export class ModelResolver {
  private current: Catalog;
  readonly roots: readonly ModelSearchRoot[];
  private readonly cache: VerificationCache;

  constructor(options: ModelResolverOptions) {
    this.current = options.catalog;
    this.roots = options.roots;
    this.cache = VerificationCache.inDir(options.cacheDir);
  }

  /** The catalog ids are resolved against: the bundled models and those of the user's model store. */
  get catalog(): Catalog {
    return this.current;
  }

  /**
   * Swaps in the catalog as it is after the model store installed, imported
   * or removed a model, so a long-lived process (serve, the desktop app) runs
   * a model it just downloaded without a restart.
   */
  useCatalog(catalog: Catalog): void {
    this.current = catalog;
  }

  /** Where the verification cache lives (undefined when kept in memory). */
  get verificationCacheFile(): string | undefined {
    return this.cache.file;
  }

  private async locateAll(manifest: ModelManifest): Promise<Located[]> {
    const found: Located[] = [];
    for (const root of this.roots) {
      const candidate = path.join(root.path, manifest.file);
      const stats = await fileStats(candidate);
      if (stats) found.push({ path: candidate, root, stats });
    }
    return found;
  }

  /** The catalog model `id`, found and verified; see resolveManifest. */
  async resolve(id: string, options: { signal?: AbortSignal } = {}): Promise<VerifiedModel> {
    return this.resolveManifest(this.catalog.get(id), options);
  }

  /**
   * Finds `manifest.file` under the first root that has it and verifies it.
   * Throws ModelNotFoundError (listing every place searched),
   * ModelManifestMismatchError (naming what differs) or ModelIntegrityError.
   */
  async resolveManifest(manifest: ModelManifest, options: { signal?: AbortSignal } = {}): Promise<VerifiedModel> {
    throwIfCancelled(options.signal);
    const [first] = await this.locateAll(manifest);
    if (!first) {
      const searched = this.roots.map((root) => `${path.join(root.path, manifest.file)}${root.exists ? '' : ' (folder missing)'}`);
      throw new ModelNotFoundError(manifest.id, searched);
    }
    const verification = await this.verifyFile(manifest, first.path, first.stats, options);
    return { manifest, path: first.path, root: first.root, verification };
  }

  /** Checks one file against a manifest: graph inputs and outputs, size, sha256. */
  async verifyFile(
    manifest: ModelManifest,
    file: string,
    stats: FileIdentity,
    options: { signal?: AbortSignal } = {},
  ): Promise<'hashed' | 'cached'> {
    await this.checkGraph(manifest, file, options);
    if (stats.size !== manifest.sizeBytes) {
      throw new ModelIntegrityError(file, { detail: `size ${stats.size} bytes, expected ${manifest.sizeBytes} for model "${manifest.id}"` });
    }
    const cached = await this.cache.lookup(file, stats);
    const sha256 = cached ?? await this.hashAndRemember(file, stats, options);
    if (sha256 !== manifest.sha256) {
      throw new ModelIntegrityError(file, { detail: `sha256 ${sha256}, expected ${manifest.sha256} for model "${manifest.id}"` });
    }
    return cached === undefined ? 'hashed' : 'cached';
  }

  private async checkGraph(manifest: ModelManifest, file: string, options: { signal?: AbortSignal }): Promise<void> {
    let problems: string[];
    try {
      problems = compareGraphToManifest(manifest, await readGraphIo(file, options));
    } catch (error) {
      if (error instanceof OnnxGraphReadError) {
        throw new ModelIntegrityError(file, { cause: error, detail: error.message });
      }
      throw error;
    }
    if (problems.length > 0) {
      throw new ModelManifestMismatchError(manifest.id, problems.join('; '), { detail: `file: ${file}` });
    }
  }

  private async hashAndRemember(file: string, before: FileIdentity, options: { signal?: AbortSignal }): Promise<string> {
    const sha256 = await fileSha256(file, options);
    const after = await fileStats(file);
    // A file that changed while it was read is judged by this hash but not remembered.
    if (after && sameIdentity(before, after)) await this.cache.record(file, before, sha256);
    return sha256;
  }

  /**
   * Catalog models present under some root, in catalog order. Without
   * `verify` only the cache and the size are consulted (fast, for `doctor`);
   * with it every unverified file is hashed.
   */
  async listInstalled(options: { signal?: AbortSignal; verify?: boolean } = {}): Promise<InstalledModel[]> {
    const installed: InstalledModel[] = [];
    for (const manifest of this.catalog.models) {
      throwIfCancelled(options.signal);
      const [first, ...shadowed] = await this.locateAll(manifest);
      if (!first) continue;
      installed.push({
        id: manifest.id,
        task: manifest.task,
        path: first.path,
        root: first.root,
        sizeBytes: first.stats.size,
        state: await this.installedState(manifest, first, options),
        shadowedIn: shadowed.map((copy) => copy.root.path),
      });
    }
    return installed;
  }

  private async installedState(manifest: ModelManifest, located: Located, options: { signal?: AbortSignal; verify?: boolean }): Promise<InstalledState> {
    if (located.stats.size !== manifest.sizeBytes) return 'corrupt';
    let sha256 = await this.cache.lookup(located.path, located.stats);
    if (sha256 === undefined && options.verify) sha256 = await this.hashAndRemember(located.path, located.stats, options);
    if (sha256 === undefined) return 'unverified';
    return sha256 === manifest.sha256 ? 'verified' : 'corrupt';
  }
}
