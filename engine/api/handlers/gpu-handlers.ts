// The typed API's GPU methods (`gpu:status`, `gpu:install`, `gpu:remove`),
// for the Settings screen: the same set-up as `framesmith gpu`, over the
// data folder's gpu/ subfolder. An install takes effect when the engine's
// inference worker next starts (the app's next start): one process loads
// one onnxruntime. Install progress goes out as `gpu` events.
import * as fs from 'node:fs/promises';
import path from 'node:path';
import type { GpuEvent, GpuStatusView } from '../../../common/api/api-types.ts';
import type { ApiHandlers } from '../api-dispatcher.ts';
import { cudaRuntimeDir, GPU_MANIFEST, type GpuRuntimeManifest } from '../../gpu/cuda-runtime-install.ts';
import { NVIDIA_DRIVER } from '../../gpu/cuda-prerequisites.ts';
import { gpuStatus, installGpuProviders, removeGpuProviders, type GpuStatus } from '../../gpu/gpu-setup.ts';

/** The bytes an install's libraries take, from its manifest; null without a finished install. */
async function installedBytesOf(gpuDir: string, onnxruntimeVersion: string): Promise<number | null> {
  if (!onnxruntimeVersion) return null;
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(cudaRuntimeDir(gpuDir, onnxruntimeVersion), GPU_MANIFEST), 'utf8')) as GpuRuntimeManifest;
    return manifest.libraries.reduce((sum, library) => sum + library.size, 0);
  } catch {
    return null;
  }
}

export function gpuStatusView(status: GpuStatus, installed: boolean, installedBytes: number | null = null): GpuStatusView {
  const source = status.providerPackage;
  return {
    onnxruntimeVersion: status.onnxruntimeVersion,
    providerPackage: 'id' in source ? { id: source.id, version: source.version } : null,
    ...('unavailable' in source ? { unavailable: source.unavailable } : {}),
    runtime: { source: status.runtime.source, reason: status.runtime.reason },
    installed,
    prerequisites: {
      checked: status.prerequisites.checked,
      summary: status.prerequisites.summary,
      missing: status.prerequisites.missing.map(({ what, hint, neededFor }) => ({ what, hint, neededFor })),
    },
    nvidiaDriver: !status.prerequisites.checked ? 'unchecked' : status.prerequisites.missing.includes(NVIDIA_DRIVER) ? 'missing' : 'found',
    installedBytes: installed ? installedBytes : null,
  };
}

/**
 * Handlers for the data folder `dataDir`. `loadedSource` is what the running
 * engine's worker loaded (runtime.source reports that, not the disk).
 */
export function gpuHandlers(dataDir: string, loadedSource: () => { source: 'app' | 'gpu-install'; reason: string }, emit: (event: GpuEvent) => void = () => undefined): ApiHandlers {
  const gpuDir = path.join(dataDir, 'gpu');
  const view = async (): Promise<GpuStatusView> => {
    const status = await gpuStatus(gpuDir);
    const installed = status.runtime.source === 'gpu-install';
    return gpuStatusView({ ...status, runtime: { ...status.runtime, ...loadedSource() } }, installed, await installedBytesOf(gpuDir, status.onnxruntimeVersion));
  };
  return {
    'gpu:status': async () => view(),
    'gpu:install': async (_request, { signal }) => {
      await installGpuProviders(gpuDir, {
        signal,
        onProgress: (progress) => emit({ type: 'progress', stage: progress.stage, bytes: progress.bytes ?? null, totalBytes: progress.totalBytes ?? null }),
      });
      return view();
    },
    'gpu:remove': async () => {
      await removeGpuProviders(gpuDir);
      return view();
    },
  };
}
