// The GPU section offers an install only where it can help: the status the
// engine reports (from its real prerequisite check, fed library listings
// here) is turned into what Settings says. No NVIDIA driver: no install, and
// the reason; not Linux x64: nothing offered; driver and libraries present:
// install; installed: its size, and whether it is in use now.
import { describe, expect, it } from 'vitest';
import type { GpuStatus } from '../../../engine/gpu/gpu-setup.ts';
import { checkCudaPrerequisites } from '../../../engine/gpu/cuda-prerequisites.ts';
import { gpuStatusView } from '../../../engine/api/handlers/gpu-handlers.ts';
import { gpuInstallFraction, gpuSetupView } from '../../../renderer/gpu-setup-view.ts';

const ALL = ['libcuda.so.1', 'libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12', 'libcufft.so.11', 'libcurand.so.10', 'libcudnn.so.9', 'libnvinfer.so.10'];

function status(available: readonly string[], overrides: Partial<GpuStatus> = {}, platform = 'linux-x64'): GpuStatus {
  return {
    onnxruntimeVersion: '1.30.0',
    providerPackage: { id: 'Microsoft.ML.OnnxRuntime.Gpu.Linux', version: '1.30.0' },
    runtime: { source: 'app', reason: 'the app\'s own onnxruntime-node' } as GpuStatus['runtime'],
    damaged: [],
    prerequisites: checkCudaPrerequisites({ available: new Set(available), platform }),
    ...overrides,
  };
}

describe('the GPU section of Settings', () => {
  it('offers no install without an NVIDIA driver, and says why', () => {
    const view = gpuStatusView(status([]), false);
    expect(view.nvidiaDriver).toBe('missing');
    const shown = gpuSetupView(view);
    expect(shown.kind).toBe('no-nvidia');
    if (shown.kind === 'no-nvidia') expect(shown.missing.map((entry) => entry.what)).toContain('the NVIDIA driver');
  });

  it('offers nothing off Linux x64 or without a provider package', () => {
    expect(gpuSetupView(gpuStatusView(status(ALL, {}, 'win32-x64'), false))).toMatchObject({ kind: 'not-offered' });
    const noPackage = gpuStatusView(status(ALL, { providerPackage: { unavailable: 'no CUDA package for onnxruntime-node 9.9.9' } }), false);
    expect(gpuSetupView(noPackage)).toEqual({ kind: 'not-offered', detail: 'no CUDA package for onnxruntime-node 9.9.9' });
  });

  it('offers the install with a driver, and lists what else is missing', () => {
    expect(gpuSetupView(gpuStatusView(status(ALL), false))).toEqual({ kind: 'ready', missing: [] });
    const partial = gpuSetupView(gpuStatusView(status(['libcuda.so.1']), false));
    expect(partial.kind).toBe('ready');
    if (partial.kind === 'ready') expect(partial.missing.map((entry) => entry.what)).toContain('cuDNN 9');
  });

  it('shows an install with its size, in use now or from the next start', () => {
    expect(gpuSetupView(gpuStatusView(status(ALL), true, 412_000_000))).toMatchObject({ kind: 'installed', active: false, sizeBytes: 412_000_000 });
    const active = gpuStatusView(status(ALL, { runtime: { source: 'gpu-install', reason: 'installed' } as GpuStatus['runtime'] }), true, 5);
    expect(gpuSetupView(active)).toMatchObject({ kind: 'installed', active: true, sizeBytes: 5 });
    // A size is only reported for an install.
    expect(gpuStatusView(status(ALL), false, 99).installedBytes).toBeNull();
  });

  it('turns install progress into a fraction that never goes back', () => {
    const steps = [
      gpuInstallFraction({ type: 'progress', stage: 'resolve', bytes: null, totalBytes: null }),
      gpuInstallFraction({ type: 'progress', stage: 'download', bytes: 10, totalBytes: 100 }),
      gpuInstallFraction({ type: 'progress', stage: 'download', bytes: 100, totalBytes: 100 }),
      gpuInstallFraction({ type: 'progress', stage: 'extract', bytes: null, totalBytes: null }),
      gpuInstallFraction({ type: 'progress', stage: 'place', bytes: null, totalBytes: null }),
    ] as number[];
    expect(steps[0]).toBe(0);
    expect(steps[1]).toBeCloseTo(0.09);
    for (let index = 1; index < steps.length; index++) expect(steps[index]).toBeGreaterThanOrEqual(steps[index - 1] as number);
    expect(gpuInstallFraction({ type: 'progress', stage: 'download', bytes: 10, totalBytes: null })).toBeNull();
    expect(gpuInstallFraction(null)).toBeNull();
  });
});
