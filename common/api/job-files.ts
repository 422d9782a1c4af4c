// A job's input and output files as the after-view loads them, decided once
// for both hosts: `framesmith serve` answers them over HTTP (/job-files/...),
// the desktop app through its framesmith-preview://job/... protocol. Only
// the files of a job's items are served (never a path the page names), an
// output only once it is finished; byte ranges let a <video> seek. Pure
// string work: each host reads the file its own way.
import type { JobSnapshot } from '../jobs.ts';
import { JOB_FILE_ROUTE, jobFileUrl, type JobFileRole } from './transfer.ts';

/** Where the desktop app serves a job's files (its preview protocol, host "job"). */
export const DESKTOP_JOB_FILE_PREFIX = 'framesmith-preview://job/';

const ADDRESS = '([^/]{1,200})/(\\d{1,6})/(output|input)';
const SERVE_PATH = new RegExp(`^${JOB_FILE_ROUTE}${ADDRESS}$`);
const DESKTOP_URL = new RegExp(`^${DESKTOP_JOB_FILE_PREFIX}${ADDRESS}$`);

export interface JobFileAddress {
  jobId: string;
  itemIndex: number;
  role: JobFileRole;
}

/** The URL of a job's file for the page on `host` ('electron': the desktop app; otherwise serve). */
export function jobFileUrlOn(host: string, jobId: string, itemIndex: number, role: JobFileRole): string {
  if (host === 'electron') return `${DESKTOP_JOB_FILE_PREFIX}${encodeURIComponent(jobId)}/${itemIndex}/${role}`;
  return jobFileUrl(jobId, itemIndex, role);
}

function addressOf(match: RegExpExecArray | null): JobFileAddress | null {
  if (!match) return null;
  let jobId: string;
  try {
    jobId = decodeURIComponent(match[1] as string);
  } catch {
    return null;
  }
  return { jobId, itemIndex: Number(match[2]), role: match[3] as JobFileRole };
}

/** The job file a serve path (/job-files/<job>/<item>/<role>) names, or null. */
export function parseServeJobFilePath(pathname: string): JobFileAddress | null {
  return addressOf(SERVE_PATH.exec(pathname));
}

/** The job file a desktop URL (framesmith-preview://job/<job>/<item>/<role>, no query) names, or null. */
export function parseDesktopJobFileUrl(url: string): JobFileAddress | null {
  return addressOf(DESKTOP_URL.exec(url.split(/[?#]/, 1)[0] ?? ''));
}

/** The file behind an address in the current queue, or why there is none (a person's words). */
export function jobFileOf(jobs: readonly JobSnapshot[], address: JobFileAddress): { file: string } | { problem: string } {
  const item = jobs.find((job) => job.id === address.jobId)?.items[address.itemIndex];
  if (!item) return { problem: 'That job or file is no longer in the queue.' };
  if (address.role === 'output' && item.state !== 'completed') return { problem: 'This output is not finished yet.' };
  return { file: address.role === 'output' ? item.output : item.input };
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
  webm: 'video/webm',
  avi: 'video/x-msvideo',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
};

/** The media type a job file is served with, by its extension. */
export function mediaTypeOf(file: string): string {
  const name = file.split(/[\\/]/).pop() ?? '';
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? MEDIA_TYPES[name.slice(dot + 1).toLowerCase()] : undefined) ?? 'application/octet-stream';
}

/** The byte range a Range header asks for within a file of `size` bytes; undefined: the whole file; null: unsatisfiable. */
export function parseByteRange(header: string | null | undefined, size: number): { start: number; end: number } | undefined | null {
  if (header === undefined || header === null) return undefined;
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
