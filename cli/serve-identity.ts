// What `framesmith serve` keeps between starts so that an open page comes
// back by itself after a restart: its access token and its port, in a small
// file in the data folder readable by its owner only (the token opens the
// whole API). A restart reuses both; a remembered port that another program
// has taken since is given up for a free one, and the caller says so (a page
// open at the old address cannot follow it). `--port N` always wins, and a
// new token can be asked for, which shuts out every page opened before.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import path from 'node:path';

export const SERVE_IDENTITY_FILE = 'serve.json';

/** Owner read and write only: the token in it opens the whole API. */
export const SERVE_IDENTITY_MODE = 0o600;

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;

export interface ServeIdentity {
  token: string;
  /** The port of the last start; null when none is remembered. */
  port: number | null;
}

export interface IdentityChoice {
  identity: ServeIdentity;
  /** Lines for the person starting serve (a rotated or unreadable identity). */
  notices: string[];
}

export function newServeToken(): string {
  return randomBytes(32).toString('base64url');
}

export function serveIdentityPath(dataDir: string): string {
  return path.join(dataDir, SERVE_IDENTITY_FILE);
}

/** The remembered identity, or null when there is none or it is not a valid one (with why). */
export async function readServeIdentity(dataDir: string): Promise<{ identity: ServeIdentity | null; problem: string | null }> {
  let text: string;
  try {
    text = await fs.readFile(serveIdentityPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { identity: null, problem: null };
    return { identity: null, problem: `could not read ${serveIdentityPath(dataDir)} (${(error as Error).message})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { identity: null, problem: `${serveIdentityPath(dataDir)} is not valid JSON` };
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const token = record.token;
  const port = record.port;
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) {
    return { identity: null, problem: `${serveIdentityPath(dataDir)} holds no valid token` };
  }
  const validPort = typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535 ? port : null;
  return { identity: { token, port: validPort }, problem: null };
}

/** The identity for this start: the remembered one, or a new token where asked for or where none is usable. */
export async function chooseServeIdentity(dataDir: string, options: { newToken: boolean }): Promise<IdentityChoice> {
  const { identity, problem } = await readServeIdentity(dataDir);
  const notices: string[] = [];
  if (problem) notices.push(`${problem}; starting with a new access token.`);
  if (options.newToken) {
    if (identity) notices.push('a new access token: pages opened with the old one must be opened again with the URL below.');
    return { identity: { token: newServeToken(), port: identity?.port ?? null }, notices };
  }
  return { identity: identity ?? { token: newServeToken(), port: null }, notices };
}

/**
 * Writes the identity beside the queue: to a temporary file created with
 * owner-only permissions, then renamed over the old one, so the file is never
 * half-written nor, even for a moment, readable by others.
 */
export async function saveServeIdentity(dataDir: string, identity: ServeIdentity): Promise<void> {
  await fs.mkdir(dataDir, { recursive: true });
  const target = serveIdentityPath(dataDir);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    await fs.writeFile(temporary, `${JSON.stringify({ token: identity.token, port: identity.port })}\n`, { mode: SERVE_IDENTITY_MODE, flag: 'w' });
    // writeFile's mode applies only to a new file and is filtered by the umask: set it outright.
    await fs.chmod(temporary, SERVE_IDENTITY_MODE);
    await fs.rename(temporary, target);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}

export interface Listener {
  listen(port: number): Promise<string>;
}

/**
 * Listens on `port`. A port the person named (`strict`) is used or fails; a
 * remembered one that is taken gives way to any free port, with a notice.
 */
export async function listenPreferring(server: Listener, port: number, strict: boolean, notice: (line: string) => void): Promise<string> {
  try {
    return await server.listen(port);
  } catch (error) {
    if (strict || port === 0 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    const url = await server.listen(0);
    notice(`port ${port}, used last time, is taken by another program; serving on a new port instead (pages open at the old address must be opened again at the URL below).`);
    return url;
  }
}
