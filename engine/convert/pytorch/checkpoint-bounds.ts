// What a PyTorch checkpoint can hold, as limits checked before memory is
// spent. A checkpoint's data is its weights: torch.save stores zip entries
// uncompressed, and float weights barely deflate (about 1.1:1), so an entry
// that claims to inflate far beyond its compressed size is not a checkpoint
// but a zip bomb (a 3 MB zip can claim gigabytes). Entries are measured from
// the zip's central directory before anything is inflated, and inflating
// writes into a buffer of the declared size, so a lying header cannot grow
// it. Tensors built from storages are bounded too: no tensor has more
// elements than its storage (an expanded view is not a weight), and all
// tensors together stay within a few times the file's own size.
import { unzipSync, type UnzipFileInfo } from 'fflate';
import { CheckpointFormatError } from './pytorch-errors.ts';

/** Largest checkpoint file read (the largest super-resolution and style networks are a few hundred MB). */
export const MAX_CHECKPOINT_BYTES = 2 * 1024 ** 3;
/** Entries up to this size may deflate at any ratio (data.pkl, version, byteorder). */
const FREE_RATIO_BYTES = 1024 * 1024;
/** Highest inflate ratio of a larger entry: weights deflate about 1.1:1, pickles about 10:1. */
export const MAX_INFLATE_RATIO = 32;
/** Slack of the materialized-tensor budget for tiny files. */
const TENSOR_BUDGET_SLACK_BYTES = 16 * 1024 * 1024;
/** Materialized tensors may take this many times the checkpoint's bytes (fp16 -> fp32, int8 -> int64, tied weights). */
const TENSOR_BUDGET_FACTOR = 8;

/** Refuses a file too large to be a checkpoint, before it is read. */
export function assertCheckpointFileSize(file: string, sizeBytes: number): void {
  if (sizeBytes > MAX_CHECKPOINT_BYTES) {
    throw new CheckpointFormatError(`${file} is ${(sizeBytes / 1024 ** 3).toFixed(1)} GiB, more than the ${MAX_CHECKPOINT_BYTES / 1024 ** 3} GiB a model checkpoint can be`);
  }
}

/** The entries a zip declares, from its central directory; nothing is inflated. */
function listEntries(bytes: Uint8Array): UnzipFileInfo[] {
  const entries: UnzipFileInfo[] = [];
  unzipSync(bytes, { filter: (file) => { entries.push(file); return false; } });
  return entries;
}

/**
 * The zip's entries whose names `wanted` accepts, inflated within bounds:
 * refused (CheckpointFormatError) when an entry or the total claims more than
 * the limits, before any byte is inflated.
 */
export function unzipCheckpoint(bytes: Uint8Array, wanted: (name: string) => boolean): Record<string, Uint8Array> {
  let entries: UnzipFileInfo[];
  try {
    entries = listEntries(bytes);
  } catch (error) {
    throw new CheckpointFormatError(`the zip archive cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
  let total = 0;
  for (const entry of entries) {
    if (!wanted(entry.name)) continue;
    const ratio = entry.originalSize / Math.max(1, entry.size);
    if (entry.originalSize > FREE_RATIO_BYTES && ratio > MAX_INFLATE_RATIO) {
      throw new CheckpointFormatError(`the zip entry ${entry.name.slice(0, 120)} claims to inflate ${entry.size} bytes to ${entry.originalSize} (${Math.round(ratio)}:1); model weights do not compress beyond ${MAX_INFLATE_RATIO}:1, so this is not a checkpoint`);
    }
    total += entry.originalSize;
    if (total > MAX_CHECKPOINT_BYTES) {
      throw new CheckpointFormatError(`the zip archive claims more than ${MAX_CHECKPOINT_BYTES / 1024 ** 3} GiB of data, more than a model checkpoint holds`);
    }
  }
  try {
    return unzipSync(bytes, { filter: (file) => wanted(file.name) });
  } catch (error) {
    throw new CheckpointFormatError(`the zip archive cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Bytes of tensors a checkpoint of `fileBytes` may materialize; decremented as tensors are built. */
export class TensorBudget {
  private remaining: number;

  constructor(fileBytes: number) {
    this.remaining = TENSOR_BUDGET_FACTOR * fileBytes + TENSOR_BUDGET_SLACK_BYTES;
  }

  /** Takes `bytes` from the budget, or refuses the tensor `what`. */
  take(bytes: number, what: string): void {
    this.remaining -= bytes;
    if (this.remaining < 0) {
      throw new CheckpointFormatError(`tensor ${what} would bring the weights to more than ${TENSOR_BUDGET_FACTOR} times the file's size; a checkpoint's tensors are its stored bytes`);
    }
  }
}
