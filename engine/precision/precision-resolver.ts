// Turns a job's precision setting into the model file and session precision
// to open, for sessions on the CPU provider. fp32 and fp16 are the files as
// the backend already runs them; int8 is the cached QDQ variant; bf16 is
// offered only where the CPU provider has bf16 kernels (probed); `auto`
// reads the measurement recorded for this model and machine; where there is
// none and the caller asks to measure, it times and judges fp32 against each
// variant on the reference samples once and records it (without reference
// media it stays at fp32 and says so); otherwise it runs fp32.
import { InvalidArgumentError, isCancellation, isFramesmithError } from '../../common/errors.ts';
import type { Precision as PrecisionSetting } from '../../common/job-spec.ts';
import type { InferenceBackend, ResolvedModel } from '../inference/inference-backend.ts';
import { sha256OfFile } from '../onnx/fp16-to-fp32.ts';
import { ensureInt8Model, type Int8Model } from './int8-model.ts';
import { bf16Unavailable, measureVariants, type Variant } from './precision-measure.ts';
import { pickPrecision, qualityBoundFor, type MeasuredPrecision, type PrecisionMeasurement } from './precision-picker.ts';
import { machineDescription, readPrecisionRecord, recordPath, writePrecisionRecord } from './precision-records.ts';
import { loadReferenceSamples, referenceSampleFiles, type ReferenceSamples } from './reference-samples.ts';

export interface PrecisionResolution {
  /** The file to open (the model itself, or a derived variant). */
  model: ResolvedModel;
  /** What the backend is asked for: 'published' keeps an fp16 file in fp16. */
  sessionPrecision: 'auto' | 'published';
  precision: MeasuredPrecision;
  /** A sentence for the job log when auto chose, or when it could not measure. */
  notice?: string;
}

export interface PrecisionResolverOptions {
  backend: InferenceBackend;
  /** Where derived files and records go. */
  cacheDir: string;
  /** Folder with the reference media (interpolation/pytoflow, images/set5, images/style). */
  referenceDir: string;
  /** Intra-op threads of the measured sessions (the job's). */
  threads?: number;
}

function isFp16File(model: ResolvedModel): boolean {
  return model.manifest.inputs.some((input) => input.dtype === 'float16');
}

export class PrecisionResolver {
  constructor(private readonly options: PrecisionResolverOptions) {}

  /** `measure`: with 'auto', measure now where no record exists (otherwise auto without a record runs fp32). */
  async resolve(model: ResolvedModel, requested: PrecisionSetting, options: { signal?: AbortSignal; measure?: boolean } = {}): Promise<PrecisionResolution> {
    const { signal } = options;
    switch (requested) {
      case 'fp32':
        return { model, sessionPrecision: 'auto', precision: 'fp32' };
      case 'fp16':
        return { model, sessionPrecision: 'published', precision: isFp16File(model) ? 'fp16' : 'fp32' };
      case 'bf16': {
        const reason = await bf16Unavailable();
        throw new InvalidArgumentError(`Precision bf16 cannot run "${model.manifest.id}" here: ${reason ?? 'no bf16 conversion exists for its graph yet'}. Use --precision int8 or fp32, or auto to pick by measurement.`);
      }
      case 'int8': {
        const files = await referenceSampleFiles(model.manifest, this.options.referenceDir);
        if (!files) throw new InvalidArgumentError(`Precision int8 needs calibration frames for "${model.manifest.id}" and none were found under ${this.options.referenceDir}. Use --precision fp32 or auto.`);
        const int8 = await this.int8(model, files, signal);
        return { model: int8.model, sessionPrecision: 'auto', precision: 'int8' };
      }
      case 'auto':
        return this.auto(model, options.measure === true, signal);
    }
  }

  private samples(model: ResolvedModel): Promise<ReferenceSamples | undefined> {
    return loadReferenceSamples(model.manifest, this.options.referenceDir);
  }

  /** The int8 variant calibrated on `files` (the task's reference files); they are read only when the variant is not cached yet. */
  private int8(model: ResolvedModel, files: readonly string[], signal?: AbortSignal, loaded?: ReferenceSamples): Promise<Int8Model> {
    const calibration = loaded ? loaded.calibration : async () => {
      const samples = await this.samples(model);
      if (!samples) throw new InvalidArgumentError(`The calibration frames for "${model.manifest.id}" under ${this.options.referenceDir} went missing. Use --precision fp32 or auto.`);
      return samples.calibration;
    };
    return ensureInt8Model({ model, calibration, calibrationFiles: files, backend: this.options.backend, cacheDir: this.options.cacheDir, signal });
  }

  private async auto(model: ResolvedModel, measure: boolean, signal?: AbortSignal): Promise<PrecisionResolution> {
    const fp32: PrecisionResolution = { model, sessionPrecision: 'auto', precision: 'fp32' };
    const machine = await machineDescription(this.options.threads ?? 0);
    const modelSha256 = model.manifest.sha256;
    const file = recordPath(this.options.cacheDir, modelSha256, machine);
    const record = await readPrecisionRecord(file);
    if (!record && !measure) return fp32;
    if (record && record.choice.precision !== 'int8') return this.fromChoice(model, record.choice.precision, `${model.manifest.id}: ${record.choice.reason} (measured ${record.measuredAt.slice(0, 10)})`);
    const files = await referenceSampleFiles(model.manifest, this.options.referenceDir);
    if (!files) return { ...fp32, notice: `${model.manifest.id}: precision auto runs fp32: no reference media under ${this.options.referenceDir} to measure faster variants on.` };
    if (record) {
      const int8 = await this.int8(model, files, signal);
      if (record.int8Sha256 === int8.sha256) {
        return { model: int8.model, sessionPrecision: 'auto', precision: 'int8', notice: `${model.manifest.id}: ${record.choice.reason} (measured ${record.measuredAt.slice(0, 10)})` };
      }
    }
    try {
      const samples = await this.samples(model);
      if (!samples) return { ...fp32, notice: `${model.manifest.id}: precision auto runs fp32: no reference media under ${this.options.referenceDir} to measure faster variants on.` };
      return await this.measure(model, samples, file, machine, signal);
    } catch (error) {
      // A model the transform or the runtime cannot take runs as it did; a bug or a cancel propagates.
      if (isCancellation(error) || !isFramesmithError(error)) throw error;
      return { ...fp32, notice: `${model.manifest.id}: precision auto runs fp32: measuring its variants failed (${error.userMessage})` };
    }
  }

  /** Times and judges every variant on the samples, records the result and returns the pick. */
  private async measure(model: ResolvedModel, samples: ReferenceSamples, file: string, machine: string, signal?: AbortSignal): Promise<PrecisionResolution> {
    const modelSha256 = model.manifest.sha256;
    const bound = qualityBoundFor(model.manifest.task);
    const backend = this.options.backend;
    const threads = this.options.threads;
    const variants: Variant[] = [{ precision: 'fp32', open: () => backend.open(model, { provider: 'cpu', precision: 'auto', threads }) }];
    const unavailable: PrecisionMeasurement[] = [];
    if (isFp16File(model)) variants.push({ precision: 'fp16', open: () => backend.open(model, { provider: 'cpu', precision: 'published', threads }) });
    const int8 = await this.int8(model, samples.files, signal, samples);
    variants.push({ precision: 'int8', open: () => backend.open(int8.model, { provider: 'cpu', precision: 'auto', threads }) });
    const bf16Reason = await bf16Unavailable();
    unavailable.push({ precision: 'bf16', available: false, reason: bf16Reason ?? 'no bf16 conversion exists for this graph yet' });
    const measurements = await measureVariants({ model, samples, bound, variants, unavailable, signal });
    const choice = pickPrecision(measurements, bound);
    await writePrecisionRecord(file, {
      modelId: model.manifest.id,
      modelSha256,
      machine,
      referenceFiles: samples.files,
      measurements,
      choice,
      int8Sha256: await sha256OfFile(int8.model.path),
    });
    const notice = `${model.manifest.id}: precision auto picked ${choice.reason} (measured now, once for this machine).`;
    if (choice.precision === 'int8') return { model: int8.model, sessionPrecision: 'auto', precision: 'int8', notice };
    return { ...this.fromChoice(model, choice.precision, notice) };
  }

  private fromChoice(model: ResolvedModel, precision: MeasuredPrecision, notice: string): PrecisionResolution {
    if (precision === 'fp16') return { model, sessionPrecision: 'published', precision, notice };
    return { model, sessionPrecision: 'auto', precision: 'fp32', notice };
  }
}
