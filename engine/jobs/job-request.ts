// The one mapping from a job spec (what the UI and the CLI queue) to the
// batch request the engine plans: the preset's chain and settings first, the
// spec's own settings over them (a setting the spec leaves undefined keeps
// the preset's). The queue adds jobs with it and the API's estimate plans
// with it, so both see the same batch. jobRecordOf turns a spec into the
// record the queue stores.
import path from 'node:path';
import { InvalidArgumentError } from '../../common/errors.ts';
import { describeIssues } from '../../common/zod-issues.ts';
import { jobSpecSchema, type JobSpecInput } from '../../common/jobs.ts';
import type { BatchPlan, BatchRequest } from './batch.ts';
import { newJobId, newJobRecord } from './job-record.ts';
import type { JobRecord } from './job-store.ts';

export interface ResolvedPreset {
  id: string;
  name: string;
  steps: unknown[];
  outputSettings: Record<string, unknown>;
  processing: Record<string, unknown>;
}

/** The fields of a parsed job spec the mapping reads (common/jobs.ts JobSpec fits). */
export interface JobSpecFields {
  inputs: readonly string[];
  outputPath?: string;
  outputFolder?: string;
  recursive?: boolean;
  nameTemplate?: string;
  steps?: readonly unknown[];
  outputSettings?: object;
  processing?: object;
}

function definedEntries(value: object | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, entry]) => entry !== undefined));
}

/** The batch request of a job spec, with its preset (if the spec names one) resolved by the caller. */
export function jobBatchRequest(spec: JobSpecFields, preset?: ResolvedPreset): BatchRequest {
  return {
    inputs: spec.inputs,
    output: spec.outputPath ?? spec.outputFolder,
    outputIsFolder: spec.outputPath === undefined && spec.outputFolder !== undefined,
    recursive: spec.recursive,
    nameTemplate: spec.nameTemplate,
    steps: preset?.steps ?? spec.steps ?? [],
    outputSettings: { ...preset?.outputSettings, ...definedEntries(spec.outputSettings) },
    processing: { ...preset?.processing, ...definedEntries(spec.processing) },
  };
}

export interface JobRecordSources {
  planBatch(request: BatchRequest, options: { signal?: AbortSignal }): Promise<BatchPlan>;
  resolvePreset?: (id: string) => Promise<ResolvedPreset>;
  /** Parent of the job's work folder (the app's working-folder setting); none: the queue's default. */
  workRoot?: () => Promise<string | null | undefined> | string | null | undefined;
  signal?: AbortSignal;
}

/** Validates the spec, resolves its preset, plans items and outputs: the record of a new queued job. */
export async function jobRecordOf(input: JobSpecInput, sources: JobRecordSources): Promise<JobRecord> {
  const parsed = jobSpecSchema.safeParse(input);
  if (!parsed.success) throw new InvalidArgumentError(`Invalid job: ${describeIssues(parsed.error, { whole: 'job' })}`);
  const spec = parsed.data;
  let preset: ResolvedPreset | undefined;
  if (spec.presetId !== undefined) {
    if (!sources.resolvePreset) throw new InvalidArgumentError('This queue has no presets; give the steps of the chain instead.');
    preset = await sources.resolvePreset(spec.presetId);
  }
  const plan = await sources.planBatch(jobBatchRequest(spec, preset), { signal: sources.signal });
  const id = newJobId();
  const workRoot = await sources.workRoot?.();
  if (workRoot && !path.isAbsolute(workRoot)) throw new InvalidArgumentError(`The working folder must be an absolute path, got "${workRoot}".`);
  return newJobRecord(id, spec, plan, { label: preset?.name, workDir: workRoot ? path.join(workRoot, id) : undefined });
}
