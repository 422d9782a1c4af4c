// Which onnxruntime-node the inference worker loads: the private copy with
// the CUDA and TensorRT providers in the per-user data folder
// (cuda-runtime-install.ts) when one is installed for this very
// onnxruntime-node version and its files are whole, else the app's own.
// The choice and its reason are reported (doctor, job log), and the check is
// cheap (sizes, not hashes) because it runs at every worker start; `verify`
// takes the hashes.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { GPU_MANIFEST, bindingDirOf, cudaRuntimeDir, type GpuRuntimeManifest } from './cuda-runtime-install.ts';

export interface OnnxRuntimeChoice {
  /** What to import: 'onnxruntime-node' or a file URL of the private copy's entry. */
  entry: string;
  /** The folder of the binding and libonnxruntime that will load (providers are looked for there). */
  bindingDir: string;
  source: 'app' | 'gpu-install';
  reason: string;
}

function appOnnxRuntime(): { version: string; dir: string } {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('onnxruntime-node/package.json');
  return { version: (require(packageJson) as { version: string }).version, dir: path.dirname(packageJson) };
}

function readManifest(dir: string): GpuRuntimeManifest | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, GPU_MANIFEST), 'utf8')) as GpuRuntimeManifest;
  } catch {
    return undefined;
  }
}

/** The onnxruntime-node to load, given the per-user GPU folder (`<data>/gpu`); undefined gpuDir means the app's. */
export function chooseOnnxRuntime(gpuDir: string | undefined, app: { version: string; dir: string } = appOnnxRuntime()): OnnxRuntimeChoice {
  const fallback = (reason: string): OnnxRuntimeChoice => ({ entry: 'onnxruntime-node', bindingDir: bindingDirOf(app.dir), source: 'app', reason });
  if (!gpuDir) return fallback('no GPU folder given');
  const dir = cudaRuntimeDir(gpuDir, app.version);
  const manifest = readManifest(dir);
  if (!manifest) return fallback('the CUDA/TensorRT providers are not installed (framesmith gpu install cuda)');
  if (manifest.onnxruntimeVersion !== app.version) {
    return fallback(`the installed CUDA providers are for onnxruntime-node ${manifest.onnxruntimeVersion}, this is ${app.version}: run framesmith gpu install cuda again`);
  }
  const bindingDir = bindingDirOf(dir);
  for (const library of manifest.libraries) {
    const file = path.join(bindingDir, library.name);
    if (!existsSync(file) || statSync(file).size !== library.size) return fallback(`${file} is missing or damaged: run framesmith gpu install cuda again`);
  }
  const entry = path.join(dir, 'dist', 'index.js');
  if (!existsSync(entry)) return fallback(`${entry} is missing: run framesmith gpu install cuda again`);
  return {
    entry: pathToFileURL(entry).href,
    bindingDir,
    source: 'gpu-install',
    reason: `CUDA/TensorRT providers from ${manifest.packageId} ${manifest.packageVersion}, installed in ${dir}`,
  };
}

/** Checks every installed library against the SHA-256 recorded at install; lists the ones that differ. */
export async function verifyCudaRuntime(gpuDir: string, version: string = appOnnxRuntime().version): Promise<{ installed: boolean; damaged: string[] }> {
  const dir = cudaRuntimeDir(gpuDir, version);
  const manifest = readManifest(dir);
  if (!manifest) return { installed: false, damaged: [] };
  const damaged: string[] = [];
  for (const library of manifest.libraries) {
    const file = path.join(bindingDirOf(dir), library.name);
    const hash = createHash('sha256');
    const ok = await pipeline(createReadStream(file), hash).then(() => hash.digest('hex') === library.sha256, () => false);
    if (!ok) damaged.push(library.name);
  }
  return { installed: true, damaged };
}
