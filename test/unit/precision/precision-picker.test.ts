import { describe, expect, it } from 'vitest';
import { processingSettingsSchema } from '../../../common/job-spec.ts';
import { meetsBound, MIN_SPEEDUP, pickPrecision, qualityBoundFor, type PrecisionMeasurement } from '../../../engine/precision/precision-picker.ts';

const interpolation = qualityBoundFor('interpolation');
const upscale = qualityBoundFor('super-resolution');

function measured(precision: PrecisionMeasurement['precision'], msPerRun: number, psnrDb: number): PrecisionMeasurement {
  return { precision, available: true, msPerRun, psnrDb };
}

describe('precision auto: the picker', () => {
  it('states the task bounds: 0.15 dB loss against the true frame for interpolation, 38 dB against fp32 otherwise', () => {
    expect(interpolation).toEqual({ kind: 'loss-against-truth', maxLossDb: 0.15 });
    for (const task of ['super-resolution', 'style-fast', 'style-arbitrary'] as const) expect(qualityBoundFor(task)).toEqual({ kind: 'against-fp32', minDb: 38 });
  });

  it('picks the fastest variant within the bound and says by how much', () => {
    const choice = pickPrecision([measured('fp32', 100, 30.62), measured('int8', 60, 30.55), measured('fp16', 90, 30.62)], interpolation);
    expect(choice.precision).toBe('int8');
    expect(choice.reason).toMatch(/^int8: 1\.67x the speed of fp32, 0\.07 dB PSNR loss/);
  });

  it('passes over a faster variant that loses more than the bound', () => {
    const choice = pickPrecision([measured('fp32', 100, 30.62), measured('int8', 50, 30.40), measured('fp16', 80, 30.60)], interpolation);
    expect(choice.precision).toBe('fp16');
    expect(pickPrecision([measured('fp32', 100, Infinity), measured('int8', 50, 37.9)], upscale).precision).toBe('fp32');
    expect(pickPrecision([measured('fp32', 100, 99), measured('int8', 50, 38)], upscale).precision).toBe('int8');
  });

  it('keeps fp32 unless a variant is faster by more than the margin, and names what it passed over', () => {
    const barely = 100 / MIN_SPEEDUP + 0.01;
    const choice = pickPrecision([measured('fp32', 100, 40), measured('int8', barely, 45), { precision: 'bf16', available: false, reason: 'no kernels' }], upscale);
    expect(choice.precision).toBe('fp32');
    expect(choice.reason).toMatch(/int8 1\.05x/);
    expect(choice.reason).toMatch(/bf16 unavailable/);
  });

  it('counts a gain in PSNR as no loss', () => {
    expect(meetsBound(measured('int8', 50, 30.76), measured('fp32', 100, 30.62), interpolation)).toBe(true);
    expect(pickPrecision([measured('fp32', 100, 30.62), measured('int8', 50, 30.76)], interpolation).reason).toMatch(/no PSNR loss/);
  });

  it('never picks an unavailable or unmeasured variant, and falls back to fp32 without a baseline', () => {
    expect(pickPrecision([measured('fp32', 100, 30), { precision: 'int8', available: false }], interpolation).precision).toBe('fp32');
    expect(pickPrecision([{ precision: 'int8', available: true, msPerRun: 1 }], upscale).precision).toBe('fp32');
    expect(pickPrecision([measured('int8', 10, 50)], upscale)).toEqual({ precision: 'fp32', reason: 'fp32: no fp32 measurement to compare against' });
  });
});

describe('precision setting', () => {
  it('accepts auto, fp32, fp16, bf16 and int8 and names the choices for anything else', () => {
    for (const precision of ['auto', 'fp32', 'fp16', 'bf16', 'int8']) expect(processingSettingsSchema.parse({ precision }).precision).toBe(precision);
    const wrong = processingSettingsSchema.safeParse({ precision: 'int4' });
    expect(wrong.success).toBe(false);
    expect(JSON.stringify(wrong.error?.issues)).toMatch(/auto.*fp32.*fp16.*bf16.*int8/);
  });
});
