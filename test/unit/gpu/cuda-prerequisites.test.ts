// What the CUDA providers need besides their own libraries, said in words a
// user can act on, from a given library listing (the machine's is empty of
// NVIDIA libraries here).
import { describe, expect, it } from 'vitest';
import { CUDA_PREREQUISITES, checkCudaPrerequisites, parseLdconfigListing } from '../../../engine/gpu/cuda-prerequisites.ts';

const everything = new Set(CUDA_PREREQUISITES.map((entry) => entry.libraries[0]!));

describe('checkCudaPrerequisites', () => {
  it('names each missing piece with how to get it', () => {
    const report = checkCudaPrerequisites({ available: new Set(['libcuda.so.1']), platform: 'linux-x64' });
    expect(report.checked).toBe(true);
    expect(report.found).toEqual([{ what: 'the NVIDIA driver', file: 'libcuda.so.1' }]);
    expect(report.summary).toMatch(/^CUDA cannot run on this machine yet\. Missing:/);
    expect(report.summary).toMatch(/- the CUDA 12 runtime: install/);
    expect(report.summary).toMatch(/- cuDNN 9: install cuDNN 9 for CUDA 12/);
  });

  it('tells CUDA-ready from TensorRT-ready', () => {
    const withoutTensorrt = new Set([...everything].filter((name) => name !== 'libnvinfer.so.10'));
    expect(checkCudaPrerequisites({ available: withoutTensorrt, platform: 'linux-x64' }).summary).toMatch(/^CUDA can run; TensorRT cannot\. Missing:\n {2}- TensorRT 10/);
    expect(checkCudaPrerequisites({ available: everything, platform: 'linux-x64' }).missing).toEqual([]);
    expect(checkCudaPrerequisites({ available: new Set(['libcublasLt.so.12']), platform: 'linux-x64' }).found.map((entry) => entry.what)).toEqual(['cuBLAS for CUDA 12']);
  });

  it('checks nothing off Linux x64', () => {
    expect(checkCudaPrerequisites({ platform: 'darwin-arm64' })).toMatchObject({ checked: false, missing: [] });
  });

  it('reads the ld.so cache listing', () => {
    const listing = '3 libs found in cache `/etc/ld.so.cache\'\n\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12\n\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1\n';
    expect([...parseLdconfigListing(listing)]).toEqual(['libcudart.so.12', 'libz.so.1']);
  });
});
