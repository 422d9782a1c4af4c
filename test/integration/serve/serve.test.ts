// `framesmith serve` end to end, as a browser would use it: the real CLI
// process, real HTTP requests and a real WebSocket (the ws package behind the
// browser client of common/api/ws-client.ts), the real engine, ffmpeg and a
// real model. The UI folder is a stand-in written here, so the test does not
// depend on the renderer build.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
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
});
