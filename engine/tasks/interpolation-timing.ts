// Where each output frame of an interpolation sits in the source, in exact
// integer arithmetic. Source frame s shows from s/rIn; output frame i sits at
// i/rOut (rOut is the time grid: the output rate, or the source rate times
// the factor in slow motion), i.e. at source position p = i * a / b with
// a/b = rIn/rOut reduced.
//
// Output frame count: the output covers the source's duration N / rIn, so
// count = ceil(N * b / a) (the last output frame starts before the source
// ends; the durations differ by less than one output frame). Positions past
// the last source frame repeat it.
//
// The planner turns positions into actions, given per-frame facts pushed as
// frames arrive (duplicate of the previous frame, scene cut before it):
// - a position on a source frame copies it (no inference);
// - with dedup, runs of duplicates are skipped: the pair is the first frame
//   of the run and the next distinct frame, and t spans the longer interval;
//   a run longer than maxHold frames is a static hold, not animation on twos,
//   so only its last interval is interpolated;
// - a pair with a cut between them is never interpolated: the nearest real
//   frame (round half up) is copied.
import { InvalidArgumentError } from '../../common/errors.ts';
import { divide, multiply, rational, type Rational } from '../../common/rational.ts';

export type InterpolationMode =
  | { kind: 'multiply'; factor: Rational }
  | { kind: 'fps'; rate: Rational }
  | { kind: 'slowmo'; factor: Rational };

export interface InterpolationTiming {
  /** Rate of the time grid in source time (output frames per source second). */
  gridRate: Rational;
  /** Rate written into the output file (the grid rate, or the source rate in slow motion). */
  outputRate: Rational;
  /** rIn / gridRate, reduced: source position of output i is i * step. */
  step: Rational;
  /** Factor by which the output plays longer than the source (1 unless slow motion). */
  stretch: Rational;
}

/** A finite number such as 2.5 as an exact fraction (through its shortest decimal text). */
export function rationalFromNumber(value: number): Rational {
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`Expected a positive factor but received ${String(value)}.`);
  const text = String(value);
  if (/e/i.test(text)) throw new InvalidArgumentError(`Expected a factor with at most 9 decimals but received ${text}.`);
  const dot = text.indexOf('.');
  if (dot < 0) return rational(value, 1);
  const decimals = Math.min(9, text.length - dot - 1);
  const scale = 10 ** decimals;
  return rational(Math.round(value * scale), scale);
}

export function interpolationTiming(sourceRate: Rational, mode: InterpolationMode): InterpolationTiming {
  if (sourceRate.num <= 0 || sourceRate.den <= 0) {
    throw new InvalidArgumentError(`Expected a positive source frame rate but received ${sourceRate.num}/${sourceRate.den}.`);
  }
  const value = mode.kind === 'fps' ? mode.rate : mode.factor;
  if (value.num <= 0 || value.den <= 0) throw new InvalidArgumentError(`Expected a positive ${mode.kind} value.`);
  const gridRate = mode.kind === 'fps' ? mode.rate : multiply(sourceRate, mode.factor);
  return {
    gridRate,
    outputRate: mode.kind === 'slowmo' ? sourceRate : gridRate,
    step: divide(sourceRate, gridRate),
    stretch: mode.kind === 'slowmo' ? mode.factor : rational(1),
  };
}

/** ceil(N * b / a) for step a/b: output frames covering N source frames. */
export function outputFrameCount(sourceFrames: number, step: Rational): number {
  if (!Number.isInteger(sourceFrames) || sourceFrames < 0) throw new InvalidArgumentError(`Expected a frame count but received ${sourceFrames}.`);
  const numerator = sourceFrames * step.den;
  const quotient = Math.floor(numerator / step.num);
  return quotient * step.num === numerator ? quotient : quotient + 1;
}

/** Source position of output frame i: frame k plus fraction num/den (0 <= num < den). */
export function sourcePosition(outputIndex: number, step: Rational): { frame: number; num: number; den: number } {
  const scaled = outputIndex * step.num;
  const frame = Math.floor(scaled / step.den);
  return { frame, num: scaled - frame * step.den, den: step.den };
}

export type InterpolationAction =
  | { kind: 'copy'; output: number; source: number }
  /** Synthesise the frame at time t (exact) between source frames `from` and `to`. */
  | { kind: 'blend'; output: number; from: number; to: number; t: Rational };

export interface FrameFacts {
  /** This frame repeats the previous one. */
  duplicate: boolean;
  /** A scene cut lies between the previous frame and this one. */
  cut: boolean;
}

export interface PlannerOptions {
  step: Rational;
  /** Total output frames; the planner yields exactly this many actions. */
  outputCount: number;
  dedup: boolean;
  /** Longest duplicate run (in source frames) treated as held animation; default 4. */
  maxHold?: number;
}

export const DEFAULT_MAX_HOLD = 4;

/** Incremental planner: push facts for frames 0, 1, ... then end(); take actions with next(). */
export class InterpolationPlanner {
  private readonly facts: FrameFacts[] = [];
  private ended = false;
  private nextOutput = 0;
  private readonly maxHold: number;

  constructor(private readonly options: PlannerOptions) {
    this.maxHold = options.maxHold ?? DEFAULT_MAX_HOLD;
  }

  get framesSeen(): number {
    return this.facts.length;
  }

  get done(): boolean {
    return this.nextOutput >= this.options.outputCount;
  }

  push(facts: FrameFacts): void {
    this.facts.push(this.facts.length === 0 ? { duplicate: false, cut: false } : facts);
  }

  end(): void {
    this.ended = true;
  }

  private isKey(index: number): boolean {
    return index === 0 || !this.options.dedup || !(this.facts[index] as FrameFacts).duplicate;
  }

  /** The key at or before `index` (the first frame of its duplicate run). */
  private keyAtOrBefore(index: number): number {
    let key = index;
    while (!this.isKey(key)) key -= 1;
    return key;
  }

  /** The first key after `index`; undefined when more frames are needed; -1 when the stream ended without one. */
  private keyAfter(index: number): number | undefined {
    for (let key = index + 1; ; key += 1) {
      if (key >= this.facts.length) return this.ended ? -1 : undefined;
      if (this.isKey(key)) return key;
    }
  }

  /** Oldest source frame a future action can still refer to. */
  oldestNeeded(): number {
    if (this.done || this.facts.length === 0) return this.facts.length;
    const { frame } = sourcePosition(this.nextOutput, this.options.step);
    if (frame >= this.facts.length) return Math.max(0, this.facts.length - 1);
    return this.keyAtOrBefore(frame);
  }

  /** The next action, or undefined when it needs frames not pushed yet (or all are done). */
  next(): InterpolationAction | undefined {
    if (this.done) return undefined;
    const output = this.nextOutput;
    const action = this.plan(output);
    if (action) this.nextOutput += 1;
    return action;
  }

  private plan(output: number): InterpolationAction | undefined {
    const { step } = this.options;
    const { frame, num, den } = sourcePosition(output, step);
    if (frame >= this.facts.length) {
      if (!this.ended) return undefined;
      if (this.facts.length === 0) return undefined;
      return { kind: 'copy', output, source: this.facts.length - 1 };
    }
    const key = this.keyAtOrBefore(frame);
    if (num === 0 && key === frame) return { kind: 'copy', output, source: frame };
    const next = this.keyAfter(frame);
    if (next === undefined) return undefined;
    if (next === -1) return { kind: 'copy', output, source: frame };
    let from = key;
    if (next - key > this.maxHold) {
      // A static hold: still until its last frame, then interpolate one interval.
      if (frame < next - 1) return { kind: 'copy', output, source: frame };
      from = next - 1;
    }
    // Position relative to `from`, in units of 1/den: (frame - from) * den + num.
    const offset = (frame - from) * den + num;
    if (offset === 0) return { kind: 'copy', output, source: from };
    if ((this.facts[next] as FrameFacts).cut) {
      return { kind: 'copy', output, source: 2 * num >= den ? frame + 1 : frame };
    }
    return { kind: 'blend', output, from, to: next, t: rational(offset, (next - from) * den) };
  }
}
