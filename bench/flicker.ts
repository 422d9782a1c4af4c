// Flicker of stylised video with and without temporal stabilisation, on the
// first frames of Big Buck Bunny (or --input), for one fast style and for
// MicroAST. Each frame is inferred once and finished both ways, so the two
// outputs differ only by the stabiliser. Prints the flicker over static
// regions (engine/tasks/temporal-flicker.ts), the reduction, and how far the
// stabilised output departs from the plain one where the source moved (a
// trail would show there). Writes a before/after strip of a moving region.
//
//   node --import tsx bench/flicker.ts [--frames 90] [--start 0] [--style candy]
//        [--style-image FILE] [--input FILE] [--strip /tmp/framesmith-style-strip.png]
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import type { RgbFrame } from '../engine/media/frame.ts';
import { decodeFrames } from '../engine/media/decoder.ts';
import { locateFfmpegTools } from '../engine/media/ffmpeg-locator.ts';
import { probeMedia } from '../engine/media/probe.ts';
import { OnnxWorkerBackend } from '../engine/inference/onnx-worker-backend.ts';
import type { TensorData } from '../engine/inference/tensor.ts';
import { Catalog } from '../engine/models/catalog.ts';
import { loadStyleImage } from '../engine/tasks/style-image.ts';
import { FrameStylizer } from '../engine/tasks/style-transfer.ts';
import { meanAbsoluteDifference, measureFlicker } from '../engine/tasks/temporal-flicker.ts';
import { mediaAsset, sharedModelsDir } from '../test/helpers/shared-assets.ts';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '90' },
    start: { type: 'string', default: '0' },
    style: { type: 'string', default: 'candy' },
    'style-image': { type: 'string' },
    input: { type: 'string' },
    strip: { type: 'string', default: path.join(os.tmpdir(), 'framesmith-style-strip.png') },
  },
});

interface ModelRun {
  label: string;
  plain: RgbFrame[];
  stabilized: RgbFrame[];
  inferMs: number;
}

function copyTensor(tensor: TensorData): TensorData {
  return { ...tensor, data: new Float32Array(tensor.data as Float32Array) };
}

/** Per pair t-1 -> t: where the source luma changed by more than 24 levels (clearly moving), 1. */
function movingMask(previous: RgbFrame, current: RgbFrame): Uint8Array {
  const mask = new Uint8Array(current.width * current.height);
  for (let p = 0; p < mask.length; p += 1) {
    const i = p * 3;
    const luma = (f: RgbFrame) => 0.299 * f.data[i] + 0.587 * f.data[i + 1] + 0.114 * f.data[i + 2];
    mask[p] = Math.abs(luma(current) - luma(previous)) > 24 ? 1 : 0;
  }
  return mask;
}

/** Where the source moved in one of the last `window` pairs: where a trail would be. */
function recentMotion(sources: RgbFrame[], t: number, window: number): Uint8Array {
  const mask = new Uint8Array(sources[t].width * sources[t].height);
  for (let k = Math.max(1, t - window + 1); k <= t; k += 1) {
    const moving = movingMask(sources[k - 1], sources[k]);
    for (let p = 0; p < mask.length; p += 1) mask[p] |= moving[p];
  }
  return mask;
}

function crop(frame: RgbFrame, x: number, y: number, size: number): Buffer {
  const out = Buffer.alloc(size * size * 3);
  for (let row = 0; row < size; row += 1) {
    const from = ((y + row) * frame.width + x) * 3;
    out.set(frame.data.subarray(from, from + size * 3) as Uint8Array, row * size * 3);
  }
  return out;
}

async function main(): Promise<void> {
  const input = values.input ?? mediaAsset('video/Big_Buck_Bunny_180_10s.webm');
  const modelsRoot = sharedModelsDir();
  if (!input || !modelsRoot) throw new Error('the clip or ../shared/models is missing');
  const styleImage = values['style-image'] ?? mediaAsset('images/style/style_picasso.jpg');
  const start = Number(values.start);
  const count = Number(values.frames);
  const tools = locateFfmpegTools();
  const info = await probeMedia(input, { ffprobe: tools.ffprobe.path });
  const sources: RgbFrame[] = [];
  for await (const frame of decodeFrames({ ffmpeg: tools.ffmpeg.path, info, bitDepth: 8, startFrame: start, endFrame: start + count })) sources.push(frame);
  const catalog = await Catalog.load();
  const backend = new OnnxWorkerBackend({ cacheDir: path.join(os.tmpdir(), 'framesmith-bench-cache'), threads: os.availableParallelism() });
  const runs: ModelRun[] = [];
  try {
    const models = [{ id: `style-${values.style}`, label: values.style }, ...(styleImage ? [{ id: 'microast', label: `microast (${path.basename(styleImage)})` }] : [])];
    for (const model of models) {
      const manifest = catalog.get(model.id);
      const session = await backend.open({ manifest, path: path.join(modelsRoot, manifest.file) }, { provider: 'cpu' });
      const style = manifest.task === 'style-arbitrary' ? await loadStyleImage(styleImage!, { styleSize: 512 }) : undefined;
      const plain = new FrameStylizer({ session, manifest, style, stabilize: false, releaseSession: false });
      const stable = new FrameStylizer({ session, manifest, style, stabilize: true, releaseSession: false });
      const run: ModelRun = { label: model.label, plain: [], stabilized: [], inferMs: 0 };
      for (const frame of sources) {
        const started = performance.now();
        const output = await plain.infer(frame);
        run.inferMs += performance.now() - started;
        run.plain.push(plain.finish(frame, copyTensor(output)));
        run.stabilized.push(stable.finish(frame, copyTensor(output)));
      }
      await session.release();
      runs.push(run);
    }
  } finally {
    await backend.dispose();
  }

  console.log(`${path.basename(input)} frames ${start}..${start + count - 1} (${sources[0].width}x${sources[0].height})`);
  for (const run of runs) {
    const before = measureFlicker(sources, run.plain);
    const after = measureFlicker(sources, run.stabilized);
    let trailSum = 0;
    let trailPairs = 0;
    for (let t = 1; t < sources.length; t += 1) {
      const mask = recentMotion(sources, t, 3);
      if (!mask.some((v) => v)) continue;
      trailSum += meanAbsoluteDifference(run.stabilized[t], run.plain[t], mask);
      trailPairs += 1;
    }
    console.log(
      `${run.label}: flicker ${before.flicker.toFixed(3)} -> ${after.flicker.toFixed(3)} levels over static pixels `
      + `(${(100 * before.staticFraction).toFixed(1)}% of pixels), reduction ${(100 * (1 - after.flicker / before.flicker)).toFixed(1)}%; `
      + `stabilised vs plain where the source moved in the last 3 frames: ${(trailPairs ? trailSum / trailPairs : 0).toFixed(3)} levels; `
      + `inference ${(run.inferMs / sources.length).toFixed(0)} ms/frame`,
    );
  }

  // The strip: the 96x96 window (stepped by 8) with the most source motion over 5 frames.
  const size = 96;
  const columns = 5;
  const { width, height } = sources[0];
  let best = { score: -1, t: 1, x: 0, y: 0 };
  for (let t = 1; t + columns <= sources.length; t += 3) {
    const motion = new Float32Array(width * height);
    for (let k = t; k < t + columns; k += 1) {
      const moving = movingMask(sources[k - 1], sources[k]);
      for (let p = 0; p < motion.length; p += 1) motion[p] += moving[p];
    }
    for (let y = 0; y + size <= height; y += 8) {
      for (let x = 0; x + size <= width; x += 8) {
        let score = 0;
        for (let row = y; row < y + size; row += 2) for (let col = x; col < x + size; col += 2) score += motion[row * width + col];
        if (score > best.score) best = { score, t, x, y };
      }
    }
  }
  // Difference rows show |frame t - frame t-1| x4: flicker is texture lighting up where the source row stays dark.
  const difference = (frames: RgbFrame[]): RgbFrame[] => frames.map((frame, t) => {
    const before = frames[Math.max(0, t - 1)];
    const data = new Uint8Array(frame.data.length);
    for (let i = 0; i < data.length; i += 1) data[i] = Math.min(255, 4 * Math.abs(frame.data[i] - before.data[i]));
    return { ...frame, data };
  });
  const rows = [
    { frames: sources, name: 'source' },
    { frames: difference(sources), name: 'source change x4' },
    ...runs.flatMap((run) => [
      { frames: run.plain, name: `${run.label} plain` },
      { frames: run.stabilized, name: `${run.label} stabilised` },
      { frames: difference(run.plain), name: `${run.label} plain change x4` },
      { frames: difference(run.stabilized), name: `${run.label} stabilised change x4` },
    ]),
  ];
  const zoom = 2;
  const gap = 4;
  const tile = size * zoom;
  const composites: OverlayOptions[] = [];
  for (const [r, row] of rows.entries()) {
    for (let c = 0; c < columns; c += 1) {
      const pixels = crop(row.frames[best.t + c], best.x, best.y, size);
      const enlarged = await sharp(pixels, { raw: { width: size, height: size, channels: 3 } }).resize(tile, tile, { kernel: 'nearest' }).png().toBuffer();
      composites.push({ input: enlarged, left: c * (tile + gap), top: r * (tile + gap) });
    }
  }
  await sharp({ create: { width: columns * (tile + gap) - gap, height: rows.length * (tile + gap) - gap, channels: 3, background: '#ffffff' } })
    .composite(composites)
    .png()
    .toFile(values.strip);
  console.log(`strip: ${values.strip}: rows ${rows.map((row) => row.name).join(' / ')}; frames ${start + best.t}..${start + best.t + columns - 1}, window ${size}x${size} at ${best.x},${best.y}`);
}

await main();
