import { describe, expect, it } from 'vitest';
import { interpolateStepSchema } from '../../../common/job-spec.ts';
import { AUTO_HALF_SCALE_ABOVE_PIXELS, chooseFlowScale } from '../../../engine/tasks/interpolation-flow-scale.ts';

describe('RIFE flow scale choice', () => {
  it('auto keeps the published scale up to 2560x1440 and halves it for 4K and larger', () => {
    expect(AUTO_HALF_SCALE_ABOVE_PIXELS).toBe(2560 * 1440);
    for (const [width, height] of [[320, 180], [1280, 720], [1920, 1080], [2560, 1440]]) {
      expect(chooseFlowScale('auto', width!, height!)).toBe(1);
      expect(chooseFlowScale(undefined, width!, height!)).toBe(1);
    }
    for (const [width, height] of [[3840, 2160], [4096, 2160], [2560, 1600], [7680, 4320]]) expect(chooseFlowScale('auto', width!, height!)).toBe(0.5);
  });

  it('an explicit scale wins at any size', () => {
    expect(chooseFlowScale(1, 3840, 2160)).toBe(1);
    expect(chooseFlowScale(0.5, 320, 180)).toBe(0.5);
  });

  it('the step accepts auto, 1 and 0.5 only', () => {
    const base = { kind: 'interpolate', multiply: 2 };
    for (const flowScale of ['auto', 1, 0.5]) expect(interpolateStepSchema.parse({ ...base, flowScale }).flowScale).toBe(flowScale);
    expect(interpolateStepSchema.parse(base).flowScale).toBeUndefined();
    for (const flowScale of [0.25, 2, '0.5']) expect(interpolateStepSchema.safeParse({ ...base, flowScale }).success).toBe(false);
  });
});
