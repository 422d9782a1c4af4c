// Provider reasons carry a kind the GUI words itself and a technical detail
// with no command in it; the CLI's full text keeps the command. Every kind the
// engine produces maps to a sentence in English and German.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInstance, type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_REASON_KINDS } from '../../../common/api/api-types.ts';
import type { ProviderReasonKind } from '../../../common/api/api-types.ts';
import { ProviderUnavailableError } from '../../../common/errors.ts';
import { providerStatus } from '../../../engine/api/handlers/system-handlers.ts';
import { PROVIDER_NAMES } from '../../../engine/inference/inference-backend.ts';
import type { ProviderName } from '../../../engine/inference/inference-backend.ts';
import { checkCudaPrerequisites, CUDA_PREREQUISITES } from '../../../engine/gpu/cuda-prerequisites.ts';
import { describeProviders, firstWorkingProvider, planProviders, withCudaPrerequisites } from '../../../engine/inference/providers.ts';
import type { ProviderEnvironment } from '../../../engine/inference/providers.ts';
import { guiMessage } from '../../../renderer/gui-error.ts';
import de from '../../../renderer/i18n/de.json' with { type: 'json' };
import en from '../../../renderer/i18n/en.json' with { type: 'json' };
import { providerReasonText } from '../../../renderer/provider-reason.ts';

const allListed = PROVIDER_NAMES.map((name) => ({ name, bundled: name === 'cpu' || name === 'webgpu' || name === 'dml' || name === 'coreml' }));

function environment(patch: Partial<ProviderEnvironment>): ProviderEnvironment {
  return { platform: 'linux', arch: 'x64', backends: allListed, bindingDir: '/nonexistent/binding-dir', hasGpuDevice: false, ...patch };
}

function kindsOf(env: ProviderEnvironment): Partial<Record<ProviderName, ProviderReasonKind | 'usable'>> {
  return Object.fromEntries(describeProviders(env).map((attempt) => [attempt.provider, attempt.skippedBecause === undefined ? 'usable' : attempt.kind]));
}

let english: TFunction;
let german: TFunction;

beforeAll(async () => {
  const make = async (lng: string, translation: object): Promise<TFunction> => {
    const instance = createInstance();
    await instance.init({ resources: { [lng]: { translation } }, lng, interpolation: { escapeValue: false } });
    return instance.t;
  };
  english = await make('en', en);
  german = await make('de', de);
});

describe('provider reasons as kinds', () => {
  it('says why each provider is out on Linux x64 without a GPU or the CUDA libraries', () => {
    expect(kindsOf(environment({}))).toEqual({ tensorrt: 'not-installed', cuda: 'not-installed', dml: 'wrong-os', coreml: 'wrong-os', webgpu: 'no-gpu-found', cpu: 'usable' });
  });

  it('says wrong-os for CUDA on a Mac and not-in-build for a build that lacks a provider', () => {
    const mac = environment({ platform: 'darwin', arch: 'arm64', hasGpuDevice: undefined, backends: allListed.filter((entry) => entry.name !== 'coreml') });
    expect(kindsOf(mac)).toEqual({ tensorrt: 'wrong-os', cuda: 'wrong-os', dml: 'wrong-os', coreml: 'not-in-build', webgpu: 'usable', cpu: 'usable' });
  });

  it('keeps the command in the CLI text and out of the detail the GUI shows', () => {
    const cuda = describeProviders(environment({})).find((attempt) => attempt.provider === 'cuda');
    expect(cuda?.skippedBecause).toMatch(/libonnxruntime_providers_cuda\.so.*not installed.*: run framesmith gpu install cuda$/);
    expect(cuda?.detail).toMatch(/libonnxruntime_providers_cuda\.so.*\/nonexistent\/binding-dir/);
    expect(cuda?.detail).not.toMatch(/framesmith /);
    const shown = providerStatus(describeProviders(environment({})));
    for (const status of shown) expect(status.reason ?? '').not.toMatch(/framesmith |choose the/);
    expect(shown.find((status) => status.provider === 'cuda')).toEqual({ provider: 'cuda', available: false, kind: 'not-installed', reason: cuda?.detail });
  });

  it('says driver-missing for installed CUDA/TensorRT providers on a machine without the NVIDIA driver or TensorRT', async () => {
    const bindingDir = await mkdtemp(path.join(os.tmpdir(), 'fs-provider-libraries-'));
    try {
      for (const file of ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_tensorrt.so']) await writeFile(path.join(bindingDir, file), '');
      const described = describeProviders(environment({ bindingDir }));
      expect(kindsOf(environment({ bindingDir }))).toMatchObject({ tensorrt: 'usable', cuda: 'usable' });
      const allCuda = new Set(CUDA_PREREQUISITES.filter((entry) => entry.neededFor === 'cuda').map((entry) => entry.libraries[0]!));
      const noDriver = withCudaPrerequisites(described, () => checkCudaPrerequisites({ available: new Set([...allCuda].filter((name) => name !== 'libcuda.so.1')), platform: 'linux-x64' }));
      expect(noDriver.find((attempt) => attempt.provider === 'cuda')).toMatchObject({ kind: 'driver-missing', detail: 'this machine lacks the NVIDIA driver (libcuda.so.1)' });
      expect(noDriver.find((attempt) => attempt.provider === 'cuda')?.skippedBecause).toMatch(/: install the NVIDIA driver for your card/);
      expect(noDriver.find((attempt) => attempt.provider === 'tensorrt')?.detail).toBe('this machine lacks the NVIDIA driver (libcuda.so.1), TensorRT 10 (libnvinfer.so.10)');
      const noTensorRt = withCudaPrerequisites(described, () => checkCudaPrerequisites({ available: allCuda, platform: 'linux-x64' }));
      expect(noTensorRt.filter((attempt) => attempt.kind === 'driver-missing').map((attempt) => attempt.provider)).toEqual(['tensorrt']);
      expect(noTensorRt.find((attempt) => attempt.provider === 'cuda')?.skippedBecause).toBeUndefined();
      let checks = 0;
      withCudaPrerequisites(describeProviders(environment({})), () => {
        checks += 1;
        return checkCudaPrerequisites({ available: new Set(), platform: 'linux-x64' });
      });
      expect(checks, 'no library listing is read when CUDA is out anyway').toBe(0);
    } finally {
      await rm(bindingDir, { recursive: true, force: true });
    }
  });

  it('marks providers left out of a forced choice, chosen after an earlier one, or failed', async () => {
    const env = environment({ hasGpuDevice: true });
    expect(planProviders('cpu', env).skipped.every((attempt) => attempt.kind === 'other-requested')).toBe(true);
    const result = await firstWorkingProvider(planProviders('auto', env), 'auto', async (provider) => {
      if (provider === 'webgpu') throw new Error('webgpu_provider.cc:12 No adapter found');
      return provider;
    });
    expect(result.attempts.find((attempt) => attempt.provider === 'webgpu')).toMatchObject({ kind: 'failed', detail: 'No adapter found', skippedBecause: 'failed: No adapter found' });
    const both = await firstWorkingProvider(planProviders('auto', env), 'auto', async (provider) => provider);
    expect(both.chosen).toBe('webgpu');
    expect(both.attempts.find((attempt) => attempt.provider === 'cpu')?.kind).toBe('earlier-chosen');
  });

  it('words every kind in English and German with no command, file name or key left', () => {
    for (const t of [english, german]) {
      for (const kind of PROVIDER_REASON_KINDS) {
        for (const provider of PROVIDER_NAMES) {
          const text = providerReasonText(t, { provider, available: false, kind, reason: 'libx.so in /a/b' });
          expect(text, `${kind} ${provider}`).not.toMatch(/^providers\.|framesmith |\.so|\/a\/b|\{\{/);
          expect(text.length).toBeGreaterThan(8);
        }
      }
    }
    expect(providerReasonText(english, { provider: 'cuda', available: false, kind: 'not-installed' })).toBe('Needs the NVIDIA CUDA runtime: install it below, under “GPU acceleration (NVIDIA)”.');
    expect(providerReasonText(english, { provider: 'dml', available: false, kind: 'wrong-os' })).toBe('Only on Windows.');
    expect(providerReasonText(english, { provider: 'cpu', available: true })).toBe('available');
    expect(providerReasonText(english, { provider: 'cuda', available: false, reason: 'from an older server' })).toBe('not available');
  });

  it('words a forced provider whose GPU runtime is missing in the GUI, while the CLI keeps the command', () => {
    let error: unknown;
    try {
      planProviders('cuda', environment({}));
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    const serialized = (error as ProviderUnavailableError).toJSON();
    expect(serialized).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', hint: { field: 'processing.provider', action: 'install-gpu-runtime' } });
    expect(serialized.userMessage).toMatch(/framesmith gpu install cuda/);
    expect(guiMessage(english, serialized)).toMatch(/needs the NVIDIA CUDA runtime: install it in Settings, under “GPU acceleration \(NVIDIA\)”/);
    expect(guiMessage(english, serialized)).not.toMatch(/framesmith |\.so/);
  });
});
