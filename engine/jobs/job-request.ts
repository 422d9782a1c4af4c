// The one mapping from a job spec (what the UI and the CLI queue) to the
// batch request the engine plans: the preset's chain and settings first, the
// spec's own settings over them (a setting the spec leaves undefined keeps
// the preset's). The queue adds jobs with it and the API's estimate plans
// with it, so both see the same batch.
import type { BatchRequest } from './batch.ts';

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
