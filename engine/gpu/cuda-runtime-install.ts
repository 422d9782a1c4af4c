// `framesmith gpu install cuda`: puts the CUDA and TensorRT execution
// providers that match the installed onnxruntime-node into the per-user data
// folder, never into the application folder (an AppImage or a system install
// is read-only, and an upgrade would wipe it).
//
// Why a private copy of onnxruntime-node: onnxruntime loads a provider
// library from the folder of the libonnxruntime it runs from (its runtime
// path, found with dladdr), not from a search path. So the user folder gets
// a small package of its own: onnxruntime-node's JavaScript and binding,
// libonnxruntime (hard-linked where the file system allows, else copied) and
// the three provider libraries beside it; its onnxruntime-common is a link to
// the app's, so tensors stay one class. The inference worker imports that
// package instead of the app's when it is installed and matches
// (onnxruntime-choice.ts). Every step goes to a staging folder renamed into
// place at the end: a failed or cancelled install leaves the old state.
import { createHash } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { BugError, CancelledError, DownloadFailedError } from '../../common/errors.ts';
import { unpackedAsarPath } from '../media/ffmpeg-locator.ts';
import type { CudaProviderPackage } from './cuda-package.ts';
import { extractZipEntries } from './zip-entries.ts';
import { resolveNugetPackage, type FeedOptions } from './nuget-feed.ts';

/** Written last into an installed folder; its presence means the install finished. */
export const GPU_MANIFEST = 'framesmith-gpu.json';

export interface GpuRuntimeManifest {
  onnxruntimeVersion: string;
  packageId: string;
  packageVersion: string;
  packageUrl: string;
  packageHash: { algorithm: string; base64: string };
  libraries: { name: string; size: number; sha256: string }[];
  installedAt: string;
}

export interface InstallProgress {
  stage: 'resolve' | 'download' | 'extract' | 'place';
  /** Bytes downloaded so far and the total, when known. */
  bytes?: number;
  totalBytes?: number;
}

export interface CudaInstallOptions extends FeedOptions {
  /** Parent of the installs: `<data>/gpu`. */
  gpuDir: string;
  package: CudaProviderPackage;
  /** A hash known in advance; the feed's stated hash is used otherwise. */
  pinnedHash?: { algorithm: 'sha512' | 'sha256'; base64: string };
  onProgress?: (progress: InstallProgress) => void;
}

/** The folder an install of this onnxruntime-node version lives in. */
export function cudaRuntimeDir(gpuDir: string, onnxruntimeVersion: string): string {
  return path.join(gpuDir, `onnxruntime-node-${onnxruntimeVersion}-cuda`);
}

/** The binding folder inside a package folder (where libonnxruntime and the providers sit). */
export function bindingDirOf(packageDir: string, platform: string = process.platform, arch: string = process.arch): string {
  return path.join(packageDir, 'bin', 'napi-v6', platform, arch);
}

async function download(url: string, target: string, algorithm: string, options: CudaInstallOptions): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError();
    throw new DownloadFailedError(`${url} (${(error as Error).message})`, { cause: error });
  }
  if (!response.ok || !response.body) throw new DownloadFailedError(`${url} (the server answered ${response.status})`);
  const totalBytes = Number(response.headers.get('content-length')) || undefined;
  const hash = createHash(algorithm);
  let bytes = 0;
  let reported = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      if (bytes - reported >= 4 * 1024 * 1024 || bytes === totalBytes) {
        reported = bytes;
        options.onProgress?.({ stage: 'download', bytes, totalBytes });
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), meter, createWriteStream(target), { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError();
    throw new DownloadFailedError(`${url} (${(error as Error).message})`, { cause: error });
  }
  return hash.digest('base64');
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  await fs.link(from, to).catch(() => fs.copyFile(from, to));
}

/** The folder of the package `name` that holds `file` (its exports hide package.json from require.resolve). */
async function packageRoot(file: string, name: string): Promise<string> {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = await fs.readFile(path.join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (manifest && (JSON.parse(manifest) as { name?: string }).name === name) return dir;
  }
  throw new BugError(`No package.json of ${name} above ${file}`);
}

/** Copies onnxruntime-node's package.json, JavaScript and this platform's binding into `packageDir`. */
async function copyOnnxruntimePackage(sourceDir: string, packageDir: string): Promise<void> {
  const source = unpackedAsarPath(sourceDir);
  await fs.mkdir(path.join(packageDir, 'dist'), { recursive: true });
  await fs.copyFile(path.join(source, 'package.json'), path.join(packageDir, 'package.json'));
  for (const name of await fs.readdir(path.join(source, 'dist'))) {
    if (name.endsWith('.js')) await fs.copyFile(path.join(source, 'dist', name), path.join(packageDir, 'dist', name));
  }
  const fromBinding = bindingDirOf(source);
  const toBinding = bindingDirOf(packageDir);
  await fs.mkdir(toBinding, { recursive: true });
  for (const name of await fs.readdir(fromBinding)) await linkOrCopy(path.join(fromBinding, name), path.join(toBinding, name));
  // One onnxruntime-common for the app and this copy: Tensor stays one class.
  const common = await packageRoot(createRequire(path.join(source, 'package.json')).resolve('onnxruntime-common'), 'onnxruntime-common');
  await fs.mkdir(path.join(packageDir, 'node_modules'), { recursive: true });
  await fs.symlink(unpackedAsarPath(common), path.join(packageDir, 'node_modules', 'onnxruntime-common'), 'junction');
}

/**
 * Downloads the provider package, checks its hash, extracts the provider
 * libraries beside a private copy of onnxruntime-node, and moves the result
 * into place. DownloadFailedError when the hash differs (nothing is kept).
 */
export async function installCudaRuntime(options: CudaInstallOptions): Promise<{ dir: string; manifest: GpuRuntimeManifest }> {
  const pkg = options.package;
  options.onProgress?.({ stage: 'resolve' });
  const resolved = await resolveNugetPackage(pkg.feedIndex, pkg.packageId, pkg.packageVersion, options);
  const expected = options.pinnedHash ?? resolved.hash;
  await fs.mkdir(options.gpuDir, { recursive: true });
  const staging = await fs.mkdtemp(path.join(options.gpuDir, '.staging-'));
  try {
    const nupkg = path.join(staging, `${pkg.packageId.toLowerCase()}.${pkg.packageVersion}.nupkg`);
    const actual = await download(resolved.packageUrl, nupkg, expected.algorithm, options);
    if (actual !== expected.base64) {
      throw new DownloadFailedError(`${pkg.packageId} ${pkg.packageVersion} (its ${expected.algorithm} differs from the one stated for it: damaged or replaced on the way; nothing was installed)`, {
        detail: `${resolved.packageUrl}: ${expected.algorithm} ${actual}, expected ${expected.base64}`,
      });
    }
    const packageDir = path.join(staging, 'package');
    options.onProgress?.({ stage: 'extract' });
    await copyOnnxruntimePackage(pkg.onnxruntimeDir, packageDir);
    const bindingDir = bindingDirOf(packageDir);
    const extracted = await extractZipEntries(nupkg, pkg.libraries.map((library) => [library.pathInPackage, path.join(bindingDir, library.name)] as const), options.signal);
    await fs.rm(nupkg);
    const manifest: GpuRuntimeManifest = {
      onnxruntimeVersion: pkg.onnxruntimeVersion,
      packageId: pkg.packageId,
      packageVersion: pkg.packageVersion,
      packageUrl: resolved.packageUrl,
      packageHash: expected,
      libraries: extracted.map((entry) => ({ name: path.basename(entry.target), size: entry.size, sha256: entry.sha256 })),
      installedAt: new Date().toISOString(),
    };
    await fs.writeFile(path.join(packageDir, GPU_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    options.onProgress?.({ stage: 'place' });
    const dir = cudaRuntimeDir(options.gpuDir, pkg.onnxruntimeVersion);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(packageDir, dir);
    return { dir, manifest };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** Removes the install for this onnxruntime-node version (true when there was one). */
export async function removeCudaRuntime(gpuDir: string, onnxruntimeVersion: string): Promise<boolean> {
  const dir = cudaRuntimeDir(gpuDir, onnxruntimeVersion);
  const existed = await fs.stat(dir).then(() => true, () => false);
  await fs.rm(dir, { recursive: true, force: true });
  return existed;
}
