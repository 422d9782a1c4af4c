import { describe, expect, it } from 'vitest';
import { rational } from '../../../common/rational.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import type { FrameGeometry, FrameStage } from '../../../engine/pipeline/frame-stage.ts';
import { ChainProgress, chainGeometry, chainStages } from '../../../engine/pipeline/stage-chain.ts';

function frame(index: number): RgbFrame {
  return { width: 1, height: 1, bitDepth: 8, data: new Uint8Array(3), index };
}

/** A real 1:N stage over tiny frames: repeats every frame `factor` times. */
function repeatStage(factor: number, costWeight: number): FrameStage {
  return {
    name: `repeat-${factor}`,
    costWeight,
    outputGeometry: (input: FrameGeometry) => ({ ...input, frameCount: input.frameCount * factor }),
    async *run(frames) {
      for await (const item of frames) for (let copy = 0; copy < factor; copy += 1) yield { ...item, index: item.index * factor + copy };
    },
    dispose: async () => undefined,
  };
}

async function* source(count: number): AsyncGenerator<RgbFrame> {
  for (let index = 0; index < count; index += 1) yield frame(index);
}

describe('stage chain', () => {
  it('runs stages in order, counts each stage and promises the geometry it yields', async () => {
    const stages = [repeatStage(2, 1), repeatStage(3, 1)];
    const input = { width: 1, height: 1, frameRate: rational(24), frameCount: 4 };
    const geometries = chainGeometry(input, stages);
    expect(geometries.map((g) => g.frameCount)).toEqual([8, 24]);
    const counts = [0, 0];
    const output: number[] = [];
    for await (const item of chainStages(source(4), stages, new AbortController().signal, (i) => (counts[i] = (counts[i] ?? 0) + 1))) {
      output.push(item.index);
    }
    expect(output).toHaveLength(24);
    expect(output.slice(0, 7)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(counts).toEqual([8, 24]);
  });

  it('shares progress across steps by their cost', () => {
    const stages = [repeatStage(1, 3), repeatStage(2, 1)];
    const geometries = chainGeometry({ width: 1, height: 1, frameRate: rational(24), frameCount: 10 }, stages);
    const progress = new ChainProgress(stages, geometries);
    // Weights: 3 x 10 frames = 30 for the first stage, 1 x 20 = 20 for the second.
    for (let i = 0; i < 10; i += 1) progress.frame(0);
    expect(progress.fraction).toBeCloseTo(30 / 50, 10);
    for (let i = 0; i < 10; i += 1) progress.frame(1);
    expect(progress.fraction).toBeCloseTo(40 / 50, 10);
    for (let i = 0; i < 10; i += 1) progress.frame(1);
    expect(progress.fraction).toBeCloseTo(1, 10);
  });
});
