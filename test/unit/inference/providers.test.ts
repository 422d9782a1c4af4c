import { listSupportedBackends } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { PROVIDER_NAMES } from '../../../engine/inference/inference-backend.ts';
import { describeProviders, detectProviderEnvironment, firstWorkingProvider, parseProviderPreference, planProviders } from '../../../engine/inference/providers.ts';
import type { ProviderEnvironment } from '../../../engine/inference/providers.ts';
import { classifyRuntimeError, isOutOfMemoryMessage } from '../../../engine/inference/runtime-errors.ts';
import { isFramesmithError } from '../../../common/errors.ts';

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('providers on this machine', () => {
  const environment = detectProviderEnvironment(listSupportedBackends());

  it('reports every provider, with a reason for each one that cannot run', () => {
    const described = describeProviders(environment);
    expect(described.map((entry) => entry.provider)).toEqual([...PROVIDER_NAMES]);
    expect(described.find((entry) => entry.provider === 'cpu')?.skippedBecause).toBeUndefined();
    if (process.platform === 'linux') {
      expect(described.find((entry) => entry.provider === 'dml')?.skippedBecause).toMatch(/Windows/);
      expect(described.find((entry) => entry.provider === 'coreml')?.skippedBecause).toMatch(/macOS/);
    }
  });

  it('plans webgpu (where a GPU device exists) then cpu in auto mode here, with cuda skipped because its libraries are missing', () => {
    const plan = planProviders('auto', environment);
    expect(plan.candidates.at(-1)).toBe('cpu');
    if (process.platform === 'linux' && process.arch === 'x64' && !process.env.FRAMESMITH_TEST_CUDA) {
      expect(plan.candidates).toEqual(environment.hasGpuDevice ? ['webgpu', 'cpu'] : ['cpu']);
      if (!environment.hasGpuDevice) {
        expect(plan.skipped.find((entry) => entry.provider === 'webgpu')?.skippedBecause).toMatch(/no GPU device found/);
      }
      expect(plan.skipped.find((entry) => entry.provider === 'cuda')?.skippedBecause).toMatch(/libonnxruntime_providers_cuda\.so.*not installed/);
    }
  });

  it('leaves webgpu out of auto on Linux without a GPU device, but lets it be forced', () => {
    const headless = { ...environment, platform: 'linux' as const, hasGpuDevice: false };
    expect(planProviders('auto', headless).candidates).not.toContain('webgpu');
    expect(planProviders('webgpu', headless).candidates).toEqual(['webgpu']);
    const withGpu = { ...headless, hasGpuDevice: true };
    expect(planProviders('auto', withGpu).candidates).toContain('webgpu');
  });

  it('fails a forced provider that cannot run here with PROVIDER_UNAVAILABLE and the reason', () => {
    const error = caught(() => planProviders('coreml', environment));
    expect(isFramesmithError(error) && error.code).toBe(process.platform === 'darwin' ? false : 'PROVIDER_UNAVAILABLE');
    if (process.platform === 'linux') {
      const cuda = caught(() => planProviders('cuda', environment));
      expect(isFramesmithError(cuda) && cuda.code).toBe('PROVIDER_UNAVAILABLE');
      expect((cuda as Error).message).toMatch(/"cuda".*not installed/);
    }
  });

  it('rejects an unknown provider name and lists the valid ones', () => {
    const error = caught(() => parseProviderPreference('vulkan'));
    expect(isFramesmithError(error) && error.code).toBe('INVALID_ARGUMENT');
    expect((error as Error).message).toContain('auto, tensorrt, cuda, dml, coreml, webgpu, cpu');
    expect(parseProviderPreference('cpu')).toBe('cpu');
  });
});

describe('provider planning by platform', () => {
  const windows: ProviderEnvironment = {
    platform: 'win32', arch: 'x64', bindingDir: '/nonexistent',
    backends: [{ name: 'cpu', bundled: true }, { name: 'dml', bundled: true }, { name: 'webgpu', bundled: true }, { name: 'cuda', bundled: false }],
  };
  const mac: ProviderEnvironment = {
    platform: 'darwin', arch: 'arm64', bindingDir: '/nonexistent',
    backends: [{ name: 'cpu', bundled: true }, { name: 'coreml', bundled: true }, { name: 'webgpu', bundled: true }],
  };

  it('prefers DirectML on Windows and CoreML on macOS, CPU last', () => {
    expect(planProviders('auto', windows).candidates).toEqual(['dml', 'webgpu', 'cpu']);
    expect(planProviders('auto', mac).candidates).toEqual(['coreml', 'webgpu', 'cpu']);
    expect(planProviders('auto', mac).skipped.find((entry) => entry.provider === 'cuda')?.skippedBecause).toMatch(/Linux and Windows x64/);
  });

  it('falls back in order and records why each provider failed', async () => {
    const plan = planProviders('auto', windows);
    const result = await firstWorkingProvider(plan, 'auto', async (provider) => {
      if (provider !== 'cpu') throw new Error(`/src/ep.cc:12 ${provider} exploded\nsecond line`);
      return 42;
    });
    expect(result.value).toBe(42);
    expect(result.chosen).toBe('cpu');
    expect(result.attempts.find((entry) => entry.provider === 'dml')?.skippedBecause).toBe('failed: dml exploded');
    expect(result.attempts.find((entry) => entry.provider === 'cpu')?.skippedBecause).toBeUndefined();
  });

  it('turns the failure of a forced provider into PROVIDER_UNAVAILABLE', async () => {
    const plan = planProviders('dml', windows);
    await expect(firstWorkingProvider(plan, 'dml', () => Promise.reject(new Error('no adapter')))).rejects.toMatchObject({ code: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining('no adapter') });
  });
});

describe('runtime error classification', () => {
  it('recognises onnxruntime out-of-memory messages and nothing else', () => {
    expect(isOutOfMemoryMessage('/onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:359 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*, bool, onnxruntime::WaitNotificationFn) Failed to allocate memory for requested buffer of size 8589934592')).toBe(true);
    expect(isOutOfMemoryMessage('CUDA failure 2: out of memory ; GPU=0')).toBe(true);
    expect(isOutOfMemoryMessage('std::bad_alloc')).toBe(true);
    expect(isOutOfMemoryMessage('Got invalid dimensions for input: input for the following indices')).toBe(false);
    expect(classifyRuntimeError(new Error('Failed to allocate memory'), 'm', 'running m').code).toBe('OUT_OF_MEMORY');
    expect(classifyRuntimeError(new Error('Invalid rank'), 'm', 'running m').code).toBe('INFERENCE_FAILED');
  });
});
