// A GPU device id (one render-farm worker per GPU) reaches onnxruntime's
// session options for the providers that take one (cuda, tensorrt, dml:
// `deviceId` in onnxruntime-node 1.30's typings), keeps sessions on
// different devices apart in the pool, is refused when it is no device
// number, and leaves a real CPU session working (the CPU ignores it).
import { describe, expect, it } from 'vitest';
import { sessionKeyOf, sessionKeyText, SessionPool } from '../../../engine/inference/session-pool.ts';
import { DEVICE_PROVIDERS, executionProviderConfig } from '../../../engine/inference/providers.ts';
import { srModel, testImageTensor, withTempDir } from '../../helpers/inference-fixtures.ts';
import { localWorkerDevice, parseDeviceList } from '../../../cli/commands/worker.ts';

const model = srModel('realesr-animevideov3-x4');

describe('GPU device id', () => {
  it('goes into the session options of cuda, tensorrt and dml as deviceId, and not into the others', () => {
    for (const provider of DEVICE_PROVIDERS) expect(executionProviderConfig(provider, 1)).toEqual({ name: provider, deviceId: 1 });
    for (const provider of ['cpu', 'webgpu', 'coreml'] as const) expect(executionProviderConfig(provider, 1)).toBe(provider);
    expect(executionProviderConfig('cuda')).toBe('cuda');
    expect(() => executionProviderConfig('cuda', -1)).toThrow(/GPU device number/);
    expect(() => executionProviderConfig('cuda', 1.5)).toThrow(/GPU device number/);
  });

  it('is part of the session key: one model on two GPUs is two sessions', () => {
    const resolved = { manifest: { id: 'm' }, path: '/models/m.onnx' } as Parameters<typeof sessionKeyOf>[0];
    const on = (deviceId?: number) => sessionKeyText(sessionKeyOf(resolved, { provider: 'cuda', deviceId }));
    expect(on(0)).not.toBe(on(1));
    expect(on(undefined)).not.toBe(on(0));
    expect(on(1)).toBe(on(1));
  });

  it('spreads local workers over --devices in turn and refuses what is no GPU number', () => {
    expect(parseDeviceList('0,1')).toEqual([0, 1]);
    expect([0, 1, 2, 3].map((index) => localWorkerDevice(index, { devices: [0, 1] }))).toEqual([0, 1, 0, 1]);
    expect(localWorkerDevice(2, { device: 3 })).toBe(3);
    expect(localWorkerDevice(0, {})).toBeUndefined();
    for (const bad of ['', '0,', 'a', '-1', '1.5', '64']) expect(() => parseDeviceList(bad), bad).toThrow(/--devices/);
  });

  it.skipIf(!model)('a pool with a device runs a real model on the CPU as without one', async () => {
    await withTempDir(async (dir) => {
      const input = testImageTensor(16, 12);
      const results: Float32Array[] = [];
      for (const deviceId of [undefined, 1]) {
        const pool = SessionPool.create({ cacheDir: dir, threads: 1, deviceId });
        try {
          const session = await pool.open(model!, { provider: 'cpu' });
          expect(session.report.chosen).toBe('cpu');
          const output = await session.run({ input: { ...input, data: (input.data as Float32Array).slice() } });
          results.push(output.output?.data as Float32Array);
          await session.release();
        } finally {
          await pool.dispose();
        }
      }
      expect(results[1]?.length).toBe(3 * 64 * 48);
      expect(Buffer.from((results[1] as Float32Array).buffer).equals(Buffer.from((results[0] as Float32Array).buffer))).toBe(true);
    });
  }, 60_000);
});
