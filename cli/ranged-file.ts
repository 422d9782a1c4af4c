// Answers an HTTP request with a file or the byte range it asks for (a
// <video> element seeks with ranges; downloads resume with them): 200 for
// the whole file, 206 for a range, 416 for one that lies outside it, headers
// only for HEAD. A client that leaves mid-way or a file that vanishes ends
// the response, never the process.
import { createReadStream } from 'node:fs';
import type http from 'node:http';
import { pipeline } from 'node:stream/promises';

/** The byte range a Range header asks for within a file of `size` bytes; undefined: the whole file; null: unsatisfiable. */
export function parseByteRange(header: string | undefined, size: number): { start: number; end: number } | undefined | null {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return null;
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start >= size || end < start ? null : { start, end };
}

/** Sends `file` of `size` bytes with `headers` (content type and the like), honouring the request's Range; `onTrouble` hears a broken transfer. */
export async function sendRangedFile(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  file: string,
  size: number,
  headers: http.OutgoingHttpHeaders,
  onTrouble: (error: unknown) => void = () => undefined,
): Promise<void> {
  const range = parseByteRange(request.headers.range, size);
  const common = { ...headers, 'accept-ranges': 'bytes' };
  if (range === null) {
    response.writeHead(416, { ...common, 'content-range': `bytes */${size}` });
    response.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  response.writeHead(range ? 206 : 200, {
    ...common,
    'content-length': Math.max(0, end - start + 1),
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  });
  if (request.method === 'HEAD' || size === 0) {
    response.end();
    return;
  }
  try {
    await pipeline(createReadStream(file, { start, end }), response);
  } catch (error) {
    onTrouble(error);
    response.destroy();
  }
}
