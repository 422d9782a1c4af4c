// system:* — what this machine offers (the doctor report as the page shows
// it), which execution providers run here (asked once per process, asked
// again after a failed check), and what kind of host serves the page.
import path from 'node:path';
import type { DoctorView, ProviderStatus } from '../../../common/api/api-types.ts';
import type { DoctorReport } from '../../doctor.ts';
import type { ProviderAttempt } from '../../inference/inference-backend.ts';
import type { ApiHandlers } from '../api-dispatcher.ts';
import type { ApiServices } from '../api-services.ts';

type SystemChannel = Extract<keyof ApiHandlers, `system:${string}`>;

/** Each provider as the UI shows it: the reason's kind to word, and its technical detail without commands to type. */
export function providerStatus(attempts: readonly ProviderAttempt[]): ProviderStatus[] {
  return attempts.map((attempt): ProviderStatus => {
    if (attempt.skippedBecause === undefined) return { provider: attempt.provider, available: true };
    return {
      provider: attempt.provider,
      available: false,
      ...(attempt.kind === undefined ? {} : { kind: attempt.kind }),
      reason: attempt.detail ?? attempt.skippedBecause,
    };
  });
}

export function doctorView(report: DoctorReport): DoctorView {
  const tool = (entry: DoctorReport['ffmpeg']) => ({
    tool: entry.tool,
    found: entry.found
      ? { path: entry.found.path, source: entry.found.source, version: entry.found.version, release: entry.found.release, reason: entry.found.reason }
      : null,
    error: entry.error,
  });
  return {
    ffmpeg: tool(report.ffmpeg),
    ffprobe: tool(report.ffprobe),
    codecs: [...report.codecs],
    providers: providerStatus(report.providers),
    onnxruntimeVersion: report.onnxruntimeVersion,
    models: report.models.map((model) => ({ id: model.id, task: model.task, path: model.path, sizeBytes: model.sizeBytes, state: model.state })),
    missingModels: report.missingModels,
    system: report.system,
  };
}

export function systemHandlers({ engine, host }: Pick<ApiServices, 'engine' | 'host'>): Pick<ApiHandlers, SystemChannel> {
  let providers: Promise<ProviderStatus[]> | undefined;
  const providerList = (signal: AbortSignal): Promise<ProviderStatus[]> => {
    if (!providers) {
      const asking = engine.doctor({ signal }).then((report) => providerStatus(report.providers));
      asking.catch(() => {
        providers = undefined;
      });
      providers = asking;
    }
    return providers;
  };
  return {
    'system:doctor': async (_request, { signal }) => doctorView(await engine.doctor({ signal })),
    'system:providers': async (_request, { signal }) => providerList(signal),
    'system:host': async () => ({ ...host, platform: process.platform, pathSeparator: path.sep }),
  };
}
