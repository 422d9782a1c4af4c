// The HTTP + WebSocket server behind `framesmith serve`: the built renderer
// as static files and the typed API over one WebSocket, on loopback, behind
// a random token. The token arrives in the first page's URL (?token=...);
// the server then sets it as an HttpOnly SameSite=Strict cookie so the
// page's scripts and styles load without it in their URLs. Without the token
// (query or cookie) nothing is served: HTTP 401, WebSocket upgrade refused.
// Requests are validated by the same ApiDispatcher as in the Electron app.
// Finished preview clips are served under PREVIEW_CLIP_ROUTE, behind the same
// token, with byte ranges (a <video> element seeks with them).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Unsubscribe } from '../common/api/api-types.ts';
import { EVENT_CHANNELS, PREVIEW_CLIP_ROUTE, type ApiEventGroup, type EventChannel } from '../common/api/contract.ts';
import { contentSecurityPolicy, mimeTypeOf, safeRelativeSegments } from '../common/api/static-path.ts';
import { clientFrameSchema, WS_PATH, type ServerFrame } from '../common/api/ws-protocol.ts';
import { describeIssues } from '../common/zod-issues.ts';
import { InvalidArgumentError, serializeError } from '../common/errors.ts';
import type { ApiDispatcher } from '../engine/index.ts';

const TOKEN_COOKIE = 'framesmith_token';
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export interface ApiEventSource {
  subscribe<G extends ApiEventGroup>(group: G, listener: (event: unknown) => void): Unsubscribe;
}

/** Extra HTTP routes (uploads, job files), asked first for every authorised request; true: answered. */
export interface HttpRoutes {
  handle(url: URL, request: http.IncomingMessage, response: http.ServerResponse, headers: http.OutgoingHttpHeaders): Promise<boolean>;
}

export interface WebServerOptions {
  /** Folder of the built renderer (index.html and assets). */
  uiDir: string;
  dispatcher: ApiDispatcher;
  events: ApiEventSource;
  host?: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Fixed token (tests); default 32 random bytes. */
  token?: string;
  /** The file of a finished preview clip (AppService.clipFile); none: the clip route answers 404. */
  clipFile?: (clipId: string) => string | undefined;
  routes?: HttpRoutes;
}

const CLIP_PATH = new RegExp(`^${PREVIEW_CLIP_ROUTE}([A-Za-z0-9_-]{8,64})\\.webm$`);

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

function groupOfChannel(channel: EventChannel): ApiEventGroup {
  return (Object.keys(EVENT_CHANNELS) as ApiEventGroup[]).find((group) => EVENT_CHANNELS[group] === channel) as ApiEventGroup;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** The file under `root` that a URL path names, or undefined when the path would leave the root. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  const segments = safeRelativeSegments(urlPath);
  return segments === undefined ? undefined : path.join(root, ...segments);
}

export class WebServer {
  readonly token: string;
  private readonly server: http.Server;
  private readonly sockets: WebSocketServer;
  private readonly root: string;

  constructor(private readonly options: WebServerOptions) {
    this.token = options.token ?? randomBytes(32).toString('base64url');
    this.root = path.resolve(options.uiDir);
    this.server = http.createServer((request, response) => {
      void this.serveHttp(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(`Internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      });
    });
    this.sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
    this.server.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const origin = request.headers.origin;
      const sameOrigin = origin === undefined || this.allowedHost(new URL(origin).host);
      if (url.pathname !== WS_PATH || !this.authorised(url, request) || !sameOrigin || !this.allowedHost(request.headers.host)) {
        socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        socket.destroy();
        return;
      }
      this.sockets.handleUpgrade(request, socket, head, (ws) => this.serveSocket(ws));
    });
  }

  /** Starts listening; resolves with the URL that opens the UI (token included). */
  async listen(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.url;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    const host = this.options.host ?? '127.0.0.1';
    const shown = host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${this.port}/?token=${this.token}`;
  }

  private allowedHost(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return false;
    const bound = this.options.host ?? '127.0.0.1';
    const names = new Set([bound, bound.includes(':') ? `[${bound}]` : bound, '127.0.0.1', 'localhost', '[::1]']);
    const port = String(this.port);
    return [...names].some((name) => hostHeader === `${name}:${port}`);
  }

  private tokenMatches(candidate: string | null | undefined): boolean {
    if (!candidate) return false;
    const expected = Buffer.from(this.token);
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private authorised(url: URL, request: http.IncomingMessage): boolean {
    return this.tokenMatches(url.searchParams.get('token')) || this.tokenMatches(cookieValue(request.headers.cookie, TOKEN_COOKIE));
  }

  private async serveHttp(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const headers: http.OutgoingHttpHeaders = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    };
    if (!this.allowedHost(request.headers.host) || !this.authorised(url, request)) {
      response.writeHead(401, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      response.end('Framesmith: open the URL that "framesmith serve" printed; it carries the access token (?token=...).\n');
      return;
    }
    if (await this.options.routes?.handle(url, request, response, headers)) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, allow: 'GET, HEAD' });
      response.end();
      return;
    }
    if (this.tokenMatches(url.searchParams.get('token'))) {
      headers['set-cookie'] = `${TOKEN_COOKIE}=${encodeURIComponent(this.token)}; HttpOnly; SameSite=Strict; Path=/`;
    }
    if (url.pathname.startsWith(PREVIEW_CLIP_ROUTE)) {
      await this.serveClip(url.pathname, request, response, headers);
      return;
    }
    const target = resolveStaticPath(this.root, url.pathname);
    if (!target) {
      response.writeHead(403, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      response.end('Forbidden path.\n');
      return;
    }
    let file = target;
    let info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) {
      file = path.join(file, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info && path.extname(url.pathname) === '') {
      // A client-side route: the app's page handles it.
      file = path.join(this.root, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info?.isFile()) {
      const missingUi = path.basename(file) === 'index.html';
      response.writeHead(missingUi ? 503 : 404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      response.end(missingUi ? `The UI is not built (no ${file}). Run "npm run build:renderer" first.\n` : 'Not found.\n');
      return;
    }
    // A symlink inside the UI folder must not lead out of it.
    const real = await realpath(file);
    const realRoot = await realpath(this.root);
    const relative = path.relative(realRoot, real);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      response.writeHead(403, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      response.end('Forbidden path.\n');
      return;
    }
    const type = mimeTypeOf(file);
    if (type.startsWith('text/html')) {
      const wsOrigin = `ws://${request.headers.host ?? ''}`;
      headers['content-security-policy'] = contentSecurityPolicy([wsOrigin]);
    }
    response.writeHead(200, { ...headers, 'content-type': type, 'content-length': info.size });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file).pipe(response);
  }

  private async serveClip(urlPath: string, request: http.IncomingMessage, response: http.ServerResponse, headers: http.OutgoingHttpHeaders): Promise<void> {
    const id = CLIP_PATH.exec(urlPath)?.[1];
    const file = id === undefined ? undefined : this.options.clipFile?.(id);
    const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
    if (file === undefined || !info?.isFile()) {
      response.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      response.end('No such preview clip (it may have been replaced by a newer one).\n');
      return;
    }
    const range = parseByteRange(request.headers.range, info.size);
    const common = { ...headers, 'content-type': 'video/webm', 'accept-ranges': 'bytes' };
    if (range === null) {
      response.writeHead(416, { ...common, 'content-range': `bytes */${info.size}` });
      response.end();
      return;
    }
    const { start, end } = range ?? { start: 0, end: info.size - 1 };
    response.writeHead(range ? 206 : 200, {
      ...common,
      'content-length': end - start + 1,
      ...(range ? { 'content-range': `bytes ${start}-${end}/${info.size}` } : {}),
    });
    if (request.method === 'HEAD' || info.size === 0) {
      response.end();
      return;
    }
    createReadStream(file, { start, end }).pipe(response);
  }

  private serveSocket(ws: WebSocket): void {
    const controller = new AbortController();
    const subscriptions = new Map<EventChannel, Unsubscribe>();
    const send = (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        ws.close(1003, 'text frames only');
        return;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(String(data));
      } catch {
        ws.close(1007, 'frames are JSON');
        return;
      }
      const parsed = clientFrameSchema.safeParse(raw);
      if (!parsed.success) {
        const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'number' ? (raw as { id: number }).id : undefined;
        if (id === undefined) {
          ws.close(1008, 'malformed frame');
          return;
        }
        send({ type: 'response', id, result: { ok: false, error: serializeError(new InvalidArgumentError(`Malformed request frame: ${describeIssues(parsed.error)}.`)) } });
        return;
      }
      const frame = parsed.data;
      if (frame.type === 'request') {
        void this.options.dispatcher
          .dispatch(frame.channel, frame.request, { signal: controller.signal })
          .then((result) => send({ type: 'response', id: frame.id, result }));
      } else if (frame.type === 'subscribe') {
        if (!subscriptions.has(frame.channel)) {
          const channel = frame.channel;
          subscriptions.set(channel, this.options.events.subscribe(groupOfChannel(channel), (event) => send({ type: 'event', channel, event })));
        }
      } else {
        subscriptions.get(frame.channel)?.();
        subscriptions.delete(frame.channel);
      }
    });
    ws.on('close', () => {
      controller.abort();
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
    });
  }

  /** Closes every socket and stops listening. */
  async close(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
