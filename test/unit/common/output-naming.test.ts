import { describe, expect, it } from 'vitest';
import { applyNameTemplate, extensionOf, mediaKindOf, stemOf } from '../../../common/output-naming.ts';

describe('output naming', () => {
  it('splits names the same way on every platform', () => {
    expect(extensionOf('/a/b/Clip.MP4')).toBe('.mp4');
    expect(extensionOf('C:\\x\\.hidden')).toBe('');
    expect(stemOf('/a/b/clip.final.mkv')).toBe('clip.final');
  });

  it('classifies media by extension', () => {
    expect(mediaKindOf('x.webm')).toBe('video');
    expect(mediaKindOf('x.TIFF')).toBe('image');
    expect(mediaKindOf('notes.txt')).toBeUndefined();
  });

  it('fills templates and refuses unknown fields and paths', () => {
    expect(applyNameTemplate('{name}-{preset}{ext}', { name: 'a', preset: 'upscaled-x4', ext: '.mp4' })).toBe('a-upscaled-x4.mp4');
    expect(() => applyNameTemplate('{nmae}{ext}', { name: 'a', preset: 'p', ext: '.mp4' })).toThrow(/Unknown field \{nmae\}/);
    expect(() => applyNameTemplate('../{name}{ext}', { name: 'a', preset: 'p', ext: '.mp4' })).toThrow(/plain file name/);
  });
});
