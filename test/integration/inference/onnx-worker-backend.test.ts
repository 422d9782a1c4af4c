// The worker backend with the real onnxruntime and real Real-ESRGAN files:
// provider report, fp32 conversion on CPU, session cache, transfers, the fp16
// boundary, cancellation, and a main thread that stays responsive.
import { readdir, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxWorkerBackend } from '../../../engine/inference/onnx-worker-backend.ts';
import type { OnnxWorkerSession } from '../../../engine/inference/onnx-worker-backend.ts';
import { maxAbsDifference, srModel, testImageTensor, withTempDir } from '../../helpers/inference-fixtures.ts';

const general = srModel('realesr-general-x4v3');
const wdn = srModel('realesr-general-wdn-x4v3');
const expectCpu = !process.env.FRAMESMITH_TEST_GPU;

describe.skipIf(!general || !wdn)('OnnxWorkerBackend', () => {
  let cacheDir = '';
  let finishCache: () => void = () => undefined;
  let backend: OnnxWorkerBackend;

  beforeAll(async () => {
    const ready = new Promise<void>((resolve) => {
      void withTempDir((dir) => {
        cacheDir = dir;
        resolve();
        return new Promise<void>((release) => (finishCache = release));
      });
    });
    await ready;
    backend = new OnnxWorkerBackend({ cacheDir, threads: 2 });
  });

  afterAll(async () => {
    await backend.dispose();
    finishCache();
  });

  it('chooses cpu here, says why every other provider was skipped, and converts fp16 to fp32', async () => {
    const session = await backend.open(general!, { provider: 'auto' });
    try {
      const report = session.report;
      expect(report.attempts.map((attempt) => attempt.provider)).toEqual(['tensorrt', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu']);
      for (const attempt of report.attempts) {
        if (attempt.provider === report.chosen) expect(attempt.skippedBecause).toBeUndefined();
        else expect(attempt.skippedBecause).toMatch(/.{15,}/);
      }
      if (expectCpu) {
        expect(report.chosen).toBe('cpu');
        expect(report.precision).toBe('fp32');
        expect(report.attempts.find((attempt) => attempt.provider === 'webgpu')?.skippedBecause).toMatch(/^failed: .*adapter|no GPU device found/i);
        expect((await readdir(cacheDir)).filter((name) => name.endsWith('.fp32.onnx'))).toHaveLength(1);
        const bucketed = await backend.open(general!, { provider: 'auto', freeDimensions: { height: 24, width: 32 } });
        expect(bucketed.report.chosen).toBe('cpu');
        expect(bucketed.report.attempts.find((attempt) => attempt.provider === 'webgpu')?.skippedBecause).toMatch(/^failed earlier in this worker: .*adapter|no GPU device found/i);
        expect((await bucketed.run({ input: testImageTensor(32, 24) })).output!.dims).toEqual([1, 3, 96, 128]);
        await bucketed.release();
      }
    } finally {
      await session.release();
    }
  });

  it('fails a forced cuda with PROVIDER_UNAVAILABLE saying why', async () => {
    if (!expectCpu) return;
    await expect(backend.open(general!, { provider: 'cuda' })).rejects.toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      userMessage: expect.stringMatching(/"cuda" is not available here: .*not installed/),
    });
  });

  it('runs with float32 in and out, transferring the input buffer, and shares cached sessions', async () => {
    const first = await backend.open(general!, { provider: 'cpu' }) as OnnxWorkerSession;
    const second = await backend.open(general!, { provider: 'cpu' }) as OnnxWorkerSession;
    expect(second.sessionId).toBe(first.sessionId);
    const image = testImageTensor(32, 24);
    const outputs = await first.run({ input: image });
    expect(image.data.byteLength).toBe(0);
    expect(image.data.buffer.byteLength).toBe(0);
    const output = outputs.output!;
    expect(output.dtype).toBe('float32');
    expect(output.data).toBeInstanceOf(Float32Array);
    expect(output.dims).toEqual([1, 3, 96, 128]);
    expect(Math.min(...output.data)).toBeGreaterThan(-0.5);
    expect(Math.max(...output.data)).toBeLessThan(1.5);

    await first.release();
    const again = await second.run({ input: testImageTensor(32, 24) });
    expect(maxAbsDifference(again.output!.data, output.data)).toBe(0);
    await second.release();
    const third = await backend.open(general!, { provider: 'cpu' }) as OnnxWorkerSession;
    expect(third.sessionId).not.toBe(first.sessionId);
    await third.release();
  });

  it('runs the published fp16 graph with float32 at the boundary, close to the fp32 conversion', async () => {
    const fp16 = await backend.open(general!, { provider: 'cpu', precision: 'published' });
    const fp32 = await backend.open(general!, { provider: 'cpu' });
    try {
      expect(fp16.report.precision).toBe('fp16');
      const half = (await fp16.run({ input: testImageTensor(32, 24) })).output!;
      const full = (await fp32.run({ input: testImageTensor(32, 24) })).output!;
      expect(half.dtype).toBe('float32');
      expect(half.data).toBeInstanceOf(Float32Array);
      expect(maxAbsDifference(half.data, full.data)).toBeLessThan(2 / 255);
    } finally {
      await fp16.release();
      await fp32.release();
    }
  });

  it('blends with the denoise partner in a session of its own', async () => {
    const plain = await backend.open(general!, { provider: 'cpu' }) as OnnxWorkerSession;
    const blended = await backend.open(general!, { provider: 'cpu', denoiseStrength: 0.5, denoisePartner: wdn! }) as OnnxWorkerSession;
    try {
      expect(blended.sessionId).not.toBe(plain.sessionId);
      const a = (await plain.run({ input: testImageTensor(32, 24) })).output!;
      const b = (await blended.run({ input: testImageTensor(32, 24) })).output!;
      expect(maxAbsDifference(a.data, b.data)).toBeGreaterThan(1e-3);
      await expect(backend.open(general!, { provider: 'cpu', denoiseStrength: 2, denoisePartner: wdn! })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await plain.release();
      await blended.release();
    }
  });

  it('reuses the fp32 conversion from the cache in a new backend', async () => {
    const [cached] = (await readdir(cacheDir)).filter((name) => name.endsWith('.fp32.onnx') && name.startsWith('realesr-general-x4v3'));
    expect(cached).toBeDefined();
    const before = (await stat(`${cacheDir}/${cached}`)).mtimeMs;
    const other = new OnnxWorkerBackend({ cacheDir, threads: 1 });
    try {
      const session = await other.open(general!, { provider: 'cpu' });
      expect(session.report.precision).toBe('fp32');
      await session.release();
    } finally {
      await other.dispose();
    }
    expect((await stat(`${cacheDir}/${cached}`)).mtimeMs).toBe(before);
  });

  it('reports bad inputs and cancellation with typed errors', async () => {
    const session = await backend.open(general!, { provider: 'cpu' });
    try {
      await expect(session.run({ image: testImageTensor(8, 8) })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"input"') });
      const aborted = new AbortController();
      aborted.abort();
      await expect(session.run({ input: testImageTensor(8, 8) }, { signal: aborted.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
      const during = new AbortController();
      const running = session.run({ input: testImageTensor(64, 48) }, { signal: during.signal });
      during.abort();
      await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
      const after = await session.run({ input: testImageTensor(8, 8) });
      expect(after.output!.dims).toEqual([1, 3, 32, 32]);
    } finally {
      await session.release();
    }
  });

  it('keeps the calling thread responsive while a frame is inferred', async () => {
    const session = await backend.open(general!, { provider: 'cpu' });
    try {
      await session.run({ input: testImageTensor(16, 16) });
      let ticks = 0;
      const timer = setInterval(() => (ticks += 1), 10);
      const started = performance.now();
      await session.run({ input: testImageTensor(160, 120) });
      const elapsedMs = performance.now() - started;
      clearInterval(timer);
      const possible = elapsedMs / 10;
      expect(possible).toBeGreaterThan(10);
      expect(ticks).toBeGreaterThan(possible * 0.3);
    } finally {
      await session.release();
    }
  });

  it('ends the worker on dispose and refuses use afterwards', async () => {
    const local = new OnnxWorkerBackend({ cacheDir, threads: 1 });
    const session = await local.open(general!, { provider: 'cpu' });
    await local.dispose();
    await expect(session.run({ input: testImageTensor(8, 8) })).rejects.toMatchObject({ code: 'BUG' });
    await session.release();
    await expect(local.open(general!, { provider: 'cpu' })).rejects.toMatchObject({ code: 'BUG' });
    await local.dispose();
  });
});
