// The few NuGet v3 requests a package install needs, as NuGet documents them:
// the service index names the flat container (PackageBaseAddress, where the
// .nupkg lies) and the registration base; the package's registration leaf
// points at its catalog entry, which states the package hash (SHA512,
// base64). The download is verified against that hash, or against a pinned
// one where the caller has it. `mirror` rewrites URL prefixes (FROM=TO), so a
// machine that cannot reach nuget.org, or a test, can serve the same files.
import { DownloadFailedError } from '../../common/errors.ts';

export interface FeedOptions {
  /** URL prefix rewrites applied to every request, first match wins. */
  mirror?: readonly { from: string; to: string }[];
  signal?: AbortSignal;
}

export interface ResolvedPackage {
  /** Where the .nupkg is downloaded from (after mirror rewrites). */
  packageUrl: string;
  /** Expected digest of the .nupkg. */
  hash: { algorithm: 'sha512' | 'sha256'; base64: string };
}

export function rewriteUrl(url: string, mirror: FeedOptions['mirror']): string {
  for (const rule of mirror ?? []) if (url.startsWith(rule.from)) return rule.to + url.slice(rule.from.length);
  return url;
}

function failed(url: string, reason: string, options?: { cause?: unknown }): DownloadFailedError {
  return new DownloadFailedError(`${url} (${reason})`, options);
}

async function getJson(url: string, options: FeedOptions, what: string): Promise<unknown> {
  const target = rewriteUrl(url, options.mirror);
  let response: Response;
  try {
    response = await fetch(target, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw failed(target, `cannot reach it (${(error as Error).message}). Check the network, or use --mirror FROM=TO with a copy of the feed`, { cause: error });
  }
  if (!response.ok) throw failed(target, `the server answered ${response.status} while fetching ${what}`);
  try {
    return await response.json();
  } catch (error) {
    throw failed(target, `${what} is not JSON`, { cause: error });
  }
}

function field(value: unknown, key: string, where: string): unknown {
  if (typeof value !== 'object' || value === null || !(key in value)) {
    throw failed(where, `the answer has no "${key}"; is this a NuGet v3 feed?`);
  }
  return (value as Record<string, unknown>)[key];
}

function resourceUrl(index: unknown, indexUrl: string, typePrefix: string): string {
  const resources = field(index, 'resources', indexUrl);
  const found = Array.isArray(resources)
    ? resources.find((entry: Record<string, unknown>) => typeof entry['@type'] === 'string' && entry['@type'].startsWith(typePrefix))
    : undefined;
  const url = found ? (found as Record<string, unknown>)['@id'] : undefined;
  if (typeof url !== 'string') throw failed(indexUrl, `the service index lists no ${typePrefix} resource`);
  return url.endsWith('/') ? url : `${url}/`;
}

/** Finds a package's download URL and the hash the feed states for it. */
export async function resolveNugetPackage(feedIndex: string, id: string, version: string, options: FeedOptions = {}): Promise<ResolvedPackage> {
  const lowerId = id.toLowerCase();
  const lowerVersion = version.toLowerCase();
  const index = await getJson(feedIndex, options, 'the service index');
  const flat = resourceUrl(index, feedIndex, 'PackageBaseAddress/3.0.0');
  const registrations = resourceUrl(index, feedIndex, 'RegistrationsBaseUrl');
  const leafUrl = `${registrations}${lowerId}/${lowerVersion}.json`;
  const leaf = await getJson(leafUrl, options, `the registration of ${id} ${version}`);
  const catalogUrl = field(leaf, 'catalogEntry', leafUrl);
  if (typeof catalogUrl !== 'string') throw failed(leafUrl, 'its catalogEntry is not a URL');
  const entry = await getJson(catalogUrl, options, `the catalog entry of ${id} ${version}`);
  const algorithm = String(field(entry, 'packageHashAlgorithm', catalogUrl)).toLowerCase();
  const base64 = field(entry, 'packageHash', catalogUrl);
  if ((algorithm !== 'sha512' && algorithm !== 'sha256') || typeof base64 !== 'string') {
    throw failed(catalogUrl, `it states no usable package hash (${algorithm})`);
  }
  return {
    packageUrl: rewriteUrl(`${flat}${lowerId}/${lowerVersion}/${lowerId}.${lowerVersion}.nupkg`, options.mirror),
    hash: { algorithm, base64 },
  };
}
