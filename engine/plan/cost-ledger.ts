// Per-model inference cost measured on this machine (models:bench, or jobs
// that ran), in milliseconds per megapixel of model input. The chain plan
// turns it into time per job; with no figure for a model the time is
// unknown: an estimate from another machine would be a guess dressed as a
// measurement.
import type { RunCost } from './chain-plan.ts';

export class CostLedger {
  private readonly msPerMegapixel = new Map<string, number>();

  record(modelId: string, width: number, height: number, meanMs: number): void {
    if (width > 0 && height > 0 && meanMs > 0) this.msPerMegapixel.set(modelId, meanMs / ((width * height) / 1e6));
  }

  millisecondsFor(modelId: string, width: number, height: number): number | undefined {
    const rate = this.msPerMegapixel.get(modelId);
    return rate === undefined ? undefined : rate * ((width * height) / 1e6);
  }

  /** The ledger as the chain plan asks for run costs. */
  get runCost(): RunCost {
    return (modelId, width, height) => this.millisecondsFor(modelId, width, height);
  }
}
