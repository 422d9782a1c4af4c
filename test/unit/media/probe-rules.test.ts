import { describe, expect, it } from 'vitest';
import { rational } from '../../../common/rational.ts';
import { locateTool } from '../../../engine/media/ffmpeg-locator.ts';
import { canConvertPixelFormat, parseConvertiblePixelFormats, pixelFormatFacts } from '../../../engine/media/pixel-formats.ts';
import { clockwiseRotation, isVariableFrameRate, stampsAreVariable } from '../../../engine/media/probe.ts';

describe('rotation', () => {
  it('turns the display matrix angle (counter-clockwise) into clockwise degrees', () => {
    expect(clockwiseRotation({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: -90 }] })).toBe(90);
    expect(clockwiseRotation({ side_data_list: [{ side_data_type: 'Display Matrix', rotation: 90 }] })).toBe(270);
    expect(clockwiseRotation({ side_data_list: [{ rotation: 180 }] })).toBe(180);
    expect(clockwiseRotation({ side_data_list: [{ rotation: -180 }] })).toBe(180);
  });

  it('reads the legacy rotate tag as clockwise and prefers the matrix', () => {
    expect(clockwiseRotation({ tags: { rotate: '90' } })).toBe(90);
    expect(clockwiseRotation({ tags: { rotate: '270' } })).toBe(270);
    expect(clockwiseRotation({ tags: { rotate: '90' }, side_data_list: [{ rotation: 0 }] })).toBe(0);
    expect(clockwiseRotation({})).toBe(0);
  });
});

describe('variable frame rate', () => {
  it('flags an average rate that differs from the base rate', () => {
    expect(isVariableFrameRate(rational(200, 13), rational(20))).toBe(true);
    expect(isVariableFrameRate(rational(30000, 1001), rational(30000, 1001))).toBe(false);
    expect(isVariableFrameRate(rational(2997, 100), rational(30000, 1001))).toBe(false);
  });

  it('does not flag interlaced streams whose base rate is the field rate', () => {
    expect(isVariableFrameRate(rational(30000, 1001), rational(60000, 1001), 'tt')).toBe(false);
    expect(isVariableFrameRate(rational(30000, 1001), rational(60000, 1001), 'progressive')).toBe(true);
  });

  it('tells time-base rounding from real rate changes in timestamps', () => {
    const ntscInMs = Array.from({ length: 100 }, (_, i) => Math.round((i * 1001) / 30));
    expect(stampsAreVariable(ntscInMs, 1001 / 30)).toBe(false);
    const tenThenTwenty = [...Array.from({ length: 10 }, (_, i) => i * 100), ...Array.from({ length: 20 }, (_, i) => 1000 + i * 50)];
    expect(stampsAreVariable(tenThenTwenty, 50)).toBe(true);
    expect(stampsAreVariable([], 40)).toBe(false);
  });
});

describe('pixel formats', () => {
  it('takes bit depth and alpha from the ffprobe table', () => {
    const table = [
      { name: 'yuv420p10le', components: [{ index: 1, bit_depth: 10 }, { index: 2, bit_depth: 10 }, { index: 3, bit_depth: 10 }], flags: { alpha: 0 } },
      { name: 'rgba', components: [{ index: 1, bit_depth: 8 }, { index: 4, bit_depth: 8 }], flags: { alpha: 1 } },
    ];
    expect(pixelFormatFacts(table, 'yuv420p10le')).toEqual({ bitDepth: 10, hasAlpha: false });
    expect(pixelFormatFacts(table, 'rgba')).toEqual({ bitDepth: 8, hasAlpha: true });
    expect(pixelFormatFacts(table, 'nope')).toBeUndefined();
  });

  it('parses the convertible formats from a -pix_fmts listing', () => {
    const listing = ['Pixel formats:', 'I.... = Supported Input  format for conversion', 'FLAGS NAME NB_COMPONENTS BITS_PER_PIXEL BIT_DEPTHS', '-----', 'IO... yuv420p 3 12 8-8-8', '..... nv16 3 16 8-8-8', 'I.... y210le 3 20 10-10-10'].join('\n');
    expect([...parseConvertiblePixelFormats(listing)]).toEqual(['yuv420p', 'y210le']);
  });

  it('asks the real ffmpeg which formats it can convert', async () => {
    const ffmpeg = locateTool('ffmpeg').path;
    expect(await canConvertPixelFormat(ffmpeg, 'yuv420p10le')).toBe(true);
    expect(await canConvertPixelFormat(ffmpeg, 'nv16')).toBe(false);
    expect(await canConvertPixelFormat(ffmpeg, 'vaapi')).toBe(false);
  });
});
