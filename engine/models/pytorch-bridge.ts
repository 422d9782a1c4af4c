// The door to the PyTorch checkpoint converter (engine/convert/pytorch),
// which is being written beside this code: when its entry module is there,
// its convertPytorchToOnnx is called; until then PyTorch models are refused
// with a typed NotSupportedError rather than a crash.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { NotSupportedError } from '../../common/errors.ts';

const ENTRY = new URL('../convert/pytorch/pytorch-to-onnx.ts', import.meta.url);

interface PytorchConverterModule {
  convertPytorchToOnnx(options: { paths: readonly string[]; signal?: AbortSignal }): Promise<Uint8Array | { onnx: Uint8Array } | { bytes: Uint8Array }>;
}

/** ONNX bytes for the checkpoint files (one model, possibly in several files). */
export async function convertPytorchFiles(paths: readonly string[], options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
  if (!existsSync(fileURLToPath(ENTRY))) {
    throw new NotSupportedError(`Importing PyTorch checkpoints is not supported yet in this version (${paths.join(', ')}). Convert the model to ONNX, or use its ncnn or ONNX form.`);
  }
  const converter = (await import(ENTRY.href)) as Partial<PytorchConverterModule>;
  if (typeof converter.convertPytorchToOnnx !== 'function') {
    throw new NotSupportedError('Importing PyTorch checkpoints is not supported yet in this version (the converter has no convertPytorchToOnnx).');
  }
  const result = await converter.convertPytorchToOnnx({ paths, signal: options.signal });
  if (result instanceof Uint8Array) return result;
  return 'onnx' in result ? result.onnx : result.bytes;
}
