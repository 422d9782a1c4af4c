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
  /** Transforms the stream; must stop promptly (between frames) when the signal fires. */
  run(frames: AsyncIterable<RgbFrame>, signal: AbortSignal): AsyncIterable<RgbFrame>;
  /** Releases sessions and buffers. */
  dispose(): Promise<void>;
}
