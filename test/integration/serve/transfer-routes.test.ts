// Files in and out of `framesmith serve` as a browser on another computer
// uses them: the real WebServer with the transfer routes over the real engine
// (AppService, job queue, ffmpeg, a real model). A clip is uploaded over
// HTTP, upscaled by a job queued over the WebSocket API, its output read back
// whole and by byte ranges, and the upload folder goes when the job is
// removed. Refusals (no header, bad name, too large, cut short) leave nothing.
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { UPLOAD_HEADER, UPLOAD_ROUTE, jobFileUrl, type UploadAnswer } from '../../../common/api/transfer.ts';
import { WsApiClient } from '../../../common/api/ws-client.ts';
import type { JobSnapshot } from '../../../common/jobs.ts';
import { ApiDispatcher, AppService, Engine } from '../../../engine/index.ts';
import { TransferRoutes, attachmentHeader } from '../../../cli/transfer-routes.ts';
import { WebServer } from '../../../cli/web-server.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');
const TOKEN = 'transfer-test-token-0123456789abcdef';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function send(port: number, target: string, options: { method?: string; headers?: Record<string, string | number>; body?: Buffer; cutAfter?: number }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: target, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, cookie: `framesmith_token=${TOKEN}`, ...options.headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    if (options.cutAfter !== undefined && options.body) {
      // The connection is dropped mid-body, as a closed tab would.
      request.on('error', () => resolve({ status: 0, headers: {}, body: Buffer.alloc(0) }));
      request.write(options.body.subarray(0, options.cutAfter), () => setTimeout(() => request.destroy(), 100));
      return;
    }
    request.on('error', reject);
    request.end(options.body);
  });
}

function upload(port: number, name: string, body: Buffer, headers: Record<string, string | number> = { [UPLOAD_HEADER]: '1' }): Promise<Answer> {
  return send(port, `${UPLOAD_ROUTE}?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'content-length': body.length, ...headers }, body });
}

describe.skipIf(!model)('uploads and job files over framesmith serve', () => {
  let temp: TempDir;
  let engine: Engine;
  let service: AppService;
  let routes: TransferRoutes;
  let server: WebServer;
  let client: WsApiClient;
  let port: number;
  let clipBytes: Buffer;
  const uploadRoot = () => path.join(temp.path, 'data', 'uploads');

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-transfer-');
    clipBytes = await readFile(await makeClip(temp.path, { name: 'source.mp4', frames: 12, width: 48, height: 32 }));
    engine = await Engine.create({ cacheDir: temp.file('cache') });
    service = await AppService.open({ engine, dataDir: temp.file('data'), cacheDir: temp.file('cache'), host: { kind: 'browser', version: 'test' } });
    const dispatcher = new ApiDispatcher(service.handlers());
    routes = new TransferRoutes({ uploadRoot: uploadRoot(), dispatcher, events: service, maxUploadBytes: 1024 * 1024 });
    server = new WebServer({ uiDir: temp.path, dispatcher, events: service, token: TOKEN, routes });
    await server.listen();
    port = server.port;
    client = new WsApiClient({ url: `ws://127.0.0.1:${port}/api?token=${TOKEN}`, createSocket: (url) => new WebSocket(url) as never });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    client?.dispose();
    await server?.close();
    routes?.dispose();
    await service?.dispose();
    await engine?.dispose();
    await temp?.dispose();
  });

  it('takes a clip, runs a job on it and serves the output whole and by byte ranges, then removes the upload with the job', async () => {
    const answer = await upload(port, 'my clip ü.mp4', clipBytes);
    expect(answer.status, answer.body.toString()).toBe(201);
    const uploaded = JSON.parse(answer.body.toString()) as UploadAnswer;
    expect(uploaded.sizeBytes).toBe(clipBytes.length);
    expect(path.basename(uploaded.path)).toBe('my clip ü.mp4');
    expect(path.dirname(path.dirname(uploaded.path))).toBe(uploadRoot());
    expect((await readFile(uploaded.path)).equals(clipBytes)).toBe(true);

    const enqueued = await client.api.jobs.enqueue({ inputs: [uploaded.path], steps: [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }] });
    if (!enqueued.ok) throw new Error(enqueued.error.userMessage);
    const jobId = enqueued.value.id;
    let job: JobSnapshot | undefined;
    await expect.poll(async () => {
      const listed = await client.api.jobs.list();
      job = listed.ok ? listed.value.find((entry) => entry.id === jobId) : undefined;
      return job?.state;
    }, { timeout: 120_000, interval: 250 }).toBe('completed');
    const output = job?.items[0]?.output as string;
    expect(path.dirname(output)).toBe(path.dirname(uploaded.path));
    const outputBytes = await readFile(output);

    const whole = await send(port, jobFileUrl(jobId, 0, 'output', true), {});
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('video/mp4');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['content-disposition']).toBe(attachmentHeader(path.basename(output)));
    expect(whole.body.equals(outputBytes)).toBe(true);

    const part = await send(port, jobFileUrl(jobId, 0, 'output'), { headers: { range: 'bytes=10-99' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 10-99/${outputBytes.length}`);
    expect(part.headers['content-disposition']).toBeUndefined();
    expect(part.body.equals(outputBytes.subarray(10, 100))).toBe(true);
    const tail = await send(port, jobFileUrl(jobId, 0, 'output'), { headers: { range: 'bytes=-16' } });
    expect(tail.body.equals(outputBytes.subarray(outputBytes.length - 16))).toBe(true);
    expect((await send(port, jobFileUrl(jobId, 0, 'output'), { headers: { range: `bytes=${outputBytes.length}-` } })).status).toBe(416);
    const source = await send(port, jobFileUrl(jobId, 0, 'input'), {});
    expect(source.body.equals(clipBytes)).toBe(true);

    expect((await send(port, jobFileUrl(jobId, 1, 'output'), {})).status).toBe(404);
    expect((await send(port, jobFileUrl('no-such-job', 0, 'output'), {})).status).toBe(404);
    const noToken = await send(port, jobFileUrl(jobId, 0, 'output'), { headers: { cookie: 'framesmith_token=wrong' } });
    expect(noToken.status).toBe(401);

    const removed = await client.api.jobs.remove({ id: jobId });
    expect(removed.ok).toBe(true);
    await expect.poll(() => existsSync(path.dirname(uploaded.path)), { timeout: 10_000 }).toBe(false);
    expect((await send(port, jobFileUrl(jobId, 0, 'output'), {})).status).toBe(404);
  }, 180_000);

  it('refuses uploads without the page header, with a bad name, over the limit or cut short, and keeps nothing of them', async () => {
    const before = existsSync(uploadRoot()) ? await readdir(uploadRoot()) : [];
    const small = Buffer.from('not really a video');
    const noHeader = await upload(port, 'a.mp4', small, {});
    expect(noHeader.status).toBe(403);
    expect(JSON.parse(noHeader.body.toString())).toMatchObject({ code: 'UPLOAD_FORBIDDEN' });
    for (const name of ['../escape.mp4', 'sub/dir.mp4', '.hidden', '', 'x'.repeat(201)]) {
      const refused = await upload(port, name, small);
      expect(refused.status, name).toBe(400);
      expect(JSON.parse(refused.body.toString())).toMatchObject({ code: 'UPLOAD_BAD_NAME' });
    }
    const large = await upload(port, 'large.mp4', Buffer.alloc(1024 * 1024 + 1));
    expect(large.status).toBe(413);
    expect(JSON.parse(large.body.toString()).userMessage).toMatch(/large\.mp4 is 1\.0 MB; this server takes files of up to 1\.0 MB/);
    const wrongMethod = await send(port, UPLOAD_ROUTE, { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
    await send(port, `${UPLOAD_ROUTE}?name=cut.mp4`, { method: 'POST', headers: { [UPLOAD_HEADER]: '1', 'content-length': clipBytes.length }, body: clipBytes, cutAfter: 100 });
    await expect.poll(async () => (existsSync(uploadRoot()) ? await readdir(uploadRoot()) : []), { timeout: 10_000 }).toEqual(before);
  });

  it('keeps an upload no job has used yet (the page may still press Start)', async () => {
    const answer = await upload(port, 'waiting.png', Buffer.from('png bytes'));
    const uploaded = JSON.parse(answer.body.toString()) as UploadAnswer;
    await routes.sweep();
    expect((await stat(uploaded.path)).size).toBe(9);
  });
});
