// Tiled inference against whole-frame inference on a real SR model, with a
// direct onnxruntime session as the tile callback.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, OutOfMemoryError } from '../../../common/errors.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { DEFAULT_TILE_OVERLAP, runTiled } from '../../../engine/inference/tiling.ts';
import type { TensorData } from '../../../engine/inference/tensor.ts';
import type { TilingNotice } from '../../../engine/inference/tiling.ts';
import { frameTileSource, frameToTensor } from '../../../engine/tasks/image-tensor.ts';
import { mediaAsset, modelAsset } from '../../helpers/shared-assets.ts';
import { openDirectSession, runDirect } from './direct-model-session.ts';
import type * as ort from 'onnxruntime-node';

const modelPath = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const imagePath = mediaAsset('images/set5/baby.png');
const range = [0, 1] as const;

async function crop(left: number, top: number, width: number, height: number): Promise<RgbFrame> {
  const { data, info } = await sharp(imagePath!).extract({ left, top, width, height }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { width, height, bitDepth: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length), index: 0 };
}

/** Largest absolute difference, in 1/255 steps of the [0,1] range. */
function maxError255(a: TensorData, b: TensorData): number {
  expect(a.dims).toEqual(b.dims);
  let worst = 0;
  for (let i = 0; i < a.data.length; i += 1) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  return worst * 255;
}

describe.skipIf(!modelPath || !imagePath)('tiling on realesr-animevideov3-x4', () => {
  let session: ort.InferenceSession;
  const wholeCache = new Map<string, TensorData>();

  beforeAll(async () => {
    session = await openDirectSession(modelPath!);
  });
  afterAll(async () => {
    await session?.release();
  });

  async function whole(frame: RgbFrame, key: string): Promise<TensorData> {
    let result = wholeCache.get(key);
    if (!result) {
      result = await runDirect(session, frameToTensor(frame, range));
      wholeCache.set(key, result);
    }
    return result;
  }

  it('tiled equals whole-frame within 2/255 with the default overlap (96x72, uneven tiles)', async () => {
    const frame = await crop(200, 200, 96, 72);
    let tiles = 0;
    const tiled = await runTiled(frameTileSource(frame, range), (tile) => {
      tiles += 1;
      return runDirect(session, tile);
    }, { scale: 4, tileSize: 76 });
    expect(tiles).toBeGreaterThan(1);
    const error = maxError255(tiled.output, await whole(frame, '96x72'));
    process.stdout.write(`tiled vs whole, 96x72, ${tiles} tiles of 76 px, overlap ${DEFAULT_TILE_OVERLAP}: max error ${error.toFixed(4)}/255\n`);
    expect(error).toBeLessThanOrEqual(2);
  });

  it('tiled equals whole-frame within 2/255 in both directions on an odd size', async () => {
    const frame = await crop(150, 180, 123, 97);
    const tiled = await runTiled(frameTileSource(frame, range), (tile) => runDirect(session, tile), { scale: 4, tileSize: 64, overlap: 30 });
    expect(tiled.tileCount).toBe(3 * 2);
    const error = maxError255(tiled.output, await whole(frame, '123x97'));
    process.stdout.write(`tiled vs whole, 123x97, ${tiled.tileCount} tiles of 64 px, overlap 30: max error ${error.toFixed(4)}/255\n`);
    expect(error).toBeLessThanOrEqual(2);
  });

  it('shows seams without overlap, so the comparison can fail', async () => {
    const frame = await crop(200, 200, 96, 72);
    const tiled = await runTiled(frameTileSource(frame, range), (tile) => runDirect(session, tile), { scale: 4, tileSize: 48, overlap: 0 });
    expect(maxError255(tiled.output, await whole(frame, '96x72'))).toBeGreaterThan(2);
  });

  it('retries with smaller tiles when the run is out of memory', async () => {
    const frame = await crop(200, 200, 96, 72);
    const notices: TilingNotice[] = [];
    const sizes: string[] = [];
    const tiled = await runTiled(frameTileSource(frame, range), async (tile) => {
      sizes.push(`${tile.dims[3]}x${tile.dims[2]}`);
      if (tile.dims[2] * tile.dims[3] > 64 * 64) throw new OutOfMemoryError('running a tile');
      return runDirect(session, tile);
    }, { scale: 4, tileSize: 'auto', overlap: 30, minTileSize: 32, onNotice: (notice) => notices.push(notice) });
    expect(notices.map((n) => `${n.fromTileSize}->${n.toTileSize}`)).toEqual(['96->48']);
    expect(sizes[0]).toBe('96x72');
    expect(new Set(sizes.slice(1))).toEqual(new Set(['48x48']));
    expect(tiled.tileSize).toBe(48);
    expect(maxError255(tiled.output, await whole(frame, '96x72'))).toBeLessThanOrEqual(2);
  });

  it('stops between tiles when cancelled', async () => {
    const frame = await crop(200, 200, 96, 72);
    const controller = new AbortController();
    let runs = 0;
    const work = runTiled(frameTileSource(frame, range), async (tile) => {
      runs += 1;
      const output = await runDirect(session, tile);
      controller.abort();
      return output;
    }, { scale: 4, tileSize: 40, overlap: 16, signal: controller.signal });
    await expect(work).rejects.toBeInstanceOf(CancelledError);
    expect(runs).toBe(1);
  });
});
