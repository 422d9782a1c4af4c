// The interpolate step: RIFE at a multiplier, a target frame rate, or slow
// motion, with scene-cut and duplicate-frame handling and a quality mode.
import type { InterpolateStep } from '../../common/job-spec.ts';
import { parseRational, type Rational } from '../../common/rational.ts';
import { ensureFlowScaledModel } from '../onnx/rife-flow-scale.ts';
import { createInterpolationStage, INTERPOLATION_PARALLEL_RUNS, interpolationLabel } from '../tasks/interpolation.ts';
import { chooseFlowScale } from '../tasks/interpolation-flow-scale.ts';
import { rationalFromNumber, type InterpolationMode } from '../tasks/interpolation-timing.ts';
import { InvalidStepError, manifestForTask, type SessionRequest, type StepBuilder } from './step-builder.ts';

const MAX_FPS = 1000;

function parseFps(text: string): Rational | undefined {
  try {
    const rate = parseRational(text);
    return rate.num > 0 && rate.num / rate.den <= MAX_FPS ? rate : undefined;
  } catch {
    return undefined;
  }
}

/** The step's timing mode; InvalidStepError for an unusable frame rate. */
export function interpolationMode(step: InterpolateStep, index: number): InterpolationMode {
  if (step.fps !== undefined) {
    const rate = parseFps(step.fps);
    if (!rate) throw new InvalidStepError(step, index, `fps must be a frame rate above 0 and at most ${MAX_FPS} (e.g. 60 or 60000/1001), not "${step.fps}"`);
    return { kind: 'fps', rate };
  }
  if (step.slowmo !== undefined) return { kind: 'slowmo', factor: rationalFromNumber(step.slowmo) };
  if (step.multiply !== undefined) return { kind: 'multiply', factor: rationalFromNumber(step.multiply) };
  throw new InvalidStepError(step, index, 'give one of multiply, fps or slowmo');
}

/** The session of the step's catalog model, as build() asks for it. */
function catalogSession(step: InterpolateStep): SessionRequest {
  return { modelId: step.model, parallelRuns: INTERPOLATION_PARALLEL_RUNS };
}

export const interpolateStepBuilder: StepBuilder<InterpolateStep> = {
  kind: 'interpolate',

  validate(step, index, catalog) {
    manifestForTask(catalog, step.model, 'interpolation', step, index);
    interpolationMode(step, index);
  },

  label(step) {
    return interpolationLabel(interpolationMode(step, 0));
  },

  appliesToImages: () => false,

  // A reduced flow scale runs a derived model instead (auto decides it from the source's size, which is not known yet).
  usualSession: (step) => (step.flowScale === 0.5 ? undefined : catalogSession(step)),

  async build(step, context) {
    const mode = interpolationMode(step, context.index);
    const stageOptions = { mode, sceneThreshold: step.sceneThreshold, dedup: step.dedup, quality: step.quality, slowmoAudio: step.slowmoAudio, releaseSession: false };
    const manifest = context.catalog.get(step.model);
    // The source's size stands for the frames' (a step before this one that resizes is not counted).
    const video = context.source?.video;
    const flowScale = video ? chooseFlowScale(step.flowScale, video.width, video.height) : 1;
    if (flowScale !== 1 && context.derivedModels) {
      const base = await context.derivedModels.resolve(step.model);
      const scaledPath = await ensureFlowScaledModel(base.path, flowScale, context.derivedModels.cacheDir, { signal: context.signal });
      const scaledManifest = { ...manifest, padMultiple: manifest.padMultiple / flowScale };
      const session = await context.derivedModels.open({ manifest: { ...base.manifest, padMultiple: scaledManifest.padMultiple }, path: scaledPath }, { precisionOf: step.model, parallelRuns: INTERPOLATION_PARALLEL_RUNS });
      context.onNotice(`Interpolation estimates flow at scale ${flowScale} (${video?.width}x${video?.height} frames; a flow scale of 1 keeps the published scale).`);
      return createInterpolationStage({ ...stageOptions, session, manifest: scaledManifest });
    }
    const session = await context.session(catalogSession(step));
    return createInterpolationStage({ ...stageOptions, session, manifest });
  },
};
