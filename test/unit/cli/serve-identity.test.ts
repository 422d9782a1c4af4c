// `framesmith serve` remembers its token and port in the data folder, in a
// file only its owner can read; a restart reuses both; a remembered port that
// another program took gives way to a free one (with a notice), a port the
// person named does not; a new token can be asked for; a damaged file is
// replaced, never trusted.
import * as fs from 'node:fs/promises';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseServeIdentity, listenPreferring, readServeIdentity, saveServeIdentity, serveIdentityPath, SERVE_IDENTITY_MODE } from '../../../cli/serve-identity.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

function occupy(port = 0): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A listener over a real socket, as WebServer.listen is. */
function realListener(): net.Server & { listenOn(port: number): Promise<string> } {
  const server = net.createServer() as net.Server & { listenOn(port: number): Promise<string> };
  server.listenOn = (port) => new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    });
  });
  return server;
}

describe('serve identity', () => {
  let temp: TempDir;
  beforeEach(async () => { temp = await makeTempDir('framesmith-serve-identity-'); });
  afterEach(async () => { await temp.dispose(); });

  it('makes a token on the first start and keeps token and port, owner-only, for the next', async () => {
    const dataDir = temp.file('data');
    const first = await chooseServeIdentity(dataDir, { newToken: false });
    expect(first.notices).toEqual([]);
    expect(first.identity.port).toBeNull();
    expect(first.identity.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await saveServeIdentity(dataDir, { token: first.identity.token, port: 41234 });
    const stat = await fs.stat(serveIdentityPath(dataDir));
    if (process.platform !== 'win32') expect(stat.mode & 0o777).toBe(SERVE_IDENTITY_MODE);
    const second = await chooseServeIdentity(dataDir, { newToken: false });
    expect(second.identity).toEqual({ token: first.identity.token, port: 41234 });
    expect((await fs.readdir(dataDir)).sort()).toEqual(['serve.json']);
  });

  it('tightens a file others could read when it is written again', async () => {
    if (process.platform === 'win32') return;
    const dataDir = temp.file('data');
    await saveServeIdentity(dataDir, { token: 'a'.repeat(43), port: 41000 });
    await fs.chmod(serveIdentityPath(dataDir), 0o644);
    await saveServeIdentity(dataDir, { token: 'a'.repeat(43), port: 41001 });
    expect((await fs.stat(serveIdentityPath(dataDir))).mode & 0o777).toBe(0o600);
  });

  it('rotates the token on request and keeps the port', async () => {
    const dataDir = temp.file('data');
    await saveServeIdentity(dataDir, { token: 'b'.repeat(43), port: 41500 });
    const rotated = await chooseServeIdentity(dataDir, { newToken: true });
    expect(rotated.identity.token).not.toBe('b'.repeat(43));
    expect(rotated.identity.port).toBe(41500);
    expect(rotated.notices.join('\n')).toMatch(/new access token/);
  });

  it('replaces a damaged or foreign file with a new token and says why', async () => {
    const dataDir = temp.file('data');
    await fs.mkdir(dataDir, { recursive: true });
    for (const text of ['{not json', JSON.stringify({ token: 'short', port: 4000 }), JSON.stringify({ token: 42 }), 'null']) {
      await fs.writeFile(serveIdentityPath(dataDir), text);
      const read = await readServeIdentity(dataDir);
      expect(read.identity, text).toBeNull();
      expect(read.problem, text).toContain('serve.json');
      const chosen = await chooseServeIdentity(dataDir, { newToken: false });
      expect(chosen.identity.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(chosen.notices.join('\n'), text).toMatch(/new access token/);
    }
    await fs.writeFile(serveIdentityPath(dataDir), JSON.stringify({ token: 'c'.repeat(43), port: 70000 }));
    expect((await readServeIdentity(dataDir)).identity).toEqual({ token: 'c'.repeat(43), port: null });
  });

  it('reuses a free remembered port, gives way when it is taken, and fails on a taken port the person named', async () => {
    const blocker = await occupy();
    const taken = (blocker.address() as AddressInfo).port;
    const notices: string[] = [];
    const moved = realListener();
    try {
      const url = await listenPreferring({ listen: (port) => moved.listenOn(port) }, taken, false, (line) => notices.push(line));
      expect(url).not.toContain(`:${taken}/`);
      expect(notices.join('\n')).toContain(`port ${taken}, used last time, is taken`);

      const strict = realListener();
      await expect(listenPreferring({ listen: (port) => strict.listenOn(port) }, taken, true, () => undefined)).rejects.toMatchObject({ code: 'EADDRINUSE' });

      await close(blocker);
      const again = realListener();
      const reused = await listenPreferring({ listen: (port) => again.listenOn(port) }, taken, false, (line) => notices.push(line));
      expect(reused).toContain(`:${taken}/`);
      expect(notices).toHaveLength(1);
      await close(again);
    } finally {
      if (blocker.listening) await close(blocker);
      await close(moved);
    }
  });
});
