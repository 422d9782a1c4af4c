// A batch as the front-ends ask for it and as the engine plans it: the
// request (inputs, steps, settings still unvalidated), the planned items
// (each input with its output path and validated settings) and what running
// one item gives back. Declared here, below the facade, so the queue can name
// them without importing engine.ts.
import type { OutputSettings, ProcessingSettings, Step } from '../../common/job-spec.ts';
import type { InputItem } from './expand-inputs.ts';
import type { ItemHooks } from '../pipeline/video-job.ts';

/** A batch as the CLI or UI asks for it; settings are validated by planBatch. */
export interface BatchRequest {
  inputs: readonly string[];
  output?: string;
  /** `output` names a folder even where it does not exist yet (a job's output folder). */
  outputIsFolder?: boolean;
  recursive?: boolean;
  nameTemplate?: string;
  steps: readonly unknown[];
  outputSettings?: unknown;
  processing?: unknown;
  cwd?: string;
}

export interface PlannedItem {
  input: InputItem;
  output: string;
  steps: Step[];
  outputSettings: OutputSettings;
  processing: ProcessingSettings;
}

export interface BatchPlan {
  items: PlannedItem[];
}

export interface ItemHandlers extends ItemHooks {
  signal: AbortSignal;
  /** Why `signal` fired: an explicit cancel, or a stop that keeps the job to resume (shutdown); undefined before. */
  stopReason?: () => 'cancel' | 'shutdown' | undefined;
  /** Whether the job is paused now (a farm job holds its waiting segments while it is). */
  paused?: () => boolean;
}

export interface ItemResult {
  output: string;
  framesWritten: number;
  /** Execution provider of each step's session (e.g. "cpu"). */
  providers: string[];
  /** Precision each step's session runs in ("fp32" or "fp16"). */
  precisions: string[];
}

