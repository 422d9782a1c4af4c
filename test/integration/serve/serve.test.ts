// `framesmith serve` end to end, as a browser would use it: the real CLI
// process, real HTTP requests and a real WebSocket (the ws package behind the
// browser client of common/api/ws-client.ts), the real engine, ffmpeg and a
// real model. The UI folder is a stand-in written here, so the test does not
// depend on the renderer build.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { JobEvent } from '../../../common/jobs.ts';
import { WsApiClient, apiUrlFromPage } from '../../../common/api/ws-client.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';
import { cliEntry } from '../../helpers/cli-runner.ts';

interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function getBytes(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

function get(url: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** Sends a raw request line, so paths like /../x reach the server unnormalised. */
function rawGet(port: number, target: string, cookie: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: target, headers: { cookie } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(`${response.statusCode} ${Buffer.concat(chunks).toString('utf8')}`));
    });
    request.on('error', reject);
    request.end();
  });
}

function wsOutcome(url: string): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.on('error', () => resolve(0));
  });
}

const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');
const fastModel = modelAsset('onnx/super-resolution/realesr-animevideo-xs-x2.fp16.onnx');

describe('framesmith serve', () => {
  let temp: TempDir;
  let child: ChildProcess;
  let pageUrl: URL;
  let cookie = '';
  let client: WsApiClient;
  let output = '';

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-serve-');
    const ui = temp.file('ui');
    await mkdir(path.join(ui, 'assets'), { recursive: true });
    await writeFile(path.join(ui, 'index.html'), '<!doctype html><title>Framesmith</title><script type="module" src="/assets/app.js"></script>');
    await writeFile(path.join(ui, 'assets', 'app.js'), 'export const ui = 1;\n');
    await writeFile(path.join(ui, 'assets', 'style.css'), 'body { margin: 0 }\n');
    await writeFile(temp.file('secret.txt'), 'TOP-SECRET');
    child = spawn(process.execPath, [cliEntry, 'serve', '--ui-dir', ui], {
      env: { ...process.env, FRAMESMITH_DATA: temp.file('data'), FRAMESMITH_CACHE: temp.file('cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/.exec(output);
        if (match) resolve(match[0]);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
    });
    pageUrl = new URL(url);
    client = new WsApiClient({ url: apiUrlFromPage(pageUrl), createSocket: (socketUrl) => new WebSocket(socketUrl) });
    await client.connect();
  });

  afterAll(async () => {
    client?.dispose();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await temp?.dispose();
  });

  it('prints a loopback URL with a long random token', () => {
    expect(pageUrl.hostname).toBe('127.0.0.1');
    expect(Number(pageUrl.port)).toBeGreaterThan(0);
    expect(pageUrl.searchParams.get('token')?.length).toBeGreaterThanOrEqual(40);
  });

  it('serves nothing over HTTP without the token', async () => {
    const base = `http://127.0.0.1:${pageUrl.port}`;
    for (const target of ['/', '/index.html', '/assets/app.js', '/?token=wrong']) {
      const answer = await get(`${base}${target}`);
      expect(answer.status, target).toBe(401);
      expect(answer.body).not.toContain('Framesmith</title>');
    }
  });

  it('serves the UI with the token, with MIME types, a CSP and a cookie for the assets', async () => {
    const page = await get(pageUrl.toString());
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<title>Framesmith</title>');
    const setCookie = page.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    cookie = setCookie.split(';')[0] as string;
    const base = `http://127.0.0.1:${pageUrl.port}`;
    const script = await get(`${base}/assets/app.js`, { cookie });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain('export const ui');
    const style = await get(`${base}/assets/style.css`, { cookie });
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    const route = await get(`${base}/queue`, { cookie });
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>Framesmith</title>');
    expect((await get(`${base}/assets/missing.js`, { cookie })).status).toBe(404);
  });

  it('blocks path traversal out of the UI folder', async () => {
    const port = Number(pageUrl.port);
    for (const target of ['/../secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%5c..%5csecret.txt', '/%00index.html']) {
      const answer = await rawGet(port, target, cookie);
      expect(answer, target).not.toContain('TOP-SECRET');
      expect(answer.slice(0, 3), target).toMatch(/^(403|404)$/);
    }
  });

  it('refuses a WebSocket without the right token', async () => {
    const base = `ws://127.0.0.1:${pageUrl.port}/api`;
    expect(await wsOutcome(base)).toBe(401);
    expect(await wsOutcome(`${base}?token=wrong`)).toBe(401);
    expect(await wsOutcome(`${base}?token=${pageUrl.searchParams.get('token')}`)).toBe('open');
  });

  it('answers the doctor and the presets list in the Result envelope', async () => {
    const doctor = await client.api.system.doctor();
    expect(doctor.ok).toBe(true);
    if (!doctor.ok) return;
    expect(doctor.value.ffmpeg.found?.path).toBeTruthy();
    expect(doctor.value.providers.find((entry) => entry.provider === 'cpu')?.available).toBe(true);
    const presets = await client.api.presets.list();
    expect(presets.ok).toBe(true);
    if (presets.ok) expect(presets.value.presets.some((entry) => entry.builtIn)).toBe(true);
    const host = await client.api.system.host();
    expect(host.ok && host.value.kind).toBe('browser');
  });

  it('refuses bad requests with a typed error naming the field', async () => {
    const reorder = await client.api.jobs.reorder({ id: 'x', toIndex: -1 });
    expect(reorder).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    if (!reorder.ok) expect(reorder.error.userMessage).toContain('toIndex');
    const enqueue = await client.api.jobs.enqueue({ inputs: [] } as never);
    expect(enqueue).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const dialog = await client.api.dialogs.openFiles({});
    expect(dialog).toMatchObject({ ok: false, error: { code: 'NOT_SUPPORTED' } });
  });

  it.skipIf(!model)('runs a job on a tiny clip with progress events to completion', async () => {
    const clip = await makeClip(temp.path, { frames: 6, width: 64, height: 48 });
    const events: JobEvent[] = [];
    const unsubscribe = client.api.jobs.onEvent((event) => events.push(event));
    const done = new Promise<JobEvent>((resolve) => {
      const stop = client.api.jobs.onEvent((event) => {
        if (event.type === 'state' && ['completed', 'failed', 'cancelled'].includes(event.job.state)) {
          stop();
          resolve(event);
        }
      });
    });
    const enqueued = await client.api.jobs.enqueue({
      inputs: [clip],
      steps: [{ kind: 'upscale', model: 'realesr-animevideov3-x4' }],
      outputFolder: temp.file('out'),
    });
    expect(enqueued.ok, JSON.stringify(enqueued)).toBe(true);
    const final = await done;
    unsubscribe();
    expect(final.type === 'state' && final.job.state, JSON.stringify(final)).toBe('completed');
    const progress = events.filter((event) => event.type === 'progress').map((event) => (event.type === 'progress' ? event.progress.fraction : 0));
    expect(progress.length).toBeGreaterThan(0);
    expect(Math.max(...progress)).toBeGreaterThan(Math.min(...progress));
    const outputPath = final.type === 'state' ? final.job.items[0]?.output : undefined;
    expect(outputPath && existsSync(outputPath)).toBe(true);
    const probe = await client.api.preview.probe({ path: outputPath as string });
    expect(probe).toMatchObject({ ok: true, value: { width: 256, height: 192, frameCount: 6 } });
    const listed = await client.api.jobs.list();
    expect(listed.ok && listed.value.map((job) => job.state)).toContain('completed');
  });

  it.skipIf(!fastModel)('renders a preview clip of a stretch of video with its audio and serves it behind the token', async () => {
    const source = await makeClip(temp.path, { name: 'clip-source.mp4', frames: 50, width: 64, height: 48, audio: true });
    const answer = await client.api.preview.renderClip({
      clipId: 'clip-test-0001',
      input: source,
      steps: [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }],
      startFrame: 20,
      seconds: 0.4,
    });
    expect(answer.ok, JSON.stringify(answer)).toBe(true);
    if (!answer.ok) return;
    const clip = answer.value;
    expect(clip).toMatchObject({ clipId: 'clip-test-0001', width: 128, height: 96, startFrame: 20, frames: 10, mimeType: 'video/webm', url: '/preview-clips/clip-test-0001.webm' });
    expect(clip.path.startsWith(temp.file('cache'))).toBe(true);
    const probe = await client.api.preview.probe({ path: clip.path });
    expect(probe).toMatchObject({ ok: true, value: { kind: 'video', width: 128, height: 96, frameCount: 10, hasAudio: true } });

    const base = `http://127.0.0.1:${pageUrl.port}`;
    expect((await getBytes(`${base}${clip.url}`)).status).toBe(401);
    const whole = await getBytes(`${base}${clip.url}`, { cookie });
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('video/webm');
    expect(whole.body.length).toBe(clip.sizeBytes);
    expect(whole.body.subarray(0, 4).toString('hex')).toBe('1a45dfa3');
    const part = await getBytes(`${base}${clip.url}`, { cookie, range: 'bytes=4-11' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 4-11/${clip.sizeBytes}`);
    expect(part.body.equals(whole.body.subarray(4, 12))).toBe(true);
    expect((await getBytes(`${base}${clip.url}`, { cookie, range: `bytes=${clip.sizeBytes}-` })).status).toBe(416);
    expect((await getBytes(`${base}/preview-clips/not-a-clip-0000.webm`, { cookie })).status).toBe(404);
    expect((await getBytes(`${base}/preview-clips/..%2fsecret.txt`, { cookie })).body.toString()).not.toContain('TOP-SECRET');

    const reused = await client.api.preview.renderClip({ clipId: 'clip-test-0001', input: source, steps: [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }] });
    expect(reused).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const image = await client.api.preview.renderClip({ clipId: 'clip-test-0002', input: source, steps: [{ kind: 'upscale', model: 'realesr-animevideo-xs-x2' }], startFrame: 50 });
    expect(image).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
  });

  it.skipIf(!model)('cancels a preview clip while it renders and leaves no file behind', async () => {
    const source = await makeClip(temp.path, { name: 'clip-long.mp4', frames: 250, width: 160, height: 96 });
    const rendering = client.api.preview.renderClip({
      clipId: 'clip-cancel-0001',
      input: source,
      steps: [{ kind: 'upscale', model: 'realesr-animevideov3-x4' }],
      seconds: 10,
    });
    const clipDir = path.join(temp.file('cache'), 'preview-clips');
    await expect.poll(async () => (existsSync(clipDir) ? (await readdir(clipDir)).length : 0), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await client.api.preview.cancelClip({ clipId: 'clip-cancel-0001' })).toEqual({ ok: true, value: null });
    const answer = await rendering;
    expect(answer).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect((await readdir(clipDir)).filter((name) => name.includes('clip-cancel') || name.startsWith('.work-'))).toEqual([]);
    expect(await client.api.preview.cancelClip({ clipId: 'clip-cancel-0001' })).toEqual({ ok: true, value: null });
  });

  it('gives each job a thumbnail of its first input that outlasts the page', async () => {
    const listed = await client.api.jobs.list();
    expect(listed.ok).toBe(true);
    const job = listed.ok ? listed.value[0] : undefined;
    if (!job) return;
    const thumbnail = await client.api.jobs.thumbnail({ id: job.id });
    expect(thumbnail.ok, JSON.stringify(thumbnail)).toBe(true);
    if (!thumbnail.ok || !thumbnail.value) throw new Error('no thumbnail');
    expect(thumbnail.value.width).toBe(64);
    expect(thumbnail.value.height).toBe(48);
    expect(Buffer.from(thumbnail.value.pngBase64, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(path.join(temp.file('data'), 'job-thumbnails', `${job.id}.png`))).toBe(true);
    expect(await client.api.jobs.thumbnail({ id: 'no-such-job' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(await client.api.jobs.remove({ id: job.id })).toEqual({ ok: true, value: null });
    await expect.poll(() => existsSync(path.join(temp.file('data'), 'job-thumbnails', `${job.id}.png`))).toBe(false);
  });

  it.skipIf(!model)('keeps new jobs\' work in the working folder of the settings', async () => {
    expect(await client.api.settings.set({ workingFolder: 'relative/work' })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    const workingFolder = temp.file('my-work');
    expect(await client.api.settings.set({ workingFolder })).toMatchObject({ ok: true, value: { workingFolder } });
    const source = await makeClip(temp.path, { name: 'work-source.mp4', frames: 250, width: 160, height: 96 });
    const enqueued = await client.api.jobs.enqueue({ inputs: [source], steps: [{ kind: 'upscale', model: 'realesr-animevideov3-x4' }], outputFolder: temp.file('out-work') });
    expect(enqueued.ok, JSON.stringify(enqueued)).toBe(true);
    if (!enqueued.ok) return;
    const id = enqueued.value.id;
    const itemWork = path.join(workingFolder, id, 'item-0');
    await expect.poll(() => existsSync(itemWork), { timeout: 60_000, interval: 100 }).toBe(true);
    expect(existsSync(path.join(temp.file('data'), 'work', id))).toBe(false);
    expect(await client.api.jobs.cancel({ id })).toMatchObject({ ok: true });
    await expect.poll(async () => {
      const job = await client.api.jobs.list();
      return job.ok ? job.value.find((entry) => entry.id === id)?.state : undefined;
    }, { timeout: 30_000 }).toBe('cancelled');
    expect(existsSync(path.join(workingFolder, id))).toBe(false);
    expect(await client.api.settings.set({ workingFolder: null })).toMatchObject({ ok: true, value: { workingFolder: null } });
  });
});
