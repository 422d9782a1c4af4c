// MicroAST split at its per-job inputs (style, alpha): the prelude holds the
// style encoder, the split pair computes what the whole model does, the
// style stage gives the same frames through the real inference worker with
// the prelude run once per job, and the per-frame run is faster than the
// whole model's at the CLI's default style size (a ratio in one run, asserted
// loosely: the machine is shared).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../../common/model-manifest.ts';
import type { ModelSession } from '../../../engine/inference/inference-backend.ts';
import { OnnxWorkerBackend } from '../../../engine/inference/onnx-worker-backend.ts';
import type { TensorData } from '../../../engine/inference/tensor.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { Catalog } from '../../../engine/models/catalog.ts';
import { readModelFile } from '../../../engine/onnx/onnx-file.ts';
import { ensureSplitModel, type SplitCacheResult } from '../../../engine/onnx/split-constant-branch.ts';
import { splitManifests } from '../../../engine/steps/stylize-step.ts';
import { loadStyleImage } from '../../../engine/tasks/style-image.ts';
import { createStyleStage, FrameStylizer } from '../../../engine/tasks/style-transfer.ts';
import { mediaAsset, modelAsset } from '../../helpers/shared-assets.ts';

const microastPath = modelAsset('onnx/style-arbitrary/microast.onnx');
const contentPath = mediaAsset('images/style/chicago.png');
const stylePath = mediaAsset('images/style/style_picasso.jpg');

async function crop(left: number, top: number, width: number, height: number, index = 0): Promise<RgbFrame> {
  const { data } = await sharp(contentPath!).extract({ left, top, width, height }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width, height, bitDepth: 8, data: new Uint8Array(data.buffer, data.byteOffset, data.length), index };
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function ortTensor(tensor: TensorData): ort.Tensor {
  return new ort.Tensor('float32', new Float32Array(tensor.data as Float32Array), tensor.dims);
}

/** A session that counts its runs, over a worker session. */
class CountingSession implements ModelSession {
  runs = 0;
  constructor(private readonly inner: ModelSession) {}
  get modelId(): string { return this.inner.modelId; }
  get report() { return this.inner.report; }
  run(...args: Parameters<ModelSession['run']>) {
    this.runs += 1;
    return this.inner.run(...args);
  }
  release(): Promise<void> { return this.inner.release(); }
}

async function* fromArray(frames: readonly RgbFrame[]): AsyncIterable<RgbFrame> {
  for (const frame of frames) yield frame;
}

describe.skipIf(!microastPath || !contentPath || !stylePath)('MicroAST split at style and alpha', () => {
  let cacheDir: string;
  let split: SplitCacheResult;
  let manifest: ModelManifest;
  let backend: OnnxWorkerBackend;

  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'framesmith-split-'));
    split = await ensureSplitModel(microastPath!, ['style', 'alpha'], cacheDir);
    manifest = (await Catalog.load()).get('microast');
    backend = new OnnxWorkerBackend({ cacheDir: path.join(cacheDir, 'converted'), threads: 2 });
  });
  afterAll(async () => {
    await backend?.dispose();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  it('the prelude holds the style encoder; the per-frame model takes no style and has fewer nodes', async () => {
    const whole = await readModelFile(microastPath!);
    const prelude = await readModelFile(split.preludePath);
    const perFrame = await readModelFile(split.perFramePath);
    const wholeNodes = whole.graph?.node?.length ?? 0;
    const styleEncoder = (nodes: readonly { name?: string | null }[] | null | undefined) => (nodes ?? []).filter((node) => node.name?.startsWith('/se/')).length;
    console.log(`microast split: ${wholeNodes} nodes -> prelude ${split.preludeNodeCount}, per-frame ${split.perFrameNodeCount}; boundary ${split.boundary.length} tensors; pass-through ${split.passThrough.join(', ')}`);
    expect(split.created).toBe(true);
    expect(perFrame.graph?.input?.map((value) => value.name)).not.toContain('style');
    expect(perFrame.graph?.input?.map((value) => value.name).slice(0, 2)).toEqual(['content', 'alpha']);
    expect(prelude.graph?.input?.map((value) => value.name)).toEqual(['style', 'alpha']);
    expect(split.perFrameNodeCount).toBeLessThan(wholeNodes);
    expect(styleEncoder(whole.graph?.node)).toBeGreaterThan(50);
    expect(styleEncoder(prelude.graph?.node)).toBe(styleEncoder(whole.graph?.node));
    expect(styleEncoder(perFrame.graph?.node)).toBe(0);
    const again = await ensureSplitModel(microastPath!, ['alpha', 'style'], cacheDir);
    expect(again.created).toBe(false);
    expect([again.preludePath, again.perFramePath, again.boundary]).toEqual([split.preludePath, split.perFramePath, split.boundary]);
  });

  it('prelude then per-frame equals the whole model (64x48 content, two style sizes, alpha 0.7)', async () => {
    const frame = await crop(140, 40, 64, 48);
    const content = new Float32Array(3 * 64 * 48);
    for (let i = 0; i < 64 * 48; i += 1) for (let c = 0; c < 3; c += 1) content[c * 64 * 48 + i] = frame.data[i * 3 + c] / 255;
    const options = { intraOpNumThreads: 2, executionProviders: ['cpu'] };
    const whole = await ort.InferenceSession.create(microastPath!, options);
    const prelude = await ort.InferenceSession.create(split.preludePath, options);
    const perFrame = await ort.InferenceSession.create(split.perFramePath, options);
    try {
      for (const styleSize of [96, 200]) {
        const style = await loadStyleImage(stylePath!, { styleSize });
        const alpha = () => new ort.Tensor('float32', new Float32Array([0.7]), [1, 1, 1, 1]);
        const contentTensor = () => new ort.Tensor('float32', new Float32Array(content), [1, 3, 48, 64]);
        const expected = (await whole.run({ content: contentTensor(), style: ortTensor(style), alpha: alpha() })).stylized.data as Float32Array;
        const boundary = await prelude.run({ style: ortTensor(style), alpha: alpha() });
        const actual = (await perFrame.run({ content: contentTensor(), alpha: alpha(), ...boundary })).stylized.data as Float32Array;
        expect(actual.length).toBe(3 * 64 * 48);
        expect(maxDifference(actual, expected), `style ${style.dims.join('x')}`).toBeLessThanOrEqual(1e-5);
      }
    } finally {
      await Promise.all([whole.release(), prelude.release(), perFrame.release()]);
    }
  });

  it('the style stage gives the same frames split as whole, running the prelude once', async () => {
    const manifests = splitManifests(manifest, split)!;
    expect(manifests.perFrame.inputs.map((spec) => spec.name)).toEqual(['content', 'alpha', ...split.boundary.map((tensor) => tensor.name)]);
    const whole = await backend.open({ manifest, path: microastPath! }, { provider: 'cpu' });
    const prelude = new CountingSession(await backend.open({ manifest: manifests.prelude, path: split.preludePath }, { provider: 'cpu' }));
    const perFrame = new CountingSession(await backend.open({ manifest: manifests.perFrame, path: split.perFramePath }, { provider: 'cpu' }));
    const style = await loadStyleImage(stylePath!, { styleSize: 128 });
    const frames = [await crop(140, 40, 64, 48, 0), await crop(150, 44, 64, 48, 1), await crop(160, 48, 64, 48, 2)];
    const signal = new AbortController().signal;
    const prelusion = { session: prelude, inputs: split.preludeInputs, boundary: split.boundary.map((tensor) => tensor.name), passThrough: split.passThrough };
    for (const strength of [1, 0.7]) {
      const expected: RgbFrame[] = [];
      for await (const out of createStyleStage({ session: whole, manifest, style, strength, stabilize: true, releaseSession: false }).run(fromArray(frames), signal)) expected.push(out);
      const actual: RgbFrame[] = [];
      const runsBefore = prelude.runs;
      for await (const out of createStyleStage({ session: perFrame, prelude: prelusion, manifest, style, strength, stabilize: true, releaseSession: false }).run(fromArray(frames), signal)) actual.push(out);
      expect(prelude.runs - runsBefore).toBe(1);
      expect(actual.length).toBe(3);
      for (const [index, out] of actual.entries()) expect(maxDifference(out.data, expected[index].data), `strength ${strength}, frame ${index}`).toBeLessThanOrEqual(1);
    }
    expect(perFrame.runs).toBe(6);
  });

  it('per frame, the split path is faster than the whole model at style size 512 on 160x90', async () => {
    const manifests = splitManifests(manifest, split)!;
    const whole = await backend.open({ manifest, path: microastPath! }, { provider: 'cpu' });
    const prelude = await backend.open({ manifest: manifests.prelude, path: split.preludePath }, { provider: 'cpu' });
    const perFrame = await backend.open({ manifest: manifests.perFrame, path: split.perFramePath }, { provider: 'cpu' });
    const style = await loadStyleImage(stylePath!, { styleSize: 512 });
    const frame = await crop(100, 40, 160, 90);
    const prelusion = { session: prelude, inputs: split.preludeInputs, boundary: split.boundary.map((tensor) => tensor.name), passThrough: split.passThrough };
    const wholeStylizer = new FrameStylizer({ session: whole, manifest, style, strength: 0.7, releaseSession: false });
    const splitStylizer = new FrameStylizer({ session: perFrame, prelude: prelusion, manifest, style, strength: 0.7, releaseSession: false });
    // Warm-up: first runs plan memory; the split stylizer's first frame also runs its prelude.
    await wholeStylizer.infer(frame);
    await splitStylizer.infer(frame);
    const rounds = 4;
    const wholeTimes: number[] = [];
    const splitTimes: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      let start = performance.now();
      await wholeStylizer.infer(frame);
      wholeTimes.push(performance.now() - start);
      start = performance.now();
      await splitStylizer.infer(frame);
      splitTimes.push(performance.now() - start);
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const ratio = median(wholeTimes) / median(splitTimes);
    console.log(`MicroAST 160x90, style ${style.dims.slice(2).join('x')}: per frame whole ${median(wholeTimes).toFixed(1)} ms, split ${median(splitTimes).toFixed(1)} ms (median of ${rounds}, interleaved): ${ratio.toFixed(2)}x faster`);
    expect(ratio).toBeGreaterThan(1);
  });
});
