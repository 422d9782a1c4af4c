// Execution providers in preference order, each tried in turn with the next
// used on failure: TensorRT, CUDA (Linux x64 and Windows x64, only where the
// CUDA provider libraries are installed: onnxruntime-node downloads them from
// NuGet at install time and lists them as bundled:false), DirectML (Windows),
// CoreML (macOS), WebGPU, CPU. What was chosen and why every other provider
// was skipped or failed is kept in a ProviderReport for the UI, CLI and log.
//
// WebGPU: where no GPU adapter exists (Mesa's software Vulkan, headless
// servers) onnxruntime refuses it with an error in about half a second
// (measured on the 2-core Linux machines) and Dawn prints a few lines to
// stderr; it neither hangs nor crashes. On Linux 'auto' therefore skips it
// when the machine has no GPU device node at all; a forced --provider webgpu
// still tries.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { InvalidArgumentError, ProviderUnavailableError } from '../../common/errors.ts';
import { PROVIDER_NAMES } from './inference-backend.ts';
import type { ProviderAttempt, ProviderName, ProviderPreference } from './inference-backend.ts';

export interface BackendListing {
  name: string;
  bundled: boolean;
}

/** What the machine and the installed onnxruntime-node offer. */
export interface ProviderEnvironment {
  platform: NodeJS.Platform;
  arch: string;
  /** onnxruntime-node's listSupportedBackends(). */
  backends: BackendListing[];
  /** The folder holding onnxruntime_binding.node and any downloaded provider libraries. */
  bindingDir: string;
  /** Linux only: whether a GPU device node exists (/dev/dri/renderD*, /dev/nvidia0). Undefined elsewhere. */
  hasGpuDevice?: boolean;
}

function linuxHasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

export interface ProviderPlan {
  /** Providers to try, best first. */
  candidates: ProviderName[];
  /** Providers left out before any attempt, with the reason. */
  skipped: ProviderAttempt[];
}

/** `bindingDir`: where the loaded binding sits (a GPU install in the data folder); default the app's onnxruntime-node. */
export function detectProviderEnvironment(backends: BackendListing[], bindingDir?: string): ProviderEnvironment {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return {
    platform: process.platform,
    arch: process.arch,
    backends,
    bindingDir: bindingDir ?? path.join(packageDir, 'bin', 'napi-v6', process.platform, process.arch),
    hasGpuDevice: process.platform === 'linux' ? linuxHasGpuDevice() : undefined,
  };
}

/** All cores by default: inference is the heavy part of every job. */
/** Providers whose session options take a GPU index (`deviceId` in onnxruntime-node 1.30's typings). */
export const DEVICE_PROVIDERS = ['cuda', 'tensorrt', 'dml'] as const satisfies readonly ProviderName[];

/** A provider's entry in the session options: with its GPU where it takes one, else just its name. */
export function executionProviderConfig(provider: ProviderName, deviceId?: number): InferenceSession.ExecutionProviderConfig {
  if (deviceId === undefined) return provider;
  if (!Number.isInteger(deviceId) || deviceId < 0) throw new InvalidArgumentError(`Expected a GPU device number (0 or more) but received ${String(deviceId)}.`);
  if (provider === 'cuda' || provider === 'tensorrt' || provider === 'dml') return { name: provider, deviceId };
  return provider;
}

export function defaultThreadCount(): number {
  return os.availableParallelism();
}

export function parseProviderPreference(value: string): ProviderPreference {
  if (value === 'auto' || (PROVIDER_NAMES as readonly string[]).includes(value)) return value as ProviderPreference;
  throw new InvalidArgumentError(`Unsupported execution provider "${value}". Should be one of: auto, ${PROVIDER_NAMES.join(', ')}.`);
}

function providerLibraryFile(provider: 'cuda' | 'tensorrt', platform: NodeJS.Platform): string {
  return platform === 'win32' ? `onnxruntime_providers_${provider}.dll` : `libonnxruntime_providers_${provider}.so`;
}

/** Why a provider cannot be attempted here, or undefined when it can. */
export function providerUnavailableReason(provider: ProviderName, environment: ProviderEnvironment): string | undefined {
  const { platform, arch } = environment;
  const listing = environment.backends.find((backend) => backend.name === provider);
  switch (provider) {
    case 'tensorrt':
    case 'cuda': {
      const supported = (platform === 'linux' || platform === 'win32') && arch === 'x64';
      if (!supported) return `${provider} runs only on Linux and Windows x64 with an NVIDIA GPU (this is ${platform}-${arch})`;
      if (!listing) return `this onnxruntime-node build has no ${provider} provider`;
      if (!listing.bundled) {
        const file = providerLibraryFile(provider, platform);
        if (!existsSync(path.join(environment.bindingDir, file))) {
          return `its provider library (${file}) is not installed: run framesmith gpu install cuda (it also needs the NVIDIA driver, the CUDA 12 runtime and cuDNN 9)`;
        }
      }
      return undefined;
    }
    case 'dml':
      if (platform !== 'win32') return `DirectML exists only on Windows (this is ${platform})`;
      return listing ? undefined : 'this onnxruntime-node build has no DirectML provider';
    case 'coreml':
      if (platform !== 'darwin') return `CoreML exists only on macOS (this is ${platform})`;
      return listing ? undefined : 'this onnxruntime-node build has no CoreML provider';
    case 'webgpu':
      return listing ? undefined : 'this onnxruntime-node build has no WebGPU provider';
    case 'cpu':
      return undefined;
  }
}

/**
 * The providers to try for a preference. 'auto' tries every available one in
 * order; a forced provider is the only candidate, and one that cannot run here
 * fails at once with ProviderUnavailableError saying why.
 */
export function planProviders(preference: ProviderPreference, environment: ProviderEnvironment): ProviderPlan {
  if (preference !== 'auto') {
    const reason = providerUnavailableReason(preference, environment);
    if (reason) throw new ProviderUnavailableError(preference, reason);
    const skipped = PROVIDER_NAMES.filter((name) => name !== preference).map((provider) => ({ provider, skippedBecause: `the provider ${preference} was requested` }));
    return { candidates: [preference], skipped };
  }
  const candidates: ProviderName[] = [];
  const skipped: ProviderAttempt[] = [];
  for (const provider of PROVIDER_NAMES) {
    const reason = providerUnavailableReason(provider, environment) ?? autoSkipReason(provider, environment);
    if (reason) skipped.push({ provider, skippedBecause: reason });
    else candidates.push(provider);
  }
  return { candidates, skipped };
}

/** Why 'auto' leaves out a provider that could be forced (no GPU device for WebGPU on Linux). */
function autoSkipReason(provider: ProviderName, environment: ProviderEnvironment): string | undefined {
  if (provider === 'webgpu' && environment.platform === 'linux' && environment.hasGpuDevice === false) {
    return 'no GPU device found (/dev/dri/renderD*, /dev/nvidia0); WebGPU needs a GPU driver (choose the webgpu provider to force it)';
  }
  return undefined;
}

/** Every provider with the reason 'auto' would not use it here (absent for those it tries). */
export function describeProviders(environment: ProviderEnvironment): ProviderAttempt[] {
  return PROVIDER_NAMES.map((provider) => {
    const reason = providerUnavailableReason(provider, environment) ?? autoSkipReason(provider, environment);
    return reason ? { provider, skippedBecause: reason } : { provider };
  });
}

export interface FallbackResult<T> {
  value: T;
  chosen: ProviderName;
  /** Every provider in PROVIDER_NAMES order: skipped or failed with a reason, or chosen. */
  attempts: ProviderAttempt[];
}

/**
 * Calls `attempt` for each candidate in order until one succeeds. Failures are
 * recorded with their message. When every candidate fails, a forced provider
 * throws ProviderUnavailableError, and 'auto' rethrows the last failure (the
 * CPU's, which says what is wrong with the model itself).
 */
export async function firstWorkingProvider<T>(plan: ProviderPlan, preference: ProviderPreference, attempt: (provider: ProviderName) => Promise<T>): Promise<FallbackResult<T>> {
  const reasons = new Map<ProviderName, string>(plan.skipped.map((entry) => [entry.provider, entry.skippedBecause ?? 'skipped']));
  let lastError: unknown;
  for (const provider of plan.candidates) {
    try {
      const value = await attempt(provider);
      for (const later of plan.candidates.slice(plan.candidates.indexOf(provider) + 1)) reasons.set(later, `${provider} was chosen first`);
      const attempts = PROVIDER_NAMES.map((name): ProviderAttempt => (name === provider ? { provider: name } : { provider: name, skippedBecause: reasons.get(name) ?? 'not tried' }));
      return { value, chosen: provider, attempts };
    } catch (error) {
      lastError = error;
      reasons.set(provider, `failed: ${firstLine(error)}`);
    }
  }
  if (preference !== 'auto') throw new ProviderUnavailableError(preference, reasons.get(preference) ?? 'it failed', { cause: lastError, detail: String(lastError) });
  throw lastError;
}

/**
 * The first line of an error's message for reports, without the native source
 * location onnxruntime puts in front; long lines keep their end, where
 * onnxruntime says what went wrong.
 */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = (message.split('\n').find((part) => part.trim() !== '') ?? message).replace(/^\S+\.(cc|cpp|h):\d+\s+/, '').trim();
  return line.length > 300 ? `...${line.slice(-300)}` : line;
}
