// The super-resolution stage over the real worker backend: tiles cross to the
// inference worker as transferred buffers while this thread blends and stays
// responsive; the result matches onnxruntime run directly.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelCatalogSchema } from '../../../common/model-manifest.ts';
import { rational } from '../../../common/rational.ts';
import { OnnxWorkerBackend } from '../../../engine/inference/onnx-worker-backend.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { createSuperResolutionStage } from '../../../engine/tasks/super-resolution.ts';
import { mediaAsset, modelAsset, repoRoot } from '../../helpers/shared-assets.ts';

const modelPath = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const imagePath = mediaAsset('images/set5/head.png');

describe.skipIf(!modelPath || !imagePath)('super-resolution stage over OnnxWorkerBackend', () => {
  let cacheDir: string;
  let backend: OnnxWorkerBackend;

  beforeAll(async () => {
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'framesmith-sr-worker-'));
    backend = new OnnxWorkerBackend({ cacheDir, threads: 2 });
  });
  afterAll(async () => {
    await backend?.dispose();
    if (cacheDir) await rm(cacheDir, { recursive: true, force: true });
  });

  it('matches direct inference within 2/255 when tiled, with the timer firing meanwhile', async () => {
    const catalog = modelCatalogSchema.parse(JSON.parse(readFileSync(path.join(repoRoot, 'models', 'catalog.json'), 'utf8')));
    const manifest = catalog.models.find((model) => model.id === 'realesr-animevideov3-x4')!;
    const session = await backend.open({ manifest, path: modelPath! }, { provider: 'cpu', threads: 2 });
    const stage = createSuperResolutionStage({ session, manifest, tileSize: 96, overlap: 32 });

    const width = 161;
    const height = 83;
    const { data } = await sharp(imagePath!).extract({ left: 40, top: 60, width, height }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const frame: RgbFrame = { width, height, bitDepth: 8, data: new Uint8Array(data), index: 0 };
    expect(stage.outputGeometry({ width, height, frameRate: rational(25), frameCount: 1 })).toMatchObject({ width: 644, height: 332 });

    let ticks = 0;
    const timer = setInterval(() => { ticks += 1; }, 5);
    const started = performance.now();
    const outputs: RgbFrame[] = [];
    try {
      for await (const out of stage.run((async function* () { yield frame; })(), new AbortController().signal)) outputs.push(out);
    } finally {
      clearInterval(timer);
    }
    const elapsedMs = performance.now() - started;
    await stage.dispose();
    // A blocked thread would fire only between tiles (a handful); ask for a tenth of the 5 ms slots.
    expect(ticks).toBeGreaterThan(elapsedMs / 5 / 10);

    const direct = await ort.InferenceSession.create(modelPath!, { intraOpNumThreads: 2 });
    try {
      const input = new Float32Array(3 * width * height);
      for (let i = 0; i < width * height; i += 1) for (let c = 0; c < 3; c += 1) input[c * width * height + i] = frame.data[i * 3 + c] / 255;
      const reference = (await direct.run({ input: new ort.Tensor('float32', input, [1, 3, height, width]) })).output.data as Float32Array;
      const [out] = outputs;
      expect([out.width, out.height]).toEqual([644, 332]);
      const plane = out.width * out.height;
      let worst = 0;
      for (let i = 0; i < plane; i += 1) {
        for (let c = 0; c < 3; c += 1) {
          const expected = Math.min(1, Math.max(0, reference[c * plane + i])) * 255;
          worst = Math.max(worst, Math.abs(out.data[i * 3 + c] - expected));
        }
      }
      expect(worst).toBeLessThanOrEqual(2);
    } finally {
      await direct.release();
    }
  });
});
