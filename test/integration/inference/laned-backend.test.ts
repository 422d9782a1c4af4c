// Parallel runs on the CPU (laned-backend.ts) with the real runtime and RIFE:
// a session asked for two parallel runs opens on two worker threads, spreads
// concurrent runs over both, and computes exactly what one session on all
// threads computes; a session asked for one run stays on one lane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanedBackend, LanedSession, laneShape } from '../../../engine/inference/laned-backend.ts';
import { OnnxWorkerBackend } from '../../../engine/inference/onnx-worker-backend.ts';
import type { ResolvedModel } from '../../../engine/inference/inference-backend.ts';
import type { TensorMap } from '../../../engine/inference/tensor.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { Catalog } from '../../../engine/models/catalog.ts';

const rifePath = modelAsset('onnx/interpolation/rife-v4.6.onnx');
const H = 64;
const W = 96;

function feeds(seed: number): TensorMap {
  const plane = (channels: number, offset: number) => {
    const data = new Float32Array(channels * H * W);
    for (let i = 0; i < data.length; i += 1) data[i] = (((i + offset) * 2654435761) % 997) / 997;
    return data;
  };
  return {
    img0: { dtype: 'float32', dims: [1, 3, H, W], data: plane(3, seed) },
    img1: { dtype: 'float32', dims: [1, 3, H, W], data: plane(3, seed + 11) },
    timestep: { dtype: 'float32', dims: [1, 1, H, W], data: new Float32Array(H * W).fill(0.5) },
  };
}

describe('how many lanes and threads a session gets', () => {
  it('splits the threads over the parallel runs on the CPU only', () => {
    expect(laneShape({ provider: 'cpu', parallelRuns: 2 }, 2, 2)).toEqual({ lanes: 2, threads: 1 });
    expect(laneShape({ provider: 'auto', parallelRuns: 3 }, 16, 2)).toEqual({ lanes: 2, threads: 8 });
    expect(laneShape({ provider: 'cpu', parallelRuns: 2, threads: 5 }, 16, 2)).toEqual({ lanes: 2, threads: 2 });
    expect(laneShape({ provider: 'cpu', parallelRuns: 2, threads: 1 }, 16, 2)).toEqual({ lanes: 1, threads: 1 });
    expect(laneShape({ provider: 'cpu' }, 16, 2)).toEqual({ lanes: 1, threads: undefined });
    expect(laneShape({ provider: 'cuda', parallelRuns: 2 }, 16, 2)).toEqual({ lanes: 1, threads: undefined });
    expect(laneShape({ provider: 'cpu', parallelRuns: 2 }, 2, 1)).toEqual({ lanes: 1, threads: undefined });
  });
});

describe.skipIf(!rifePath)('parallel runs on two worker threads', () => {
  let temp: TempDir;
  let backend: LanedBackend;
  let model: () => ResolvedModel;

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-lanes-');
    const manifest = (await Catalog.load()).get('rife-v4.6');
    model = () => ({ manifest, path: rifePath as string });
    const lanes = [0, 1].map(() => new OnnxWorkerBackend({ cacheDir: temp.file('converted'), threads: 2 }));
    backend = new LanedBackend(lanes, 2);
  });

  afterAll(async () => {
    await backend?.dispose();
    await temp?.dispose();
  });

  it('spreads concurrent runs over both lanes, each run equal to one session on all threads', async () => {
    const laned = await backend.open(model(), { provider: 'cpu', parallelRuns: 2 });
    const whole = await backend.open(model(), { provider: 'cpu' });
    try {
      expect(laned).toBeInstanceOf(LanedSession);
      await (laned as LanedSession).lanesOpened();
      expect((laned as LanedSession).runsPerLane).toEqual([0, 0]);
      const seeds = [1, 2, 3, 4];
      const parallel = await Promise.all(seeds.map((seed) => laned.run(feeds(seed))));
      const perLane = (laned as LanedSession).runsPerLane;
      expect(perLane).toHaveLength(2);
      expect(Math.min(...perLane)).toBeGreaterThanOrEqual(1);
      expect(perLane[0]! + perLane[1]!).toBe(4);
      for (const [index, seed] of seeds.entries()) {
        const serial = await whole.run(feeds(seed));
        expect(Buffer.from((parallel[index]!.output!.data as Float32Array).buffer).equals(Buffer.from((serial.output!.data as Float32Array).buffer))).toBe(true);
      }
      expect((whole as LanedSession).runsPerLane).toEqual([4]);
    } finally {
      await laned.release();
      await whole.release();
    }
  }, 120_000);
});
