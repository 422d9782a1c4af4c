// `gpu install cuda` against a local NuGet mirror serving a fabricated
// package (the real one is hundreds of megabytes on nuget.org, which these
// machines cannot reach, and its libraries need an NVIDIA GPU to load): the
// feed protocol (service index, registration leaf, catalog hash, flat
// container), verification by the stated SHA-512, placement in the per-user
// folder beside a private copy of onnxruntime-node, nothing written into the
// app's node_modules, and the loader's choice: a separate Node process that
// imports the chosen entry maps the libonnxruntime of the user folder, so
// onnxruntime's provider lookup (beside that library) finds the providers.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, promises as fs, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownloadFailedError } from '../../../common/errors.ts';
import { cudaProviderPackage, type CudaProviderPackage } from '../../../engine/gpu/cuda-package.ts';
import { GPU_MANIFEST, bindingDirOf, cudaRuntimeDir, installCudaRuntime, removeCudaRuntime } from '../../../engine/gpu/cuda-runtime-install.ts';
import { chooseOnnxRuntime, verifyCudaRuntime } from '../../../engine/gpu/onnxruntime-choice.ts';
import type { HandlerContext } from '../../../engine/api/api-dispatcher.ts';
import { gpuHandlers } from '../../../engine/api/handlers/gpu-handlers.ts';
import { OnnxWorkerBackend } from '../../../engine/inference/onnx-worker-backend.ts';
import { srModel, testImageTensor } from '../../helpers/inference-fixtures.ts';
import { makeTempDir, type TempDir } from '../../helpers/media-fixtures.ts';

const NUGET = 'https://api.nuget.org/';
const isLinuxX64 = process.platform === 'linux' && process.arch === 'x64';

/** Library contents: compressible and large enough to stream in several chunks. */
function fakeLibrary(name: string, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const label = Buffer.from(`${name} `);
  for (let i = 0; i < size; i += 1) bytes[i] = i % 97 < 40 ? label[i % label.length]! : (i * 31) & 255;
  return bytes;
}

interface Mirror {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function startMirror(pkg: CudaProviderPackage, nupkg: Uint8Array, statedHash: string): Promise<Mirror> {
  const id = pkg.packageId.toLowerCase();
  const version = pkg.packageVersion.toLowerCase();
  const routes = new Map<string, { type: string; body: Buffer }>([
    ['/v3/index.json', { type: 'application/json', body: Buffer.from(JSON.stringify({
      version: '3.0.0',
      resources: [
        { '@id': `${NUGET}v3-flatcontainer/`, '@type': 'PackageBaseAddress/3.0.0' },
        { '@id': `${NUGET}v3/registration5-semver1/`, '@type': 'RegistrationsBaseUrl/3.6.0' },
      ],
    })) }],
    [`/v3/registration5-semver1/${id}/${version}.json`, { type: 'application/json', body: Buffer.from(JSON.stringify({
      catalogEntry: `${NUGET}v3/catalog0/data/2026.01.01/${id}.${version}.json`,
      packageContent: `${NUGET}v3-flatcontainer/${id}/${version}/${id}.${version}.nupkg`,
    })) }],
    [`/v3/catalog0/data/2026.01.01/${id}.${version}.json`, { type: 'application/json', body: Buffer.from(JSON.stringify({
      id: pkg.packageId, version: pkg.packageVersion, packageHash: statedHash, packageHashAlgorithm: 'SHA512',
    })) }],
    [`/v3-flatcontainer/${id}/${version}/${id}.${version}.nupkg`, { type: 'application/octet-stream', body: Buffer.from(nupkg) }],
  ]);
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    const route = routes.get(request.url ?? '');
    if (!route) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': route.type, 'content-length': route.body.length }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Which libonnxruntime a fresh Node process maps after importing `entry`. */
function mappedRuntime(entry: string): string {
  const script = `const ort = await import(${JSON.stringify(entry)}); void ort.InferenceSession;
const maps = (await import('node:fs')).readFileSync('/proc/self/maps', 'utf8');
process.stdout.write(maps.split('\\n').map((l) => l.split(/\\s+/)[5] ?? '').find((f) => f.endsWith('libonnxruntime.so.1')) ?? 'none');`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', cwd: path.resolve(import.meta.dirname, '../../..') });
}

describe.skipIf(!isLinuxX64)('gpu install cuda through a local NuGet mirror', () => {
  let dir: TempDir;
  let pkg: CudaProviderPackage;
  let libraries: Map<string, Uint8Array>;
  let nupkg: Uint8Array;
  let mirror: Mirror;
  let gpuDir: string;
  const appBindingDir = (): string => bindingDirOf(pkg.onnxruntimeDir);

  beforeAll(async () => {
    dir = await makeTempDir('framesmith-gpu-install-');
    pkg = cudaProviderPackage();
    libraries = new Map(pkg.libraries.map((library, index) => [library.name, fakeLibrary(library.name, 300_000 + index * 1_000_003)]));
    const files: Record<string, Uint8Array> = { 'Microsoft.ML.OnnxRuntime.Gpu.Linux.nuspec': Buffer.from('<package/>') };
    for (const library of pkg.libraries) files[library.pathInPackage] = libraries.get(library.name)!;
    nupkg = zipSync(files, { level: 6 });
    mirror = await startMirror(pkg, nupkg, createHash('sha512').update(nupkg).digest('base64'));
    gpuDir = dir.file('data/gpu');
  });

  afterAll(async () => {
    await mirror?.close();
    await dir?.dispose();
  });

  it('reads the package and the three libraries from onnxruntime-node\'s install metadata', () => {
    expect(pkg.packageId).toBe('Microsoft.ML.OnnxRuntime.Gpu.Linux');
    expect(pkg.packageVersion).toBe(pkg.onnxruntimeVersion);
    expect(pkg.feedIndex).toBe('https://api.nuget.org/v3/index.json');
    expect(pkg.libraries.map((library) => library.name).sort()).toEqual([
      'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so', 'libonnxruntime_providers_tensorrt.so',
    ]);
  });

  it('loads the app\'s onnxruntime while nothing is installed, and says why', () => {
    const choice = chooseOnnxRuntime(gpuDir);
    expect(choice).toMatchObject({ entry: 'onnxruntime-node', source: 'app', bindingDir: appBindingDir() });
    expect(choice.reason).toMatch(/gpu install cuda/);
  });

  it('refuses a package whose hash differs from the stated one and keeps nothing', async () => {
    const tampered = await startMirror(pkg, nupkg, createHash('sha512').update('something else').digest('base64'));
    try {
      const pending = installCudaRuntime({ gpuDir, package: pkg, mirror: [{ from: NUGET, to: tampered.url }] });
      await expect(pending).rejects.toBeInstanceOf(DownloadFailedError);
      await expect(pending).rejects.toMatchObject({ userMessage: expect.stringMatching(/sha512 differs/) });
    } finally {
      await tampered.close();
    }
    expect(existsSync(cudaRuntimeDir(gpuDir, pkg.onnxruntimeVersion))).toBe(false);
    expect(readdirSync(gpuDir)).toEqual([]);
  });

  it('downloads, verifies and places the providers in the user folder, not in the app', async () => {
    const stages: string[] = [];
    const { dir: installed, manifest } = await installCudaRuntime({
      gpuDir, package: pkg, mirror: [{ from: NUGET, to: mirror.url }], onProgress: (progress) => stages.push(progress.stage),
    });
    expect(mirror.requests.some((url) => url.endsWith('.nupkg'))).toBe(true);
    expect(new Set(stages)).toEqual(new Set(['resolve', 'download', 'extract', 'place']));
    expect(installed).toBe(cudaRuntimeDir(gpuDir, pkg.onnxruntimeVersion));
    const binding = bindingDirOf(installed);
    for (const library of pkg.libraries) {
      const bytes = readFileSync(path.join(binding, library.name));
      expect(Buffer.compare(bytes, Buffer.from(libraries.get(library.name)!)), library.name).toBe(0);
      expect(manifest.libraries.find((entry) => entry.name === library.name)?.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(existsSync(path.join(appBindingDir(), library.name)), `${library.name} must not be in the app folder`).toBe(false);
    }
    expect(existsSync(path.join(binding, 'onnxruntime_binding.node'))).toBe(true);
    expect(existsSync(path.join(binding, 'libonnxruntime.so.1'))).toBe(true);
    expect(lstatSync(path.join(installed, 'node_modules', 'onnxruntime-common')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(path.join(installed, GPU_MANIFEST), 'utf8'))).toMatchObject({ onnxruntimeVersion: pkg.onnxruntimeVersion, packageId: pkg.packageId });
    expect(readdirSync(gpuDir)).toEqual([path.basename(installed)]);
    expect(await verifyCudaRuntime(gpuDir)).toEqual({ installed: true, damaged: [] });
  });

  it('then loads the private copy, whose libonnxruntime sits beside the providers', () => {
    const choice = chooseOnnxRuntime(gpuDir);
    expect(choice.source).toBe('gpu-install');
    expect(choice.bindingDir).toBe(bindingDirOf(cudaRuntimeDir(gpuDir, pkg.onnxruntimeVersion)));
    expect(mappedRuntime(choice.entry)).toBe(path.join(choice.bindingDir, 'libonnxruntime.so.1'));
    expect(mappedRuntime('onnxruntime-node')).toBe(path.join(appBindingDir(), 'libonnxruntime.so.1'));
  });

  it('answers the Settings screen through the typed API handlers', async () => {
    const handlers = gpuHandlers(path.dirname(gpuDir), () => ({ source: 'app', reason: 'started before the install' }));
    const view = await handlers['gpu:status']!(undefined, { signal: new AbortController().signal } satisfies HandlerContext);
    expect(view).toMatchObject({ installed: true, providerPackage: { id: pkg.packageId, version: pkg.packageVersion }, runtime: { source: 'app' } });
    expect(view.prerequisites.checked).toBe(true);
  });

  it('runs a model in the inference worker on the private copy: CUDA and TensorRT are tried there, fail on the fabricated libraries, and the CPU takes over', async () => {
    const model = srModel('realesr-general-x4v3');
    if (!model) {
      console.warn('*** SKIPPED worker on the GPU install: realesr-general-x4v3 is not in ../shared/models');
      return;
    }
    const backend = new OnnxWorkerBackend({ cacheDir: dir.file('converted'), threads: 2, gpuDir });
    try {
      expect(backend.onnxRuntime.source).toBe('gpu-install');
      const session = await backend.open(model, { provider: 'auto' });
      try {
        expect(session.report.chosen).toBe('cpu');
        for (const provider of ['tensorrt', 'cuda']) {
          expect(session.report.attempts.find((attempt) => attempt.provider === provider)?.skippedBecause, provider).toMatch(/^failed: /);
        }
        expect((await session.run({ input: testImageTensor(16, 12) })).output!.dims).toEqual([1, 3, 48, 64]);
      } finally {
        await session.release();
      }
    } finally {
      await backend.dispose();
    }
  });

  it('falls back to the app\'s onnxruntime when the install is damaged or for another version', async () => {
    const installed = cudaRuntimeDir(gpuDir, pkg.onnxruntimeVersion);
    const cuda = path.join(bindingDirOf(installed), 'libonnxruntime_providers_cuda.so');
    const original = await fs.readFile(cuda);
    await fs.writeFile(cuda, original.subarray(0, 1000));
    expect(chooseOnnxRuntime(gpuDir)).toMatchObject({ source: 'app', reason: expect.stringMatching(/missing or damaged/) });
    await fs.writeFile(cuda, Buffer.concat([original.subarray(0, original.length - 1), Buffer.from([original[original.length - 1]! ^ 1])]));
    expect(chooseOnnxRuntime(gpuDir).source).toBe('gpu-install');
    expect(await verifyCudaRuntime(gpuDir)).toEqual({ installed: true, damaged: ['libonnxruntime_providers_cuda.so'] });
    await fs.writeFile(cuda, original);
    expect(chooseOnnxRuntime(gpuDir, { version: '9.9.9', dir: pkg.onnxruntimeDir })).toMatchObject({ source: 'app', reason: expect.stringMatching(/not installed/) });
    const manifestPath = path.join(installed, GPU_MANIFEST);
    const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as { onnxruntimeVersion: string };
    await fs.writeFile(manifestPath, JSON.stringify({ ...manifest, onnxruntimeVersion: '1.0.0' }));
    expect(chooseOnnxRuntime(gpuDir)).toMatchObject({ source: 'app', reason: expect.stringMatching(/for onnxruntime-node 1\.0\.0/) });
    expect(await removeCudaRuntime(gpuDir, pkg.onnxruntimeVersion)).toBe(true);
    expect(chooseOnnxRuntime(gpuDir).source).toBe('app');
  });
});
