// RIFE v4.6 quality on the pytoflow triplet: the middle of im1 and im3
// against the true im2 (reference 30.62 dB), plain and with test-time
// augmentation, which must score higher. Also padding: an odd-sized crop
// comes back at its own size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameInterpolator } from '../../../engine/tasks/interpolation.ts';
import { mediaAsset, modelAsset } from '../../helpers/shared-assets.ts';
import { openRife, psnr, readRgb, type RifeHarness } from './rife-helpers.ts';

const modelPath = modelAsset('onnx/interpolation/rife-v4.6.onnx');
const im1 = mediaAsset('interpolation/pytoflow/im1.png');
const im2 = mediaAsset('interpolation/pytoflow/im2.png');
const im3 = mediaAsset('interpolation/pytoflow/im3.png');

describe.skipIf(!modelPath || !im1 || !im2 || !im3)('RIFE interpolation quality', () => {
  let rife: RifeHarness;

  beforeAll(async () => {
    rife = await openRife(modelPath!);
  });
  afterAll(async () => {
    await rife?.dispose();
  });

  it('reaches 30.5 dB on pytoflow, and quality mode scores higher', async () => {
    const [first, truth, second] = await Promise.all([readRgb(im1!), readRgb(im2!), readRgb(im3!)]);
    const plain = new FrameInterpolator({ session: rife.session, manifest: rife.manifest });
    const tta = new FrameInterpolator({ session: rife.session, manifest: rife.manifest, quality: true });
    const middle = await plain.interpolate(plain.prepare(first), plain.prepare(second), 0.5, 1);
    const middleTta = await tta.interpolate(tta.prepare(first), tta.prepare(second), 0.5, 1);
    const plainDb = psnr(middle.data, truth.data);
    const ttaDb = psnr(middleTta.data, truth.data);
    process.stdout.write(`pytoflow PSNR: plain ${plainDb.toFixed(3)} dB, quality (TTA) ${ttaDb.toFixed(3)} dB\n`);
    expect(middle.width).toBe(truth.width);
    expect(middle.index).toBe(1);
    expect(plainDb).toBeGreaterThanOrEqual(30.5);
    expect(ttaDb).toBeGreaterThan(plainDb);
  });

  it('pads a size that is not a multiple of 32 and crops back to it', async () => {
    const [first, second] = await Promise.all([readRgb(im1!), readRgb(im3!)]);
    const crop = (frame: typeof first, width: number, height: number) => {
      const data = new Uint8Array(width * height * 3);
      for (let y = 0; y < height; y += 1) data.set(frame.data.subarray(y * frame.width * 3, y * frame.width * 3 + width * 3), y * width * 3);
      return { ...frame, width, height, data };
    };
    const interpolator = new FrameInterpolator({ session: rife.session, manifest: rife.manifest });
    const a = interpolator.prepare(crop(first, 101, 67));
    expect([a.paddedWidth, a.paddedHeight]).toEqual([128, 96]);
    const out = await interpolator.interpolate(a, interpolator.prepare(crop(second, 101, 67)), 0.5, 0);
    expect([out.width, out.height, out.data.length]).toEqual([101, 67, 101 * 67 * 3]);
    const whole = await interpolator.interpolate(interpolator.prepare(first), interpolator.prepare(second), 0.5, 0);
    // Away from the padded edge the crop agrees with the whole-frame result.
    const wholeCrop = crop(whole, 101, 67);
    let far = 0;
    let count = 0;
    for (let y = 8; y < 50; y += 1) {
      for (let x = 8; x < 80; x += 1) {
        for (let c = 0; c < 3; c += 1) {
          far += Math.abs(out.data[(y * 101 + x) * 3 + c]! - wholeCrop.data[(y * 101 + x) * 3 + c]!);
          count += 1;
        }
      }
    }
    expect(far / count).toBeLessThan(6);
  });
});
