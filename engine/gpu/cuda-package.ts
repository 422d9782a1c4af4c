// Which NuGet package carries the CUDA and TensorRT execution providers that
// match the installed onnxruntime-node, and which files of it are needed:
// read from onnxruntime-node's own install metadata (script/install-metadata.js
// and install-metadata-versions.js), never typed here, so an upgrade of
// onnxruntime-node moves the package version with it.
import { createRequire } from 'node:module';
import path from 'node:path';
import { NotSupportedError } from '../../common/errors.ts';

export interface ProviderLibrary {
  /** File name beside libonnxruntime (e.g. libonnxruntime_providers_cuda.so). */
  name: string;
  /** Path of the file inside the .nupkg (a zip). */
  pathInPackage: string;
}

export interface CudaProviderPackage {
  /** The onnxruntime-node version these libraries must match. */
  onnxruntimeVersion: string;
  /** NuGet package id, e.g. Microsoft.ML.OnnxRuntime.Gpu.Linux. */
  packageId: string;
  packageVersion: string;
  /** NuGet v3 service index the package is resolved from. */
  feedIndex: string;
  libraries: ProviderLibrary[];
  /** The folder of onnxruntime-node (its binding and libonnxruntime are copied from here). */
  onnxruntimeDir: string;
}

interface InstallMetadata {
  requirements: Record<string, string[]>;
  manifests: Record<string, Record<string, { package: string; path: string }>>;
  packages: Record<string, { name: string; versions: { feed: string; version: string }[] }>;
  feeds: Record<string, { type: string; index: string }>;
}

/** Parses onnxruntime-node's install metadata for one platform (exported for tests). */
export function cudaPackageFromMetadata(metadata: InstallMetadata, platform: string, arch: string, onnxruntimeVersion: string, onnxruntimeDir: string): CudaProviderPackage {
  const target = `${platform}/${arch}`;
  const manifestKey = (metadata.requirements[target] ?? []).map((name) => `${target}:${name}`).find((key) => key.endsWith(':cuda12'));
  const manifest = manifestKey ? metadata.manifests[manifestKey] : undefined;
  if (!manifest) {
    throw new NotSupportedError(`CUDA acceleration is offered for Linux x64 only by onnxruntime-node ${onnxruntimeVersion} (this is ${platform}-${arch}).`);
  }
  const entries = Object.entries(manifest);
  const packageKey = entries[0]![1].package;
  const described = metadata.packages[packageKey];
  const candidate = described?.versions[0];
  const feed = candidate ? metadata.feeds[candidate.feed] : undefined;
  if (!described || !candidate || !feed || feed.type !== 'nuget') {
    throw new NotSupportedError(`onnxruntime-node ${onnxruntimeVersion} names no NuGet package for its CUDA provider (${packageKey}).`);
  }
  return {
    onnxruntimeVersion,
    packageId: described.name,
    packageVersion: candidate.version,
    feedIndex: feed.index,
    libraries: entries.map(([file, entry]) => ({ name: path.basename(file), pathInPackage: entry.path })),
    onnxruntimeDir,
  };
}

/** The CUDA provider package for this machine and the installed onnxruntime-node. */
export function cudaProviderPackage(platform: string = process.platform, arch: string = process.arch): CudaProviderPackage {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('onnxruntime-node/package.json');
  const onnxruntimeDir = path.dirname(packageJson);
  const version = (require(packageJson) as { version: string }).version;
  const metadata = require(path.join(onnxruntimeDir, 'script', 'install-metadata.js')) as InstallMetadata;
  return cudaPackageFromMetadata(metadata, platform, arch, version, onnxruntimeDir);
}
