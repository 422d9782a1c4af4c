// A chain's paths between machines: the submitter names the source and any
// style image relative to the shared root; each worker resolves them inside
// its own mount (SharedRoot.resolve refuses names that would leave it).
import type { Step } from '../../common/job-spec.ts';
import type { PlannedItem } from '../jobs/batch.ts';
import type { FarmWork } from './farm-job.ts';
import type { SharedRoot } from './shared-root.ts';

export async function sharedWork(item: PlannedItem, root: SharedRoot): Promise<FarmWork> {
  const steps: Step[] = [];
  for (const step of item.steps) {
    steps.push(step.kind === 'stylize' && step.styleImage !== undefined ? { ...step, styleImage: await root.toRelative(step.styleImage) } : step);
  }
  return { input: await root.toRelative(item.input.path), steps, outputSettings: item.outputSettings, processing: item.processing };
}

export async function localWork(work: FarmWork, root: SharedRoot): Promise<{ input: string; steps: Step[] }> {
  const steps: Step[] = [];
  for (const step of work.steps) {
    steps.push(step.kind === 'stylize' && step.styleImage !== undefined ? { ...step, styleImage: await root.resolve(step.styleImage) } : step);
  }
  return { input: await root.resolve(work.input), steps };
}
