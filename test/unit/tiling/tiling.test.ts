import { describe, expect, it } from 'vitest';
import { CancelledError, InvalidArgumentError, OutOfMemoryError } from '../../../common/errors.ts';
import type { TensorData } from '../../../engine/inference/tensor.ts';
import {
  chooseTileSize,
  planTiles,
  planTilesByArea,
  runTiled,
  tensorTileSource,
} from '../../../engine/inference/tiling.ts';
import type { TilingNotice } from '../../../engine/inference/tiling.ts';

function randomTensor(width: number, height: number, seed = 1): TensorData {
  const data = new Float32Array(3 * width * height);
  let state = seed;
  for (let i = 0; i < data.length; i += 1) {
    state = (state * 1103515245 + 12345) % 2147483648;
    data[i] = state / 2147483648;
  }
  return { dtype: 'float32', dims: [1, 3, height, width], data };
}

/** A pointwise x2 "model" (nearest neighbour, then squared): tiling must reproduce it exactly. */
async function nearestTimesTwo(tile: TensorData): Promise<TensorData> {
  const [, , h, w] = tile.dims;
  const out = new Float32Array(3 * 4 * w * h);
  for (let c = 0; c < 3; c += 1) {
    for (let y = 0; y < 2 * h; y += 1) {
      for (let x = 0; x < 2 * w; x += 1) {
        const v = tile.data[c * w * h + (y >> 1) * w + (x >> 1)];
        out[c * 4 * w * h + y * 2 * w + x] = v * v;
      }
    }
  }
  return { dtype: 'float32', dims: [1, 3, 2 * h, 2 * w], data: out };
}

function maxDifference(a: TensorData, b: TensorData): number {
  expect(a.dims).toEqual(b.dims);
  let worst = 0;
  for (let i = 0; i < a.data.length; i += 1) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  return worst;
}

describe('planTiles', () => {
  const cases = [
    [96, 72, 48, 16], [321, 179, 64, 24], [100, 100, 100, 10], [257, 31, 40, 8], [1000, 3, 128, 64], [65, 65, 33, 32],
  ] as const;
  for (const [width, height, tileSize, overlap] of cases) {
    it(`covers every pixel of ${width}x${height} with ${tileSize}px tiles overlapping by at least ${overlap}`, () => {
      const plan = planTiles(width, height, tileSize, overlap);
      const covered = new Uint8Array(width * height);
      for (const tile of plan.tiles) {
        expect(tile.width).toBe(Math.min(tileSize, width));
        expect(tile.height).toBe(Math.min(tileSize, height));
        expect(tile.x).toBeGreaterThanOrEqual(0);
        expect(tile.y).toBeGreaterThanOrEqual(0);
        expect(tile.x + tile.width).toBeLessThanOrEqual(width);
        expect(tile.y + tile.height).toBeLessThanOrEqual(height);
        for (let y = tile.y; y < tile.y + tile.height; y += 1) covered.fill(1, y * width + tile.x, y * width + tile.x + tile.width);
      }
      expect(covered.every((v) => v === 1)).toBe(true);
      for (const axis of [plan.columns, plan.rows]) {
        for (let i = 1; i < axis.starts.length; i += 1) {
          expect(axis.starts[i - 1] + axis.length - axis.starts[i]).toBeGreaterThanOrEqual(overlap);
        }
      }
    });
  }

  it('uses one tile when the frame fits', () => {
    const plan = planTiles(64, 48, 64, 32);
    expect(plan.tiles).toEqual([{ x: 0, y: 0, width: 64, height: 48 }]);
  });

  it('refuses a tile size not larger than the overlap', () => {
    expect(() => planTiles(100, 100, 32, 32)).toThrow(InvalidArgumentError);
    expect(() => planTiles(100, 0, 32, 8)).toThrow(/positive integer for height/);
  });
});

describe('planTilesByArea', () => {
  const cases = [
    [1280, 720, 512 * 512, 64, 1], [1920, 1080, 1024 * 1024, 64, 1], [1920, 1080, 512 * 512, 64, 4], [700, 5000, 512 * 512, 64, 1],
    [321, 179, 96 * 96, 24, 1], [1000, 3, 128 * 128, 64, 2], [97, 61, 40 * 40, 8, 1],
  ] as const;
  for (const [width, height, maxArea, overlap, multiple] of cases) {
    it(`covers ${width}x${height} with tiles of at most ${maxArea} px (padded to ${multiple}), computing no more than squares of that area`, () => {
      const plan = planTilesByArea(width, height, maxArea, overlap, multiple);
      const padded = (length: number) => Math.ceil(length / multiple) * multiple;
      expect(padded(plan.columns.length) * padded(plan.rows.length)).toBeLessThanOrEqual(maxArea);
      const covered = new Uint8Array(width * height);
      for (const tile of plan.tiles) {
        expect(tile.x + tile.width).toBeLessThanOrEqual(width);
        expect(tile.y + tile.height).toBeLessThanOrEqual(height);
        for (let y = tile.y; y < tile.y + tile.height; y += 1) covered.fill(1, y * width + tile.x, y * width + tile.x + tile.width);
      }
      expect(covered.every((value) => value === 1)).toBe(true);
      for (const axis of [plan.columns, plan.rows]) {
        for (let i = 1; i < axis.starts.length; i += 1) expect(axis.starts[i - 1]! + axis.length - axis.starts[i]!).toBeGreaterThanOrEqual(overlap);
      }
      const side = Math.floor(Math.sqrt(maxArea) / multiple) * multiple;
      const squares = planTiles(width, height, side, overlap);
      const computed = (p: typeof plan) => p.tiles.length * padded(p.columns.length) * padded(p.rows.length);
      expect(computed(plan)).toBeLessThanOrEqual(computed(squares));
    });
  }

  it('runs the whole frame when its area fits, even where a square of that area would not', () => {
    const plan = planTilesByArea(1280, 720, 1024 * 1024, 64);
    expect(plan.tiles).toEqual([{ x: 0, y: 0, width: 1280, height: 720 }]);
    expect(planTiles(1280, 720, 1024, 64).tiles).toHaveLength(2);
  });

  it('refuses an area no tile larger than the overlap fits in', () => {
    expect(() => planTilesByArea(200, 200, 16 * 16, 32)).toThrow(/Use a larger tile size/);
  });
});

describe('chooseTileSize', () => {
  it('fits the budget, respects the multiple and the minimum', () => {
    const size = chooseTileSize({ scale: 4, memoryBudgetBytes: 256 * 1024 * 1024, bytesPerOutputPixel: 256, padMultiple: 8 });
    expect(size % 8).toBe(0);
    expect(size * size * 16 * 256).toBeLessThanOrEqual(256 * 1024 * 1024);
    expect((size + 8) * (size + 8) * 16 * 256).toBeGreaterThan(256 * 1024 * 1024);
    expect(chooseTileSize({ scale: 4, memoryBudgetBytes: 1000, minTileSize: 100, padMultiple: 32 })).toBe(128);
  });
});

describe('runTiled', () => {
  it('reproduces a pointwise model exactly with feathered tiles and padding', async () => {
    const input = randomTensor(97, 61);
    const whole = await nearestTimesTwo(input);
    const shapes = new Set<string>();
    const result = await runTiled(tensorTileSource(input), async (tile) => {
      shapes.add(tile.dims.join('x'));
      return nearestTimesTwo(tile);
    }, { scale: 2, tileSize: 40, overlap: 12, padMultiple: 8 });
    expect(result.tileCount).toBeGreaterThan(4);
    expect([...shapes]).toEqual(['1x3x40x40']);
    expect(maxDifference(result.output, whole)).toBeLessThan(1e-6);
  });

  it('pads a whole frame to the multiple and crops the output back', async () => {
    const input = randomTensor(13, 9);
    const seen: number[][] = [];
    const result = await runTiled(tensorTileSource(input), async (tile) => {
      seen.push(tile.dims);
      return nearestTimesTwo(tile);
    }, { scale: 2, tileSize: 'auto', padMultiple: 8 });
    expect(seen).toEqual([[1, 3, 16, 16]]);
    expect(result.tileCount).toBe(1);
    expect(maxDifference(result.output, await nearestTimesTwo(input))).toBe(0);
  });

  it('stops between tiles when the signal fires', async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = runTiled(tensorTileSource(randomTensor(80, 80)), async (tile) => {
      calls += 1;
      if (calls === 2) controller.abort();
      return nearestTimesTwo(tile);
    }, { scale: 2, tileSize: 32, overlap: 8, signal: controller.signal });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toBe(2);
  });

  it("plans 'auto' by area, exactly, and says to keep 'auto'", async () => {
    const input = randomTensor(120, 40);
    const shapes: string[] = [];
    const result = await runTiled(tensorTileSource(input), async (tile) => {
      shapes.push(`${tile.dims[3]}x${tile.dims[2]}`);
      return nearestTimesTwo(tile);
    }, { scale: 2, tileSize: 'auto', overlap: 8, memoryBudgetBytes: 64 * 64 * 4 * 256, minTileSize: 16 });
    // 120x40 fits a 64x64 area in 2 tiles of 64x40 (4096 px at most), where 64px squares also take 2: the area plan keeps their shape.
    expect(new Set(shapes).size).toBe(1);
    expect(shapes.length).toBeLessThanOrEqual(2);
    expect(result.tileSize).toBe('auto');
    expect(maxDifference(result.output, await nearestTimesTwo(input))).toBeLessThan(1e-6);
  });

  it("falls back from 'auto' to half-size square tiles on OUT_OF_MEMORY", async () => {
    const input = randomTensor(90, 70);
    const notices: TilingNotice[] = [];
    const result = await runTiled(tensorTileSource(input), async (tile) => {
      if (tile.dims[3] > 48) throw new OutOfMemoryError('running a test tile');
      return nearestTimesTwo(tile);
    }, { scale: 2, tileSize: 'auto', overlap: 8, minTileSize: 16, onNotice: (notice) => notices.push(notice) });
    expect(notices.map((n) => [n.fromTileSize, n.toTileSize])).toEqual([[90, 45]]);
    expect(result.tileSize).toBe(45);
    expect(maxDifference(result.output, await nearestTimesTwo(input))).toBeLessThan(1e-6);
  });

  it('retries with half-size tiles on OUT_OF_MEMORY and reports it', async () => {
    const input = randomTensor(90, 70);
    const notices: TilingNotice[] = [];
    const result = await runTiled(tensorTileSource(input), async (tile) => {
      if (tile.dims[3] > 48) throw new OutOfMemoryError('running a test tile');
      return nearestTimesTwo(tile);
    }, { scale: 2, tileSize: 200, overlap: 8, minTileSize: 16, onNotice: (notice) => notices.push(notice) });
    expect(notices.map((n) => [n.fromTileSize, n.toTileSize])).toEqual([[90, 45]]);
    expect(result.tileSize).toBe(45);
    expect(maxDifference(result.output, await nearestTimesTwo(input))).toBeLessThan(1e-6);
  });

  it('rethrows OUT_OF_MEMORY once tiles reach the minimum, and other errors at once', async () => {
    const input = randomTensor(64, 64);
    let calls = 0;
    const alwaysOut = runTiled(tensorTileSource(input), async () => {
      calls += 1;
      throw new OutOfMemoryError('running a test tile');
    }, { scale: 2, tileSize: 64, overlap: 8, minTileSize: 16 });
    await expect(alwaysOut).rejects.toBeInstanceOf(OutOfMemoryError);
    expect(calls).toBe(3);
    const broken = runTiled(tensorTileSource(input), async () => {
      throw new RangeError('not memory');
    }, { scale: 2, tileSize: 64, overlap: 8 });
    await expect(broken).rejects.toBeInstanceOf(RangeError);
  });

  it('refuses a model output of the wrong size', async () => {
    const run = runTiled(tensorTileSource(randomTensor(8, 8)), async (tile) => tile, { scale: 2, tileSize: 64, modelId: 'test-x2' });
    await expect(run).rejects.toThrow(/test-x2.*expected \[1,3,16,16\]/);
  });
});
