// Peak memory and time of the largest images a job accepts: a synthetic
// 50-megapixel PNG upscaled x4 (an 800-megapixel output) by the real CLI,
// with a model that costs almost nothing to run (a 1x1 convolution to 48
// channels and DepthToSpace: nearest-neighbour x4), so the figure is the
// pipeline's own memory (decode, tiles, band blending, output frame, PNG
// encode), not a network's. Also checks that a picture above the default
// limit is refused before decoding.
//
//   node --import tsx bench/large-image.ts [megapixels=50]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { OnnxGraphBuilder, attrI } from '../engine/convert/onnx-graph-builder.ts';
import { runCli } from './cli-run.ts';

/** Nearest-neighbour x4 as an ONNX graph: output channel c*16+k copies input channel c, DepthToSpace spreads them. */
function nearestX4Model(): Uint8Array {
  const builder = new OnnxGraphBuilder();
  const weights = new Float32Array(48 * 3);
  for (let c = 0; c < 3; c += 1) {
    for (let k = 0; k < 16; k += 1) weights[(c * 16 + k) * 3 + c] = 1;
  }
  const w = builder.floatTensor('w', [48, 3, 1, 1], weights);
  const spread = builder.op('Conv', ['input', w], [], 'spread');
  builder.opInto('DepthToSpace', [spread], ['output'], [attrI('blocksize', 4), { name: 'mode', s: 'CRD' }]);
  return builder.encode(
    [{ name: 'input', dims: [1, 3, 'h', 'w'] }],
    [{ name: 'output', dims: [1, 3, 'h4', 'w4'] }],
    'nearest-x4',
    'framesmith-bench',
  );
}

async function main(): Promise<void> {
  const megapixels = Number(process.argv[2] ?? 50);
  const width = Math.round(Math.sqrt(megapixels * 1e6 * 1.5));
  const height = Math.round((megapixels * 1e6) / width);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'framesmith-large-image-'));
  const env = { ...process.env, FRAMESMITH_CACHE: path.join(dir, 'cache'), FRAMESMITH_DATA: path.join(dir, 'data'), TMPDIR: dir };
  try {
    const model = path.join(dir, 'nearest-x4.onnx');
    await writeFile(model, nearestX4Model());
    const imported = await runCli(['models', 'import', model, '--id', 'bench-nearest-x4', '--task', 'super-resolution'], env);
    if (imported.exitCode !== 0) throw new Error(`import failed: ${imported.stderrTail}`);
    const input = path.join(dir, 'large.png');
    const ramp = Buffer.alloc(width * 3 * 256);
    for (let i = 0; i < ramp.length; i += 1) ramp[i] = (i * 7) % 251;
    await sharp(ramp, { raw: { width, height: 256, channels: 3 } }).resize(width, height, { kernel: 'nearest' }).png({ compressionLevel: 1 }).toFile(input);
    const output = path.join(dir, 'large-x4.png');
    const run = await runCli(['upscale', input, '--model', 'bench-nearest-x4', '-o', output, '--max-megapixels', String(Math.ceil(megapixels) + 1)], env);
    const meta = run.exitCode === 0 ? await sharp(output, { limitInputPixels: false }).metadata() : undefined;
    console.log(JSON.stringify({
      input: `${width}x${height} (${((width * height) / 1e6).toFixed(1)} MP)`,
      output: meta ? `${meta.width}x${meta.height}` : null,
      exitCode: run.exitCode,
      wallSeconds: Number(run.wallSeconds.toFixed(1)),
      peakRssMiB: Math.round(run.peakRssBytes / 2 ** 20),
      stderr: run.exitCode === 0 ? undefined : run.stderrTail,
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
