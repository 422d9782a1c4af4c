// What a job does, in a few words, so three jobs on one file can be told
// apart on their cards and in their buttons' accessible names: the model,
// scale, frame rate or style of each step. Pure functions of the spec.
import type { TFunction } from 'i18next';
import type { Step } from '../common/job-spec.ts';
import type { JobSnapshot } from '../common/jobs.ts';

export function describeStep(t: TFunction, step: Step): string {
  if (step.kind === 'upscale') {
    const size = step.scale !== undefined ? `×${step.scale}` : step.width !== undefined || step.height !== undefined ? `${step.width ?? '?'}×${step.height ?? '?'}` : '';
    return t('summary.upscale', { size, model: step.model });
  }
  if (step.kind === 'interpolate') {
    if (step.fps !== undefined) return t('summary.toFps', { fps: step.fps, model: step.model });
    if (step.slowmo !== undefined) return t('summary.slowmo', { factor: step.slowmo, model: step.model });
    return t('summary.multiply', { factor: step.multiply, model: step.model });
  }
  return step.style !== undefined ? t('summary.style', { style: step.style }) : t('summary.styleImage', { strength: Math.round(step.strength * 100) });
}

/** Each step described, joined: "Upscale ×4 (realesr-general-x4v3) → 60 fps (rife-v4.6)". */
export function describeJob(t: TFunction, job: JobSnapshot): string {
  if (job.spec.steps) return job.spec.steps.map((step) => describeStep(t, step)).join(' → ');
  return t('summary.preset', { preset: job.spec.presetId ?? job.label });
}

/** The short verb phrase for button names: "upscale ×4", "60 fps", "style mosaic". */
export function jobVerb(t: TFunction, job: JobSnapshot): string {
  const steps = job.spec.steps;
  if (!steps || steps.length === 0) return t('summary.presetShort', { preset: job.spec.presetId ?? job.label });
  return steps.map((step) => t(`summary.short.${step.kind}`, {
    size: step.kind === 'upscale' && step.scale !== undefined ? `×${step.scale}` : '',
    fps: step.kind === 'interpolate' ? step.fps ?? (step.multiply !== undefined ? `×${step.multiply}` : `slow ×${step.slowmo}`) : '',
    style: step.kind === 'stylize' ? step.style ?? '' : '',
  }).trim()).join(' + ');
}
