// Which numeric precision `--precision auto` runs a model in, decided from
// measurements and never by assumption (DESIGN.md): the fastest variant
// whose quality loss on the model's reference inputs stays within the task's
// bound. fp32 is the baseline and wins ties: a variant must be faster by
// more than MIN_SPEEDUP, so timing noise on a loaded machine does not trade
// quality for nothing.
import type { ModelTask } from '../../common/model-manifest.ts';

/** Precisions a session can run in on the CPU provider (fp16 only where the file is fp16). */
export const MEASURED_PRECISIONS = ['fp32', 'fp16', 'bf16', 'int8'] as const;
export type MeasuredPrecision = (typeof MEASURED_PRECISIONS)[number];

/** How much faster a variant must be than fp32 to be picked (1.05: 5 % less time per run). */
export const MIN_SPEEDUP = 1.05;

/**
 * Interpolation is judged against the true middle frame: the variant may
 * lose at most `maxLossDb` of fp32's PSNR. Super-resolution and style have no
 * single right answer, so the variant's output must stay `minDb` close to
 * fp32's own output.
 */
export type QualityBound =
  | { kind: 'loss-against-truth'; maxLossDb: number }
  | { kind: 'against-fp32'; minDb: number };

export function qualityBoundFor(task: ModelTask): QualityBound {
  return task === 'interpolation' ? { kind: 'loss-against-truth', maxLossDb: 0.15 } : { kind: 'against-fp32', minDb: 38 };
}

export interface PrecisionMeasurement {
  precision: MeasuredPrecision;
  /** False when this variant cannot run here; `reason` says why. */
  available: boolean;
  reason?: string;
  /** Milliseconds per run on the reference inputs: the fastest of alternating rounds with the other variants. */
  msPerRun?: number;
  /**
   * PSNR in dB: against the ground truth for 'loss-against-truth' bounds,
   * against fp32's output for 'against-fp32' (fp32's own entry: Infinity).
   */
  psnrDb?: number;
}

export interface PrecisionChoice {
  precision: MeasuredPrecision;
  /** One sentence for the job log and the CLI: what was picked and why. */
  reason: string;
}

/** Whether a measured variant meets the bound, given fp32's measurement. */
export function meetsBound(candidate: PrecisionMeasurement, fp32: PrecisionMeasurement, bound: QualityBound): boolean {
  if (!candidate.available) return false;
  if (candidate.precision === 'fp32') return true;
  if (candidate.psnrDb === undefined) return false;
  if (bound.kind === 'against-fp32') return candidate.psnrDb >= bound.minDb;
  if (fp32.psnrDb === undefined) return false;
  return fp32.psnrDb - candidate.psnrDb <= bound.maxLossDb;
}

function qualityText(candidate: PrecisionMeasurement, fp32: PrecisionMeasurement, bound: QualityBound): string {
  const db = candidate.psnrDb ?? Number.NaN;
  if (bound.kind === 'against-fp32') return `${db.toFixed(1)} dB against fp32 (bound ${bound.minDb} dB)`;
  const loss = (fp32.psnrDb ?? Number.NaN) - db;
  return `${loss <= 0 ? 'no' : `${loss.toFixed(2)} dB`} PSNR loss against the true frame (bound ${bound.maxLossDb} dB)`;
}

/** The fastest measured variant within the bound; fp32 when none beats it by MIN_SPEEDUP. */
export function pickPrecision(measurements: readonly PrecisionMeasurement[], bound: QualityBound): PrecisionChoice {
  const fp32 = measurements.find((entry) => entry.precision === 'fp32');
  if (!fp32?.available || fp32.msPerRun === undefined) return { precision: 'fp32', reason: 'fp32: no fp32 measurement to compare against' };
  const baseline = fp32.msPerRun;
  let best: PrecisionMeasurement = fp32;
  for (const candidate of measurements) {
    if (candidate === fp32 || candidate.msPerRun === undefined || !meetsBound(candidate, fp32, bound)) continue;
    if (baseline / candidate.msPerRun > MIN_SPEEDUP && candidate.msPerRun < (best.msPerRun ?? Infinity)) best = candidate;
  }
  if (best === fp32) {
    const rejected = measurements
      .filter((entry) => entry !== fp32)
      .map((entry) => {
        if (!entry.available) return `${entry.precision} unavailable`;
        if (!meetsBound(entry, fp32, bound)) return `${entry.precision} ${qualityText(entry, fp32, bound)}`;
        return `${entry.precision} ${(baseline / (entry.msPerRun ?? Infinity)).toFixed(2)}x`;
      });
    return { precision: 'fp32', reason: `fp32: no faster variant within the quality bound${rejected.length > 0 ? ` (${rejected.join('; ')})` : ''}` };
  }
  const speedup = baseline / (best.msPerRun as number);
  return { precision: best.precision, reason: `${best.precision}: ${speedup.toFixed(2)}x the speed of fp32, ${qualityText(best, fp32, bound)}` };
}
