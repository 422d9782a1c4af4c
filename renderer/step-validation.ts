// Validation as the user types: the same zod schemas the engine checks, with
// each issue keyed by the field it belongs to ('' for the step as a whole).
import type { z } from 'zod';
import { stepSchema, type Step } from '../common/job-spec.ts';
import { issuePath } from '../common/zod-issues.ts';

/** A step being edited: any subset of a step's fields plus its kind. */
export type StepDraft = { kind: Step['kind'] } & Record<string, unknown>;

export type FieldErrors = Record<string, string>;

export function issuesByField(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issuePath(issue.path);
    if (!(key in errors)) errors[key] = issue.message;
  }
  return errors;
}

export function validateStep(draft: StepDraft): { step: Step | null; errors: FieldErrors } {
  const result = stepSchema.safeParse(stripEmpty(draft));
  return result.success ? { step: result.data, errors: {} } : { step: null, errors: issuesByField(result.error) };
}

/** Empty text fields mean "not set", so optional fields stay absent. */
export function stripEmpty(draft: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(draft).filter(([, value]) => value !== undefined && value !== '' && !(typeof value === 'number' && Number.isNaN(value))));
}

export function defaultStep(kind: Step['kind']): StepDraft {
  if (kind === 'upscale') return { kind, model: 'realesr-animevideov3-x4' };
  if (kind === 'interpolate') return { kind, model: 'rife-v4.6', multiply: 2 };
  return { kind, style: 'candy', strength: 1 };
}
