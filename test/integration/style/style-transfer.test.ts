// The style stage on the real models, against onnxruntime run directly on the
// same pixels (the reference conversion is written out here, not through
// image-tensor.ts): fast style and MicroAST outputs, strength, keep colours,
// forced tiling without seams, and temporal stabilisation.
import sharp from 'sharp';
import type * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import type { TensorData } from '../../../engine/inference/tensor.ts';
import { Catalog } from '../../../engine/models/catalog.ts';
import { loadStyleImage } from '../../../engine/tasks/style-image.ts';
import { planTiles } from '../../../engine/inference/tiling.ts';
import { createStyleStage, FrameStylizer, STYLE_TILE_OVERLAP, stylizeFrame } from '../../../engine/tasks/style-transfer.ts';
import { measureFlicker, meanAbsoluteDifference } from '../../../engine/tasks/temporal-flicker.ts';
import { mediaAsset, modelAsset } from '../../helpers/shared-assets.ts';
import { DirectModelSession, openDirectSession } from '../tasks/direct-model-session.ts';

const candyPath = modelAsset('onnx/style-fast/candy.onnx');
const microastPath = modelAsset('onnx/style-arbitrary/microast.onnx');
const contentPath = mediaAsset('images/style/chicago.png');
const stylePath = mediaAsset('images/style/style_picasso.jpg');

async function crop(left: number, top: number, width: number, height: number, index = 0): Promise<RgbFrame> {
  const { data } = await sharp(contentPath!).extract({ left, top, width, height }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width, height, bitDepth: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length), index };
}

/** Direct model output as 8-bit RGB: planar input at `scale` (1 or 255), output clamped and rounded. */
async function direct(session: ort.InferenceSession, frame: RgbFrame, scale: number, extra: Record<string, TensorData> = {}): Promise<Uint8Array> {
  const { width, height } = frame;
  const plane = width * height;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i += 1) for (let c = 0; c < 3; c += 1) input[c * plane + i] = (frame.data[i * 3 + c] / 255) * scale;
  const { Tensor } = await import('onnxruntime-node');
  const feeds: Record<string, ort.Tensor> = { [session.inputNames[0]]: new Tensor('float32', input, [1, 3, height, width]) };
  for (const [name, tensor] of Object.entries(extra)) feeds[name] = new Tensor('float32', new Float32Array(tensor.data as Float32Array), tensor.dims);
  const result = await session.run(feeds);
  const output = result[session.outputNames[0]].data as Float32Array;
  const out = new Uint8Array(3 * plane);
  for (let i = 0; i < plane; i += 1) {
    for (let c = 0; c < 3; c += 1) out[i * 3 + c] = Math.round(Math.min(255, Math.max(0, (output[c * plane + i] / scale) * 255)));
  }
  return out;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function ycbcr(data: ArrayLike<number>, i: number): [number, number, number] {
  const [r, g, b] = [data[i * 3], data[i * 3 + 1], data[i * 3 + 2]];
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  return [y, 0.564 * (b - y), 0.713 * (r - y)];
}

async function collect(frames: AsyncIterable<RgbFrame>): Promise<RgbFrame[]> {
  const out: RgbFrame[] = [];
  for await (const frame of frames) out.push(frame);
  return out;
}

async function* fromArray(frames: readonly RgbFrame[]): AsyncIterable<RgbFrame> {
  for (const frame of frames) yield frame;
}

describe.skipIf(!candyPath || !microastPath || !contentPath || !stylePath)('style transfer on the real models', () => {
  let catalog: Catalog;
  let candy: ort.InferenceSession;
  let microast: ort.InferenceSession;
  let candyManifest: ModelManifest;
  let microastManifest: ModelManifest;
  let style: TensorData;
  let frame: RgbFrame;

  beforeAll(async () => {
    catalog = await Catalog.load();
    candyManifest = catalog.get('style-candy');
    microastManifest = catalog.get('microast');
    candy = await openDirectSession(candyPath!);
    microast = await openDirectSession(microastPath!);
    style = await loadStyleImage(stylePath!, { styleSize: 128 });
    frame = await crop(140, 40, 96, 64);
  });
  afterAll(async () => {
    await candy?.release();
    await microast?.release();
  });

  const candySession = () => new DirectModelSession('style-candy', candy);
  const microastSession = () => new DirectModelSession('microast', microast);

  it('reads the style image at styleSize on its longest side', () => {
    expect(style.dims[0]).toBe(1);
    expect(style.dims[1]).toBe(3);
    expect(Math.max(style.dims[2], style.dims[3])).toBe(128);
  });

  it('a fast style equals direct inference (0..255 in and out, clamped)', async () => {
    const expected = await direct(candy, frame, 255);
    const [out] = await collect(createStyleStage({ session: candySession(), manifest: candyManifest }).run(fromArray([frame]), new AbortController().signal));
    expect([out.width, out.height, out.bitDepth]).toEqual([96, 64, 8]);
    expect(maxDifference(out.data, expected)).toBeLessThanOrEqual(1);
    expect(meanAbsoluteDifference(out, { ...out, data: expected })).toBeLessThan(0.01);
  });

  it('MicroAST equals direct inference, strength as its alpha', async () => {
    for (const strength of [1, 0.5]) {
      const alpha: TensorData = { dtype: 'float32', dims: [1, 1, 1, 1], data: new Float32Array([strength]) };
      const expected = await direct(microast, frame, 1, { style, alpha });
      const out = await stylizeFrame(frame, { session: microastSession(), manifest: microastManifest, style, strength });
      expect(maxDifference(out.data, expected)).toBeLessThanOrEqual(1);
    }
  });

  it('strength 0 returns the original; 0.5 the mean of original and style', async () => {
    for (const [session, manifest, styleTensor] of [[candySession(), candyManifest, undefined], [microastSession(), microastManifest, style]] as const) {
      const out = await stylizeFrame(frame, { session, manifest, style: styleTensor, strength: 0 });
      expect(out.data).toEqual(frame.data);
      expect(session.runs).toBe(0);
    }
    const full = await direct(candy, frame, 255);
    const half = await stylizeFrame(frame, { session: candySession(), manifest: candyManifest, strength: 0.5 });
    const mean = full.map((value, i) => (value + frame.data[i]) / 2);
    expect(maxDifference(half.data, mean)).toBeLessThanOrEqual(1);
  });

  it('keep colours: the original chroma and the stylised luma, measured in YCbCr', async () => {
    const stylised = await direct(candy, frame, 255);
    const out = await stylizeFrame(frame, { session: candySession(), manifest: candyManifest, keepColors: true });
    let inGamut = 0;
    let worstChroma = 0;
    let worstLuma = 0;
    const pixels = frame.width * frame.height;
    for (let i = 0; i < pixels; i += 1) {
      const rgb = [out.data[i * 3], out.data[i * 3 + 1], out.data[i * 3 + 2]];
      // A channel at 0 or 255 may have been clamped, which moves chroma at the gamut edge.
      if (rgb.some((value) => value === 0 || value === 255)) continue;
      inGamut += 1;
      const [y, cb, cr] = ycbcr(out.data, i);
      const [, ocb, ocr] = ycbcr(frame.data, i);
      const [sy] = ycbcr(stylised, i);
      worstChroma = Math.max(worstChroma, Math.abs(cb - ocb), Math.abs(cr - ocr));
      worstLuma = Math.max(worstLuma, Math.abs(y - sy));
    }
    // Rounding each channel to a level moves Y by at most 0.5 and Cb, Cr by at most 0.564 and 0.713 levels, plus the stylised frame's own rounding.
    expect(inGamut / pixels).toBeGreaterThan(0.9);
    expect(worstChroma).toBeLessThanOrEqual(1.5);
    expect(worstLuma).toBeLessThanOrEqual(1.5);
  });

  it('forced tiles show no seam: the joins look like any other column or row, unlike a hard cut', async () => {
    const wide = await crop(0, 0, 384, 256);
    const whole = await stylizeFrame(wide, { session: candySession(), manifest: candyManifest });
    const tiled = await stylizeFrame(wide, { session: candySession(), manifest: candyManifest, tileSize: 192 });
    // Three columns and two rows of 192 px tiles sharing 96 and 128 px (STYLE_TILE_OVERLAP = 96).
    const plan = planTiles(384, 256, 192, STYLE_TILE_OVERLAP);
    expect(plan.tiles.length).toBe(6);
    for (const axis of ['columns', 'rows'] as const) {
      const score = seamScores(tiled, whole, axis);
      const zones = blendZones(plan[axis].starts, plan[axis].length);
      const inZone = score.filter((_, x) => zones.some(([from, to]) => x >= from - 2 && x < to + 2));
      const outside = score.filter((_, x) => !zones.some(([from, to]) => x >= from - 2 && x < to + 2));
      // Instance norm gives each tile other statistics (the tiled frame is ~18 levels from the whole one on
      // average), so edges inside tiles already differ in strength; a join must add no jump beyond that.
      expect(Math.max(...inZone)).toBeLessThanOrEqual(Math.max(...outside) + 1);
    }
    // The measure sees a seam: tiles cut edge to edge (no overlap, no feathering) jump at the join.
    const hardCut = await stylizeFrame(wide, { session: candySession(), manifest: candyManifest, tileSize: 192, overlap: 0 });
    const cutScore = seamScores(hardCut, whole, 'columns');
    const elsewhere = cutScore.filter((_, x) => Math.abs(x - 191) > 2);
    expect(cutScore[191]).toBeGreaterThan(2 * Math.max(...elsewhere));
  });
});

/** Where two neighbouring tiles both have weight between 0 and 1 (the middle third of what they share). */
function blendZones(starts: readonly number[], length: number): [number, number][] {
  const zones: [number, number][] = [];
  for (let i = 1; i < starts.length; i += 1) {
    const shared = starts[i - 1] + length - starts[i];
    const margin = Math.floor(shared / 3);
    zones.push([starts[i] + margin, starts[i] + shared - margin]);
  }
  return zones;
}

/**
 * Per column (or row) k: the mean over rows (columns) and channels of how much
 * more `out` changes from k to k+1 than `reference` does, in levels. A seam is
 * a line where `out` jumps and the reference does not.
 */
function seamScores(out: RgbFrame, reference: RgbFrame, axis: 'columns' | 'rows'): number[] {
  const { width, height } = out;
  const [count, across] = axis === 'columns' ? [width, height] : [height, width];
  const step = axis === 'columns' ? 3 : width * 3;
  const scores: number[] = [];
  for (let k = 0; k + 1 < count; k += 1) {
    let sum = 0;
    for (let j = 0; j < across; j += 1) {
      const pixel = axis === 'columns' ? j * width + k : k * width + j;
      for (let c = 0; c < 3; c += 1) {
        const i = pixel * 3 + c;
        sum += Math.abs(out.data[i + step] - out.data[i]) - Math.abs(reference.data[i + step] - reference.data[i]);
      }
    }
    scores.push(sum / (across * 3));
  }
  return scores;
}

/** Plain and stabilised outputs of one model for a stream, inferring each frame once. */
async function bothWays(frames: readonly RgbFrame[], session: DirectModelSession, manifest: ModelManifest, style?: TensorData): Promise<{ plain: RgbFrame[]; stable: RgbFrame[] }> {
  const plainStylizer = new FrameStylizer({ session, manifest, style });
  const stableStylizer = new FrameStylizer({ session, manifest, style, stabilize: true });
  const plain: RgbFrame[] = [];
  const stable: RgbFrame[] = [];
  for (const frame of frames) {
    const output = await plainStylizer.infer(frame);
    plain.push(plainStylizer.finish(frame, { ...output, data: new Float32Array(output.data as Float32Array) }));
    stable.push(stableStylizer.finish(frame, output));
  }
  return { plain, stable };
}

describe.skipIf(!candyPath || !microastPath || !contentPath || !stylePath)('temporal stabilisation on the real models', () => {
  let catalog: Catalog;
  let candy: ort.InferenceSession;
  let microast: ort.InferenceSession;

  beforeAll(async () => {
    catalog = await Catalog.load();
    candy = await openDirectSession(candyPath!);
    microast = await openDirectSession(microastPath!);
  });
  afterAll(async () => {
    await candy?.release();
    await microast?.release();
  });

  it('on a generated clip (a square moving over a static photo with codec-like noise): half the flicker, no trail', async () => {
    const background = await crop(140, 40, 96, 64);
    const frames: RgbFrame[] = [];
    let seed = 11;
    const noise = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * 3) - 1;
    };
    const squareX = (t: number) => 8 + 5 * t;
    const inSquare = (x: number, y: number, t: number) => x >= squareX(t) && x < squareX(t) + 16 && y >= 24 && y < 40;
    for (let t = 0; t < 12; t += 1) {
      const data = new Uint8Array(background.data.length);
      for (let y = 0; y < 64; y += 1) {
        for (let x = 0; x < 96; x += 1) {
          const i = (y * 96 + x) * 3;
          for (let c = 0; c < 3; c += 1) data[i + c] = inSquare(x, y, t) ? [230, 40, 40][c] : Math.min(255, Math.max(0, background.data[i + c] + noise()));
        }
      }
      frames.push({ width: 96, height: 64, bitDepth: 8, data, index: t });
    }
    for (const [session, manifest, style] of [
      [new DirectModelSession('style-candy', candy), catalog.get('style-candy'), undefined],
      [new DirectModelSession('microast', microast), catalog.get('microast'), await loadStyleImage(stylePath!, { styleSize: 128 })],
    ] as const) {
      const { plain, stable } = await bothWays(frames, session, manifest, style);
      const before = measureFlicker(frames, plain);
      const after = measureFlicker(frames, stable);
      console.log(`generated clip, ${manifest.id}: flicker ${before.flicker.toFixed(3)} -> ${after.flicker.toFixed(3)} levels over ${(100 * before.staticFraction).toFixed(0)}% static pixels`);
      expect(before.staticFraction).toBeGreaterThan(0.3);
      expect(after.flicker / before.flicker, `${manifest.id}: ${before.flicker} -> ${after.flicker}`).toBeLessThanOrEqual(0.5);
      // The region the square left in frame t (covered at t-1, not at t) is the new stylisation, not the square's.
      for (let t = 1; t < frames.length; t += 1) {
        const left = new Uint8Array(96 * 64);
        for (let y = 0; y < 64; y += 1) for (let x = 0; x < 96; x += 1) left[y * 96 + x] = inSquare(x, y, t - 1) && !inSquare(x, y, t) ? 1 : 0;
        expect(meanAbsoluteDifference(stable[t], plain[t], left)).toBeLessThanOrEqual(0.5);
      }
    }
  });

  const clip = mediaAsset('video/Big_Buck_Bunny_180_10s.webm');
  it.skipIf(!clip)('on Big Buck Bunny (first 20 frames, candy): at least 50% less flicker over static regions', async () => {
    const { locateFfmpegTools } = await import('../../../engine/media/ffmpeg-locator.ts');
    const { probeMedia } = await import('../../../engine/media/probe.ts');
    const { decodeFrames } = await import('../../../engine/media/decoder.ts');
    const tools = locateFfmpegTools();
    const info = await probeMedia(clip!, { ffprobe: tools.ffprobe.path });
    const frames = await collect(decodeFrames({ ffmpeg: tools.ffmpeg.path, info, bitDepth: 8, endFrame: 20 }));
    const { plain, stable } = await bothWays(frames, new DirectModelSession('style-candy', candy), catalog.get('style-candy'));
    const before = measureFlicker(frames, plain);
    const after = measureFlicker(frames, stable);
    console.log(`Big Buck Bunny 0-19, candy: flicker ${before.flicker.toFixed(3)} -> ${after.flicker.toFixed(3)} levels over ${(100 * before.staticFraction).toFixed(0)}% static pixels`);
    expect(after.flicker / before.flicker).toBeLessThanOrEqual(0.5);
  });
});
