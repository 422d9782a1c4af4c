// Sends a file from this browser to the `framesmith serve` that served the
// page (POST UPLOAD_ROUTE, the body streamed by the browser), reporting
// progress. XMLHttpRequest rather than fetch: only it reports upload
// progress. The token travels in the page's cookie, set when it loaded.
import { DEFAULT_MAX_UPLOAD_BYTES, UPLOAD_HEADER, UPLOAD_ROUTE, uploadNameProblem, type TransferRefusal, type UploadAnswer } from '../common/api/transfer.ts';
import { formatBytes } from '../common/format-bytes.ts';

/** An upload that did not arrive, with a message for the person who sent it. */
export class UploadError extends Error {
  constructor(message: string, readonly code: TransferRefusal['code'] | 'UPLOAD_NETWORK' | 'UPLOAD_CANCELLED') {
    super(message);
    this.name = 'UploadError';
  }
}

export interface UploadOptions {
  /** Called with the fraction sent, 0..1. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export function uploadFile(file: File, options: UploadOptions = {}): Promise<UploadAnswer> {
  const problem = uploadNameProblem(file.name);
  if (problem) return Promise.reject(new UploadError(`Expected ${problem}, got "${file.name}". Rename the file and try again.`, 'UPLOAD_BAD_NAME'));
  if (file.size > DEFAULT_MAX_UPLOAD_BYTES) {
    return Promise.reject(new UploadError(`${file.name} is ${formatBytes(file.size)}; the server takes files of up to ${formatBytes(DEFAULT_MAX_UPLOAD_BYTES)}.`, 'UPLOAD_TOO_LARGE'));
  }
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${UPLOAD_ROUTE}?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader(UPLOAD_HEADER, '1');
    request.responseType = 'text';
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable && event.total > 0) options.onProgress?.(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = undefined;
      }
      if (request.status === 201) {
        options.onProgress?.(1);
        resolve(body as UploadAnswer);
        return;
      }
      const refusal = body as Partial<TransferRefusal> | undefined;
      reject(new UploadError(refusal?.userMessage ?? `The server refused ${file.name} (HTTP ${request.status}).`, refusal?.code ?? 'UPLOAD_NETWORK'));
    });
    request.addEventListener('error', () => reject(new UploadError(`The upload of ${file.name} failed: the server could not be reached. Is framesmith serve still running?`, 'UPLOAD_NETWORK')));
    request.addEventListener('abort', () => reject(new UploadError(`The upload of ${file.name} was cancelled.`, 'UPLOAD_CANCELLED')));
    options.signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(file);
  });
}
