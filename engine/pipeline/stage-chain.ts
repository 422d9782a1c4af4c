// Joins decoder, stages and consumer so they run at the same time: each
// stage reads from a bounded queue fed by the part before it. While frame k
// is inferred, frame k+1 is decoded and frame k-1 encoded.
import type { RgbFrame } from '../media/frame.ts';
import { buffered } from './bounded-queue.ts';
import type { FrameGeometry, FrameStage } from './frame-stage.ts';

/** Frames held between two parts of the chain; small, so memory stays flat. */
const QUEUE_DEPTH = 3;

export function chainStages(
  source: AsyncIterable<RgbFrame>,
  stages: readonly FrameStage[],
  signal: AbortSignal,
): AsyncIterable<RgbFrame> {
  let stream = buffered(source, QUEUE_DEPTH);
  for (const stage of stages) stream = buffered(stage.run(stream, signal), QUEUE_DEPTH);
  return stream;
}

/** The geometry after every stage, first to last (the last is the output). */
export function chainGeometry(input: FrameGeometry, stages: readonly FrameStage[]): FrameGeometry[] {
  const geometries: FrameGeometry[] = [];
  let current = input;
  for (const stage of stages) {
    current = stage.outputGeometry(current);
    geometries.push(current);
  }
  return geometries;
}
