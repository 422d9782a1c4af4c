// What the CUDA and TensorRT providers need besides their own libraries, and
// whether this machine has it: the NVIDIA driver (libcuda), the CUDA 12
// runtime libraries (cudart, cuBLAS, cuFFT, cuRAND), cuDNN 9, and for
// TensorRT the TensorRT 10 runtime. Libraries are looked for where the
// dynamic loader looks (LD_LIBRARY_PATH, the ld.so cache, the usual CUDA
// folders); what is missing is said in words a user can act on.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface Prerequisite {
  /** What it is, for a person: "CUDA 12 runtime". */
  what: string;
  /** File names that satisfy it (any one). */
  libraries: readonly string[];
  neededFor: 'cuda' | 'tensorrt';
  /** How to get it. */
  hint: string;
}

/** The driver: without it there is no NVIDIA GPU to use, whatever else is installed. */
export const NVIDIA_DRIVER: Prerequisite = { what: 'the NVIDIA driver', libraries: ['libcuda.so.1'], neededFor: 'cuda', hint: 'install the NVIDIA driver for your card (Debian/Ubuntu: the nvidia-driver package)' };

export const CUDA_PREREQUISITES: readonly Prerequisite[] = [
  NVIDIA_DRIVER,
  { what: 'the CUDA 12 runtime', libraries: ['libcudart.so.12'], neededFor: 'cuda', hint: 'install the CUDA 12 runtime (NVIDIA\'s cuda-runtime-12 or cuda-toolkit-12 packages)' },
  { what: 'cuBLAS for CUDA 12', libraries: ['libcublas.so.12', 'libcublasLt.so.12'], neededFor: 'cuda', hint: 'install libcublas for CUDA 12 (part of the CUDA 12 toolkit)' },
  { what: 'cuFFT for CUDA 12', libraries: ['libcufft.so.11'], neededFor: 'cuda', hint: 'install libcufft for CUDA 12 (part of the CUDA 12 toolkit)' },
  { what: 'cuRAND for CUDA 12', libraries: ['libcurand.so.10'], neededFor: 'cuda', hint: 'install libcurand for CUDA 12 (part of the CUDA 12 toolkit)' },
  { what: 'cuDNN 9', libraries: ['libcudnn.so.9'], neededFor: 'cuda', hint: 'install cuDNN 9 for CUDA 12 (NVIDIA\'s cudnn9-cuda-12 package)' },
  { what: 'TensorRT 10', libraries: ['libnvinfer.so.10'], neededFor: 'tensorrt', hint: 'install TensorRT 10 for CUDA 12 (NVIDIA\'s libnvinfer10 package); CUDA works without it' },
];

/** Library file names in the ld.so cache listing (`ldconfig -p`). */
export function parseLdconfigListing(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/^\s+(\S+)\s+\(/gm)) names.add(match[1]!);
  return names;
}

function ldconfigNames(): Set<string> {
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    try {
      return parseLdconfigListing(execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }));
    } catch {
      // Try the next location.
    }
  }
  return new Set();
}

/** Folders searched besides the ld.so cache. */
export function libraryFolders(env: NodeJS.ProcessEnv = process.env): string[] {
  const folders = (env.LD_LIBRARY_PATH ?? '').split(path.delimiter).filter(Boolean);
  if (env.CUDA_PATH) folders.push(path.join(env.CUDA_PATH, 'lib64'));
  folders.push('/usr/local/cuda/lib64', '/usr/local/cuda-12/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib/wsl/lib');
  return folders;
}

export interface PrerequisiteReport {
  /** Linux x64 only; elsewhere nothing is checked. */
  checked: boolean;
  missing: Prerequisite[];
  found: { what: string; file: string }[];
  /** One paragraph for a person. */
  summary: string;
}

/** Checks each prerequisite; `available` (tests) replaces the machine's library listing. */
export function checkCudaPrerequisites(options: { env?: NodeJS.ProcessEnv; available?: ReadonlySet<string>; platform?: string } = {}): PrerequisiteReport {
  if ((options.platform ?? `${process.platform}-${process.arch}`) !== 'linux-x64') {
    return { checked: false, missing: [], found: [], summary: 'The CUDA providers are offered for Linux x64 only.' };
  }
  const listed = options.available ?? ldconfigNames();
  const folders = options.available ? [] : libraryFolders(options.env);
  const present = (name: string): string | undefined => {
    if (listed.has(name)) return name;
    return folders.map((folder) => path.join(folder, name)).find((file) => existsSync(file));
  };
  const missing: Prerequisite[] = [];
  const found: { what: string; file: string }[] = [];
  for (const prerequisite of CUDA_PREREQUISITES) {
    const file = prerequisite.libraries.map(present).find(Boolean);
    if (file) found.push({ what: prerequisite.what, file });
    else missing.push(prerequisite);
  }
  const cudaMissing = missing.filter((entry) => entry.neededFor === 'cuda');
  const list = (entries: readonly Prerequisite[]): string => entries.map((entry) => `\n  - ${entry.what}: ${entry.hint}`).join('');
  const summary = cudaMissing.length > 0
    ? `CUDA cannot run on this machine yet. Missing:${list(missing)}`
    : missing.length > 0
      ? `CUDA can run; TensorRT cannot. Missing:${list(missing)}`
      : 'The NVIDIA driver, CUDA 12 runtime, cuBLAS, cuFFT, cuRAND, cuDNN 9 and TensorRT 10 were found.';
  return { checked: true, missing, found, summary };
}
