// The builder of each step kind. A new kind of step adds one file and one
// line here.
import type { Step } from '../../common/job-spec.ts';
import { BugError } from '../../common/errors.ts';
import type { StepBuilder, StepBuilders } from './step-builder.ts';
import { upscaleStepBuilder } from './upscale-step.ts';
import { interpolateStepBuilder } from './interpolate-step.ts';
import { stylizeStepBuilder } from './stylize-step.ts';

export const STEP_BUILDERS: StepBuilders = {
  upscale: upscaleStepBuilder,
  interpolate: interpolateStepBuilder,
  stylize: stylizeStepBuilder,
};

export function builderFor<S extends Step>(step: S): StepBuilder<S> {
  const builder = STEP_BUILDERS[step.kind] as StepBuilder<S> | undefined;
  if (!builder) throw new BugError(`no builder for steps of kind "${step.kind}"`);
  return builder;
}
