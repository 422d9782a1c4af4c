// The chain plan: everything about a chain of steps on one probed input,
// answered before any frame moves. Output geometry after each step, where
// each output frame sits in the source (exact rationals), model runs and
// their estimated cost per output frame, the typical encoded size
// (media/output-size.ts), and each step's temporal context at a cut: the
// frames before and after a segment a step must see to give exactly the
// frames an uninterrupted run gives.
//
// The arithmetic of each step kind lives once, beside its task
// (superResolutionOutputSize, interpolationTiming/outputFrameCount); the
// stages' outputGeometry() and this plan both call it, and a property test
// (test/unit/plan, test/integration/plan) holds the plan equal to what a
// real run writes. The estimate, the disk check, resume and the farm's split
// read the plan and never redo the arithmetic.
import type { SegmentMode } from '../pipeline/video-segment.ts';
import { InvalidArgumentError } from '../../common/errors.ts';
import type { OutputCodec, Step } from '../../common/job-spec.ts';
import { divide, multiply, rational, toNumber, type Rational } from '../../common/rational.ts';
import type { Catalog } from '../models/catalog.ts';
import { typicalImageBytes, typicalVideoBytes } from '../media/output-size.ts';
import type { FrameGeometry } from '../pipeline/frame-stage.ts';
import { interpolationMode } from '../steps/interpolate-step.ts';
import { styleModelId } from '../steps/stylize-step.ts';
import { DEFAULT_MAX_HOLD, interpolationTiming, outputFrameCount } from '../tasks/interpolation-timing.ts';
import { superResolutionOutputSize } from '../tasks/super-resolution.ts';
import { DEFAULT_STABILIZER_BLEND } from '../tasks/temporal-stabilizer.ts';

/** The input as the plan needs it: a probed video's stream, or a still image (one frame). */
export interface PlanSource extends FrameGeometry {
  isImage: boolean;
}

/**
 * What a step needs around a segment of its input to give exactly the
 * frames an uninterrupted run gives, counted in the step's input frames.
 */
export interface TemporalContext {
  /** Frames before the segment's first frame that the step reads (pixels or per-frame facts). */
  before: number;
  /** Frames after the segment's last frame that the step reads. */
  after: number;
  /** `after` goes on over a run of duplicates up to the next distinct frame (facts only; interpolation with dedup). */
  afterSpansDuplicates: boolean;
  /** The step replays cheap per-frame facts (duplicate, scene cut) over its context, without running its model there. */
  replaysFacts: boolean;
  /**
   * The step carries a recursive state over every earlier frame (stabilised
   * stylize): exact only when it reads from the first frame. `before` is then
   * the warm-up after which a join differs by under one 8-bit level.
   */
  fromStart: boolean;
}

export interface PlannedStep {
  index: number;
  kind: Step['kind'];
  /** The model that runs per frame. */
  modelId: string;
  input: FrameGeometry;
  output: FrameGeometry;
  /** Input frames per output frame: output frame i sits at input position i * step (1 for 1:1 steps). */
  step: Rational;
  /** Output playing time over input playing time (slow motion); 1 otherwise. */
  stretch: Rational;
  /** Model runs of this step over the whole input (interpolation: frames between source frames, times 3 in quality mode). */
  modelRuns: number;
  /** Each model run's input size. */
  runWidth: number;
  runHeight: number;
  context: TemporalContext;
}

/** How a run killed after k finished output frames continues (and how the farm may cut a chain). */
export type ResumeMode = SegmentMode;

export interface ChainPlan {
  source: PlanSource;
  steps: PlannedStep[];
  /** The geometry after the last step: what the encoder writes. */
  output: FrameGeometry;
  /** Output playing time over source playing time. */
  stretch: Rational;
  /** Playing time of the output in seconds, exact (frames over rate; a still image: 0). */
  outputDuration: Rational;
  /** Model runs of the whole chain, and per output frame. */
  modelRuns: number;
  modelRunsPerOutputFrame: number;
  resume: ResumeMode;
}

/** Milliseconds one run of a model takes at an input size on this machine; undefined when never measured. */
export type RunCost = (modelId: string, width: number, height: number) => number | undefined;

/** The model a step runs per frame. */
export function stepModelId(step: Step, index: number, catalog: Catalog): string {
  return step.kind === 'stylize' ? styleModelId(step, index, catalog) : step.model;
}

/** A step's temporal context at a cut (see TemporalContext); `isVideo` false for stills. */
export function stepContext(step: Step, isVideo = true): TemporalContext {
  const none: TemporalContext = { before: 0, after: 0, afterSpansDuplicates: false, replaysFacts: false, fromStart: false };
  if (step.kind === 'upscale') return none;
  if (step.kind === 'stylize') {
    if (!isVideo || !(step.stabilize ?? true)) return none;
    // The stabiliser's weight of a frame k frames back is at most blend^k.
    const warmUp = Math.ceil(Math.log(1 / 255) / Math.log(DEFAULT_STABILIZER_BLEND));
    return { ...none, before: warmUp, fromStart: true };
  }
  // Interpolation: a pair starts at the first frame of a duplicate run (at
  // most maxHold frames back, else the hold's last interval is used), whose
  // duplicate fact needs the frame before it; the pair ends at the next
  // distinct frame, whose scene-cut fact compares it with its predecessor.
  const dedup = step.dedup ?? true;
  return {
    before: dedup ? DEFAULT_MAX_HOLD + 1 : 1,
    after: 1,
    afterSpansDuplicates: dedup,
    replaysFacts: true,
    fromStart: false,
  };
}

/** Exact resume needs every step context-free, or only the first step replaying its facts. */
export function resumeModeOf(steps: readonly Step[], isVideo = true): ResumeMode {
  const contexts = steps.map((step) => stepContext(step, isVideo));
  const free = (context: TemporalContext): boolean => context.before === 0 && context.after === 0 && !context.fromStart;
  if (contexts.every(free)) return 'exact';
  const [first, ...rest] = contexts;
  if (first && first.replaysFacts && !first.fromStart && rest.every(free)) return 'replay-first-step';
  return 'restart';
}

function checkSource(source: PlanSource): void {
  const positiveInteger = (value: number): boolean => Number.isInteger(value) && value > 0;
  if (!positiveInteger(source.width) || !positiveInteger(source.height)) {
    throw new InvalidArgumentError(`Expected a positive integer size for the plan's source but received ${source.width}x${source.height}.`);
  }
  if (!Number.isInteger(source.frameCount) || source.frameCount < 0) {
    throw new InvalidArgumentError(`Expected a frame count for the plan's source but received ${String(source.frameCount)}.`);
  }
  if (!source.isImage && (source.frameRate.num <= 0 || source.frameRate.den <= 0)) {
    throw new InvalidArgumentError(`Expected a positive frame rate for the plan's source but received ${source.frameRate.num}/${source.frameRate.den}.`);
  }
}

/** Interpolated frames (positions strictly between two source frames) among `outputs` frames at input step a/b. */
function framesBetween(inputFrames: number, step: Rational): number {
  if (inputFrames < 2) return 0;
  // Positions below the last source frame; of those, every b-th lands on a source frame.
  const below = outputFrameCount(inputFrames - 1, step);
  return below - Math.ceil(below / step.den);
}

/** The plan of `steps` (validated, as planBatch gives them) on `source`. */
export function planChain(steps: readonly Step[], source: PlanSource, catalog: Catalog): ChainPlan {
  checkSource(source);
  const planned: PlannedStep[] = [];
  let current: FrameGeometry = { width: source.width, height: source.height, frameRate: source.frameRate, frameCount: source.frameCount };
  let stretch = rational(1);
  for (const [index, step] of steps.entries()) {
    const input = current;
    const modelId = stepModelId(step, index, catalog);
    let output: FrameGeometry = input;
    let frameStep = rational(1);
    let stepStretch = rational(1);
    let modelRuns = input.frameCount;
    if (step.kind === 'upscale') {
      const size = superResolutionOutputSize(input.width, input.height, {
        modelScale: catalog.get(step.model).scale,
        scale: step.scale,
        width: step.width,
        height: step.height,
      });
      output = { ...input, width: size.width, height: size.height };
    } else if (step.kind === 'interpolate') {
      if (source.isImage) throw new InvalidArgumentError(`Step ${index + 1} (interpolate) cannot run on a still image.`);
      const timing = interpolationTiming(input.frameRate, interpolationMode(step, index));
      frameStep = timing.step;
      stepStretch = timing.stretch;
      output = { ...input, frameRate: timing.outputRate, frameCount: outputFrameCount(input.frameCount, timing.step) };
      modelRuns = framesBetween(input.frameCount, timing.step) * (step.quality ? 3 : 1);
    }
    planned.push({
      index,
      kind: step.kind,
      modelId,
      input,
      output,
      step: frameStep,
      stretch: stepStretch,
      modelRuns,
      runWidth: input.width,
      runHeight: input.height,
      context: stepContext(step, !source.isImage),
    });
    stretch = multiply(stretch, stepStretch);
    current = output;
  }
  const modelRuns = planned.reduce((sum, step) => sum + step.modelRuns, 0);
  return {
    source,
    steps: planned,
    output: current,
    stretch,
    outputDuration: source.isImage || current.frameRate.num === 0 ? rational(0) : divide(rational(current.frameCount), current.frameRate),
    modelRuns,
    modelRunsPerOutputFrame: current.frameCount > 0 ? modelRuns / current.frameCount : 0,
    resume: resumeModeOf(steps, !source.isImage),
  };
}

/**
 * Where output frame `outputFrame` of the chain sits in the source, in
 * source frames (exact; a whole number is a source frame, a fraction lies
 * between two). Positions past a step's last input frame repeat it.
 */
export function sourcePositionOf(plan: ChainPlan, outputFrame: number): Rational {
  if (!Number.isInteger(outputFrame) || outputFrame < 0 || outputFrame >= plan.output.frameCount) {
    throw new InvalidArgumentError(`Expected an output frame number from 0 to ${plan.output.frameCount - 1} but received ${String(outputFrame)}.`);
  }
  let position = rational(outputFrame);
  for (let index = plan.steps.length - 1; index >= 0; index -= 1) {
    const step = plan.steps[index] as PlannedStep;
    position = multiply(position, step.step);
    const last = rational(Math.max(0, step.input.frameCount - 1));
    if (toNumber(position) > toNumber(last)) position = last;
  }
  return position;
}

/** The source frames output frame `outputFrame` is made from: one, or the two around its position. */
export function sourceFramesOf(plan: ChainPlan, outputFrame: number): number[] {
  const position = sourcePositionOf(plan, outputFrame);
  const floor = Math.floor(position.num / position.den);
  return position.den === 1 ? [floor] : [floor, floor + 1];
}

/**
 * The first source frame a segment starting at output frame `outputFrame`
 * decodes: the source frame under it, less the first step's context when
 * that step replays its facts ('replay-first-step'); 0 for a chain that
 * restarts. The farm's cuts and the segment renderer both read it.
 */
export function segmentDecodeStart(plan: ChainPlan, outputFrame: number): number {
  if (plan.resume === 'restart' || outputFrame === 0) return 0;
  const [under] = sourceFramesOf(plan, outputFrame);
  const before = plan.resume === 'replay-first-step' ? (plan.steps[0]?.context.before ?? 0) : 0;
  return Math.max(0, (under as number) - before);
}

/** The first output frame whose segment would decode from exactly `sourceFrame`; undefined when none does. */
export function outputFrameDecodingFrom(plan: ChainPlan, sourceFrame: number): number | undefined {
  // segmentDecodeStart never decreases with the output frame: search for the first at or after.
  let low = 0;
  let high = plan.output.frameCount;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (segmentDecodeStart(plan, middle) < sourceFrame) low = middle + 1;
    else high = middle;
  }
  return low < plan.output.frameCount && segmentDecodeStart(plan, low) === sourceFrame ? low : undefined;
}

/** Estimated milliseconds of model time for the whole chain; null when a model of it was never measured here. */
export function modelMilliseconds(plan: ChainPlan, cost: RunCost): number | null {
  let total = 0;
  for (const step of plan.steps) {
    if (step.modelRuns === 0) continue;
    const perRun = cost(step.modelId, step.runWidth, step.runHeight);
    if (perRun === undefined) return null;
    total += perRun * step.modelRuns;
  }
  return total;
}

/** Typical encoded size of the chain's video stream (video sources) or output image (stills), in bytes. */
export function typicalOutputBytes(plan: ChainPlan, output: { codec: OutputCodec; imageExtension?: string; bitDepth?: 8 | 16 }): number {
  if (plan.source.isImage) return typicalImageBytes(plan.output.width, plan.output.height, output.imageExtension ?? 'png');
  return typicalVideoBytes({ width: plan.output.width, height: plan.output.height, frameCount: plan.output.frameCount, codec: output.codec, bitDepth: output.bitDepth });
}
