// onnxruntime reports failures as plain Error objects whose only content is a
// message: there is no code to branch on. This is the ONE place that reads
// those messages, so the tiler can retry with smaller tiles on OUT_OF_MEMORY
// (STYLE.md forbids matching text wherever a structured signal exists; here
// none does). Patterns come from onnxruntime's allocators and providers:
// the CPU arena ("Failed to allocate memory", std::bad_alloc), CUDA ("out of
// memory", cudaErrorMemoryAllocation, CUBLAS/CUDNN alloc failures), DirectML
// (E_OUTOFMEMORY, HRESULT 0x8007000E) and WebGPU/Dawn ("Out of memory").
import { BugError, FramesmithError, InferenceFailedError, OutOfMemoryError } from '../../common/errors.ts';

const OUT_OF_MEMORY_PATTERNS = [
  /failed to allocate memory/i,
  /bad[_ ]alloc/i,
  /out of memory/i,
  /outofmemory/i,
  /cudaErrorMemoryAllocation/i,
  /(CUBLAS|CUDNN)_STATUS_ALLOC_FAILED/i,
  /0x8007000e/i,
  /available memory of \d+ is smaller than requested bytes/i,
];

/** True when an onnxruntime error message reports memory exhaustion. */
export function isOutOfMemoryMessage(message: string): boolean {
  return OUT_OF_MEMORY_PATTERNS.some((pattern) => pattern.test(message));
}

/**
 * A native onnxruntime failure as a typed error: OutOfMemoryError when memory
 * ran out, InferenceFailedError otherwise. FramesmithErrors and BugErrors pass through.
 */
export function classifyRuntimeError(error: unknown, modelId: string, what: string): FramesmithError | BugError {
  if (error instanceof FramesmithError || error instanceof BugError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (isOutOfMemoryMessage(message)) return new OutOfMemoryError(what, { detail: message, cause: error });
  return new InferenceFailedError(modelId, { detail: message, cause: error });
}
