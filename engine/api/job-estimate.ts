// The typed API's job estimate: the engine's planned batch, estimated by the
// chain plan (plan/plan-estimate.ts) with this machine's measured model
// costs (plan/cost-ledger.ts).
import type { JobEstimate } from '../../common/api/api-types.ts';
import type { Engine } from '../engine.ts';
import type { BatchPlan } from '../jobs/batch.ts';
import { CostLedger } from '../plan/cost-ledger.ts';
import { estimateItems } from '../plan/plan-estimate.ts';

export { CostLedger };

export function estimateJob(engine: Engine, plan: BatchPlan, ledger: CostLedger, signal?: AbortSignal): Promise<JobEstimate> {
  return estimateItems(plan.items, { catalog: engine.catalog, ffprobe: engine.ffmpegTools().ffprobe.path, ledger, signal });
}
