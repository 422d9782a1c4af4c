// The typed API's GPU methods (`gpu:status`, `gpu:install`, `gpu:remove`),
// for the Settings screen: the same set-up as `framesmith gpu`, over the
// data folder's gpu/ subfolder. An install takes effect when the engine's
// inference worker next starts (the app's next start): one process loads
// one onnxruntime.
import path from 'node:path';
import type { GpuStatusView } from '../../../common/api/api-types.ts';
import type { ApiHandlers } from '../api-dispatcher.ts';
import { gpuStatus, installGpuProviders, removeGpuProviders, type GpuStatus } from '../../gpu/gpu-setup.ts';

export function gpuStatusView(status: GpuStatus, installed: boolean): GpuStatusView {
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
  };
}

/**
 * Handlers for the data folder `dataDir`. `loadedSource` is what the running
 * engine's worker loaded (runtime.source reports that, not the disk).
 */
export function gpuHandlers(dataDir: string, loadedSource: () => { source: 'app' | 'gpu-install'; reason: string }): ApiHandlers {
  const gpuDir = path.join(dataDir, 'gpu');
  const view = async (): Promise<GpuStatusView> => {
    const status = await gpuStatus(gpuDir);
    const installed = status.runtime.source === 'gpu-install';
    return gpuStatusView({ ...status, runtime: { ...status.runtime, ...loadedSource() } }, installed);
  };
  return {
    'gpu:status': async () => view(),
    'gpu:install': async (_request, { signal }) => {
      await installGpuProviders(gpuDir, { signal });
      return view();
    },
    'gpu:remove': async () => {
      await removeGpuProviders(gpuDir);
      return view();
    },
  };
}
