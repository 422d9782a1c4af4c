// `framesmith serve` against hostile and careless clients, on the real CLI
// process: WebSocket upgrades whose Origin or request target is not a URL
// (no token needed to send them), frames over the size limit, binary and
// non-JSON frames, half-sent requests, 300 probes at once, and requests
// withdrawn or abandoned while their engine work runs. After each, the
// process must still be alive and still answer, and nothing it logged may be
// a bug.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { WsApiClient, apiUrlFromPage } from '../../../common/api/ws-client.ts';
import { cliEntry } from '../../helpers/cli-runner.ts';
import { makeClip, makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

const model = modelAsset('onnx/super-resolution/realesr-animevideov3-x4.onnx');

/** Writes raw bytes to the port and collects what comes back until the server closes (or `settleMs` of silence). */
function rawExchange(port: number, payload: string, settleMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let timer = setTimeout(() => socket.destroy(), settleMs);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(() => socket.destroy(), settleMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.write(payload);
  });
}

function upgradeRequest(target: string, port: number, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${target} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([key, value]) => `${key}: ${value}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

/** The close code a socket gets after sending `data` (or 'open' if it stays open). */
function closeCodeAfter(url: string, data: string | Buffer, binary = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('open', () => socket.send(data, { binary }));
    socket.on('close', (code) => resolve(code));
    socket.on('error', () => undefined);
    socket.on('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
  });
}

function httpStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

/** Child processes of `pid` named `name`, read from /proc. */
async function childrenNamed(pid: number, name: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat);
    if (match && match[1] === name && Number(match[2]) === pid) count += 1;
  }
  return count;
}

describe.skipIf(process.platform !== 'linux')('framesmith serve against hostile requests', () => {
  let temp: TempDir;
  let child: ChildProcess;
  let output = '';
  let pageUrl: URL;
  let port: number;
  let token: string;
  let client: WsApiClient;

  beforeAll(async () => {
    temp = await makeTempDir('framesmith-serve-hostile-');
    const ui = temp.file('ui');
    await mkdir(ui, { recursive: true });
    await writeFile(path.join(ui, 'index.html'), '<!doctype html><title>Framesmith</title>');
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
    port = Number(pageUrl.port);
    token = pageUrl.searchParams.get('token') ?? '';
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

  async function expectAliveAndAnswering(): Promise<void> {
    expect(child.exitCode, output).toBeNull();
    expect(child.signalCode, output).toBeNull();
    expect(await httpStatus(pageUrl.toString())).toBe(200);
    const host = await client.api.system.host();
    expect(host, output).toMatchObject({ ok: true, value: { kind: 'browser' } });
    expect(output).not.toMatch(/BUG/);
  }

  it('refuses upgrades whose Origin is not a URL, without the token and with it', async () => {
    for (const origin of ['null', 'garbage', 'http://[::1', 'http://', '\u00ff\u00fe', 'file:///etc/passwd']) {
      for (const target of ['/api', `/api?token=${token}`]) {
        const answer = await rawExchange(port, upgradeRequest(target, port, { Origin: origin }));
        expect(statusOf(answer), `${origin} ${target}`).toBe(401);
      }
    }
    await expectAliveAndAnswering();
  });

  it('refuses upgrades and requests whose target does not parse', async () => {
    for (const target of ['http://x:99999/api', '//[', 'http://[::1/api', '*', 'api', `http://a:b/api?token=${token}`]) {
      const upgrade = await rawExchange(port, upgradeRequest(target, port));
      expect([400, 401], `upgrade ${target}: ${upgrade}`).toContain(statusOf(upgrade));
      const plain = await rawExchange(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
      expect([400, 401], `GET ${target}: ${plain}`).toContain(statusOf(plain));
    }
    expect(statusOf(await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n'))).toBe(400);
    expect(statusOf(await rawExchange(port, `GET /%zz%00 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nCookie: framesmith_token=%zz\r\n\r\n`))).toBe(401);
    // Half a request, then the client vanishes.
    await rawExchange(port, `GET /api?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:`, 200);
    await expectAliveAndAnswering();
  });

  it('closes a socket that sends a frame over the 4 MiB limit with 1009, and bad frames with their codes', async () => {
    const url = apiUrlFromPage(pageUrl);
    expect(await closeCodeAfter(url, 'x'.repeat(5 * 1024 * 1024))).toBe(1009);
    expect(await closeCodeAfter(url, JSON.stringify({ type: 'request', id: 1, channel: 'presets:importJson', request: { text: 'y'.repeat(6 * 1024 * 1024) } }))).toBe(1009);
    expect(await closeCodeAfter(url, Buffer.from([1, 2, 3]), true)).toBe(1003);
    expect(await closeCodeAfter(url, '{not json')).toBe(1007);
    expect(await closeCodeAfter(url, JSON.stringify({ type: 'nonsense' }))).toBe(1008);
    await expectAliveAndAnswering();
  });

  it('answers a request that repeats an id still in flight, and a cancel for an unknown id, without closing', async () => {
    const socket = new WebSocket(apiUrlFromPage(pageUrl));
    await new Promise((resolve) => socket.once('open', resolve));
    const answers: unknown[] = [];
    socket.on('message', (data) => answers.push(JSON.parse(String(data))));
    socket.send(JSON.stringify({ type: 'cancel', id: 12345 }));
    socket.send(JSON.stringify({ type: 'request', id: 7, channel: 'system:host' }));
    socket.send(JSON.stringify({ type: 'request', id: 8, channel: 'no:such' }));
    await expect.poll(() => answers.length).toBe(2);
    expect(answers).toContainEqual({ type: 'response', id: 7, result: expect.objectContaining({ ok: true }) });
    expect(answers).toContainEqual({ type: 'response', id: 8, result: expect.objectContaining({ ok: false }) });
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
    await expectAliveAndAnswering();
  });

  it('runs 300 simultaneous probes through the bounded work queue: never more than two ffprobe processes', async () => {
    const clip = await makeClip(temp.path, { name: 'probe-me.mp4', frames: 4, width: 32, height: 32 });
    const pid = child.pid as number;
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await childrenNamed(pid, 'ffprobe'));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const answers = await Promise.all(Array.from({ length: 300 }, () => client.api.preview.probe({ path: clip })));
    sampling = false;
    await sampler;
    const codes = answers.map((answer) => (answer.ok ? 'ok' : answer.error.code));
    expect(codes.filter((code) => code !== 'ok' && code !== 'BUSY')).toEqual([]);
    expect(codes.filter((code) => code === 'ok').length).toBeGreaterThanOrEqual(250);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(2);
    await expectAliveAndAnswering();
  }, 600_000);

  it.skipIf(!model)('stops a preview clip\'s engine work when its request is withdrawn, and when its page closes', async () => {
    const source = await makeClip(temp.path, { name: 'long.mp4', frames: 250, width: 160, height: 96 });
    const pid = child.pid as number;
    const clipDir = path.join(temp.file('cache'), 'preview-clips');
    const workFolders = async () => (existsSync(clipDir) ? (await readdir(clipDir)).filter((name) => name.startsWith('.work-')) : []);
    const request = (clipId: string) => ({ clipId, input: source, steps: [{ kind: 'upscale' as const, model: 'realesr-animevideov3-x4' }], seconds: 10 });

    // Withdrawn: the request's signal fires while the chain runs.
    const controller = new AbortController();
    const rendering = client.api.preview.renderClip(request('clip-withdrawn-01'), { signal: controller.signal });
    await expect.poll(async () => (await workFolders()).length, { timeout: 60_000 }).toBeGreaterThan(0);
    await expect.poll(() => childrenNamed(pid, 'ffmpeg'), { timeout: 60_000 }).toBeGreaterThan(0);
    controller.abort();
    expect(await rendering).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    await expect.poll(() => childrenNamed(pid, 'ffmpeg'), { timeout: 30_000 }).toBe(0);
    await expect.poll(async () => (await workFolders()).length, { timeout: 30_000 }).toBe(0);
    // The id was never finished, so a fresh render under it is allowed (the engine forgot it).
    expect(await client.api.preview.cancelClip({ clipId: 'clip-withdrawn-01' })).toEqual({ ok: true, value: null });

    // Abandoned: the page's socket closes while its clip renders.
    const page = new WsApiClient({ url: apiUrlFromPage(pageUrl), createSocket: (socketUrl) => new WebSocket(socketUrl) });
    await page.connect();
    const abandoned = page.api.preview.renderClip(request('clip-abandoned-01'));
    await expect.poll(async () => (await workFolders()).length, { timeout: 60_000 }).toBeGreaterThan(0);
    page.dispose();
    expect(await abandoned).toMatchObject({ ok: false, error: { code: 'CONNECTION_LOST' } });
    await expect.poll(() => childrenNamed(pid, 'ffmpeg'), { timeout: 30_000 }).toBe(0);
    await expect.poll(async () => (await workFolders()).length, { timeout: 30_000 }).toBe(0);
    await expectAliveAndAnswering();
  });
});
