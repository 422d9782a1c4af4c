// The quick-start choices fit the file: a video gets upscale, smooth to 60 fps
// (not when it already runs at 60) and stylize; an image upscale and stylize;
// upscaling uses the general model (not an anime one) at 4x up to a 3840 px
// side, 2x above; every choice is a valid chain step.
import { describe, expect, it } from 'vitest';
import type { MediaProbe } from '../../../common/api/api-types.ts';
import { stepSchema } from '../../../common/job-spec.ts';
import { QUICK_UPSCALE_MODEL, quickChoices, upscaleFactor } from '../../../renderer/quick-start.ts';

function probe(overrides: Partial<MediaProbe>): MediaProbe {
  return { path: '/x/clip.mp4', kind: 'video', width: 320, height: 180, frameCount: 100, durationSeconds: 4, frameRate: 25, frameRateText: '25', hasAudio: false, ...overrides };
}

describe('quick-start choices', () => {
  it('offers a video upscale, 60 fps and a style, in that order, each a valid step', () => {
    const choices = quickChoices(probe({}));
    expect(choices.map((choice) => choice.id)).toEqual(['upscale', 'smooth', 'stylize']);
    for (const choice of choices) for (const step of choice.steps) expect(stepSchema.safeParse(step).success, JSON.stringify(step)).toBe(true);
    expect(choices[0]?.steps).toEqual([{ kind: 'upscale', model: QUICK_UPSCALE_MODEL, scale: 4 }]);
    expect(choices[0]?.result).toEqual({ width: 1280, height: 720, fps: 25 });
    expect(choices[1]?.steps[0]).toMatchObject({ kind: 'interpolate', fps: '60' });
    expect(choices[2]?.steps[0]).toMatchObject({ kind: 'stylize', style: 'mosaic' });
    expect(choices[2]?.modelId).toBe('style-mosaic');
  });

  it('does not offer 60 fps for a video that already has it, nor for an image', () => {
    expect(quickChoices(probe({ frameRate: 59.94 })).map((choice) => choice.id)).toEqual(['upscale', 'stylize']);
    expect(quickChoices(probe({ kind: 'image', frameRate: 0, frameCount: 1 })).map((choice) => choice.id)).toEqual(['upscale', 'stylize']);
  });

  it('upscales with the general model, never an anime one, 4x up to a 3840 px side and 2x beyond', () => {
    expect(QUICK_UPSCALE_MODEL).toBe('realesr-general-x4v3');
    expect(upscaleFactor({ width: 960, height: 540 })).toBe(4);
    expect(upscaleFactor({ width: 961, height: 540 })).toBe(2);
    expect(upscaleFactor({ width: 1920, height: 1080 })).toBe(2);
    expect(quickChoices(probe({ width: 1920, height: 1080 }))[0]?.result).toMatchObject({ width: 3840, height: 2160 });
  });

  it('uses the chosen style', () => {
    const stylize = quickChoices(probe({}), 'udnie').find((choice) => choice.id === 'stylize');
    expect(stylize?.steps[0]).toMatchObject({ style: 'udnie' });
    expect(stylize?.modelId).toBe('style-udnie');
  });
});
