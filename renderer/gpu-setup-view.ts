// What the Settings screen's GPU section says and offers, from `gpu:status`:
// pure, so each case is tested without a browser. An install is offered
// only where it can help (Linux x64, a provider package for this
// onnxruntime, an NVIDIA driver); elsewhere the section says why not, and
// that processing runs on the processor (or WebGPU) instead.
import type { GpuEvent, GpuStatusView } from '../common/api/api-types.ts';

export type GpuSetupView =
  /** No provider package for this machine or platform: nothing to install. */
  | { kind: 'not-offered'; detail: string }
  /** No NVIDIA driver: installing would not help. */
  | { kind: 'no-nvidia'; missing: GpuStatusView['prerequisites']['missing'] }
  /** Installed; active now, or from the next start. */
  | { kind: 'installed'; active: boolean; sizeBytes: number | null; missing: GpuStatusView['prerequisites']['missing'] }
  /** Can be installed; `missing` lists what else the machine lacks (CUDA libraries, TensorRT). */
  | { kind: 'ready'; missing: GpuStatusView['prerequisites']['missing'] };

export function gpuSetupView(status: GpuStatusView): GpuSetupView {
  if (status.installed) return { kind: 'installed', active: status.runtime.source === 'gpu-install', sizeBytes: status.installedBytes, missing: status.prerequisites.missing };
  if (!status.providerPackage || status.nvidiaDriver === 'unchecked') return { kind: 'not-offered', detail: status.unavailable ?? status.prerequisites.summary };
  if (status.nvidiaDriver === 'missing') return { kind: 'no-nvidia', missing: status.prerequisites.missing };
  return { kind: 'ready', missing: status.prerequisites.missing };
}

/** 0..1 of an install in progress: the download is most of it; later stages are short. Null while the size is unknown. */
export function gpuInstallFraction(event: GpuEvent | null): number | null {
  if (!event) return null;
  switch (event.stage) {
    case 'resolve': return 0;
    case 'download': return event.bytes !== null && event.totalBytes ? 0.9 * Math.min(1, event.bytes / event.totalBytes) : null;
    case 'extract': return 0.92;
    case 'place': return 0.97;
  }
}
