// The HTTP + WebSocket server behind `framesmith serve`: the built renderer
// as static files and the typed API over one WebSocket, on loopback, behind
// a random token. The token arrives in the first page's URL (?token=...);
// the server then sets it as an HttpOnly SameSite=Strict cookie so the
// page's scripts and styles load without it in their URLs. Without the token
// (query or cookie) nothing is served: HTTP 401, WebSocket upgrade refused.
// Requests are validated by the same ApiDispatcher as in the Electron app;
// one socket's frames are served by api-socket.ts.
//
// Nothing a client sends can end the process: every check before the token
// is written not to throw (a request target or Origin that is not a URL is
// refused, not parsed blindly), every socket and request has an error
// listener, and an exception from our own code is logged as a bug and
// answered with 500. After the token check, a host's extra routes (uploads
// and downloads) are asked first, then the preview clips, then the UI.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { PREVIEW_CLIP_ROUTE } from '../common/api/contract.ts';
import { contentSecurityPolicy } from '../common/api/static-path.ts';
import { resolveUiRequest, uiFilesOver } from '../common/api/ui-host.ts';
import { MAX_CLIENT_FRAME_BYTES, WS_PATH } from '../common/api/ws-protocol.ts';
import type { ApiDispatcher } from '../engine/index.ts';
import { serveApiSocket, type ApiEventSource } from './api-socket.ts';
import { streamLog, type ServerLog } from './server-log.ts';
import { sendRangedFile } from './ranged-file.ts';

export type { ApiEventSource } from './api-socket.ts';

const TOKEN_COOKIE = 'framesmith_token';

/** A route the server answers itself behind the token (the preview clips). */
interface HttpRoute {
  /** URL path prefix it answers, e.g. "/preview-clips/". */
  prefix: string;
  /** Answers the request; `headers` are the security headers every answer carries. */
  handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL, headers: http.OutgoingHttpHeaders): Promise<void>;
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
  /** Where trouble is reported; default stderr. */
  log?: ServerLog;
}

const CLIP_PATH = new RegExp(`^${PREVIEW_CLIP_ROUTE}([A-Za-z0-9_-]{8,64})\\.webm$`);

/** A request target as a URL, or undefined when it does not parse (never throws). */
export function parseRequestTarget(target: string | undefined): URL | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined;
  try {
    return new URL(target, 'http://localhost');
  } catch {
    return undefined;
  }
}

/** The host of an Origin header; undefined for `null`, garbage or anything but http(s) (never throws). */
export function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : undefined;
  } catch {
    return undefined;
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function refuseUpgrade(socket: Duplex, status: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function plain(response: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders, text: string): void {
  response.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
  response.end(text.endsWith('\n') ? text : `${text}\n`);
}

export class WebServer {
  readonly token: string;
  private readonly server: http.Server;
  private readonly sockets: WebSocketServer;
  private readonly root: string;
  private readonly log: ServerLog;
  private readonly clips: HttpRoute;

  constructor(private readonly options: WebServerOptions) {
    this.token = options.token ?? randomBytes(32).toString('base64url');
    this.root = path.resolve(options.uiDir);
    this.log = options.log ?? streamLog();
    this.clips = this.clipRoute();
    this.server = http.createServer((request, response) => this.onRequest(request, response));
    this.server.on('clientError', (error, socket) => {
      this.log.connection('refused a malformed HTTP request', error);
      refuseUpgrade(socket, '400 Bad Request');
    });
    this.sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });
    this.sockets.on('error', (error) => this.log.bug('running the WebSocket server', error));
    this.sockets.on('wsClientError', (error, socket) => {
      this.log.connection('refused a WebSocket handshake', error);
      refuseUpgrade(socket, '400 Bad Request');
    });
    this.server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', (error) => this.log.connection('dropped a connection while upgrading', error));
      try {
        this.onUpgrade(request, socket, head);
      } catch (error) {
        this.log.bug('upgrading a connection', error);
        refuseUpgrade(socket, '500 Internal Server Error');
      }
    });
  }

  /**
   * Starts listening (on `port`, by default the one in the options); resolves
   * with the URL that opens the UI (token included). After a failure (a port
   * in use) it may be called again with another port.
   */
  async listen(port: number = this.options.port ?? 0): Promise<string> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.server.on('error', (error) => this.log.bug('listening', error));
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

  private onUpgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = parseRequestTarget(request.url);
    const origin = request.headers.origin;
    // A browser always sends Origin; a page of another site (or a sandboxed frame's "null") is refused.
    const sameOrigin = origin === undefined || this.allowedHost(originHost(origin));
    if (!url || url.pathname !== WS_PATH || !sameOrigin || !this.allowedHost(request.headers.host) || !this.authorised(url, request)) {
      refuseUpgrade(socket, '401 Unauthorized');
      return;
    }
    this.sockets.handleUpgrade(request, socket, head, (ws) => {
      try {
        serveApiSocket(ws, { dispatcher: this.options.dispatcher, events: this.options.events, log: this.log });
      } catch (error) {
        this.log.bug('opening an API socket', error);
        ws.terminate();
      }
    });
  }

  private onRequest(request: http.IncomingMessage, response: http.ServerResponse): void {
    request.on('error', (error) => this.log.connection('dropped a request', error));
    response.on('error', (error) => this.log.connection('dropped a response', error));
    this.serveHttp(request, response).catch((error: unknown) => {
      this.log.bug(`answering ${request.method ?? '?'} ${request.url ?? '?'}`, error);
      if (!response.headersSent) plain(response, 500, {}, 'Internal error; the server logged it.');
      else response.destroy();
    });
  }

  private async serveHttp(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const headers: http.OutgoingHttpHeaders = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    };
    const url = parseRequestTarget(request.url);
    if (!url) {
      plain(response, 400, headers, 'Bad request target.');
      return;
    }
    if (!this.allowedHost(request.headers.host) || !this.authorised(url, request)) {
      plain(response, 401, headers, 'Framesmith: open the URL that "framesmith serve" printed; it carries the access token (?token=...).');
      return;
    }
    if (this.tokenMatches(url.searchParams.get('token'))) {
      headers['set-cookie'] = `${TOKEN_COOKIE}=${encodeURIComponent(this.token)}; HttpOnly; SameSite=Strict; Path=/`;
    }
    if (await this.options.routes?.handle(url, request, response, headers)) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, allow: 'GET, HEAD' });
      response.end();
      return;
    }
    if (url.pathname.startsWith(this.clips.prefix)) await this.clips.handle(request, response, url, headers);
    else await this.serveUi(url, request, response, headers);
  }

  private async serveUi(url: URL, request: http.IncomingMessage, response: http.ServerResponse, headers: http.OutgoingHttpHeaders): Promise<void> {
    const answer = await resolveUiRequest(this.root, url.pathname, uiFilesOver(fs, path));
    if (answer.kind !== 'file') {
      plain(response, answer.status, headers, answer.message);
      return;
    }
    if (answer.isPage) headers['content-security-policy'] = contentSecurityPolicy([`ws://${request.headers.host ?? ''}`]);
    response.writeHead(200, { ...headers, 'content-type': answer.contentType, 'content-length': answer.size });
    if (request.method === 'HEAD') response.end();
    else await this.sendFile(answer.file, response);
  }

  /** Streams a file (or part of it); a file that vanished or a client that left ends the response, not the process. */
  private async sendFile(file: string, response: http.ServerResponse): Promise<void> {
    try {
      await pipeline(createReadStream(file), response);
    } catch (error) {
      this.log.connection(`stopped sending ${path.basename(file)}`, error);
      response.destroy();
    }
  }

  private clipRoute(): HttpRoute {
    return {
      prefix: PREVIEW_CLIP_ROUTE,
      handle: async (request, response, url, headers) => {
        const id = CLIP_PATH.exec(url.pathname)?.[1];
        const file = id === undefined ? undefined : this.options.clipFile?.(id);
        const info = file === undefined ? undefined : await fs.stat(file).catch(() => undefined);
        if (file === undefined || !info?.isFile()) {
          plain(response, 404, headers, 'No such preview clip (it may have been replaced by a newer one).');
          return;
        }
        await sendRangedFile(request, response, file, info.size, { ...headers, 'content-type': 'video/webm' }, (error) => this.log.connection(`stopped sending ${path.basename(file)}`, error));
      },
    };
  }

  /** Closes every socket and stops listening. */
  async close(): Promise<void> {
    for (const client of this.sockets.clients) client.terminate();
    this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
