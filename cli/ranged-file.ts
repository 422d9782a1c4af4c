// Answers an HTTP request with a file or the byte range it asks for (a
// <video> element seeks with ranges; downloads resume with them): 200 for
// the whole file, 206 for a range, 416 for one that lies outside it, headers
// only for HEAD. A client that leaves mid-way or a file that vanishes ends
// the response, never the process.
import { createReadStream } from 'node:fs';
import type http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseByteRange } from '../common/api/job-files.ts';

export { parseByteRange } from '../common/api/job-files.ts';

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
