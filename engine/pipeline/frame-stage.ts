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

export interface FrameStage {
  readonly name: string;
  /** Relative cost of one output frame, used to share progress across steps. */
  readonly costWeight: number;
  /** The size, rate and count of what this stage yields for a given input. */
  outputGeometry(input: FrameGeometry): FrameGeometry;
  /** Transforms the stream; must stop promptly (between frames) when the signal fires. */
  run(frames: AsyncIterable<RgbFrame>, signal: AbortSignal): AsyncIterable<RgbFrame>;
  /** Releases sessions and buffers. */
  dispose(): Promise<void>;
}
