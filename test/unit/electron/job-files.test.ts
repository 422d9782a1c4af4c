// The desktop app serves a job's files to its after-view through
// framesmith-preview://job/<job>/<item>/<role>, by the same rules as
// `framesmith serve`: only files of the queue's items (a URL cannot name any
// other path), an output only once finished, GET/HEAD only, and byte ranges
// (206 with Content-Range, 416 outside the file) so a <video> can seek. The
// handler is a plain function over a Request: no Electron binary needed.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_JOB_FILE_PREFIX, jobFileUrlOn, parseDesktopJobFileUrl, parseServeJobFilePath } from '../../../common/api/job-files.ts';
import type { JobSnapshot } from '../../../common/jobs.ts';
import { isJobFileUrl, jobFileResponse } from '../../../electron/job-files.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

function jobOf(id: string, items: { input: string; output: string; state: string }[]): JobSnapshot {
  return { id, state: 'running', items: items.map((item) => ({ ...item, framesDone: 0, framesTotal: null, error: null })) } as unknown as JobSnapshot;
}

describe('job files in the desktop app', () => {
  let temp: TempDir;
  let jobs: JobSnapshot[];
  const bytes = Buffer.from(Array.from({ length: 1000 }, (_, index) => index % 251));

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-desktop-job-files-');
    await mkdir(temp.file('in'), { recursive: true });
    await writeFile(temp.file('in/clip.mp4'), bytes);
    await writeFile(temp.file('in/clip-x2.mp4'), bytes.subarray(0, 600));
    await writeFile(temp.file('in/still.png'), bytes.subarray(0, 10));
    await writeFile(temp.file('secret.txt'), 'not a job file');
    jobs = [jobOf('job one', [
      { input: temp.file('in/clip.mp4'), output: temp.file('in/clip-x2.mp4'), state: 'completed' },
      { input: temp.file('in/still.png'), output: temp.file('in/still-x2.png'), state: 'running' },
    ])];
  });
  afterAll(async () => { await temp.dispose(); });

  const list = async () => jobs;
  const get = (url: string, headers: Record<string, string> = {}, method = 'GET') => jobFileResponse(new Request(url, { method, headers }), list);

  it('names the same files on both hosts', () => {
    const desktop = jobFileUrlOn('electron', 'job one', 0, 'output');
    expect(desktop).toBe(`${DESKTOP_JOB_FILE_PREFIX}job%20one/0/output`);
    expect(isJobFileUrl(desktop)).toBe(true);
    expect(parseDesktopJobFileUrl(desktop)).toEqual({ jobId: 'job one', itemIndex: 0, role: 'output' });
    expect(parseServeJobFilePath(jobFileUrlOn('browser', 'job one', 1, 'input'))).toEqual({ jobId: 'job one', itemIndex: 1, role: 'input' });
    for (const bad of ['framesmith-preview://job/x/0/secret', 'framesmith-preview://job/x/-1/input', 'framesmith-preview://job/%E0%A4%A/0/input', 'framesmith-preview://job/x/0/input/../../etc', 'framesmith-preview://clip/x.webm']) {
      expect(parseDesktopJobFileUrl(bad), bad).toBeNull();
    }
  });

  it('serves a finished output whole, with its media type', async () => {
    const answer = await get(jobFileUrlOn('electron', 'job one', 0, 'output'));
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('video/mp4');
    expect(answer.headers.get('accept-ranges')).toBe('bytes');
    expect(answer.headers.get('content-length')).toBe('600');
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(bytes.subarray(0, 600));
  });

  it('answers byte ranges as a <video> asks for them, and 416 outside the file', async () => {
    const url = jobFileUrlOn('electron', 'job one', 0, 'input');
    const middle = await get(url, { range: 'bytes=100-199' });
    expect(middle.status).toBe(206);
    expect(middle.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(Buffer.from(await middle.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    const open = await get(url, { range: 'bytes=900-' });
    expect(open.status).toBe(206);
    expect((await open.arrayBuffer()).byteLength).toBe(100);
    const suffix = await get(url, { range: 'bytes=-10' });
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(bytes.subarray(990));
    const outside = await get(url, { range: 'bytes=5000-' });
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe('bytes */1000');
    const head = await get(url, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');
  });

  it('refuses what is not a finished file of a queued job', async () => {
    expect((await get(jobFileUrlOn('electron', 'job one', 1, 'output'))).status).toBe(404);
    expect(await (await get(jobFileUrlOn('electron', 'job one', 1, 'output'))).text()).toBe('This output is not finished yet.');
    expect((await get(jobFileUrlOn('electron', 'job one', 1, 'input'))).status).toBe(200);
    expect((await get(jobFileUrlOn('electron', 'job one', 2, 'input'))).status).toBe(404);
    expect((await get(jobFileUrlOn('electron', 'other', 0, 'input'))).status).toBe(404);
    expect((await get(`${DESKTOP_JOB_FILE_PREFIX}job%20one/0/${encodeURIComponent(path.relative(temp.file('in'), temp.file('secret.txt')))}`)).status).toBe(404);
    expect((await get(jobFileUrlOn('electron', 'job one', 0, 'input'), {}, 'POST')).status).toBe(405);
    expect((await jobFileResponse(new Request(jobFileUrlOn('electron', 'job one', 0, 'input')), async () => undefined)).status).toBe(503);
  });

  it('says so when a listed file is gone from the disk', async () => {
    const gone = [jobOf('job two', [{ input: temp.file('in/missing.mp4'), output: temp.file('in/missing-x2.mp4'), state: 'completed' }])];
    const answer = await jobFileResponse(new Request(jobFileUrlOn('electron', 'job two', 0, 'output')), async () => gone);
    expect(answer.status).toBe(404);
    expect(await answer.text()).toMatch(/gone/);
  });
});
