// The GPU set-up a user drives (`framesmith gpu ...`, the Settings screen):
// status (what is installed, what the worker will load, what the machine
// lacks), install and remove of the CUDA/TensorRT providers. One place for
// the CLI and the API to call, over the per-user folder `<data>/gpu`.
import { throwIfCancelled } from '../../common/errors.ts';
import { cudaProviderPackage } from './cuda-package.ts';
import { checkCudaPrerequisites, type PrerequisiteReport } from './cuda-prerequisites.ts';
import { installCudaRuntime, removeCudaRuntime, type GpuRuntimeManifest, type InstallProgress } from './cuda-runtime-install.ts';
import type { FeedOptions } from './nuget-feed.ts';
import { chooseOnnxRuntime, verifyCudaRuntime, type OnnxRuntimeChoice } from './onnxruntime-choice.ts';

export interface GpuStatus {
  onnxruntimeVersion: string;
  /** The NuGet package the providers come from (for this onnxruntime-node), or why there is none here. */
  providerPackage: { id: string; version: string } | { unavailable: string };
  /** What the inference worker loads, and why. */
  runtime: OnnxRuntimeChoice;
  /** Installed libraries whose SHA-256 no longer matches the install record (only with `verify`). */
  damaged: string[];
  prerequisites: PrerequisiteReport;
}

export async function gpuStatus(gpuDir: string, options: { verify?: boolean } = {}): Promise<GpuStatus> {
  let providerPackage: GpuStatus['providerPackage'];
  let onnxruntimeVersion = '';
  try {
    const pkg = cudaProviderPackage();
    providerPackage = { id: pkg.packageId, version: pkg.packageVersion };
    onnxruntimeVersion = pkg.onnxruntimeVersion;
  } catch (error) {
    providerPackage = { unavailable: (error as Error).message };
  }
  const runtime = chooseOnnxRuntime(gpuDir);
  const damaged = options.verify && runtime.source === 'gpu-install' ? (await verifyCudaRuntime(gpuDir)).damaged : [];
  return { onnxruntimeVersion, providerPackage, runtime, damaged, prerequisites: checkCudaPrerequisites() };
}

export interface GpuInstallOptions extends FeedOptions {
  onProgress?: (progress: InstallProgress) => void;
}

/**
 * Installs the CUDA/TensorRT providers matching onnxruntime-node into
 * `gpuDir` and reports what else the machine needs. NotSupportedError off
 * Linux x64; DownloadFailedError when the feed cannot be reached or the hash
 * differs; CancelledError on abort.
 */
export async function installGpuProviders(gpuDir: string, options: GpuInstallOptions = {}): Promise<{ dir: string; manifest: GpuRuntimeManifest; prerequisites: PrerequisiteReport }> {
  const pkg = cudaProviderPackage();
  throwIfCancelled(options.signal);
  const { dir, manifest } = await installCudaRuntime({ ...options, gpuDir, package: pkg });
  return { dir, manifest, prerequisites: checkCudaPrerequisites() };
}

export async function removeGpuProviders(gpuDir: string): Promise<boolean> {
  return removeCudaRuntime(gpuDir, cudaProviderPackage().onnxruntimeVersion);
}
