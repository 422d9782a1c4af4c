// What must be the same on every machine of a farm for its output to equal
// one machine's: the engine version (code that touches pixels) and the
// exact model files (by sha256). A worker compares the job's fingerprint
// with its own before rendering a frame, and refuses with the difference.
import { createRequire } from 'node:module';
import { FarmMismatchError } from '../../common/errors.ts';
import type { FarmFingerprint } from './farm-job.ts';

const require = createRequire(import.meta.url);

export const ENGINE_VERSION: string = (require('../../package.json') as { version: string }).version;

/** Throws FarmMismatchError naming the first difference between the job's fingerprint and this worker's. */
export function assertSameFingerprint(worker: string, job: FarmFingerprint, engineVersion: string, models: Readonly<Record<string, string>>): void {
  if (job.engineVersion !== engineVersion) {
    throw new FarmMismatchError(worker, `it runs engine ${engineVersion}, the job was made with ${job.engineVersion}`);
  }
  for (const [id, sha256] of Object.entries(job.models)) {
    const mine = models[id];
    if (mine !== sha256) {
      throw new FarmMismatchError(worker, mine === undefined
        ? `it does not run model "${id}" for this chain`
        : `its model "${id}" has sha256 ${mine.slice(0, 12)}..., the job's has ${sha256.slice(0, 12)}...`);
    }
  }
  for (const id of Object.keys(models)) {
    if (!(id in job.models)) throw new FarmMismatchError(worker, `its chain also runs model "${id}", which the job does not list`);
  }
}
