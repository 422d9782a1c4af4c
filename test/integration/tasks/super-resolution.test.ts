// The super-resolution stage on a real model, checked against onnxruntime run
// directly on the same pixels (reference conversion written out here, not
// through image-tensor.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, InvalidArgumentError, OutOfMemoryError } from '../../../common/errors.ts';
import type { TilingNotice } from '../../../engine/inference/tiling.ts';
import { modelCatalogSchema } from '../../../common/model-manifest.ts';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import { rational } from '../../../common/rational.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { createSuperResolutionStage, upscaleFrame } from '../../../engine/tasks/super-resolution.ts';
import { mediaAsset, modelAsset, repoRoot } from '../../helpers/shared-assets.ts';
import { DirectModelSession, openDirectSession } from './direct-model-session.ts';
import type * as ort from 'onnxruntime-node';

const modelPath = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const imagePath = mediaAsset('images/set5/baby.png');

function manifestFor(id: string): ModelManifest {
  const catalog = modelCatalogSchema.parse(JSON.parse(readFileSync(path.join(repoRoot, 'models', 'catalog.json'), 'utf8')));
  const manifest = catalog.models.find((model) => model.id === id);
  if (!manifest) throw new Error(`${id} is not in models/catalog.json`);
  return manifest;
}

async function crop(left: number, top: number, width: number, height: number, index: number): Promise<RgbFrame> {
  const { data } = await sharp(imagePath!).extract({ left, top, width, height }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width, height, bitDepth: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length), index };
}

/** Direct model output for an 8-bit frame, as float [0,1] planes. */
async function direct(session: ort.InferenceSession, frame: RgbFrame): Promise<{ width: number; height: number; planes: Float32Array }> {
  const { width, height } = frame;
  const input = new Float32Array(3 * width * height);
  for (let i = 0; i < width * height; i += 1) {
    for (let c = 0; c < 3; c += 1) input[c * width * height + i] = frame.data[i * 3 + c] / 255;
  }
  const { Tensor } = await import('onnxruntime-node');
  const result = await session.run({ input: new Tensor('float32', input, [1, 3, height, width]) });
  const output = result.output;
  return { width: output.dims[3], height: output.dims[2], planes: output.data as Float32Array };
}

/** Largest difference between a packed frame and reference planes, in steps of 1/255. */
function maxError255(frame: RgbFrame, reference: { width: number; height: number; planes: Float32Array }): number {
  expect([frame.width, frame.height]).toEqual([reference.width, reference.height]);
  const top = frame.bitDepth === 16 ? 65535 : 255;
  const plane = reference.width * reference.height;
  let worst = 0;
  for (let i = 0; i < plane; i += 1) {
    for (let c = 0; c < 3; c += 1) {
      const expected = Math.min(1, Math.max(0, reference.planes[c * plane + i]));
      worst = Math.max(worst, Math.abs(frame.data[i * 3 + c] / top - expected) * 255);
    }
  }
  return worst;
}

async function collect(iterable: AsyncIterable<RgbFrame>): Promise<RgbFrame[]> {
  const frames: RgbFrame[] = [];
  for await (const frame of iterable) frames.push(frame);
  return frames;
}

async function* fromArray(frames: RgbFrame[]): AsyncIterable<RgbFrame> {
  for (const frame of frames) yield frame;
}

describe.skipIf(!modelPath || !imagePath)('super-resolution stage on realesr-animevideov3-x4', () => {
  let ortSession: ort.InferenceSession;
  const manifest = manifestFor('realesr-animevideov3-x4');
  const geometry = (width: number, height: number) => ({ width, height, frameRate: rational(30000, 1001), frameCount: 3 });

  beforeAll(async () => {
    ortSession = await openDirectSession(modelPath!);
  });
  afterAll(async () => {
    await ortSession?.release();
  });

  it('yields the promised geometry on odd-size frames and matches direct inference within 1/255', async () => {
    const session = new DirectModelSession(manifest.id, ortSession);
    const stage = createSuperResolutionStage({ session, manifest });
    const frames = [await crop(100, 100, 41, 23, 0), await crop(130, 90, 41, 23, 1), await crop(60, 150, 41, 23, 2)];
    const promised = stage.outputGeometry(geometry(41, 23));
    expect(promised).toEqual({ width: 164, height: 92, frameRate: rational(30000, 1001), frameCount: 3 });
    const controller = new AbortController();
    const out = await collect(stage.run(fromArray(frames), controller.signal));
    expect(out.map((f) => [f.width, f.height, f.bitDepth, f.index])).toEqual([[164, 92, 8, 0], [164, 92, 8, 1], [164, 92, 8, 2]]);
    expect(session.runs).toBe(3);
    const error = maxError255(out[1], await direct(ortSession, frames[1]));
    expect(error).toBeLessThanOrEqual(1);
    await stage.dispose();
    expect(session.released).toBe(true);
  });

  it('gives the same picture tiled (uneven tiles) within 2/255', async () => {
    const frame = await crop(200, 180, 75, 53, 0);
    const session = new DirectModelSession(manifest.id, ortSession);
    const tiled = await upscaleFrame(frame, { session, manifest, tileSize: 40, overlap: 24 });
    expect(session.runs).toBeGreaterThanOrEqual(4);
    expect(maxError255(tiled, await direct(ortSession, frame))).toBeLessThanOrEqual(2);
  });

  it('runs whole frames for a model marked not tileable, and shrinks tiles after OUT_OF_MEMORY', async () => {
    const frame = await crop(220, 140, 75, 53, 0);
    const reference = await direct(ortSession, frame);
    const whole = new DirectModelSession(manifest.id, ortSession);
    const untiled = await upscaleFrame(frame, { session: whole, manifest: { ...manifest, tileable: false }, memoryBudgetBytes: 1024 * 1024 });
    expect(whole.runs).toBe(1);
    expect(maxError255(untiled, reference)).toBeLessThanOrEqual(1);

    const limited = new DirectModelSession(manifest.id, ortSession);
    const run = limited.run.bind(limited);
    const sizes: number[][] = [];
    limited.run = async (inputs) => {
      const dims = Object.values(inputs)[0].dims;
      sizes.push(dims.slice(2));
      if (dims[2] * dims[3] > 48 * 48) throw new OutOfMemoryError('running a tile');
      return run(inputs);
    };
    const notices: TilingNotice[] = [];
    const stage = createSuperResolutionStage({ session: limited, manifest, overlap: 20, minTileSize: 32, onNotice: (notice) => notices.push(notice) });
    const out = await collect(stage.run(fromArray([frame, { ...frame, index: 1 }]), new AbortController().signal));
    expect(notices.map((n) => `${n.fromTileSize}->${n.toTileSize}`)).toEqual(['75->37']);
    expect(sizes[0]).toEqual([53, 75]);
    expect(sizes.slice(1).every(([h, w]) => h === 37 && w === 37)).toBe(true);
    expect(out.map((f) => f.index)).toEqual([0, 1]);
    expect(maxError255(out[1], reference)).toBeLessThanOrEqual(2);
  });

  it('makes x2 from the x4 model: half the model output size, a lanczos downscale of it', async () => {
    const frame = await crop(120, 120, 41, 23, 5);
    const session = new DirectModelSession(manifest.id, ortSession);
    const stage = createSuperResolutionStage({ session, manifest, scale: 2 });
    expect(stage.outputGeometry(geometry(41, 23))).toMatchObject({ width: 82, height: 46 });
    const [out] = await collect(stage.run(fromArray([frame]), new AbortController().signal));
    const reference = await direct(ortSession, frame);
    expect([out.width * 2, out.height * 2]).toEqual([reference.width, reference.height]);
    expect(out.index).toBe(5);
    const packed = new Uint8Array(reference.width * reference.height * 3);
    const plane = reference.width * reference.height;
    for (let i = 0; i < plane; i += 1) {
      for (let c = 0; c < 3; c += 1) packed[i * 3 + c] = Math.round(Math.min(1, Math.max(0, reference.planes[c * plane + i])) * 255);
    }
    const expected = await sharp(packed, { raw: { width: reference.width, height: reference.height, channels: 3 } })
      .resize(82, 46, { kernel: 'lanczos3', fit: 'fill' }).raw().toBuffer();
    let worst = 0;
    for (let i = 0; i < expected.length; i += 1) worst = Math.max(worst, Math.abs(expected[i] - out.data[i]));
    expect(worst).toBeLessThanOrEqual(2);
  });

  it('keeps the aspect ratio for a target width alone, and honours both', async () => {
    const session = new DirectModelSession(manifest.id, ortSession);
    const byWidth = createSuperResolutionStage({ session, manifest, width: 100 });
    expect(byWidth.outputGeometry(geometry(41, 23))).toMatchObject({ width: 100, height: 56 });
    const [out] = await collect(byWidth.run(fromArray([await crop(10, 10, 41, 23, 0)]), new AbortController().signal));
    expect([out.width, out.height]).toEqual([100, 56]);
    const byBoth = createSuperResolutionStage({ session, manifest, width: 90, height: 30 });
    expect(byBoth.outputGeometry(geometry(41, 23))).toMatchObject({ width: 90, height: 30 });
    const byHeight = createSuperResolutionStage({ session, manifest, height: 179 });
    expect(byHeight.outputGeometry(geometry(321, 179))).toMatchObject({ width: 321, height: 179 });
  });

  it('keeps 16-bit input 16-bit', async () => {
    const narrow = await crop(90, 200, 29, 17, 0);
    const deep: RgbFrame = { ...narrow, bitDepth: 16, data: Uint16Array.from(narrow.data, (v) => v * 257) };
    const session = new DirectModelSession(manifest.id, ortSession);
    const out = await upscaleFrame(deep, { session, manifest });
    expect(out.bitDepth).toBe(16);
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect(maxError255(out, await direct(ortSession, narrow))).toBeLessThanOrEqual(1 / 257 + 1e-6);
  });

  it('upscales a 321x179 frame to exactly the promised 1284x716', async () => {
    const frame = await crop(50, 60, 321, 179, 0);
    const session = new DirectModelSession(manifest.id, ortSession);
    const stage = createSuperResolutionStage({ session, manifest });
    const promised = stage.outputGeometry(geometry(321, 179));
    const [out] = await collect(stage.run(fromArray([frame]), new AbortController().signal));
    expect([out.width, out.height]).toEqual([promised.width, promised.height]);
    expect([out.width, out.height]).toEqual([1284, 716]);
    expect(createSuperResolutionStage({ session, manifest, scale: 3 }).outputGeometry(geometry(321, 179))).toMatchObject({ width: 963, height: 537 });
  });

  it('stops when cancelled and refuses contradictory options', async () => {
    const session = new DirectModelSession(manifest.id, ortSession);
    const stage = createSuperResolutionStage({ session, manifest });
    const controller = new AbortController();
    controller.abort();
    await expect(collect(stage.run(fromArray([await crop(0, 0, 16, 16, 0)]), controller.signal))).rejects.toBeInstanceOf(CancelledError);
    expect(session.runs).toBe(0);
    expect(() => createSuperResolutionStage({ session, manifest, scale: 2, width: 100 })).toThrow(InvalidArgumentError);
    expect(() => createSuperResolutionStage({ session, manifest, scale: -1 })).toThrow(/positive number for scale/);
    expect(() => createSuperResolutionStage({ session, manifest: { ...manifest, task: 'interpolation' } })).toThrow(/not a super-resolution model/);
  });
});
