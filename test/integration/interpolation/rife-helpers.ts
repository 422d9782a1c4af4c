// Shared pieces of the interpolation tests: the RIFE manifest from the
// catalog, a session on the real worker backend, and PSNR / difference
// measures on packed RGB frames.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { modelCatalogSchema, type ModelManifest } from '../../../common/model-manifest.ts';
import type { ModelSession } from '../../../engine/inference/inference-backend.ts';
import { OnnxWorkerBackend } from '../../../engine/inference/onnx-worker-backend.ts';
import type { RgbFrame } from '../../../engine/media/frame.ts';
import { repoRoot } from '../../helpers/shared-assets.ts';

export function rifeManifest(): ModelManifest {
  const catalog = modelCatalogSchema.parse(JSON.parse(readFileSync(path.join(repoRoot, 'models', 'catalog.json'), 'utf8')));
  const manifest = catalog.models.find((model) => model.id === 'rife-v4.6');
  if (!manifest) throw new Error('rife-v4.6 is missing from models/catalog.json');
  return manifest;
}

export interface RifeHarness {
  session: ModelSession;
  manifest: ModelManifest;
  dispose(): Promise<void>;
}

export async function openRife(modelPath: string): Promise<RifeHarness> {
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'framesmith-rife-'));
  const backend = new OnnxWorkerBackend({ cacheDir, threads: 2 });
  const manifest = rifeManifest();
  const session = await backend.open({ manifest, path: modelPath }, { provider: 'cpu', threads: 2 });
  return {
    session,
    manifest,
    dispose: async () => {
      await session.release();
      await backend.dispose();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}

export async function readRgb(file: string, index = 0): Promise<RgbFrame> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, bitDepth: 8, data: new Uint8Array(data), index };
}

export function psnr(a: ArrayLike<number>, b: ArrayLike<number>, peak = 255): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  const mse = sum / a.length;
  return 10 * Math.log10((peak * peak) / mse);
}

/** Mean absolute difference, 0..255. */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
