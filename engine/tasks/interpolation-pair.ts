// Image-pair interpolation: the N frames between two stills at t = k / (N+1),
// written as PNGs named so they sort (<stem>-0001.png ...). Every target is
// checked before any inference, and on failure or cancellation the frames
// already written are removed, so a folder never holds half a sequence.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, throwIfCancelled } from '../../common/errors.ts';
import { expectIntegerInRange } from '../../common/validation.ts';
import type { ModelManifest } from '../../common/model-manifest.ts';
import type { ModelSession } from '../inference/inference-backend.ts';
import { readImage, writeImage } from '../media/image-io.ts';
import { assertOutputAllowed } from '../media/output-path.ts';
import { convertFrameBitDepth } from './image-tensor.ts';
import { FrameInterpolator } from './interpolation.ts';

export const MAX_PAIR_FRAMES = 999;

export interface ImagePairOptions {
  session: ModelSession;
  manifest: ModelManifest;
  first: string;
  second: string;
  /** In-between frames to write, 1..MAX_PAIR_FRAMES. */
  frames: number;
  outputDir: string;
  /** Name stem of the written files; default the first image's. */
  stem?: string;
  quality?: boolean;
  overwrite?: boolean;
  signal?: AbortSignal;
  onFrame?: (done: number, total: number) => void;
}

/** The file names for N in-between frames: <stem>-0001.png ..., zero-padded to sort. */
export function pairFrameNames(stem: string, frames: number): string[] {
  const digits = Math.max(4, String(frames).length);
  return Array.from({ length: frames }, (_, k) => `${stem}-${String(k + 1).padStart(digits, '0')}.png`);
}

/** Writes the in-between frames; returns their paths in time order. */
export async function interpolateImagePair(options: ImagePairOptions): Promise<string[]> {
  const { frames, signal } = options;
  expectIntegerInRange('the number of in-between frames', frames, 1, MAX_PAIR_FRAMES);
  const interpolator = new FrameInterpolator({ session: options.session, manifest: options.manifest, quality: options.quality });
  const [a, b] = await Promise.all([readImage(options.first, { signal }), readImage(options.second, { signal })]);
  if (a.frame.width !== b.frame.width || a.frame.height !== b.frame.height) {
    throw new InvalidArgumentError(`The two images must have the same size, but ${options.first} is ${a.frame.width}x${a.frame.height} and ${options.second} is ${b.frame.width}x${b.frame.height}.`);
  }
  const bitDepth = a.frame.bitDepth === 16 || b.frame.bitDepth === 16 ? 16 : 8;
  const outputDir = path.resolve(options.outputDir);
  await mkdir(outputDir, { recursive: true });
  const stem = options.stem ?? path.parse(options.first).name;
  const targets = pairFrameNames(stem, frames).map((name) => path.join(outputDir, name));
  const inputs = [path.resolve(options.first), path.resolve(options.second)];
  for (const target of targets) await assertOutputAllowed(target, { inputs, overwrite: options.overwrite ?? false });
  const first = interpolator.prepare(convertFrameBitDepth(a.frame, bitDepth));
  const second = interpolator.prepare(convertFrameBitDepth(b.frame, bitDepth));
  const written: string[] = [];
  // Queue the next pair while the previous one is written.
  let pending = interpolator.interpolate(first, second, 1 / (frames + 1), 0, signal);
  try {
    for (let k = 0; k < frames; k += 1) {
      const frame = await pending;
      if (k + 1 < frames) pending = interpolator.interpolate(first, second, (k + 2) / (frames + 1), k + 1, signal);
      throwIfCancelled(signal);
      const target = targets[k] as string;
      await writeImage(target, frame, null, a.metadata, { overwrite: options.overwrite, inputs, signal });
      written.push(target);
      options.onFrame?.(k + 1, frames);
    }
    return written;
  } catch (error) {
    await pending.catch(() => undefined);
    await Promise.all(written.map((file) => rm(file, { force: true })));
    throw error;
  }
}
