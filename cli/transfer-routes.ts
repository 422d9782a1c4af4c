// Files in and out of `framesmith serve` for a browser on another computer:
// streamed uploads into a working folder under the data folder, and a job's
// inputs and outputs served with byte ranges (a <video> seeks with them) or
// as attachments. WebServer calls handle() for every authorised request
// before its own routes; the token check has happened by then.
//
// Why a folder per upload: two files of the same name never collide, and
// everything a job made beside an uploaded input (its outputs, by default)
// goes when the folder goes. A folder is removed when the last job that used
// it is removed; one no job ever used is swept a day after it was written, so
// a page closed between upload and Start leaves nothing behind for long.
// Why uploads need UPLOAD_HEADER: the token cookie is SameSite=Strict, and a
// custom header makes any cross-site attempt a preflighted request that this
// server never approves.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { jobFileOf, mediaTypeOf, parseServeJobFilePath } from '../common/api/job-files.ts';
import type { JobSnapshot } from '../common/jobs.ts';
import {
  DEFAULT_MAX_UPLOAD_BYTES,
  JOB_FILE_ROUTE,
  UPLOAD_HEADER,
  UPLOAD_ROUTE,
  uploadNameProblem,
  type TransferRefusal,
  type UploadAnswer,
} from '../common/api/transfer.ts';
import type { ApiDispatcher } from '../engine/index.ts';
import { formatBytes } from '../common/format-bytes.ts';
import type { ApiEventSource, HttpRoutes } from './web-server.ts';
import { sendRangedFile } from './ranged-file.ts';
import { freeBytesOf } from '../engine/index.ts';

const UNCLAIMED_LIFETIME_MS = 24 * 60 * 60 * 1000;


export interface TransferRoutesOptions {
  /** Where uploads go: one folder per upload (created when needed). */
  uploadRoot: string;
  dispatcher: ApiDispatcher;
  events: ApiEventSource;
  maxUploadBytes?: number;
}

function refuse(response: http.ServerResponse, headers: http.OutgoingHttpHeaders, status: number, refusal: TransferRefusal): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(refusal));
}

/** A Content-Disposition value that keeps any file name intact (RFC 6266 with an ASCII fallback). */
export function attachmentHeader(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export class TransferRoutes implements HttpRoutes {
  private readonly uploadRoot: string;
  private readonly maxUploadBytes: number;
  /** Upload folders some job has used, as seen by this process: removed once no job uses them. */
  private readonly claimed = new Set<string>();
  private readonly stopEvents: () => void;
  private readonly controller = new AbortController();

  constructor(private readonly options: TransferRoutesOptions) {
    this.uploadRoot = path.resolve(options.uploadRoot);
    this.maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
    this.stopEvents = options.events.subscribe('jobs', (event) => {
      const type = (event as { type?: string }).type;
      if (type === 'removed' || type === 'state') void this.sweep().catch(() => undefined);
    });
    void this.sweep().catch(() => undefined);
  }

  /** Answers the request when it is a transfer route; false: not one of ours. */
  async handle(url: URL, request: http.IncomingMessage, response: http.ServerResponse, headers: http.OutgoingHttpHeaders): Promise<boolean> {
    if (url.pathname === UPLOAD_ROUTE) {
      await this.upload(url, request, response, headers);
      return true;
    }
    if (url.pathname.startsWith(JOB_FILE_ROUTE)) {
      await this.serveJobFile(url, request, response, headers);
      return true;
    }
    return false;
  }

  private async upload(url: URL, request: http.IncomingMessage, response: http.ServerResponse, headers: http.OutgoingHttpHeaders): Promise<void> {
    if (request.method !== 'POST') {
      response.writeHead(405, { ...headers, allow: 'POST' });
      response.end();
      return;
    }
    // A refused upload's body is still read (and dropped), so the browser gets the answer rather than a reset connection.
    const decline = (status: number, refusal: TransferRefusal) => {
      request.resume();
      refuse(response, headers, status, refusal);
    };
    if (request.headers[UPLOAD_HEADER] !== '1') {
      decline(403, { code: 'UPLOAD_FORBIDDEN', userMessage: `Uploads come from the Framesmith page (it sends the ${UPLOAD_HEADER} header).` });
      return;
    }
    const name = url.searchParams.get('name') ?? '';
    const problem = uploadNameProblem(name);
    if (problem) {
      decline(400, { code: 'UPLOAD_BAD_NAME', userMessage: `Expected ${problem}, got "${name.slice(0, 80)}".` });
      return;
    }
    const declared = Number(request.headers['content-length']);
    if (!Number.isInteger(declared) || declared < 0) {
      decline(411, { code: 'UPLOAD_INCOMPLETE', userMessage: 'The upload did not say its size (Content-Length); send the file from the Framesmith page.' });
      return;
    }
    if (declared > this.maxUploadBytes) {
      decline(413, { code: 'UPLOAD_TOO_LARGE', userMessage: `${name} is ${formatBytes(declared)}; this server takes files of up to ${formatBytes(this.maxUploadBytes)}.` });
      return;
    }
    await mkdir(this.uploadRoot, { recursive: true });
    const free = await freeBytesOf(this.uploadRoot).catch(() => Number.POSITIVE_INFINITY);
    if (declared > free) {
      decline(507, { code: 'UPLOAD_NO_SPACE', userMessage: `${name} needs ${formatBytes(declared)} and the server's data folder has ${formatBytes(free)} free. Free some space there and try again.` });
      return;
    }
    const folder = path.join(this.uploadRoot, randomBytes(12).toString('hex'));
    await mkdir(folder);
    const file = path.join(folder, name);
    const part = `${file}.part`;
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > declared) request.destroy(new Error('more bytes than Content-Length'));
    });
    try {
      await pipeline(request, createWriteStream(part, { flags: 'wx' }), { signal: this.controller.signal });
      if (received !== declared) throw new Error(`got ${received} of ${declared} bytes`);
      await rename(part, file);
    } catch {
      await rm(folder, { recursive: true, force: true });
      refuse(response, headers, 400, { code: 'UPLOAD_INCOMPLETE', userMessage: `The upload of ${name} broke off after ${formatBytes(received)} of ${formatBytes(declared)}. Try again.` });
      return;
    }
    const answer: UploadAnswer = { path: file, sizeBytes: received };
    response.writeHead(201, { ...headers, 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(answer));
  }

  private async jobs(): Promise<JobSnapshot[] | undefined> {
    const result = await this.options.dispatcher.dispatch('jobs:list', undefined, { signal: this.controller.signal });
    return result.ok ? (result.value as JobSnapshot[]) : undefined;
  }

  private async serveJobFile(url: URL, request: http.IncomingMessage, response: http.ServerResponse, headers: http.OutgoingHttpHeaders): Promise<void> {
    const address = parseServeJobFilePath(url.pathname);
    const notFound = (why: string) => refuse(response, headers, 404, { code: 'NOT_FOUND', userMessage: why });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, allow: 'GET, HEAD' });
      response.end();
      return;
    }
    if (!address) {
      notFound('No such job file: the address is /job-files/<job>/<item>/output or input.');
      return;
    }
    const found = jobFileOf((await this.jobs()) ?? [], address);
    if ('problem' in found) {
      notFound(found.problem);
      return;
    }
    const file = found.file;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      notFound(`${path.basename(file)} is gone from the server (moved or deleted).`);
      return;
    }
    await sendRangedFile(request, response, file, info.size, {
      ...headers,
      'content-type': mediaTypeOf(file),
      ...(url.searchParams.get('download') === '1' ? { 'content-disposition': attachmentHeader(path.basename(file)) } : {}),
    });
  }

  /** Removes upload folders no job uses any more (claimed ones at once, never-claimed ones after a day). */
  async sweep(): Promise<void> {
    const jobs = await this.jobs();
    if (!jobs) return;
    const inUse = new Set<string>();
    for (const job of jobs) {
      for (const input of [...job.spec.inputs, ...job.items.map((item) => item.input)]) {
        const relative = path.relative(this.uploadRoot, path.resolve(input));
        if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) continue;
        const folder = relative.split(path.sep)[0] as string;
        inUse.add(folder);
        this.claimed.add(folder);
      }
    }
    const folders = await readdir(this.uploadRoot).catch(() => [] as string[]);
    for (const folder of folders) {
      if (inUse.has(folder)) continue;
      const full = path.join(this.uploadRoot, folder);
      const info = await stat(full).catch(() => undefined);
      const expired = info !== undefined && Date.now() - info.mtimeMs > UNCLAIMED_LIFETIME_MS;
      if (this.claimed.has(folder) || expired) {
        await rm(full, { recursive: true, force: true });
        this.claimed.delete(folder);
      }
    }
  }

  dispose(): void {
    this.controller.abort();
    this.stopEvents();
  }
}
