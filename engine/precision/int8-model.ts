// The INT8 variant of a model file, derived once and kept in the cache like
// the fp32 conversion of fp16 files: an fp32 graph (converted first where the
// file is fp16), calibrated on real frames through the inference backend (so
// the observation runs in the worker, off the calling thread), rewritten in
// QDQ form (RIFE's warps as gathers too, see engine/onnx/gather-warp.ts) and
// written atomically under a name made of the source's sha256,
// the transform version and the calibration files. The variant's own sha256
// is returned so callers can record it and check the file before each use.
import { createHash } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { throwIfCancelled } from '../../common/errors.ts';
import type { InferenceBackend, ResolvedModel } from '../inference/inference-backend.ts';
import type { TensorMap } from '../inference/tensor.ts';
import { ensureFp32Model, sha256OfFile } from '../onnx/fp16-to-fp32.ts';
import { replaceWarpsWithGathers } from '../onnx/gather-warp.ts';
import { readModelFile, writeModelFile } from '../onnx/onnx-file.ts';
import { accumulateRange, calibrationTargets, INT8_TRANSFORM_VERSION, quantizeConvolutions, withObservedOutputs } from '../onnx/quantize-int8.ts';
import type { TensorRange } from '../onnx/quantize-int8.ts';
import { copyFeed } from './reference-samples.ts';
import { exists } from '../base/exists.ts';

export interface Int8Model {
  model: ResolvedModel;
  sha256: string;
  /** True when this call calibrated and wrote the file. */
  created: boolean;
}


function fp32Manifest(model: ResolvedModel): ResolvedModel['manifest'] {
  const float32 = <T extends { dtype: string }>(spec: T): T => ({ ...spec, dtype: 'float32' });
  return { ...model.manifest, inputs: model.manifest.inputs.map(float32), outputs: model.manifest.outputs.map(float32) };
}

/** Where the int8 variant of `model` calibrated on `calibrationFiles` lives. */
export async function int8CachePath(model: ResolvedModel, calibrationFiles: readonly string[], cacheDir: string): Promise<string> {
  const source = (await sha256OfFile(model.path)).slice(0, 16);
  const calibration = createHash('sha256').update(calibrationFiles.map((file) => path.basename(file)).join('\n')).digest('hex').slice(0, 8);
  const stem = path.basename(model.path).replace(/\.onnx$/i, '').replace(/\.fp16$/i, '');
  return path.join(cacheDir, `${stem}.${source}.int8v${INT8_TRANSFORM_VERSION}.${calibration}.onnx`);
}

/** Runs the fp32 model with every Conv input and output exposed and returns their ranges. */
async function calibrate(fp32: ResolvedModel, feeds: readonly TensorMap[], backend: InferenceBackend, cacheDir: string, signal?: AbortSignal): Promise<Map<string, TensorRange>> {
  const graph = await readModelFile(fp32.path);
  const targets = calibrationTargets(graph);
  const observedPath = path.join(cacheDir, `${path.basename(fp32.path, '.onnx')}.observe-${process.pid}.onnx`);
  await writeModelFile(observedPath, withObservedOutputs(graph, targets));
  const ranges = new Map<string, TensorRange>();
  try {
    const session = await backend.open({ manifest: fp32.manifest, path: observedPath }, { provider: 'cpu', precision: 'auto' });
    try {
      for (const feed of feeds) {
        throwIfCancelled(signal);
        const outputs = await session.run(copyFeed(feed), { signal });
        for (const name of targets) {
          const tensor = outputs[name];
          if (tensor) accumulateRange(ranges, name, tensor.data as Float32Array);
        }
      }
    } finally {
      await session.release();
    }
  } finally {
    await rm(observedPath, { force: true });
  }
  return ranges;
}

/**
 * The cached int8 variant of `model`, calibrating on `calibration` (feeds in
 * the model's input layout) when the cache has none: a cached variant costs
 * no reading of the reference pictures. The returned manifest is
 * the model's, with float32 inputs and outputs.
 */
export async function ensureInt8Model(options: {
  model: ResolvedModel;
  /** The feeds, or how to read them: read only when the cache has no variant yet. */
  calibration: readonly TensorMap[] | (() => Promise<readonly TensorMap[]>);
  calibrationFiles: readonly string[];
  backend: InferenceBackend;
  cacheDir: string;
  signal?: AbortSignal;
}): Promise<Int8Model> {
  const { model, cacheDir, signal } = options;
  const target = await int8CachePath(model, options.calibrationFiles, cacheDir);
  const manifest = fp32Manifest(model);
  if (await exists(target)) return { model: { manifest, path: target }, sha256: await sha256OfFile(target), created: false };
  await mkdir(cacheDir, { recursive: true });
  const isFp16 = model.manifest.inputs.some((input) => input.dtype === 'float16');
  const fp32Path = isFp16 ? (await ensureFp32Model(model.path, cacheDir, { signal })).path : model.path;
  const fp32: ResolvedModel = { manifest, path: fp32Path };
  const feeds = typeof options.calibration === 'function' ? await options.calibration() : options.calibration;
  const ranges = await calibrate(fp32, feeds, options.backend, cacheDir, signal);
  throwIfCancelled(signal);
  const graph = await readModelFile(fp32Path);
  quantizeConvolutions(graph, ranges);
  // The variant is judged by measurement anyway, so it also takes the faster warp (see gather-warp.ts).
  replaceWarpsWithGathers(graph);
  await writeModelFile(target, graph);
  return { model: { manifest, path: target }, sha256: await sha256OfFile(target), created: true };
}
