// The upscale step: a super-resolution model, its own scale or any other,
// and Real-ESRGAN's denoise strength where the model has a partner.
import type { UpscaleStep } from '../../common/job-spec.ts';
import type { Catalog } from '../models/catalog.ts';
import { createSuperResolutionStage } from '../tasks/super-resolution.ts';
import { InvalidStepError, manifestForTask, type StepBuilder } from './step-builder.ts';

export const upscaleStepBuilder: StepBuilder<UpscaleStep> = {
  kind: 'upscale',

  validate(step, index, catalog: Catalog) {
    const manifest = manifestForTask(catalog, step.model, 'super-resolution', step, index);
    if (step.denoise !== undefined && !manifest.denoisePartner) {
      throw new InvalidStepError(step, index, `denoise works only with models that have a denoise variant (such as realesr-general-x4v3), not "${step.model}"`);
    }
  },

  label(step, catalog) {
    if (step.width !== undefined || step.height !== undefined) return `upscaled-${step.width ?? 'auto'}x${step.height ?? 'auto'}`;
    return `upscaled-x${step.scale ?? catalog.get(step.model).scale}`;
  },

  appliesToImages: () => true,

  // A denoise blend resolves its partner first: not opened early.
  usualSession: (step) => (step.denoise === undefined ? { modelId: step.model } : undefined),

  async build(step, context) {
    const session = await context.session({ modelId: step.model, denoise: step.denoise });
    return createSuperResolutionStage({
      session,
      manifest: context.catalog.get(step.model),
      scale: step.scale,
      width: step.width,
      height: step.height,
      tileSize: context.tile,
      releaseSession: false,
      onNotice: (notice) => context.onNotice(notice.message),
    });
  },
};
