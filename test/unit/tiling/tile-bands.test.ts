// Band-wise blending (engine/inference/tile-blend.ts): every output row is
// delivered exactly once per attempt, top to bottom, in bands no taller than
// one tile row's output, and the rows equal the whole-frame result of a
// pointwise model exactly (so the band carry-over loses nothing).
import { describe, expect, it } from 'vitest';
import type { TensorData } from '../../../engine/inference/tensor.ts';
import { runTiledRows, tensorTileSource } from '../../../engine/inference/tiling.ts';

function patternTensor(width: number, height: number): TensorData {
  const data = new Float32Array(3 * width * height);
  for (let i = 0; i < data.length; i += 1) data[i] = ((i * 7919) % 1000) / 1000;
  return { dtype: 'float32', dims: [1, 3, height, width], data };
}

/** Nearest-neighbour x3 with a per-channel offset: any misplaced row or column shows. */
async function nearestX3(tile: TensorData): Promise<TensorData> {
  const [, , h, w] = tile.dims;
  const out = new Float32Array(3 * 9 * w * h);
  for (let c = 0; c < 3; c += 1) {
    for (let y = 0; y < 3 * h; y += 1) {
      for (let x = 0; x < 3 * w; x += 1) out[c * 9 * w * h + y * 3 * w + x] = tile.data[c * w * h + Math.floor(y / 3) * w + Math.floor(x / 3)] + c;
    }
  }
  return { dtype: 'float32', dims: [1, 3, 3 * h, 3 * w], data: out };
}

describe('runTiledRows', () => {
  for (const [width, height, tileSize, overlap] of [[97, 83, 40, 12], [50, 200, 64, 16], [31, 29, 64, 8], [120, 45, 45, 20]] as const) {
    it(`${width}x${height}, ${tileSize}px tiles: each row once, in order, in bands of at most a tile row, equal to the whole frame`, async () => {
      const input = patternTensor(width, height);
      const whole = await nearestX3(input);
      const outWidth = width * 3;
      const seen = new Uint8Array(height * 3);
      let next = 0;
      let tallest = 0;
      await runTiledRows(tensorTileSource(input), nearestX3, { scale: 3, tileSize, overlap, minTileSize: 1 }, (rows) => {
        expect(rows.y).toBe(next);
        expect(rows.width).toBe(outWidth);
        tallest = Math.max(tallest, rows.rows);
        for (let r = 0; r < rows.rows; r += 1) {
          seen[rows.y + r] += 1;
          for (let c = 0; c < 3; c += 1) {
            for (let x = 0; x < outWidth; x += 1) {
              const got = rows.data[c * rows.planeStride + r * rows.width + x];
              const want = whole.data[c * outWidth * height * 3 + (rows.y + r) * outWidth + x];
              if (Math.abs(got - want) > 1e-6) throw new Error(`row ${rows.y + r} x ${x} channel ${c}: ${got} != ${want}`);
            }
          }
        }
        next = rows.y + rows.rows;
      });
      expect(next).toBe(height * 3);
      expect([...seen].every((count) => count === 1)).toBe(true);
      expect(tallest).toBeLessThanOrEqual(Math.min(tileSize, height) * 3);
    });
  }
});
