import { describe, expect, it } from 'vitest';
import { stepSchema } from '../../../common/job-spec.ts';
import { parseStepText } from '../../../common/step-text.ts';

describe('parseStepText', () => {
  it('reads the kind and typed parameters', () => {
    expect(parseStepText('upscale:model=realesr-animevideov3-x4,scale=2')).toEqual({ kind: 'upscale', model: 'realesr-animevideov3-x4', scale: 2 });
    expect(parseStepText('interpolate:fps=60000/1001,scene-threshold=0.4,no-dedup')).toEqual({
      kind: 'interpolate',
      fps: '60000/1001',
      sceneThreshold: 0.4,
      dedup: false,
    });
    expect(parseStepText('stylize:style=candy,keep-colors')).toEqual({ kind: 'stylize', style: 'candy', keepColors: true });
    expect(parseStepText('interpolate:fps=60')).toEqual({ kind: 'interpolate', fps: '60' });
  });

  it('produces objects the step schema accepts, or names the bad field', () => {
    expect(stepSchema.safeParse(parseStepText('interpolate:fps=60')).success).toBe(true);
    const bad = stepSchema.safeParse(parseStepText('upscale:scale=-1'));
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['scale']);
  });

  it('refuses malformed text with a message that shows it', () => {
    expect(() => parseStepText('Upscale!')).toThrow(/received "Upscale!"/);
    expect(() => parseStepText('upscale:9x=1')).toThrow(/Bad key "9x"/);
  });
});
