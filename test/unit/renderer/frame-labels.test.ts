// Frame numbers people read are 1-based against the number of frames: on a
// 20-frame clip the slider reads "Frame 1 of 20" at its start and "Frame 20
// of 20" at its end (it once read "Frame 0 of 19" .. "Frame 19 of 19"), in
// every language and in every label that shows a frame.
import { describe, expect, it } from 'vitest';
import { frameNumber, frameOrdinal } from '../../../renderer/format.ts';
import { createI18n } from '../../../renderer/i18n/create-i18n.ts';

describe('frame labels', () => {
  it('counts from 1 up to the number of frames', () => {
    expect(frameOrdinal(0, 20)).toEqual({ number: 1, count: 20 });
    expect(frameOrdinal(4, 20)).toEqual({ number: 5, count: 20 });
    expect(frameOrdinal(19, 20)).toEqual({ number: 20, count: 20 });
    // A still image (one frame) and an index past the end never read "2 of 1".
    expect(frameOrdinal(0, 1)).toEqual({ number: 1, count: 1 });
    expect(frameOrdinal(7, 1)).toEqual({ number: 1, count: 1 });
    expect(frameOrdinal(0, 0)).toEqual({ number: 1, count: 1 });
    expect(frameNumber(0)).toBe(1);
    expect(frameNumber(41)).toBe(42);
  });

  it('renders the after-view and preview labels 1-based in English and German', async () => {
    const en = await createI18n('en');
    expect(en.t('results.frame', frameOrdinal(4, 20))).toBe('Frame 5 of 20');
    expect(en.t('results.frame', frameOrdinal(19, 20))).toBe('Frame 20 of 20');
    expect(en.t('preview.frame', { ...frameOrdinal(0, 20), time: '0s' })).toBe('Frame 1 of 20 (0s)');
    expect(en.t('preview.clipFacts', { width: 64, height: 48, frames: 10, start: frameNumber(0), size: '1 kB' })).toContain('from frame 1,');
    const de = await createI18n('de');
    expect(de.t('results.frame', frameOrdinal(4, 20))).toBe('Bild 5 von 20');
    expect(de.t('preview.frame', { ...frameOrdinal(19, 20), time: '1s' })).toBe('Bild 20 von 20 (1s)');
  });
});
