// Per-model inference cost measured on this machine (models:bench), in
// milliseconds per megapixel of model input. The chain plan turns it into
// time per job; with no figure for a model the time is unknown: an estimate
// from another machine would be a guess dressed as a measurement.
//
// Figures persist per model and machine in a keyed cache file, so the model
// picker and the estimates know them after a restart. The machine key is a
// hash of what decides numeric speed (CPU, its extensions, cores,
// architecture, onnxruntime version; see precision-records' description): a
// cache folder carried to another machine shows none of its figures there.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { KeyedJsonCache } from '../storage/keyed-json-cache.ts';
import type { RunCost } from './chain-plan.ts';

const speedSchema = z.object({
  msPerMegapixel: z.number().positive(),
  /** The provider that ran the measurement. */
  provider: z.string(),
  measuredAt: z.string(),
});
export type SpeedRecord = z.infer<typeof speedSchema>;

export interface CostLedgerOptions {
  /** The cache file; undefined keeps figures for this process only. */
  file?: string;
  /** What decides speed on this machine (machineDescription); figures of other machines are left out. */
  machine: string;
}

function machineKey(machine: string): string {
  return createHash('sha256').update(machine).digest('hex').slice(0, 16);
}

export class CostLedger {
  private readonly msPerMegapixel = new Map<string, number>();

  /** In memory only, for tests and one-off estimates; CostLedger.open keeps figures across restarts. */
  constructor(private readonly persisted?: { cache: KeyedJsonCache<SpeedRecord>; machineKey: string }) {}

  /** A ledger with this machine's stored figures, writing new ones through to `file`. */
  static async open(options: CostLedgerOptions): Promise<CostLedger> {
    const persisted = { cache: new KeyedJsonCache(options.file, speedSchema), machineKey: machineKey(options.machine) };
    const ledger = new CostLedger(persisted);
    const prefix = `${persisted.machineKey}/`;
    for (const [key, record] of await persisted.cache.all()) {
      if (key.startsWith(prefix)) ledger.msPerMegapixel.set(key.slice(prefix.length), record.msPerMegapixel);
    }
    return ledger;
  }

  /** Records one measurement (the newest wins) and persists it where the ledger has a file. */
  async record(modelId: string, width: number, height: number, meanMs: number, provider = 'unknown'): Promise<void> {
    if (!(width > 0 && height > 0 && meanMs > 0)) return;
    const rate = meanMs / ((width * height) / 1e6);
    this.msPerMegapixel.set(modelId, rate);
    if (this.persisted) {
      await this.persisted.cache.set(`${this.persisted.machineKey}/${modelId}`, { msPerMegapixel: rate, provider, measuredAt: new Date().toISOString() });
    }
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
