// The codec table's pure parts: parsing ffmpeg's encoder listings (taken from
// the real ffmpeg here), pixel formats per codec, quality ranges, containers
// and the colour plan (matrix, range and tags).
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../common/errors.ts';
import {
  CODEC_SPECS,
  EncoderCatalog,
  VIDEO_CODECS,
  assertContainerFits,
  assertQuality,
  containerFromPath,
  ffmpegPixelFormat,
  parseEncoderList,
  parseEncoderPixelFormats,
  planColour,
} from '../../../engine/media/codecs.ts';
import { locateTool } from '../../../engine/media/ffmpeg-locator.ts';
import { runToCompletion } from '../../../engine/media/ffmpeg-process.ts';

const ffmpeg = locateTool('ffmpeg').path;

describe('encoder listings', () => {
  it('parses the real `ffmpeg -encoders` output', async () => {
    const { stdout } = await runToCompletion(ffmpeg, ['-hide_banner', '-encoders'], 'listing');
    const names = parseEncoderList(stdout);
    expect(names.has('ffv1')).toBe(true);
    expect(names.has('png')).toBe(true);
    expect(names.has('=')).toBe(false);
    expect(names.has('------')).toBe(false);
  });

  it('parses supported pixel formats', () => {
    const text = 'Encoder libsvtav1 [SVT-AV1]:\n    General capabilities: delay\n    Supported pixel formats: yuv420p yuv420p10le\n';
    expect([...parseEncoderPixelFormats(text)!]).toEqual(['yuv420p', 'yuv420p10le']);
    expect(parseEncoderPixelFormats('Encoder x:\n')).toBeUndefined();
  });

  it('caches the listing in the instance and picks encoders in order', async () => {
    const catalog = new EncoderCatalog(ffmpeg);
    expect(catalog.encoders()).toBe(catalog.encoders());
    const av1 = await catalog.select({ codec: 'av1', bitDepth: 8, width: 1280, height: 720 });
    const names = await catalog.encoders();
    expect(av1.encoder.name).toBe(names.has('libsvtav1') ? 'libsvtav1' : 'libaom-av1');
    // SVT-AV1 refuses frames under 64x64: the next encoder takes them.
    if (names.has('libaom-av1')) {
      expect((await catalog.select({ codec: 'av1', bitDepth: 8, width: 48, height: 32 })).encoder.name).toBe('libaom-av1');
    }
  });

  it('names the codecs that are available when one is not', async () => {
    const catalog = new EncoderCatalog(ffmpeg);
    const available = await catalog.availableCodecs();
    expect(available.length).toBeGreaterThan(0);
    if (!(await catalog.encoders()).has('libaom-av1')) return;
    // SVT-AV1 has no 4:4:4 and libaom does; a 4:4:4 request lands on libaom.
    expect((await catalog.select({ codec: 'av1', pixelFormat: 'yuv444p', bitDepth: 8, width: 128, height: 128 })).encoder.name).toBe('libaom-av1');
  });
});

describe('codec table', () => {
  it('every codec has encoders, a default container among its containers, and a default pixel format it accepts', () => {
    for (const codec of VIDEO_CODECS) {
      const spec = CODEC_SPECS[codec];
      expect(spec.encoders.length).toBeGreaterThan(0);
      expect(spec.containers).toContain(spec.defaultContainer);
      expect(spec.pixelFormats).toContain(spec.defaultPixelFormat);
    }
    expect(CODEC_SPECS.av1.encoders.map((e) => e.name)).toEqual(['libsvtav1', 'libaom-av1']);
  });

  it('keeps lossless codecs in RGB at the input depth', () => {
    expect(ffmpegPixelFormat('ffv1', 'rgb', 8)).toBe('bgr0');
    expect(ffmpegPixelFormat('ffv1', 'rgb', 16)).toBe('gbrp16le');
    expect(ffmpegPixelFormat('png', 'rgb', 8)).toBe('rgb24');
    expect(ffmpegPixelFormat('png', 'rgb', 16)).toBe('rgb48be');
    expect(ffmpegPixelFormat('h264', 'yuv420p10le', 8)).toBe('yuv420p10le');
    expect(() => ffmpegPixelFormat('h264', 'rgb', 8)).toThrow(InvalidArgumentError);
    expect(() => ffmpegPixelFormat('prores', 'yuv420p', 8)).toThrow(/yuv422p10le/);
  });

  it('validates quality against the encoder range', () => {
    const x264 = CODEC_SPECS.h264.encoders[0]!;
    expect(() => assertQuality(x264, 'h264', 18)).not.toThrow();
    expect(() => assertQuality(x264, 'h264', 52)).toThrow(/0 to 51/);
    expect(() => assertQuality(CODEC_SPECS.ffv1.encoders[0]!, 'ffv1', 10)).toThrow(InvalidArgumentError);
  });

  it('maps paths to containers and checks the fit', () => {
    expect(containerFromPath('/a/b.MKV')).toBe('mkv');
    expect(containerFromPath('/a/b.m4v')).toBe('mp4');
    expect(containerFromPath('/a/frames')).toBe('image-sequence');
    expect(containerFromPath('/a/b.avi')).toBeUndefined();
    expect(() => assertContainerFits('ffv1', 'mp4')).toThrow(/mkv/);
    expect(() => assertContainerFits('vp9', 'webm')).not.toThrow();
  });
});

describe('colour plan', () => {
  it('uses the source matrix and range and tags them', () => {
    const plan = planColour('yuv420p10le', { primaries: 'bt2020', transfer: 'smpte2084', matrix: 'bt2020nc', range: 'pc' }, 480);
    expect(plan.filter).toContain('out_color_matrix=bt2020');
    expect(plan.filter).toContain('out_range=full');
    expect(plan.tagArgs).toEqual(['-color_primaries', 'bt2020', '-color_trc', 'smpte2084', '-colorspace', 'bt2020nc', '-color_range', 'pc']);
  });

  it('defaults to BT.709 for HD and BT.601 for SD, limited range', () => {
    expect(planColour('yuv420p', undefined, 1080).matrix).toBe('bt709');
    expect(planColour('yuv420p', { matrix: 'unknown' }, 480).matrix).toBe('smpte170m');
    expect(planColour('yuv420p', undefined, 1080).range).toBe('tv');
  });

  it('does not convert RGB outputs', () => {
    const plan = planColour('bgr0', { matrix: 'bt709', range: 'tv' }, 1080);
    expect(plan.filter).toBe('format=bgr0');
    expect(plan.matrix).toBeNull();
    expect(plan.tagArgs).toContain('rgb');
  });
});
