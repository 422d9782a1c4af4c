// Streamed sha256 of a file: constant memory for any model size, and the
// AbortSignal stops the read between chunks.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CancelledError, isCancellation, throwIfCancelled } from '../../common/errors.ts';

export async function fileSha256(file: string, options: { signal?: AbortSignal } = {}): Promise<string> {
  throwIfCancelled(options.signal);
  const hash = createHash('sha256');
  const stream = createReadStream(file, { highWaterMark: 1 << 20, signal: options.signal });
  try {
    for await (const chunk of stream) hash.update(chunk as Buffer);
  } catch (error) {
    if (isCancellation(error) || options.signal?.aborted) throw new CancelledError({ cause: error });
    throw error;
  }
  return hash.digest('hex');
}
