// A job's precision setting, model by model: the file and session precision
// the engine opens. Unset, fp32 and fp16 are what the backend has always
// done (fp32 on the CPU, the published precision on GPUs, fp16 files in fp16
// for 'fp16'); auto, int8 and bf16 go to the PrecisionResolver where the
// session runs on the CPU provider, and int8 or bf16 elsewhere are refused.
import { InvalidArgumentError } from '../../common/errors.ts';
import type { ProcessingSettings } from '../../common/job-spec.ts';
import type { InferenceBackend, ResolvedModel } from '../inference/inference-backend.ts';
import { PrecisionResolver, type PrecisionResolution } from './precision-resolver.ts';

/**
 * A job's precision setting as the inference backend takes it: 'fp16' runs
 * each model as published (an fp16 file in fp16, even on the CPU; an fp32
 * file stays fp32, nothing is narrowed); the others let the backend choose,
 * which on the CPU provider means fp32 (fp16 files converted once) and on GPU
 * providers the published precision.
 */
export function sessionPrecision(processing: Pick<ProcessingSettings, 'precision'>): 'auto' | 'published' {
  return processing.precision === 'fp16' ? 'published' : 'auto';
}

export class JobPrecision {
  private cpuOnly: Promise<boolean> | undefined;

  constructor(private readonly options: { backend: () => InferenceBackend; cacheDir: string; referenceDir: string }) {}

  /** Whether sessions with this provider preference run on the CPU provider (no other provider is available). */
  private runsOnCpu(provider: ProcessingSettings['provider']): Promise<boolean> {
    if (provider === 'cpu') return Promise.resolve(true);
    if (provider !== 'auto') return Promise.resolve(false);
    this.cpuOnly ??= this.options.backend().availableProviders().then((attempts) => attempts.every((attempt) => attempt.provider === 'cpu' || attempt.skippedBecause !== undefined));
    return this.cpuOnly;
  }

  /** The file and session precision for a catalog model; `blended`: it runs as a denoise-strength blend. */
  async forModel(model: ResolvedModel, processing: ProcessingSettings, options: { blended: boolean; signal?: AbortSignal }): Promise<PrecisionResolution> {
    const requested = processing.precision ?? 'auto';
    const asBefore: PrecisionResolution = { model, sessionPrecision: sessionPrecision(processing), precision: requested === 'fp16' ? 'fp16' : 'fp32' };
    if (options.blended) {
      if (requested === 'int8' || requested === 'bf16') {
        throw new InvalidArgumentError(`Precision ${requested} cannot run a denoise-strength blend of "${model.manifest.id}"; leave out --denoise or use --precision auto.`);
      }
      return asBefore;
    }
    if (requested !== 'auto' && requested !== 'int8' && requested !== 'bf16') return asBefore;
    if (await this.runsOnCpu(processing.provider)) {
      const resolver = new PrecisionResolver({ backend: this.options.backend(), cacheDir: this.options.cacheDir, referenceDir: this.options.referenceDir, threads: processing.threads });
      return resolver.resolve(model, requested, { signal: options.signal, measure: processing.measurePrecision === true });
    }
    if (requested !== 'auto') {
      throw new InvalidArgumentError(`Precision ${requested} runs on the CPU provider only; ${processing.provider} was asked for. Use --provider cpu, or --precision auto.`);
    }
    return asBefore;
  }
}
