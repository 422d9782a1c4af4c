// Joins decoder, stages and consumer so they run at the same time: each
// stage reads from a bounded queue fed by the part before it. While frame k
// is inferred, frame k+1 is decoded and frame k-1 encoded.
import type { RgbFrame } from '../media/frame.ts';
import { buffered } from './bounded-queue.ts';
import type { FrameGeometry, FrameStage } from './frame-stage.ts';

/** Frames held between two parts of the chain; small, so memory stays flat. */
const QUEUE_DEPTH = 3;

async function* counted(frames: AsyncIterable<RgbFrame>, onFrame: () => void): AsyncGenerator<RgbFrame> {
  for await (const frame of frames) {
    onFrame();
    yield frame;
  }
}

/**
 * The stages joined by bounded queues. `onStageFrame(i)` is called for every
 * frame of stage i as the next part takes it from the queue (not as the
 * stage yields it: the queue reads ahead, and counting there would put the
 * last stage a queue's depth ahead of the frames actually written), so
 * progress can be shared across steps by cost.
 */
export function chainStages(
  source: AsyncIterable<RgbFrame>,
  stages: readonly FrameStage[],
  signal: AbortSignal,
  onStageFrame?: (stageIndex: number) => void,
): AsyncIterable<RgbFrame> {
  let stream = buffered(source, QUEUE_DEPTH);
  for (const [index, stage] of stages.entries()) {
    const output = buffered(stage.run(stream, signal), QUEUE_DEPTH);
    stream = onStageFrame ? counted(output, () => onStageFrame(index)) : output;
  }
  return stream;
}

/**
 * Share of the chain's work done, 0..1: each stage's share of its own output
 * frames, weighted by its cost per frame times its frame count.
 */
export class ChainProgress {
  private readonly done: number[];
  private readonly weights: number[];
  private readonly totalWeight: number;

  constructor(
    stages: readonly FrameStage[],
    private readonly geometries: readonly FrameGeometry[],
  ) {
    this.done = stages.map(() => 0);
    this.weights = stages.map((stage, index) => stage.costWeight * Math.max(1, geometries[index]?.frameCount ?? 1));
    this.totalWeight = this.weights.reduce((sum, weight) => sum + weight, 0);
  }

  frame(stageIndex: number): void {
    this.done[stageIndex] = (this.done[stageIndex] ?? 0) + 1;
  }

  get fraction(): number {
    if (this.totalWeight <= 0) return 0;
    let sum = 0;
    for (const [index, weight] of this.weights.entries()) {
      const total = Math.max(1, this.geometries[index]?.frameCount ?? 1);
      sum += weight * Math.min(1, (this.done[index] ?? 0) / total);
    }
    return sum / this.totalWeight;
  }
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
