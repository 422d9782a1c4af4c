// One step of a chain (upscale, interpolate, stylize) as the pipeline sees it.
// A stage consumes a stream of frames and yields a stream of frames, so a
// 1:1 stage (upscale) and a 1:N stage (interpolate) share one shape. The
// pipeline joins stages with bounded queues so they run concurrently.
import type { Rational } from '../../common/rational.ts';
import type { RgbFrame } from '../media/frame.ts';

export interface FrameGeometry {
  width: number;
  height: number;
  frameRate: Rational;
  frameCount: number;
}

/** A stage that changes playing time (slow motion) says how the audio follows. */
export interface TimeStretch {
  /** Output duration over input duration (> 1 plays slower). */
  factor: Rational;
  /** Drop the audio, or time-stretch it (pitch kept) to the new duration. */
  audio: 'drop' | 'stretch';
}

export interface FrameStage {
  readonly name: string;
  /** Relative cost of one output frame, used to share progress across steps. */
  readonly costWeight: number;
  /** Absent for stages that keep the playing time. */
  readonly timeStretch?: TimeStretch;
  /** The size, rate and count of what this stage yields for a given input. */
  outputGeometry(input: FrameGeometry): FrameGeometry;
  /**
   * Present on a stage that carries state across frames yet can resume an
   * interrupted run exactly when it is the first of its chain: called before
   * run() with output frame k, it makes run() read its whole input from frame
   * 0, replaying only its cheap per-frame analysis for what comes before, and
   * yield just frames k, k+1, ... of a full run, equal to them.
   * `firstSourceFrame` (default 0) says its input starts at that source frame
   * instead: exact when it lies at least the step's context before (the
   * chain plan's segmentDecodeStart gives it).
   */
  resumeAt?(outputFrame: number, firstSourceFrame?: number): void;
  /** Transforms the stream; must stop promptly (between frames) when the signal fires. */
  run(frames: AsyncIterable<RgbFrame>, signal: AbortSignal): AsyncIterable<RgbFrame>;
  /** Releases sessions and buffers. */
  dispose(): Promise<void>;
}
