// Checks a file against what a catalog promises: its size, its sha256 and
// its git blob id (sha1 of "blob <size>\0" + bytes, the only identity known
// for files whose bytes could not be fetched when the catalog was made).
// One streamed pass computes both hashes.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CancelledError, isCancellation, throwIfCancelled } from '../../common/errors.ts';

export interface ExpectedIntegrity {
  sizeBytes?: number;
  sha256?: string;
  gitBlob?: string;
}

export interface FileDigest {
  sizeBytes: number;
  sha256: string;
  gitBlob: string;
}

export async function digestFile(file: string, options: { signal?: AbortSignal } = {}): Promise<FileDigest> {
  throwIfCancelled(options.signal);
  const { size } = await stat(file);
  const sha256 = createHash('sha256');
  const blob = createHash('sha1').update(`blob ${size}\0`);
  const stream = createReadStream(file, { highWaterMark: 1 << 20, signal: options.signal });
  try {
    for await (const chunk of stream) {
      sha256.update(chunk as Buffer);
      blob.update(chunk as Buffer);
    }
  } catch (error) {
    if (isCancellation(error) || options.signal?.aborted) throw new CancelledError({ cause: error });
    throw error;
  }
  return { sizeBytes: size, sha256: sha256.digest('hex'), gitBlob: blob.digest('hex') };
}

export function gitBlobOf(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

/** What differs between a digest and the expectation, in words; undefined when it matches. */
export function integrityMismatch(digest: FileDigest, expected: ExpectedIntegrity): string | undefined {
  if (expected.sha256 === undefined && expected.gitBlob === undefined) return 'no sha256 or git blob id to check against';
  const problems: string[] = [];
  if (expected.sizeBytes !== undefined && digest.sizeBytes !== expected.sizeBytes) problems.push(`size ${digest.sizeBytes} bytes, expected ${expected.sizeBytes}`);
  if (expected.sha256 !== undefined && digest.sha256 !== expected.sha256) problems.push(`sha256 ${digest.sha256}, expected ${expected.sha256}`);
  if (expected.gitBlob !== undefined && digest.gitBlob !== expected.gitBlob) problems.push(`git blob ${digest.gitBlob}, expected ${expected.gitBlob}`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}
