// readStateDict: any of the three checkpoint formats in, a flat name ->
// tensor map out. Training checkpoints wrap the weights (Real-ESRGAN under
// params_ema or params, others under state_dict or model); the wrapper is
// removed, and DataParallel's "module." prefix is stripped.
import { readFile, stat } from 'node:fs/promises';
import { InputNotFoundError } from '../../../common/errors.ts';
import { assertCheckpointFileSize } from './checkpoint-bounds.ts';
import { CheckpointFormatError } from './pytorch-errors.ts';
import { isSafetensors, readSafetensors } from './safetensors.ts';
import type { StateDict, StateTensor } from './state-tensor.ts';
import { isLegacyCheckpoint, isZipCheckpoint, readTorchLegacy, readTorchZip } from './torch-checkpoint.ts';

export type CheckpointFormat = 'torch-zip' | 'torch-legacy' | 'safetensors';

/** Keys under which checkpoints nest the weights, in order of preference. */
export const WRAPPER_KEYS = ['params_ema', 'params', 'state_dict', 'model'] as const;

export interface ReadStateDict {
  format: CheckpointFormat;
  stateDict: StateDict;
}

function isTensor(value: unknown): value is StateTensor {
  return typeof value === 'object' && value !== null && 'dtype' in value && 'shape' in value && 'data' in value && !(value instanceof Map);
}

function flatten(value: Map<unknown, unknown>): StateDict {
  const result: StateDict = new Map();
  for (const [key, item] of value) {
    if (typeof key === 'string' && isTensor(item)) result.set(key.startsWith('module.') ? key.slice('module.'.length) : key, item);
  }
  return result;
}

/** Finds the state dict inside a loaded checkpoint object. */
export function unwrapStateDict(loaded: unknown): StateDict {
  if (!(loaded instanceof Map)) throw new CheckpointFormatError('the checkpoint holds no dict of tensors');
  for (const key of WRAPPER_KEYS) {
    const inner = loaded.get(key);
    if (inner instanceof Map) {
      const found = flatten(inner);
      if (found.size > 0) return found;
    }
  }
  const direct = flatten(loaded);
  if (direct.size > 0) return direct;
  const keys = [...loaded.keys()].map(String).slice(0, 8);
  throw new CheckpointFormatError(`no tensors found at the top level or under ${WRAPPER_KEYS.join('/')} (top-level keys: ${keys.join(', ') || 'none'})`);
}

export function detectCheckpointFormat(bytes: Uint8Array): CheckpointFormat | undefined {
  if (isZipCheckpoint(bytes)) return 'torch-zip';
  if (isSafetensors(bytes)) return 'safetensors';
  if (isLegacyCheckpoint(bytes)) return 'torch-legacy';
  return undefined;
}

/** Reads a checkpoint's bytes (format detected from its content, not its name). */
export function parseStateDict(bytes: Uint8Array): ReadStateDict {
  const format = detectCheckpointFormat(bytes);
  switch (format) {
    case 'torch-zip': return { format, stateDict: unwrapStateDict(readTorchZip(bytes)) };
    case 'torch-legacy': return { format, stateDict: unwrapStateDict(readTorchLegacy(bytes)) };
    case 'safetensors': return { format, stateDict: readSafetensors(bytes) };
    default: throw new CheckpointFormatError('the file is neither a torch.save zip, a legacy torch.save pickle, nor safetensors');
  }
}

export async function loadCheckpointBytes(path: string): Promise<Uint8Array> {
  try {
    assertCheckpointFileSize(path, (await stat(path)).size);
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputNotFoundError(path, { cause: error });
    throw error;
  }
}

/** Reads a state dict from a path or bytes: torch.save (zip or legacy) or safetensors. */
export async function readStateDict(source: string | Uint8Array): Promise<StateDict> {
  const bytes = typeof source === 'string' ? await loadCheckpointBytes(source) : source;
  return parseStateDict(bytes).stateDict;
}
