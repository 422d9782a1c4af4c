// A job's input and output files for the after-view in the desktop app,
// served through main's framesmith-preview://job/<job>/<item>/<role> URLs
// with the same rules as `framesmith serve` (common/api/job-files.ts): only
// the files of a job's items as the engine lists them, never a path the page
// names; an output once finished; GET and HEAD only. Byte ranges are
// answered here (206, 416), so a <video> seeks whatever the file protocol
// does. Plain functions over a Request, so they are tested without Electron.
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { DESKTOP_JOB_FILE_PREFIX, jobFileOf, mediaTypeOf, parseByteRange, parseDesktopJobFileUrl } from '../common/api/job-files.ts';
import type { JobSnapshot } from '../common/jobs.ts';

/** The queue as the engine reports it now; undefined when it cannot be asked (the engine is restarting). */
export type JobLister = () => Promise<readonly JobSnapshot[] | undefined>;

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers } });
}

/** Whether main should answer `url` with jobFileResponse (it names a job file, well formed or not). */
export function isJobFileUrl(url: string): boolean {
  return url.startsWith(DESKTOP_JOB_FILE_PREFIX);
}

/** The answer to a request for a job file: the file, a byte range of it, or why not. */
export async function jobFileResponse(request: Request, listJobs: JobLister): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Only GET and HEAD.', { allow: 'GET, HEAD' });
  const address = parseDesktopJobFileUrl(request.url);
  if (!address) return plain(404, 'No such job file: the address is framesmith-preview://job/<job>/<item>/output or input.');
  const jobs = await listJobs();
  if (!jobs) return plain(503, 'The Framesmith engine is not answering; try again in a moment.');
  const found = jobFileOf(jobs, address);
  if ('problem' in found) return plain(404, found.problem);
  const info = await fs.stat(found.file).catch(() => undefined);
  if (!info?.isFile()) return plain(404, 'The file is gone (moved or deleted).');
  const size = info.size;
  const range = parseByteRange(request.headers.get('range'), size);
  const headers: Record<string, string> = { 'content-type': mediaTypeOf(found.file), 'accept-ranges': 'bytes', 'x-content-type-options': 'nosniff' };
  if (range === null) return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
  const { start, end } = range ?? { start: 0, end: size - 1 };
  headers['content-length'] = String(Math.max(0, end - start + 1));
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  const status = range ? 206 : 200;
  if (request.method === 'HEAD' || size === 0) return new Response(null, { status, headers });
  const body = Readable.toWeb(createReadStream(found.file, { start, end })) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}
